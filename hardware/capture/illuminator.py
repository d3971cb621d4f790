"""Illuminator control: the near-infrared light is stepped through discrete intensity levels.

Levels are relative to nominal (1.0), as in hardware/illumination.py. A real LED driver implements
`Illuminator` (it would set a PWM duty cycle per step); `StepIlluminator` only records the
commanded step, which is all the synthetic camera needs to render the matching brightness and
pupil response, and all a camera with fixed lighting can honestly claim.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

from ..errors import CaptureError

DEFAULT_STEPS = (0.5, 0.7, 1.0, 1.3, 1.6)  # relative levels; 0.7 -> 1.3 is the liveness probe's step
MIN_LEVEL, MAX_LEVEL = 0.05, 4.0  # the range hardware/illumination.py and the synthetic eye accept


class Illuminator(ABC):
    """Something whose intensity the station can step: `steps` are the allowed relative levels."""

    @property
    @abstractmethod
    def steps(self) -> tuple[float, ...]:
        """The allowed levels, ascending."""

    @property
    @abstractmethod
    def level(self) -> float:
        """The level currently commanded."""

    @abstractmethod
    def set_level(self, level: float) -> None:
        """Command one of `steps`; raises CaptureError for any other value."""

    def step_up(self) -> float:
        """Go one step brighter (stays at the top); returns the new level."""
        i = self.steps.index(self.level)
        self.set_level(self.steps[min(i + 1, len(self.steps) - 1)])
        return self.level

    def step_down(self) -> float:
        """Go one step dimmer (stays at the bottom); returns the new level."""
        i = self.steps.index(self.level)
        self.set_level(self.steps[max(i - 1, 0)])
        return self.level


class StepIlluminator(Illuminator):
    """An illuminator that records the commanded step (see the module docstring)."""

    def __init__(self, steps: tuple[float, ...] = DEFAULT_STEPS, initial: float = 1.0) -> None:
        levels = tuple(float(s) for s in steps)
        if not levels or list(levels) != sorted(set(levels)):
            raise CaptureError("illuminator steps must be distinct and ascending")
        if not all(math.isfinite(s) and MIN_LEVEL <= s <= MAX_LEVEL for s in levels):
            raise CaptureError(f"illuminator steps must lie in [{MIN_LEVEL}, {MAX_LEVEL}]")
        self._steps = levels
        self._level = levels[0]
        self.set_level(initial)

    @property
    def steps(self) -> tuple[float, ...]:
        return self._steps

    @property
    def level(self) -> float:
        return self._level

    def set_level(self, level: float) -> None:
        if level not in self._steps:
            raise CaptureError(f"illuminator level {level!r} is not one of the steps {self._steps}")
        self._level = float(level)
