"""The report's sections, one per module, each built from its marts (and MLflow)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from warehouse.drift import PSI_THRESHOLD
from warehouse.forecasting import figures as forecast_figures
from warehouse.forecasting.pipeline import PROJECT_MODEL
from warehouse.forecasting.series import TOTAL_SERIES_ID
from warehouse.modeling import figures as model_figures
from warehouse.report import figures, queries
from warehouse.report.data import Marts, champion_summary
from warehouse.report.summaries import BOX_CAPTION, keep_largest, largest_keys, sample_note
from warehouse.sentiment import figures as sentiment_figures
from warehouse.sentiment.figures import COMPOUND_BIN_EDGES
from warehouse.vision import figures as vision_figures

log = logging.getLogger(__name__)

BASELINE_MODEL = "seasonal_naive"
# Days of actual sales drawn before the backtest and the future window, for context.
HISTORY_DAYS = 120
# Beyond these, a figure draws the largest (by sales or photos) and says so in its caption:
# the page then grows with neither the regions nor a user's number of categories.
MAX_CATEGORIES_DRAWN = 10
MAX_REGIONS_DRAWN = 15
# Category x region series listed at each end of the stationarity ranking.
STATIONARITY_EXTREMES = 5


@dataclass(frozen=True)
class Figure:
    """A plotly figure and the one line under it saying what it shows."""

    figure: go.Figure
    caption: str


@dataclass(frozen=True)
class Table:
    """A small table and its caption."""

    frame: pd.DataFrame
    caption: str


@dataclass
class Section:
    """A titled part of the page; ``missing`` replaces its content when its marts are absent."""

    anchor: str
    title: str
    intro: str
    items: list[Figure | Table] = field(default_factory=list)
    missing: str | None = None


@dataclass(frozen=True)
class ReportContext:
    """What sections need besides the marts."""

    images_dir: Path


def _missing(anchor: str, title: str, intro: str, marts: Marts, *names: str) -> Section | None:
    absent = marts.missing(*names)
    if absent:
        log.warning("section %s: missing or empty marts %s", anchor, ", ".join(absent))
        return Section(anchor, title, intro, missing=f"No data: the mart(s) {', '.join(absent)} are missing or empty. "
                                                     "Build them with `make build`.")
    return None


def overview(marts: Marts, context: ReportContext) -> Section:
    """Data overview: what the warehouse holds."""
    anchor, title, intro = "overview", "Data overview", "Daily sales by category and region (fct_daily_sales)."
    if (empty := _missing(anchor, title, intro, marts, "fct_daily_sales")) is not None:
        return empty
    facts = queries.sales_summary(marts).iloc[0]
    summary = pd.DataFrame({
        "figure": ["first date", "last date", "days", "categories", "regions", "rows", "total sales"],
        "value": [str(facts["first_date"])[:10], str(facts["last_date"])[:10], facts["days"], facts["categories"],
                  facts["regions"], facts["rows"], f"{facts['total_sales']:,.0f}"],
    })
    weekly, other_categories = keep_largest(queries.weekly_category_sales(marts), "product_category", "sales_amount",
                                            MAX_CATEGORIES_DRAWN, "categories")
    regions, other_regions = keep_largest(queries.region_category_sales(marts), "region", "sales_amount",
                                          MAX_REGIONS_DRAWN, "regions")
    regions, colours_merged = keep_largest(regions, "product_category", "sales_amount", MAX_CATEGORIES_DRAWN, "categories")
    return Section(anchor, title, intro, [
        Table(summary, "What fct_daily_sales holds."),
        Figure(figures.weekly_sales_by_category(weekly),
               "Weekly sales per category, summed over regions: trend and yearly season."
               + _merged_note(MAX_CATEGORIES_DRAWN, other_categories, "categories", "one line")),
        Figure(figures.sales_by_region(regions), "Total sales per region, split by category."
               + _merged_note(MAX_REGIONS_DRAWN, other_regions, "regions", "one bar")
               + _merged_note(MAX_CATEGORIES_DRAWN, colours_merged, "categories", "one colour")),
    ])


def _merged_note(size: int, others: int, noun: str, shape: str) -> str:
    """What a caption adds when ``keep_largest`` merged ``others`` groups; nothing when it did not."""
    return f" The {size} {noun} with the most sales are drawn, the other {others:,} summed as {shape}." if others else ""


def recent_history(decomposition: pd.DataFrame, series_id: str, before: str, days: int) -> pd.DataFrame:
    """The series' observed sales in the ``days`` before the date ``before`` (date, sales_amount)."""
    rows = decomposition[(decomposition["series_id"] == series_id) & (decomposition["date"] < before)]
    return rows.sort_values("date").tail(days).rename(columns={"observed": "sales_amount"})


