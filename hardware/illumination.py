"""The station's illuminator: intensity-step schedules and the pupil light reflex they provoke.

The illuminator steps a near-infrared LED bank (which sets image brightness) together with a
visible stimulus LED (which drives the pupil; NIR alone barely does). A live pupil answers a step
up with a constriction after a latency of ~200-300 ms (the pupil light reflex, PLR); printed
photos, screens, dolls and replayed videos do not. This module holds the schedule, a
physiological PLR model, and `capture_bona_fide_sequence`, which renders what the station camera
sees of a live eye under a schedule (the synthetic eye stands in for a camera).

Reference: Kohn & Clynes (1969) two-channel pupil model; Czajka, "Pupil dynamics for iris
liveness detection", IEEE TIFS 10(4), 2015 (step stimulus, live/fake separation in < 3 s).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from hardware.synthetic_eye import CaptureConditions, CornealOverlay, EyeIdentity, render_eye_with_truth
from zk_identity.errors import PersonhoodError

MIN_LEVEL, MAX_LEVEL = 0.05, 4.0  # relative illuminator level; 1.0 is nominal
PUPIL_RATIO_RANGE = (0.15, 0.75)  # pupil/iris radius ratio a human pupil can reach
FRAME_SHAPE = (480, 640)  # rows, columns of the station camera
RATIO_STEP = 0.003  # pupil ratios closer than this share one render (0.3 px at a 100 px iris)
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


@dataclass(frozen=True)
class PupilReflex:
    """One person's pupil light reflex (PLR) parameters.

    latency_s: stimulus to constriction onset (typically 0.2-0.3 s; Ellis 1981).
    gain: relative constriction of the pupil radius per natural-log unit of stimulus increase.
    tau_constrict_s / tau_dilate_s: time constants of constriction (fast) and re-dilation (slow).
    escape: fraction of the constriction lost again over `tau_escape_s` (pupillary escape).
    hippus: amplitude (relative) of the spontaneous ~0.3-1 Hz pupil unrest.
    """

    latency_s: float = 0.24
    gain: float = 0.28
    tau_constrict_s: float = 0.16
    tau_dilate_s: float = 0.6
    escape: float = 0.15
    tau_escape_s: float = 1.5
    hippus: float = 0.008

    @classmethod
    def random(cls, rng: np.random.Generator) -> PupilReflex:
        """A physiologically plausible person, drawn from population ranges."""
        return cls(
            latency_s=float(rng.uniform(0.20, 0.30)),
            gain=float(rng.uniform(0.18, 0.38)),
            tau_constrict_s=float(rng.uniform(0.10, 0.24)),
            tau_dilate_s=float(rng.uniform(0.4, 0.9)),
            escape=float(rng.uniform(0.0, 0.3)),
            tau_escape_s=float(rng.uniform(1.0, 2.5)),
            hippus=float(rng.uniform(0.003, 0.012)),
        )

    def relative_response(self, schedule: IlluminationSchedule) -> np.ndarray:
        """Relative change of the pupil radius at each frame (0 = baseline, -0.2 = 20% smaller).

        Each log-intensity step adds a delayed first-order response (constriction for steps up,
        slower re-dilation for steps down); responses superpose.
        """
        t = np.asarray(schedule.times_s, dtype=np.float64)
        rel = np.zeros_like(t)
        for t_step, dlog in schedule.steps:
            tau = self.tau_constrict_s if dlog > 0 else self.tau_dilate_s
            lag = np.clip(t - t_step - self.latency_s, 0.0, None)
            response = (1.0 - np.exp(-lag / tau)) * (
                1.0 - self.escape * (1.0 - np.exp(-lag / self.tau_escape_s))
            )
            rel -= self.gain * dlog * response
        return rel

    def pupil_ratios(
        self, schedule: IlluminationSchedule, baseline: float, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        """Pupil/iris radius ratio at each frame time of `schedule`, starting from `baseline`.

        The shape is `relative_response`; hippus noise is added when `rng` is given. Values are
        clipped to the human range PUPIL_RATIO_RANGE.
        """
        t = np.asarray(schedule.times_s, dtype=np.float64)
        rel = self.relative_response(schedule)
        if rng is not None and self.hippus > 0:
            freq, phase = rng.uniform(0.3, 1.0), rng.uniform(0, 2 * np.pi)
            rel += self.hippus * np.sin(2 * np.pi * freq * t + phase)
        return np.clip(baseline * (1.0 + rel), *PUPIL_RATIO_RANGE)


@dataclass(frozen=True)
class MicroMotion:
    """Fixational eye movements and head sway, in pixels of the 640x480 capture.

    drift_px: random-walk step std per frame of the eye (gaze) relative to the head.
    saccade_prob / saccade_px: chance per frame of a microsaccade and its size.
    head_px: random-walk step std per frame of the whole face (chin rest sway).
    """

    drift_px: float = 0.35
    saccade_prob: float = 0.12
    saccade_px: float = 2.0
    head_px: float = 0.5

    def trajectories(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(eye offset relative to head, head offset), each an (n, 2) float array in px, first row 0."""
        eye = rng.normal(0.0, self.drift_px, size=(n, 2))
        jumps = rng.random(n) < self.saccade_prob
        angles = rng.uniform(0, 2 * np.pi, size=n)
        eye[jumps] += self.saccade_px * np.stack([np.cos(angles), np.sin(angles)], axis=1)[jumps]
        head = rng.normal(0.0, self.head_px, size=(n, 2))
        eye[0] = head[0] = 0.0
        return np.cumsum(eye, axis=0), np.cumsum(head, axis=0)


