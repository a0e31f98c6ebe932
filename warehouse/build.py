"""Build beside the live warehouse and swap it in only when the build and its tests pass.

Readers holding the live file keep their view (the swap is a rename: their open file is the
old one); a failed or killed build leaves the last good warehouse untouched. The new build
starts from a copy of the live file, so incremental models and the model_performance history
carry over.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from warehouse.database import copy_database, ensure_no_writer, warehouse_path
from warehouse.dbt_invoke import DbtSession
from warehouse.errors import WarehouseError
from warehouse.forecasting.parallel import start_worker_server

log = logging.getLogger(__name__)


class BuildFailedError(WarehouseError):
    """The build failed; the live warehouse is unchanged and the message says where to look."""


def next_path(live: Path) -> Path:
    return live.with_name(live.name + ".next")


def failed_path(live: Path) -> Path:
    return live.with_name(live.name + ".failed")


def remove_database(path: Path) -> None:
    """Delete a DuckDB file and its write-ahead log, if present."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def build_beside(live: Path, build: Callable[[Path], None]) -> None:
    """Run ``build`` against a copy of ``live`` and rename the copy over it on success."""
    ensure_no_writer(live)
    staged = next_path(live)
    remove_database(staged)  # left by a killed build
    if live.exists():
        copy_database(live, staged)
    try:
        build(staged)
        duckdb.connect(str(staged)).close()  # checkpoint before the rename
    except BaseException as error:
        failed = failed_path(live)
        remove_database(failed)
        if staged.exists():
            os.replace(staged, failed)
        remove_database(staged)
        raise BuildFailedError(
            f"the build failed ({error}); the last good warehouse {live} is unchanged. "
            f"The failed build's file is {failed} and its log is logs/dbt.log"
        ) from error
    os.replace(staged, live)
    log.info("the new warehouse is live at %s", live)


def dbt_steps(data_dir: Path | None, docs: bool, dbt_args: list[str]) -> tuple[list[str], list[list[str]]]:
    """The ``--vars`` and the dbt commands of a build: from the seeds, or from ``data_dir``'s files."""
    if data_dir is not None:
        from warehouse.sources import source_vars

        variables = ["--vars", json.dumps(source_vars(data_dir))]
        # Unit tests ran against the seeds; they read column types from the seed tables.
        exclude = ["--exclude", "resource_type:seed", "resource_type:unit_test"]
        steps = [["build", *exclude, *dbt_args]]
    else:
        variables = []
        # Staging reads the seeds through source(), which dbt does not order after the seeds
        # (as in jaffle-shop): load them first so the source tests see the tables.
        steps = [["seed"], ["build", *dbt_args]]
    if docs:
        # Against the new file before the swap, from the manifest the build just wrote (its
        # compiled SQL included): no copy of the warehouse and no second compile.
        steps.append(["docs", "generate", "--static", "--no-compile"])
    return variables, steps


def build_warehouse(
    project_dir: Path, data_dir: Path | None = None, docs: bool = False, dbt_args: list[str] | None = None
) -> Path:
    """Seeds (or ``data_dir``'s files), models, data and unit tests and, with ``docs``, the docs
    site, built beside the live warehouse (env WAREHOUSE_DB) and swapped in; its path."""
    variables, steps = dbt_steps(data_dir, docs, list(dbt_args or []))
    live = warehouse_path()

    def build(db_path: Path) -> None:
        start_worker_server()
        session = DbtSession(project_dir, db_path, variables)
        for step in steps:
            session.run(step)

    build_beside(live, build)
    return live