def picked_series(marts: Marts) -> tuple[list[str], int]:
    """The series the forecasting pickers offer, and how many category series there are.

    The total, then at most MAX_CATEGORIES_DRAWN categories (those with the most sales) by
    name. The category x region series would add ~80 KB of daily points each per figure;
    they stay in the marts.
    """
    totals = queries.aggregate_series_sales(marts)
    categories = totals.drop(TOTAL_SERIES_ID, errors="ignore")
    picked = sorted(largest_keys(categories, MAX_CATEGORIES_DRAWN))
    return ([TOTAL_SERIES_ID] if TOTAL_SERIES_ID in totals.index else []) + picked, len(categories)


def forecasting(marts: Marts, context: ReportContext) -> Section:
    """Decomposition and forecasts per series, with a series picker, and backtest accuracy."""
    anchor, title = "forecasting", "Decomposition and forecasts"
    intro = ("MSTL decomposition, and the backtest (last 20% of days) and future forecasts of the project's "
             f"model ({PROJECT_MODEL}) against the seasonal naive baseline with 95% intervals. "
             "Pick a series in each figure's dropdown.")
    if (empty := _missing(anchor, title, intro, marts, "sales_decomposition", "sales_forecast", "forecast_metrics")) is not None:
        return empty
    top_series, categories = picked_series(marts)
    decomposition = queries.decomposition_rows(marts, top_series)
    forecast = queries.forecast_rows(marts, top_series, [PROJECT_MODEL, BASELINE_MODEL])
    series = [s for s in top_series if s in set(forecast["series_id"])]
    models = tuple(m for m in (PROJECT_MODEL, BASELINE_MODEL) if m in set(forecast["model"]))
    pickers = {
        kind: figures.picker({
            s: forecast_figures.forecast_figure(
                forecast, s, recent_history(decomposition, s, forecast.loc[forecast["kind"] == kind, "date"].min(), HISTORY_DAYS),
                models=models, kind=kind)
            for s in series}, "series")
        for kind in ("backtest", "future")
    }
    offered = (f" The dropdown offers the total and the {MAX_CATEGORIES_DRAWN} of {categories:,} categories with the "
               "most sales; every series is in the marts." if categories > MAX_CATEGORIES_DRAWN else "")
    mase = queries.forecast_mase(marts)
    items: list[Figure | Table] = [
        Figure(figures.picker({s: forecast_figures.decomposition_figure(decomposition, s) for s in top_series}, "series"),
               "Daily sales of the total or a category split into trend, weekly plus yearly season and remainder." + offered),
        Figure(pickers["backtest"], "Backtest: the last 20% of days forecast from the rest, against the actuals, "
                                    "with the project model's 95% interval." + offered),
        Figure(pickers["future"], "The days after the last actual date, with the project model's 95% interval." + offered),
        Figure(figures.forecast_accuracy(mase),
               f"Backtest MASE of each model over {_series_counts(mase)}: {BOX_CAPTION}. "
               "Below the dotted line beats last season's repeat."),
    ]
    evaluation = marts.get("forecast_evaluation")
    if evaluation is not None and not evaluation.empty:
        wide = evaluation.pivot_table(index="metric_name", columns="model_name", values="metric_value")
        items.append(Table(wide.reset_index(), "Headline backtest figures per model (forecast_evaluation)."))
    return Section(anchor, title, intro, items)


def _series_counts(mase: pd.DataFrame) -> str:
    """'31 series (1 total, 5 category, 25 category_region)' from forecast_metrics rows."""
    per_level = mase.groupby("series_level")["series_id"].nunique()
    levels = ", ".join(f"{count:,} {level}" for level, count in per_level.items())
    return f"{mase['series_id'].nunique():,} series ({levels})"


