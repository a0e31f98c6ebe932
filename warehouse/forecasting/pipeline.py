"""Backtest and future forecasts of every model for every series, and their metrics.

``forecast_series`` is a pure function of one series (one partition), so any engine that
maps over partitions (a process pool here, Spark or Ray elsewhere) can run it. The only step
across series is ``bottom_up``: the project's model forecasts a total or a category as the
sum of its category x region forecasts, so the forecasts add up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from warehouse.forecasting import metrics
from warehouse.forecasting.features import assume_future_drivers
from warehouse.forecasting.models import (
    Z_95,
    ModelForecast,
    arima_212,
    flat_forecast,
    sarimax_fourier,
    seasonal_lag,
    seasonal_naive,
)
from warehouse.forecasting.parallel import map_parallel
from warehouse.forecasting.series import (
    TWO_YEARS_DAYS,
    YEARLY_LAG_DAYS,
    Drivers,
    Series,
    backtest_start,
    constant_status,
    is_component_of,
    series_level,
)

log = logging.getLogger(__name__)

SEASONAL_NAIVE = "seasonal_naive"
ARIMA_212 = "arima_212"
SARIMAX_DIRECT = "sarimax_fourier_direct"
PROJECT_MODEL = "sarimax_fourier"
MODEL_NAMES = (SEASONAL_NAIVE, ARIMA_212, SARIMAX_DIRECT, PROJECT_MODEL)
KINDS = ("backtest", "future")

ModelFunction = Callable[[Series, Drivers], ModelForecast]
PER_SERIES_MODELS: dict[str, ModelFunction] = {
    SEASONAL_NAIVE: seasonal_naive,
    ARIMA_212: arima_212,
    SARIMAX_DIRECT: sarimax_fourier,
}

FORECAST_COLUMNS = [
    "series_id", "model", "kind", "date", "actual", "forecast", "lower_95", "upper_95",
    "forecast_std", "status", "error", "fit_seconds", "model_spec",
]


@dataclass
class SeriesForecasts:
    """Forecast rows of one series, and the in-sample residuals bottom-up needs."""

    rows: pd.DataFrame
    residuals: dict[str, pd.Series] = field(default_factory=dict)


def fallback_status(model: str, n_history: int) -> str:
    """'weekly_fallback' when the history is too short for the model's yearly part, else 'ok'."""
    if model == SEASONAL_NAIVE and n_history < YEARLY_LAG_DAYS:
        return "weekly_fallback"
    if model == SARIMAX_DIRECT and n_history < TWO_YEARS_DAYS:
        return "weekly_fallback"
    return "ok"


def run_model(
    model: str, function: ModelFunction, history: Series, target: Drivers
) -> tuple[ModelForecast | None, str, str | None, float]:
    """Fit one model and forecast; a failure is returned as status 'failed' with its error."""
    started = time.perf_counter()
    status = constant_status(history.sales)
    try:
        if status is not None:
            forecast = flat_forecast(float(history.sales[-1]), len(target), f"flat ({status})")
        else:
            forecast = function(history, target)
            status = fallback_status(model, len(history))
            if not np.all(np.isfinite(forecast.mean)):
                raise FloatingPointError("forecast holds non-finite values")
        return forecast, status, None, time.perf_counter() - started
    except Exception as error:  # noqa: BLE001 - one series' failure must not stop the others
        log.warning("%s failed on %s: %s", model, history.series_id, error)
        return None, "failed", f"{type(error).__name__}: {error}", time.perf_counter() - started


def forecast_rows(
    series_id: str, model: str, kind: str, target: Drivers, actual: np.ndarray,
    forecast: ModelForecast | None, status: str, error: str | None, seconds: float,
) -> pd.DataFrame:
    """Rows of sales_forecast for one series, model and kind (null forecast when the fit failed)."""
    missing = np.full(len(target), np.nan)
    return pd.DataFrame({
        "series_id": series_id, "model": model, "kind": kind, "date": target.dates,
        "actual": actual,
        "forecast": missing if forecast is None else forecast.mean,
        "lower_95": missing if forecast is None else forecast.lower,
        "upper_95": missing if forecast is None else forecast.upper,
        "forecast_std": missing if forecast is None else forecast.std,
        "status": status, "error": error, "fit_seconds": seconds,
        "model_spec": None if forecast is None else forecast.spec,
    })


