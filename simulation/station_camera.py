"""The operator UI's camera in development: the synthetic eye, the person chosen by a subject number.

Only the shell hands this to the station UI, and only for a development chain (`--deploy`/`--dev`).
"""

from __future__ import annotations

import numpy as np

from enrollment.station.ui import Cameras, check_subject
from hardware.capture import CaptureSource, Illuminator, StepIlluminator

from .synthetic_camera import SyntheticEyeCamera


class SyntheticCameras(Cameras):
    """The synthetic eye camera; `subject` picks the synthetic person (0..10^6)."""

    synthetic = True

    def open(self, subject: int | None, visit: int) -> tuple[CaptureSource, Illuminator]:
        subject = check_subject(subject)
        illuminator = StepIlluminator()
        return SyntheticEyeCamera(subject, "L", seed=visit, illuminator=illuminator), illuminator

    def preview(self, subject: int | None) -> np.ndarray:
        source, _ = self.open(subject if subject is not None else 0, 0)
        try:
            frame = source.read()
        finally:
            source.close()
        return frame.image
