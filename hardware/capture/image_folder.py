"""Frames from a folder of still images, in file-name order (a recorded session or a data set)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..errors import CaptureError
from .frame import Frame, to_gray_uint8
from .source import CaptureSource

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".pgm", ".ppm"})
MAX_IMAGE_BYTES = 64 * 1024 * 1024


class ImageFolderSource(CaptureSource):
    """Every image file directly in `folder` (sorted by name), timestamped `index / fps`."""

    def __init__(self, folder: Path, fps: float = 20.0) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise CaptureError(f"image folder {self.folder} does not exist")
        if not fps > 0:
            raise CaptureError(f"fps must be positive, got {fps}")
        self.files = sorted(
            p for p in self.folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )
        if not self.files:
            raise CaptureError(
                f"image folder {self.folder} has no images ({', '.join(sorted(IMAGE_SUFFIXES))})"
            )
        self.source_id = f"folder:{self.folder.name}"
        self.fps = float(fps)
        self._index = 0

    def read(self) -> Frame | None:
        if self._index >= len(self.files):
            return None
        path = self.files[self._index]
        if path.stat().st_size > MAX_IMAGE_BYTES:
            raise CaptureError(f"{path} is larger than {MAX_IMAGE_BYTES} bytes")
        image = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
        if image is None:
            raise CaptureError(f"cannot decode image {path}")
        frame = Frame(to_gray_uint8(image, str(path)), self._index, self._index / self.fps)
        self._index += 1
        return frame

    def close(self) -> None:
        self._index = len(self.files)
