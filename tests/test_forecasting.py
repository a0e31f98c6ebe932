"""Tests of the forecasting module: metrics by hand, models on series of known shape, the
fallback and failure paths, and the dbt models on a small generated warehouse."""

from __future__ import annotations

import logging

import duckdb
import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import MSTL
from statsmodels.tsa.stattools import adfuller

from warehouse.forecasting import metrics, pipeline
from warehouse.forecasting.decomposition import decompose
from warehouse.forecasting.evaluation import series_rows
from warehouse.forecasting.features import assume_future_drivers, weekday_dummies
from warehouse.forecasting.models import sarimax_fourier, seasonal_naive
from warehouse.forecasting.series import Drivers, Series
from tests.conftest import Project
from warehouse.forecasting.stationarity import adf_test, stationarity_row

FORECASTING_MODELS = ("+forecast_evaluation", "+sales_stationarity", "+sales_decomposition")


def known_series(n_days: int = 1095, noise: float = 0.05, seed: int = 3) -> tuple[Series, np.ndarray]:
    """A daily series with a known trend, yearly and weekly cycle, spend lift and weather; and its mean."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2021-01-01", periods=n_days, freq="D")
    t = np.arange(n_days) / 365.25
    yearly = 1 + 0.2 * np.cos(2 * np.pi * (t - 0.5)) + 0.05 * np.cos(4 * np.pi * t)
    weekly = np.array([0.9, 0.95, 1.0, 1.0, 1.05, 1.2, 1.1])[dates.day_of_week]
    spend = rng.lognormal(7.3, 0.5, n_days)
    weather = np.clip(0.5 + 0.2 * np.cos(2 * np.pi * (t - 0.55)) + rng.normal(0, 0.1, n_days), 0, 1)
    drivers = (1 + 0.3 * (1 - np.exp(-spend / 3000))) * (1 + 0.2 * (weather - 0.5))
    expected = 1000 * np.exp(0.05 * t) * yearly * weekly * drivers
    sales = expected * np.exp(rng.normal(0, noise, n_days) - noise**2 / 2)
    return Series("category:Test|region:North", Drivers(dates, spend, weather), sales), expected


# --- metrics against hand-computed values ---------------------------------------------------

def test_metrics_match_hand_computed_values() -> None:
    actual, forecast = np.array([20.0, 22.0, 0.0]), np.array([18.0, 25.0, 1.0])
    assert metrics.mae(actual, forecast) == pytest.approx(2.0)  # (2 + 3 + 1) / 3
    assert metrics.rmse(actual, forecast) == pytest.approx(np.sqrt((4 + 9 + 1) / 3))
    assert metrics.mape(actual, forecast) == pytest.approx(100 * (2 / 20 + 3 / 22) / 2)  # the zero day is skipped
    assert metrics.coverage(actual, forecast - 2.5, forecast + 2.5) == pytest.approx(2 / 3)  # 22 is outside


def test_mase_scales_by_in_sample_seasonal_naive_error() -> None:
    train = np.array([10.0, 12.0, 14.0, 10.0, 16.0, 20.0])  # lag-3 errors 0, 4, 6 -> scale 10/3
    assert metrics.seasonal_naive_scale(train, 3) == pytest.approx(10 / 3)
    assert metrics.mase(np.array([20.0, 22.0]), np.array([18.0, 25.0]), train, 3) == pytest.approx(2.5 / (10 / 3))
    assert np.isnan(metrics.mase(np.array([1.0]), np.array([2.0]), np.ones(6), 3))  # zero scale: undefined


# --- models on series of known shape --------------------------------------------------------

def test_seasonal_naive_repeats_the_day_52_weeks_earlier() -> None:
    series, _ = known_series(800)
    forecast = seasonal_naive(series.head(700), series.drivers.slice(700))
    assert np.array_equal(forecast.mean, series.sales[700 - 364 : 800 - 364])
    assert np.all(forecast.lower <= forecast.mean) and np.all(forecast.mean <= forecast.upper)


def test_project_model_forecasts_known_seasonality_near_the_noise_floor() -> None:
    series, expected = known_series()
    n_train = int(len(series) * 0.8)
    forecast = sarimax_fourier(series.head(n_train), series.drivers.slice(n_train))
    actual = series.sales[n_train:]
    floor = metrics.mae(actual, expected[n_train:])
    assert metrics.mae(actual, forecast.mean) < 1.1 * floor
    assert metrics.mape(expected[n_train:], forecast.mean) < 2.0  # within 2% of the true mean
    assert 0.88 <= metrics.coverage(actual, forecast.lower, forecast.upper) <= 0.99
    assert "K=" in forecast.spec and "K=0" not in forecast.spec


def test_future_drivers_follow_the_stated_assumption() -> None:
    series, _ = known_series()
    future = assume_future_drivers(series.drivers, 30)
    assert future.dates[0] == series.dates[-1] + pd.Timedelta(days=1) and len(future) == 30
    assert np.allclose(future.marketing_spend, series.drivers.marketing_spend[-365:].mean())
    winter = future.weather_score.mean()  # January: the fitted climatology is below the yearly mean
    assert winter < series.drivers.weather_score.mean()


def test_weekday_dummies_mark_one_weekday_each() -> None:
    dummies = weekday_dummies(pd.date_range("2024-01-01", periods=14, freq="D"))  # starts on a Monday
    assert dummies.shape == (14, 6) and dummies[0].sum() == 0 and (dummies.sum(axis=1)[1:7] == 1).all()


def test_warm_start_from_the_backtest_gives_the_cold_start_forecast() -> None:
    series, _ = known_series()
    future = assume_future_drivers(series.drivers, 30)
    backtest = sarimax_fourier(series.head(876), series.drivers.slice(876))
    assert backtest.params  # the fitted parameters, by name
    cold, warm = sarimax_fourier(series, future), sarimax_fourier(series, future, backtest.params)
    assert np.allclose(warm.mean, cold.mean, rtol=1e-3) and np.allclose(warm.std, cold.std, rtol=1e-2)


def test_reference_arima_is_a_backtest_yardstick_only() -> None:
    series, _ = known_series(400)
    rows = pipeline.forecast_series(series, series.dates[320], horizon=14).rows
    reference = rows[rows["model"] == pipeline.ARIMA_212]
    assert set(reference["kind"]) == {"backtest"} and len(reference) == 80
    assert reference["forecast"].notna().all()
    assert set(rows.loc[rows["model"] != pipeline.ARIMA_212, "kind"]) == {"backtest", "future"}


def test_adf_test_gives_statsmodels_adfuller_numbers() -> None:
    rng = np.random.default_rng(3)
    series, _ = known_series()
    cases = [series.sales, np.diff(series.sales), np.cumsum(rng.normal(size=1095)),
             rng.normal(size=300), np.cumsum(rng.normal(size=50)) + 3]
    for values in cases:
        statistic, p_value, lags, n_obs, critical, _ = adfuller(values, autolag="AIC", result_object=False)
        ours = adf_test(values)
        assert (ours["lags_used"], ours["n_obs"]) == (lags, n_obs)
        assert ours["adf_statistic"] == pytest.approx(statistic, rel=1e-7)
        assert ours["p_value"] == pytest.approx(p_value, rel=1e-6, abs=1e-12)
        assert ours["critical_value_5pct"] == pytest.approx(critical["5%"])
        assert ours["is_stationary"] == (p_value < 0.05)
    with pytest.raises(ValueError, match="constant"):
        adf_test(np.full(100, 2.0))


def test_decomposition_matches_statsmodels_mstl_within_a_fraction_of_the_noise() -> None:
    series, _ = known_series()
    ours = decompose(series)
    reference = MSTL(series.sales, periods=(7, 365)).fit()
    scale = np.std(series.sales)
    assert ours["method"].iat[0] == "MSTL"
    assert np.max(np.abs(ours["trend"] - reference.trend)) < 0.01 * scale
    assert np.max(np.abs(ours["seasonal"] - reference.seasonal.sum(axis=1))) < 0.01 * scale
    assert np.allclose(ours["trend"] + ours["seasonal"] + ours["resid"], series.sales)


def test_residual_correlation_matches_pandas_and_zeroes_constant_columns() -> None:
    rng = np.random.default_rng(0)
    residuals = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"]).assign(flat=1.0)
    correlation = pipeline.residual_correlation(residuals)
    expected = residuals.corr().fillna(0.0).to_numpy(copy=True)
    np.fill_diagonal(expected, 1.0)
    assert np.allclose(correlation, expected)
    residuals.iloc[0, 0] = np.nan  # a gap: pairwise-complete correlation
    assert np.allclose(pipeline.residual_correlation(residuals)[:3, :3], residuals.iloc[:, :3].corr())


# --- fallbacks and failures -----------------------------------------------------------------

def test_short_history_falls_back_to_weekly_seasonality(caplog: pytest.LogCaptureFixture) -> None:
    series, _ = known_series(300)
    with caplog.at_level(logging.WARNING):
        result = pipeline.forecast_series(series, series.dates[240], horizon=14)
    assert "shorter than two years" in caplog.text
    rows = result.rows
    assert set(rows.loc[rows["model"] != pipeline.ARIMA_212, "status"]) == {"weekly_fallback"}
    assert rows.loc[rows["model"] == pipeline.SARIMAX_DIRECT, "model_spec"].str.contains("K=0").all()
    naive = seasonal_naive(series.head(240), series.drivers.slice(240))
    assert np.array_equal(naive.mean[:7], series.sales[233:240])  # one-week lag
    assert decompose(series)["method"].iat[0] == "STL"


@pytest.mark.parametrize(("value", "status"), [(0.0, "all_zero"), (42.0, "constant_series")])
def test_constant_series_get_a_clear_status(value: float, status: str) -> None:
    dates = pd.date_range("2022-01-01", periods=800, freq="D")
    series = Series("category:Flat", Drivers(dates, np.full(800, 10.0), np.full(800, 0.5)), np.full(800, value))
    rows = pipeline.forecast_series(series, dates[640], horizon=10).rows
    assert set(rows["status"]) == {status}
    assert np.allclose(rows["forecast"], value) and (rows["upper_95"] == rows["lower_95"]).all()
    assert stationarity_row(series)["status"] == status
    assert decompose(series)["method"].iat[0] == status


def test_a_failing_fit_is_recorded_and_the_others_go_on(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(history: Series, target: Drivers):
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setitem(pipeline.PER_SERIES_MODELS, pipeline.ARIMA_212, broken)
    series, _ = known_series(950)
    result = pipeline.forecast_series(series, series.dates[760], horizon=10)
    table = pipeline.metrics_table(result.rows, [series]).set_index("model")
    assert table.loc[pipeline.ARIMA_212, "status"] == "failed"
    assert "LinAlgError: singular matrix" in table.loc[pipeline.ARIMA_212, "error"]
    assert np.isnan(table.loc[pipeline.ARIMA_212, "mae"])
    assert table.loc[pipeline.SARIMAX_DIRECT, "status"] == "ok" and table.loc[pipeline.SARIMAX_DIRECT, "mae"] > 0


def test_bottom_up_sums_components_and_fails_with_them() -> None:
    dates = pd.date_range("2023-01-01", periods=3, freq="D")

    def direct(series_id: str, forecast: list[float], status: str = "ok") -> pd.DataFrame:
        return pd.DataFrame({"series_id": series_id, "kind": "future", "date": dates, "actual": np.nan,
                             "forecast": forecast, "forecast_std": [3.0, 4.0, 0.0], "status": status})

    parts = pd.concat([direct("category:A|region:N", [1.0, 2.0, 3.0]), direct("category:A|region:S", [10.0, 20.0, 30.0])])
    residuals = pd.DataFrame({"category:A|region:N": [1.0, -1.0, 1.0, -1.0], "category:A|region:S": [1.0, -1.0, 1.0, -1.0]})
    summed = pipeline.bottom_up(direct("category:A", [0.0, 0.0, 0.0]), parts, residuals)
    assert np.allclose(summed["forecast"], [11.0, 22.0, 33.0])
    assert np.allclose(summed["forecast_std"], [6.0, 8.0, 0.0])  # perfectly correlated: the stds add
    parts.loc[parts["series_id"] == "category:A|region:S", "status"] = "failed"
    failed = pipeline.bottom_up(direct("category:A", [0.0, 0.0, 0.0]), parts, residuals)
    assert set(failed["status"]) == {"failed"} and failed["forecast"].isna().all()


def test_truth_is_summed_into_every_series_id() -> None:
    truth = pd.DataFrame({"date": ["d1", "d1", "d1"], "product_category": ["A", "A", "B"],
                          "region": ["N", "S", "N"], "expected_sales": [1.0, 2.0, 4.0]})
    summed = series_rows(truth, "expected_sales").set_index("series_id")["expected_sales"]
    assert summed.to_dict() == {"total": 7.0, "category:A": 3.0, "category:B": 4.0,
                                "category:A|region:N": 1.0, "category:A|region:S": 2.0, "category:B|region:N": 4.0}


# --- the dbt models on a small generated warehouse ------------------------------------------

@pytest.fixture(scope="module")
def forecast_warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """The forecasting marts built (and their data tests run) at the small scale: 11 series."""
    project = Project(tmp_path_factory.mktemp("forecasting"))
    project.generate()
    project.dbt("seed")
    project.dbt("build", "--indirect-selection", "cautious", "-s", *FORECASTING_MODELS)
    connection = duckdb.connect(str(project.db), read_only=True)
    yield connection
    connection.close()


def test_marts_hold_every_series_and_model(forecast_warehouse: duckdb.DuckDBPyConnection) -> None:
    def sql(query: str) -> list[tuple]:
        return forecast_warehouse.execute(query).fetchall()

    n_series = sql("select count(distinct series_id) from intermediate.int_sales_series_daily")[0][0]
    assert n_series == 11  # total + 5 categories + 5 category x region (one region)
    per_model = dict(sql("select model, count(*) from marts.forecast_metrics group by model"))
    assert per_model == {model: n_series for model in pipeline.MODEL_NAMES}
    # Every model but the backtest-only reference forecasts 90 future days.
    assert sql("select count(*) from marts.sales_forecast where kind = 'future'")[0][0] == n_series * 3 * 90
    assert sql("select count(*) from marts.sales_forecast where kind = 'future' and model = 'arima_212'")[0][0] == 0
    assert sql("select count(*) from marts.sales_stationarity")[0][0] == n_series
    assert sql("select typeof(date) from marts.sales_forecast limit 1")[0][0] == "DATE"


def test_project_model_beats_the_baselines_on_the_warehouse(forecast_warehouse: duckdb.DuckDBPyConnection) -> None:
    figures = dict(
        ((model, metric), value)
        for model, metric, value in forecast_warehouse.execute(
            "select model_name, metric_name, metric_value from marts.forecast_evaluation"
        ).fetchall()
    )
    assert figures[("sarimax_fourier", "total_mae_to_noise_floor")] < 1.15
    assert figures[("sarimax_fourier", "median_mae_to_noise_floor")] < 1.15
    assert figures[("sarimax_fourier", "median_mase")] < figures[("seasonal_naive", "median_mase")]
    assert figures[("sarimax_fourier", "total_mae")] < figures[("arima_212", "total_mae")]
    assert 0.85 <= figures[("sarimax_fourier", "total_coverage_95")] <= 0.99


def test_figures_draw_the_decomposition_and_the_interval_band(forecast_warehouse: duckdb.DuckDBPyConnection) -> None:
    from warehouse.forecasting.figures import decomposition_figure, forecast_figure

    decomposition = forecast_warehouse.execute("select * from marts.sales_decomposition where series_id = 'total'").df()
    assert len(decomposition_figure(decomposition, "total").data) == 4
    forecasts = forecast_warehouse.execute("select * from marts.sales_forecast where series_id = 'total'").df()
    figure = forecast_figure(forecasts, "total", models=("sarimax_fourier", "seasonal_naive"))
    names = [trace.name for trace in figure.data]
    assert "sarimax_fourier 95% interval" in names and "actual" in names and "seasonal_naive" in names
    with pytest.raises(ValueError, match="no backtest forecast rows"):
        forecast_figure(forecasts, "category:Nowhere")


def test_series_from_frame_counts_filled_days() -> None:
    from warehouse.forecasting.series import series_from_frame

    frame = pd.DataFrame({
        "series_id": ["total"] * 4, "date": pd.date_range("2024-01-01", periods=4, freq="D"),
        "sales_amount": [1.0, 2.0, 3.0, 4.0], "marketing_spend": [None] * 4, "weather_score": [0.1, 0.2, 0.3, 0.4],
        "filled_rows": [0, 2, 1, 0],
    })
    (series,) = series_from_frame(frame.iloc[::-1])  # order of rows does not matter
    assert series.filled_days == 2 and list(series.sales) == [1.0, 2.0, 3.0, 4.0]
    assert series.drivers.marketing_spend is None  # an all-missing driver is left out of the model


def test_reference_model_runs_on_every_aggregate_and_a_spaced_sample_of_leaves() -> None:
    leaves = [f"category:C{c}|region:R{r:03d}" for c in range(2) for r in range(10)]
    ids = ["total", "category:C0", "category:C1", *leaves]
    assert pipeline.reference_series(ids, max_leaves=50) == frozenset(ids)
    sampled = pipeline.reference_series(ids, max_leaves=5)
    assert {"total", "category:C0", "category:C1"} <= sampled
    chosen = sorted(sampled - {"total", "category:C0", "category:C1"})
    assert len(chosen) == 5 and chosen[0] == leaves[0] and chosen[-1] == leaves[-1]
