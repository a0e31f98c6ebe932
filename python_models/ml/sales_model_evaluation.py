"""Train the weekly sales model, log the build's MLflow run; its metrics per row."""

from warehouse.modeling.pipeline import train_and_track
from warehouse.refit import refit_due, unchanged

EVALUATION_COLUMNS = ["model_name", "domain", "metric_name", "metric_value"]


def model(dbt, session):
    dbt.config(
        materialized="incremental", incremental_strategy="delete+insert", unique_key=["model_name", "metric_name"],
        on_schema_change="append_new_columns",
    )
    features = dbt.ref("sales_model_features")
    existing = str(dbt.this) if dbt.is_incremental else None
    data_through = features.aggregate("max(week_start)").fetchall()[0][0]
    if not refit_due(session, existing, "select max(trained_through) from {this}", data_through,
                     int(dbt.config.get("retrain_every_days"))):
        return unchanged(session, existing)
    domain_metrics = [
        dbt.ref("forecast_evaluation").df()[EVALUATION_COLUMNS],
        dbt.ref("sentiment_evaluation").df()[EVALUATION_COLUMNS],
        dbt.ref("image_quality_evaluation").df()[EVALUATION_COLUMNS],
    ]
    return train_and_track(features.df(), domain_metrics)
