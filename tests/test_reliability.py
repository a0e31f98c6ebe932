"""Reliability: killed builds, readers during builds, a busy server, a broken tracking store."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from tests.conftest import LONG, Project
from tests.test_sales_model import free_port, post, query
from warehouse.modeling.serving import request_rows
from warehouse.synthetic import append_days

SELECT = ["--", "--select", "+fct_daily_sales", "+category_features", "--indirect-selection", "cautious"]


def start_build(project: Project) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("warehouse")), "build", "--project-dir", str(project.root), *SELECT]
    return subprocess.Popen(command, cwd=project.root, env=project.env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def snapshot(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        return {t: connection.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables}


@pytest.fixture()
def built_small(fresh_project: Project) -> Project:
    fresh_project.generate()
    build = start_build(fresh_project)
    assert build.wait(timeout=600) == 0, build.stderr.read()[-3000:]
    return fresh_project


@pytest.mark.parametrize("kill_after_seconds", [1.0, 4.0, 8.0] + ([2.0, 6.0, 12.0, 16.0] if LONG else []))
def test_a_killed_build_leaves_the_last_good_warehouse(built_small: Project, kill_after_seconds: float) -> None:
    project = built_small
    before = snapshot(project.db)
    append_days(project.seeds, project.data, 7, seed=7)
    build = start_build(project)
    time.sleep(kill_after_seconds)
    if build.poll() is None:
        os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=60)
    assert snapshot(project.db) == before, "the live warehouse opens with all its marts, unchanged"
    rerun = start_build(project)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read()[-3000:]
    after = snapshot(project.db)
    assert after["marts.fct_daily_sales"] == before["marts.fct_daily_sales"] + 7 * 5


def test_a_reader_keeps_its_view_during_a_build_and_sees_new_data_after(built_small: Project) -> None:
    project = built_small
    reader = duckdb.connect(str(project.db), read_only=True)
    count = "select count(*) from marts.fct_daily_sales"
    before = reader.execute(count).fetchone()[0]
    append_days(project.seeds, project.data, 3, seed=7)
    build = start_build(project)
    while build.poll() is None:
        assert reader.execute(count).fetchone()[0] == before
        time.sleep(0.5)
    assert build.returncode == 0, build.stderr.read()[-3000:]
    assert reader.execute(count).fetchone()[0] == before
    reader.close()
    with duckdb.connect(str(project.db), read_only=True) as fresh:
        assert fresh.execute(count).fetchone()[0] == before + 3 * 5


def test_registration_waits_for_every_mart_and_its_tests(built_project: Project) -> None:
    manifest = json.loads((built_project.root / "target" / "manifest.json").read_text())
    registration = manifest["nodes"]["model.warehouse.sales_model_registration"]
    parents = {node.split(".")[-1] for node in registration["depends_on"]["nodes"]}
    assert {"model_performance", "sales_model_evaluation", "sales_model_predictions", "feature_drift",
            "category_features", "sales_forecast", "feedback_top_terms", "image_quality_by_category"} <= parents


def test_the_server_survives_a_thousand_requests_with_malformed_ones(
    built_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse.server import start_server, wait_until_ready

    monkeypatch.setenv("MLFLOW_TRACKING_URI", built_project.mlflow_uri)
    rows = query(
        built_project,
        "select f.*, p.predicted from marts.sales_model_features f "
        "join marts.sales_model_predictions p using (week_start, product_category, region) limit 50",
    )
    good = list(zip(request_rows(rows), rows["predicted"]))
    malformed = [
        b'{"inputs": [{"product_category": ',
        json.dumps({"inputs": [{"product_category": "Books"}]}).encode(),
        json.dumps({"inputs": [{**good[0][0], "unexpected": 1}]}).encode(),
        json.dumps({"inputs": [{**good[0][0], "sales_rolling_mean_4w": "many"}]}).encode(),
        b"not json at all",
    ]
    rng = random.Random(0)
    n_requests = 10_000 if LONG else 1_000
    plan = [("bad", rng.choice(malformed)) if rng.random() < 0.2 else ("good", rng.choice(good)) for _ in range(n_requests)]
    port = free_port()
    server = start_server(port, workers=2)
    try:
        wait_until_ready(port, server)

        def send(item):
            kind, payload = item
            if kind == "bad":
                return kind, post(port, payload)[0], None
            features, expected = payload
            status, answer = post(port, json.dumps({"inputs": [features]}).encode())
            return kind, status, (answer["predictions"][0]["predicted_sales"], expected) if status == 200 else answer

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(send, plan))
        assert server.poll() is None, "the server is still up"
    finally:
        server.terminate()
        server.wait(timeout=30)
    bad = [status for kind, status, _ in results if kind == "bad"]
    good_answers = [(status, detail) for kind, status, detail in results if kind == "good"]
    assert bad and all(400 <= status < 500 for status in bad)
    assert all(status == 200 for status, _ in good_answers), [d for s, d in good_answers if s != 200][:3]
    assert all(abs(served - expected) < 1e-6 * max(1.0, abs(expected)) for _, (served, expected) in good_answers)


def test_a_corrupt_tracking_store_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from warehouse.tracking import TrackingStoreError, connect

    store = tmp_path / "mlflow.db"
    store.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store}")
    with pytest.raises(TrackingStoreError, match=f"MLflow tracking store sqlite:///{store} cannot be read"):
        connect()
    serve = subprocess.run([str(Path(sys.executable).with_name("warehouse")), "serve", "--port", str(free_port())],
                           env={**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{store}"},
                           capture_output=True, text=True, timeout=120)
    assert serve.returncode == 2 and "cannot be read" in serve.stderr and "Traceback" not in serve.stderr
