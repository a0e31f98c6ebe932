"""Augmented Dickey-Fuller tests of each series, on the level and after first differencing."""

from __future__ import annotations

import numpy as np
from statsmodels.tsa.adfvalues import mackinnoncrit, mackinnonp

from warehouse.forecasting.series import Series, constant_status

SIGNIFICANCE = 0.05
STATIONARITY_COLUMNS = [
    "series_id", "status", "error", "filled_days", "tested_through", "n_obs", "adf_statistic", "p_value", "lags_used",
    "critical_value_1pct", "critical_value_5pct", "critical_value_10pct", "is_stationary",
    "diff_adf_statistic", "diff_p_value", "diff_lags_used", "diff_is_stationary",
]


def default_max_lag(n_obs: int) -> int:
    """Schwert's rule, as statsmodels' ``adfuller``: ceil(12 (n / 100)^(1/4)), at most n / 2 - 2."""
    max_lag = min(n_obs // 2 - 2, int(np.ceil(12.0 * np.power(n_obs / 100.0, 1 / 4.0))))
    if max_lag < 0:
        raise ValueError(f"{n_obs} observations are too few for an ADF test")
    return max_lag


def adf_design(values: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """The ADF regression of the differences on a constant, the lagged level and ``lags``
    lagged differences: (response, design) over the days all of them exist."""
    differences = np.diff(values)
    n_obs = differences.size - lags
    columns = [np.ones(n_obs), values[lags : lags + n_obs]]
    columns += [differences[lags - lag : lags - lag + n_obs] for lag in range(1, lags + 1)]
    return differences[lags:], np.column_stack(columns)


def aic_lag(values: np.ndarray, max_lag: int) -> int:
    """The number of lagged differences with the least AIC, every candidate fitted on the same
    days (those of ``max_lag``), as ``adfuller(autolag="AIC")``.

    The candidates are nested (each adds the next lag's column), so one QR decomposition of
    the largest design gives every candidate's residual sum of squares: statsmodels fits
    max_lag + 1 separate regressions, 20x the CPU for the same choice.
    """
    response, design = adf_design(values, max_lag)
    n_obs = response.size
    q, _ = np.linalg.qr(design)
    explained = np.cumsum((q.T @ response) ** 2)
    n_columns = np.arange(2, design.shape[1] + 1)
    residual = np.maximum(response @ response - explained[1:], np.finfo(float).tiny)
    aic = n_obs * (np.log(2 * np.pi) + np.log(residual / n_obs) + 1) + 2 * n_columns
    return int(np.argmin(aic))


def adf_test(values: np.ndarray, prefix: str = "") -> dict[str, float | int | bool]:
    """ADF statistic, p-value, lags (chosen by AIC), critical values and the 5% verdict: the
    numbers of statsmodels' ``adfuller(values, autolag="AIC")`` (a constant, no trend), with
    its MacKinnon p-values and critical values."""
    if np.ptp(values) == 0:
        raise ValueError("Invalid input, x is constant")
    lags = aic_lag(values, default_max_lag(values.size))
    response, design = adf_design(values, lags)
    coef, _, rank, _ = np.linalg.lstsq(design, response, rcond=None)
    n_obs = response.size
    residual = response - design @ coef
    variance = residual @ residual / (n_obs - rank)
    statistic = float(coef[1] / np.sqrt(variance * np.linalg.pinv(design.T @ design)[1, 1]))
    p_value = float(mackinnonp(statistic, regression="c", N=1))
    result = {
        f"{prefix}adf_statistic": statistic,
        f"{prefix}p_value": p_value,
        f"{prefix}lags_used": lags,
        f"{prefix}is_stationary": bool(p_value < SIGNIFICANCE),
    }
    if not prefix:
        critical = mackinnoncrit(N=1, regression="c", nobs=n_obs)
        result |= {
            "n_obs": int(n_obs),
            "critical_value_1pct": float(critical[0]),
            "critical_value_5pct": float(critical[1]),
            "critical_value_10pct": float(critical[2]),
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
