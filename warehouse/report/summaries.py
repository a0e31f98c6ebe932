"""What the report draws instead of raw rows, so a figure's size does not grow with the data.

Box-plot statistics, histogram bin counts, a deterministic sample and a top-n-plus-other
grouping: small pandas and numpy helpers shared by the module packages' figure builders.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# Tukey's whiskers, as plotly draws them from raw points.
WHISKER_IQR = 1.5
BOX_CAPTION = (f"boxes span the quartiles with the median and the mean (dashed), whiskers reach the furthest value "
               f"within {WHISKER_IQR} IQR of the box; values beyond are not drawn")


def box_statistics(values: np.ndarray) -> dict[str, float]:
    """Count, quartiles (numpy's linear method), mean and whisker ends of non-empty ``values``."""
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    reach = WHISKER_IQR * (q3 - q1)
    inside = values[(values >= q1 - reach) & (values <= q3 + reach)]
    return {"n": len(values), "q1": q1, "median": median, "q3": q3, "mean": float(values.mean()),
            "lowerfence": float(inside.min()), "upperfence": float(inside.max())}


def box_summary(frame: pd.DataFrame, value: str, by: Sequence[str]) -> pd.DataFrame:
    """One row of box statistics of ``value`` per group of the ``by`` columns, missing values left out."""
    rows = frame.dropna(subset=[value, *by])
    summary = [
        {**dict(zip(by, keys)), **box_statistics(group.to_numpy(dtype=float))}
        for keys, group in rows.groupby(list(by), sort=True)[value]
    ]
    columns = [*by, "n", "q1", "median", "q3", "mean", "lowerfence", "upperfence"]
    return pd.DataFrame(summary, columns=columns)


def box_trace(summary: pd.DataFrame, x: str, **style: object) -> go.Box:
    """A plotly box per row of a ``box_summary``, placed at ``summary[x]``, drawn from its statistics."""
    return go.Box(x=summary[x], q1=summary["q1"], median=summary["median"], q3=summary["q3"], mean=summary["mean"],
                  lowerfence=summary["lowerfence"], upperfence=summary["upperfence"], boxmean=True, **style)


def histogram_counts(frame: pd.DataFrame, value: str, group: str, edges: np.ndarray) -> pd.DataFrame:
    """Rows per bin of ``value`` for each ``group``: columns group, left, right, count.

    Bins are [edges[i], edges[i + 1]), the last one closed; values outside the edges are not counted.
    """
    rows = frame.dropna(subset=[value, group])
    counts = [
        pd.DataFrame({group: key, "left": edges[:-1], "right": edges[1:],
                      "count": np.histogram(values.to_numpy(dtype=float), bins=edges)[0]})
        for key, values in rows.groupby(group, sort=True)[value]
    ]
    empty = pd.DataFrame({group: pd.Series(dtype=object), "left": pd.Series(dtype=float),
                          "right": pd.Series(dtype=float), "count": pd.Series(dtype=int)})
    return pd.concat(counts, ignore_index=True) if counts else empty


def deterministic_sample(frame: pd.DataFrame, size: int) -> pd.DataFrame:
    """At most ``size`` rows, chosen by a hash of each row's values, in their original order.

    A pseudo-random sample that is the same for the same rows whatever order they arrive in,
    so a report rebuilt from unchanged marts draws the same points.
    """
    if len(frame) <= size:
        return frame
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return frame.iloc[np.sort(np.argsort(hashes, kind="stable")[:size])]


def sample_note(total: int, size: int, noun: str) -> str:
    """What a ``deterministic_sample`` of ``size`` from ``total`` rows shows: 'a random 2,000 of 9,120 test rows'."""
    return f"a random {size:,} of {total:,} {noun}" if total > size else f"all {total:,} {noun}"


def largest_keys(totals: pd.Series, size: int) -> pd.Index:
    """The index labels of the ``size`` largest ``totals``, ties broken by label."""
    return totals.sort_index().sort_values(ascending=False, kind="stable").index[:size]


def keep_largest(frame: pd.DataFrame, column: str, weight: str, size: int, noun: str) -> tuple[pd.DataFrame, int]:
    """``frame`` with the values of ``column`` beyond the ``size`` largest by summed ``weight`` merged into one.

    The merged rows are labelled 'other N <noun>', their ``weight`` summed over the other
    columns, and put last; also returns N (0 when nothing was merged, and ``frame`` comes back
    unchanged).
    """
    totals = frame.groupby(column)[weight].sum()
    others = len(totals) - size
    if others <= 0:
        return frame, 0
    label = f"other {others} {noun}"
    merged = frame.assign(**{column: frame[column].where(frame[column].isin(largest_keys(totals, size)), label)})
    keys = [c for c in frame.columns if c != weight]
    summed = merged.groupby(keys, as_index=False, sort=False)[weight].sum()
    return summed.sort_values(column, key=lambda values: values == label, kind="stable", ignore_index=True), others
