"""Model-level evaluation: forecast accuracy summarised per model, and against the known truth.

The noise floor of a series is the backtest MAE of the true expected sales against the actual
sales: the error left by a model that knew every driver exactly. It needs the generator's
truth file (``data/truth/sales_expected.csv``); on users' own data it is simply absent.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.forecasting.metrics import mae
from warehouse.forecasting.series import TOTAL_SERIES_ID

log = logging.getLogger(__name__)

DOMAIN = "forecasting"
EVALUATION_COLUMNS = ["model_name", "domain", "metric_name", "metric_value"]


def series_rows(frame: pd.DataFrame, value_column: str) -> pd.DataFrame:
    """Category x region rows summed up into every series id (total, category, category x region).

    The same rule as the SQL model ``int_sales_series_daily``, applied to the truth file that
    no SQL model reads.
    """
    leaves = frame.assign(series_id="category:" + frame["product_category"] + "|region:" + frame["region"])
    categories = frame.assign(series_id="category:" + frame["product_category"])
    total = frame.assign(series_id=TOTAL_SERIES_ID)
    stacked = pd.concat([total, categories, leaves], ignore_index=True)
    return stacked.groupby(["series_id", "date"], as_index=False)[value_column].sum()


def load_truth(path: Path) -> pd.DataFrame | None:
    """The expected sales per series and day, or None when there is no truth file."""
    if not path.exists():
        log.info("No truth file at %s: noise-floor metrics are skipped", path)
        return None
    truth = pd.read_csv(path, parse_dates=["date"])
    return series_rows(truth, "expected_sales")


def noise_floor(forecasts: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """Backtest MAE of the true expected sales against the actuals, per series id."""
    backtest = forecasts.loc[forecasts["kind"] == "backtest", ["series_id", "date", "actual"]].drop_duplicates()
    joined = backtest.merge(truth, on=["series_id", "date"], how="inner")
    return joined.groupby("series_id").apply(
        lambda rows: mae(rows["actual"].to_numpy(), rows["expected_sales"].to_numpy()), include_groups=False
    )


def noise_floor_ratios(metrics: pd.DataFrame, floors: pd.Series) -> pd.DataFrame:
    """metrics with the noise floor and each model's MAE over it, per series and model."""
    joined = metrics.merge(floors.rename("noise_floor_mae"), left_on="series_id", right_index=True, how="left")
    return joined.assign(mae_to_noise_floor=joined["mae"] / joined["noise_floor_mae"])


def model_summary(rows: pd.DataFrame) -> dict[str, float]:
    """The headline figures of one model over all its series."""
    total = rows[rows["series_id"] == TOTAL_SERIES_ID]
    figures = {
        "series_count": float(len(rows)),
        "series_failed": float((rows["status"] == "failed").sum()),
        "median_mase": float(rows["mase"].median()),
        "mean_mase": float(rows["mase"].mean()),
        "median_mape": float(rows["mape"].median()),
        "median_coverage_95": float(rows["coverage_95"].median()),
        "total_fit_seconds": float(rows["fit_seconds_backtest"].sum() + rows["fit_seconds_future"].sum()),
    }
    if len(total):
        figures |= {"total_mae": float(total["mae"].iat[0]), "total_mase": float(total["mase"].iat[0]),
                    "total_coverage_95": float(total["coverage_95"].iat[0])}
    if "mae_to_noise_floor" in rows:
        figures["median_mae_to_noise_floor"] = float(rows["mae_to_noise_floor"].median())
        if len(total):
            figures["total_mae_to_noise_floor"] = float(total["mae_to_noise_floor"].iat[0])
    return figures


def evaluation_table(metrics: pd.DataFrame, forecasts: pd.DataFrame, truth: pd.DataFrame | None) -> pd.DataFrame:
    """Long format (model_name, domain, metric_name, metric_value) for model_performance."""
    if truth is not None:
        metrics = noise_floor_ratios(metrics, noise_floor(forecasts, truth))
    records = [
        {"model_name": model, "domain": DOMAIN, "metric_name": name, "metric_value": value}
        for model, rows in metrics.groupby("model", sort=True)
        for name, value in model_summary(rows).items()
        if np.isfinite(value)
    ]
    return pd.DataFrame.from_records(records, columns=EVALUATION_COLUMNS)
