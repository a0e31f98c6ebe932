"""Additive decomposition of each series into trend, seasonal parts and remainder.

MSTL (STL iterated over the weekly and the yearly period) where the series holds at least
two full years; with less, a yearly cycle cannot be told from the trend, so STL with the
weekly period only, and a logged warning.

The yearly STL's trend (609 days) and low-pass (367 days) smoothers evaluate their loess at
every ceil(window / 10)-th day and interpolate between, as R's ``stl`` does by default
(statsmodels' default is every day). That cuts the CPU of a three-year series 15x; on the
scale-1 series trend, seasonal parts and remainder move by at most 0.3% of the series'
standard deviation. The weekly STL keeps every day: its windows are short, so jumping saves
little there and moved the weekly part by up to 2.4%.
"""

from __future__ import annotations

import logging
import math
import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.seasonal import STL, DecomposeResult

from warehouse.forecasting.series import TWO_YEARS_DAYS, WEEKLY_LAG_DAYS, Series, constant_status

log = logging.getLogger(__name__)

YEARLY_PERIOD = 365
SEASONAL_WINDOWS = {WEEKLY_LAG_DAYS: 11, YEARLY_PERIOD: 15}  # statsmodels MSTL's defaults, 7 + 4 i
MSTL_ITERATIONS = 2  # statsmodels MSTL's default


def fit_stl(values: np.ndarray, period: int) -> DecomposeResult:
    """STL of ``values`` with ``period``'s seasonal window; for the yearly period, R's default
    jumps, ceil(window / 10), in the trend and low-pass smoothers (see the module docstring)."""
    window = SEASONAL_WINDOWS[period]
    defaults = STL(values, period=period, seasonal=window)
    if period < YEARLY_PERIOD:
        return defaults.fit()
    jumps = {f"{part}_jump": math.ceil(defaults.config[part] / 10) for part in ("trend", "low_pass")}
    return STL(values, period=period, seasonal=window, **jumps).fit()


def mstl(observed: np.ndarray, periods: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(trend, seasonal parts one column per period, remainder): statsmodels' MSTL loop, which
    takes one set of STL settings for all periods, with each period's own smoother jumps."""
    seasonal = np.zeros((len(periods), len(observed)))
    deseasonalised = observed
    for _ in range(MSTL_ITERATIONS):
        for i, period in enumerate(periods):
            deseasonalised = deseasonalised + seasonal[i]
            result = fit_stl(deseasonalised, period)
            seasonal[i] = result.seasonal
            deseasonalised = deseasonalised - seasonal[i]
    trend = np.asarray(result.trend)
    return trend, seasonal.T, deseasonalised - trend


def decompose(series: Series) -> pd.DataFrame:
    """Rows of sales_decomposition for one series: observed = trend + seasonal + resid."""
    observed = series.sales.astype(float)
    frame = pd.DataFrame({"series_id": series.series_id, "date": series.dates, "observed": observed})
    status = constant_status(observed)
    if status is not None or len(observed) < 2 * WEEKLY_LAG_DAYS:
        zeros = np.zeros(len(observed))
        return frame.assign(period=None, method=status or "too_short", trend=observed, seasonal=zeros,
                            seasonal_weekly=zeros, seasonal_yearly=np.nan, resid=zeros)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if len(observed) >= TWO_YEARS_DAYS:
            trend, seasonals, resid = mstl(observed, (WEEKLY_LAG_DAYS, YEARLY_PERIOD))
            weekly, yearly = seasonals[:, 0], seasonals[:, 1]
            period, method = YEARLY_PERIOD, "MSTL"
        else:
            log.warning("%s has %d days, less than two years: weekly decomposition only", series.series_id, len(observed))
            result = STL(observed, period=WEEKLY_LAG_DAYS).fit()
            trend, resid = np.asarray(result.trend), np.asarray(result.resid)
            weekly, yearly = np.asarray(result.seasonal), np.full(len(observed), np.nan)
            period, method = WEEKLY_LAG_DAYS, "STL"
    seasonal = weekly + np.nan_to_num(yearly)
    return frame.assign(period=period, method=method, trend=trend, seasonal=seasonal,
                        seasonal_weekly=weekly, seasonal_yearly=yearly, resid=resid)
