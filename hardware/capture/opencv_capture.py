"""The one OpenCV read loop behind the camera and the video file: open, read, convert, close."""

from __future__ import annotations

from abc import abstractmethod

import cv2

from ..errors import CaptureError
from .frame import Frame, to_gray_uint8
from .source import CaptureSource


class OpenCvCaptureSource(CaptureSource):
    """A `cv2.VideoCapture` read frame by frame into gray uint8 `Frame`s, indexed from 0.

    Subclasses say what the end of the stream means (`_at_end`: None for a finite file, an error for
    a camera) and when a frame was taken (`_timestamp`).
    """

    def _open(self, target: int | str, error: str) -> None:
        """Open `target` with OpenCV; CaptureError(`error`) when it cannot be opened."""
        self._capture: cv2.VideoCapture | None = cv2.VideoCapture(target)
        if not self._capture.isOpened():
            self._capture.release()
            self._capture = None
            raise CaptureError(error)
        self._index = 0

    @abstractmethod
    def _at_end(self) -> Frame | None:
        """What `read()` answers when OpenCV delivers no frame: None, or raise CaptureError."""

    @abstractmethod
    def _timestamp(self) -> float:
        """Seconds since the start of the stream of the frame just read."""

    def read(self) -> Frame | None:
        if self._capture is None:
            raise CaptureError(f"{self.source_id} is closed")
        ok, image = self._capture.read()
        if not ok or image is None:
            return self._at_end()
        frame = Frame(
            to_gray_uint8(image, f"{self.source_id} frame {self._index}"), self._index, self._timestamp()
        )
        self._index += 1
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
