"""Build beside the live warehouse and swap it in only when the build and its tests pass.

Readers holding the live file keep their view (the swap is a rename: their open file is the
old one); a failed or killed build leaves the last good warehouse untouched. The new build
starts from a copy of the live file, so incremental models and the model_performance history
carry over.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from warehouse.database import copy_database, ensure_no_writer
from warehouse.errors import WarehouseError

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
