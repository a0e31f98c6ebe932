"""Point-forecast and regression error metrics shared by every model in the project."""

from __future__ import annotations

import numpy as np


def mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(predicted))))


def rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Root mean squared error."""
    return float(np.sqrt(np.mean((np.asarray(actual) - np.asarray(predicted)) ** 2)))


def mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute percentage error in percent, over the rows whose actual is not zero."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    nonzero = actual != 0
    if not nonzero.any():
        return float("nan")
    return float(100 * np.mean(np.abs((actual[nonzero] - predicted[nonzero]) / actual[nonzero])))


def r2(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Coefficient of determination (1 is perfect, 0 is the mean's skill)."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    total = np.sum((actual - actual.mean()) ** 2)
    if total == 0:
        return float("nan")
    return float(1 - np.sum((actual - predicted) ** 2) / total)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals inside [lower, upper]."""
    actual = np.asarray(actual)
    return float(np.mean((actual >= np.asarray(lower)) & (actual <= np.asarray(upper))))
