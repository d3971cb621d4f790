"""Printed-iris attack: a paper print of the victim's NIR photo held in front of the station.

Physics modelled: printer halftoning (AM dot screens of varying pitch and angle, or FM inkjet
dithering), the paper's compressed dynamic range and tone curve, paper fibre texture, a matte
surface that turns the photo's specular highlights into plain paper white, optional gloss glare
from the station LEDs, and a hand that moves the sheet. The print reflects the station's light,
so its brightness follows the illuminator; its pupil, printed, cannot react.
"""

from __future__ import annotations

import cv2
import numpy as np

from hardware.illumination import IlluminationSchedule

from .ranges import AttackRanges
from .recapture import band_noise, hand_motion, recapture_defocus, record, spot, victim_photo

SUPERSAMPLE = 2  # halftone dots are drawn at 2x and integrated by the camera pixels


def halftone(
    tone: np.ndarray, pitch_px: float, angle_deg: float | None, rng: np.random.Generator
) -> np.ndarray:
    """Binary-ink coverage of `tone` (0 black .. 1 white), integrated to the camera grid.

    AM screening (clustered dots on a rotated grid of `pitch_px`) when `angle_deg` is given, else
    FM (stochastic) dithering with dots about `pitch_px` / 2 wide.
    """
    h, w = tone.shape
    big = cv2.resize(tone, (w * SUPERSAMPLE, h * SUPERSAMPLE), interpolation=cv2.INTER_LINEAR)
    if angle_deg is not None:
        ys, xs = np.mgrid[0 : big.shape[0], 0 : big.shape[1]].astype(np.float32)
        a = np.deg2rad(angle_deg)
        u = xs * np.cos(a) + ys * np.sin(a)
        v = -xs * np.sin(a) + ys * np.cos(a)
        period = pitch_px * SUPERSAMPLE
        screen = 0.5 + 0.25 * (np.cos(2 * np.pi * u / period) + np.cos(2 * np.pi * v / period))
    else:
        dots = max(1.0, pitch_px * SUPERSAMPLE / 4)
        screen = cv2.GaussianBlur(rng.random(big.shape, dtype=np.float32), (0, 0), dots)
        screen = (screen - screen.min()) / (np.ptp(screen) + 1e-6)
        screen = np.argsort(np.argsort(screen.ravel())).reshape(big.shape) / screen.size  # uniform
    paper = (big > screen).astype(np.float32)
    return cv2.resize(paper, (w, h), interpolation=cv2.INTER_AREA)


def print_attack(
    schedule: IlluminationSchedule, rng: np.random.Generator, ranges: AttackRanges
) -> np.ndarray:
    """Frames (n, 480, 640) uint8 of a printed iris photo presented under `schedule`."""
    _, _, photo = victim_photo(rng, ranges.subjects)
    return print_of_photo(photo, schedule, rng, ranges)


def print_of_photo(
    photo: np.ndarray, schedule: IlluminationSchedule, rng: np.random.Generator, ranges: AttackRanges
) -> np.ndarray:
    """Frames (n, 480, 640) uint8 of a paper print of `photo` (float, 480x640, 1.0 = white) under `schedule`.

    The photo may be the attacker's render (`print_attack`) or a real photograph placed in the station's
    frame (`simulation.attacks.real_photo`).
    """
    gamma = rng.uniform(0.7, 1.4)
    tone = np.clip(photo, 0.0, 1.0) ** gamma
    pitch = rng.uniform(*ranges.halftone_pitch_px)
    if rng.random() < ranges.stochastic_print_share:
        coverage = halftone(tone, pitch, None, rng)
    else:
        angle = float(rng.choice(ranges.halftone_angles_deg)) + rng.normal(0, 2.0)
        coverage = halftone(tone, pitch, angle, rng)
    # Ink cannot absorb all NIR, paper does not reflect all of it: a compressed range.
    black, white = rng.uniform(0.05, 0.2), rng.uniform(0.65, 0.92)
    ink_spread = rng.uniform(0.3, 1.0)  # dot gain smooths the dots on absorbent paper
    coverage = cv2.GaussianBlur(coverage, (0, 0), ink_spread)
    paper = 1.0 + rng.uniform(0.01, 0.04) * band_noise(coverage.shape, rng.uniform(0.7, 2.0), rng)
    reflectance = (black + (white - black) * coverage) * paper
    n = len(schedule)
    exposure = rng.uniform(0.85, 1.15)
    gains = [level * exposure for level in schedule.levels]
    glare = np.float32(0.0)
    if rng.random() < 0.35:  # glossy photo paper: a soft sheen of the LED bank
        h, w = reflectance.shape
        sheen = spot((h, w), rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h, rng.uniform(15, 45))
        glare = rng.uniform(0.1, 0.35) * sheen
    offsets = [glare * level for level in schedule.levels]
    motion = hand_motion(n, rng.uniform(*ranges.hand_motion_px), rng)
    return record(
        [reflectance] * n,
        gains,
        offsets,
        motion,
        recapture_defocus(ranges, rng.uniform(0.0, 1.5)),
        rng.uniform(0.004, 0.02),
        rng,
    )
