"""forecast_evaluation: per-model figures in long format (logic in warehouse.forecasting.evaluation)."""

from pathlib import Path

from warehouse.forecasting.marts import evaluation_mart


def model(dbt, session):
    dbt.config(materialized="table")
    truth_path = dbt.config.meta_get("truth_path")
    return evaluation_mart(
        dbt.ref("forecast_metrics").df(),
        dbt.ref("sales_forecast").df(),
        Path(truth_path) if truth_path else None,
    )
