"""Where the DuckDB warehouse lives, and opening it without fighting other processes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

DEFAULT_DB_PATH = Path("data/warehouse.duckdb")
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class WarehouseLockedError(RuntimeError):
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
        "session), or open the file with read_only=True there, then run again."
    )


def ensure_writable(path: Path) -> None:
    """Raise WarehouseLockedError when another process holds ``path``; create its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseLockedError(lock_message(path, error)) from error
        raise


def connect_read_only(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection, the way reports, notebooks and tests should open the warehouse."""
    return duckdb.connect(str(path or warehouse_path()), read_only=True)
