"""sales_forecast: backtest and future forecasts of every model (logic in warehouse.forecasting.pipeline)."""

from warehouse.forecasting.marts import forecast_mart


def model(dbt, session):
    dbt.config(materialized="table")
    horizon = int(dbt.config.meta_get("forecast_horizon"))
    return forecast_mart(dbt.ref("int_sales_series_daily").df(), horizon)
