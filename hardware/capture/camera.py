"""A real camera through OpenCV (V4L2 on Linux), opened by device index."""

from __future__ import annotations

import time

import cv2

from ..errors import CaptureError
from .frame import Frame
from .opencv_capture import OpenCvCaptureSource

MAX_DEVICE_INDEX = 63


class OpenCvCamera(OpenCvCaptureSource):
    """Frames from camera `index`; optional requested resolution (the driver may pick another)."""

    def __init__(self, index: int, width: int | None = None, height: int | None = None) -> None:
        if type(index) is not int or not 0 <= index <= MAX_DEVICE_INDEX:
            raise CaptureError(f"camera index must be an integer in [0, {MAX_DEVICE_INDEX}], got {index!r}")
        self.source_id = f"opencv:{index}"
        self._open(
            index, f"cannot open camera {index} (not connected, busy, or no permission on /dev/video{index})"
        )
        assert self._capture is not None
        if width is not None:
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height is not None:
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._start = time.monotonic()

    def _at_end(self) -> Frame | None:
        raise CaptureError(f"{self.source_id} stopped delivering frames (unplugged?)")

    def _timestamp(self) -> float:
        return time.monotonic() - self._start
