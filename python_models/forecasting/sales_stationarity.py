"""sales_stationarity: ADF tests per series (logic in warehouse.forecasting.stationarity)."""

from warehouse.forecasting.marts import stationarity_mart
from warehouse.refit import keep_unless_due


def model(dbt, session):
    dbt.config(
        materialized="incremental", incremental_strategy="delete+insert", unique_key="series_id",
        on_schema_change="append_new_columns",
    )
    series = dbt.ref("int_sales_series_daily")
    existing = str(dbt.this) if dbt.is_incremental else None
    kept = keep_unless_due(session, existing, series, "date", "select max(tested_through) from {this}",
                           int(dbt.config.get("refit_every_days")))
    return kept if kept is not None else stationarity_mart(series.df())
