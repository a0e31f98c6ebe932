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


def make_pipeline(categorical: list[str], numeric: list[str], random_state: int = 0) -> Pipeline:
    """ColumnTransformer (one-hot categories, median-imputed numbers) then a random forest."""
    encode = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
            ("numbers", SimpleImputer(strategy="median", keep_empty_features=True), numeric),
        ],
        verbose_feature_names_out=False,
    )
    forest = RandomForestRegressor(
        n_estimators=250, min_samples_leaf=5, max_features=0.5, n_jobs=1, random_state=random_state
    )
    return Pipeline([("encode", encode), ("forest", forest)])


@dataclass
class _LeafIndex:
    """For one tree: the training rows in each leaf, as a sorted order and leaf offsets."""

    order: np.ndarray
    starts: dict[int, tuple[int, int]]


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
        ratio = (np.asarray(target, dtype=float) + 1.0) / self._level(features)
        self.pipeline_.fit(features, ratio)
        self.train_ratio_ = ratio
        self.ratio_order_ = np.argsort(ratio)
        leaves = self._leaves(features)
        self.leaf_index_ = [self._index_tree(leaves[:, t]) for t in range(leaves.shape[1])]
        return self

    def _leaves(self, features: pd.DataFrame) -> np.ndarray:
        """Leaf of every row in every tree (rows x trees), walking the trees directly: one
        pass serves both the mean and the quantiles, and skips joblib's per-call overhead,
        which dominates single-row serving latency."""
        encoded = self.pipeline_.named_steps["encode"].transform(features)
        encoded = np.ascontiguousarray(encoded, dtype=np.float32)
        trees = self.pipeline_.named_steps["forest"].estimators_
        return np.column_stack([tree.tree_.apply(encoded) for tree in trees])

    @staticmethod
    def _index_tree(leaves: np.ndarray) -> _LeafIndex:
        order = np.argsort(leaves, kind="stable")
        values, starts, counts = np.unique(leaves[order], return_index=True, return_counts=True)
        return _LeafIndex(order, {int(v): (int(s), int(c)) for v, s, c in zip(values, starts, counts)})

    def _mean_ratio(self, leaves: np.ndarray) -> np.ndarray:
        """The forest's prediction: the mean over trees of each leaf's value."""
        trees = self.pipeline_.named_steps["forest"].estimators_
        return np.mean([tree.tree_.value[leaves[:, t], 0, 0] for t, tree in enumerate(trees)], axis=0)

    def _quantile_ratio(self, leaves: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
        """Quantiles of the leaf-weighted training ratios (rows x quantiles)."""
        n_train, n_trees = self.train_ratio_.size, leaves.shape[1]
        out = np.empty((leaves.shape[0], len(quantiles)))
        for row in range(leaves.shape[0]):
            weights = np.zeros(n_train)
            for tree, index in enumerate(self.leaf_index_):
                start, count = index.starts.get(int(leaves[row, tree]), (0, 0))
                if count:
                    weights[index.order[start : start + count]] += 1.0 / (count * n_trees)
            cumulative = np.cumsum(weights[self.ratio_order_])
            positions = np.searchsorted(cumulative, np.asarray(quantiles) * cumulative[-1])
            out[row] = self.train_ratio_[self.ratio_order_[np.minimum(positions, n_train - 1)]]
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
