"""A supervised sentiment model beside VADER: TF-IDF uni- and bigrams and a logistic regression
trained on the star ratings, with a time-based split (train on earlier feedback, test on later).

Lexicons miss domain phrases ("fell apart", "runs small"); the ratings teach them. The model is
trained on the five star values and its score is the expected rating, which ranks reviews more
finely than three classes; its label groups the star probabilities into the three classes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from warehouse.sentiment.scoring import LABELS

log = logging.getLogger(__name__)

VALID_RATINGS = (1, 2, 3, 4, 5)
TEST_SHARE = 0.2
MIN_TRAIN_ROWS = 20


@dataclass(frozen=True)
class SupervisedPredictions:
    """Per-row label, the label's probability, and a -1..1 score (expected rating rescaled)."""

    label: pd.Series
    probability: pd.Series
    score: pd.Series


def rating_class(rating: float | None) -> str | None:
    """Rating class of a star rating: 1-2 Negative, 3 Neutral, 4-5 Positive; None if invalid."""
    if rating is None or pd.isna(rating) or rating not in VALID_RATINGS:
        return None
    return "Negative" if rating <= 2 else "Neutral" if rating == 3 else "Positive"


def rating_flags(rating: float | None) -> tuple[str, ...]:
    """Why a rating cannot be used as a label: missing, or outside 1..5 (or not whole)."""
    if rating is None or pd.isna(rating):
        return ("rating_missing",)
    return () if rating in VALID_RATINGS else ("rating_out_of_range",)


def time_split(dates: pd.Series, labelled: pd.Series, test_share: float = TEST_SHARE) -> pd.Series:
    """'train' up to the cutoff day, 'test' after it, 'unlabelled' without a valid rating.

    The cutoff is a day, so no test row is earlier than (or on the same day as) a train row.
    """
    dates = pd.to_datetime(dates)
    split = pd.Series("unlabelled", index=dates.index, dtype=object)
    labelled_dates = dates[labelled & dates.notna()]
    if labelled_dates.empty:
        return split
    cutoff = labelled_dates.quantile(1 - test_share, interpolation="lower")
    split[labelled & (dates <= cutoff)] = "train"
    split[labelled & (dates > cutoff)] = "test"
    return split


def build_classifier() -> Pipeline:
    """TF-IDF (uni+bigrams, sublinear tf) into a class-balanced multinomial logistic regression."""
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000),
    )


def fit_classifier(texts: pd.Series, ratings: pd.Series) -> Pipeline | None:
    """Fit on star ratings; None when there are too few rows or fewer than two rating values."""
    if len(texts) < MIN_TRAIN_ROWS or ratings.nunique() < 2:
        log.warning("supervised model not trained: %d rows, %d rating values", len(texts), ratings.nunique())
        return None
    return build_classifier().fit(texts, ratings.astype(int))


def predict(model: Pipeline | None, texts: pd.Series) -> SupervisedPredictions:
    """Grouped-class label and probability and the expected-rating score for each text."""
    if model is None or texts.empty:
        empty = pd.Series(np.nan, index=texts.index)
        return SupervisedPredictions(empty.astype(object), empty, empty)
    probabilities = model.predict_proba(texts)
    stars = model.classes_.astype(float)
    grouped = np.column_stack(
        [probabilities[:, [rating_class(star) == label for star in stars]].sum(axis=1) for label in LABELS]
    )
    best = grouped.argmax(axis=1)
    return SupervisedPredictions(
        label=pd.Series(np.asarray(LABELS, dtype=object)[best], index=texts.index),
        probability=pd.Series(grouped[np.arange(len(best)), best], index=texts.index),
        score=pd.Series((probabilities @ stars - 3.0) / 2.0, index=texts.index),
    )
