"""Regressors of the project's model: trend, yearly Fourier terms, weekdays and drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from warehouse.forecasting.series import DAYS_PER_YEAR, Drivers

ORIGIN = pd.Timestamp("2000-01-01")  # fixed, so training, test and future share one phase


def day_number(dates: pd.DatetimeIndex) -> np.ndarray:
    """Days since a fixed origin, as floats."""
    return np.asarray((dates - ORIGIN).days, dtype=float)


def fourier_terms(dates: pd.DatetimeIndex, harmonics: int, period: float = DAYS_PER_YEAR) -> pd.DataFrame:
    """sin/cos pairs of the first ``harmonics`` harmonics of ``period`` days."""
    phase = 2 * np.pi * day_number(dates) / period
    columns = {}
    for k in range(1, harmonics + 1):
        columns[f"sin_{k}"] = np.sin(k * phase)
        columns[f"cos_{k}"] = np.cos(k * phase)
    return pd.DataFrame(columns, index=dates)


def weekday_dummies(dates: pd.DatetimeIndex) -> pd.DataFrame:
    """One indicator per weekday Tuesday..Sunday (Monday is the baseline): the weekly cycle."""
    weekday = np.asarray(dates.day_of_week)
    return pd.DataFrame({f"weekday_{d}": (weekday == d).astype(float) for d in range(1, 7)}, index=dates)


def saturating_spend(spend: np.ndarray, saturation: float) -> np.ndarray:
    """1 - exp(-spend / saturation): diminishing returns of marketing, 0 at no spend, 1 at saturation."""
    return 1.0 - np.exp(-np.asarray(spend, dtype=float) / saturation)


def design_matrix(
    drivers: Drivers, origin: pd.Timestamp, harmonics: int, spend_saturation: float | None
) -> pd.DataFrame:
    """Intercept, linear trend (years since ``origin``), Fourier terms, weekdays and drivers."""
    dates = drivers.dates
    parts = [
        pd.DataFrame(
            {"const": 1.0, "trend_years": np.asarray((dates - origin).days, dtype=float) / DAYS_PER_YEAR},
            index=dates,
        ),
        fourier_terms(dates, harmonics),
        weekday_dummies(dates),
    ]
    exogenous = {}
    if spend_saturation is not None and drivers.marketing_spend is not None:
        exogenous["marketing_saturation"] = saturating_spend(drivers.marketing_spend, spend_saturation)
    if drivers.weather_score is not None:
        exogenous["weather_score"] = np.asarray(drivers.weather_score, dtype=float)
    parts.append(pd.DataFrame(exogenous, index=dates))
    return pd.concat(parts, axis=1)


def future_dates(last_date: pd.Timestamp, horizon: int) -> pd.DatetimeIndex:
    """The ``horizon`` days after ``last_date``."""
    return pd.date_range(last_date + pd.Timedelta(days=1), periods=horizon, freq="D")


def assume_future_drivers(history: Drivers, horizon: int) -> Drivers:
    """Drivers for days nobody has observed yet; the assumption is stated here and in the docs.

    Marketing spend: the mean daily spend of the last 365 days (the budget carries on).
    Weather: the seasonal climatology, a two-harmonic yearly curve fitted to past weather.
    """
    dates = future_dates(history.dates[-1], horizon)
    spend = None
    if history.marketing_spend is not None:
        spend = np.full(horizon, float(np.mean(history.marketing_spend[-365:])))
    weather = None
    if history.weather_score is not None:
        weather = climatology(history.dates, history.weather_score, dates)
    return Drivers(dates, spend, weather)


def climatology(dates: pd.DatetimeIndex, values: np.ndarray, target: pd.DatetimeIndex) -> np.ndarray:
    """Least-squares yearly curve (mean plus two harmonics) of ``values``, read at ``target``."""
    harmonics = 2 if len(dates) >= DAYS_PER_YEAR else 0
    fit_x = np.column_stack([np.ones(len(dates)), fourier_terms(dates, harmonics).to_numpy()])
    coef, *_ = np.linalg.lstsq(fit_x, np.asarray(values, dtype=float), rcond=None)
    target_x = np.column_stack([np.ones(len(target)), fourier_terms(target, harmonics).to_numpy()])
    return target_x @ coef
