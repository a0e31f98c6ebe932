"""Running dbt commands for the project in a child process, lock conflicts made clear."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections import deque
from pathlib import Path

from warehouse.database import WarehouseLockedError, lock_message
from warehouse.errors import WarehouseError

log = logging.getLogger(__name__)


class DbtCommandError(WarehouseError):
    """A dbt command failed; dbt's own output above the message says which node and why."""


def run_dbt(args: list[str], project_dir: Path, db_path: Path) -> None:
    """Run ``dbt <args>`` against ``db_path``, echoing its output; raise on failure.

    A child process, so the DuckDB file is closed (and its WAL checkpointed) when dbt ends,
    before the build swaps it in.
    """
    dbt = str(Path(sys.executable).with_name("dbt"))
    command = [dbt, *args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    log.info("dbt %s (warehouse file %s)", " ".join(args), db_path)
    env = {**os.environ, "WAREHOUSE_DB": str(db_path)}
    tail: deque[str] = deque(maxlen=200)
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as child:
        for line in child.stdout:
            sys.stdout.write(line)
            tail.append(line)
    if child.returncode != 0:
        output = "".join(tail)
        if "Could not set lock on file" in output:
            raise WarehouseLockedError(lock_message(db_path, RuntimeError(output)))
        raise DbtCommandError(f"dbt {args[0]} failed (exit {child.returncode}); see the dbt output above and logs/dbt.log")
