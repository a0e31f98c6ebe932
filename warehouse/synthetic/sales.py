"""Daily sales per category and region, with their drivers and the noise-free truth."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from warehouse.synthetic.world import (
    CATEGORIES,
    World,
    photo_quality_level,
    sentiment_level,
    share_of_period,
    yearly_profile,
    years_since_origin,
)


def campaign_days(rng: np.random.Generator, n_days: int, world: World) -> np.ndarray:
    """Boolean mask of the days a marketing campaign runs (bursts of 7 to 14 days)."""
    mean_length = 10.5
    start_probability = world.marketing_campaign_share / mean_length
    active = np.zeros(n_days, dtype=bool)
    for start in np.flatnonzero(rng.random(n_days) < start_probability):
        active[start : start + int(rng.integers(7, 15))] = True
    return active


def marketing_spend(rng: np.random.Generator, n_days: int, world: World) -> np.ndarray:
    """Daily spend for one series: a base budget, campaign bursts and day-to-day variation."""
    level = np.where(campaign_days(rng, n_days, world), world.marketing_campaign_multiplier, 1.0)
    daily = rng.lognormal(0.0, world.marketing_daily_sigma, n_days)
    return np.round(world.marketing_base_spend * level * daily, 2)


def weather_scores(
    rng: np.random.Generator, day_of_year: np.ndarray, climate_offset: float, world: World
) -> np.ndarray:
    """A 0..1 weather score per day: warm summers, cold winters, daily noise."""
    seasonal = world.weather_seasonal_amplitude * np.cos(2 * np.pi * (day_of_year - 196) / 365.25)
    noise = rng.normal(0.0, world.weather_daily_sigma, day_of_year.size)
    return np.round(np.clip(0.5 + climate_offset + seasonal + noise, 0.0, 1.0), 3)


def marketing_lift(spend: np.ndarray, world: World) -> np.ndarray:
    """Diminishing returns: each extra unit of spend lifts sales less than the one before."""
    return 1.0 + world.marketing_max_lift * (1.0 - np.exp(-spend / world.marketing_saturation_spend))


def apply_drift(spend: np.ndarray, weather: np.ndarray, world: World) -> tuple[np.ndarray, np.ndarray]:
    """Shift the last ``drift_days`` of spend and weather; sales then follow the new drivers."""
    spend, weather = spend.copy(), weather.copy()
    spend[-world.drift_days :] = np.round(spend[-world.drift_days :] * world.drift_spend_multiplier, 2)
    weather[-world.drift_days :] = np.round(np.clip(weather[-world.drift_days :] + world.drift_weather_shift, 0, 1), 3)
    return spend, weather


def region_climate(region: str, seed: int) -> float:
    """A region's weather offset, stable for a seed so appended days keep the same climate."""
    return float(np.random.default_rng([seed, zlib.crc32(region.encode())]).uniform(-0.08, 0.08))


def generate_sales(
    rng: np.random.Generator, world: World, regions: dict[str, float], seed: int, drift: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (sales rows as the raw seed has them, expected sales truth) for world.start..end."""
    dates = pd.date_range(world.start, world.end, freq="D")
    n_days = dates.size
    years = years_since_origin(world, dates)
    period_share = share_of_period(world, dates)
    day_of_year = dates.day_of_year.to_numpy().astype(float)
    weekday = np.asarray(world.weekday_multipliers)[dates.day_of_week]
    climate = {name: region_climate(name, seed) for name in regions}

    frames = []
    for category in CATEGORIES:
        seasonal = np.array([yearly_profile(category, d) for d in day_of_year])
        sentiment = np.array([sentiment_level(category, y) for y in years])
        photo = np.array([photo_quality_level(category, s) for s in period_share])
        category_level = (
            category.base_daily_sales
            * np.exp(category.annual_growth * years)
            * seasonal
            * weekday
            * (1 + world.sentiment_sales_effect * sentiment)
            * (1 + world.photo_quality_sales_effect * (photo - 0.5))
        )
        for region, multiplier in regions.items():
            spend = marketing_spend(rng, n_days, world)
            weather = weather_scores(rng, day_of_year, climate[region], world)
            if drift:
                spend, weather = apply_drift(spend, weather, world)
            weather_effect = 1 + category.weather_sensitivity * (weather - 0.5) * 2
            expected = category_level * multiplier * marketing_lift(spend, world) * weather_effect
            noise = rng.normal(0.0, world.noise_sigma, n_days) - world.noise_sigma**2 / 2
            frames.append(
                pd.DataFrame(
                    {
                        "date": dates.strftime("%Y-%m-%d"),
                        "sales_amount": np.round(expected * np.exp(noise), 2),
                        "product_category": category.name,
                        "region": region,
                        "marketing_spend": spend,
                        "weather_score": weather,
                        "expected_sales": np.round(expected, 4),
                    }
                )
            )
    everything = pd.concat(frames, ignore_index=True)
    everything = everything.sort_values(["date", "product_category", "region"], kind="stable")
    everything = everything.reset_index(drop=True)
    sales = everything.drop(columns="expected_sales")
    truth = everything[["date", "product_category", "region", "expected_sales"]]
    return sales, truth
