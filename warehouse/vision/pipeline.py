"""What the dbt Python models call: read the previous scores, score the listed photos."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from warehouse.vision.scoring import score_images

log = logging.getLogger(__name__)

DEFAULT_IMAGES_DIR = "data/images"


def previous_scores(session, relation: str) -> pd.DataFrame:
    """The scores table as the last run left it (read before this run's merge)."""
    return session.sql(f"select * from {relation}").df()


def scores_for(
    images: pd.DataFrame,
    images_dir: str | None,
    previous: pd.DataFrame | None = None,
    workers: int | str | None = None,
) -> pd.DataFrame:
    """Scores of every listed photo; rows without an image id cannot be keyed and are dropped."""
    folder = Path(images_dir or DEFAULT_IMAGES_DIR)
    keyed = images[images["image_id"].notna()]
    if len(keyed) < len(images):
        log.warning("%d image rows have no image_id and are not scored", len(images) - len(keyed))
    log.info("scoring %d photos under %s (%s previous rows)", len(keyed), folder.resolve(),
             0 if previous is None else len(previous))
    return score_images(keyed, folder, previous, int(workers) if workers else None)
