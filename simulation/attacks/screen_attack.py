"""Screen replay: the victim's NIR photo (or video) shown on a phone or tablet display.

Physics modelled: the display's pixel grid (pitch, fill factor, small rotation) sampled by the
camera's pixel grid (moire emerges from the two grids, it is not painted on), display gamma and
black level, rolling refresh bands, and the glass: it mirrors the station LEDs as flat-mirror
spots unrelated to the pupil. A display emits its own light, so its brightness does not follow
the illuminator; only the glass reflections do.
"""

from __future__ import annotations

import cv2
import numpy as np

from hardware.illumination import STATION_LEDS, IlluminationSchedule

from .ranges import AttackRanges
from .recapture import hand_motion, recapture_defocus, record, spot, victim_photo

SUPERSAMPLE = 2


class Display:
    """One display model: maps a content image to the emitted radiance seen by the camera."""

    def __init__(self, shape: tuple[int, int], pitch_px: float, rng: np.random.Generator) -> None:
        h, w = shape
        self.shape = shape
        self.gamma = rng.uniform(1.6, 2.6) / 2.2  # display gamma relative to the content's encoding
        self.black = rng.uniform(0.01, 0.06)
        self.peak = rng.uniform(0.6, 1.1)
        ys, xs = np.mgrid[0 : h * SUPERSAMPLE, 0 : w * SUPERSAMPLE].astype(np.float32) / SUPERSAMPLE
        a = np.deg2rad(rng.uniform(-6.0, 6.0))
        u = (xs - w / 2) * np.cos(a) + (ys - h / 2) * np.sin(a)
        v = -(xs - w / 2) * np.sin(a) + (ys - h / 2) * np.cos(a)
        iu, iv = np.floor(u / pitch_px), np.floor(v / pitch_px)
        # Each camera sample shows the display pixel it falls in (nearest content sample) ...
        cu, cv_ = (iu + 0.5) * pitch_px, (iv + 0.5) * pitch_px
        self.map_x = (cu * np.cos(a) - cv_ * np.sin(a) + w / 2).astype(np.float32)
        self.map_y = (cu * np.sin(a) + cv_ * np.cos(a) + h / 2).astype(np.float32)
        # ... lit only inside the pixel aperture (the black matrix between pixels is dark).
        fill_u, fill_v = rng.uniform(0.55, 0.9), rng.uniform(0.55, 0.95)
        self.aperture = (((u / pitch_px) % 1.0 < fill_u) & ((v / pitch_px) % 1.0 < fill_v)).astype(np.float32)
        self.band_period = rng.uniform(60.0, 320.0)
        self.band_depth = rng.uniform(0.0, 0.08)
        self.band_speed = rng.uniform(0.05, 0.5)  # band periods per frame
        self.band_phase = rng.uniform(0, 1)

    def show(self, content: np.ndarray) -> np.ndarray:
        """Emitted radiance (camera grid) when the display shows `content` (float, 1.0 = white)."""
        h, w = self.shape
        sampled = cv2.remap(
            np.clip(content, 0, 1).astype(np.float32),
            self.map_x,
            self.map_y,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REFLECT,
        )
        emitted = (self.black + (1 - self.black) * sampled**self.gamma) * self.aperture * self.peak
        return cv2.resize(emitted, (w, h), interpolation=cv2.INTER_AREA)

    def bands(self, frame_index: int) -> np.ndarray:
        """Per-row gain (h, 1) of the rolling refresh band in frame `frame_index`."""
        y = np.arange(self.shape[0], dtype=np.float32)[:, None]
        phase = self.band_phase + self.band_speed * frame_index
        return 1.0 - self.band_depth * 0.5 * (1 + np.cos(2 * np.pi * (y / self.band_period + phase)))


def glass_reflections(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """The station LEDs mirrored by flat cover glass: soft spots anywhere, not tied to the pupil."""
    h, w = shape
    out = np.zeros(shape, np.float32)
    if rng.random() < 0.25:  # anti-glare coating
        return out
    x0, y0 = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    spread, sigma = rng.uniform(40.0, 400.0), rng.uniform(3.0, 12.0)
    for dx, dy in STATION_LEDS:
        out = np.maximum(out, spot(shape, x0 + dx * spread, y0 + dy * spread, sigma))
    return out * rng.uniform(0.3, 2.0)


def screen_attack(
    schedule: IlluminationSchedule, rng: np.random.Generator, ranges: AttackRanges
) -> np.ndarray:
    """Frames (n, 480, 640) uint8 of a still NIR photo shown on a display under `schedule`."""
    _, _, photo = victim_photo(rng, ranges.subjects)
    return screen_of_photo(photo, schedule, rng, ranges)


def screen_of_photo(
    photo: np.ndarray, schedule: IlluminationSchedule, rng: np.random.Generator, ranges: AttackRanges
) -> np.ndarray:
    """Frames (n, 480, 640) uint8 of `photo` (float, 480x640, 1.0 = white) shown still on a display."""
    display = Display(photo.shape, rng.uniform(*ranges.screen_pitch_px), rng)
    return present_on_display(display, [photo] * len(schedule), schedule, rng, ranges)


def present_on_display(
    display: Display,
    contents: list[np.ndarray],
    schedule: IlluminationSchedule,
    rng: np.random.Generator,
    ranges: AttackRanges,
) -> np.ndarray:
    """Camera frames of a display showing `contents[i]` at frame i, held by hand under `schedule`."""
    n = len(schedule)
    shown: dict[int, np.ndarray] = {}
    emitted = []
    for content in contents:
        key = id(content)
        if key not in shown:
            shown[key] = display.show(content)
        emitted.append(shown[key])
    gains = [display.bands(i) for i in range(n)]
    glare = glass_reflections(display.shape, rng)
    haze = rng.uniform(0.0, 0.05)  # diffuse reflection of the illuminator off the glass
    offsets = [(glare + haze) * level for level in schedule.levels]
    motion = hand_motion(n, rng.uniform(*ranges.hand_motion_px), rng)
    blur = recapture_defocus(ranges, rng.uniform(0.0, 1.5))
    return record(emitted, gains, offsets, motion, blur, rng.uniform(0.004, 0.02), rng)
