"""Plotly figures for the NLP marts; each takes the mart as a frame and returns a Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from warehouse.report.summaries import box_summary, box_trace, histogram_counts
from warehouse.sentiment.scoring import LABELS, NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD

LABEL_COLORS = {"Negative": "#d62728", "Neutral": "#7f7f7f", "Positive": "#2ca02c"}
# VADER's compound score lies in [-1, 1]: 40 bins of 0.05.
COMPOUND_BIN_EDGES = np.linspace(-1.0, 1.0, 41)


def sentiment_distribution(sentiment: pd.DataFrame) -> go.Figure:
    """Histogram of VADER compound scores, stacked by label, with the label thresholds.

    Drawn from bin counts, so the figure holds a bar per bin and label, not a value per feedback.
    """
    counts = histogram_counts(sentiment, "compound", "sentiment_label", COMPOUND_BIN_EDGES)
    figure = go.Figure()
    for label in [label for label in LABELS if label in set(counts["sentiment_label"])]:
        bins = counts[counts["sentiment_label"] == label]
        figure.add_trace(go.Bar(x=(bins["left"] + bins["right"]) / 2, y=bins["count"], width=bins["right"] - bins["left"],
                                name=label, marker_color=LABEL_COLORS.get(label),
                                customdata=bins[["left", "right"]],
                                hovertemplate="%{customdata[0]:.2f} to %{customdata[1]:.2f}: %{y} feedback"))
    figure.update_layout(title="Distribution of VADER compound scores", barmode="stack", bargap=0,
                         xaxis_title="compound", yaxis_title="count", legend_title_text="sentiment_label")
    for threshold in (NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD):
        figure.add_vline(x=threshold, line_dash="dot", line_color="black")
    return figure


def sentiment_by_category(sentiment: pd.DataFrame) -> go.Figure:
    """Share of each VADER label per product category (stacked bars)."""
    shares = (
        sentiment.dropna(subset=["sentiment_label"])
        .groupby(["product_category", "sentiment_label"]).size()
        .groupby(level=0).transform(lambda counts: counts / counts.sum())
        .rename("share").reset_index()
    )
    return px.bar(
        shares, x="product_category", y="share", color="sentiment_label", barmode="stack",
        category_orders={"sentiment_label": list(LABELS)}, color_discrete_map=LABEL_COLORS,
        title="Sentiment by product category",
    )


def rating_vs_sentiment(sentiment: pd.DataFrame) -> go.Figure:
    """Box plots of the VADER and supervised scores per star rating, drawn from box statistics."""
    long = sentiment.melt(id_vars=["rating"], value_vars=["compound", "supervised_score"],
                          var_name="model", value_name="score")
    figure = go.Figure()
    for model, boxes in box_summary(long, "score", ["model", "rating"]).groupby("model", sort=True):
        figure.add_trace(box_trace(boxes, "rating", name=str(model)))
    return figure.update_layout(title="Rating vs sentiment score", boxmode="group", xaxis_title="rating",
                                yaxis_title="score", legend_title_text="model")


def monthly_trend(monthly: pd.DataFrame) -> go.Figure:
    """Mean VADER compound per category and month (from feedback_sentiment_monthly)."""
    return px.line(
        monthly.sort_values("month"), x="month", y="avg_compound", color="product_category",
        title="Monthly sentiment by category",
    )


def top_terms_chart(terms: pd.DataFrame, product_category: str, sentiment_label: str = "All") -> go.Figure:
    """Horizontal bars of one category's top terms for a label (rank 1 on top)."""
    rows = terms[(terms["product_category"] == product_category) & (terms["sentiment_label"] == sentiment_label)]
    rows = rows.sort_values("term_rank", ascending=False)
    figure = go.Figure(go.Bar(x=rows["tfidf"], y=rows["term"], orientation="h"))
    return figure.update_layout(title=f"Top terms: {product_category}, {sentiment_label}",
                                xaxis_title="tfidf", yaxis_title="term")
