"""Where the quality score's anchors come from: clean synthetic scenes degraded one way at a time.

``calibrate`` draws clean product scenes with the generator's own drawing code and measures
them clean, blurred by 3 pixels, with noise of 20 grey levels and overexposed by e^0.6 (the
generator's maxima, so a term of 1 means "as bad as the worst synthetic photo"). Its result on
seed 2026 is frozen in DEFAULT_CALIBRATION so scoring never imports the generator; rerun
``python -m warehouse.vision.calibration`` after changing a metric and paste the logged values.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from warehouse.vision.quality import QualityCalibration

log = logging.getLogger(__name__)

CALIBRATION_BLUR_SIGMA = 3.0
CALIBRATION_NOISE_SIGMA = 20.0
CALIBRATION_LOG_EXPOSURE = 0.6

DEFAULT_CALIBRATION = QualityCalibration(
    sharp_sharpness=0.9957,
    blurred_sharpness=0.3563,
    max_noise=11.0977,
    reference_highlight=214.5,
    max_log_exposure=CALIBRATION_LOG_EXPOSURE,
    overexposed_at_max=0.8763,
)


def calibrate(n_scenes: int = 200, seed: int = 2026, size: int = 256) -> QualityCalibration:
    """Measure the anchors on ``n_scenes`` clean scenes, each degraded one way at a time."""
    from warehouse.synthetic.images import degrade, draw_scene
    from warehouse.synthetic.world import CATEGORIES
    from warehouse.vision.scoring import measure

    # Quality is what is being calibrated; any valid anchors let measure() run meanwhile.
    placeholder = QualityCalibration(1.0, 0.5, 1.0, 220.0, CALIBRATION_LOG_EXPOSURE, 0.1)
    rng = np.random.default_rng(seed)
    sharp, blurred, noisy, highlight, blown = [], [], [], [], []
    for index in range(n_scenes):
        scene = draw_scene(rng, CATEGORIES[index % len(CATEGORIES)], size)
        clean = measure(scene, placeholder)
        sharp.append(clean.sharpness)
        highlight.append(clean.highlight)
        blurred.append(measure(degrade(scene, rng, CALIBRATION_BLUR_SIGMA, 1.0, 0.0), placeholder).sharpness)
        noisy.append(measure(degrade(scene, rng, 0.0, 1.0, CALIBRATION_NOISE_SIGMA), placeholder).noise_level)
        bright = degrade(scene, rng, 0.0, math.exp(CALIBRATION_LOG_EXPOSURE), 0.0)
        blown.append(measure(bright, placeholder).overexposed_share)
    return QualityCalibration(
        sharp_sharpness=round(float(np.median(sharp)), 4),
        blurred_sharpness=round(float(np.median(blurred)), 4),
        max_noise=round(float(np.median(noisy)), 4),
        reference_highlight=round(float(np.median(highlight)), 2),
        max_log_exposure=CALIBRATION_LOG_EXPOSURE,
        overexposed_at_max=round(float(np.median(blown)), 4),
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    log.info("%s", calibrate())
