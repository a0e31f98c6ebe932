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
    StartParams,
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
# The ARIMA(2,1,2) reference is fitted on at most this many category x region series (dbt var
# forecast_reference_max_leaves); scale 10 has 250, scale 100 2,500.
REFERENCE_MAX_LEAVES = 250

ModelFunction = Callable[..., ModelForecast]
"""``function(history, target)`` or, to warm-start from an earlier fit, ``function(history, target, start)``."""
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
    model: str, function: ModelFunction, history: Series, target: Drivers, start: StartParams | None = None
) -> tuple[ModelForecast | None, str, str | None, float]:
    """Fit one model (from ``start`` if given) and forecast; a failure is returned as status
    'failed' with its error."""
    started = time.perf_counter()
    status = constant_status(history.sales)
    try:
        if status is not None:
            forecast = flat_forecast(float(history.sales[-1]), len(target), f"flat ({status})")
        else:
            forecast = function(history, target) if start is None else function(history, target, start)
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


def reference_series(series_ids: list[str], max_leaves: int) -> frozenset[str]:
    """The series the reference ARIMA(2,1,2) is fitted on: every total and category, and the
    category x region series up to ``max_leaves``; beyond that ``max_leaves`` of them, evenly
    spaced in id order (the reference is a yardstick, and at 2,500 series it would cost more
    than the project's model)."""
    leaves = sorted(s for s in series_ids if series_level(s) == "category_region")
    if len(leaves) > max_leaves:
        leaves = [leaves[i] for i in np.unique(np.linspace(0, len(leaves) - 1, max_leaves).round().astype(int))]
        log.info("%s on every total and category and %d sampled category x region series", ARIMA_212, len(leaves))
    return frozenset(leaves) | {s for s in series_ids if series_level(s) != "category_region"}


def forecast_series(
    series: Series, test_start: pd.Timestamp, horizon: int, reference: frozenset[str] | None = None
) -> SeriesForecasts:
    """Backtest (train before ``test_start``, forecast the rest) and ``horizon`` future days of
    every model. The ARIMA(2,1,2) reference is a yardstick of backtest accuracy: it gets the
    backtest only (two thirds of a series' fitting time went to its two fits), and only on the
    series in ``reference`` (None: all)."""
    n_train = int(np.searchsorted(series.dates, test_start))
    windows = {
        "backtest": (series.head(n_train), series.drivers.slice(n_train), series.sales[n_train:]),
        "future": (series, assume_future_drivers(series.drivers, horizon), np.full(horizon, np.nan)),
    }
    frames, residuals, backtests = [], {}, {}
    for kind, (history, target, actual) in windows.items():
        for model, function in PER_SERIES_MODELS.items():
            if model == ARIMA_212 and (kind == "future" or (reference is not None and series.series_id not in reference)):
                continue
            # The future fit starts from the backtest fit's parameters (see the models' docstrings).
            start = backtests[model].params if backtests.get(model) is not None else None
            forecast, status, error, seconds = run_model(model, function, history, target, start)
            frames.append(forecast_rows(series.series_id, model, kind, target, actual, forecast, status, error, seconds))
            backtests.setdefault(model, forecast)
            if model == SARIMAX_DIRECT and forecast is not None and forecast.residuals is not None:
                residuals[kind] = forecast.residuals
    return SeriesForecasts(pd.concat(frames, ignore_index=True), residuals)


def residual_correlation(residuals: pd.DataFrame) -> np.ndarray:
    """Correlation of the residual columns: 0 where undefined (a constant column), 1 on the diagonal.

    numpy's where no value is missing: pandas' pairwise-complete loop took 10 s for the total
    of 2,500 components, against 0.4 s.
    """
    values = residuals.to_numpy(dtype=float)
    if np.isnan(values).any():
        correlation = residuals.corr().to_numpy(copy=True)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            correlation = np.atleast_2d(np.corrcoef(values, rowvar=False))
    correlation = np.nan_to_num(correlation, nan=0.0)
    np.fill_diagonal(correlation, 1.0)
    return correlation


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
    correlation = residual_correlation(residuals.reindex(columns=leaf_ids))
    spread = std[leaf_ids].to_numpy()
    total_std = np.sqrt(np.sum((spread @ correlation) * spread, axis=1))
    total_mean = mean[leaf_ids].to_numpy().sum(axis=1)
    return rows.assign(
        forecast=total_mean, lower_95=total_mean - Z_95 * total_std, upper_95=total_mean + Z_95 * total_std,
        forecast_std=total_std, status="ok", error=None, fit_seconds=time.perf_counter() - started,
        model_spec=f"sum of {len(leaf_ids)} category x region {SARIMAX_DIRECT} forecasts",
    )[FORECAST_COLUMNS]


