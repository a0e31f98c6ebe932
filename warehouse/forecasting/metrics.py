"""Accuracy metrics of a forecast against actuals.

MASE (mean absolute scaled error) is the test MAE divided by the in-sample MAE of the
seasonal naive forecast on the training window (``y[t] - y[t - lag]``, lag 364 days, or 7
where the training window is shorter than 364 days). Below 1, the model beats the error that
repeating last season made in-sample; it is comparable across series of any size.
"""

from __future__ import annotations

import numpy as np


def mae(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(forecast))))


def rmse(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Root mean squared error."""
    return float(np.sqrt(np.mean((np.asarray(actual) - np.asarray(forecast)) ** 2)))


def mape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute percentage error in percent, over the days with non-zero actuals (nan if none)."""
    actual, forecast = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    nonzero = actual != 0
    if not nonzero.any():
        return float("nan")
    return float(100 * np.mean(np.abs((actual[nonzero] - forecast[nonzero]) / actual[nonzero])))


def seasonal_naive_scale(train: np.ndarray, lag: int) -> float:
    """In-sample MAE of the seasonal naive forecast: the denominator of MASE."""
    train = np.asarray(train, dtype=float)
    if train.size <= lag:
        return float("nan")
    return float(np.mean(np.abs(train[lag:] - train[:-lag])))


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, lag: int) -> float:
    """Mean absolute scaled error (see the module docstring); nan when the scale is 0 or unknown."""
    scale = seasonal_naive_scale(train, lag)
    if not np.isfinite(scale) or scale == 0:
        return float("nan")
    return mae(actual, forecast) / scale


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of days whose actual lies inside [lower, upper]."""
    actual = np.asarray(actual)
    return float(np.mean((actual >= np.asarray(lower)) & (actual <= np.asarray(upper))))
