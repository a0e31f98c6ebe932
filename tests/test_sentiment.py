"""The NLP module: offline lexicon, VADER equal to the reference, labels, bad input, the
supervised model's time split, its evaluation, top terms, and the incremental dbt models."""

from __future__ import annotations

import socket
import zipfile
from pathlib import Path

import duckdb
import nltk
import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as ReferenceAnalyzer

from tests.conftest import Project
from warehouse.sentiment import figures
from warehouse.sentiment.evaluation import EVALUATION_COLUMNS, evaluate
from warehouse.sentiment.lexicon import LEXICON_ZIP
from warehouse.sentiment.pipeline import feedback_sentiment, incremental_vader_scores, rows_to_score
from warehouse.sentiment.scoring import (
    LONG_TEXT_CHARS,
    partition_by_text,
    score_feedback,
    score_partition,
    sentiment_label,
)
from warehouse.sentiment.supervised import time_split
from warehouse.sentiment.terms import top_terms
from warehouse.sentiment.vader import ReferenceVader
from warehouse.synthetic.feedback import generate_feedback
from warehouse.synthetic.world import World

NLP_MODELS = (
    "+int_feedback_vader_scored +feedback_sentiment feedback_top_terms sentiment_evaluation "
    "feedback_sentiment_monthly int_feedback_aggregated_to_category stg_product_categories"
)
# Texts that exercise the rules where nltk's port and the reference differ.
TRICKY_TEXTS = (
    "No complaints about the screen, no good, no bad",
    "good good but good bad good",
    "The fit is good. The fabric is not good.",
    "Without a doubt, excellent idea.",
    "Sentiment analysis has never been this good!",
    "The book was only kind of good.",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "I :) love😁it, a total disaster?!?",
    "At least it isn't a horrible book.",
    "It was to die for, incredible value",
)
BAD_TEXTS = {
    "null": None,
    "empty": "",
    "whitespace": " \t\n ",
    "long": "The battery is great but the screen broke. " * 2400,
    "html": "<p>Great <b>screen</b> &amp; awful battery</p>",
    "emoji": "Love it 😍🔥 but the strap 💔",
    "german": "Das Produkt ist leider kaputt und sehr teuer gewesen",
    "chinese": "这个产品很好，但是电池不行",
    "invalid_utf8_bytes": b"great \xff\xfe value",
    "surrogate_escaped": "caf\udcc3 was fine",
}


@pytest.fixture(scope="module")
def nltk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nltk_data")


@pytest.fixture(scope="module")
def analyzer(nltk_dir: Path) -> ReferenceVader:
    return ReferenceVader(nltk_dir)


@pytest.fixture(scope="module")
def feedback() -> pd.DataFrame:
    """1,500 synthetic reviews (scale 1), renamed as stg_feedback has them."""
    rows, _ = generate_feedback(np.random.default_rng(11), World(), 1500)
    return rows.rename(columns={"date": "feedback_date"})


@pytest.fixture()
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any network connection or nltk.download attempt fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(nltk, "download", refuse)


def test_lexicon_is_packed_and_loaded_offline(tmp_path: Path, offline: None) -> None:
    analyzer = ReferenceVader(tmp_path)
    with zipfile.ZipFile(tmp_path / LEXICON_ZIP) as archive:
        assert "vader_lexicon/vader_lexicon.txt" in archive.namelist()
    assert len(analyzer.lexicon) > 7000
    assert analyzer.polarity_scores("The screen is great")["compound"] > 0.5


def test_scores_equal_the_reference_implementation(analyzer: ReferenceVader, feedback: pd.DataFrame) -> None:
    reference = ReferenceAnalyzer()
    texts = [*feedback["feedback_text"], *TRICKY_TEXTS]
    # The reference is quadratic in text length (37 s on the 100,000-character text), so the
    # long case is compared on a 6,000-character text; the rules do not depend on length.
    texts += [text[:6000] for text in BAD_TEXTS.values() if isinstance(text, str) and text.strip()]
    mismatches = [text for text in texts if analyzer.polarity_scores(text) != reference.polarity_scores(text)]
    assert mismatches == []


