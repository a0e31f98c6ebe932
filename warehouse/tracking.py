"""MLflow tracking for the sales model: one run per build, registry, and the champion alias."""

from __future__ import annotations

import importlib.metadata
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from warehouse.errors import WarehouseError
from warehouse.modeling.serving import SalesModel, request_rows
from warehouse.modeling.training import TrainingResult

log = logging.getLogger(__name__)

MODEL_NAME = "sales_model"
CHAMPION = "champion"
EXPERIMENT = "retail-warehouse"
DEFAULT_STORE = Path("data/mlflow.db")
CHAMPION_METRIC = "integrated.sales_model.test_mae"
# The experiment's artifacts beside a SQLite store (MLflow's default is ./mlruns in the cwd).
ARTIFACT_FOLDER = "mlartifacts"
# What unpickling and calling the logged model imports (pandas 3 keeps strings in pyarrow).
# Named, MLflow skips inferring them by loading the model in a child process (seconds a build).
MODEL_PACKAGES: tuple[str, ...] = (
    "mlflow", "cloudpickle", "numpy", "pandas", "pyarrow", "scikit-learn", "scipy", "pydantic", "warehouse",
)


class TrackingStoreError(WarehouseError):
    """The MLflow tracking store cannot be reached or read; the message says which and why."""


@dataclass(frozen=True)
class RunRecord:
    """What a build's MLflow run produced."""

    run_id: str
    model_version: str
    promoted: bool
    decision: str


def tracking_uri() -> str:
    """env MLFLOW_TRACKING_URI, default a SQLite file data/mlflow.db (absolute, so cwd-proof)."""
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if uri:
        return uri
    DEFAULT_STORE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_STORE.resolve()}"


def connect() -> MlflowClient:
    """Point mlflow at the store and check that it answers."""
    uri = tracking_uri()
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        client = MlflowClient()
        client.search_experiments(max_results=1)
    except Exception as error:  # the store's own exception types vary by backend
        raise TrackingStoreError(f"MLflow tracking store {uri} cannot be read: {error}") from error
    return client


def artifact_location(uri: str) -> str | None:
    """Where a new experiment keeps its artifacts: for a SQLite store ``sqlite:///path/to/mlflow.db``,
    ``path/to/mlartifacts`` (as a file URI); None (the store's default) for any other store."""
    if not uri.startswith("sqlite:///"):
        return None
    database = Path(uri.removeprefix("sqlite:///"))
    return (database.resolve().parent / ARTIFACT_FOLDER).as_uri()


def experiment_id(client: MlflowClient) -> str:
    """The build experiment, created with its artifacts beside the store when it does not exist
    yet; an existing experiment keeps the artifact location it was created with."""
    existing = client.get_experiment_by_name(EXPERIMENT)
    if existing is not None:
        return existing.experiment_id
    return client.create_experiment(EXPERIMENT, artifact_location=artifact_location(tracking_uri()))


def model_requirements(packages: tuple[str, ...] = MODEL_PACKAGES) -> list[str]:
    """The logged model's pip requirements: each package pinned to its installed version."""
    return [f"{name}=={importlib.metadata.version(name)}" for name in packages]


def metric_key(domain: str, model_name: str, metric_name: str) -> str:
    """The MLflow metric name of a model_performance row."""
    return f"{domain}.{model_name}.{metric_name}"


def champion_test_mae(client: MlflowClient) -> tuple[str, float] | None:
    """The current champion's version and test MAE, or None when there is no champion yet."""
    try:
        version = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    except MlflowException:
        return None
    run = client.get_run(version.run_id)
    return version.version, float(run.data.metrics[CHAMPION_METRIC])


def next_version(client: MlflowClient) -> str:
    """The version number the registry will give the next registration."""
    try:
        versions = client.search_model_versions(f"name = '{MODEL_NAME}'")
    except MlflowException:
        return "1"
    return str(max((int(v.version) for v in versions), default=0) + 1)


def decide_champion(new_mae: float, current: tuple[str, float] | None) -> tuple[bool, str]:
    """Promote when there is no champion or the new test MAE is not worse than the champion's."""
    if current is None:
        return True, "no champion yet"
    version, mae = current
    if new_mae <= mae:
        return True, f"test MAE {new_mae:.2f} <= champion v{version}'s {mae:.2f}"
    return False, f"test MAE {new_mae:.2f} > champion v{version}'s {mae:.2f}: champion kept"


