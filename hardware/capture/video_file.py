"""Frames from a recorded video file (any container/codec the bundled OpenCV FFmpeg decodes)."""

from __future__ import annotations

from pathlib import Path

import cv2

from ..errors import CaptureError
from .frame import Frame, to_gray_uint8
from .source import CaptureSource


class VideoFileSource(CaptureSource):
    """Decode `path` frame by frame; timestamps come from the container (or index / fps)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise CaptureError(f"video file {self.path} does not exist")
        self.source_id = f"video:{self.path.name}"
        self._capture = cv2.VideoCapture(str(self.path))
        if not self._capture.isOpened():
            self._capture.release()
            raise CaptureError(f"cannot decode video file {self.path} (unknown format or codec)")
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and fps > 0 else None
        self._index = 0

    def read(self) -> Frame | None:
        if self._capture is None:
            raise CaptureError(f"{self.source_id} is closed")
        ok, image = self._capture.read()
        if not ok or image is None:
            if self._index == 0:
                raise CaptureError(f"video file {self.path} contains no decodable frames")
            return None
        position_ms = self._capture.get(cv2.CAP_PROP_POS_MSEC)
        timestamp = self._index / self.fps if self.fps is not None else position_ms / 1000.0
        frame = Frame(to_gray_uint8(image, f"{self.source_id} frame {self._index}"), self._index, timestamp)
        self._index += 1
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
