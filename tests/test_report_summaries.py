"""The summaries the report draws instead of rows: box statistics, bin counts, samples, top n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from warehouse.report.summaries import (
    box_statistics,
    box_summary,
    deterministic_sample,
    histogram_counts,
    keep_largest,
    largest_keys,
    sample_note,
)


def test_box_statistics_match_numpy_and_whiskers_stop_at_the_last_value_within_reach() -> None:
    values = np.random.default_rng(3).normal(size=1_001)
    values = np.append(values, [25.0, -30.0])  # far outliers
    stats = box_statistics(values)
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    assert (stats["q1"], stats["median"], stats["q3"]) == pytest.approx((q1, median, q3))
    assert stats["mean"] == pytest.approx(values.mean()) and stats["n"] == len(values)
    reach = 1.5 * (q3 - q1)
    within = values[(values >= q1 - reach) & (values <= q3 + reach)]
    assert stats["lowerfence"] == within.min() and stats["upperfence"] == within.max()
    assert stats["lowerfence"] > -30.0 and stats["upperfence"] < 25.0
    assert stats["lowerfence"] in values and stats["upperfence"] in values


def test_box_summary_has_one_row_per_group_over_the_non_missing_values() -> None:
    frame = pd.DataFrame({"model": ["a", "a", "a", "b", "b", "b"], "rating": [1, 1, 2, 1, 1, 1],
                          "score": [0.1, 0.3, 0.5, np.nan, 0.2, 0.4]})
    summary = box_summary(frame, "score", ["model", "rating"])
    assert summary[["model", "rating", "n"]].values.tolist() == [["a", 1, 2], ["a", 2, 1], ["b", 1, 2]]
    assert summary["n"].sum() == frame["score"].notna().sum()
    assert summary.loc[2, "median"] == pytest.approx(0.3)
    assert box_summary(frame.iloc[:0], "score", ["model"]).empty


def test_histogram_counts_sum_to_the_rows_of_each_group_including_the_right_edge() -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"compound": np.clip(rng.normal(0.3, 0.5, 5_000), -1.0, 1.0),
                          "label": rng.choice(["Negative", "Neutral", "Positive"], 5_000)})
    frame.loc[0, "compound"], frame.loc[1, "compound"] = 1.0, np.nan
    edges = np.linspace(-1.0, 1.0, 41)
    counts = histogram_counts(frame, "compound", "label", edges)
    assert len(counts) == 3 * 40
    per_label = counts.groupby("label")["count"].sum()
    assert per_label.to_dict() == frame.dropna().groupby("label").size().to_dict()
    assert counts["count"].sum() == len(frame) - 1
    assert histogram_counts(frame.iloc[:0], "compound", "label", edges).empty


def test_deterministic_sample_is_capped_the_same_in_any_row_order_and_a_subset() -> None:
    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"actual": rng.normal(size=10_000), "predicted": rng.normal(size=10_000),
                          "region": rng.choice(["North", "South"], 10_000)})
    sample = deterministic_sample(frame, 2_000)
    assert len(sample) == 2_000 and sample.index.is_unique and sample.index.is_monotonic_increasing
    shuffled = deterministic_sample(frame.sample(frac=1.0, random_state=1).reset_index(drop=True), 2_000)
    key = ["actual", "predicted", "region"]
    assert sample.sort_values(key).values.tolist() == shuffled.sort_values(key).values.tolist()
    assert sample.merge(frame, on=key).shape[0] == 2_000
    # not the first rows: spread over the frame
    assert sample.index.max() > 9_000 and sample.index.min() < 1_000
    assert deterministic_sample(frame.head(50), 2_000).equals(frame.head(50))


def test_sample_note_says_what_is_drawn() -> None:
    assert sample_note(75_123, 2_000, "test rows") == "a random 2,000 of 75,123 test rows"
    assert sample_note(750, 2_000, "test rows") == "all 750 test rows"


def test_keep_largest_merges_the_rest_into_one_group_and_keeps_every_total() -> None:
    regions = [f"R{i:03d}" for i in range(40)]
    frame = pd.DataFrame([(r, c, float(i + 1) * (2 if c == "A" else 1)) for i, r in enumerate(regions) for c in ("A", "B")],
                         columns=["region", "product_category", "sales_amount"])
    merged, others = keep_largest(frame, "region", "sales_amount", 15, "regions")
    assert others == 25
    assert merged["region"].nunique() == 16 and merged["region"].iat[-1] == "other 25 regions"
    assert merged["sales_amount"].sum() == pytest.approx(frame["sales_amount"].sum())
    assert set(merged["region"]) - {"other 25 regions"} == set(regions[-15:])
    other = merged[merged["region"] == "other 25 regions"].set_index("product_category")["sales_amount"]
    assert other["B"] == pytest.approx(sum(range(1, 26)))
    unchanged, none = keep_largest(frame, "product_category", "sales_amount", 10, "categories")
    assert none == 0 and unchanged is frame


def test_largest_keys_breaks_ties_by_label() -> None:
    totals = pd.Series({"b": 5.0, "a": 5.0, "c": 9.0, "d": 1.0})
    assert list(largest_keys(totals, 3)) == ["c", "a", "b"]