def test_stock_nltk_differs_from_the_reference(analyzer: ReferenceVader) -> None:
    """Why the subclass exists: nltk's own rules give other scores on review-like text."""
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    stock = SentimentIntensityAnalyzer(lexicon_file="sentiment/vader_lexicon.zip/vader_lexicon/vader_lexicon.txt")
    reference = ReferenceAnalyzer()
    differing = [text for text in TRICKY_TEXTS if stock.polarity_scores(text) != reference.polarity_scores(text)]
    assert len(differing) >= 3


@pytest.mark.parametrize(
    ("compound", "label"),
    [(0.05, "Positive"), (0.9, "Positive"), (0.0499, "Neutral"), (0.0, "Neutral"),
     (-0.0499, "Neutral"), (-0.05, "Negative"), (-1.0, "Negative"), (None, None), (float("nan"), None)],
)
def test_label_thresholds(compound: float | None, label: str | None) -> None:
    assert sentiment_label(compound) == label


def test_identical_texts_are_scored_once(nltk_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = ReferenceVader.polarity_scores

    def counting(self: ReferenceVader, text: str) -> dict[str, float]:
        calls.append(text)
        return original(self, text)

    monkeypatch.setattr(ReferenceVader, "polarity_scores", counting)
    frame = pd.DataFrame({"feedback_id": range(6), "feedback_text": ["good", "bad", "good", "good", "bad", "meh"]})
    scored = score_partition(frame, str(nltk_dir))
    assert sorted(calls) == ["bad", "good", "meh"]
    assert scored.loc[0, "compound"] == scored.loc[2, "compound"] == scored.loc[3, "compound"]


def test_partitions_keep_identical_texts_together_and_match_serial(nltk_dir: Path, feedback: pd.DataFrame) -> None:
    frame = feedback[["feedback_id", "feedback_text"]].head(300)
    parts = partition_by_text(pd.concat([frame, frame.assign(feedback_id=frame["feedback_id"] + 10_000)]), 2)
    texts_per_part = [set(part["feedback_text"]) for part in parts]
    assert not texts_per_part[0] & texts_per_part[1]
    serial = score_feedback(frame, n_jobs=1, nltk_data_dir=nltk_dir)
    parallel = score_feedback(frame, n_jobs=2, nltk_data_dir=nltk_dir)
    pd.testing.assert_frame_equal(serial, parallel)


def test_bad_inputs_are_scored_or_flagged(nltk_dir: Path) -> None:
    frame = pd.DataFrame({"feedback_id": range(len(BAD_TEXTS)), "feedback_text": list(BAD_TEXTS.values())})
    scored = score_partition(frame, str(nltk_dir)).set_index(frame.index)
    status = dict(zip(BAD_TEXTS, scored["text_status"]))
    for empty in ("null", "empty", "whitespace"):
        assert status[empty] == "empty_text"
    assert scored.loc[:2, "compound"].isna().all()
    assert "long_text" in status["long"] and len(BAD_TEXTS["long"]) > LONG_TEXT_CHARS
    assert status["html"] == "html_removed"
    assert "emoji_or_symbols" in status["emoji"]
    assert status["german"] == "non_english" and "non_english" in status["chinese"]
    assert status["invalid_utf8_bytes"].startswith("invalid_utf8")
    assert status["surrogate_escaped"].startswith("invalid_utf8")
    scored_rows = scored.iloc[3:]
    assert scored_rows["compound"].between(-1, 1).all()
    html_score = scored.loc[list(BAD_TEXTS).index("html"), "compound"]
    assert html_score == score_partition(
        pd.DataFrame({"feedback_id": [0], "feedback_text": ["Great screen & awful battery"]}), str(nltk_dir)
    ).loc[0, "compound"]


def test_bad_ratings_are_flagged_and_kept_out_of_training(nltk_dir: Path, feedback: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_NLTK_DATA", str(nltk_dir))
    frame = feedback.head(200).copy()
    frame["rating"] = frame["rating"].astype("Int64")
    frame.loc[0, "rating"], frame.loc[1, "rating"], frame.loc[2, "rating"] = 0, 7, pd.NA
    frame.loc[3, "feedback_text"] = None
    result = feedback_sentiment(frame, incremental_vader_scores(frame, None)).set_index("feedback_id")
    ids = frame["feedback_id"].head(4).tolist()
    assert result.loc[ids[0], "status"] == "rating_out_of_range"
    assert result.loc[ids[1], "status"] == "rating_out_of_range"
    assert result.loc[ids[2], "status"] == "rating_missing"
    assert result.loc[ids[3], "status"] == "empty_text"
    assert (result.loc[ids[:3], "split"] == "unlabelled").all()
    assert result.loc[ids[:3], "rating_class"].isna().all()
    assert result["supervised_label"].notna().all()


def test_time_split_never_tests_on_earlier_rows() -> None:
    rng = np.random.default_rng(5)
    dates = pd.Series(pd.to_datetime("2022-01-01") + pd.to_timedelta(rng.integers(0, 400, 500), unit="D"))
    labelled = pd.Series(rng.random(500) > 0.1)
    split = time_split(dates, labelled)
    assert dates[split == "train"].max() < dates[split == "test"].min()
    assert 0.1 < (split == "test").sum() / labelled.sum() < 0.3
    assert (split[~labelled] == "unlabelled").all()


def test_supervised_model_is_not_worse_than_vader(nltk_dir: Path, feedback: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_NLTK_DATA", str(nltk_dir))
    sentiment = feedback_sentiment(feedback, incremental_vader_scores(feedback, None))
    metrics = evaluate(sentiment)
    assert tuple(metrics.columns) == EVALUATION_COLUMNS
    assert (metrics["domain"] == "nlp").all()
    value = metrics.set_index(["model_name", "metric_name"])["metric_value"]
    assert value["vader", "n_test_rows"] == value["tfidf_logistic_regression", "n_test_rows"] > 200
    assert value["tfidf_logistic_regression", "macro_f1"] >= value["vader", "macro_f1"]
    assert max(value["vader", "spearman_rating"], value["tfidf_logistic_regression", "spearman_rating"]) > 0.6


def test_top_terms_never_rank_the_category_name(feedback: pd.DataFrame) -> None:
    frame = pd.DataFrame(
        {
            "product_category": feedback["product_category"],
            "text": feedback["feedback_text"] + " " + feedback["product_category"] + " " + feedback["product_category"],
            "sentiment_label": np.where(feedback["rating"] >= 4, "Positive", np.where(feedback["rating"] <= 2, "Negative", "Neutral")),
        }
    )
    terms = top_terms(frame)
    assert set(terms["sentiment_label"]) == {"All", "Negative", "Neutral", "Positive"}
    for category, rows in terms.groupby("product_category"):
        name = category.lower().rstrip("s")
        assert not rows["term"].str.contains(rf"\b{name}s?\b", regex=True).any()
    assert not terms["term"].isin(["happy", "bought", "recommend"]).any()
    top = terms[(terms["term_rank"] == 1) & (terms["sentiment_label"] == "All")].set_index("product_category")["term"]
    assert top["Electronics"] in {"battery", "battery life", "screen", "sound", "sound quality", "setup", "charger", "remote", "app", "life", "quality"}
    assert (terms.groupby(["product_category", "sentiment_label"])["term_rank"].min() == 1).all()


def test_rows_to_score_picks_new_and_changed_texts() -> None:
    feedback = pd.DataFrame({"feedback_id": [1, 2, 3], "feedback_text": ["a good one", "bad", "fine"]})
    first = incremental_vader_scores(feedback.head(2), None)
    changed = feedback.assign(feedback_text=["a good one", "terrible", "fine"])
    assert rows_to_score(changed, first)["feedback_id"].tolist() == [2, 3]
    nothing_new = incremental_vader_scores(feedback.head(2), first)
    assert nothing_new.empty and nothing_new.dtypes.equals(first.dtypes)


def test_figures_build(nltk_dir: Path, feedback: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_NLTK_DATA", str(nltk_dir))
    sentiment = feedback_sentiment(feedback.head(300), incremental_vader_scores(feedback.head(300), None))
    monthly = sentiment.assign(month=pd.to_datetime(sentiment["feedback_date"]).dt.to_period("M").dt.start_time)
    monthly = monthly.groupby(["product_category", "month"], as_index=False)["compound"].mean().rename(columns={"compound": "avg_compound"})
    terms = pd.DataFrame({"product_category": ["Books"] * 2, "sentiment_label": ["All"] * 2, "term": ["plot", "cover"], "tfidf": [0.2, 0.1], "term_rank": [1, 2]})
    built = [
        figures.sentiment_distribution(sentiment), figures.sentiment_by_category(sentiment),
        figures.rating_vs_sentiment(sentiment), figures.monthly_trend(monthly),
        figures.top_terms_chart(terms, "Books"),
    ]
    assert all(len(figure.data) >= 1 for figure in built)


NLP_LINEAGE_FILES = {
    "models_sql/docs.md",
    "models_sql/intermediate/_int_feedback__models.yml",
    "models_sql/intermediate/int_feedback_aggregated_to_category.sql",
    "models_sql/marts/_feedback__models.yml",
    "models_sql/marts/feedback_sentiment_monthly.sql",
}


def keep_only_nlp_lineage(project: Project) -> None:
    """Drop other modules' models from the copy, so their work in progress cannot break this test
    (the whole-project build is the built_project fixture's job)."""
    for path in [*project.root.glob("models_sql/**/*"), *project.root.glob("python_models/**/*")]:
        relative = path.relative_to(project.root).as_posix()
        mine = relative.startswith(("models_sql/staging/", "python_models/nlp/")) or relative in NLP_LINEAGE_FILES
        if path.is_file() and not mine:
            path.unlink()


def write_feedback_seeds(project: Project, feedback: pd.DataFrame) -> None:
    """Only the seeds the NLP models need: feedback and the category list."""
    feedback.rename(columns={"feedback_date": "date"}).to_csv(project.seeds / "raw_feedback.csv", index=False)
    categories = sorted(feedback["product_category"].unique())
    pd.DataFrame({"product_category": categories, "department": "x"}).to_csv(project.seeds / "raw_product_categories.csv", index=False)


def read_table(project: Project, table: str) -> pd.DataFrame:
    with duckdb.connect(str(project.db), read_only=True) as connection:
        return connection.sql(f"select * from {table}").df()


def test_dbt_models_build_test_and_rescore_only_new_or_changed(tmp_path: Path, feedback: pd.DataFrame) -> None:
    project = Project(tmp_path / "project")
    keep_only_nlp_lineage(project)
    project.data.mkdir(parents=True, exist_ok=True)
    small = feedback.head(300).copy()
    write_feedback_seeds(project, small)
    project.dbt("seed", "-s", "raw_feedback", "raw_product_categories")
    project.dbt("build", "--indirect-selection", "cautious", "-s", *NLP_MODELS.split())
    first = read_table(project, "intermediate.int_feedback_vader_scored").set_index("feedback_id")

    changed_id = int(small["feedback_id"].iloc[5])
    small.loc[small.index[5], "feedback_text"] = "Terrible. The screen broke after a week."
    extra = small.tail(1).assign(feedback_id=99_999, feedback_text="Great value, would buy again.")
    write_feedback_seeds(project, pd.concat([small, extra]))
    project.dbt("seed", "-s", "raw_feedback")
    project.dbt("run", "-s", "stg_feedback", "int_feedback_vader_scored", "feedback_sentiment")  # staging is a table
    second = read_table(project, "intermediate.int_feedback_vader_scored").set_index("feedback_id")

    rescored = second.index[second["scored_at"] != first["scored_at"].reindex(second.index)]
    assert sorted(rescored) == sorted([changed_id, 99_999])
    assert second.loc[changed_id, "compound"] < 0
    project.dbt("run", "-s", "int_feedback_vader_scored")
    third = read_table(project, "intermediate.int_feedback_vader_scored").set_index("feedback_id")
    pd.testing.assert_series_equal(third["scored_at"], second["scored_at"])
    sentiment = read_table(project, "marts.feedback_sentiment")
    assert sentiment["feedback_id"].is_unique and len(sentiment) == 301
    evaluation = read_table(project, "marts.sentiment_evaluation")
    assert list(evaluation.columns) == list(EVALUATION_COLUMNS)
