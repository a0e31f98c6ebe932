"""Pure image metrics on decoded arrays: brightness, contrast, sharpness, colour, noise, clipping.

Every function takes an 8-bit BGR or grey array (as OpenCV decodes it) and returns plain floats,
so the metrics can be tested on arrays a test draws itself and reused by any executor.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# Immerkaer's noise kernel: the difference of two Laplacians, zero on flat areas and linear ramps.
IMMERKAER_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
# Its L2 norm (sqrt of 36) converts the filter response back to a per-pixel noise deviation.
IMMERKAER_NORM = 6.0
# Share of the smallest filter responses kept: the largest 10 % sit on edges, not noise.
NOISE_QUANTILE = 0.9
# The white point is read at this percentile of the value channel; at or above CLIPPED_HIGHLIGHT it clips.
HIGHLIGHT_PERCENTILE = 99.5
CLIPPED_HIGHLIGHT = 250.0
# Edge windows span 2 * EDGE_HALF_WIDTH + 1 pixel steps at the analysis resolution.
EDGE_HALF_WIDTH = 3
# An edge counts when its height exceeds this many noise deviations and EDGE_MIN_HEIGHT grey levels.
EDGE_NOISE_FACTOR = 8.0
EDGE_MIN_HEIGHT = 15.0
# When a photo has fewer strong edges than this, its strongest candidates are used instead.
EDGE_MIN_SAMPLES = 64


def to_gray(image: np.ndarray) -> np.ndarray:
    """8-bit luminance (ITU-R BT.601 weights)."""
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def clipped_mask(gray: np.ndarray, radius: int = 2) -> np.ndarray:
    """Pixels at or next to 0 or 255: clipping flattens noise and edges, so metrics skip them."""
    clipped = ((gray == 0) | (gray == 255)).astype(np.uint8)
    size = 2 * radius + 1
    return cv2.dilate(clipped, np.ones((size, size), np.uint8)).astype(bool)


def _mean_std(values: np.ndarray) -> tuple[float, float]:
    mean, std = cv2.meanStdDev(values)
    return float(mean[0, 0]), float(std[0, 0])


def _histogram_quantile(counts: np.ndarray, share: float) -> int:
    """Smallest value whose cumulative count reaches ``share`` of all counts."""
    cumulative = np.cumsum(counts)
    return int(np.searchsorted(cumulative, share * cumulative[-1]))


def brightness(gray: np.ndarray) -> float:
    """Mean luminance scaled to 0..1."""
    return _mean_std(gray)[0] / 255.0


def rms_contrast(gray: np.ndarray) -> float:
    """RMS contrast: standard deviation of luminance scaled to 0..1 (0.5 is the maximum)."""
    return _mean_std(gray)[1] / 255.0


def value_channel(image: np.ndarray) -> np.ndarray:
    """HSV value: each pixel's largest channel, the one that clips first when overexposed."""
    if image.ndim == 2:
        return image
    blue, green, red = cv2.split(image)
    return cv2.max(cv2.max(blue, green), red)


def histogram(values: np.ndarray) -> np.ndarray:
    """Counts of each level 0..255 of an 8-bit array."""
    return cv2.calcHist([values], [0], None, [256], [0, 256]).ravel()


def clipped_shares(value: np.ndarray) -> tuple[float, float]:
    """Shares of pixels crushed to black (every channel <= 2) and blown (some channel >= 253)."""
    counts = histogram(value)
    return float(counts[:3].sum() / value.size), float(counts[253:].sum() / value.size)


def highlight_level(value: np.ndarray) -> float:
    """99.5th percentile of the smoothed value channel: where the photo's white point sits (0..255).

    Smoothing first keeps sensor noise from posing as highlights in a dark, noisy photo.
    """
    smoothed = cv2.GaussianBlur(value, (5, 5), 0)
    return float(_histogram_quantile(histogram(smoothed), HIGHLIGHT_PERCENTILE / 100))


def exposure_bias(highlight: float, overexposed: float, reference_highlight: float,
                  max_log_exposure: float, overexposed_at_max: float) -> float:
    """Estimated natural log of the exposure error: below 0 under-, above 0 overexposed.

    A well exposed shot puts its highlights near ``reference_highlight``; underexposure
    scales them down, so their ratio is the gain. Once highlights clip that ratio stops
    growing, and the share of blown pixels (``overexposed_at_max`` at the largest error)
    carries the estimate the rest of the way.
    """
    if highlight < CLIPPED_HIGHLIGHT:
        return math.log(max(highlight, 1.0) / reference_highlight)
    at_clipping = math.log(255.0 / reference_highlight)
    extra = (max_log_exposure - at_clipping) * overexposed / max(overexposed_at_max, 1e-6)
    return at_clipping + max(extra, 0.0)


