"""sales_stationarity: ADF tests per series (logic in warehouse.forecasting.stationarity)."""

from warehouse.forecasting.marts import stationarity_mart


def model(dbt, session):
    dbt.config(materialized="table")
    return stationarity_mart(dbt.ref("int_sales_series_daily").df())
