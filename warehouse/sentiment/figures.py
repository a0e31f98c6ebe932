"""Plotly figures for the NLP marts; each takes the mart as a frame and returns a Figure."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from warehouse.sentiment.scoring import LABELS, NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD

LABEL_COLORS = {"Negative": "#d62728", "Neutral": "#7f7f7f", "Positive": "#2ca02c"}


def sentiment_distribution(sentiment: pd.DataFrame) -> go.Figure:
    """Histogram of VADER compound scores, coloured by label, with the label thresholds."""
    figure = px.histogram(
        sentiment.dropna(subset=["compound"]), x="compound", color="sentiment_label", nbins=40,
        category_orders={"sentiment_label": list(LABELS)}, color_discrete_map=LABEL_COLORS,
        title="Distribution of VADER compound scores",
    )
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
    """Box plots of the VADER and supervised scores per star rating."""
    long = sentiment.melt(
        id_vars=["rating"], value_vars=["compound", "supervised_score"], var_name="model", value_name="score"
    ).dropna()
    return px.box(long, x="rating", y="score", color="model", title="Rating vs sentiment score")


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
    return px.bar(
        rows, x="tfidf", y="term", orientation="h",
        title=f"Top terms: {product_category}, {sentiment_label}",
    )
