"""Benchmark the forecasting module on a built warehouse: time, accuracy, noise floor, statsforecast.

Reads ``intermediate.int_sales_series_daily`` from a DuckDB file built by dbt, runs every
model on every series (backtest and future) on all cores, and prints per series the fit
times and the backtest MAE over the noise floor (the MAE of the generator's true expected
sales, from the truth file), then the totals. Side by side, statsforecast's AutoARIMA on the
same regressors (log scale, the same Fourier terms, weekdays and drivers as the project's
model picked for the series) on the same backtest, when statsforecast is installed
(a benchmark-only dependency, not in pyproject.toml: statsforecast declares pandas<3 while
the project pins pandas 3.1.1; the skip message says how to install it without its pins).

    .venv/bin/python bench/bench_forecasting.py --db data/dev_forecasting.duckdb
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import time
import warnings
from functools import partial
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from results import Figure, write_figures
from warehouse.forecasting.evaluation import load_truth, noise_floor, noise_floor_ratios
from warehouse.forecasting.features import design_matrix
from warehouse.forecasting.metrics import coverage, mae
from warehouse.forecasting.models import SarimaxSettings, choose_regression
from warehouse.forecasting.parallel import default_workers, map_parallel, single_blas_thread
from warehouse.forecasting.pipeline import PER_SERIES_MODELS, PROJECT_MODEL, SARIMAX_DIRECT, forecast_all, metrics_table
from warehouse.forecasting.series import Series, backtest_start, series_from_frame

log = logging.getLogger("bench_forecasting")


def read_series(db: Path) -> list[Series]:
    """The series of a built warehouse, read without taking the write lock."""
    with duckdb.connect(str(db), read_only=True) as connection:
        frame = connection.sql("select * from intermediate.int_sales_series_daily").df()
    return series_from_frame(frame)


def children_cpu_seconds() -> float:
    """CPU seconds used so far by finished worker processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def statsforecast_backtest(series: Series, test_start: pd.Timestamp) -> dict[str, float | str]:
    """AutoARIMA (statsforecast) on log sales with the project's regressors for this series."""
    from statsforecast.models import AutoARIMA

    started = time.perf_counter()
    n_train = int(np.searchsorted(series.dates, test_start))
    history = series.head(n_train)
    endog = np.log(history.sales)
    harmonics, saturation, _ = choose_regression(endog, history.drivers, SarimaxSettings())
    train_x = design_matrix(history.drivers, history.dates[0], harmonics, saturation).drop(columns="const")
    test_x = design_matrix(series.drivers.slice(n_train), history.dates[0], harmonics, saturation).drop(columns="const")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = AutoARIMA(season_length=1).fit(endog, X=train_x.to_numpy())
        prediction = fitted.predict(h=len(test_x), X=test_x.to_numpy(), level=[95])
    actual = series.sales[n_train:]
    return {
        "series_id": series.series_id,
        "sf_mae": mae(actual, np.exp(prediction["mean"])),
        "sf_coverage_95": coverage(actual, np.exp(prediction["lo-95"]), np.exp(prediction["hi-95"])),
        "sf_seconds": time.perf_counter() - started,
    }


def run_statsforecast(series: list[Series], test_start: pd.Timestamp, workers: int) -> pd.DataFrame | None:
    """The statsforecast column, or None with the reason printed when it cannot run."""
    try:
        import statsforecast  # noqa: F401
    except ImportError as error:
        print(f"statsforecast column skipped: {error}. statsforecast 2.1.1 declares pandas<3 (the project pins "
              "3.1.1), so install it without its pins: .venv/bin/pip install --no-deps statsforecast==2.1.1 "
              "coreforecast==0.0.20 utilsforecast==0.2.17 fugue==0.9.7 triad==1.0.4 adagio==0.2.6 fsspec")
        return None
    started = time.perf_counter()
    positive = [s for s in series if np.all(s.sales > 0)]
    rows = map_parallel(partial(statsforecast_backtest, test_start=test_start), positive, workers)
    print(f"statsforecast AutoARIMA backtests: {time.perf_counter() - started:.1f} s wall on {workers} workers")
    return pd.DataFrame.from_records(rows)


def per_series_table(metrics: pd.DataFrame, competitor: pd.DataFrame | None) -> pd.DataFrame:
    """One line per series: seconds per model and MAE / noise floor per model."""
    seconds = metrics.assign(seconds=metrics["fit_seconds_backtest"] + metrics["fit_seconds_future"])
    table = seconds.pivot(index="series_id", columns="model", values="seconds").add_prefix("s_")
    fitted = [f"s_{model}" for model in PER_SERIES_MODELS]
    aggregate = ~table.index.str.contains("|region:", regex=False)  # a leaf's project model is its direct fit
    table["s_all"] = table[fitted].sum(axis=1) + table[f"s_{PROJECT_MODEL}"].where(aggregate, 0)
    if "mae_to_noise_floor" in metrics:
        ratios = metrics.pivot(index="series_id", columns="model", values="mae_to_noise_floor").add_prefix("floor_x_")
        table = table.join(ratios)
        table["noise_floor_mae"] = metrics.groupby("series_id")["noise_floor_mae"].first()
    table["cov95_" + PROJECT_MODEL] = metrics[metrics["model"] == PROJECT_MODEL].set_index("series_id")["coverage_95"]
    if competitor is not None:
        competitor = competitor.set_index("series_id")
        table["sf_s"] = competitor["sf_seconds"]
        if "noise_floor_mae" in table:
            table["floor_x_statsforecast"] = competitor["sf_mae"] / table["noise_floor_mae"]
        table["cov95_statsforecast"] = competitor["sf_coverage_95"]
    return table