def reconcile(results: list[SeriesForecasts]) -> pd.DataFrame:
    """Rows of the project's model for every series: its own direct fit for a category x
    region series, the bottom-up sum for a total or category.

    Each series' rows are looked up in one grouping, not filtered out of all rows per series,
    which at 2,500 series was quadratic.
    """
    direct = pd.concat([r.rows[r.rows["model"] == SARIMAX_DIRECT] for r in results], ignore_index=True)
    series_ids = sorted(direct["series_id"].unique())
    leaves = [s for s in series_ids if series_level(s) == "category_region"]
    aggregates = [s for s in series_ids if series_level(s) != "category_region"]
    frames = [direct[direct["series_id"].isin(leaves)].assign(model=PROJECT_MODEL)]
    for kind, kind_rows in direct.groupby("kind", sort=False):
        rows_of = dict(tuple(kind_rows.groupby("series_id", sort=False)))
        residuals = pd.DataFrame({r.rows["series_id"].iat[0]: r.residuals[kind] for r in results if kind in r.residuals})
        for series_id in aggregates:
            parts = [leaf for leaf in leaves if is_component_of(leaf, series_id) and leaf in rows_of]
            components = pd.concat([rows_of[leaf] for leaf in parts]) if parts else kind_rows.iloc[:0]
            frames.append(bottom_up(rows_of[series_id], components, residuals.reindex(columns=parts)))
    return pd.concat(frames, ignore_index=True)


def forecast_all(
    series: list[Series], horizon: int, train_share: float = 0.8, workers: int | None = None,
    reference_max_leaves: int = REFERENCE_MAX_LEAVES,
) -> pd.DataFrame:
    """sales_forecast rows of every model for every series (backtest and future); the
    ARIMA(2,1,2) reference on at most ``reference_max_leaves`` category x region series."""
    test_start = backtest_start(pd.DatetimeIndex(np.concatenate([s.dates.to_numpy() for s in series])), train_share)
    log.info("Forecasting %d series: backtest from %s, %d future days", len(series), test_start.date(), horizon)
    started = time.perf_counter()
    reference = reference_series([s.series_id for s in series], reference_max_leaves)
    task = partial(forecast_series, test_start=test_start, horizon=horizon, reference=reference)
    results = map_parallel(task, series, workers)
    frame = pd.concat([*(r.rows for r in results), reconcile(results)], ignore_index=True)
    log.info("Forecast %d series in %.1f s", len(series), time.perf_counter() - started)
    return frame[FORECAST_COLUMNS].sort_values(["series_id", "model", "kind", "date"], ignore_index=True)


def series_metrics(
    actual: np.ndarray, forecast: np.ndarray, lower: np.ndarray, upper: np.ndarray, train: np.ndarray
) -> dict[str, float | int]:
    """Backtest accuracy of one series and model (nan when the forecast is missing)."""
    if not np.isfinite(forecast).all() or len(forecast) == 0:
        nan = float("nan")
        return {"mae": nan, "rmse": nan, "mape": nan, "mase": nan, "coverage_95": nan, "n_test": len(forecast)}
    return {
        "mae": metrics.mae(actual, forecast),
        "rmse": metrics.rmse(actual, forecast),
        "mape": metrics.mape(actual, forecast),
        "mase": metrics.mase(actual, forecast, train, seasonal_lag(len(train))),
        "coverage_95": metrics.coverage(actual, lower, upper),
        "n_test": len(forecast),
    }


def combined_status(runs: dict[str, tuple[str, str | None]]) -> tuple[str, str | None]:
    """The worse of the backtest's and the future's (status, error), with the failed run named."""
    for kind, (status, error) in runs.items():
        if status == "failed":
            return "failed", f"{kind}: {error}"
    for status, _ in runs.values():
        return str(status), None
    return "failed", "no forecast rows"


def metrics_table(forecasts: pd.DataFrame, series: list[Series]) -> pd.DataFrame:
    """forecast_metrics: one row per series and model, with fit times, status and error.

    The rows of each series, model and kind are found once (group positions) and read from
    numpy columns: slicing the frame per group cost 2 ms each, 20 s for 10,000 groups.
    """
    by_id = {s.series_id: s for s in series}
    test_start = forecasts.loc[forecasts["kind"] == "backtest", "date"].min()
    column = {name: forecasts[name].to_numpy() for name in (
        "actual", "forecast", "lower_95", "upper_95", "fit_seconds", "status", "error", "model_spec")}
    positions = forecasts.groupby(["series_id", "model", "kind"], sort=False).indices
    no_rows = np.empty(0, dtype=np.intp)
    records = []
    for series_id, model in sorted({(series_id, model) for series_id, model, _ in positions}):
        rows = {kind: positions.get((series_id, model, kind), no_rows) for kind in KINDS}
        ran = {kind: at for kind, at in rows.items() if len(at)}
        backtest = rows["backtest"]
        history = by_id[series_id]
        train = history.sales[: int(np.searchsorted(history.dates, test_start))]
        status, error = combined_status({kind: (column["status"][at[0]], column["error"][at[0]]) for kind, at in ran.items()})
        records.append({
            "series_id": series_id, "series_level": series_level(series_id), "model": model,
            **series_metrics(*(column[name][backtest].astype(float) for name in ("actual", "forecast", "lower_95", "upper_95")), train),
            "n_train": len(train),
            **{f"fit_seconds_{kind}": float(column["fit_seconds"][at[0]]) if len(at) else float("nan") for kind, at in rows.items()},
            "status": status, "error": error,
            "model_spec": column["model_spec"][ran.get("future", backtest)[0]] if ran else None,
            "filled_days": history.filled_days,
        })
    return pd.DataFrame.from_records(records)
