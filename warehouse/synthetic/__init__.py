"""The known-truth generator: writes the raw seeds, the product photos and the truth files."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.synthetic.feedback import generate_feedback
from warehouse.synthetic.images import generate_images
from warehouse.synthetic.sales import generate_sales
from warehouse.synthetic.world import (
    BASE_REGION_MULTIPLIERS,
    CATEGORIES,
    World,
    as_json_dict,
    region_names,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GeneratedCounts:
    """Row counts of what one generator run wrote."""

    sales: int
    feedback: int
    images: int
    regions: int


def region_multipliers(rng: np.random.Generator, n_regions: int, world: World) -> dict[str, float]:
    """The five base regions keep their documented size; extra regions draw theirs."""
    low, high = world.extra_region_multiplier_range
    return {
        name: BASE_REGION_MULTIPLIERS.get(name, round(float(rng.uniform(low, high)), 3))
        for name in region_names(n_regions)
    }


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Byte-stable CSV: fixed column order, no index, Unix line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def generate(seeds_dir: Path, data_dir: Path, scale: float = 1.0, seed: int = 42) -> GeneratedCounts:
    """Generate every dataset at ``scale`` (1 = 5 regions, 1,500 reviews, 150 photos)."""
    if scale <= 0:
        raise ValueError(f"--scale must be positive, got {scale}")
    world = World()
    sales_rng, feedback_rng, image_rng, region_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)
    )
    n_regions = max(1, round(len(BASE_REGION_MULTIPLIERS) * scale))
    regions = region_multipliers(region_rng, n_regions, world)
    truth_dir = data_dir / "truth"

    log.info("generating sales for %d categories x %d regions", len(CATEGORIES), n_regions)
    sales, expected = generate_sales(sales_rng, world, regions)
    write_csv(sales, seeds_dir / "raw_sales.csv")
    write_csv(expected, truth_dir / "sales_expected.csv")

    n_feedback = max(50, round(world.feedback_per_scale * scale))
    log.info("generating %d feedback texts", n_feedback)
    feedback, latent = generate_feedback(feedback_rng, world, n_feedback)
    write_csv(feedback, seeds_dir / "raw_feedback.csv")
    write_csv(latent, truth_dir / "feedback_sentiment_truth.csv")

    n_images = max(10, round(world.images_per_scale * scale))
    log.info("drawing %d product photos into %s", n_images, data_dir / "images")
    images, degradations = generate_images(image_rng, world, n_images, data_dir / "images")
    write_csv(images, seeds_dir / "raw_product_images.csv")
    write_csv(degradations, truth_dir / "image_degradations.csv")

    write_csv(
        pd.DataFrame([{"product_category": c.name, "department": c.department} for c in CATEGORIES]),
        seeds_dir / "raw_product_categories.csv",
    )
    write_csv(pd.DataFrame({"region": list(regions)}), seeds_dir / "raw_regions.csv")
    truth_dir.mkdir(parents=True, exist_ok=True)
    (truth_dir / "causal_parameters.json").write_text(
        json.dumps({"seed": seed, "scale": scale, **as_json_dict(world, regions)}, indent=2) + "\n"
    )
    return GeneratedCounts(len(sales), len(feedback), len(images), n_regions)
