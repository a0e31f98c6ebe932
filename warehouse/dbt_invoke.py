"""Running dbt commands for the project, with lock conflicts turned into clear errors."""

from __future__ import annotations

import logging
from pathlib import Path

from dbt.cli.main import dbtRunner, dbtRunnerResult

from warehouse.database import WarehouseLockedError, ensure_writable, lock_message, warehouse_path

log = logging.getLogger(__name__)


class DbtCommandError(RuntimeError):
    """A dbt command failed; dbt's own log above the message says which node and why."""


def run_dbt(args: list[str], project_dir: Path = Path("."), check: bool = True) -> dbtRunnerResult:
    """Invoke dbt in-process against ``project_dir`` (which also holds profiles.yml).

    With ``check`` a failed command raises DbtCommandError; without it the caller reads the
    per-node results (tests use this to assert which rules failed and on how many rows).
    """
    db_path = warehouse_path()
    ensure_writable(db_path)
    command = [*args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    log.info("dbt %s", " ".join(args))
    result = dbtRunner().invoke(command)
    if result.exception is not None and "lock" in str(result.exception).lower():
        raise WarehouseLockedError(lock_message(db_path, result.exception))
    if check and not result.success:
        detail = f": {result.exception}" if result.exception else ""
        raise DbtCommandError(f"dbt {args[0]} failed{detail} (see the dbt log above, and logs/dbt.log)")
    return result
