"""The terms that characterise each category's feedback, overall and per sentiment label."""

from warehouse.sentiment.pipeline import top_terms_input
from warehouse.sentiment.terms import top_terms


def model(dbt, session):
    dbt.config(materialized="table")
    feedback = dbt.ref("stg_feedback").df()
    sentiment = dbt.ref("feedback_sentiment").df()
    return top_terms(top_terms_input(feedback, sentiment))
