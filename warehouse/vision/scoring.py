"""Scoring product photos: one pure function per file, one per partition, a pool over both cores.

``score_partition`` is a pure function of (rows, images folder, previous scores), so any
executor (this module's thread pool, Spark's mapInPandas, Ray's map_batches) can call it.
Files whose bytes hash to the value stored by an earlier run with the same scorer version are
not decoded again: their previous row is kept as it was.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from warehouse.vision import metrics
from warehouse.vision.calibration import DEFAULT_CALIBRATION
from warehouse.vision.loading import (
    ANALYSIS_MAX_LONG_SIDE,
    MIN_SIDE,
    ImageProblem,
    decode,
    read_bytes,
    resolve_inside,
    to_analysis_size,
    to_bgr8,
)
from warehouse.vision.quality import QualityCalibration, quality_score

log = logging.getLogger(__name__)

# Bump when a metric or the calibration changes: rows scored by another version are rescored.
SCORER_VERSION = "opencv-quality-1"
PARTITION_SIZE = 64

METRIC_COLUMNS: tuple[str, ...] = (
    "width", "height", "brightness", "contrast", "sharpness", "laplacian_variance",
    "colorfulness", "noise_level", "underexposed_share", "overexposed_share", "highlight",
    "exposure_bias", "quality_score",
)
KEY_COLUMNS: tuple[str, ...] = ("image_id", "product_category", "image_path")
OUTPUT_COLUMNS: tuple[str, ...] = (
    *KEY_COLUMNS, "status", "status_message", "content_hash", *METRIC_COLUMNS, "scorer_version", "scored_at",
)


@dataclass(frozen=True)
class ImageMetrics:
    """Everything measured on one decoded photo."""

    width: int
    height: int
    brightness: float
    contrast: float
    sharpness: float
    laplacian_variance: float
    colorfulness: float
    noise_level: float
    underexposed_share: float
    overexposed_share: float
    highlight: float
    exposure_bias: float
    quality_score: float


def measure(image: np.ndarray, calibration: QualityCalibration = DEFAULT_CALIBRATION) -> ImageMetrics:
    """All metrics of an 8-bit BGR or grey photo, measured at the analysis size."""
    height, width = image.shape[:2]
    analysed = to_analysis_size(image)
    gray = metrics.to_gray(analysed)
    clipped = metrics.clipped_mask(gray)
    noise = metrics.noise_sigma(gray, ~clipped)
    if not np.isfinite(noise):  # every pixel clipped: no texture left to measure noise on
        noise = metrics.noise_sigma(gray)
    sharpness = metrics.edge_sharpness(gray, noise, clipped)
    value = metrics.value_channel(analysed)
    under, over = metrics.clipped_shares(value)
    highlight = metrics.highlight_level(value)
    bias = metrics.exposure_bias(highlight, over, calibration.reference_highlight,
                                 calibration.max_log_exposure, calibration.overexposed_at_max)
    return ImageMetrics(
        width=int(width),
        height=int(height),
        brightness=metrics.brightness(gray),
        contrast=metrics.rms_contrast(gray),
        sharpness=sharpness,
        laplacian_variance=metrics.laplacian_variance(gray),
        colorfulness=metrics.colorfulness(analysed),
        noise_level=noise,
        underexposed_share=under,
        overexposed_share=over,
        highlight=highlight,
        exposure_bias=bias,
        quality_score=quality_score(sharpness, noise, bias, calibration),
    )


def content_hash(data: bytes) -> str:
    """BLAKE2b-128 of the file's bytes: equal hashes mean the same photo."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _problem_row(problem: ImageProblem, digest: str | None = None) -> dict[str, object]:
    return {"status": problem.status, "status_message": problem.message, "content_hash": digest}


def score_file(images_dir: Path, image_path: str, previous_hash: str | None = None) -> dict[str, object] | None:
    """Status, message, hash and metrics of one file; None when its hash equals ``previous_hash``."""
    resolved = resolve_inside(images_dir, image_path)
    if isinstance(resolved, ImageProblem):
        return _problem_row(resolved)
    data = read_bytes(resolved)
    if isinstance(data, ImageProblem):
        return _problem_row(data)
    digest = content_hash(data)
    if digest == previous_hash:
        return None
    decoded = decode(data, resolved.name)
    if isinstance(decoded, ImageProblem):
        return _problem_row(decoded, digest)
    too_small = _shape_problem(decoded, resolved.name)
    if too_small is not None:
        return _problem_row(too_small, digest)
    image = to_bgr8(decoded)
    converted = decoded.dtype != np.uint8 or decoded.shape != image.shape
    note = f" (converted from {_describe(decoded)})" if converted else ""
    return {"status": "ok", "status_message": f"scored{note}", "content_hash": digest, **asdict(measure(image))}


