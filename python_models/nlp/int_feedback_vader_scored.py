"""VADER scores per feedback, incremental: only new feedback ids and changed texts are scored."""

from warehouse.sentiment.pipeline import incremental_vader_scores


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key="feedback_id",
        incremental_strategy="delete+insert",
        schema="intermediate",
        on_schema_change="fail",
    )
    feedback = dbt.ref("stg_feedback").df()
    scored = None
    if dbt.is_incremental:
        scored = session.sql(f"select feedback_id, text_hash from {dbt.this}").df()
    return incremental_vader_scores(feedback, scored)
