"""Capture conditions: what changes from one capture of an eye to the next."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

FRAME_SIZE = (640, 480)  # width, height of the synthetic NIR sensor
MAX_ROTATION_DEG = 15.0  # head tilt the station tolerates


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}")


@dataclass(frozen=True)
class CaptureConditions:
    """One capture's geometry, optics and sensor settings (validated; defaults = a clean frontal shot).

    Units: pixels in the 640x480 frame unless stated; `gaze` and `leds` in iris radii; `rotation_deg`
    counter-clockwise as seen in the image; `illumination`/`exposure` relative to nominal 1.0;
    `lashes` 0 (none) .. 1 (dense); lids are the lid height above/below the iris centre in iris radii
    (>= 1 leaves that side of the iris uncovered).
    """

    pupil_ratio: float = 0.4
    rotation_deg: float = 0.0
    gaze: tuple[float, float] = (0.0, 0.0)
    center: tuple[float, float] = (320.0, 240.0)
    iris_radius_px: float = 100.0
    upper_lid: float = 0.95
    lower_lid: float = 1.05
    lashes: float = 0.3
    illumination: float = 1.0
    leds: tuple[tuple[float, float], ...] = ((-0.18, 0.05), (0.18, 0.05))
    defocus: float = 0.5
    motion_blur: float = 0.0
    noise: float = 0.01
    exposure: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        _check_range("pupil_ratio", self.pupil_ratio, 0.1, 0.8)
        _check_range("rotation_deg", self.rotation_deg, -MAX_ROTATION_DEG, MAX_ROTATION_DEG)
        if len(self.gaze) != 2:
            raise ValueError("gaze must be a pair (dx, dy)")
        for g in self.gaze:
            _check_range("gaze", g, -0.6, 0.6)
        if math.hypot(*self.gaze) > 0.6:
            raise ValueError("gaze must be at most 0.6 off-axis")
        if len(self.center) != 2:
            raise ValueError("center must be a pair (x, y)")
        _check_range("center x", self.center[0], 0.0, FRAME_SIZE[0])
        _check_range("center y", self.center[1], 0.0, FRAME_SIZE[1])
        _check_range("iris_radius_px", self.iris_radius_px, 20.0, 260.0)  # 260: a 320x240 look rendered at 2x
        _check_range("upper_lid", self.upper_lid, 0.0, 2.0)
        _check_range("lower_lid", self.lower_lid, 0.0, 2.0)
        _check_range("lashes", self.lashes, 0.0, 1.0)
        _check_range("illumination", self.illumination, 0.05, 4.0)
        for led in self.leds:
            if len(led) != 2:
                raise ValueError("each LED must be a pair (dx, dy)")
            for c in led:
                _check_range("led position", c, -3.0, 3.0)
        _check_range("defocus", self.defocus, 0.0, 12.0)
        _check_range("motion_blur", self.motion_blur, 0.0, 40.0)
        _check_range("noise", self.noise, 0.0, 0.3)
        _check_range("exposure", self.exposure, 0.1, 4.0)
        if not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise ValueError("seed must be a non-negative integer")

    def replace(self, **changes: object) -> CaptureConditions:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def random(cls, rng: np.random.Generator, **overrides: object) -> CaptureConditions:
        """Realistic capture variation at a cooperative station; `overrides` pin chosen fields.

        Head tilt is mostly small (sd 4 deg, capped at 15): stations guide the head, and the
        matcher's +-15 column search covers +-21 deg between two captures.
        """
        radius = float(rng.uniform(80.0, 125.0))
        margin_x, margin_y = FRAME_SIZE[0] / 2 - 1.6 * radius, FRAME_SIZE[1] / 2 - 1.25 * radius
        center = (
            FRAME_SIZE[0] / 2 + float(rng.uniform(-1, 1)) * max(margin_x, 0.0) * 0.6,
            FRAME_SIZE[1] / 2 + float(rng.uniform(-1, 1)) * max(margin_y, 0.0) * 0.6,
        )
        gaze = np.clip(rng.normal(0.0, 0.05, size=2), -0.2, 0.2)
        jitter = rng.normal(0.0, 0.03, size=2)
        leds = ((-0.18 + jitter[0], 0.05 + jitter[1]), (0.18 + jitter[0], 0.05 + jitter[1]))
        values: dict[str, object] = {
            "pupil_ratio": float(rng.uniform(0.25, 0.6)),
            "rotation_deg": float(np.clip(rng.normal(0.0, 4.0), -MAX_ROTATION_DEG, MAX_ROTATION_DEG)),
            "gaze": (float(gaze[0]), float(gaze[1])),
            "center": center,
            "iris_radius_px": radius,
            "upper_lid": float(rng.uniform(0.6, 1.2)),
            "lower_lid": float(rng.uniform(0.8, 1.3)),
            "lashes": float(rng.uniform(0.0, 0.7)),
            "illumination": float(rng.uniform(0.85, 1.15)),
            "leds": tuple((float(x), float(y)) for x, y in leds),
            "defocus": float(rng.uniform(0.0, 1.5)),
            "motion_blur": float(rng.uniform(0.0, 4.0)) if rng.random() < 0.2 else 0.0,
            "noise": float(rng.uniform(0.004, 0.02)),
            "exposure": float(rng.uniform(0.85, 1.15)),
            "seed": int(rng.integers(0, 2**31)),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
