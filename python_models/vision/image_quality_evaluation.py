"""Image scorer metrics in long format (model_name, domain, metric_name, metric_value)."""

from warehouse.vision.evaluation import evaluation_metrics, read_truth


def model(dbt, session):
    dbt.config(materialized="table")
    scores = dbt.ref("product_image_scores").df()
    truth = read_truth(dbt.config.get("image_truth_path"))
    return evaluation_metrics(scores, truth)
