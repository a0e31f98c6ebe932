"""Augmented Dickey-Fuller tests of each series, on the level and after first differencing."""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.tsa.stattools import adfuller

from warehouse.forecasting.series import Series, constant_status

SIGNIFICANCE = 0.05
STATIONARITY_COLUMNS = [
    "series_id", "status", "error", "filled_days", "tested_through", "n_obs", "adf_statistic", "p_value", "lags_used",
    "critical_value_1pct", "critical_value_5pct", "critical_value_10pct", "is_stationary",
    "diff_adf_statistic", "diff_p_value", "diff_lags_used", "diff_is_stationary",
]


def adf_test(values: np.ndarray, prefix: str = "") -> dict[str, float | int | bool]:
    """ADF statistic, p-value, lags (chosen by AIC), critical values and the 5% verdict."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        statistic, p_value, lags, n_obs, critical, _ = adfuller(values, autolag="AIC")
    result = {
        f"{prefix}adf_statistic": float(statistic),
        f"{prefix}p_value": float(p_value),
        f"{prefix}lags_used": int(lags),
        f"{prefix}is_stationary": bool(p_value < SIGNIFICANCE),
    }
    if not prefix:
        result |= {
            "n_obs": int(n_obs),
            "critical_value_1pct": float(critical["1%"]),
            "critical_value_5pct": float(critical["5%"]),
            "critical_value_10pct": float(critical["10%"]),
        }
    return result


def stationarity_row(series: Series) -> dict[str, object]:
    """One row of sales_stationarity; a constant series gets its status and no statistics."""
    row: dict[str, object] = {"series_id": series.series_id, "filled_days": series.filled_days,
                              "tested_through": series.dates[-1].date() if len(series) else None}
    status = constant_status(series.sales)
    if status is not None:
        return row | {"status": status}
    try:
        return row | {"status": "ok"} | adf_test(series.sales) | adf_test(np.diff(series.sales), prefix="diff_")
    except (ValueError, np.linalg.LinAlgError) as error:
        return row | {"status": "failed", "error": f"{type(error).__name__}: {error}"}
