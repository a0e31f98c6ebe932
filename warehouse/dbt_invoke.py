"""Running dbt commands for the project in this process, lock conflicts made clear.

In this process (dbt's programmatic ``dbtRunner``), not a child: a `make run` used to pay a
Python start, dbt's imports and the Python models' imports (statsmodels, scikit-learn,
MLflow, OpenCV) once per dbt command, about 5 s of a 30 s pipeline. The project is parsed once
per session and every command reuses that manifest.
"""

from __future__ import annotations

import gc
import logging
import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.database import WarehouseLockedError, lock_message
from warehouse.errors import WarehouseError

if TYPE_CHECKING:
    from dbt_common.events.base_types import EventMsg

log = logging.getLogger(__name__)

LOCK_CONFLICT = "Could not set lock on file"


class DbtCommandError(WarehouseError):
    """A dbt command failed; dbt's own output above the message says which node and why."""


@contextmanager
def warehouse_env(db_path: Path) -> Iterator[None]:
    """WAREHOUSE_DB (which the profile reads) pointing at ``db_path`` while dbt runs."""
    previous = os.environ.get("WAREHOUSE_DB")
    os.environ["WAREHOUSE_DB"] = str(db_path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("WAREHOUSE_DB", None)
        else:
            os.environ["WAREHOUSE_DB"] = previous


def close_duckdb_environment() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process.

    dbt-duckdb holds one environment per process (a class attribute) and closes it only at
    exit; with Python models its connection can stay open after a command. An open instance
    would keep the file's latest writes in its write-ahead log, invisible to a reader of the
    renamed file, so every command ends by closing it (checkpointing the file).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()
    gc.collect()  # drop the cursors' last references: the file closes now


class DbtSession:
    """dbt commands against one warehouse file, with one parse of the project.

    ``variables`` are dbt's ``--vars`` arguments, given to every command (the parse depends
    on them). Each command's DuckDB connection is closed when it returns, so the file can be
    checkpointed and swapped.
    """

    def __init__(self, project_dir: Path, db_path: Path, variables: list[str] | None = None) -> None:
        self.project_dir = project_dir
        self.db_path = db_path
        self.variables = variables or []
        self._messages: deque[str] = deque(maxlen=200)
        self._manifest = None

    def _remember(self, event: EventMsg) -> None:
        if event.info.level in ("warn", "error"):
            self._messages.append(event.info.msg)

    def _invoke(self, args: list[str]) -> object:
        from dbt.cli.main import dbtRunner  # imported when needed: 2 s that generate and report skip

        command = [*args, *self.variables, "--project-dir", str(self.project_dir), "--profiles-dir", str(self.project_dir)]
        runner = dbtRunner(manifest=self._manifest, callbacks=[self._remember])
        with warehouse_env(self.db_path):
            try:
                result = runner.invoke(command)
            finally:
                close_duckdb_environment()
        if not result.success:
            output = "\n".join([*self._messages, str(result.exception or "")])
            if LOCK_CONFLICT in output:
                raise WarehouseLockedError(lock_message(self.db_path, RuntimeError(output)))
            reason = f": {result.exception}" if result.exception else ""
            raise DbtCommandError(f"dbt {args[0]} failed{reason}; see the dbt output above and logs/dbt.log")
        return result.result

    def run(self, args: list[str]) -> None:
        """Run ``dbt <args>`` (parsing the project first if this session has not); raise on failure."""
        if self._manifest is None:
            self._manifest = self._invoke(["parse"])
        log.info("dbt %s (warehouse file %s)", " ".join(args), self.db_path)
        self._invoke(args)


def run_dbt(args: list[str], project_dir: Path, db_path: Path, variables: list[str] | None = None) -> None:
    """One dbt command against ``db_path`` (a session of one command)."""
    DbtSession(project_dir, db_path, variables).run(args)
