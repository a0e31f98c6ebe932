"""Accuracy metrics of a forecast against actuals.

MASE (mean absolute scaled error) is the test MAE divided by the in-sample MAE of the
seasonal naive forecast on the training window (``y[t] - y[t - lag]``, lag 364 days, or 7
where the training window is shorter than 364 days). Below 1, the model beats the error that
repeating last season made in-sample; it is comparable across series of any size.
"""

from __future__ import annotations

import numpy as np

# The shared point metrics, re-exported so forecasting code reads them from one place.
from warehouse.metrics import coverage, mae, mape, rmse

__all__ = ["coverage", "mae", "mape", "mase", "rmse", "seasonal_naive_scale"]


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
