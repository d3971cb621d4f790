"""The station's illuminator schedule: per-frame capture times and near-infrared / stimulus levels.

The illuminator steps a near-infrared LED bank (which sets image brightness) together with a
visible stimulus LED (which drives the pupil; NIR alone barely does). A live pupil answers a step
up with a constriction after a latency of ~200-300 ms (the pupil light reflex; its model is
`liveness.pupil_physiology`); printed photos, screens, dolls and replayed videos do not.

Reference: Czajka, "Pupil dynamics for iris liveness detection", IEEE TIFS 10(4), 2015 (step
stimulus, live/fake separation in < 3 s).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from zk_identity.errors import PersonhoodError

MIN_LEVEL, MAX_LEVEL = 0.05, 4.0  # relative illuminator level; 1.0 is nominal
FRAME_SHAPE = (480, 640)  # rows, columns of the station camera
STATION_LEDS = ((-0.18, 0.05), (0.18, 0.05))  # illuminator LEDs, iris radii from the pupil centre


class ScheduleError(PersonhoodError, ValueError):
    """An illumination schedule is malformed (lengths differ, time not increasing, level out of range)."""


@dataclass(frozen=True)
class IlluminationSchedule:
    """Per-frame capture times (s, strictly increasing) and illuminator levels (relative, 1.0 nominal).

    `leds` is the illuminator's LED layout: positions of the LEDs' corneal reflections relative
    to the pupil centre, in iris radii (what a live cornea shows).
    """

    times_s: tuple[float, ...]
    levels: tuple[float, ...]
    leds: tuple[tuple[float, float], ...] = STATION_LEDS

    def __post_init__(self) -> None:
        times = tuple(float(t) for t in self.times_s)
        levels = tuple(float(v) for v in self.levels)
        if len(times) < 2:
            raise ScheduleError(f"a schedule needs at least 2 frames, got {len(times)}")
        if len(times) != len(levels):
            raise ScheduleError(f"{len(times)} frame times but {len(levels)} levels")
        if not all(math.isfinite(t) for t in times) or any(b <= a for a, b in itertools.pairwise(times)):
            raise ScheduleError("frame times must be finite and strictly increasing")
        if not all(math.isfinite(v) and MIN_LEVEL <= v <= MAX_LEVEL for v in levels):
            raise ScheduleError(f"levels must lie in [{MIN_LEVEL}, {MAX_LEVEL}]")
        if not self.leds or any(len(p) != 2 or not all(math.isfinite(c) for c in p) for p in self.leds):
            raise ScheduleError("leds must be a non-empty tuple of (dx, dy) pairs")
        object.__setattr__(self, "leds", tuple((float(x), float(y)) for x, y in self.leds))
        object.__setattr__(self, "times_s", times)
        object.__setattr__(self, "levels", levels)

    @classmethod
    def step(
        cls,
        n_frames: int = 20,
        fps: float = 20.0,
        step_frame: int = 3,
        low: float = 0.7,
        high: float = 1.3,
    ) -> IlluminationSchedule:
        """A single step from `low` to `high` at frame `step_frame` (the station's default probe).

        20 frames at 20 fps span 1 s: enough for the 200-300 ms latency and most of the constriction.
        """
        if not 1 <= step_frame < n_frames:
            raise ScheduleError(f"step_frame must be in [1, {n_frames - 1}], got {step_frame}")
        if fps <= 0:
            raise ScheduleError(f"fps must be positive, got {fps}")
        times = tuple(i / fps for i in range(n_frames))
        levels = tuple(low if i < step_frame else high for i in range(n_frames))
        return cls(times, levels)

    @classmethod
    def random_step(
        cls, rng: np.random.Generator, n_frames: int = 20, fps: float = 20.0
    ) -> IlluminationSchedule:
        """The station's challenge: a step at an unpredictable frame (2-6) with random levels.

        A replayed recording cannot know when this station's light will step.
        """
        return cls.step(
            n_frames,
            fps,
            int(rng.integers(2, 7)),
            float(rng.uniform(0.6, 0.8)),
            float(rng.uniform(1.2, 1.45)),
        )

    def __len__(self) -> int:
        return len(self.times_s)

    @property
    def steps(self) -> tuple[tuple[float, float], ...]:
        """(time s, log level change) of each intensity change, timed halfway between frames."""
        out = []
        for i in range(1, len(self.levels)):
            if self.levels[i] != self.levels[i - 1]:
                t = 0.5 * (self.times_s[i - 1] + self.times_s[i])
                out.append((t, math.log(self.levels[i] / self.levels[i - 1])))
        return tuple(out)
