"""sales_decomposition: MSTL/STL decomposition per series (logic in warehouse.forecasting.decomposition)."""

from warehouse.forecasting.marts import decomposition_mart


def model(dbt, session):
    dbt.config(materialized="table")
    return decomposition_mart(dbt.ref("int_sales_series_daily").df())
