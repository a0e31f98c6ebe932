"""Plotly figures for the sales model: fit, residuals, importance, drift, metric history."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from warehouse.report.summaries import deterministic_sample, sample_note

# Points of the actual-vs-predicted scatter; beyond that a sample shows the fit as well.
MAX_SCATTER_POINTS = 2_000


def actual_vs_predicted(predictions: pd.DataFrame, max_points: int = MAX_SCATTER_POINTS) -> go.Figure:
    """Test weeks: predicted against actual sales, with the 90% interval as error bars.

    At most ``max_points`` test rows, a deterministic random sample, so the figure's size does
    not grow with the data; the title says how many are drawn.
    """
    all_test = predictions[predictions["split"] == "test"]
    test = deterministic_sample(all_test, max_points)
    figure = go.Figure(
        go.Scatter(
            x=test["actual"], y=test["predicted"], mode="markers",
            error_y={"type": "data", "symmetric": False,
                     "array": test["upper_90"] - test["predicted"], "arrayminus": test["predicted"] - test["lower_90"],
                     "thickness": 0.5},
            text=test["product_category"] + " / " + test["region"], name="test weeks",
        )
    )
    bounds = [float(test[["actual", "predicted"]].min().min()), float(test[["actual", "predicted"]].max().max())]
    figure.add_trace(go.Scatter(x=bounds, y=bounds, mode="lines", name="perfect", line={"dash": "dash"}))
    shown = sample_note(len(all_test), max_points, "test rows")
    return figure.update_layout(title=f"Weekly sales: actual vs predicted ({shown})",
                                xaxis_title="actual", yaxis_title="predicted")


def residuals_over_time(predictions: pd.DataFrame) -> go.Figure:
    """Mean residual per week and split: bias or drift shows as a trend."""
    frame = predictions.assign(residual=predictions["actual"] - predictions["predicted"])
    weekly = frame.groupby(["week_start", "split"], as_index=False)["residual"].mean()
    return px.line(weekly, x="week_start", y="residual", color="split",
                   title="Mean residual (actual - predicted) per week")


def feature_importance_bars(importance: pd.DataFrame) -> go.Figure:
    """Permutation importance (test MAE increase) with its spread over repeats."""
    ordered = importance.sort_values("importance")
    return px.bar(ordered, x="importance", y="feature", orientation="h", error_x="importance_std",
                  title="Permutation importance on the test weeks (MAE increase)")


def drift_bars(drift: pd.DataFrame, psi_threshold: float) -> go.Figure:
    """PSI per feature against the alarm threshold, drifted features highlighted."""
    ordered = drift.sort_values("psi")
    figure = px.bar(ordered, x="psi", y="feature", orientation="h", color="drift_detected",
                    title="Feature drift: PSI of the latest weeks against the training weeks")
    return figure.add_vline(x=psi_threshold, line_dash="dash")


def metric_history(performance: pd.DataFrame, metric_name: str, domain: str | None = None) -> go.Figure:
    """One metric's value build after build, per model (from model_performance)."""
    rows = performance[performance["metric_name"] == metric_name]
    if domain is not None:
        rows = rows[rows["domain"] == domain]
    return px.line(rows.sort_values("timestamp"), x="timestamp", y="metric_value", color="model_name",
                   markers=True, title=f"{metric_name} by build")
