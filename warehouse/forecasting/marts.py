"""The marts of the forecasting module, built from the rows of ``int_sales_series_daily``.

Each function here is what one dbt Python model under ``python_models/forecasting`` returns.
Dates go back as ``datetime.date`` so DuckDB stores DATE, not TIMESTAMP. Each runs with one
BLAS thread: the small regressions here are 100x slower when OpenBLAS threads fight over
busy cores, and the parallelism is across series instead.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from warehouse.forecasting.decomposition import decompose
from warehouse.forecasting.evaluation import evaluation_table, load_truth
from warehouse.forecasting.parallel import map_parallel, single_blas_thread
from warehouse.forecasting.pipeline import REFERENCE_MAX_LEAVES, forecast_all, metrics_table
from warehouse.forecasting.series import series_from_frame
from warehouse.forecasting.stationarity import STATIONARITY_COLUMNS, stationarity_row

log = logging.getLogger(__name__)

# A decomposition takes ~0.03 CPU-s a series, and shipping a series to a worker costs too:
# workers pay from about a hundred series on.
DECOMPOSITION_MIN_SERIES_PER_WORKER = 100


def with_dates(frame: pd.DataFrame, column: str = "date") -> pd.DataFrame:
    """``column`` as datetime.date objects (DuckDB DATE), whatever pandas made of it."""
    return frame.assign(**{column: pd.to_datetime(frame[column]).dt.date})


def as_text(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``columns`` as strings, so an all-null column still lands as VARCHAR."""
    return frame.assign(**{column: frame[column].astype("string") for column in columns})


@single_blas_thread
def stationarity_mart(series_rows: pd.DataFrame) -> pd.DataFrame:
    """sales_stationarity: ADF on the level and the first difference, one row per series, in
    this process (about 2 ms a series: shipping the series to workers would cost more)."""
    rows = [stationarity_row(series) for series in series_from_frame(series_rows)]
    return as_text(pd.DataFrame.from_records(rows).reindex(columns=STATIONARITY_COLUMNS), "status", "error")


@single_blas_thread
def decomposition_mart(series_rows: pd.DataFrame, workers: int | None = None) -> pd.DataFrame:
    """sales_decomposition: one row per series and day, with the filled-day flag."""
    parts = map_parallel(decompose, series_from_frame(series_rows), workers, DECOMPOSITION_MIN_SERIES_PER_WORKER)
    frame = pd.concat(parts, ignore_index=True)
    filled = series_rows[["series_id", "date", "filled_rows"]].assign(date=lambda f: pd.to_datetime(f["date"]))
    frame = frame.merge(filled, on=["series_id", "date"], how="left")
    return as_text(with_dates(frame.assign(is_filled=frame.pop("filled_rows").fillna(0) > 0)), "method")


@single_blas_thread
def forecast_mart(
    series_rows: pd.DataFrame, horizon: int, reference_max_leaves: int = REFERENCE_MAX_LEAVES, workers: int | None = None
) -> pd.DataFrame:
    """sales_forecast: backtest and future rows of every model for every series (the
    ARIMA(2,1,2) reference on at most ``reference_max_leaves`` category x region series)."""
    frame = forecast_all(series_from_frame(series_rows), horizon, workers=workers, reference_max_leaves=reference_max_leaves)
    return as_text(with_dates(frame), "status", "error", "model_spec")


@single_blas_thread
def metrics_mart(forecasts: pd.DataFrame, series_rows: pd.DataFrame) -> pd.DataFrame:
    """forecast_metrics: one row per series and model."""
    forecasts = forecasts.assign(date=pd.to_datetime(forecasts["date"]))
    return as_text(metrics_table(forecasts, series_from_frame(series_rows)), "status", "error", "model_spec")


@single_blas_thread
def evaluation_mart(metrics: pd.DataFrame, forecasts: pd.DataFrame, truth_path: Path | None) -> pd.DataFrame:
    """forecast_evaluation: per-model figures in long format, with noise-floor ratios if truth exists."""
    truth = load_truth(truth_path) if truth_path is not None else None
    return evaluation_table(metrics, forecasts.assign(date=pd.to_datetime(forecasts["date"])), truth)
