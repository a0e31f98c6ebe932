"""How well the image scores work, in the long metric format every module reports in.

Without truth (users' own photos) only coverage and score levels are reported. With the
generator's truth file the scores are validated: each metric must rank photos the way the
applied degradation does (Spearman correlation), which no rescaling of a metric can fake.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from warehouse.vision.loading import STATUSES

log = logging.getLogger(__name__)

MODEL_NAME = "image_quality_scorer"
DOMAIN = "vision"
EVALUATION_COLUMNS: tuple[str, ...] = ("model_name", "domain", "metric_name", "metric_value")

# (score column, truth column, transform of the truth) validated by Spearman correlation.
VALIDATIONS: tuple[tuple[str, str, str], ...] = (
    ("sharpness", "blur_sigma", "identity"),
    ("laplacian_variance", "blur_sigma", "identity"),
    ("noise_level", "noise_sigma", "identity"),
    ("exposure_bias", "exposure_gain", "log"),
    ("quality_score", "total_degradation", "identity"),
)


def read_truth(path: str | Path | None) -> pd.DataFrame | None:
    """The generator's degradation truth, or None (logged) when there is none."""
    if not path or not Path(path).is_file():
        log.info("no image truth file at %s: the truth is unknown, validations are skipped", path)
        return None
    return pd.read_csv(path)


def coverage_metrics(scores: pd.DataFrame) -> dict[str, float]:
    """Counts per status, the share scored, and the level of the quality score."""
    ok = scores[scores["status"] == "ok"]
    counts = scores["status"].value_counts()
    metrics: dict[str, float] = {"images_total": float(len(scores))}
    metrics |= {f"images_{status}": float(counts.get(status, 0)) for status in STATUSES}
    metrics["share_ok"] = float(len(ok) / len(scores)) if len(scores) else float("nan")
    metrics["mean_quality_score"] = float(ok["quality_score"].mean())
    metrics["median_quality_score"] = float(ok["quality_score"].median())
    return metrics


def truth_metrics(scores: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Spearman correlation of each score with the degradation it should track."""
    joined = scores[scores["status"] == "ok"].merge(truth, on="image_id", how="inner")
    metrics: dict[str, float] = {"images_with_truth": float(len(joined))}
    for score, truth_column, transform in VALIDATIONS:
        reference = np.log(joined[truth_column]) if transform == "log" else joined[truth_column]
        name = f"spearman_{score}_vs_{'log_' if transform == 'log' else ''}{truth_column}"
        metrics[name] = float(spearmanr(joined[score], reference)[0]) if len(joined) > 2 else float("nan")
    return metrics


def evaluation_metrics(scores: pd.DataFrame, truth: pd.DataFrame | None) -> pd.DataFrame:
    """Rows of (model_name, domain, metric_name, metric_value); truth rows only with truth."""
    metrics = coverage_metrics(scores)
    if truth is not None:
        metrics |= truth_metrics(scores, truth)
    for name, value in metrics.items():
        if name.startswith("spearman_"):
            log.info("%s = %.3f", name, value)
    frame = pd.DataFrame({"metric_name": list(metrics), "metric_value": list(metrics.values())})
    frame.insert(0, "domain", DOMAIN)
    frame.insert(0, "model_name", MODEL_NAME)
    frame["metric_value"] = frame["metric_value"].astype("float64")
    return frame[list(EVALUATION_COLUMNS)]
