"""A captured frame: an 8-bit grayscale image (NIR iris sensors are monochrome) plus when and how."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import CaptureError

MIN_SIDE_PX = 16  # anything smaller is not an eye image


@dataclass(frozen=True)
class Frame:
    """One frame: `image` uint8 (H, W), its 0-based `index` in the stream, `timestamp_s` since the
    stream started, and the illuminator level it was taken under (None if not controlled)."""

    image: np.ndarray
    index: int
    timestamp_s: float
    illumination: float | None = None

    def __post_init__(self) -> None:
        image = self.image
        if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 2:
            raise CaptureError("a frame image must be a 2-D uint8 array")
        if min(image.shape) < MIN_SIDE_PX:
            raise CaptureError(f"a frame must be at least {MIN_SIDE_PX} px on each side, got {image.shape}")
        image.setflags(write=False)  # frames are values: hashing and attestation rely on it

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) in pixels."""
        return self.image.shape  # type: ignore[return-value]


def to_gray_uint8(image: np.ndarray, what: str) -> np.ndarray:
    """Convert an OpenCV image (gray, BGR or BGRA; 8 or 16 bit) to a contiguous uint8 (H, W) copy.

    Raises CaptureError for anything that is not an image (`what` names it in the message).
    """
    if not isinstance(image, np.ndarray) or image.size == 0:
        raise CaptureError(f"{what}: not an image")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)  # keep the 8 most significant bits
    if image.dtype != np.uint8:
        raise CaptureError(f"{what}: unsupported pixel type {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        image = cv2.cvtColor(image, code)
    if image.ndim != 2:
        raise CaptureError(f"{what}: unsupported image shape {image.shape}")
    return np.ascontiguousarray(image).copy()
