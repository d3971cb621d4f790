"""The synthetic near-infrared eye camera: the one stand-in for a real sensor.

It wraps the synthetic eye renderer (simulation/synthetic_eye) and the pupil light reflex model
(hardware/illumination.py): each read renders the same eye under the illuminator's current level,
with the pupil following the reflex to the levels commanded so far (so stepping the illuminator
up makes a live-looking pupil constrict after ~0.25 s), the head swaying as a random walk
(MicroMotion's head_px per frame) and fresh sensor noise per frame. The scene itself (lashes,
blur) is drawn once per session, as a real face does not regrow its lashes between frames; the
blur is the residual of the station's autofocus (`synthetic_eye.AUTOFOCUS`). Time is
virtual (`index / fps`), so a sequence is reproducible from (subject, eye, seed) and the commands.
"""

from __future__ import annotations

import numpy as np

from hardware.capture.frame import Frame
from hardware.capture.illuminator import Illuminator, StepIlluminator
from hardware.capture.source import CaptureSource
from hardware.errors import CaptureError
from hardware.illumination import IlluminationSchedule
from liveness.pupil_physiology import PupilReflex

from .live_eye import MicroMotion, sensor_readout
from .synthetic_eye import AUTOFOCUS, CaptureConditions, EyeIdentity, render_eye

MAX_SYNTHETIC_FRAMES = 10_000  # the reflex is recomputed over the whole history each frame


class SyntheticEyeCamera(CaptureSource):
    """Frames of synthetic subject `subject`'s eye ("L" or "R"), lit by `illuminator`."""

    def __init__(
        self,
        subject: int,
        eye: str = "L",
        seed: int = 0,
        illuminator: Illuminator | None = None,
        fps: float = 20.0,
        conditions: CaptureConditions | None = None,
        reflex: PupilReflex | None = None,
    ) -> None:
        if not fps > 0:
            raise CaptureError(f"fps must be positive, got {fps}")
        try:
            self._eye = EyeIdentity.from_seed(subject, eye)
        except ValueError as e:
            raise CaptureError(f"synthetic eye: {e}") from e
        rng = np.random.default_rng([seed, subject])
        if conditions is None:  # the blur from its own stream: the rest as drawn without autofocus
            blur = AUTOFOCUS.draw(np.random.default_rng([seed, subject, 1]))
            conditions = CaptureConditions.random(rng).replace(**blur.conditions())
        self._base = conditions
        self._reflex = reflex if reflex is not None else PupilReflex.random(rng)
        self.illuminator = illuminator if illuminator is not None else StepIlluminator()
        self.fps, self._seed, self._subject = float(fps), seed, subject
        self.eye = eye
        self._levels: list[float] = []
        self._motion = MicroMotion()
        self._offset = np.zeros(2)
        self.source_id = f"synthetic:{subject}{eye}"

    def _pupil_ratio(self) -> float:
        if len(self._levels) < 2:
            return self._base.pupil_ratio
        times = tuple(i / self.fps for i in range(len(self._levels)))
        schedule = IlluminationSchedule(times, tuple(self._levels))
        hippus_rng = np.random.default_rng([self._seed, 7])  # same unrest phase on every recomputation
        return float(self._reflex.pupil_ratios(schedule, self._base.pupil_ratio, hippus_rng)[-1])

    def read(self) -> Frame | None:
        if self._levels is None:
            raise CaptureError(f"{self.source_id} is closed")
        if len(self._levels) >= MAX_SYNTHETIC_FRAMES:
            raise CaptureError(f"{self.source_id}: more than {MAX_SYNTHETIC_FRAMES} frames in one session")
        level = self.illuminator.level
        index = len(self._levels)
        self._levels.append(level)
        frame_rng = np.random.default_rng([self._seed, self._subject, index])
        if index > 0:
            self._offset = np.clip(self._offset + frame_rng.normal(0.0, self._motion.head_px, 2), -20.0, 20.0)
        cx, cy = self._base.center
        conditions = self._base.replace(
            center=(
                float(np.clip(cx + self._offset[0], 0, 640)),
                float(np.clip(cy + self._offset[1], 0, 480)),
            ),
            pupil_ratio=float(np.clip(self._pupil_ratio(), 0.1, 0.8)),
            illumination=float(np.clip(self._base.illumination * level, 0.05, 4.0)),
            noise=0.0,
        )
        radiance = render_eye(self._eye, conditions).astype(np.float32) / 255.0
        image = sensor_readout(radiance, self._base.noise, frame_rng)
        return Frame(image, index, index / self.fps, illumination=level)

    def other_eye(self) -> SyntheticEyeCamera:
        """The same subject's other eye in the same session (a binocular camera's second sensor)."""
        return SyntheticEyeCamera(
            self._subject, "R" if self.eye == "L" else "L", self._seed, self.illuminator, self.fps
        )

    @property
    def pupil_ratio(self) -> float:
        """The pupil/iris radius ratio of the last frame (for tests and the liveness engineer)."""
        return self._pupil_ratio()

    def close(self) -> None:
        self._levels = None  # type: ignore[assignment]
