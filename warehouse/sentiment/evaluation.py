"""VADER and the supervised model judged on the same later (test) rows against the ratings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, f1_score

from warehouse.sentiment.scoring import LABELS

DOMAIN = "nlp"
# model name -> (score column, label column) in feedback_sentiment
MODELS = {
    "vader": ("compound", "sentiment_label"),
    "tfidf_logistic_regression": ("supervised_score", "supervised_label"),
}
EVALUATION_COLUMNS = ("model_name", "domain", "metric_name", "metric_value")


def model_metrics(test: pd.DataFrame, score_column: str, label_column: str) -> dict[str, float]:
    """Spearman(score, rating), accuracy and macro F1 of the label vs the rating class."""
    rows = test.dropna(subset=[score_column, label_column])
    if len(rows) < 2:
        return {"n_test_rows": float(len(rows))}
    rho = spearmanr(rows[score_column], rows["rating"]).statistic
    return {
        "spearman_rating": float(rho) if np.isfinite(rho) else np.nan,
        "accuracy": float(accuracy_score(rows["rating_class"], rows[label_column])),
        "macro_f1": float(f1_score(rows["rating_class"], rows[label_column], labels=list(LABELS), average="macro", zero_division=0)),
        "n_test_rows": float(len(rows)),
    }


def evaluate(sentiment: pd.DataFrame) -> pd.DataFrame:
    """Long-format metrics (model_name, domain, metric_name, metric_value) on the test split.

    Both models are scored on the same rows: test rows that both have a score for.
    """
    columns = [column for pair in MODELS.values() for column in pair]
    test = sentiment[sentiment["split"] == "test"].dropna(subset=columns)
    records = [
        {"model_name": name, "domain": DOMAIN, "metric_name": metric, "metric_value": value}
        for name, (score, label) in MODELS.items()
        for metric, value in model_metrics(test, score, label).items()
    ]
    return pd.DataFrame(records, columns=list(EVALUATION_COLUMNS)).astype({"metric_value": "float64"})