def forecast_series(series: Series, test_start: pd.Timestamp, horizon: int) -> SeriesForecasts:
    """Backtest (train before ``test_start``, forecast the rest) and ``horizon`` future days, every model."""
    n_train = int(np.searchsorted(series.dates, test_start))
    windows = {
        "backtest": (series.head(n_train), series.drivers.slice(n_train), series.sales[n_train:]),
        "future": (series, assume_future_drivers(series.drivers, horizon), np.full(horizon, np.nan)),
    }
    frames, residuals = [], {}
    for kind, (history, target, actual) in windows.items():
        for model, function in PER_SERIES_MODELS.items():
            forecast, status, error, seconds = run_model(model, function, history, target)
            frames.append(forecast_rows(series.series_id, model, kind, target, actual, forecast, status, error, seconds))
            if model == SARIMAX_DIRECT and forecast is not None and forecast.residuals is not None:
                residuals[kind] = forecast.residuals
    return SeriesForecasts(pd.concat(frames, ignore_index=True), residuals)


def bottom_up(aggregate: pd.DataFrame, components: pd.DataFrame, residuals: pd.DataFrame) -> pd.DataFrame:
    """The project's model for a total or category: the sum of its components' direct forecasts.

    ``aggregate`` holds the aggregate's own direct rows (dates and actuals) for one kind,
    ``components`` the components' direct rows for that kind, ``residuals`` their in-sample
    residuals (one column each). The variance of the sum uses the residual correlation of the
    components, so a shared shock widens the interval.
    """
    started = time.perf_counter()
    rows = aggregate[["series_id", "kind", "date", "actual"]].reset_index(drop=True).assign(model=PROJECT_MODEL)
    failed = components.loc[components["status"] == "failed", "series_id"].unique()
    leaf_ids = sorted(components["series_id"].unique())
    if len(failed) or not leaf_ids:
        reason = f"component failed: {', '.join(failed)}" if len(failed) else "no category x region components"
        return rows.assign(forecast=np.nan, lower_95=np.nan, upper_95=np.nan, forecast_std=np.nan,
                           status="failed", error=reason, fit_seconds=0.0, model_spec=None)[FORECAST_COLUMNS]
    mean = components.pivot(index="date", columns="series_id", values="forecast").reindex(rows["date"])
    std = components.pivot(index="date", columns="series_id", values="forecast_std").reindex(rows["date"])
    correlation = residuals.reindex(columns=leaf_ids).corr().fillna(0.0).to_numpy(copy=True)
    np.fill_diagonal(correlation, 1.0)
    spread = std[leaf_ids].to_numpy()
    total_std = np.sqrt(np.einsum("di,ij,dj->d", spread, correlation, spread))
    total_mean = mean[leaf_ids].to_numpy().sum(axis=1)
    return rows.assign(
        forecast=total_mean, lower_95=total_mean - Z_95 * total_std, upper_95=total_mean + Z_95 * total_std,
        forecast_std=total_std, status="ok", error=None, fit_seconds=time.perf_counter() - started,
        model_spec=f"sum of {len(leaf_ids)} category x region {SARIMAX_DIRECT} forecasts",
    )[FORECAST_COLUMNS]


def reconcile(results: list[SeriesForecasts]) -> pd.DataFrame:
    """Rows of the project's model for every series: its own direct fit for a category x
    region series, the bottom-up sum for a total or category."""
    direct = pd.concat([r.rows[r.rows["model"] == SARIMAX_DIRECT] for r in results], ignore_index=True)
    series_ids = sorted(direct["series_id"].unique())
    leaves = [s for s in series_ids if series_level(s) == "category_region"]
    frames = []
    for kind in KINDS:
        kind_rows = direct[direct["kind"] == kind]
        residuals = pd.DataFrame({r.rows["series_id"].iat[0]: r.residuals[kind] for r in results if kind in r.residuals})
        for series_id in series_ids:
            own = kind_rows[kind_rows["series_id"] == series_id]
            if series_level(series_id) == "category_region":
                frames.append(own.assign(model=PROJECT_MODEL))
                continue
            parts = [leaf for leaf in leaves if is_component_of(leaf, series_id)]
            components = kind_rows[kind_rows["series_id"].isin(parts)]
            frames.append(bottom_up(own, components, residuals.reindex(columns=parts)))
    return pd.concat(frames, ignore_index=True)


