"""Train and evaluate the weekly sales model: time-ordered split, CV grid, baselines, importance."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.base import clone
from sklearn.inspection import permutation_importance
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from warehouse import metrics
from warehouse.modeling.features import CATEGORICAL, FEATURES, LEVEL, NUMERIC, OPTIONAL, TARGET
from warehouse.modeling.forest import INTERVAL_COVERAGE, N_TREES, RelativeQuantileForest, central_interval, make_pipeline

log = logging.getLogger(__name__)

# A row needs the four weeks before it (its level); the same-week-last-year baseline also
# needs 52, and is skipped with a warning on shorter data.
HISTORY_WEEKS = 4
# Usable weeks after that history: enough for three CV folds and a test set of four weeks.
MIN_USABLE_WEEKS = 20
MIN_WEEKS = HISTORY_WEEKS + MIN_USABLE_WEEKS
TEST_SHARE = 0.2
# Beyond these sizes a random sample stands in (at scale 1 neither applies): the
# hyperparameter search sees at most MAX_CV_ROWS training rows (whole series), permutation
# importance permutes at most MAX_IMPORTANCE_ROWS test rows.
MAX_CV_ROWS = 15_000
MAX_IMPORTANCE_ROWS = 5_000
# Trees of each forest the hyperparameter search fits (the final model grows N_TREES).
SEARCH_TREES = 100
PARAMETER_GRID = {
    "pipeline__forest__min_samples_leaf": [1, 2],
    "pipeline__forest__max_features": [0.2, 0.33],
}
# Threads for the search, the final fit and permutation importance. Threads, not processes:
# the forests release the GIL, and a process pool would spend seconds starting and copying.
N_JOBS = 2


class NotEnoughWeeksError(ValueError):
    """The data set is too short to train and test the sales model."""


@dataclass
class TrainingResult:
    """Everything one training run produced, ready to be written and logged.

    ``metrics`` maps a model name (the sales model and each baseline) to its metrics.
    """

    model: RelativeQuantileForest
    features: list[str]
    dropped_features: list[str]
    best_params: dict[str, object]
    predictions: pd.DataFrame
    importance: pd.DataFrame
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    example_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    train_weeks: tuple[str, str] = ("", "")
    test_weeks: tuple[str, str] = ("", "")


def usable_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with four weeks of history (their level); fail clearly when too few weeks remain."""
    usable = frame.dropna(subset=[LEVEL, "sales_lag_1w", TARGET])
    n_weeks = usable["week_start"].nunique()
    if n_weeks < MIN_USABLE_WEEKS:
        raise NotEnoughWeeksError(
            f"sales_model_features has {frame['week_start'].nunique()} complete weeks; the sales model "
            f"needs at least {MIN_WEEKS} ({HISTORY_WEEKS} of history for the level and "
            f"{MIN_USABLE_WEEKS} to train and test)"
        )
    return usable.sort_values(["week_start", "product_category", "region"]).reset_index(drop=True)


