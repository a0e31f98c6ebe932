"""Forecasting for every sales series: stationarity, decomposition, backtests and forecasts.

Small pure functions live in the submodules; :mod:`warehouse.forecasting.pipeline` runs them
over all series (in parallel) and shapes the marts the dbt Python models return.
"""

from warehouse.forecasting.series import Drivers, Series, series_from_frame
from warehouse.forecasting.metrics import coverage, mae, mape, mase, rmse

__all__ = ["Drivers", "Series", "series_from_frame", "coverage", "mae", "mape", "mase", "rmse"]
