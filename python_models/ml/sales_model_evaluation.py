"""Train the weekly sales model, log the build's MLflow run, register it; its metrics per row."""

from warehouse.modeling.pipeline import train_and_track

EVALUATION_COLUMNS = ["model_name", "domain", "metric_name", "metric_value"]


def model(dbt, session):
    dbt.config(materialized="table")
    domain_metrics = [
        dbt.ref("forecast_evaluation").df()[EVALUATION_COLUMNS],
        dbt.ref("sentiment_evaluation").df()[EVALUATION_COLUMNS],
        dbt.ref("image_quality_evaluation").df()[EVALUATION_COLUMNS],
    ]
    return train_and_track(dbt.ref("sales_model_features").df(), domain_metrics)