def stationarity(marts: Marts, context: ReportContext) -> Section:
    """ADF tests of the total and the categories, and a summary of the category x region series."""
    anchor, title = "stationarity", "Stationarity"
    intro = "Augmented Dickey-Fuller test of each series on the level and after first differencing."
    if (empty := _missing(anchor, title, intro, marts, "sales_stationarity")) is not None:
        return empty
    aggregates = queries.aggregate_stationarity(marts)
    by_category = queries.leaf_stationarity_by_category(marts)
    leaves, untested = int(by_category["series"].sum()), int(by_category["not_tested"].sum())
    summarised = f" The {leaves:,} category x region series are summarised below." if leaves else ""
    items: list[Figure | Table] = [
        Figure(figures.stationarity_bars(aggregates),
               f"ADF p-value of the total and the category series ({len(aggregates):,}); below the dotted 0.05 line "
               f"a unit root is rejected.{summarised}"),
        Table(aggregates, "ADF statistics of the total and the category series (sales_stationarity)."),
    ]
    if leaves:
        extremes = queries.leaf_stationarity_extremes(marts, STATIONARITY_EXTREMES)
        tested = leaves - untested
        ends = STATIONARITY_EXTREMES
        shown = (f"All {tested:,} tested" if tested <= 2 * ends else
                 f"The {ends} least and the {ends} most stationary of the {tested:,} tested")
        items += [
            Table(by_category, f"How many of the {leaves:,} category x region series of each category reject a unit root "
                               "at 5% on the level and after first differencing; not_tested: constant or all-zero "
                               "series (every series is in sales_stationarity)."),
            Table(extremes, f"{shown} category x region series, by the level ADF p-value."),
        ]
    return Section(anchor, title, intro, items)


def sentiment(marts: Marts, context: ReportContext) -> Section:
    """VADER sentiment of the feedback and its top terms."""
    anchor, title = "sentiment", "Customer sentiment"
    intro = "VADER sentiment of every feedback text, by category, against ratings, over time, and TF-IDF top terms."
    if (empty := _missing(anchor, title, intro, marts, "feedback_sentiment", "feedback_sentiment_monthly",
                          "feedback_top_terms")) is not None:
        return empty
    scored, terms = queries.feedback_scores(marts), marts.get("feedback_top_terms")
    pairs = terms[["product_category", "sentiment_label"]].drop_duplicates().sort_values(["product_category", "sentiment_label"])
    terms_picker = figures.picker(
        {f"{c}, {label}": sentiment_figures.top_terms_chart(terms, c, label) for c, label in pairs.itertuples(index=False)},
        "category, label")
    bin_width = COMPOUND_BIN_EDGES[1] - COMPOUND_BIN_EDGES[0]
    return Section(anchor, title, intro, [
        Figure(sentiment_figures.sentiment_distribution(scored),
               f"Distribution of the compound scores of all {scored['compound'].notna().sum():,} feedback texts, "
               f"counted in bins of {bin_width:.2g}; dotted lines are the label thresholds."),
        Figure(sentiment_figures.sentiment_by_category(scored), "Share of negative, neutral and positive feedback per category."),
        Figure(sentiment_figures.rating_vs_sentiment(scored), _rating_caption(int(scored["rating"].notna().sum()))),
        Figure(sentiment_figures.monthly_trend(marts.get("feedback_sentiment_monthly")), "Mean compound score per category and month."),
        Figure(terms_picker, "Top TF-IDF terms of a category and sentiment label; pick one in the dropdown."),
    ])


def _rating_caption(rated: int) -> str:
    if not rated:
        return "No feedback text carries a star rating (feedback_sentiment.rating is empty): nothing to compare."
    return f"Sentiment scores of the {rated:,} rated feedback texts per star rating, which should rise together: {BOX_CAPTION}."


def photo_quality(marts: Marts, context: ReportContext) -> Section:
    """Photo quality scores, their relation to sales, and the best and worst photos."""
    anchor, title = "photos", "Product photo quality"
    intro = "OpenCV quality scores of the product photos (sharpness, exposure, contrast, noise) and sales."
    if (empty := _missing(anchor, title, intro, marts, "product_image_scores", "image_quality_by_category")) is not None:
        return empty
    scores = queries.photo_scores(marts)
    scored = scores[scores["status"] == "ok"]
    categories = scored["product_category"].nunique()
    thumbnails = (f"the {MAX_CATEGORIES_DRAWN} of {categories:,} categories with the most photos"
                  if categories > MAX_CATEGORIES_DRAWN else "each category")
    return Section(anchor, title, intro, [
        Figure(vision_figures.quality_by_category_figure(scores),
               f"Quality score of the {len(scored):,} photos scored ok, per category: {BOX_CAPTION}."),
        Figure(vision_figures.quality_vs_sales_figure(marts.get("image_quality_by_category")),
               "Average photo quality against average daily sales, one point per category."),
        Figure(vision_figures.thumbnail_grid_figure(scores, context.images_dir, max_categories=MAX_CATEGORIES_DRAWN),
               f"The best and the worst scored photos of {thumbnails}, embedded as thumbnails."),
    ])


