"""One quality score row per product photo; unchanged files keep the row of the run that scored them."""

from warehouse.vision.pipeline import previous_scores, scores_for


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key="image_id",
        on_schema_change="sync_all_columns",
        # The model returns every current photo, so rows of photos no longer listed are deleted.
        merge_clauses={
            "when_matched": [{"action": "update", "mode": "by_name"}],
            "when_not_matched": [
                {"action": "insert", "mode": "by_name"},
                {"by": "source", "action": "delete"},
            ],
        },
    )
    images = dbt.ref("stg_product_images").df()
    previous = previous_scores(session, str(dbt.this)) if dbt.is_incremental else None
    return scores_for(images, dbt.config.get("images_dir"), previous, dbt.config.get("vision_workers"))
