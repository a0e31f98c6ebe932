"""The quality score: one number in 0..1 from sharpness, noise and exposure, and its calibration.

quality_score = 1 - (blur_term + noise_term + exposure_term) / 3, where each term is an estimated
degradation in 0..1 (0 = as good as a clean studio shot, 1 = as bad as the worst the anchors
describe). Equal weights mirror how the known-truth generator defines total degradation, so on
its photos the score estimates 1 - total_degradation; on users' photos it is the same readable
combination of three measured defects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class QualityCalibration:
    """Anchors turning raw metrics into 0..1 degradation terms.

    ``warehouse.vision.calibration.calibrate`` measures them on clean synthetic scenes:
    ``sharp_sharpness`` is their median edge sharpness and ``blurred_sharpness`` the median after
    the largest blur; ``max_noise`` the luminance noise measured after the largest noise;
    ``reference_highlight`` their median white point; ``max_log_exposure`` the exposure error
    counted as fully wrong and ``overexposed_at_max`` the median blown share at that error.
    """

    sharp_sharpness: float
    blurred_sharpness: float
    max_noise: float
    reference_highlight: float
    max_log_exposure: float
    overexposed_at_max: float


def _unit(value: float) -> float:
    return float(min(max(value, 0.0), 1.0))


def degradation_terms(
    sharpness: float, noise: float, exposure_bias: float, calibration: QualityCalibration
) -> tuple[float, float, float]:
    """Blur, noise and exposure degradation, each clipped to 0..1.

    Blur is read on 1 / sharpness, the edge width in pixels, which grows linearly with the
    blur radius (sharpness itself falls like its inverse and would saturate early).
    """
    sharp_width, blurred_width = 1.0 / calibration.sharp_sharpness, 1.0 / calibration.blurred_sharpness
    width = 1.0 / max(sharpness, 1e-6)
    blur_term = _unit((width - sharp_width) / (blurred_width - sharp_width))
    noise_term = _unit(noise / calibration.max_noise)
    exposure_term = _unit(abs(exposure_bias) / calibration.max_log_exposure)
    return blur_term, noise_term, exposure_term


def quality_score(sharpness: float, noise: float, exposure_bias: float, calibration: QualityCalibration) -> float:
    """1 minus the mean of the three degradation terms: 1 is a clean shot, 0 the worst."""
    return 1.0 - float(np.mean(degradation_terms(sharpness, noise, exposure_bias, calibration)))
