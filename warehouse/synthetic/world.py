"""The causal story of the synthetic retail world, as explicit parameters.

Every number the generator uses to produce sales, feedback and photos lives here, so the
truth that the models are checked against is readable in one place (and written to
``data/truth/causal_parameters.json`` next to the data).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import pandas as pd

BASE_REGIONS: tuple[str, ...] = ("North", "South", "East", "West", "Central")


@dataclass(frozen=True)
class CategoryProfile:
    """How one product category behaves: its size, seasonality and sensitivities."""

    name: str
    department: str
    base_daily_sales: float
    annual_growth: float
    yearly_amplitude: float
    yearly_peak_day: int
    weather_sensitivity: float
    sentiment_level: float
    sentiment_drift_per_year: float
    photo_quality_start: float
    photo_quality_end: float
    aspects: tuple[str, ...]


CATEGORIES: tuple[CategoryProfile, ...] = (
    CategoryProfile(
        "Electronics", "Technology", 5200.0, 0.07, 0.22, 350, -0.06, 0.20, -0.10, 0.70, 0.72,
        ("battery life", "screen", "sound quality", "setup", "charger", "remote", "app"),
    ),
    CategoryProfile(
        "Clothing", "Apparel", 3100.0, 0.05, 0.15, 110, 0.12, 0.35, 0.0, 0.40, 0.82,
        ("fit", "fabric", "stitching", "sizing", "color", "zipper", "collar"),
    ),
    CategoryProfile(
        "Books", "Media", 1300.0, 0.02, 0.12, 15, -0.08, 0.55, 0.0, 0.55, 0.55,
        ("plot", "characters", "binding", "print quality", "ending", "cover", "pacing"),
    ),
    CategoryProfile(
        "Home", "Household", 2600.0, 0.04, 0.10, 120, 0.05, 0.25, 0.12, 0.62, 0.45,
        ("assembly", "instructions", "sturdiness", "finish", "drawer", "handles", "size"),
    ),
    CategoryProfile(
        "Sports", "Outdoor", 2100.0, 0.06, 0.25, 190, 0.22, 0.40, 0.0, 0.52, 0.60,
        ("grip", "durability", "weight", "comfort", "strap", "padding", "laces"),
    ),
)


@dataclass(frozen=True)
class World:
    """Global parameters of the simulation; categories and regions are listed separately."""

    # The story's calendar: trend and photo-quality drift are measured from origin to
    # horizon_end. start..end is the window generated, the same unless appending days.
    origin: date = date(2021, 1, 1)
    horizon_end: date = date(2023, 12, 31)
    start: date = date(2021, 1, 1)
    end: date = date(2023, 12, 31)
    # Weekly pattern, Monday..Sunday, multiplicative.
    weekday_multipliers: tuple[float, ...] = (0.92, 0.94, 0.96, 1.00, 1.06, 1.18, 1.12)
    # Marketing lift saturates: lift = 1 + max_lift * (1 - exp(-spend / saturation_spend)).
    marketing_max_lift: float = 0.30
    marketing_saturation_spend: float = 3000.0
    marketing_base_spend: float = 1500.0
    marketing_campaign_share: float = 0.25
    marketing_campaign_multiplier: float = 2.5
    marketing_daily_sigma: float = 0.35
    # Weather effect: 1 + category.weather_sensitivity * (weather_score - 0.5) * 2.
    weather_seasonal_amplitude: float = 0.22
    weather_daily_sigma: float = 0.14
    # Small effects of the category's current sentiment and photo quality on its sales.
    sentiment_sales_effect: float = 0.08
    photo_quality_sales_effect: float = 0.10
    # Multiplicative log-normal noise, mean preserving: the irreducible part.
    noise_sigma: float = 0.08
    # `--drift`: the last quarter's marketing spend and weather move, so drift alarms can fire.
    drift_days: int = 91
    drift_spend_multiplier: float = 1.8
    drift_weather_shift: float = 0.25
    feedback_per_scale: int = 3000
    images_per_scale: int = 240
    image_size: int = 256
    extra_region_multiplier_range: tuple[float, float] = field(default=(0.6, 1.3))


BASE_REGION_MULTIPLIERS: dict[str, float] = {
    "North": 1.00,
    "South": 0.90,
    "East": 1.15,
    "West": 1.05,
    "Central": 0.80,
}


def region_names(n_regions: int) -> list[str]:
    """Region names: the five base regions, then numbered copies ("North 2", ...) for scale."""
    names = []
    for index in range(n_regions):
        base = BASE_REGIONS[index % len(BASE_REGIONS)]
        copy = index // len(BASE_REGIONS)
        names.append(base if copy == 0 else f"{base} {copy + 1}")
    return names


def years_since_origin(world: World, days: pd.DatetimeIndex) -> np.ndarray:
    """Years elapsed since the story's origin, per day."""
    return (days - pd.Timestamp(world.origin)).days.to_numpy() / 365.25


def share_of_period(world: World, days: pd.DatetimeIndex) -> np.ndarray:
    """Position of each day in the story's period, 0 at origin and 1 at horizon_end (beyond
    1 for appended days)."""
    span = max((pd.Timestamp(world.horizon_end) - pd.Timestamp(world.origin)).days, 1)
    return (days - pd.Timestamp(world.origin)).days.to_numpy() / span


def yearly_profile(category: CategoryProfile, day_of_year: float) -> float:
    """Yearly seasonality: two harmonics peaking at the category's peak day."""
    phase = 2 * math.pi * (day_of_year - category.yearly_peak_day) / 365.25
    return 1.0 + category.yearly_amplitude * (0.8 * math.cos(phase) + 0.2 * math.cos(2 * phase))


def sentiment_level(category: CategoryProfile, years_since_start: float) -> float:
    """The category's latent customer sentiment (-1..1) at a point in time."""
    level = category.sentiment_level + category.sentiment_drift_per_year * years_since_start
    return max(-1.0, min(1.0, level))


def photo_quality_level(category: CategoryProfile, share_of_period: float) -> float:
    """The category's mean photo quality (0..1), moving linearly over the period."""
    level = category.photo_quality_start + (
        category.photo_quality_end - category.photo_quality_start
    ) * share_of_period
    return max(0.0, min(1.0, level))


def as_json_dict(world: World, regions: dict[str, float]) -> dict:
    """Everything needed to reproduce the causal story, for ``causal_parameters.json``."""
    return {
        "world": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(world).items()},
        "categories": [asdict(c) for c in CATEGORIES],
        "region_multipliers": regions,
        "formula": (
            "expected = base_daily_sales * region_multiplier * exp(annual_growth * years)"
            " * yearly_profile * weekday_multiplier * marketing_lift * weather_effect"
            " * (1 + sentiment_sales_effect * sentiment_level)"
            " * (1 + photo_quality_sales_effect * (photo_quality_level - 0.5));"
            " sales = expected * exp(N(0, noise_sigma) - noise_sigma^2 / 2)"
        ),
    }
