"""The refit policy of the expensive models: refit when the data has moved on far enough.

Daily incremental builds keep the facts, sentiment and photo scores current; the forecasts and
the sales model are refitted only when their fit is at least ``every_days`` days behind the
data (dbt vars), otherwise the model keeps its previous table (an incremental model that
returns no rows).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import duckdb

log = logging.getLogger(__name__)


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def refit_due(
    session: duckdb.DuckDBPyConnection,
    existing: str | None,
    fitted_through_sql: str,
    data_through: date | datetime | None,
    every_days: int,
) -> bool:
    """True when there is no previous table, or its fit is ``every_days`` or more behind the data.

    ``fitted_through_sql`` selects the last date the previous fit saw from ``existing``.
    """
    if existing is None or data_through is None:
        return True
    try:
        fitted = _as_date(session.execute(fitted_through_sql.format(this=existing)).fetchall()[0][0])
    except duckdb.BinderException:  # a table from before the policy: refit (and replace) it
        log.info("%s has no record of what it was fitted on: refit", existing)
        return True
    if fitted is None:
        return True
    behind = (_as_date(data_through) - fitted).days
    due = behind >= every_days
    log.info("%s: fitted through %s, data through %s: %s", existing, fitted, _as_date(data_through),
             "refit" if due else f"kept (refit every {every_days} days)")
    return due


def unchanged(session: duckdb.DuckDBPyConnection, existing: str) -> duckdb.DuckDBPyRelation:
    """No rows with the previous table's columns: an incremental run that changes nothing."""
    return session.sql(f"select * from {existing} where false")


def keep_unless_due(
    session: duckdb.DuckDBPyConnection,
    existing: str | None,
    data: duckdb.DuckDBPyRelation,
    date_column: str,
    fitted_through_sql: str,
    every_days: int,
) -> duckdb.DuckDBPyRelation | None:
    """What an incremental model returns to keep its table, or None when a refit is due."""
    data_through = data.aggregate(f"max({date_column})").fetchall()[0][0]
    if refit_due(session, existing, fitted_through_sql, data_through, every_days):
        return None
    return unchanged(session, existing)
