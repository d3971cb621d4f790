"""How sharp the station camera's captures are: blur drawn once per capture sequence.

`CaptureConditions.random` spreads defocus and motion blur as a fixed-focus camera would
(`FIXED_FOCUS`): a third of captures beyond 1 px of defocus. An iris station focuses before it
records (contrast autofocus on the corneal reflections) and strobes its illuminator, so what is
left is the residual of the focus search and of head sway during one sequence (`AUTOFOCUS`).
A subject who wants a blurred capture can still get one, by moving during the exposure or
leaning out of focus after it locked (`EVASIVE`): the liveness check must refuse those.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CameraBlur:
    """One sequence's blur: Gaussian defocus sigma and motion-streak length, in px."""

    defocus: float
    motion_blur: float

    def __post_init__(self) -> None:
        for name, value, high in (("defocus", self.defocus, 12.0), ("motion_blur", self.motion_blur, 40.0)):
            if not isinstance(value, (int, float)) or not math.isfinite(value) or not 0.0 <= value <= high:
                raise ValueError(f"{name} must be a number in [0, {high}], got {value!r}")

    def conditions(self) -> dict[str, float]:
        """The `CaptureConditions` fields this blur sets."""
        return {"defocus": float(self.defocus), "motion_blur": float(self.motion_blur)}


@dataclass(frozen=True)
class CameraOptics:
    """A camera's spread of blur: defocus uniform in `defocus_px`; a motion streak uniform in
    `motion_px` in a `motion_share` of sequences."""

    defocus_px: tuple[float, float]
    motion_share: float
    motion_px: tuple[float, float]

    def draw(self, rng: np.random.Generator) -> CameraBlur:
        """The blur of one capture sequence."""
        defocus = float(rng.uniform(*self.defocus_px))
        moving = rng.random() < self.motion_share
        return CameraBlur(defocus, float(rng.uniform(*self.motion_px)) if moving else 0.0)


FIXED_FOCUS = CameraOptics(defocus_px=(0.0, 1.5), motion_share=0.2, motion_px=(0.0, 4.0))
AUTOFOCUS = CameraOptics(defocus_px=(0.0, 0.8), motion_share=0.1, motion_px=(0.0, 2.0))
EVASIVE = CameraOptics(defocus_px=(1.0, 2.5), motion_share=0.5, motion_px=(2.0, 6.0))
