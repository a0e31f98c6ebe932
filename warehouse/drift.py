"""Feature drift between the training weeks and the latest weeks: PSI plus a significance test.

A feature has drifted when the shift is both large (PSI above ``PSI_THRESHOLD``, the usual
"significant shift" cut-off) and unlikely to be chance (KS test for numbers, chi-squared for
categories, p below ``P_VALUE_THRESHOLD``). The p-value makes the rule respect sample size: a
handful of rows cannot raise the alarm, and the PSI floor keeps huge samples from alarming on
trivial shifts. The reference is seasonally matched (the training weeks with the same weeks of
the year as the window), so winter is not compared with a whole year.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import stats

log = logging.getLogger(__name__)

PSI_THRESHOLD = 0.2
P_VALUE_THRESHOLD = 0.01
PSI_BINS = 10
_EPSILON = 1e-4


def _shares(counts: np.ndarray) -> np.ndarray:
    shares = counts / max(counts.sum(), 1)
    return np.clip(shares, _EPSILON, None)


def psi_numeric(reference: np.ndarray, current: np.ndarray, bins: int = PSI_BINS) -> float:
    """Population stability index with decile bins taken from the reference."""
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    if edges.size < 2:
        return 0.0 if np.all(current == edges[0]) else float("inf")
    edges[0], edges[-1] = -np.inf, np.inf
    ref_share = _shares(np.histogram(reference, edges)[0])
    cur_share = _shares(np.histogram(current, edges)[0])
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def psi_categorical(reference: pd.Series, current: pd.Series) -> float:
    """Population stability index over the categories seen in either sample."""
    levels = sorted(set(reference.dropna()) | set(current.dropna()))
    ref_share = _shares(reference.value_counts().reindex(levels, fill_value=0).to_numpy(float))
    cur_share = _shares(current.value_counts().reindex(levels, fill_value=0).to_numpy(float))
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def seasonal_reference(training: pd.DataFrame, window: pd.DataFrame) -> pd.DataFrame:
    """Training rows in the window's weeks of the year; all training rows when none match."""
    matched = training[training["week_of_year"].isin(set(window["week_of_year"]))]
    if matched.empty:
        log.warning("no training weeks share the drift window's weeks of the year: using all of them")
        return training
    return matched


def numeric_drift(feature: str, reference: pd.Series, current: pd.Series) -> dict[str, object]:
    ref, cur = reference.dropna().to_numpy(float), current.dropna().to_numpy(float)
    if ref.size == 0 or cur.size == 0:
        return {"feature": feature, "kind": "numeric", "status": "no data"}
    ks = stats.ks_2samp(ref, cur)
    return {
        "feature": feature, "kind": "numeric", "status": "ok", "psi": psi_numeric(ref, cur),
        "ks_statistic": float(ks.statistic), "ks_p_value": float(ks.pvalue),
        "reference_mean": float(ref.mean()), "current_mean": float(cur.mean()),
    }


def categorical_drift(feature: str, reference: pd.Series, current: pd.Series) -> dict[str, object]:
    table = pd.crosstab(
        pd.concat([reference, current], ignore_index=True),
        np.r_[np.zeros(len(reference)), np.ones(len(current))],
    )
    chi2 = stats.chi2_contingency(table.to_numpy()) if table.shape[0] > 1 else None
    return {
        "feature": feature, "kind": "categorical", "status": "ok",
        "psi": psi_categorical(reference, current),
        "chi2_statistic": float(chi2.statistic) if chi2 else 0.0,
        "chi2_p_value": float(chi2.pvalue) if chi2 else 1.0,
    }


def feature_drift(
    training: pd.DataFrame, window: pd.DataFrame, numeric: list[str], categorical: list[str]
) -> pd.DataFrame:
    """One row per feature: PSI, the test statistic and p-value, and the drift verdict."""
    reference = seasonal_reference(training, window)
    rows = [numeric_drift(f, reference[f], window[f]) for f in numeric]
    rows += [categorical_drift(f, reference[f], window[f]) for f in categorical]
    frame = pd.DataFrame(rows)
    for column in ("psi", "ks_statistic", "ks_p_value", "chi2_statistic", "chi2_p_value", "reference_mean", "current_mean"):
        if column not in frame:
            frame[column] = np.nan
    p_value = frame["ks_p_value"].fillna(frame["chi2_p_value"])
    frame["drift_detected"] = (frame["psi"] > PSI_THRESHOLD) & (p_value < P_VALUE_THRESHOLD)
    frame["n_reference"] = len(reference)
    frame["n_current"] = len(window)
    return frame
