"""Safe access to image files: path containment, reading, decoding and normalising to 8-bit BGR.

Nothing here opens a file whose path resolves outside the images folder, and every failure is
returned as a ``ImageProblem`` (a status and a message) instead of raised, so one bad file never
stops the others from being scored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# Magic numbers of the formats OpenCV decodes; a file with none of them is not an image.
IMAGE_SIGNATURES: tuple[bytes, ...] = (
    b"\x89PNG\r\n\x1a\n",  # PNG
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"BM",  # BMP
    b"II*\x00",  # TIFF little-endian
    b"MM\x00*",  # TIFF big-endian
    b"RIFF",  # WebP container
    b"\x00\x00\x00\x0cjP  ",  # JPEG 2000
)
# Photos smaller than this on their shorter side carry too little detail to judge.
MIN_SIDE = 32
# Every metric is measured with the photo's shorter side at this many pixels (a product grid's size).
ANALYSIS_SHORT_SIDE = 256
# ... unless that would make the longer side exceed this (extreme aspect ratios).
ANALYSIS_MAX_LONG_SIDE = 2048


@dataclass(frozen=True)
class ImageProblem:
    """Why a file could not be scored: a status code from STATUSES and a human message."""

    status: str
    message: str


STATUSES: dict[str, str] = {
    "ok": "scored",
    "outside_images_dir": "the path resolves outside the images folder and was not opened",
    "missing": "no file at the path",
    "unreadable": "the file exists but could not be read",
    "empty": "the file has zero bytes",
    "not_an_image": "the bytes are not in any image format OpenCV reads",
    "corrupt": "an image format signature, but decoding failed (truncated or damaged)",
    "too_small": f"shorter side below {MIN_SIDE} pixels, or too narrow to analyse (aspect ratio over 64:1)",
}


def resolve_inside(images_dir: Path, image_path: str) -> Path | ImageProblem:
    """The real path of ``image_path`` under ``images_dir``, or a problem if it escapes it.

    Absolute paths, ``..`` segments and symlinks are all judged on the fully resolved path, so
    a link inside the folder that points outside is rejected like ``../../etc/passwd``.
    """
    if not image_path or "\x00" in image_path:
        return ImageProblem("outside_images_dir", f"invalid image path {image_path!r}")
    if os.path.isabs(image_path) or Path(image_path).drive:
        return ImageProblem("outside_images_dir", f"absolute path {image_path!r} is not allowed")
    root = Path(os.path.realpath(images_dir))
    candidate = Path(os.path.realpath(root / image_path))
    if not candidate.is_relative_to(root):
        return ImageProblem("outside_images_dir", f"{image_path!r} resolves outside the images folder")
    return candidate


def read_bytes(path: Path) -> bytes | ImageProblem:
    """The file's bytes, or the reason they cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ImageProblem("missing", f"no file at {path.name}")
    except (IsADirectoryError, PermissionError, OSError) as error:
        return ImageProblem("unreadable", f"cannot read {path.name}: {error.strerror or error}")
    if not data:
        return ImageProblem("empty", f"{path.name} has zero bytes")
    return data


def decode(data: bytes, name: str) -> np.ndarray | ImageProblem:
    """Decode with every channel and the native bit depth (alpha and 16-bit are handled later)."""
    if not data.startswith(IMAGE_SIGNATURES):
        return ImageProblem("not_an_image", f"{name} does not start with an image signature")
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error as error:
        return ImageProblem("corrupt", f"{name}: OpenCV could not decode it ({str(error).strip()[:200]})")
    if image is None or image.size == 0:
        return ImageProblem("corrupt", f"{name}: OpenCV could not decode it (truncated or damaged)")
    return image


def to_bgr8(image: np.ndarray) -> np.ndarray:
    """8-bit BGR or grey: 16-bit and float images are rescaled, alpha is composited on white."""
    if image.dtype == np.uint16:
        image = (image.astype(np.float32) / 257.0).round().astype(np.uint8)
    elif image.dtype != np.uint8:
        image = np.clip(image.astype(np.float32) * (255.0 if image.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 3 and image.shape[2] == 4:
        # A product cut-out on a transparent background is shown on white in a shop.
        alpha = image[..., 3:4].astype(np.float32) / 255.0
        image = (image[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)).round().astype(np.uint8)
    return image


def to_analysis_size(image: np.ndarray, short_side: int = ANALYSIS_SHORT_SIDE) -> np.ndarray:
    """The photo resized so its shorter side is ``short_side`` pixels (unchanged if it already is).

    Sharpness and noise are per-pixel quantities, so they are only comparable between photos
    measured at one scale; a large photo is also far cheaper to score on its reduced copy.
    """
    shorter, longer = min(image.shape[:2]), max(image.shape[:2])
    # A panorama keeps its aspect ratio within a bounded size instead of being blown up.
    scale = min(short_side / shorter, ANALYSIS_MAX_LONG_SIDE / longer)
    if scale == 1.0:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(image, size, interpolation=interpolation)