def forecast_all(series: list[Series], horizon: int, train_share: float = 0.8, workers: int | None = None) -> pd.DataFrame:
    """sales_forecast rows of every model for every series (backtest and future)."""
    test_start = backtest_start(pd.DatetimeIndex(np.concatenate([s.dates.to_numpy() for s in series])), train_share)
    log.info("Forecasting %d series: backtest from %s, %d future days", len(series), test_start.date(), horizon)
    started = time.perf_counter()
    results = map_parallel(partial(forecast_series, test_start=test_start, horizon=horizon), series, workers)
    frame = pd.concat([*(r.rows for r in results), reconcile(results)], ignore_index=True)
    log.info("Forecast %d series in %.1f s", len(series), time.perf_counter() - started)
    return frame[FORECAST_COLUMNS].sort_values(["series_id", "model", "kind", "date"], ignore_index=True)


def series_metrics(rows: pd.DataFrame, train: np.ndarray) -> dict[str, float | int]:
    """Backtest accuracy of one series and model (nan when the forecast is missing)."""
    actual, forecast = rows["actual"].to_numpy(), rows["forecast"].to_numpy()
    known = np.isfinite(forecast)
    if not known.all() or len(rows) == 0:
        nan = float("nan")
        return {"mae": nan, "rmse": nan, "mape": nan, "mase": nan, "coverage_95": nan, "n_test": len(rows)}
    lag = seasonal_lag(len(train))
    return {
        "mae": metrics.mae(actual, forecast),
        "rmse": metrics.rmse(actual, forecast),
        "mape": metrics.mape(actual, forecast),
        "mase": metrics.mase(actual, forecast, train, lag),
        "coverage_95": metrics.coverage(actual, rows["lower_95"].to_numpy(), rows["upper_95"].to_numpy()),
        "n_test": len(rows),
    }


def combined_status(backtest: pd.DataFrame, future: pd.DataFrame) -> tuple[str, str | None]:
    """The worse of the two runs' statuses, with its error."""
    for rows in (backtest, future):
        if len(rows) and rows["status"].iat[0] == "failed":
            return "failed", f"{rows['kind'].iat[0]}: {rows['error'].iat[0]}"
    for rows in (backtest, future):
        if len(rows):
            return str(rows["status"].iat[0]), None
    return "failed", "no forecast rows"


def metrics_table(forecasts: pd.DataFrame, series: list[Series]) -> pd.DataFrame:
    """forecast_metrics: one row per series and model, with fit times, status and error."""
    by_id = {s.series_id: s for s in series}
    test_start = forecasts.loc[forecasts["kind"] == "backtest", "date"].min()
    records = []
    for (series_id, model), rows in forecasts.groupby(["series_id", "model"], sort=True):
        backtest, future = rows[rows["kind"] == "backtest"], rows[rows["kind"] == "future"]
        history = by_id[series_id]
        train = history.sales[: int(np.searchsorted(history.dates, test_start))]
        status, error = combined_status(backtest, future)
        records.append({
            "series_id": series_id, "series_level": series_level(series_id), "model": model,
            **series_metrics(backtest, train),
            "n_train": len(train),
            "fit_seconds_backtest": float(backtest["fit_seconds"].iat[0]) if len(backtest) else float("nan"),
            "fit_seconds_future": float(future["fit_seconds"].iat[0]) if len(future) else float("nan"),
            "status": status, "error": error,
            "model_spec": future["model_spec"].iat[0] if len(future) else None,
            "filled_days": history.filled_days,
        })
    return pd.DataFrame.from_records(records)
