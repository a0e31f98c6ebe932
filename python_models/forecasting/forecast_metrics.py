"""forecast_metrics: backtest accuracy per series and model (logic in warehouse.forecasting.pipeline)."""

from warehouse.forecasting.marts import metrics_mart


def model(dbt, session):
    dbt.config(materialized="table")
    return metrics_mart(dbt.ref("sales_forecast").df(), dbt.ref("int_sales_series_daily").df())
