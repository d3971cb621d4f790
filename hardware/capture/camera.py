"""A real camera through OpenCV (V4L2 on Linux), opened by device index."""

from __future__ import annotations

import time

import cv2

from ..errors import CaptureError
from .frame import Frame, to_gray_uint8
from .source import CaptureSource

MAX_DEVICE_INDEX = 63


class OpenCvCamera(CaptureSource):
    """Frames from camera `index`; optional requested resolution (the driver may pick another)."""

    def __init__(self, index: int, width: int | None = None, height: int | None = None) -> None:
        if type(index) is not int or not 0 <= index <= MAX_DEVICE_INDEX:
            raise CaptureError(f"camera index must be an integer in [0, {MAX_DEVICE_INDEX}], got {index!r}")
        self.source_id = f"opencv:{index}"
        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise CaptureError(
                f"cannot open camera {index} (not connected, busy, or no permission on /dev/video{index})"
            )
        if width is not None:
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height is not None:
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._start = time.monotonic()
        self._index = 0

    def read(self) -> Frame | None:
        if self._capture is None:
            raise CaptureError(f"{self.source_id} is closed")
        ok, image = self._capture.read()
        if not ok or image is None:
            raise CaptureError(f"{self.source_id} stopped delivering frames (unplugged?)")
        frame = Frame(to_gray_uint8(image, self.source_id), self._index, time.monotonic() - self._start)
        self._index += 1
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
