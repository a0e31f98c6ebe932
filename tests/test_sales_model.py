"""The integrated sales model: training logic, intervals, drift, champion rule, serving."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import Project
from warehouse import drift
from warehouse.modeling.features import FEATURES, relative_to_reference
from warehouse.modeling.forest import (
    RelativeQuantileForest,
    central_interval,
    make_pipeline,
    reference_rows,
    tree_sample_size,
)
from warehouse.modeling.serving import SalesFeatures, request_rows
from warehouse.modeling.training import (
    MIN_WEEKS,
    NotEnoughWeeksError,
    available_features,
    cv_sample,
    split_by_weeks,
    train_sales_model,
    usable_rows,
    week_folds,
)
from warehouse.tracking import decide_champion


def synthetic_features(n_weeks: int = 90, seed: int = 0) -> pd.DataFrame:
    """A small weekly panel where sales follow the level, spend and season, plus 3% noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for category, size in (("A", 1000.0), ("B", 5000.0)):
        for region in ("X", "Y"):
            sales = [size] * 4
            for week in range(n_weeks):
                spend = rng.uniform(500, 5000)
                expected = size * (1 + 0.2 * np.sin(2 * np.pi * week / 52)) * (1 + 0.3 * (1 - np.exp(-spend / 3000)))
                level = float(np.mean(sales[-4:]))
                rows.append(
                    {
                        "week_start": pd.Timestamp("2021-01-04") + pd.Timedelta(weeks=week),
                        "product_category": category, "region": region,
                        "sales": expected * rng.lognormal(0, 0.03),
                        "sales_rolling_mean_4w": level, "sales_lag_1w": sales[-1],
                        "sales_rolling_mean_13w": float(np.mean(sales[-13:])) if len(sales) >= 13 else np.nan,
                        "sales_lag_52w": sales[-52] if len(sales) >= 52 else np.nan,
                        "marketing_spend_per_day": spend, "marketing_spend_rolling_4w": 2750.0,
                        "weather_score": np.nan, "weather_score_rolling_4w": np.nan,
                        "week_of_year": float(week % 52 + 1),
                        "week_of_year_sin": np.sin(2 * np.pi * week / 52),
                        "week_of_year_cos": np.cos(2 * np.pi * week / 52),
                        "sentiment_compound_4w": rng.uniform(0.2, 0.6), "photo_quality": rng.uniform(0.4, 0.8),
                    }
                )
                sales.append(rows[-1]["sales"])
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def trained():
    return train_sales_model(synthetic_features())


def test_every_test_week_follows_every_train_week() -> None:
    frame = usable_rows(synthetic_features())
    train, test = split_by_weeks(frame)
    assert train["week_start"].max() < test["week_start"].min()
    assert test["week_start"].nunique() == round(frame["week_start"].nunique() * 0.2)


def test_cv_folds_keep_weeks_whole_and_ordered() -> None:
    frame = usable_rows(synthetic_features())
    for train_rows, valid_rows in week_folds(frame["week_start"]):
        assert frame["week_start"].iloc[train_rows].max() < frame["week_start"].iloc[valid_rows].min()


