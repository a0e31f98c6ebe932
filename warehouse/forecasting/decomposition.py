"""Additive decomposition of each series into trend, seasonal parts and remainder.

MSTL (STL iterated over the weekly and the yearly period) where the series holds at least
two full years; with less, a yearly cycle cannot be told from the trend, so STL with the
weekly period only, and a logged warning.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.seasonal import MSTL, STL

from warehouse.forecasting.series import TWO_YEARS_DAYS, WEEKLY_LAG_DAYS, Series, constant_status

log = logging.getLogger(__name__)

YEARLY_PERIOD = 365


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
            result = MSTL(observed, periods=(WEEKLY_LAG_DAYS, YEARLY_PERIOD)).fit()
            weekly, yearly = result.seasonal[:, 0], result.seasonal[:, 1]
            period, method = YEARLY_PERIOD, "MSTL"
        else:
            log.warning("%s has %d days, less than two years: weekly decomposition only", series.series_id, len(observed))
            result = STL(observed, period=WEEKLY_LAG_DAYS).fit()
            weekly, yearly = np.asarray(result.seasonal), np.full(len(observed), np.nan)
            period, method = WEEKLY_LAG_DAYS, "STL"
    seasonal = weekly + np.nan_to_num(yearly)
    return frame.assign(period=period, method=method, trend=np.asarray(result.trend), seasonal=seasonal,
                        seasonal_weekly=weekly, seasonal_yearly=yearly, resid=np.asarray(result.resid))
