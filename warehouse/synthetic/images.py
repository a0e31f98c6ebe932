"""Synthetic product photos: a simple product scene per category, degraded by known amounts.

Each photo is drawn sharp and clean, then blurred (Gaussian, ``blur_sigma`` pixels), its
exposure scaled (``exposure_gain``, 1 is unchanged) and Gaussian noise added (``noise_sigma``
grey levels). The three strengths are drawn independently, scaled by how poor the category's
photos are at upload time, and written to the truth file so the scores can be validated.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from warehouse.synthetic.world import CATEGORIES, CategoryProfile, World, photo_quality_level, share_of_period

MAX_BLUR_SIGMA = 3.0
MAX_NOISE_SIGMA = 20.0
MAX_LOG_EXPOSURE = 0.6


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
    """Apply blur, then exposure, then sensor noise, as a camera would."""
    out = image.astype(np.float32)
    if blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur_sigma)
    out = out * exposure_gain
    out = out + rng.normal(0.0, noise_sigma, out.shape).astype(np.float32)
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


def generate_images(
    rng: np.random.Generator, world: World, n_images: int, image_dir: Path, first_id: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write PNG files under ``image_dir``; return (metadata seed rows, degradation truth)."""
    image_dir.mkdir(parents=True, exist_ok=True)
    dates = pd.date_range(world.start, world.end, freq="D")
    period = share_of_period(world, dates)
    rows, truth = [], []
    for image_id in range(first_id, first_id + n_images):
        category = CATEGORIES[(image_id - 1) % len(CATEGORIES)]
        day = int(rng.integers(0, dates.size))
        quality = photo_quality_level(category, float(period[day]))
        strengths = degradation_strengths(rng, quality)
        scene = draw_scene(rng, category, world.image_size)
        photo = degrade(scene, rng, strengths["blur_sigma"], strengths["exposure_gain"], strengths["noise_sigma"])
        file_name = f"{category.name.lower()}_{image_id:06d}.png"
        cv2.imwrite(str(image_dir / file_name), photo, [cv2.IMWRITE_PNG_COMPRESSION, 3])
        rows.append(
            {
                "image_id": image_id,
                "product_category": category.name,
                "image_path": file_name,
                "uploaded_at": dates[day].strftime("%Y-%m-%d"),
            }
        )
        truth.append({"image_id": image_id, **strengths})
    return pd.DataFrame(rows), pd.DataFrame(truth)
