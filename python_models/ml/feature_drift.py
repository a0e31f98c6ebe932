"""Drift of each sales model feature: the weeks the model was trained on against the latest weeks."""

from warehouse.modeling.pipeline import drift_report


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt finds refs by parsing this file: a ref inside a subscripted chain would go unseen.
    evaluation = dbt.ref("sales_model_evaluation").df()
    features = dbt.ref("sales_model_features").df()
    return drift_report(features, int(dbt.config.get("drift_window_weeks")), evaluation["trained_through"].max())
