"""VADER and the supervised model evaluated on the same test rows, in long format."""

from warehouse.sentiment.evaluation import evaluate


def model(dbt, session):
    dbt.config(materialized="table")
    return evaluate(dbt.ref("feedback_sentiment").df())
