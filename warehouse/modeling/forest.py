"""A random forest that predicts sales relative to the series' recent level, with quantiles.

Series differ in size by an order of magnitude and grow over time; a forest cannot
extrapolate beyond the targets it saw. Predicting the ratio of the week's sales to the mean of
the four weeks before lets one forest serve every series and every level. Prediction
intervals come from the forest itself as a quantile regression forest (Meinshausen 2006):
the training ratios that share a leaf with the new row, weighted by leaf, give its
conditional distribution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

from warehouse.modeling.features import relative_to_reference

# One-hot columns per categorical feature: beyond this many levels (e.g. hundreds of regions)
# the rarest levels share one "infrequent" column, which keeps the encoded matrix small; the
# model predicts relative to each series' own level, so it needs no column per region.
MAX_ONE_HOT_LEVELS = 25
N_TREES = 250
# The share of actual values the prediction interval is to hold.
INTERVAL_COVERAGE = 0.9


def central_interval(level: float) -> tuple[float, float]:
    """The lower and upper quantile of the central ``level`` share of a distribution."""
    return round((1.0 - level) / 2.0, 4), round((1.0 + level) / 2.0, 4)


# The interval's quantiles until cross-validation calibrates them (training.fit_with_cv).
NOMINAL_INTERVAL = central_interval(INTERVAL_COVERAGE)


def make_pipeline(
    categorical: list[str], numeric: list[str], random_state: int = 0, n_estimators: int = N_TREES
) -> Pipeline:
    """Columns relative to their reference, a ColumnTransformer (one-hot categories,
    median-imputed numbers), then a random forest."""
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
        n_estimators=n_estimators, min_samples_leaf=2, max_features=0.2, n_jobs=1, random_state=random_state
    )
    return Pipeline(
        [("relative", FunctionTransformer(relative_to_reference)), ("encode", encode), ("forest", forest)]
    )


# Beyond these sizes the forest stops growing its cost with the data (at scale 1 neither
# applies): each tree draws at most MAX_TREE_SAMPLES rows for its bootstrap, and the
# quantiles are read from at most MAX_REFERENCE_ROWS training rows drawn at random. A tree's
# size follows its rows: at 20,000 a 250-tree forest with leaves of one row pickled to 600 MB
# (every serving worker loads it); at 10,000 the test MAE at scale 10 rose 0.8%.
MAX_TREE_SAMPLES = 10_000
MAX_REFERENCE_ROWS = 20_000
# Rows predicted at once: bounds the rows x trees leaf matrix and the quantile forest's
# leaf-member arrays, so memory does not grow with the rows predicted.
BATCH_ROWS = 2_000


@dataclass
class _LeafIndex:
    """For every tree at once: the reference rows sorted by leaf, each leaf's start and count.

    A leaf is numbered across the forest (its node id plus its tree's ``node_offsets``), so a
    batch's members in all trees come from one lookup instead of one per tree: the per-tree
    loop cost about half of a single-row prediction.
    """

    order: np.ndarray
    starts: np.ndarray
    counts: np.ndarray
    node_offsets: np.ndarray


@dataclass
class _LeafWeights:
    """For a batch of query rows, every reference row sharing a leaf with one, sorted by
    (query row, ratio rank), with the running sum of its weight 1 / leaf size."""

    keys: np.ndarray
    ranks: np.ndarray
    cumulative: np.ndarray
    first: np.ndarray
    last: np.ndarray
    before: np.ndarray
    totals: np.ndarray

    @property
    def known(self) -> np.ndarray:
        """Query rows some reference row shares a leaf with (all of them unless the reference
        rows are a sample): the others have no conditional distribution."""
        return self.first <= self.last


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


def ratio_ranks(ratio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ratios' ascending order, and each one's rank in it (kept from fit: every prediction
    of an interval reads them)."""
    order = np.argsort(ratio, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return order, rank


def in_batches(n_rows: int, compute: Callable[[slice], np.ndarray]) -> np.ndarray:
    """``compute`` over consecutive row slices of at most ``BATCH_ROWS``, concatenated."""
    return np.concatenate([compute(slice(start, start + BATCH_ROWS)) for start in range(0, n_rows, BATCH_ROWS)])


class RelativeQuantileForest(BaseEstimator, RegressorMixin):
    """Fit ``pipeline`` on sales / level; predict level * ratio, and quantiles of it.

    ``interval`` holds the lower and upper quantile of the prediction interval.
    """

    def __init__(
        self,
        pipeline: Pipeline | None = None,
        level_column: str = "sales_rolling_mean_4w",
        interval: tuple[float, float] = NOMINAL_INTERVAL,
    ) -> None:
        self.pipeline = pipeline
        self.level_column = level_column
        self.interval = interval

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
        self.ratio_order_, self.ratio_rank_ = ratio_ranks(self.train_ratio_)
        self.leaf_index_: _LeafIndex | None = None
        return self

    @property
    def _trees(self) -> list:
        return self.pipeline_.named_steps["forest"].estimators_

    def _leaves(self, features: pd.DataFrame) -> np.ndarray:
        """Leaf of every row in every tree (rows x trees), walking the trees directly: one
        pass serves both the mean and the quantiles, and skips joblib's per-call overhead,
        which dominates single-row serving latency. Callers pass a batch of rows."""
        encoded = np.ascontiguousarray(self.pipeline_[:-1].transform(features), dtype=np.float32)
        leaves = np.empty((len(features), len(self._trees)), dtype=np.int32)
        for column, tree in enumerate(self._trees):
            leaves[:, column] = tree.tree_.apply(encoded)
        return leaves

    def _reference_index(self) -> _LeafIndex:
        """The reference rows of each leaf of every tree; built on first use (CV fits never
        need it), and anew for a model pickled with the older per-tree index."""
        if not isinstance(self.leaf_index_, _LeafIndex):
            reference = self.reference_features_
            leaves = in_batches(len(reference), lambda rows: self._leaves(reference.iloc[rows]))
            node_counts = np.array([tree.tree_.node_count for tree in self._trees], dtype=np.int64)
            node_offsets = np.cumsum(node_counts) - node_counts
            # row-major: entry i is reference row i // trees in tree i % trees
            numbered = (leaves + node_offsets).ravel()
            order = np.argsort(numbered, kind="stable") // leaves.shape[1]
            counts = np.bincount(numbered, minlength=int(node_counts.sum())).astype(np.int32)
            self.leaf_index_ = _LeafIndex(
                order.astype(np.int32), np.cumsum(counts, dtype=np.int64) - counts, counts, node_offsets
            )
        return self.leaf_index_

    def _mean_ratio(self, leaves: np.ndarray) -> np.ndarray:
        """The forest's prediction: the mean over trees of each leaf's value."""
        total = np.zeros(leaves.shape[0])
        for column, tree in enumerate(self._trees):
            total += tree.tree_.value[leaves[:, column], 0, 0]
        return total / len(self._trees)

    def _leaf_weights(self, leaves: np.ndarray, rank: np.ndarray) -> _LeafWeights:
        """The leaf-weighted reference rows of a batch: a reference row in a query row's leaf of
        a tree weighs 1 / leaf size; sorted by (query row, ratio) (Meinshausen 2006)."""
        index = self._reference_index()
        n_rows, n_trees = leaves.shape
        pairs, members, sizes = leaf_members(index, (leaves + index.node_offsets).ravel())
        rows = pairs // n_trees
        ranks = rank[members]
        weights = 1.0 / sizes
        keys = rows * np.int64(rank.size) + ranks
        order = np.argsort(keys)
        keys, ranks, rows, cumulative = keys[order], ranks[order], rows[order], np.cumsum(weights[order])
        first = np.searchsorted(rows, np.arange(n_rows), side="left")
        last = np.searchsorted(rows, np.arange(n_rows), side="right") - 1
        before = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)
        return _LeafWeights(keys, ranks, cumulative, first, last, before, cumulative[last] - before)

    def _quantile_ratio(self, leaves: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
        """Quantiles of the leaf-weighted reference ratios (rows x quantiles): for each query
        row, the ratio where its cumulative weight first reaches the quantile."""
        order, rank = self.ratio_order_, self.ratio_rank_
        weights = self._leaf_weights(leaves, rank)
        known = weights.known
        out = np.full((leaves.shape[0], len(quantiles)), np.nan)
        for column, quantile in enumerate(quantiles):
            positions = np.searchsorted(weights.cumulative, weights.before + quantile * weights.totals, side="left")
            positions = np.clip(positions, weights.first, weights.last)[known]
            out[known, column] = self.train_ratio_[order[weights.ranks[positions]]]
        return out

    def _distribution_value(self, leaves: np.ndarray, ratio: np.ndarray) -> np.ndarray:
        """For each query row, the share of its leaf-weighted reference ratios at or below ``ratio``."""
        order, rank = self.ratio_order_, self.ratio_rank_
        weights = self._leaf_weights(leaves, rank)
        at_or_below = np.searchsorted(self.train_ratio_[order], ratio, side="right")
        rows = np.arange(leaves.shape[0])
        ends = np.searchsorted(weights.keys, rows * np.int64(rank.size) + at_or_below, side="left")
        below = np.where(ends > weights.first, weights.cumulative[np.maximum(ends - 1, 0)] - weights.before, 0.0)
        return np.where(weights.known, below / np.where(weights.known, weights.totals, 1.0), np.nan)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Point prediction of sales: level times the forest's mean ratio."""
        ratio = in_batches(len(features), lambda rows: self._mean_ratio(self._leaves(features.iloc[rows])))
        return self._level(features) * ratio - 1.0

    def predict_with_interval(self, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Point prediction and the ``interval`` quantiles of sales (rows x 2), one pass over the trees."""
        def batch(rows: slice) -> np.ndarray:
            leaves = self._leaves(features.iloc[rows])
            return np.column_stack([self._mean_ratio(leaves), self._quantile_ratio(leaves, tuple(self.interval))])

        ratios = in_batches(len(features), batch)
        scaled = self._level(features)[:, None] * ratios - 1.0
        return scaled[:, 0], scaled[:, 1:]

    def central_levels(self, features: pd.DataFrame, target: pd.Series | np.ndarray) -> np.ndarray:
        """Per row, the smallest central interval (as a share of the conditional distribution)
        that holds its actual value: ``|2 F(actual) - 1|`` (NaN without a distribution)."""
        ratio = (np.asarray(target, dtype=float) + 1.0) / self._level(features)

        def batch(rows: slice) -> np.ndarray:
            return self._distribution_value(self._leaves(features.iloc[rows]), ratio[rows])

        return np.abs(2.0 * in_batches(len(features), batch) - 1.0)

    def impurity_importance(self) -> pd.Series:
        """The forest's impurity importance, one-hot columns summed back to their feature."""
        encode = self.pipeline_.named_steps["encode"]
        raw = pd.Series(
            self.pipeline_.named_steps["forest"].feature_importances_, index=encode.get_feature_names_out()
        )
        categorical = encode.transformers_[0][2]
        source = [next((c for c in categorical if name.startswith(f"{c}_")), name) for name in raw.index]
        return raw.groupby(source).sum()
