"""Permutation and impurity importance of each sales model feature (from the build's MLflow run)."""

from warehouse.modeling.pipeline import run_artifact


def model(dbt, session):
    dbt.config(materialized="table")
    return run_artifact(dbt.ref("sales_model_evaluation").df(), "feature_importance.csv")
