"""Terms that characterise each category's feedback, overall and per sentiment label.

Ranked by mean TF-IDF (uni- and bigrams, English stop words out) over the group's feedback.
The category's own name ("electronics", "books" and "book") and terms common to every category
("happy", "recommend") are removed: they rank high everywhere and say nothing about a category.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from warehouse.sentiment.scoring import LABELS

ALL_LABEL = "All"
TOP_TERMS_COLUMNS = ("product_category", "sentiment_label", "term", "tfidf", "term_rank", "n_feedback")
_TOKEN = re.compile(r"[a-z0-9]+")


def name_tokens(category: str) -> set[str]:
    """The words of a category name with simple singular and plural forms."""
    tokens = set(_TOKEN.findall(category.lower()))
    return tokens | {token[:-1] for token in tokens if token.endswith("s")} | {token + "s" for token in tokens}


def common_terms(matrix, categories: np.ndarray, vocabulary: np.ndarray, min_share: float) -> set[str]:
    """Terms found in at least ``min_share`` of the feedback of every category (needs two+)."""
    names = pd.unique(categories)
    if len(names) < 2:
        return set()
    present = matrix > 0
    shares = np.vstack([np.asarray(present[categories == name].mean(axis=0)).ravel() for name in names])
    return set(vocabulary[(shares >= min_share).all(axis=0)])


def rank_group(mean_tfidf: np.ndarray, vocabulary: np.ndarray, excluded: set[str], top_n: int) -> list[tuple[str, float]]:
    """The group's strongest allowed terms, ties broken alphabetically."""
    order = np.lexsort((vocabulary, -mean_tfidf))
    ranked = []
    for index in order:
        if mean_tfidf[index] <= 0 or len(ranked) == top_n:
            break
        if vocabulary[index] not in excluded:
            ranked.append((str(vocabulary[index]), float(mean_tfidf[index])))
    return ranked


def top_terms(frame: pd.DataFrame, top_n: int = 10, common_min_share: float = 0.01) -> pd.DataFrame:
    """Top terms per (product_category, sentiment_label), label 'All' for the whole category.

    ``frame`` has product_category, text and sentiment_label (Negative/Neutral/Positive).
    """
    if frame.empty:
        return pd.DataFrame(columns=list(TOP_TERMS_COLUMNS))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), stop_words="english", sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(frame["text"])
    except ValueError:  # every text is stop words only
        return pd.DataFrame(columns=list(TOP_TERMS_COLUMNS))
    vocabulary = vectorizer.get_feature_names_out()
    categories = frame["product_category"].to_numpy()
    labels = frame["sentiment_label"].to_numpy()
    shared = common_terms(matrix, categories, vocabulary, common_min_share)
    records = []
    for category in sorted(pd.unique(categories)):
        own_name = name_tokens(category)
        excluded = shared | {term for term in vocabulary if own_name & set(term.split())}
        in_category = categories == category
        for label in (ALL_LABEL, *LABELS):
            rows = in_category if label == ALL_LABEL else in_category & (labels == label)
            if not rows.any():
                continue
            mean_tfidf = np.asarray(matrix[rows].mean(axis=0)).ravel()
            for rank, (term, score) in enumerate(rank_group(mean_tfidf, vocabulary, excluded, top_n), start=1):
                records.append((category, label, term, score, rank, int(rows.sum())))
    return pd.DataFrame.from_records(records, columns=list(TOP_TERMS_COLUMNS))
