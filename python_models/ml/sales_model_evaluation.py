"""Train the weekly sales model, log the build's MLflow run; its metrics per row."""

from warehouse.modeling.pipeline import train_and_track
from warehouse.refit import keep_unless_due


def model(dbt, session):
    dbt.config(
        materialized="incremental", incremental_strategy="delete+insert", unique_key=["model_name", "metric_name"],
        on_schema_change="append_new_columns",
    )
    features = dbt.ref("sales_model_features")
    existing = str(dbt.this) if dbt.is_incremental else None
    kept = keep_unless_due(session, existing, features, "week_start", "select max(trained_through) from {this}",
                           int(dbt.config.get("retrain_every_days")))
    if kept is not None:
        return kept
    return train_and_track(features.df())
