"""Drift of each sales model feature: the training weeks against the latest weeks."""

from warehouse.modeling.pipeline import drift_report


def model(dbt, session):
    dbt.config(materialized="table")
    return drift_report(dbt.ref("sales_model_features").df(), int(dbt.config.get("drift_window_weeks")))