def available_features(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The numeric features with data; optional columns that are all null are dropped."""
    dropped = [c for c in OPTIONAL if c in frame and frame[c].isna().all()]
    for column in dropped:
        log.warning("feature %s has no data (the source lacks it or the history is too short): the model drops it",
                    column)
    return [c for c in NUMERIC if c not in dropped], dropped


def split_by_weeks(frame: pd.DataFrame, test_share: float = TEST_SHARE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The last ``test_share`` of weeks is the test set; every test week follows every train week."""
    weeks = np.sort(frame["week_start"].unique())
    n_test = max(1, int(round(len(weeks) * test_share)))
    first_test = weeks[-n_test]
    return frame[frame["week_start"] < first_test], frame[frame["week_start"] >= first_test]


def week_folds(week_start: pd.Series, n_splits: int = 3) -> list[tuple[np.ndarray, np.ndarray]]:
    """TimeSeriesSplit over whole weeks, so no week is split between train and validation."""
    weeks = np.sort(week_start.unique())
    folds = []
    for train_weeks, valid_weeks in TimeSeriesSplit(n_splits=n_splits).split(weeks):
        folds.append(
            (
                np.flatnonzero(week_start.isin(weeks[train_weeks]).to_numpy()),
                np.flatnonzero(week_start.isin(weeks[valid_weeks]).to_numpy()),
            )
        )
    return folds


def cv_sample(train: pd.DataFrame, max_rows: int = MAX_CV_ROWS, seed: int = 0) -> pd.DataFrame:
    """The rows the hyperparameter search sees: all of them up to ``max_rows``, beyond that
    whole category x region series drawn at random (every week of a drawn series), so the
    week-ordered folds stay intact and the search costs the same at any scale."""
    if len(train) <= max_rows:
        return train
    keys = train.set_index(list(CATEGORICAL)).index
    series = keys.unique()
    n_series = max(1, int(len(series) * max_rows / len(train)))
    drawn = series[np.sort(np.random.default_rng(seed).choice(len(series), size=n_series, replace=False))]
    log.info("hyperparameter search on %d of %d series (%d of %d rows)", n_series, len(series),
             int(keys.isin(drawn).sum()), len(train))
    return train[keys.isin(drawn)]


def interval_level_needed(model: RelativeQuantileForest, features: pd.DataFrame, target: pd.Series) -> float:
    """CV scorer: the central share of the forest's conditional distribution that holds
    ``INTERVAL_COVERAGE`` of the validation weeks' actual sales."""
    return float(np.nanquantile(model.central_levels(features, target), INTERVAL_COVERAGE))


def fit_with_cv(train: pd.DataFrame, numeric: list[str]) -> tuple[RelativeQuantileForest, dict[str, object]]:
    """Choose the forest's hyperparameters by week-ordered CV on (a sample of) the training
    weeks only, calibrate the interval's quantiles on the same validation weeks (on the
    synthetic data the forest's nominal 5%-95% range held 93-96% of them), then fit the
    chosen forest on every training row."""
    searched = cv_sample(train)
    # The search grows fewer trees than the final model: ranking the candidates and reading
    # the interval's calibration need less precision than the final predictions.
    estimator = RelativeQuantileForest(
        make_pipeline(list(CATEGORICAL), numeric, n_estimators=SEARCH_TREES), level_column=LEVEL
    )
    search = GridSearchCV(
        estimator,
        PARAMETER_GRID,
        cv=week_folds(searched["week_start"]),
        scoring={"mae": "neg_mean_absolute_error", "interval_level": interval_level_needed},
        n_jobs=N_JOBS,
        refit=False,
    )
    columns = list(CATEGORICAL) + numeric
    with parallel_config(backend="threading"):
        search.fit(searched[columns], searched[TARGET])
    results = search.cv_results_
    best = int(np.argmin(results["rank_test_mae"]))
    params = dict(results["params"][best])
    interval = central_interval(float(results["mean_test_interval_level"][best]))
    log.info("CV chose %s (MAE %.1f); the %.0f%% interval spans quantiles %.3f to %.3f",
             params, -results["mean_test_mae"][best], 100 * INTERVAL_COVERAGE, *interval)
    model = clone(estimator).set_params(
        **params, interval=interval, pipeline__forest__n_estimators=N_TREES, pipeline__forest__n_jobs=N_JOBS
    )
    model.fit(train[columns], train[TARGET])
    return model, {**params, "interval": interval}


def score(actual: pd.Series, predicted: np.ndarray, prefix: str) -> dict[str, float]:
    """R2, MAE, RMSE and MAPE under a common prefix."""
    return {
        f"{prefix}_r2": metrics.r2(actual, predicted),
        f"{prefix}_mae": metrics.mae(actual, predicted),
        f"{prefix}_rmse": metrics.rmse(actual, predicted),
        f"{prefix}_mape": metrics.mape(actual, predicted),
    }


def predict_frame(model: RelativeQuantileForest, frame: pd.DataFrame, columns: list[str], split: str) -> pd.DataFrame:
    """One output row per input row: keys, split, actual, prediction and, on the test weeks,
    the 90% interval (a training row sits in its own leaves, so an in-sample interval would be
    too narrow to mean anything: null there)."""
    if split == "test":
        predicted, bounds = model.predict_with_interval(frame[columns])
    else:
        predicted, bounds = model.predict(frame[columns]), np.full((len(frame), 2), np.nan)
    return pd.DataFrame(
        {
            "week_start": frame["week_start"].to_numpy(),
            "product_category": frame["product_category"].to_numpy(),
            "region": frame["region"].to_numpy(),
            "split": split,
            "actual": frame[TARGET].to_numpy(dtype=float),
            "predicted": predicted,
            "lower_90": bounds[:, 0],
            "upper_90": bounds[:, 1],
        }
    )


def importance_frame(model: RelativeQuantileForest, test: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Permutation importance on the test weeks (MAE increase), impurity importance beside it."""
    with parallel_config(backend="threading"):
        permuted = permutation_importance(
            model, test[columns], test[TARGET], scoring="neg_mean_absolute_error", n_repeats=5, random_state=0,
            n_jobs=N_JOBS, max_samples=min(len(test), MAX_IMPORTANCE_ROWS),
        )
    impurity = model.impurity_importance()
    frame = pd.DataFrame(
        {
            "feature": columns,
            "importance": permuted.importances_mean,
            "importance_std": permuted.importances_std,
            "impurity_importance": [float(impurity.get(c, 0.0)) for c in columns],
        }
    )
    return frame.sort_values("importance", ascending=False).reset_index(drop=True)


def train_sales_model(features: pd.DataFrame) -> TrainingResult:
    """Train on the earlier 80% of weeks, evaluate on the rest against two naive baselines."""
    frame = usable_rows(features)
    numeric, dropped = available_features(frame)
    columns = list(CATEGORICAL) + numeric
    train, test = split_by_weeks(frame)
    log.info("training on %d rows (%d weeks), testing on %d rows (%d weeks)",
             len(train), train["week_start"].nunique(), len(test), test["week_start"].nunique())
    model, best_params = fit_with_cv(train, numeric)
    predictions = pd.concat(
        [predict_frame(model, train, columns, "train"), predict_frame(model, test, columns, "test")],
        ignore_index=True,
    )
    tested = predictions[predictions["split"] == "test"]
    trained = predictions[predictions["split"] == "train"]
    model_metrics = {
        **score(tested["actual"], tested["predicted"], "test"),
        **score(trained["actual"], trained["predicted"], "train"),
        "test_interval_coverage_90": metrics.coverage(tested["actual"], tested["lower_90"], tested["upper_90"]),
        "n_train_rows": float(len(train)),
        "n_test_rows": float(len(test)),
    }
    baselines = {"baseline_last_week": score(test[TARGET], test["sales_lag_1w"].to_numpy(), "test")}
    if test["sales_lag_52w"].notna().all():
        baselines["baseline_same_week_last_year"] = score(test[TARGET], test["sales_lag_52w"].to_numpy(), "test")
    else:
        log.warning("less than a year of history before the test weeks: no same-week-last-year baseline")
    best_baseline = min(b["test_mae"] for b in baselines.values())
    model_metrics["test_mae_to_best_baseline"] = model_metrics["test_mae"] / best_baseline
    return TrainingResult(
        model=model,
        features=columns,
        dropped_features=dropped,
        best_params=best_params,
        predictions=predictions,
        importance=importance_frame(model, test, columns),
        metrics={"sales_model": model_metrics, **baselines},
        example_rows=test[list(FEATURES)].head(2).reset_index(drop=True),
        train_weeks=(str(train["week_start"].min())[:10], str(train["week_start"].max())[:10]),
        test_weeks=(str(test["week_start"].min())[:10], str(test["week_start"].max())[:10]),
    )


def metrics_frame(result: TrainingResult, domain: str = "integrated") -> pd.DataFrame:
    """The metrics in model_performance's long format: model_name, domain, metric_name, metric_value."""
    return pd.DataFrame(
        [
            {"model_name": model, "domain": domain, "metric_name": name, "metric_value": float(value)}
            for model, values in result.metrics.items()
            for name, value in values.items()
        ]
    )
