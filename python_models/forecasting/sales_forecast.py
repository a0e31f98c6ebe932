"""sales_forecast: backtest and future forecasts of every model (logic in warehouse.forecasting.pipeline)."""

from warehouse.forecasting.marts import forecast_mart
from warehouse.refit import refit_due, unchanged


def model(dbt, session):
    dbt.config(
        materialized="incremental", incremental_strategy="delete+insert", unique_key="series_id",
        on_schema_change="append_new_columns",
    )
    series = dbt.ref("int_sales_series_daily")
    existing = str(dbt.this) if dbt.is_incremental else None
    data_through = series.aggregate("max(date)").fetchall()[0][0]
    fitted_through = "select max(date) from {this} where kind = 'backtest'"
    if not refit_due(session, existing, fitted_through, data_through, int(dbt.config.get("refit_every_days"))):
        return unchanged(session, existing)
    return forecast_mart(series.df(), int(dbt.config.meta_get("forecast_horizon")))
