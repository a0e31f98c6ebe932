"""A random forest that predicts sales relative to the series' recent level, with quantiles.

Series differ in size by an order of magnitude and grow over time; a forest cannot
extrapolate beyond the targets it saw. Predicting the ratio of the week's sales to the mean of
the four weeks before lets one forest serve every series and every level. Prediction
intervals come from the forest itself as a quantile regression forest (Meinshausen 2006):
the training ratios that share a leaf with the new row, weighted by leaf, give its
conditional distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder


# One-hot columns per categorical feature: beyond this many levels (e.g. hundreds of regions)
# the rarest levels share one "infrequent" column, which keeps the encoded matrix small; the
# model predicts relative to each series' own level, so it needs no column per region.
MAX_ONE_HOT_LEVELS = 25
N_TREES = 250


def make_pipeline(
    categorical: list[str], numeric: list[str], random_state: int = 0, n_estimators: int = N_TREES
) -> Pipeline:
    """ColumnTransformer (one-hot categories, median-imputed numbers) then a random forest."""
    encode = ColumnTransformer(
        [
            ("categories", OneHotEncoder(
                handle_unknown="infrequent_if_exist", max_categories=MAX_ONE_HOT_LEVELS, sparse_output=False
            ), categorical),
            ("numbers", SimpleImputer(strategy="median", keep_empty_features=True), numeric),
        ],
        verbose_feature_names_out=False,
    )
    forest = RandomForestRegressor(
        n_estimators=n_estimators, min_samples_leaf=5, max_features=0.5, n_jobs=1, random_state=random_state
    )
    return Pipeline([("encode", encode), ("forest", forest)])


# Beyond these sizes the forest stops growing its cost with the data (at scale 1 neither
# applies): each tree draws at most MAX_TREE_SAMPLES rows for its bootstrap, and the
# quantiles are read from at most MAX_REFERENCE_ROWS training rows drawn at random.
MAX_TREE_SAMPLES = 20_000
MAX_REFERENCE_ROWS = 20_000
# Rows whose quantiles are computed at once: bounds the memory of the leaf-member arrays.
QUANTILE_BATCH_ROWS = 2_000


@dataclass
class _LeafIndex:
    """For one tree: the reference rows sorted by leaf, and each leaf's start and count."""

    order: np.ndarray
    starts: np.ndarray
    counts: np.ndarray


def tree_sample_size(n_rows: int, cap: int = MAX_TREE_SAMPLES) -> int | None:
    """The forest's ``max_samples``: every row (None) up to ``cap``, then ``cap`` rows per tree."""
    return cap if n_rows > cap else None


def reference_rows(n_rows: int, cap: int = MAX_REFERENCE_ROWS, seed: int = 0) -> np.ndarray:
    """Positions of the training rows the quantiles are read from: all, or ``cap`` at random."""
    if n_rows <= cap:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=cap, replace=False))


