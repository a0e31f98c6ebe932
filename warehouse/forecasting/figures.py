"""Plotly figures of the forecasting marts, for the report: decomposition and forecast bands."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from warehouse.forecasting.pipeline import PROJECT_MODEL

DECOMPOSITION_PARTS = ("observed", "trend", "seasonal", "resid")


def decomposition_figure(decomposition: pd.DataFrame, series_id: str) -> go.Figure:
    """Observed, trend, seasonal and remainder of one series, stacked on a shared date axis."""
    rows = decomposition[decomposition["series_id"] == series_id].sort_values("date")
    if rows.empty:
        raise ValueError(f"no decomposition rows for series {series_id!r}")
    figure = make_subplots(rows=len(DECOMPOSITION_PARTS), cols=1, shared_xaxes=True,
                           subplot_titles=DECOMPOSITION_PARTS, vertical_spacing=0.04)
    for index, part in enumerate(DECOMPOSITION_PARTS, start=1):
        figure.add_trace(go.Scatter(x=rows["date"], y=rows[part], name=part, mode="lines", showlegend=False),
                         row=index, col=1)
    method = rows["method"].iat[0]
    figure.update_layout(title=f"{series_id}: additive decomposition ({method})", height=800)
    return figure


def forecast_figure(
    forecasts: pd.DataFrame,
    series_id: str,
    history: pd.DataFrame | None = None,
    models: tuple[str, ...] = (PROJECT_MODEL,),
    kind: str = "backtest",
) -> go.Figure:
    """Actual sales against each model's forecast, with the 95% band of the first model.

    ``forecasts`` are sales_forecast rows; ``history`` (date, sales_amount), if given, is drawn
    before the forecast window for context.
    """
    rows = forecasts[(forecasts["series_id"] == series_id) & (forecasts["kind"] == kind)].sort_values("date")
    if rows.empty:
        raise ValueError(f"no {kind} forecast rows for series {series_id!r}")
    figure = go.Figure()
    if history is not None:
        figure.add_trace(go.Scatter(x=history["date"], y=history["sales_amount"], name="history",
                                    mode="lines", line={"color": "gray", "width": 1}))
    band = rows[rows["model"] == models[0]]
    figure.add_trace(go.Scatter(x=band["date"], y=band["upper_95"], mode="lines", line={"width": 0},
                                showlegend=False, hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=band["date"], y=band["lower_95"], mode="lines", line={"width": 0},
                                fill="tonexty", fillcolor="rgba(31, 119, 180, 0.2)", name=f"{models[0]} 95% interval"))
    if kind == "backtest":
        actual = rows.drop_duplicates("date")
        figure.add_trace(go.Scatter(x=actual["date"], y=actual["actual"], name="actual", mode="lines",
                                    line={"color": "black", "width": 1}))
    for model in models:
        model_rows = rows[rows["model"] == model]
        figure.add_trace(go.Scatter(x=model_rows["date"], y=model_rows["forecast"], name=model, mode="lines"))
    figure.update_layout(title=f"{series_id}: {kind} forecast", xaxis_title="date", yaxis_title="sales")
    return figure