def metric_values(rows: pd.DataFrame) -> dict[str, float]:
    """model_performance-shaped rows (domain, model_name, metric_name, metric_value) as MLflow metrics."""
    return {
        metric_key(row.domain, row.model_name, row.metric_name): float(row.metric_value)
        for row in rows.itertuples()
        if pd.notna(row.metric_value)
    }


def log_build_run(
    result: TrainingResult,
    model_metrics: pd.DataFrame,
    figures: dict[str, object],
    build_id: str,
) -> RunRecord:
    """Log one build's run: parameters, the sales model's and baselines' metrics, artifacts
    and the model.

    Nothing is registered here: ``register_build`` does that at the end of a build whose
    models and tests all passed, and adds the other domains' metrics to the run then. The
    champion decision is taken now (against the current champion) and applied then.
    """
    client = connect()
    with (
        mlflow.start_run(experiment_id=experiment_id(client), run_name=f"build-{build_id[:8]}") as run,
        tempfile.TemporaryDirectory() as folder,
    ):
        mlflow.log_params(
            {
                **{key.split("__")[-1]: value for key, value in result.best_params.items()},
                "features": ",".join(result.features),
                "dropped_features": ",".join(result.dropped_features) or "none",
                "train_weeks": " to ".join(result.train_weeks),
                "test_weeks": " to ".join(result.test_weeks),
            }
        )
        mlflow.log_metrics(metric_values(model_metrics))
        out = Path(folder)
        result.importance.to_csv(out / "feature_importance.csv", index=False)
        result.predictions.to_parquet(out / "predictions.parquet", index=False)
        mlflow.log_artifact(str(out / "feature_importance.csv"))
        mlflow.log_artifact(str(out / "predictions.parquet"))
        for name, figure in figures.items():
            mlflow.log_figure(figure, f"figures/{name}.html")
        version = next_version(client)
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=SalesModel(result.model, result.features, version),
            input_example=request_rows(result.example_rows),
            pip_requirements=model_requirements(),
        )
        promoted, decision = decide_champion(result.metrics["sales_model"]["test_mae"], champion_test_mae(client))
        mlflow.set_tags(
            {"model_uri": info.model_uri, "expected_version": version, "champion_decision": decision,
             "registration": "pending: registered when the whole build passes"}
        )
        mlflow.log_metric("promoted_to_champion", float(promoted))
        log.info("MLflow run %s logged (version %s on registration); %s", run.info.run_id, version, decision)
        return RunRecord(run.info.run_id, version, promoted, decision)


def register_build(run_id: str, expected_version: str, promote: bool, domain_metrics: pd.DataFrame | None = None) -> str:
    """Register the run's model as ``sales_model``, move ``champion`` if it was decided, and
    log ``domain_metrics`` (the other domains' evaluation rows of this build) in the run, so it
    carries the same numbers as model_performance."""
    client = connect()
    run = client.get_run(run_id)
    if "registered_version" in run.data.tags:  # a build that kept the model (refit policy)
        log.info("run %s is already %s v%s", run_id, MODEL_NAME, run.data.tags["registered_version"])
        return run.data.tags["registered_version"]
    registered = mlflow.register_model(run.data.tags["model_uri"], MODEL_NAME)
    if str(registered.version) != expected_version:
        raise TrackingStoreError(
            f"registry gave version {registered.version}, expected {expected_version}: another build registered meanwhile"
        )
    if domain_metrics is not None and not domain_metrics.empty:
        now = int(time.time() * 1000)
        client.log_batch(run_id, metrics=[Metric(key, value, now, 0) for key, value in metric_values(domain_metrics).items()])
    if promote:
        client.set_registered_model_alias(MODEL_NAME, CHAMPION, registered.version)
    client.set_tag(run_id, "registration", f"registered as {MODEL_NAME} v{registered.version}")
    client.set_tag(run_id, "registered_version", str(registered.version))
    log.info("registered %s v%s%s", MODEL_NAME, registered.version, f"; {CHAMPION} moved" if promote else "")
    return str(registered.version)
