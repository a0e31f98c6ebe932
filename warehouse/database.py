"""Where the DuckDB warehouse lives, and opening it without fighting other processes."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError

DEFAULT_DB_PATH = Path("data/warehouse.duckdb")
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class WarehouseLockedError(WarehouseError):
    """Another process holds the DuckDB file; the message says which file and what to do."""


def warehouse_path() -> Path:
    """The warehouse file: env WAREHOUSE_DB, default data/warehouse.duckdb."""
    return Path(os.environ.get("WAREHOUSE_DB", str(DEFAULT_DB_PATH)))


def lock_message(path: Path, error: Exception) -> str:
    """A user-facing explanation of a DuckDB lock conflict on ``path``."""
    holder = _LOCK_HOLDER.search(str(error))
    who = f"process {holder['pid']} ({holder['program']})" if holder else "another process"
    return (
        f"The warehouse file {path} is locked by {who}. DuckDB allows one writer per file, "
        "and a build needs to write. Close that connection (a notebook, BI tool or duckdb CLI "
        "session): open it with read_only=True there, which never blocks a build, then run again."
    )


def ensure_no_writer(path: Path) -> None:
    """Raise WarehouseLockedError when another process holds ``path`` for writing.

    Opens it read-only, which other readers (a BI tool, a notebook) do not block, so a build
    beside the live file never waits for them.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        return
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseLockedError(lock_message(path, error)) from error
        raise


def copy_database(source: Path, target: Path) -> None:
    """Copy a DuckDB file with its write-ahead log, without opening it (readers may hold it)."""
    shutil.copy2(source, target)
    log_file = source.with_name(source.name + ".wal")
    if log_file.exists():
        shutil.copy2(log_file, target.with_name(target.name + ".wal"))


def connect_read_only(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection, the way reports, notebooks and tests should open the warehouse."""
    return duckdb.connect(str(path or warehouse_path()), read_only=True)
