"""VADER scoring of feedback texts: input checks, labels, de-duplication and parallel partitions.

``score_partition`` is the per-partition unit of work: a pure function from a frame of
(feedback_id, feedback_text) to scores, so Spark's mapInPandas or Ray's map_batches can call it
as is. ``score_feedback`` routes identical texts to the same partition, so each distinct text is
scored once however many rows carry it.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from warehouse.sentiment.lexicon import default_nltk_data_dir
from warehouse.sentiment.vader import ReferenceVader

log = logging.getLogger(__name__)

# Bump when the scoring changes: it is part of the text hash, so every text is rescored.
SCORER_VERSION = "vader-3.3.2-ref-1"
# The VADER authors' cut-offs (Hutto & Gilbert 2014, vaderSentiment README): compound >= 0.05
# is positive, <= -0.05 negative, in between neutral. They are validated on human-rated text and
# keep the label comparable with other VADER users; the supervised model learns this data's own
# boundaries (measured trade-offs are in the module's README section).
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
LABELS = ("Negative", "Neutral", "Positive")
LONG_TEXT_CHARS = 5_000
SCORE_COLUMNS = ("compound", "pos", "neu", "neg")

_TAG = re.compile(r"<[^>]{0,2000}>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.I)
_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class PreparedText:
    """The text VADER scores (None when there is nothing to score) and why it was changed."""

    text: str | None
    flags: tuple[str, ...]


def sentiment_labels(compound: np.ndarray | pd.Series | list[float | None]) -> np.ndarray:
    """Negative / Neutral / Positive per compound score at the documented thresholds; None for missing."""
    values = np.asarray(pd.to_numeric(pd.Series(compound, dtype="object"), errors="coerce"), dtype="float64")
    return np.select(
        [values >= POSITIVE_THRESHOLD, values <= NEGATIVE_THRESHOLD, ~np.isnan(values)],
        ["Positive", "Negative", "Neutral"],
        default=None,
    ).astype(object)


def sentiment_label(compound: float | None) -> str | None:
    """The label of one compound score (see ``sentiment_labels``)."""
    return sentiment_labels([compound])[0]


def decode_text(raw: object) -> tuple[str | None, bool]:
    """Text from a str or bytes value; (text, had_invalid_utf8). Bad bytes become U+FFFD."""
    if raw is None or (isinstance(raw, float) and np.isnan(raw)) or raw is pd.NA:
        return None, False
    if isinstance(raw, (bytes, bytearray)):
        try:
            return bytes(raw).decode("utf-8"), False
        except UnicodeDecodeError:
            return bytes(raw).decode("utf-8", errors="replace"), True
    text = str(raw)
    if _SURROGATE.search(text):
        # Undecodable bytes read with errors="surrogateescape" arrive as lone surrogates.
        text = text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
        return text, True
    return text, "\ufffd" in text


def looks_non_english(text: str, lexicon: dict[str, float]) -> bool:
    """Heuristic: under 10% English stop words or lexicon words, or mostly non-Latin letters."""
    if not text.isascii():
        letters = len(_LETTER.findall(text))
        if letters and len(_LATIN_LETTER.findall(text)) / letters < 0.5:
            return True
    words = _WORD.findall(text.lower())
    if len(words) < 4:
        return False
    english = sum(1 for word in words if word in ENGLISH_STOP_WORDS or word in lexicon)
    return english / len(words) < 0.1


def prepare_text(raw: object, lexicon: dict[str, float]) -> PreparedText:
    """Decode, strip HTML and flag what VADER cannot judge well; never raises on one text."""
    text, invalid_utf8 = decode_text(raw)
    flags = ["invalid_utf8"] if invalid_utf8 else []
    if text is None or not text.strip():
        return PreparedText(None, tuple(flags + ["empty_text"]))
    if _TAG.search(text) or _ENTITY.search(text):
        text = html.unescape(_TAG.sub(" ", text))
        flags.append("html_removed")
        if not text.strip():
            return PreparedText(None, tuple(flags + ["empty_text"]))
    if len(text) > LONG_TEXT_CHARS:
        flags.append("long_text")
    if not text.isascii() and any(ord(char) > 0x2000 and char != "\ufffd" and not char.isalpha() for char in text):
        flags.append("emoji_or_symbols")
    if looks_non_english(text, lexicon):
        flags.append("non_english")
    return PreparedText(text, tuple(flags))


def status_from_flags(flags: tuple[str, ...]) -> str:
    """'ok', or the reasons joined by ';' in a fixed order."""
    return ";".join(flags) if flags else "ok"


def text_hash(text: str | None) -> str:
    """Hash of the raw text and the scorer version: a changed text or scorer means a rescore."""
    payload = f"{SCORER_VERSION}\x00{'' if text is None else text}"
    return hashlib.sha256(payload.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]


@lru_cache(maxsize=4)
def cached_analyzer(nltk_data_dir: str) -> ReferenceVader:
    """One analyzer per process and data folder (building it parses the 7,500-word lexicon)."""
    return ReferenceVader(Path(nltk_data_dir))


def score_partition(frame: pd.DataFrame, nltk_data_dir: str | None = None) -> pd.DataFrame:
    """Score one partition of (feedback_id, feedback_text): scores, label, status, text hash.

    Identical prepared texts inside the partition are scored once.
    """
    analyzer = cached_analyzer(str(nltk_data_dir or default_nltk_data_dir()))
    raw_texts = frame["feedback_text"].tolist()
    prepared = [prepare_text(raw, analyzer.lexicon) for raw in raw_texts]
    cleaned = [item.text for item in prepared]
    scores = {text: analyzer.polarity_scores(text) for text in dict.fromkeys(cleaned) if text is not None}
    result = pd.DataFrame(
        {"feedback_id": frame["feedback_id"].to_numpy(), "text_hash": [text_hash(_as_hashable(raw)) for raw in raw_texts]},
        index=frame.index,
    )
    for key in SCORE_COLUMNS:
        result[key] = np.array([scores[text][key] if text is not None else np.nan for text in cleaned], dtype="float64")
    result["sentiment_label"] = sentiment_labels(result["compound"].to_numpy())
    result["text_status"] = [status_from_flags(item.flags) for item in prepared]
    return result


def _as_hashable(raw: object) -> str | None:
    """The raw value as text for hashing (bytes kept distinct from their decoded form)."""
    if raw is None or raw is pd.NA or (isinstance(raw, float) and np.isnan(raw)):
        return None
    return repr(raw) if isinstance(raw, (bytes, bytearray)) else str(raw)


def partition_by_text(frame: pd.DataFrame, n_partitions: int) -> list[pd.DataFrame]:
    """Split rows so identical texts share a partition (then each is scored once overall)."""
    buckets = np.array([hash(_as_hashable(raw)) % n_partitions for raw in frame["feedback_text"]])
    return [frame[buckets == index] for index in range(n_partitions) if (buckets == index).any()]


def score_feedback(frame: pd.DataFrame, n_jobs: int = 1, nltk_data_dir: Path | None = None) -> pd.DataFrame:
    """Score every row of ``frame``; with n_jobs > 1 partitions run in worker processes."""
    data_dir = str((nltk_data_dir or default_nltk_data_dir()).resolve())
    frame = frame.reset_index(drop=True)
    if frame.empty:
        return score_partition(frame.assign(feedback_text=pd.Series(dtype=object)), data_dir)
    if n_jobs <= 1:
        return score_partition(frame, data_dir)
    partitions = partition_by_text(frame[["feedback_id", "feedback_text"]], n_jobs)
    log.info("scoring %d texts in %d partitions on %d processes", len(frame), len(partitions), n_jobs)
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        parts = list(pool.map(score_partition, partitions, [data_dir] * len(partitions)))
    return pd.concat(parts).loc[frame.index]
