"""Synthetic product photos: a simple product scene per category, degraded by known amounts.

Each photo is drawn sharp and clean, then blurred (Gaussian, ``blur_sigma`` pixels), its
exposure scaled (``exposure_gain``, 1 is unchanged) and Gaussian noise added (``noise_sigma``
grey levels). The three strengths are drawn independently, scaled by how poor the category's
photos are at upload time, and written to the truth file so the scores can be validated.

Every photo is a pure function of (generation seed, image id): it draws from its own random
stream, so photos are drawn in parallel over all cores, and a run that appends photos (or draws
only some ids) writes the same bytes for an id as a run that draws them all.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from warehouse.synthetic.world import CATEGORIES, CategoryProfile, World, photo_quality_level, share_of_period

log = logging.getLogger(__name__)

MAX_BLUR_SIGMA = 3.0
MAX_NOISE_SIGMA = 20.0
MAX_LOG_EXPOSURE = 0.6
# Photos per task sent to a worker process: large enough that pickling and start-up vanish.
PHOTOS_PER_TASK = 250
# PNG is lossless, so the encoder settings change only file size and speed, never pixels. On
# these noisy photos Huffman-only level 1 with the one "average" row filter encodes ~3x faster
# than level 3 with adaptive filters, at about the same size and decoding speed.
PNG_PARAMS = [
    cv2.IMWRITE_PNG_COMPRESSION, 1,
    cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY,
    cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_AVG,
]

# One drawn photo: (metadata seed row, degradation truth row).
DrawnPhoto = tuple[dict[str, object], dict[str, object]]


def _colour(rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(c) for c in rng.integers(30, 226, 3))


def draw_scene(rng: np.random.Generator, category: CategoryProfile, size: int) -> np.ndarray:
    """A clean BGR product shot: gradient backdrop, a product shape and printed detail."""
    ramp = np.linspace(0, 1, size, dtype=np.float32)[:, None, None]
    top, bottom = np.array(_colour(rng), np.float32), np.array(_colour(rng), np.float32)
    image = np.broadcast_to(top * (1 - ramp) + bottom * ramp, (size, size, 3)).copy().astype(np.uint8)
    s = size / 256
    colour, accent = _colour(rng), _colour(rng)
    cx, cy = int(size / 2 + rng.integers(-20, 21) * s), int(size / 2 + rng.integers(-20, 21) * s)
    if category.name == "Electronics":
        cv2.rectangle(image, (int(cx - 70 * s), int(cy - 50 * s)), (int(cx + 70 * s), int(cy + 50 * s)), colour, -1)
        cv2.rectangle(image, (int(cx - 60 * s), int(cy - 40 * s)), (int(cx + 60 * s), int(cy + 40 * s)), accent, -1)
    elif category.name == "Clothing":
        body = np.array([[-60, -70], [60, -70], [90, -30], [60, -10], [50, 80], [-50, 80], [-60, -10], [-90, -30]])
        cv2.fillPoly(image, [(body * s + [cx, cy]).astype(np.int32)], colour)
    elif category.name == "Books":
        for i in range(3):
            offset = int((i * 22 - 22) * s)
            cv2.rectangle(image, (int(cx - 80 * s), cy + offset - int(9 * s)), (int(cx + 80 * s), cy + offset + int(9 * s)), _colour(rng), -1)
    elif category.name == "Home":
        cv2.ellipse(image, (cx, int(cy - 20 * s)), (int(60 * s), int(45 * s)), 0, 0, 360, colour, -1)
        cv2.rectangle(image, (int(cx - 8 * s), int(cy + 20 * s)), (int(cx + 8 * s), int(cy + 80 * s)), accent, -1)
    else:
        cv2.circle(image, (cx, cy), int(70 * s), colour, -1)
        cv2.line(image, (int(cx - 70 * s), cy), (int(cx + 70 * s), cy), accent, max(1, int(4 * s)))
    for line in range(4):
        y = int(cy - 25 * s + line * 14 * s)
        cv2.putText(image, "PRODUCT"[: int(rng.integers(3, 8))], (int(cx - 45 * s), y),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4 * s, accent if line % 2 else (20, 20, 20), 1, cv2.LINE_AA)
    return image


def degrade(image: np.ndarray, rng: np.random.Generator, blur_sigma: float, exposure_gain: float, noise_sigma: float) -> np.ndarray:
    """Apply blur, then exposure, then sensor noise, as a camera would.

    The noise comes from OpenCV's generator (several times faster than numpy's), seeded from
    ``rng`` so the photo stays a function of ``rng`` alone.
    """
    out = image.astype(np.float32)
    if blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur_sigma)
    out *= exposure_gain
    noise = np.empty_like(out)
    cv2.setRNGSeed(int(rng.integers(1, 2**31)))
    cv2.randn(noise.reshape(out.shape[0], -1), 0.0, noise_sigma)
    out += noise
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def degradation_strengths(rng: np.random.Generator, quality: float) -> dict[str, float]:
    """Blur, exposure and noise for a photo of a given target quality (1 is perfect)."""
    badness = float(np.clip(1.0 - quality + rng.normal(0, 0.15), 0.0, 1.0))
    blur = MAX_BLUR_SIGMA * badness * rng.uniform(0.0, 1.0)
    noise = MAX_NOISE_SIGMA * badness * rng.uniform(0.0, 1.0)
    log_exposure = MAX_LOG_EXPOSURE * badness * rng.uniform(0.0, 1.0) * rng.choice((-1.0, 1.0))
    total = (blur / MAX_BLUR_SIGMA + noise / MAX_NOISE_SIGMA + abs(log_exposure) / MAX_LOG_EXPOSURE) / 3
    return {
        "blur_sigma": round(blur, 4),
        "exposure_gain": round(float(np.exp(log_exposure)), 4),
        "noise_sigma": round(noise, 4),
        "total_degradation": round(total, 4),
    }


@dataclass(frozen=True)
class PhotoTask:
    """A run of consecutive image ids to draw: all a worker process needs, cheap to pickle."""

    base_seed: int
    first_id: int
    n_images: int
    image_dir: Path
    image_size: int
    upload_days: tuple[str, ...]
    period_shares: tuple[float, ...]


def draw_photo(task: PhotoTask, image_id: int) -> DrawnPhoto:
    """Draw, degrade and write one photo; return its (metadata row, degradation truth row)."""
    rng = np.random.default_rng([task.base_seed, image_id])
    category = CATEGORIES[(image_id - 1) % len(CATEGORIES)]
    day = int(rng.integers(0, len(task.upload_days)))
    strengths = degradation_strengths(rng, photo_quality_level(category, task.period_shares[day]))
    scene = draw_scene(rng, category, task.image_size)
    photo = degrade(scene, rng, strengths["blur_sigma"], strengths["exposure_gain"], strengths["noise_sigma"])
    file_name = f"{category.name.lower()}_{image_id:06d}.png"
    if not cv2.imwrite(str(task.image_dir / file_name), photo, PNG_PARAMS):
        raise OSError(f"could not write {task.image_dir / file_name}")
    row = {"image_id": image_id, "product_category": category.name, "image_path": file_name,
           "uploaded_at": task.upload_days[day]}
    return row, {"image_id": image_id, **strengths}


def draw_photos(task: PhotoTask) -> list[DrawnPhoto]:
    """Every photo of one task, in image id order."""
    return [draw_photo(task, image_id) for image_id in range(task.first_id, task.first_id + task.n_images)]


def _single_threaded_opencv() -> None:
    """Worker start-up: one OpenCV thread per process, as the processes already fill the cores."""
    cv2.setNumThreads(1)


def photo_tasks(rng: np.random.Generator, world: World, n_images: int, image_dir: Path, first_id: int) -> list[PhotoTask]:
    """Split ids ``first_id..`` into tasks; the one draw from ``rng`` seeds every photo."""
    dates = pd.date_range(world.start, world.end, freq="D")
    base_seed = int(rng.integers(0, 2**63))
    upload_days = tuple(dates.strftime("%Y-%m-%d"))
    shares = tuple(float(share) for share in share_of_period(world, dates))
    return [
        PhotoTask(base_seed, start, min(PHOTOS_PER_TASK, first_id + n_images - start), image_dir,
                  world.image_size, upload_days, shares)
        for start in range(first_id, first_id + n_images, PHOTOS_PER_TASK)
    ]


def run_tasks(tasks: list[PhotoTask], workers: int) -> list[list[DrawnPhoto]]:
    """Results of every task in task order: in this process, or a spawned process pool."""
    if workers <= 1 or len(tasks) <= 1:
        return [draw_photos(task) for task in tasks]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(workers, len(tasks)), mp_context=context, initializer=_single_threaded_opencv) as pool:
        return list(pool.map(draw_photos, tasks))


def generate_images(
    rng: np.random.Generator,
    world: World,
    n_images: int,
    image_dir: Path,
    first_id: int = 1,
    workers: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write PNG files under ``image_dir``; return (metadata seed rows, degradation truth).

    ``workers`` processes draw the photos (default: one per core); the output does not depend
    on it. The same ``rng`` state gives the same photo for an id whatever ``first_id`` is.
    """
    image_dir.mkdir(parents=True, exist_ok=True)
    tasks = photo_tasks(rng, world, n_images, image_dir, first_id)
    workers = workers if workers is not None else os.cpu_count() or 1
    log.debug("drawing %d photos in %d tasks on up to %d processes", n_images, len(tasks), workers)
    drawn = [photo for result in run_tasks(tasks, workers) for photo in result]
    return pd.DataFrame([row for row, _ in drawn]), pd.DataFrame([truth for _, truth in drawn])