def _shape_problem(image: np.ndarray, name: str) -> ImageProblem | None:
    """Too few pixels to judge, or so narrow that the analysis copy would be under MIN_SIDE."""
    shorter, longer = min(image.shape[:2]), max(image.shape[:2])
    if shorter >= MIN_SIDE and longer * MIN_SIDE <= shorter * ANALYSIS_MAX_LONG_SIDE:
        return None
    size = f"{image.shape[1]}x{image.shape[0]}"
    limit = ANALYSIS_MAX_LONG_SIDE // MIN_SIDE
    return ImageProblem("too_small", f"{name} is {size}; need {MIN_SIDE} px per side and at most {limit}:1 sides")


def _describe(image: np.ndarray) -> str:
    channels = 1 if image.ndim == 2 else image.shape[2]
    return f"{channels} channel(s), {image.dtype}"


def _reusable_hashes(previous: pd.DataFrame | None) -> dict[tuple[int, str], str]:
    """(image_id, image_path) -> hash of rows an earlier run scored with this scorer version."""
    if previous is None or previous.empty:
        return {}
    usable = previous[(previous["scorer_version"] == SCORER_VERSION) & previous["content_hash"].notna()]
    return {
        (int(image_id), str(path)): str(digest)
        for image_id, path, digest in zip(usable["image_id"], usable["image_path"], usable["content_hash"])
    }


def score_partition(
    rows: pd.DataFrame,
    images_dir: str | Path,
    previous: pd.DataFrame | None = None,
    scored_at: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Score one partition of image rows (image_id, product_category, image_path).

    Rows whose file is unchanged since ``previous`` (same id, path, hash and scorer version)
    are copied from ``previous`` without decoding. Returns one row per input row.
    """
    images_dir = Path(images_dir)
    scored_at = scored_at if scored_at is not None else pd.Timestamp.now(tz="UTC").tz_localize(None)
    known = _reusable_hashes(previous)
    previous_by_id = previous.set_index("image_id") if known else None
    out: list[dict[str, object]] = []
    for image_id, category, image_path in zip(rows["image_id"], rows["product_category"], rows["image_path"]):
        key = {"image_id": int(image_id), "product_category": category, "image_path": image_path}
        result = score_file(images_dir, str(image_path), known.get((int(image_id), str(image_path))))
        if result is None:
            kept = previous_by_id.loc[int(image_id)].to_dict()
            out.append({**kept, **key})
            continue
        out.append({**key, **result, "scorer_version": SCORER_VERSION, "scored_at": scored_at})
    return _typed(pd.DataFrame(out, columns=list(OUTPUT_COLUMNS)))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Stable dtypes, so an all-failed partition still has numeric metric columns."""
    frame["image_id"] = frame["image_id"].astype("int64")
    for column in ("width", "height"):
        frame[column] = frame[column].astype("Int64")
    for column in METRIC_COLUMNS:
        if column not in ("width", "height"):
            frame[column] = frame[column].astype("float64")
    frame["scored_at"] = pd.to_datetime(frame["scored_at"])
    return frame


def partitions(frame: pd.DataFrame, size: int = PARTITION_SIZE) -> Iterable[pd.DataFrame]:
    """Consecutive slices of ``size`` rows."""
    for start in range(0, len(frame), size):
        yield frame.iloc[start:start + size]


def previous_of(previous: pd.DataFrame | None, part: pd.DataFrame) -> pd.DataFrame | None:
    """The previous rows of one partition's image ids: each partition looks up its own rows,
    not the whole previous table (at 24,000 photos that lookup cost more than scoring)."""
    if previous is None:
        return None
    return previous[previous["image_id"].isin(part["image_id"])]


def score_images(
    frame: pd.DataFrame,
    images_dir: str | Path,
    previous: pd.DataFrame | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Score every row of ``frame`` on a thread pool (OpenCV and NumPy release the GIL).

    OpenCV's own threading is switched off so the pool's ``workers`` threads, one per core,
    do not fight OpenCV's for the same cores.
    """
    workers = workers or os.cpu_count() or 1
    scored_at = pd.Timestamp.now(tz="UTC").tz_localize(None)
    if frame.empty:
        return score_partition(frame, images_dir, previous, scored_at)
    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            jobs = [pool.submit(score_partition, part, images_dir, previous_of(previous, part), scored_at)
                    for part in partitions(frame)]
            results = []
            for done, job in enumerate(jobs, start=1):
                results.append(job.result())
                if done % 10 == 0 or done == len(jobs):
                    log.info("scored %d of %d partitions", done, len(jobs))
    finally:
        cv2.setNumThreads(before)
    scores = pd.concat(results, ignore_index=True)
    rescored = int((scores["scored_at"] == scored_at).sum())
    log.info("%d images: %d scored now, %d unchanged kept; statuses %s", len(scores), rescored,
             len(scores) - rescored, scores["status"].value_counts().to_dict())
    return scores
