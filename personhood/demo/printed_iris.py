"""A printed iris held in front of the station camera: the presentation attack the demo tries.

The print (simulation.attacks.print_attack: halftoning, paper, gloss, a hand holding the sheet) reflects
whatever light the station emits, so each frame is rendered at the level the illuminator is set to
when the frame is read; its printed pupil cannot react to the step. Renders of one sheet at different
levels share the seed, hence the same victim, print, hand motion and sensor noise.
"""

from __future__ import annotations

import numpy as np

from hardware.capture import CaptureSource, Frame, Illuminator
from hardware.illumination import IlluminationSchedule
from simulation.attacks import HELDOUT_RANGES, print_attack

FPS = 20.0  # the station camera's frame rate


class PrintedIrisSource(CaptureSource):
    """Frames of one printed iris photo under `illuminator`, at most `n_frames` of them."""

    def __init__(self, illuminator: Illuminator, seed: int, n_frames: int) -> None:
        if n_frames < 2:
            raise ValueError("a printed-iris capture needs at least 2 frames")
        self._illuminator, self._seed, self._n = illuminator, seed, n_frames
        self._renders: dict[float, np.ndarray] = {}  # level -> frames (n, 480, 640) uint8
        self._next = 0
        self.source_id = "attack:printed-iris"

    def _render(self, level: float) -> np.ndarray:
        if level not in self._renders:
            times = tuple(i / FPS for i in range(self._n))
            schedule = IlluminationSchedule(times, (level,) * self._n)
            self._renders[level] = print_attack(schedule, np.random.default_rng(self._seed), HELDOUT_RANGES)
        return self._renders[level]

    def read(self) -> Frame | None:
        """The next frame, lit at the illuminator's current level; None after `n_frames`."""
        if self._next >= self._n:
            return None
        i = self._next
        self._next += 1
        image = self._render(float(self._illuminator.level))[i]
        return Frame(np.ascontiguousarray(image), i, i / FPS)

    def close(self) -> None:
        """Drop the rendered frames."""
        self._renders.clear()
        self._next = self._n