def forecasting_figures(series: list[Series], wall: float, metrics: pd.DataFrame,
                        competitor: pd.DataFrame | None) -> list[Figure]:
    """Series per second of the whole forecast; backtest fits per fit-second and accuracy of the
    project's direct SARIMAX beside statsforecast's AutoARIMA on the same regressors."""
    case = f"{len(series)} series"
    direct = metrics[metrics["model"] == SARIMAX_DIRECT].set_index("series_id")
    figures = [Figure("forecasting", case, "series/s, every model, backtest and future, bottom-up sums",
                      round(len(series) / wall, 2), "series/s")]
    if competitor is None:
        return figures
    competitor = competitor.set_index("series_id")
    same = direct.loc[competitor.index]
    figures.append(Figure("forecasting", case, f"backtest fits per fit-second, {SARIMAX_DIRECT}",
                          round(len(same) / same["fit_seconds_backtest"].sum(), 2), "series/s",
                          "statsforecast AutoARIMA, same regressors", round(len(competitor) / competitor["sf_seconds"].sum(), 2)))
    if "noise_floor_mae" in same:
        figures.append(Figure("forecasting", case, f"median backtest MAE / noise floor, {SARIMAX_DIRECT}",
                              round(float(same["mae_to_noise_floor"].median()), 3), "x",
                              "statsforecast AutoARIMA, same regressors",
                              round(float((competitor["sf_mae"] / same["noise_floor_mae"]).median()), 3)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("WAREHOUSE_DB", "data/warehouse.duckdb")))
    parser.add_argument("--truth", type=Path, default=Path("data/truth/sales_expected.csv"))
    parser.add_argument("--horizon", type=int, default=90)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--skip-statsforecast", action="store_true")
    parser.add_argument("--figures", type=Path, help="also write the headline figures here (CSV, bench/results.py)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    single_blas_thread(lambda: None)()

    series = read_series(args.db)
    load_before = os.getloadavg()[0]
    started, cpu_before = time.perf_counter(), children_cpu_seconds()
    forecasts = forecast_all(series, args.horizon, workers=args.workers)
    wall = time.perf_counter() - started
    cpu = children_cpu_seconds() - cpu_before
    metrics = metrics_table(forecasts, series)
    truth = load_truth(args.truth)
    if truth is not None:
        metrics = noise_floor_ratios(metrics, noise_floor(forecasts, truth))
    test_start = backtest_start(pd.DatetimeIndex(np.concatenate([s.dates.to_numpy() for s in series])))
    competitor = None if args.skip_statsforecast else run_statsforecast(series, test_start, args.workers)

    if args.figures:
        write_figures(forecasting_figures(series, wall, metrics, competitor), args.figures)
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_rows", 200,
                           "display.float_format", "{:.3f}".format):
        print(per_series_table(metrics, competitor))
    print(f"\n{len(series)} series, 3 fitted models x (backtest + {args.horizon}-day future) + bottom-up sums:")
    print(f"  wall clock {wall:.1f} s on {args.workers} workers; worker CPU {cpu:.1f} s; "
          f"load average before {load_before:.1f} (other processes share the cores)")
    project = metrics[metrics["model"] == PROJECT_MODEL].set_index("series_id")
    print(f"  {PROJECT_MODEL}: total coverage_95 {project.loc['total', 'coverage_95']:.3f}, "
          f"median coverage_95 {project['coverage_95'].median():.3f}")
    if "mae_to_noise_floor" in metrics:
        summary = metrics.groupby("model")["mae_to_noise_floor"].agg(["median", "max"])
        summary["total"] = metrics[metrics["series_id"] == "total"].set_index("model")["mae_to_noise_floor"]
        print("  backtest MAE / noise floor by model (median, max over series; total):")
        print(summary.round(3).to_string())
        if competitor is not None:
            ratio = competitor.set_index("series_id")["sf_mae"] / project["noise_floor_mae"]
            direct = metrics[metrics["model"] == SARIMAX_DIRECT].set_index("series_id")["mae_to_noise_floor"]
            print(f"  statsforecast AutoARIMA: median {ratio.median():.3f}, total {ratio.get('total', np.nan):.3f} "
                  f"(vs {SARIMAX_DIRECT} median {direct.median():.3f}, total {direct['total']:.3f}); "
                  f"summed fit seconds {competitor['sf_seconds'].sum():.1f} vs "
                  f"{metrics[metrics['model'] == SARIMAX_DIRECT]['fit_seconds_backtest'].sum():.1f} for the direct backtests")


if __name__ == "__main__":
    main()