def test_cv_sample_keeps_whole_series_and_is_a_no_op_when_small() -> None:
    frame = synthetic_features(n_weeks=30)
    assert cv_sample(frame, max_rows=len(frame)) is frame
    sampled = cv_sample(frame, max_rows=len(frame) // 2)
    per_series = sampled.groupby(["product_category", "region"]).size()
    assert len(per_series) == 2 and (per_series == 30).all()


def test_size_caps_apply_only_beyond_their_limit() -> None:
    assert tree_sample_size(100, cap=1000) is None and tree_sample_size(5000, cap=1000) == 1000
    assert reference_rows(10, cap=20).tolist() == list(range(10))
    drawn = reference_rows(100, cap=20)
    assert len(drawn) == 20 and len(set(drawn)) == 20 and (np.diff(drawn) > 0).all()


def fitted_forest(interval: tuple[float, float] = (0.05, 0.95)) -> tuple[RelativeQuantileForest, pd.DataFrame]:
    """A forest on the synthetic panel's training weeks, and its test rows (model columns and sales)."""
    frame = usable_rows(synthetic_features())
    numeric, _ = available_features(frame)
    columns = ["product_category", "region", *numeric]
    train, test = split_by_weeks(frame)
    pipeline = make_pipeline(["product_category", "region"], numeric)
    model = RelativeQuantileForest(pipeline, interval=interval).fit(train[columns], train["sales"])
    return model, test[[*columns, "sales"]]


def test_quantiles_from_a_reference_sample_stay_close_to_the_full_forest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The vectorised quantile forest on a 1/3 reference sample against all training rows."""
    full, test = fitted_forest()
    n_train = len(full.train_ratio_)
    monkeypatch.setattr("warehouse.modeling.forest.MAX_REFERENCE_ROWS", n_train // 3)
    sampled, _ = fitted_forest()
    assert len(sampled.train_ratio_) == n_train // 3
    columns = list(test.columns[:-1])
    point, bounds = full.predict_with_interval(test[columns])
    sampled_point, sampled_bounds = sampled.predict_with_interval(test[columns])
    assert sampled_point == pytest.approx(point)
    assert (bounds[:, 0] <= point).mean() > 0.9 and (point <= bounds[:, 1]).mean() > 0.9
    assert np.median(np.abs(sampled_bounds - bounds) / point[:, None]) < 0.02


def test_batched_predictions_equal_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    model, test = fitted_forest()
    columns = list(test.columns[:-1])
    one_batch = (model.predict(test[columns]), *model.predict_with_interval(test[columns]),
                 model.central_levels(test[columns], test["sales"]))
    monkeypatch.setattr("warehouse.modeling.forest.BATCH_ROWS", 7)
    batched = (model.predict(test[columns]), *model.predict_with_interval(test[columns]),
               model.central_levels(test[columns], test["sales"]))
    assert len(test) > 7 * 3
    for whole, in_batches in zip(one_batch, batched):
        # equal up to the order of floating-point sums
        np.testing.assert_allclose(in_batches, whole, rtol=1e-9, atol=1e-12)


def test_central_levels_say_which_interval_holds_each_actual() -> None:
    """A row's central level is the narrowest central quantile range holding its actual value:
    the interval of any level holds exactly the rows whose central level is at most that level."""
    model, test = fitted_forest()
    columns = list(test.columns[:-1])
    levels = model.central_levels(test[columns], test["sales"])
    assert ((levels >= 0) & (levels <= 1)).all()
    for level in (0.3, 0.6, 0.9):
        _, bounds = model.set_params(interval=central_interval(level)).predict_with_interval(test[columns])
        inside = (test["sales"].to_numpy() >= bounds[:, 0]) & (test["sales"].to_numpy() <= bounds[:, 1])
        # rows within rounding of the interval's own quantiles may fall either way
        clear = np.abs(levels - level) > 1e-3
        assert np.array_equal(inside[clear], (levels <= level)[clear])


def test_history_and_drivers_enter_the_forest_relative_to_their_reference() -> None:
    frame = pd.DataFrame({"sales_rolling_mean_4w": [99.0, 0.0], "sales_rolling_mean_13w": [199.0, 1.0],
                          "marketing_spend_per_day": [3.0, 1.0], "marketing_spend_rolling_4w": [7.0, 1.0],
                          "week_of_year": [5.0, 6.0]})
    relative = relative_to_reference(frame)
    assert relative["sales_rolling_mean_13w"].tolist() == [2.0, 2.0]
    assert relative["marketing_spend_rolling_4w"].tolist() == [2.0, 1.0]
    assert relative["sales_rolling_mean_4w"].tolist() == [99.0, 0.0]  # the level itself stays
    assert relative["week_of_year"].tolist() == [5.0, 6.0]
    assert frame["sales_rolling_mean_13w"].tolist() == [199.0, 1.0]  # the input is not changed
    # a column whose reference is absent (a dropped driver) stays as it is
    assert relative_to_reference(frame.drop(columns="marketing_spend_per_day"))["marketing_spend_rolling_4w"].tolist() \
        == [7.0, 1.0]


def test_the_request_schema_holds_exactly_the_model_columns() -> None:
    assert list(SalesFeatures.model_fields) == list(FEATURES)


def test_too_few_weeks_names_the_minimum() -> None:
    with pytest.raises(NotEnoughWeeksError, match=f"at least {MIN_WEEKS}"):
        train_sales_model(synthetic_features(n_weeks=15))


def test_missing_drivers_are_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    numeric, dropped = available_features(synthetic_features(n_weeks=30))
    # no weather in the source, and 30 weeks are too short for last year's sales
    assert "weather_score" in dropped and "sales_lag_52w" in dropped
    assert "marketing_spend_per_day" in numeric and "sales_rolling_mean_13w" in numeric
    assert "weather_score has no data" in caplog.text


def test_model_beats_naive_baselines_with_ordered_intervals(trained) -> None:
    sales_model = trained.metrics["sales_model"]
    assert sales_model["test_mae"] < trained.metrics["baseline_last_week"]["test_mae"]
    assert sales_model["test_r2"] > 0.8
    predictions = trained.predictions
    tested = predictions[predictions["split"] == "test"]
    assert (tested["lower_90"] <= tested["upper_90"]).all()
    assert predictions.loc[predictions["split"] == "train", "lower_90"].isna().all()
    assert 0.6 < sales_model["test_interval_coverage_90"] <= 1.0
    # the interval's quantiles come from the CV and are the model's own
    lower, upper = trained.best_params["interval"]
    assert trained.model.interval == (lower, upper) and lower + upper == pytest.approx(1.0) and 0 < lower < 0.5
    assert set(trained.importance["feature"]) == set(trained.features)
    assert trained.importance.iloc[0]["feature"] in {"marketing_spend_per_day", "sales_rolling_mean_4w", "product_category"}


def test_champion_moves_only_when_not_worse() -> None:
    assert decide_champion(10.0, None)[0]
    assert decide_champion(10.0, ("3", 10.0))[0]
    promoted, reason = decide_champion(11.0, ("3", 10.0))
    assert not promoted and "champion kept" in reason


def test_psi_is_zero_for_the_same_sample_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(1)
    reference = rng.normal(0, 1, 2000)
    assert drift.psi_numeric(reference, reference) == pytest.approx(0.0, abs=1e-9)
    assert drift.psi_numeric(reference, reference + 1.0) > drift.PSI_THRESHOLD


def test_drift_needs_both_size_and_significance() -> None:
    rng = np.random.default_rng(2)
    training = pd.DataFrame({"x": rng.normal(0, 1, 600), "week_of_year": 1, "c": "a"})
    shifted = pd.DataFrame({"x": rng.normal(1.5, 1, 300), "week_of_year": 1, "c": "a"})
    tiny = pd.DataFrame({"x": rng.normal(1.5, 1, 4), "week_of_year": 1, "c": "a"})
    assert drift.feature_drift(training, shifted, ["x"], ["c"]).set_index("feature").loc["x", "drift_detected"]
    assert not drift.feature_drift(training, tiny, ["x"], ["c"]).set_index("feature").loc["x", "drift_detected"]


def query(project: Project, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(project.db), read_only=True) as connection:
        return connection.sql(sql).df()


def test_build_tracks_registers_and_keeps_history(built_project: Project) -> None:
    registration = query(built_project, "select * from marts.sales_model_registration")
    assert len(registration) == 1 and registration["model_version"][0] == "1"
    run_id = registration["mlflow_run_id"][0]
    performance = query(built_project, "select * from marts.model_performance")
    assert set(performance["domain"]) == {"forecasting", "nlp", "vision", "integrated"}
    first_build = performance[performance["run_id"] == performance.sort_values("timestamp")["run_id"].iloc[0]]
    import mlflow

    mlflow.set_tracking_uri(built_project.mlflow_uri)
    run = mlflow.get_run(run_id)
    logged = run.data.metrics
    for row in first_build.itertuples():
        if pd.notna(row.metric_value):
            assert logged[f"{row.domain}.{row.model_name}.{row.metric_name}"] == pytest.approx(row.metric_value)
    assert logged["integrated.sales_model.test_mae"] > 0
    # the artifacts sit beside the store (data/mlartifacts), none in dbt's working directory
    assert run.info.artifact_uri.startswith((built_project.data / "mlartifacts").as_uri())
    assert not (built_project.root / "mlruns").exists()
    version = mlflow.MlflowClient().get_model_version_by_alias("sales_model", "champion")
    assert version.run_id == run_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(port: int, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/invocations", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_served_model_answers_like_the_mart_and_rejects_bad_requests(
    built_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse.server import start_server, wait_until_ready

    monkeypatch.setenv("MLFLOW_TRACKING_URI", built_project.mlflow_uri)
    rows = query(
        built_project,
        """
        select f.*, p.predicted, p.lower_90, p.upper_90
        from marts.sales_model_features f
        join marts.sales_model_predictions p using (week_start, product_category, region)
        where p.split = 'test' order by week_start desc, product_category limit 5
        """,
    )
    inputs = request_rows(rows)
    port = free_port()
    server = start_server(port, workers=1)
    try:
        wait_until_ready(port, server)
        status, answer = post(port, json.dumps({"inputs": inputs}).encode())
        assert status == 200, answer
        served = pd.DataFrame(answer["predictions"])
        assert served["predicted_sales"].to_numpy() == pytest.approx(rows["predicted"].to_numpy())
        assert served["lower_90"].to_numpy() == pytest.approx(rows["lower_90"].to_numpy())
        assert served["upper_90"].to_numpy() == pytest.approx(rows["upper_90"].to_numpy())
        assert set(served["model_version"]) == {"1"}

        missing = {k: v for k, v in inputs[0].items() if k != "sales_rolling_mean_4w"}
        extra = {**inputs[0], "shoe_size": 42}
        wrong = {**inputs[0], "week_of_year": "spring"}
        for body, column in (
            (json.dumps({"inputs": [missing]}), "sales_rolling_mean_4w"),
            (json.dumps({"inputs": [extra]}), "shoe_size"),
            (json.dumps({"inputs": [wrong]}), "week_of_year"),
            ('{"inputs": [{"product_category": ', None),
        ):
            status, answer = post(port, body.encode())
            assert 400 <= status < 500, (column, status)
            if column:
                assert column in answer["message"]
        assert post(port, json.dumps({"inputs": inputs[:1]}).encode())[0] == 200, "server stays up"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serving_without_a_champion_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from warehouse.server import ServingError, check_champion

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(ServingError, match="no 'champion' alias"):
        check_champion()


def test_drift_alarm_fires_on_drifted_data_and_stays_quiet_on_clean(
    built_project: Project, tmp_path: Path
) -> None:
    from warehouse.modeling.pipeline import drift_report

    clean = drift_report(query(built_project, "select * from marts.sales_model_features"), 13)
    # The story moves category sentiment and photography on purpose (see world.py); every
    # other feature, the drivers above all, must stay quiet on clean data.
    designed_trends = {"sentiment_compound_4w", "photo_quality"}
    assert set(clean.loc[clean["drift_detected"], "feature"]) <= designed_trends, clean[clean["drift_detected"]]
    assert not clean.set_index("feature").loc[["marketing_spend_per_day", "weather_score"], "drift_detected"].any()

    drifted_project = Project(tmp_path / "drifted")
    drifted_project.generate(drift=True)
    drifted_project.dbt("seed")
    drifted_project.dbt("build", "--select", "+sales_model_features", "--exclude", "resource_type:test")
    drifted = drift_report(query(drifted_project, "select * from marts.sales_model_features"), 13)
    alarms = set(drifted.loc[drifted["drift_detected"], "feature"])
    assert {"marketing_spend_per_day", "weather_score"} <= alarms


def test_drift_compares_the_latest_weeks_with_the_weeks_the_model_learned_from() -> None:
    from warehouse.modeling.pipeline import drift_report

    features = synthetic_features()
    weeks = np.sort(features["week_start"].unique())
    everything = drift_report(features, 13)
    kept_model = drift_report(features, 13, trained_through=weeks[40])
    # a model trained on the first 41 weeks learned from fewer of the window's weeks of the
    # year (the reference is seasonally matched); the latest weeks are the same
    assert kept_model["n_reference"].max() < everything["n_reference"].max()
    assert (kept_model["n_current"] == everything["n_current"]).all()
