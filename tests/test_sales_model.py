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
from warehouse.modeling.forest import RelativeQuantileForest, make_pipeline, reference_rows, tree_sample_size
from warehouse.modeling.serving import request_rows
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
                        "sales_lag_52w": sales[-52] if len(sales) >= 52 else np.nan,
                        "marketing_spend_per_day": spend, "marketing_spend_rolling_4w": 2750.0,
                        "weather_score": np.nan, "weather_score_rolling_4w": np.nan,
                        "week_of_year": float(week % 52 + 1),
                        "week_of_year_sin": np.sin(2 * np.pi * week / 52),
                        "week_of_year_cos": np.cos(2 * np.pi * week / 52),
                        "sentiment_compound_4w": np.nan, "photo_quality": np.nan,
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


def test_quantiles_from_a_reference_sample_stay_close_to_the_full_forest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The vectorised quantile forest on a 1/3 reference sample against all training rows."""
    frame = usable_rows(synthetic_features())
    numeric, _ = available_features(frame)
    columns = ["product_category", "region", *numeric]
    train, test = split_by_weeks(frame)
    def fitted() -> RelativeQuantileForest:
        pipeline = make_pipeline(["product_category", "region"], numeric)
        return RelativeQuantileForest(pipeline).fit(train[columns], train["sales"])
    full = fitted()
    monkeypatch.setattr("warehouse.modeling.forest.MAX_REFERENCE_ROWS", len(train) // 3)
    monkeypatch.setattr("warehouse.modeling.forest.QUANTILE_BATCH_ROWS", 7)
    sampled = fitted()
    assert len(sampled.train_ratio_) == len(train) // 3
    point, bounds = full.predict_with_interval(test[columns], (0.05, 0.95))
    sampled_point, sampled_bounds = sampled.predict_with_interval(test[columns], (0.05, 0.95))
    assert sampled_point == pytest.approx(point)
    assert (bounds[:, 0] <= point).mean() > 0.9 and (point <= bounds[:, 1]).mean() > 0.9
    assert np.median(np.abs(sampled_bounds - bounds) / point[:, None]) < 0.02


def test_too_few_weeks_names_the_minimum() -> None:
    with pytest.raises(NotEnoughWeeksError, match=f"at least {MIN_WEEKS}"):
        train_sales_model(synthetic_features(n_weeks=15))


def test_missing_drivers_are_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    numeric, dropped = available_features(synthetic_features(n_weeks=30))
    assert "weather_score" in dropped and "photo_quality" in dropped
    assert "marketing_spend_per_day" in numeric
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

        missing = {k: v for k, v in inputs[0].items() if k != "sales_lag_1w"}
        extra = {**inputs[0], "shoe_size": 42}
        wrong = {**inputs[0], "week_of_year": "spring"}
        for body, column in (
            (json.dumps({"inputs": [missing]}), "sales_lag_1w"),
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