def sales_model(marts: Marts, context: ReportContext) -> Section:
    """The integrated sales model: fit, residuals, importance, metric history, registry."""
    anchor, title = "sales-model", "Sales model"
    intro = "Weekly sales per category and region from a random forest over lags, drivers, sentiment and photo quality."
    if (empty := _missing(anchor, title, intro, marts, "sales_model_predictions", "feature_importance",
                          "sales_model_evaluation", "model_performance")) is not None:
        return empty
    test, evaluation = queries.held_out_predictions(marts), marts.get("sales_model_evaluation")
    metrics = evaluation.pivot_table(index="metric_name", columns="model_name", values="metric_value")
    items: list[Figure | Table] = [
        Table(metrics.reset_index(), "Test and train metrics of the model and both baselines (sales_model_evaluation)."),
        Figure(model_figures.actual_vs_predicted(test),
               "Test weeks: predicted against actual sales with 90% intervals, "
               f"{sample_note(len(test), model_figures.MAX_SCATTER_POINTS, 'test rows (category x region x week)')}."),
        Figure(model_figures.residuals_over_time(queries.weekly_mean_predictions(marts)),
               "Mean residual per week for the training and the test weeks, over every prediction row."),
        Figure(model_figures.feature_importance_bars(marts.get("feature_importance")),
               "How much the test MAE grows when each feature is shuffled."),
        Figure(model_figures.metric_history(marts.get("model_performance"), "test_mae", "integrated"),
               "Test MAE of the model and the baselines, build after build (model_performance)."),
    ]
    registry = champion_summary()
    if registry is not None:
        items.append(Table(registry, "Registered sales_model versions in MLflow; the champion is served."))
    else:
        items.append(Table(pd.DataFrame({"MLflow": ["the tracking store could not be read"]}), "MLflow registry."))
    return Section(anchor, title, intro, items)


def drift(marts: Marts, context: ReportContext) -> Section:
    """Feature drift of the latest weeks against the training weeks."""
    anchor, title = "drift", "Feature drift"
    intro = (f"PSI and KS/chi-squared tests of each model feature, latest weeks against the training weeks; "
             f"drift is flagged at PSI > {PSI_THRESHOLD} with p < 0.01.")
    if (empty := _missing(anchor, title, intro, marts, "feature_drift")) is not None:
        return empty
    rows = marts.get("feature_drift")
    table = rows[["feature", "kind", "psi", "ks_p_value", "chi2_p_value", "drift_detected"]]
    return Section(anchor, title, intro, [
        Figure(model_figures.drift_bars(rows, PSI_THRESHOLD), "PSI per feature; the dashed line is the alarm threshold."),
        Table(table, "Drift statistics per feature (feature_drift)."),
    ])


def business_impact(marts: Marts, context: ReportContext) -> Section:
    """ROI from measured results and the impact_* dbt vars, with its sensitivity."""
    anchor, title = "impact", "Business impact and sensitivity"
    intro = ("Safety-stock saving from the forecast's smaller backtest error, sales uplift of better photos and "
             "sentiment by counterfactual prediction of the champion model, and the ROI under low, base and high "
             "assumptions. Every figure's derivation is in business_impact.source.")
    if (empty := _missing(anchor, title, intro, marts, "business_impact")) is not None:
        return empty
    impact = marts.get("business_impact")
    headline = impact[impact["section"].isin(["benefit", "cost", "roi"])].pivot_table(
        index=["metric", "unit"], columns="scenario", values="value", sort=False).reindex(columns=["low", "base", "high"])
    details = impact[impact["scenario"] == "base"][["section", "metric", "value", "unit", "source"]]
    return Section(anchor, title, intro, [
        Figure(figures.roi_by_scenario(impact), "Annual ROI under pessimistic, base and optimistic assumptions."),
        Figure(figures.benefit_and_cost(impact), "Yearly holding-cost saving and margin on extra sales against the yearly cost."),
        Figure(figures.lever_uplifts(impact), "Sales uplift the champion model predicts when photos and sentiment improve."),
        Table(headline.reset_index(), "Sensitivity table: benefit, cost and ROI per scenario."),
        Table(details, "Every base-scenario figure with its unit and derivation."),
    ])


SECTIONS: tuple[Callable[[Marts, ReportContext], Section], ...] = (
    overview, forecasting, stationarity, sentiment, photo_quality, sales_model, drift, business_impact,
)
