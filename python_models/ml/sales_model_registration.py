"""Register the build's sales model in MLflow, last: only when everything upstream passed.

The refs below are the gate: `dbt build` skips a model whose parents failed or whose parents'
tests failed, so a failed build registers nothing.
"""

from warehouse.modeling.pipeline import register

EVALUATION_COLUMNS = ["model_name", "domain", "metric_name", "metric_value"]


def model(dbt, session):
    dbt.config(materialized="table")
    # Never read: each ref only makes this model wait for that mart and its tests.
    gates = [
        dbt.ref("model_performance"),
        dbt.ref("sales_model_predictions"),
        dbt.ref("feature_importance"),
        dbt.ref("feature_drift"),
        dbt.ref("category_features"),
        dbt.ref("sales_forecast"),
        dbt.ref("feedback_top_terms"),
        dbt.ref("feedback_sentiment_monthly"),
        dbt.ref("image_quality_by_category"),
    ]
    # The other domains' metrics of this build join the model's MLflow run.
    domain_metrics = [
        dbt.ref("forecast_evaluation").df()[EVALUATION_COLUMNS],
        dbt.ref("sentiment_evaluation").df()[EVALUATION_COLUMNS],
        dbt.ref("image_quality_evaluation").df()[EVALUATION_COLUMNS],
    ]
    return register(dbt.ref("sales_model_evaluation").df(), domain_metrics)
