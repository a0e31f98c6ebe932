"""Figures the module packages do not draw: overview, accuracy, stationarity, impact, a picker.

The forecasting, sentiment, vision and sales model figures come from their own packages;
these builders cover the rest, and ``picker`` combines per-series figures into one.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from warehouse.report.summaries import box_summary, box_trace


def picker(figures: Mapping[str, go.Figure], label: str) -> go.Figure:
    """One figure showing one of ``figures`` at a time, chosen in a dropdown named ``label``.

    The first figure's layout (axes, subplots) is kept, so every choice must share it.
    """
    if not figures:
        raise ValueError("picker needs at least one figure")
    names = list(figures)
    first = figures[names[0]]
    combined = go.Figure(layout=first.layout)
    spans: list[tuple[str, int, int]] = []
    for index, name in enumerate(names):
        start = len(combined.data)
        for trace in figures[name].data:
            combined.add_trace(trace.update(visible=index == 0))
        spans.append((name, start, len(combined.data)))
    total = len(combined.data)
    buttons = [
        {"label": name, "method": "update",
         "args": [{"visible": [start <= i < stop for i in range(total)]},
                  {"title.text": figures[name].layout.title.text}]}
        for name, start, stop in spans
    ]
    combined.update_layout(
        updatemenus=[{"buttons": buttons, "direction": "down", "showactive": True, "name": label,
                      "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom", "pad": {"b": 24}}],
        margin={"t": 110},
    )
    return combined


# --- data overview -------------------------------------------------------------------------


def weekly_sales_by_category(weekly: pd.DataFrame) -> go.Figure:
    """Weekly sales per category, summed over regions (week, product_category, sales_amount)."""
    return px.line(weekly, x="week", y="sales_amount", color="product_category",
                   title="Weekly sales by product category", labels={"sales_amount": "sales", "week": "week"})


def sales_by_region(totals: pd.DataFrame) -> go.Figure:
    """Total sales per region, stacked by category (region, product_category, sales_amount)."""
    return px.bar(totals, x="region", y="sales_amount", color="product_category",
                  title="Total sales by region and category", labels={"sales_amount": "sales"})


# --- forecasting ---------------------------------------------------------------------------


def forecast_accuracy(mase: pd.DataFrame) -> go.Figure:
    """MASE of every model over the series, a box per model and series level (below 1 beats last season).

    Drawn from box statistics, so the figure holds a box, not a point, per series.
    """
    figure = go.Figure()
    for level, boxes in box_summary(mase, "mase", ["series_level", "model"]).groupby("series_level", sort=True):
        figure.add_trace(box_trace(boxes, "model", name=str(level)))
    figure.update_layout(title="Backtest MASE per model and series level", boxmode="group",
                         xaxis_title="model", yaxis_title="mase", legend_title_text="series_level")
    return figure.add_hline(y=1.0, line_dash="dot")


def stationarity_bars(stationarity: pd.DataFrame) -> go.Figure:
    """ADF p-value of each series on the level and the first difference, against 0.05."""
    long = stationarity.melt(id_vars=["series_id"], value_vars=["p_value", "diff_p_value"],
                             var_name="test", value_name="p").replace({"p_value": "level", "diff_p_value": "first difference"})
    figure = px.bar(long, x="series_id", y="p", color="test", barmode="group",
                    title="Augmented Dickey-Fuller p-value per series")
    return figure.add_hline(y=0.05, line_dash="dot").update_xaxes(tickangle=45)


# --- business impact -----------------------------------------------------------------------


def benefit_and_cost(impact: pd.DataFrame) -> go.Figure:
    """Annual benefit components against the annualised cost, per scenario."""
    parts = ["annual_holding_cost_saving", "annual_margin_from_sales_uplift", "annualised_cost"]
    rows = impact[impact["metric"].isin(parts)]
    return px.bar(rows, x="scenario", y="value", color="metric", barmode="group",
                  category_orders={"scenario": ["low", "base", "high"], "metric": parts},
                  title="Annual benefit and annualised cost by scenario", labels={"value": "currency per year"})


def roi_by_scenario(impact: pd.DataFrame) -> go.Figure:
    """Annual ROI (percent) per scenario, with the payback months as text."""
    roi = impact[impact["metric"] == "annual_roi"].set_index("scenario")["value"]
    payback = impact[impact["metric"] == "payback_months"].set_index("scenario")["value"]
    order = [s for s in ("low", "base", "high") if s in roi.index]
    text = [f"{roi[s]:.0f}%, payback {'never' if payback[s] == float('inf') else f'{payback[s]:.0f} months'}"
            for s in order]
    figure = go.Figure(go.Bar(x=order, y=[roi[s] for s in order], text=text, textposition="outside",
                              marker_color=["#d62728" if roi[s] < 0 else "#2ca02c" for s in order]))
    return figure.add_hline(y=0, line_color="black").update_layout(
        title="Annual ROI by scenario", yaxis_title="percent", xaxis_title="scenario")


def lever_uplifts(impact: pd.DataFrame) -> go.Figure:
    """Each lever's annual sales uplift from the champion model, with its bootstrap interval."""
    rows = impact[impact["metric"].str.endswith("_annual_sales_uplift")]
    wide = rows.pivot_table(index="metric", columns="scenario", values="value")
    wide.index = wide.index.str.removesuffix("_annual_sales_uplift")
    figure = go.Figure(go.Bar(
        x=wide.index, y=wide["base"],
        error_y={"type": "data", "symmetric": False, "array": wide["high"] - wide["base"],
                 "arrayminus": wide["base"] - wide["low"]},
    ))
    return figure.update_layout(title="Annual sales uplift per lever (counterfactual, 90% bootstrap interval)",
                                yaxis_title="currency per year", xaxis_title="lever")
