"""Every feature row with the build's model prediction and 90% interval (from its MLflow run)."""

from warehouse.modeling.pipeline import run_artifact


def model(dbt, session):
    dbt.config(materialized="table")
    predictions = run_artifact(dbt.ref("sales_model_evaluation").df(), "predictions.parquet")
    predictions["week_start"] = predictions["week_start"].dt.date
    return predictions
