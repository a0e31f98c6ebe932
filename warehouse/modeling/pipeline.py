"""What the ml dbt Python models call: train, track, and read a run's outputs back."""

from __future__ import annotations

import logging
import tempfile
import uuid
from pathlib import Path

import mlflow
import pandas as pd

from warehouse import drift, tracking
from warehouse.modeling import figures
from warehouse.modeling.features import CATEGORICAL, relative_to_reference
from warehouse.modeling.training import (
    available_features,
    metrics_frame,
    split_by_weeks,
    train_sales_model,
    usable_rows,
)

log = logging.getLogger(__name__)


def train_and_track(features: pd.DataFrame) -> pd.DataFrame:
    """Train the sales model, log the build's run to MLflow, return the integrated metrics.

    It reads the features alone, so it trains while the forecasts are fitted; the other
    domains' metrics join the run when the build registers it (``register``).
    """
    result = train_sales_model(features)
    integrated = metrics_frame(result)
    plots = {
        "actual_vs_predicted": figures.actual_vs_predicted(result.predictions),
        "residuals": figures.residuals_over_time(result.predictions),
        "feature_importance": figures.feature_importance_bars(result.importance),
    }
    record = tracking.log_build_run(result, integrated, plots, build_id=uuid.uuid4().hex)
    return integrated.assign(
        trained_through=pd.Timestamp(features["week_start"].max()).date(),
        mlflow_run_id=record.run_id,
        model_version=record.model_version,
        promoted_to_champion=record.promoted,
        champion_decision=record.decision,
    )


def run_artifact(evaluation: pd.DataFrame, artifact: str) -> pd.DataFrame:
    """A table the build's MLflow run logged (predictions.parquet, feature_importance.csv)."""
    run_id = str(evaluation["mlflow_run_id"].iloc[0])
    tracking.connect()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=artifact, dst_path=folder))
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def drift_report(features: pd.DataFrame, window_weeks: int, trained_through: object = None) -> pd.DataFrame:
    """Drift of each model feature as the forest reads it (sales history and the drivers'
    four-week means relative to their reference, so the sales trend alone is no drift): the
    weeks the model was trained on against the latest ``window_weeks``.

    ``trained_through`` is the last feature week of the model's training run
    (sales_model_evaluation), so a model kept by the retrain policy is compared with the
    weeks it learned from; None takes the training split of all of ``features``.
    """
    frame = relative_to_reference(usable_rows(features))
    numeric, _ = available_features(frame)
    seen = frame if trained_through is None else frame[frame["week_start"] <= pd.Timestamp(trained_through)]
    train, _ = split_by_weeks(seen)
    weeks = sorted(frame["week_start"].unique())
    window = frame[frame["week_start"].isin(weeks[-window_weeks:])]
    log.info("drift: %d reference rows (training weeks) against %d rows of the latest %d weeks",
             len(train), len(window), window_weeks)
    return drift.feature_drift(train, window, numeric, list(CATEGORICAL))


def register(evaluation: pd.DataFrame, domain_metrics: list[pd.DataFrame]) -> pd.DataFrame:
    """Register the build's model (it only runs once every upstream model and test passed),
    with the other domains' evaluation rows logged in its run."""
    first = evaluation.iloc[0]
    promote = bool(first["promoted_to_champion"])
    version = tracking.register_build(str(first["mlflow_run_id"]), str(first["model_version"]), promote,
                                      pd.concat(domain_metrics, ignore_index=True))
    return pd.DataFrame(
        [{
            "mlflow_run_id": first["mlflow_run_id"],
            "model_name": tracking.MODEL_NAME,
            "model_version": version,
            "champion": promote,
            "champion_decision": first["champion_decision"],
            "registered_at": pd.Timestamp.now(tz="UTC").tz_localize(None),
        }]
    )
