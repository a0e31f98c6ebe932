"""sales_decomposition: MSTL/STL decomposition per series (logic in warehouse.forecasting.decomposition)."""

from warehouse.forecasting.marts import decomposition_mart
from warehouse.refit import refit_due, unchanged


def model(dbt, session):
    dbt.config(
        materialized="incremental", incremental_strategy="delete+insert", unique_key="series_id",
        on_schema_change="append_new_columns",
    )
    series = dbt.ref("int_sales_series_daily")
    existing = str(dbt.this) if dbt.is_incremental else None
    data_through = series.aggregate("max(date)").fetchall()[0][0]
    if not refit_due(session, existing, "select max(date) from {this}", data_through,
                     int(dbt.config.get("refit_every_days"))):
        return unchanged(session, existing)
    return decomposition_mart(series.df())
