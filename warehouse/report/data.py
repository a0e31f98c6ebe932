"""Reading the marts (read-only) and the MLflow registry for the report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.database import WarehouseLockedError, connect_read_only

log = logging.getLogger(__name__)

MART_SCHEMA = "marts"


@dataclass
class Marts:
    """The marts of one warehouse file, read read-only; a missing mart reads as None.

    ``get`` reads a whole mart (for the small ones: a row per category, feature or metric);
    the marts that grow with the data are read through ``query``, which returns only what a
    figure draws.
    """

    connection: duckdb.DuckDBPyConnection
    _cache: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    _names: set[str] | None = None

    @classmethod
    def open(cls, path: Path) -> Marts:
        """Open ``path`` read-only, so a report never takes the writer's lock."""
        if not path.exists():
            raise ValueError(f"the warehouse file {path} does not exist: run `make build` first")
        try:
            return cls(connect_read_only(path))
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            raise WarehouseLockedError(
                f"The warehouse file {path} is held by a process that writes to it, and DuckDB lets no "
                f"reader in meanwhile ({error}). Let it finish or close it, then run `make report` again."
            ) from error

    def names(self) -> set[str]:
        """The tables and views of the marts schema."""
        if self._names is None:
            rows = self.connection.execute(
                "select table_name from information_schema.tables where table_schema = ?", [MART_SCHEMA]
            ).fetchall()
            self._names = {name for (name,) in rows}
        return self._names

    def get(self, name: str) -> pd.DataFrame | None:
        """The whole mart as a frame, or None when it is missing."""
        if name not in self._cache:
            self._cache[name] = self.query(f'select * from {MART_SCHEMA}."{name}"') if name in self.names() else None
        return self._cache[name]

    def query(self, sql: str, parameters: list[object] | None = None) -> pd.DataFrame:
        """The result of a select on the marts (written as ``marts.<name>``)."""
        return self.connection.execute(sql, parameters or []).df()

    def has_rows(self, name: str) -> bool:
        """Whether the mart exists and holds a row, without reading it."""
        return name in self.names() and self.connection.execute(
            f'select exists (select 1 from {MART_SCHEMA}."{name}")').fetchone()[0]

    def missing(self, *names: str) -> list[str]:
        """Which of ``names`` are missing or empty."""
        return [name for name in names if not self.has_rows(name)]

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Marts:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def champion_summary() -> pd.DataFrame | None:
    """The registered sales_model versions with the champion marked, or None without a store."""
    from warehouse.tracking import CHAMPION, MODEL_NAME, TrackingStoreError, connect

    try:
        client = connect()
        versions = client.search_model_versions(f"name = '{MODEL_NAME}'")
    except (TrackingStoreError, Exception) as error:  # the store's exception types vary by backend
        log.warning("MLflow registry not readable, the report leaves it out: %s", error)
        return None
    champion = champion_version(client, MODEL_NAME, CHAMPION)
    rows = []
    for version in sorted(versions, key=lambda v: int(v.version)):
        run = client.get_run(version.run_id)
        rows.append({
            "version": int(version.version),
            "champion": str(version.version) == champion,
            "run_id": version.run_id,
            "test_mae": run.data.metrics.get("integrated.sales_model.test_mae"),
            "test_r2": run.data.metrics.get("integrated.sales_model.test_r2"),
            "decision": run.data.tags.get("champion_decision", ""),
        })
    return pd.DataFrame(rows) if rows else None


def champion_version(client: object, model_name: str, alias: str) -> str | None:
    """The version the alias points at (search results do not carry aliases), or None."""
    from mlflow.exceptions import MlflowException

    try:
        return str(client.get_model_version_by_alias(model_name, alias).version)
    except MlflowException:
        return None
