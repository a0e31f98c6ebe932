"""MLflow tracking: explicit model requirements, artifacts beside the SQLite store, one logged run."""

from __future__ import annotations

import importlib.metadata
import uuid
from pathlib import Path

import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from tests.test_sales_model import synthetic_features
from warehouse import tracking
from warehouse.modeling.training import metrics_frame, train_sales_model


def test_model_requirements_pin_the_installed_versions() -> None:
    requirements = tracking.model_requirements()
    pinned = dict(requirement.split("==") for requirement in requirements)
    assert set(pinned) == set(tracking.MODEL_PACKAGES)
    assert {"scikit-learn", "pandas", "cloudpickle", "warehouse"} <= set(pinned)
    for name, version in pinned.items():
        assert version == importlib.metadata.version(name)


def test_artifacts_go_beside_a_sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert tracking.artifact_location(f"sqlite:///{tmp_path}/store/mlflow.db") == (tmp_path / "store/mlartifacts").as_uri()
    monkeypatch.chdir(tmp_path)
    assert tracking.artifact_location("sqlite:///data/mlflow.db") == (tmp_path / "data/mlartifacts").as_uri()
    assert tracking.artifact_location("http://127.0.0.1:5000") is None


def test_a_new_experiment_keeps_its_artifacts_beside_the_store_an_existing_one_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'new' / 'mlflow.db'}")
    (tmp_path / "new").mkdir()
    client = tracking.connect()
    created = tracking.experiment_id(client)
    assert tracking.experiment_id(client) == created
    assert client.get_experiment(created).artifact_location == (tmp_path / "new" / "mlartifacts").as_uri()

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'old' / 'mlflow.db'}")
    (tmp_path / "old").mkdir()
    client = tracking.connect()
    earlier = client.create_experiment(tracking.EXPERIMENT, artifact_location=(tmp_path / "elsewhere").as_uri())
    assert tracking.experiment_id(client) == earlier
    assert client.get_experiment(earlier).artifact_location == (tmp_path / "elsewhere").as_uri()


def test_a_logged_run_writes_nothing_into_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    store.mkdir()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store / 'mlflow.db'}")
    working = tmp_path / "cwd"
    working.mkdir()
    monkeypatch.chdir(working)
    result = train_sales_model(synthetic_features())
    record = tracking.log_build_run(result, metrics_frame(result), {}, build_id=uuid.uuid4().hex)

    assert list(working.iterdir()) == []
    run = MlflowClient().get_run(record.run_id)
    assert run.info.artifact_uri.startswith((store / "mlartifacts").as_uri())
    requirements = next((store / "mlartifacts").rglob("requirements.txt")).read_text().split()
    assert set(tracking.model_requirements()) <= set(requirements)
    assert run.data.params["interval"] == str(result.best_params["interval"])
    assert pd.notna(run.data.metrics["integrated.sales_model.test_mae"])
