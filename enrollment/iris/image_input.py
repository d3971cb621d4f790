"""Turning what a caller hands us (array or file) into one validated 8-bit grayscale image."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .errors import QualityError

MIN_SIDE = 120  # px: below this no iris can reach the minimum radius
MAX_SIDE = 4096


def as_gray(image: object) -> np.ndarray:
    """Validate `image` and return it as a C-contiguous uint8 (H, W) array.

    Accepts uint8 grayscale (H, W) or (H, W, 1), BGR (H, W, 3) or BGRA (H, W, 4) as OpenCV
    reads them. Raises QualityError for anything else (other dtypes, sizes, blank frames).
    """
    if not isinstance(image, np.ndarray):
        raise QualityError(f"not an image: expected a numpy uint8 array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise QualityError(f"unsupported pixel type {image.dtype}: expected 8-bit (uint8) pixels")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    elif image.ndim == 3 and image.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        image = cv2.cvtColor(np.ascontiguousarray(image), code)
    elif image.ndim != 2:
        raise QualityError(f"unsupported image shape {image.shape}: expected (H, W) or (H, W, 3)")
    height, width = image.shape
    if min(height, width) < MIN_SIDE or max(height, width) > MAX_SIDE:
        raise QualityError(
            f"image size {width}x{height} is outside {MIN_SIDE}..{MAX_SIDE} px per side; "
            "capture the eye at 320x240 or larger"
        )
    if int(image.max()) - int(image.min()) < 24 or float(image.std()) < 4.0:
        raise QualityError("blank frame: the image has almost no contrast (camera covered or no light?)")
    return np.ascontiguousarray(image)


def read_gray(path: str | Path) -> np.ndarray:
    """Read an image file (PNG, JPEG, BMP, ...) as validated grayscale; QualityError if unreadable."""
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        raise QualityError(f"cannot read image file {path.name}: {e.strerror or e}") from e
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None or _truncated(data.tobytes()):
        raise QualityError(f"{path.name} is not a readable image (truncated or unsupported format)")
    if image.dtype == np.uint16:  # 16-bit PNG/TIFF sensors: keep the top 8 bits
        image = (image >> 8).astype(np.uint8)
    return as_gray(image)


def _truncated(data: bytes) -> bool:
    """True when a PNG/JPEG/BMP file lacks its end (decoders fill missing rows with gray)."""
    if data.startswith(b"\x89PNG"):
        return b"IEND" not in data[-32:]
    if data.startswith(b"\xff\xd8"):
        return not data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if data.startswith(b"BM") and len(data) >= 6:
        return int.from_bytes(data[2:6], "little") > len(data)
    return False
