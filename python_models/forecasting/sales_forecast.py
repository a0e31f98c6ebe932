"""sales_forecast: backtest and future forecasts of every model (logic in warehouse.forecasting.pipeline)."""

from warehouse.forecasting.marts import forecast_mart
from warehouse.refit import keep_unless_due


def model(dbt, session):
    dbt.config(
        materialized="incremental", incremental_strategy="delete+insert", unique_key="series_id",
        on_schema_change="append_new_columns",
    )
    series = dbt.ref("int_sales_series_daily")
    existing = str(dbt.this) if dbt.is_incremental else None
    kept = keep_unless_due(session, existing, series, "date", "select max(date) from {this} where kind = 'backtest'",
                           int(dbt.config.get("refit_every_days")))
    if kept is not None:
        return kept
    return forecast_mart(series.df(), int(dbt.config.meta_get("forecast_horizon")),
                         int(dbt.config.meta_get("forecast_reference_max_leaves")))
