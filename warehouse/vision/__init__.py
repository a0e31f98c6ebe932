"""Computer vision: OpenCV quality scores of product photos, their evaluation and figures."""

from warehouse.vision.scoring import SCORER_VERSION, measure, score_file, score_images, score_partition

__all__ = ["SCORER_VERSION", "measure", "score_file", "score_images", "score_partition"]
