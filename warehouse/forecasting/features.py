"""Regressors of the project's model: trend, yearly Fourier terms, weekdays and drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from warehouse.forecasting.series import DAYS_PER_YEAR, Drivers

ORIGIN = pd.Timestamp("2000-01-01")  # fixed, so training, test and future share one phase


def day_number(dates: pd.DatetimeIndex) -> np.ndarray:
    """Days since a fixed origin, as floats."""
    return np.asarray((dates - ORIGIN).days, dtype=float)


def fourier_terms(dates: pd.DatetimeIndex, harmonics: int, period: float = DAYS_PER_YEAR) -> np.ndarray:
    """sin/cos pairs of the first ``harmonics`` harmonics of ``period`` days, one column each."""
    phase = 2 * np.pi * day_number(dates) / period
    columns = [wave(k * phase) for k in range(1, harmonics + 1) for wave in (np.sin, np.cos)]
    return np.column_stack(columns) if columns else np.empty((len(dates), 0))


def weekday_dummies(dates: pd.DatetimeIndex) -> np.ndarray:
    """One indicator column per weekday Tuesday..Sunday (Monday is the baseline): the weekly cycle."""
    return (np.asarray(dates.day_of_week)[:, None] == np.arange(1, 7)).astype(float)


def saturating_spend(spend: np.ndarray, saturation: float) -> np.ndarray:
    """1 - exp(-spend / saturation): diminishing returns of marketing, 0 at no spend, 1 at saturation."""
    return 1.0 - np.exp(-np.asarray(spend, dtype=float) / saturation)


def design_columns(drivers: Drivers, harmonics: int, spend_saturation: float | None) -> list[str]:
    """Names of the columns of ``design_array``, in its order."""
    fourier = [f"{wave}_{k}" for k in range(1, harmonics + 1) for wave in ("sin", "cos")]
    names = ["const", "trend_years", *fourier, *(f"weekday_{d}" for d in range(1, 7))]
    if spend_saturation is not None and drivers.marketing_spend is not None:
        names.append("marketing_saturation")
    if drivers.weather_score is not None:
        names.append("weather_score")
    return names


def design_array(
    drivers: Drivers, origin: pd.Timestamp, harmonics: int, spend_saturation: float | None
) -> np.ndarray:
    """``design_matrix`` as a bare array: the model builds it a dozen times per series, and
    pandas frames cost more than the least squares fitted to them."""
    dates = drivers.dates
    columns = [
        np.ones((len(dates), 1)),
        (np.asarray((dates - origin).days, dtype=float) / DAYS_PER_YEAR)[:, None],
        fourier_terms(dates, harmonics),
        weekday_dummies(dates),
    ]
    if spend_saturation is not None and drivers.marketing_spend is not None:
        columns.append(saturating_spend(drivers.marketing_spend, spend_saturation)[:, None])
    if drivers.weather_score is not None:
        columns.append(np.asarray(drivers.weather_score, dtype=float)[:, None])
    return np.hstack(columns)


def design_matrix(
    drivers: Drivers, origin: pd.Timestamp, harmonics: int, spend_saturation: float | None
) -> pd.DataFrame:
    """Intercept, linear trend (years since ``origin``), Fourier terms, weekdays and drivers."""
    return pd.DataFrame(
        design_array(drivers, origin, harmonics, spend_saturation),
        index=drivers.dates,
        columns=design_columns(drivers, harmonics, spend_saturation),
    )


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
    fit_x = np.column_stack([np.ones(len(dates)), fourier_terms(dates, harmonics)])
    coef, *_ = np.linalg.lstsq(fit_x, np.asarray(values, dtype=float), rcond=None)
    target_x = np.column_stack([np.ones(len(target)), fourier_terms(target, harmonics)])
    return target_x @ coef
