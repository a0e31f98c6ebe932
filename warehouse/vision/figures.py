"""Plotly figures of photo quality: by category, against sales, and the best and worst photos.

Thumbnails are embedded as base64 PNG data URIs, so a report written with
``fig.write_html(..., include_plotlyjs=True)`` is one self-contained file.
"""

from __future__ import annotations

import base64
from pathlib import Path

import cv2
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from warehouse.report.summaries import box_summary, box_trace, largest_keys
from warehouse.vision.loading import ImageProblem, decode, read_bytes, resolve_inside, to_bgr8

THUMBNAIL_SIDE = 128


def quality_by_category_figure(scores: pd.DataFrame) -> go.Figure:
    """Box plot of quality_score per category over the photos scored ok, drawn from box statistics."""
    boxes = box_summary(scores[scores["status"] == "ok"], "quality_score", ["product_category"])
    figure = go.Figure(box_trace(boxes, "product_category", name="quality_score"))
    figure.update_layout(title="Photo quality by product category", yaxis_title="quality_score (0..1)",
                         yaxis_range=[0, 1], showlegend=False)
    return figure


def quality_vs_sales_figure(by_category: pd.DataFrame) -> go.Figure:
    """Average photo quality against average daily sales, one labelled point per category."""
    figure = go.Figure(go.Scatter(
        x=by_category["avg_image_quality"], y=by_category["avg_daily_sales"],
        mode="markers+text", text=by_category["product_category"], textposition="top center",
        marker={"size": 12},
    ))
    correlation = by_category["quality_sales_correlation"].dropna()
    subtitle = f" (Pearson r = {correlation.iloc[0]:.2f} across categories)" if len(correlation) else ""
    figure.update_layout(title=f"Photo quality and sales{subtitle}",
                         xaxis_title="average quality_score", yaxis_title="average daily sales")
    return figure


def thumbnail_data_uri(images_dir: str | Path, image_path: str, side: int = THUMBNAIL_SIDE) -> str | None:
    """A PNG data URI of the photo reduced to ``side`` pixels, or None if it cannot be shown.

    Goes through the same path checks as scoring, so a report never embeds a file from
    outside the images folder.
    """
    resolved = resolve_inside(Path(images_dir), image_path)
    if isinstance(resolved, ImageProblem):
        return None
    data = read_bytes(resolved)
    if isinstance(data, ImageProblem):
        return None
    image = decode(data, resolved.name)
    if isinstance(image, ImageProblem):
        return None
    image = to_bgr8(image)
    scale = side / max(image.shape[:2])
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    thumbnail = cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    encoded, png = cv2.imencode(".png", thumbnail)
    return "data:image/png;base64," + base64.b64encode(png.tobytes()).decode("ascii") if encoded else None


def extreme_photos(scores: pd.DataFrame, per_side: int = 2, max_categories: int | None = None) -> pd.DataFrame:
    """The ``per_side`` best and worst scored photos of each category, with a ``rank_label``.

    With ``max_categories``, only that many categories: those with the most photos scored ok.
    """
    scored = scores[scores["status"] == "ok"].sort_values(["product_category", "quality_score"])
    if max_categories is not None:
        most_photos = largest_keys(scored["product_category"].value_counts(), max_categories)
        scored = scored[scored["product_category"].isin(most_photos)]
    picked = []
    for _, photos in scored.groupby("product_category", sort=True):
        best = photos.tail(per_side).iloc[::-1].assign(rank_label="best")
        worst = photos.head(min(per_side, max(len(photos) - per_side, 0))).assign(rank_label="worst")
        picked.append(pd.concat([best, worst]))
    return pd.concat(picked, ignore_index=True) if picked else scored.assign(rank_label=pd.Series(dtype=str))


def thumbnail_grid_figure(scores: pd.DataFrame, images_dir: str | Path, per_side: int = 2,
                          max_categories: int | None = None) -> go.Figure:
    """One row per category: its best photos, then its worst, each titled with its scores.

    ``max_categories`` bounds the rows (and the embedded images) to the categories with the most photos.
    """
    photos = extreme_photos(scores, per_side, max_categories)
    categories = sorted(photos["product_category"].unique())
    columns = 2 * per_side
    titles = []
    for category in categories:
        row = photos[photos["product_category"] == category].reset_index(drop=True)
        titles += [_caption(row.iloc[i]) if i < len(row) else "" for i in range(columns)]
    figure = make_subplots(rows=max(len(categories), 1), cols=columns, subplot_titles=titles or None,
                           horizontal_spacing=0.02, vertical_spacing=0.08)
    for row_index, category in enumerate(categories, start=1):
        row = photos[photos["product_category"] == category].reset_index(drop=True)
        for column_index in range(1, min(len(row), columns) + 1):
            source = thumbnail_data_uri(images_dir, row.loc[column_index - 1, "image_path"])
            _place_thumbnail(figure, row_index, column_index, source, columns)
        figure.update_yaxes(title_text=category, row=row_index, col=1)
    figure.update_xaxes(visible=False, range=[0, 1])
    figure.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, range=[0, 1])
    figure.update_layout(title="Best and worst product photos per category",
                         height=220 * max(len(categories), 1) + 80, width=190 * columns + 80,
                         font={"size": 10}, showlegend=False)
    return figure


def _caption(photo: pd.Series) -> str:
    return (f"{photo['rank_label']} q={photo['quality_score']:.2f}<br>"
            f"sharp {photo['sharpness']:.2f} noise {photo['noise_level']:.1f}")


def _place_thumbnail(figure: go.Figure, row: int, column: int, source: str | None, columns: int) -> None:
    """Put one embedded image into the subplot's axes (an empty marker keeps the axes alive)."""
    figure.add_trace(go.Scatter(x=[0.5], y=[0.5], mode="markers", marker={"opacity": 0},
                                hoverinfo="skip"), row=row, col=column)
    if source is None:
        return
    axis = (row - 1) * columns + column
    suffix = "" if axis == 1 else str(axis)
    figure.add_layout_image(source=source, xref=f"x{suffix}", yref=f"y{suffix}", x=0, y=1,
                            sizex=1, sizey=1, xanchor="left", yanchor="top", sizing="contain", layer="above")
