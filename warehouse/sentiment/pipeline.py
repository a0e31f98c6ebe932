"""The NLP marts as functions of frames: what the dbt Python models call (they stay glue)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse.sentiment.lexicon import default_nltk_data_dir
from warehouse.sentiment.scoring import cached_analyzer, prepare_text, score_feedback, text_hash
from warehouse.sentiment.supervised import fit_classifier, predict, rating_class, rating_flags, time_split

log = logging.getLogger(__name__)

FEEDBACK_SENTIMENT_COLUMNS = (
    "feedback_id", "feedback_date", "product_category", "rating", "rating_class",
    "compound", "pos", "neu", "neg", "sentiment_label",
    "supervised_label", "supervised_probability", "supervised_score", "split", "status",
)

VADER_SCORES_DTYPES = {
    "feedback_id": "int64", "text_hash": "string", "compound": "float64", "pos": "float64",
    "neu": "float64", "neg": "float64", "sentiment_label": "string", "text_status": "string",
    "scored_at": "datetime64[us]",
}


def rows_to_score(feedback: pd.DataFrame, scored: pd.DataFrame | None) -> pd.DataFrame:
    """Feedback rows never scored, or whose text (or the scorer) changed since."""
    if scored is None or scored.empty:
        return feedback
    hashes = feedback["feedback_text"].map(text_hash)
    known = scored.set_index("feedback_id")["text_hash"]
    previous = feedback["feedback_id"].map(known)
    return feedback[previous.isna() | (previous != hashes)]


def incremental_vader_scores(
    feedback: pd.DataFrame, scored: pd.DataFrame | None, n_jobs: int = 1
) -> pd.DataFrame:
    """VADER scores for the rows that need them (all rows on a first or full build)."""
    todo = rows_to_score(feedback[["feedback_id", "feedback_text"]], scored)
    log.info("VADER: %d of %d feedback rows need scoring", len(todo), len(feedback))
    scores = score_feedback(todo, n_jobs=n_jobs)
    scores["scored_at"] = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("us")
    # Fixed types: an empty frame (nothing to rescore) must not look like a schema change.
    return scores.astype(VADER_SCORES_DTYPES)


def cleaned_texts(texts: pd.Series) -> pd.Series:
    """The text VADER saw (HTML removed, bytes decoded), '' when there is none."""
    lexicon = cached_analyzer(str(default_nltk_data_dir().resolve())).lexicon
    return texts.map(lambda raw: prepare_text(raw, lexicon).text or "")


def combine_status(text_status: pd.Series, ratings: pd.Series) -> pd.Series:
    """The text's status plus the rating's: 'ok' or reasons joined by ';'."""
    def one(status: object, rating: object) -> str:
        reasons = [] if status in (None, "ok") or pd.isna(status) else str(status).split(";")
        reasons += rating_flags(rating)
        return ";".join(reasons) if reasons else "ok"

    return pd.Series([one(s, r) for s, r in zip(text_status, ratings)], index=text_status.index)


def feedback_sentiment(feedback: pd.DataFrame, vader_scores: pd.DataFrame) -> pd.DataFrame:
    """One row per feedback: VADER scores and label, the supervised model's, split and status."""
    frame = feedback.merge(vader_scores.drop(columns=["text_hash"]), on="feedback_id", how="left")
    frame["feedback_date"] = pd.to_datetime(frame["feedback_date"]).dt.date
    frame["rating_class"] = frame["rating"].map(rating_class)
    frame["split"] = time_split(frame["feedback_date"], frame["rating_class"].notna())
    texts = cleaned_texts(frame["feedback_text"])
    train = frame["split"] == "train"
    model = fit_classifier(texts[train], frame.loc[train, "rating"])
    predictions = predict(model, texts)
    frame["supervised_label"] = predictions.label
    frame["supervised_probability"] = predictions.probability.astype("float64")
    frame["supervised_score"] = predictions.score.astype("float64")
    frame["status"] = combine_status(frame["text_status"], frame["rating"])
    frame["rating"] = frame["rating"].astype("Int64")
    # Typed even when every value is null or there is no feedback at all, so the columns keep
    # their SQL types (VARCHAR, DATE) instead of DuckDB's NULL type.
    for column in ("product_category", "rating_class", "sentiment_label", "supervised_label", "split", "status"):
        frame[column] = frame[column].astype("string")
    frame["feedback_date"] = frame["feedback_date"].astype(pd.ArrowDtype(pa.date32()))
    log.info("feedback_sentiment: %d rows, split %s", len(frame), frame["split"].value_counts().to_dict())
    return frame[list(FEEDBACK_SENTIMENT_COLUMNS)].sort_values("feedback_id").reset_index(drop=True)


def label_for_terms(sentiment: pd.DataFrame) -> pd.Series:
    """The customer's own verdict (rating class) where the rating is valid, else the model's."""
    return sentiment["rating_class"].where(sentiment["rating_class"].notna(), sentiment["supervised_label"])


def top_terms_input(feedback: pd.DataFrame, sentiment: pd.DataFrame) -> pd.DataFrame:
    """product_category, cleaned text and sentiment label per feedback, for term extraction."""
    frame = feedback[["feedback_id", "feedback_text"]].merge(sentiment, on="feedback_id")
    return pd.DataFrame(
        {
            "product_category": frame["product_category"],
            "text": cleaned_texts(frame["feedback_text"]),
            "sentiment_label": label_for_terms(frame),
        }
    ).replace({"text": {"": np.nan}}).dropna(subset=["text"])