def colorfulness(image: np.ndarray) -> float:
    """Hasler and Suesstrunk (2003) colourfulness: 0 for grey, about 100+ for very vivid photos."""
    if image.ndim == 2:
        return 0.0
    blue, green, red = (channel.astype(np.int16) for channel in cv2.split(image))
    rg_mean, rg_std = _mean_std(red - green)
    # Twice the yellow-blue opponent, kept in integers; halved below.
    yb_mean, yb_std = _mean_std(red + green - 2 * blue)
    return math.hypot(rg_std, yb_std / 2.0) + 0.3 * math.hypot(rg_mean, yb_mean / 2.0)


def noise_sigma(gray: np.ndarray, usable: np.ndarray | None = None) -> float:
    """Standard deviation of additive noise in grey levels (Immerkaer 1996, edge-trimmed mean).

    The kernel cancels flat areas and linear gradients; dropping the largest responses removes
    edges, so what is left is the sensor noise, not the scene's detail. The response of an
    8-bit image is an integer, so a histogram gives the exact trimmed mean quickly.
    """
    response = np.abs(cv2.filter2D(gray, cv2.CV_16S, IMMERKAER_KERNEL))
    response = response[1:-1, 1:-1]
    inner = usable[1:-1, 1:-1] if usable is not None else None
    response = response.ravel() if inner is None or inner.all() else response[inner]
    if response.size == 0:
        return float("nan")
    counts = np.bincount(response.ravel(), minlength=1)
    cutoff = _histogram_quantile(counts, NOISE_QUANTILE)
    kept = counts[: cutoff + 1]
    trimmed_mean = float(np.dot(kept, np.arange(kept.size)) / kept.sum())
    return math.sqrt(math.pi / 2.0) * trimmed_mean / IMMERKAER_NORM


def laplacian_variance(gray: np.ndarray) -> float:
    """The classic focus measure: variance of the 4-neighbour Laplacian (grows with noise)."""
    return _mean_std(cv2.Laplacian(gray, cv2.CV_16S, ksize=1))[1] ** 2


def _edge_steps(gray: np.ndarray, clipped: np.ndarray, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Steepest two-pixel rise and total height of every edge crossed along image rows."""
    half = EDGE_HALF_WIDTH
    gray = gray.astype(np.int16)
    # Rise over two pixels: an ideal edge falling between pixel centres is split over two steps.
    steps = gray[:, 2:] - gray[:, :-2]
    gray = gray[:, 1:]
    abs_steps = np.abs(steps)
    width = steps.shape[1]
    if width <= 2 * half:
        return np.empty(0, np.float32), np.empty(0, np.float32)
    # Running maximum of |step| over the window: the edge centre is where a step equals it.
    window_max = cv2.dilate(abs_steps, np.ones((1, 2 * half + 1), np.uint8))
    centre = slice(half, width - half)
    step = steps[:, centre]
    height = gray[:, 2 * half + 1:] - gray[:, : width - 2 * half]
    is_edge = (
        (abs_steps[:, centre] >= window_max[:, centre])
        & ((step > 0) == (height > 0))
        & (np.abs(height) > 3.0 * noise)
        & ~clipped[:, half + 1: width - half + 1]
    )
    return np.abs(step[is_edge]), np.abs(height[is_edge])


def edge_sharpness(gray: np.ndarray, noise: float, clipped: np.ndarray | None = None) -> float:
    """Mean share of each strong edge's height crossed in its steepest two-pixel step (0..1).

    A perfect edge scores 1 wherever it falls between pixel centres (hence two pixels, so a
    downscaled photo is not penalised for its edges' sub-pixel positions); Gaussian blur
    spreads the edge and the share falls (about 0.64 at 1 pixel, 0.36 at 3). The share is a
    ratio of two grey-level differences, so it ignores exposure and scene contrast, and only
    edges far above the noise are used, so noise barely moves it: it tracks blur.
    """
    if clipped is None:
        clipped = np.zeros(gray.shape, bool)
    noise = 0.0 if not np.isfinite(noise) else noise
    along_rows = _edge_steps(gray, clipped, noise)
    along_cols = _edge_steps(np.ascontiguousarray(gray.T), np.ascontiguousarray(clipped.T), noise)
    steps = np.concatenate([along_rows[0], along_cols[0]])
    heights = np.concatenate([along_rows[1], along_cols[1]])
    if heights.size == 0:
        return 0.0
    strong = heights > max(EDGE_NOISE_FACTOR * noise, EDGE_MIN_HEIGHT)
    if strong.sum() < EDGE_MIN_SAMPLES:
        strong = heights >= np.sort(heights)[-min(EDGE_MIN_SAMPLES, heights.size)]
    return float(np.clip(steps[strong] / heights[strong], 0.0, 1.0).mean())
