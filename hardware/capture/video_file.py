"""Frames from a recorded video file (any container/codec the bundled OpenCV FFmpeg decodes)."""

from __future__ import annotations

from pathlib import Path

import cv2

from ..errors import CaptureError
from .frame import Frame
from .opencv_capture import OpenCvCaptureSource


class VideoFileSource(OpenCvCaptureSource):
    """Decode `path` frame by frame; timestamps come from the container (or index / fps)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise CaptureError(f"video file {self.path} does not exist")
        self.source_id = f"video:{self.path.name}"
        self._open(str(self.path), f"cannot decode video file {self.path} (unknown format or codec)")
        assert self._capture is not None
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and fps > 0 else None

    def _at_end(self) -> Frame | None:
        if self._index == 0:
            raise CaptureError(f"video file {self.path} contains no decodable frames")
        return None

    def _timestamp(self) -> float:
        if self.fps is not None:
            return self._index / self.fps
        assert self._capture is not None
        return self._capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