def shift_image(image: np.ndarray, dx: float, dy: float, angle_deg: float = 0.0) -> np.ndarray:
    """Move a float image rigidly by (dx, dy) px and rotate it by `angle_deg` about its centre."""
    h, w = image.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    m[:, 2] += (dx, dy)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def sensor_readout(radiance: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """The camera's 8-bit readout of a float image (1.0 = full scale) with shot + read noise."""
    sigma = noise * (0.3 + 0.7 * np.sqrt(np.clip(radiance, 0.0, None)))
    noisy = radiance + rng.standard_normal(radiance.shape, dtype=np.float32) * sigma
    return np.clip(np.rint(noisy * 255.0), 0, 255).astype(np.uint8)


def capture_bona_fide_sequence(
    eye: EyeIdentity,
    schedule: IlluminationSchedule,
    conditions: CaptureConditions,
    rng: np.random.Generator,
    reflex: PupilReflex | None = None,
    motion: MicroMotion | None = None,
    texture_polar: np.ndarray | None = None,
    overlay: CornealOverlay | None = None,
) -> np.ndarray:
    """What the station camera records of a live eye under `schedule`: uint8 (n, 480, 640).

    The pupil follows `reflex` (drawn at random when None) from `conditions.pupil_ratio`; the
    illuminator level multiplies `conditions.illumination`; the eye moves inside the lid opening
    (fixational movements) and the whole face sways (`motion`). `texture_polar` replaces the
    iris texture; `overlay` is worn on the cornea (a cosmetic contact lens on a live eye). Renders
    are shared between frames whose pupil differs by < 0.3% of the iris radius; sensor noise is
    drawn fresh per frame.
    """
    reflex = reflex if reflex is not None else PupilReflex.random(rng)
    motion = motion if motion is not None else MicroMotion()
    ratios = reflex.pupil_ratios(schedule, conditions.pupil_ratio, rng)
    eye_xy, head_xy = motion.trajectories(len(schedule), rng)
    cache: dict[tuple[float, float], np.ndarray] = {}
    opening = None
    frames = np.empty((len(schedule), *FRAME_SHAPE), np.uint8)
    for i, (ratio, level) in enumerate(zip(ratios, schedule.levels, strict=True)):
        key = (round(float(ratio) / RATIO_STEP) * RATIO_STEP, level)
        if key not in cache:
            c = dataclasses.replace(
                conditions,
                pupil_ratio=float(np.clip(key[0], 0.1, 0.8)),
                illumination=float(np.clip(conditions.illumination * level, 0.05, 4.0)),
                noise=0.0,
            )
            image, truth = render_eye_with_truth(eye, c, texture_polar, overlay)
            cache[key] = image.astype(np.float32) / 255.0
            if opening is None:  # where the eyeball shows; its content moves with the eye
                opening = cv2.GaussianBlur((~truth.eyelid_mask).astype(np.float32), (0, 0), 1.5)
        still = cache[key]
        hx, hy = head_xy[i]
        ex, ey = eye_xy[i]
        face = shift_image(still, hx, hy)
        eyeball = shift_image(still, hx + ex, hy + ey)
        mask = shift_image(opening, hx, hy)
        frames[i] = sensor_readout(face + mask * (eyeball - face), conditions.noise, rng)
    return frames
