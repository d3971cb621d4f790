"""Where the operator UI gets its camera: a capture source per enrollment and preview frames.

`OpenCvCameras` wraps a real camera; `simulation.station_camera.SyntheticCameras` stands in for it
in development (the person in front of it is chosen by a subject number, a demo-only control).
Preview frames are encoded to JPEG for the browser and never stored.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod

import cv2
import numpy as np

from hardware.capture import CaptureSource, Illuminator, OpenCvCamera, StepIlluminator

from ..steps import StationInputError

PREVIEW_WIDTH = 320
JPEG_QUALITY = 70
MAX_SUBJECT = 10**6


class Cameras(ABC):
    """Opens the capture source for one enrollment, and gives preview frames."""

    synthetic: bool = False

    @abstractmethod
    def open(self, subject: int | None, visit: int) -> tuple[CaptureSource, Illuminator]:
        """A fresh capture source and its illuminator for the person now in front of the camera."""

    @abstractmethod
    def preview(self, subject: int | None) -> np.ndarray:
        """One gray uint8 frame for the preview (not stored)."""

    def close(self) -> None:  # noqa: B027  (most providers hold nothing between calls)
        """Release the camera (idempotent)."""


class OpenCvCameras(Cameras):
    """A real camera (OpenCV device index); one enrollment or preview reads it at a time."""

    def __init__(self, device: int = 0) -> None:
        self._device, self._lock = device, threading.Lock()

    def open(self, subject: int | None, visit: int) -> tuple[CaptureSource, Illuminator]:
        return OpenCvCamera(self._device), StepIlluminator()

    def preview(self, subject: int | None) -> np.ndarray:
        with self._lock, OpenCvCamera(self._device) as camera:
            frame = camera.read()
        if frame is None:
            raise StationInputError("the camera delivered no frame")
        return frame.image


def check_subject(subject: object) -> int:
    """A synthetic subject number in 0..10^6; StationInputError otherwise."""
    if isinstance(subject, bool) or not isinstance(subject, int) or not 0 <= subject <= MAX_SUBJECT:
        raise StationInputError(f"the synthetic subject must be a whole number in 0..{MAX_SUBJECT}")
    return subject


def preview_jpeg(image: np.ndarray) -> bytes:
    """A small JPEG of a preview frame (downscaled: the preview is for aiming, not for recognition)."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (PREVIEW_WIDTH, max(1, h * PREVIEW_WIDTH // w)), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise StationInputError("could not encode the preview frame")
    return data.tobytes()
