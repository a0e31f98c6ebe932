"""The known-truth generator: writes the raw seeds, the product photos and the truth files."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import timedelta
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


def generate(
    seeds_dir: Path, data_dir: Path, scale: float = 1.0, seed: int = 42, drift: bool = False
) -> GeneratedCounts:
    """Generate every dataset at ``scale`` (1 = 5 regions, 3,000 reviews, 240 photos).

    With ``drift`` the last quarter's marketing spend and weather shift (see World).
    """
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
    sales, expected = generate_sales(sales_rng, world, regions, seed, drift=drift)
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
        json.dumps({"seed": seed, "scale": scale, "drift": drift, **as_json_dict(world, regions)}, indent=2) + "\n"
    )
    return GeneratedCounts(len(sales), len(feedback), len(images), n_regions)


def append_csv(frame: pd.DataFrame, path: Path) -> None:
    """Append rows to an existing generated CSV (same columns, no header)."""
    frame.to_csv(path, mode="a", header=False, index=False, lineterminator="\n")


def append_days(seeds_dir: Path, data_dir: Path, n_days: int, seed: int = 42) -> GeneratedCounts:
    """Extend generated data by ``n_days`` after its last day: sales, feedback and photos.

    The story continues (same regions, trend and seasonality); the new days draw from their own
    random stream, so appending is deterministic too. This is the daily increment that
    incremental builds and benchmarks use.
    """
    if n_days < 1:
        raise ValueError(f"--append-days must be at least 1, got {n_days}")
    truth_dir = data_dir / "truth"
    parameters_file = truth_dir / "causal_parameters.json"
    if not parameters_file.exists():
        raise ValueError(f"{parameters_file} not found: run `warehouse generate` before appending days")
    regions = json.loads(parameters_file.read_text())["region_multipliers"]
    last_day = pd.to_datetime(pd.read_csv(seeds_dir / "raw_sales.csv", usecols=["date"])["date"]).max().date()
    world = replace(World(), start=last_day + timedelta(days=1), end=last_day + timedelta(days=n_days))
    sales_rng, feedback_rng, image_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence([seed, world.start.toordinal()]).spawn(3)
    )
    sales, expected = generate_sales(sales_rng, world, regions, seed)
    append_csv(sales, seeds_dir / "raw_sales.csv")
    append_csv(expected, truth_dir / "sales_expected.csv")

    scale = len(regions) / len(BASE_REGION_MULTIPLIERS)
    days_in_story = (World().horizon_end - World().origin).days + 1
    n_feedback = max(1, round(world.feedback_per_scale * scale * n_days / days_in_story))
    first_feedback = int(pd.read_csv(seeds_dir / "raw_feedback.csv", usecols=["feedback_id"])["feedback_id"].max()) + 1
    feedback, latent = generate_feedback(feedback_rng, world, n_feedback, first_id=first_feedback)
    append_csv(feedback, seeds_dir / "raw_feedback.csv")
    append_csv(latent, truth_dir / "feedback_sentiment_truth.csv")

    n_images = max(1, round(world.images_per_scale * scale * n_days / days_in_story))
    first_image = int(pd.read_csv(seeds_dir / "raw_product_images.csv", usecols=["image_id"])["image_id"].max()) + 1
    images, degradations = generate_images(image_rng, world, n_images, data_dir / "images", first_id=first_image)
    append_csv(images, seeds_dir / "raw_product_images.csv")
    append_csv(degradations, truth_dir / "image_degradations.csv")
    log.info("appended %s to %s: %d sales rows, %d feedback rows, %d photos",
             world.start, world.end, len(sales), len(feedback), len(images))
    return GeneratedCounts(len(sales), len(feedback), len(images), len(regions))