def leaf_members(index: _LeafIndex, leaves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(query row, reference row, leaf size) for every reference row sharing a leaf with a query row."""
    starts, counts = index.starts[leaves], index.counts[leaves]
    total = int(counts.sum())
    rows = np.repeat(np.arange(leaves.size), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, index.order[np.repeat(starts, counts) + offsets], np.repeat(counts, counts)


class RelativeQuantileForest(BaseEstimator, RegressorMixin):
    """Fit ``pipeline`` on sales / level; predict level * ratio, and quantiles of it."""

    def __init__(self, pipeline: Pipeline | None = None, level_column: str = "sales_rolling_mean_4w") -> None:
        self.pipeline = pipeline
        self.level_column = level_column

    def _level(self, features: pd.DataFrame) -> np.ndarray:
        # +1 keeps the ratio defined for a series that sold nothing in the last four weeks.
        return features[self.level_column].to_numpy(dtype=float) + 1.0

    def fit(self, features: pd.DataFrame, target: pd.Series | np.ndarray) -> RelativeQuantileForest:
        self.pipeline_ = clone(self.pipeline)
        self.pipeline_.set_params(forest__max_samples=tree_sample_size(len(features)))
        ratio = (np.asarray(target, dtype=float) + 1.0) / self._level(features)
        self.pipeline_.fit(features, ratio)
        reference = reference_rows(len(features), MAX_REFERENCE_ROWS)
        self.reference_features_ = features.iloc[reference].reset_index(drop=True)
        self.train_ratio_ = ratio[reference]
        self.leaf_index_: list[_LeafIndex] | None = None
        return self

    def _leaves(self, features: pd.DataFrame) -> np.ndarray:
        """Leaf of every row in every tree (rows x trees), walking the trees directly: one
        pass serves both the mean and the quantiles, and skips joblib's per-call overhead,
        which dominates single-row serving latency."""
        encoded = self.pipeline_.named_steps["encode"].transform(features)
        encoded = np.ascontiguousarray(encoded, dtype=np.float32)
        trees = self.pipeline_.named_steps["forest"].estimators_
        return np.column_stack([tree.tree_.apply(encoded) for tree in trees])

    def _reference_index(self) -> list[_LeafIndex]:
        """Per tree, the reference rows of each leaf; built on first use (CV fits never need it)."""
        if self.leaf_index_ is None:
            leaves = self._leaves(self.reference_features_)
            trees = self.pipeline_.named_steps["forest"].estimators_
            self.leaf_index_ = [self._index_tree(leaves[:, t], tree.tree_.node_count) for t, tree in enumerate(trees)]
        return self.leaf_index_

    @staticmethod
    def _index_tree(leaves: np.ndarray, node_count: int) -> _LeafIndex:
        order = np.argsort(leaves, kind="stable").astype(np.int32)
        counts = np.bincount(leaves, minlength=node_count).astype(np.int32)
        return _LeafIndex(order, np.cumsum(counts, dtype=np.int32) - counts, counts)

    def _mean_ratio(self, leaves: np.ndarray) -> np.ndarray:
        """The forest's prediction: the mean over trees of each leaf's value."""
        trees = self.pipeline_.named_steps["forest"].estimators_
        return np.mean([tree.tree_.value[leaves[:, t], 0, 0] for t, tree in enumerate(trees)], axis=0)

    def _quantile_ratio(self, leaves: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
        """Quantiles of the leaf-weighted reference ratios (rows x quantiles), in batches of rows."""
        index = self._reference_index()
        rank = np.empty(self.train_ratio_.size, dtype=np.int64)
        ratio_order = np.argsort(self.train_ratio_, kind="stable")
        rank[ratio_order] = np.arange(ratio_order.size)
        batches = [
            self._quantile_batch(leaves[start : start + QUANTILE_BATCH_ROWS], index, rank, ratio_order, quantiles)
            for start in range(0, leaves.shape[0], QUANTILE_BATCH_ROWS)
        ]
        return np.concatenate(batches) if batches else np.empty((0, len(quantiles)))

    def _quantile_batch(
        self, leaves: np.ndarray, index: list[_LeafIndex], rank: np.ndarray, ratio_order: np.ndarray,
        quantiles: tuple[float, ...],
    ) -> np.ndarray:
        """Weighted quantiles for one batch: a reference row in a query row's leaf of a tree
        weighs 1 / (leaf size x trees); rows are sorted by (query row, ratio) and cut where the
        query row's cumulative weight reaches each quantile (Meinshausen 2006)."""
        n_rows, n_trees = leaves.shape
        members = [leaf_members(index[t], leaves[:, t]) for t in range(n_trees)]
        rows = np.concatenate([m[0] for m in members])
        ranks = rank[np.concatenate([m[1] for m in members])]
        weights = 1.0 / np.concatenate([m[2] for m in members])
        order = np.argsort(rows * np.int64(rank.size) + ranks)
        rows, ranks, weights = rows[order], ranks[order], weights[order]
        cumulative = np.cumsum(weights)
        row_ends = np.searchsorted(rows, np.arange(n_rows), side="right") - 1
        row_starts = np.searchsorted(rows, np.arange(n_rows), side="left")
        before = np.where(row_starts > 0, cumulative[np.maximum(row_starts - 1, 0)], 0.0)
        totals = cumulative[row_ends] - before
        out = np.full((n_rows, len(quantiles)), np.nan)
        # A row no reference row shares a leaf with (possible only when the reference rows are
        # a sample) has no conditional distribution: its bounds stay null.
        known = row_starts <= row_ends
        for column, quantile in enumerate(quantiles):
            # first position of each row whose cumulative weight reaches quantile x the row's total
            positions = np.searchsorted(cumulative, before + quantile * totals, side="left")
            positions = np.clip(positions, row_starts, row_ends)[known]
            out[known, column] = self.train_ratio_[ratio_order[ranks[positions]]]
        return out

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Point prediction of sales: level times the forest's mean ratio."""
        return self._level(features) * self._mean_ratio(self._leaves(features)) - 1.0

    def predict_with_interval(
        self, features: pd.DataFrame, quantiles: tuple[float, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Point prediction and sales quantiles (rows x quantiles) from one pass over the trees."""
        leaves = self._leaves(features)
        level = self._level(features)
        point = level * self._mean_ratio(leaves) - 1.0
        bounds = level[:, None] * self._quantile_ratio(leaves, quantiles) - 1.0
        return point, bounds

    def impurity_importance(self) -> pd.Series:
        """The forest's impurity importance, one-hot columns summed back to their feature."""
        encode = self.pipeline_.named_steps["encode"]
        raw = pd.Series(
            self.pipeline_.named_steps["forest"].feature_importances_, index=encode.get_feature_names_out()
        )
        categorical = encode.transformers_[0][2]
        source = [next((c for c in categorical if name.startswith(f"{c}_")), name) for name in raw.index]
        return raw.groupby(source).sum()
