"""Per-feedback sentiment: VADER scores and label beside the supervised model's label and score."""

from warehouse.sentiment.pipeline import feedback_sentiment


def model(dbt, session):
    dbt.config(materialized="table")
    feedback = dbt.ref("stg_feedback").df()
    vader_scores = dbt.ref("int_feedback_vader_scored").df()
    return feedback_sentiment(feedback, vader_scores)
