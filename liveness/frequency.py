"""Cue: periodic print and screen artefacts in the spatial spectrum around the eye.

Halftone dot screens and display pixel grids put narrow peaks into the 2-D power spectrum (at the
dot or pixel pitch, and their moire aliases with the camera grid); iris texture and sensor noise
give a smooth, roughly isotropic spectrum. Score = -(largest excess of log power over the radial
median of the spectrum) in the band of periods 2-10 px, averaged over three frames.
"""

from __future__ import annotations

import numpy as np

from .pupil_finder import PupilObservation

CROP = 128
_WINDOW = np.outer(np.hanning(CROP), np.hanning(CROP)).astype(np.float32)
_fy, _fx = np.meshgrid(np.fft.fftfreq(CROP) * CROP, np.fft.rfftfreq(CROP) * CROP, indexing="ij")
_RADIUS = np.hypot(_fy, _fx).round().astype(int)
_BAND = (_RADIUS >= CROP // 10) & (_RADIUS <= CROP // 2)
_N_BINS = int(_RADIUS.max()) + 1


def _crop(frame: np.ndarray, x: float, y: float) -> np.ndarray:
    h, w = frame.shape
    x0 = int(np.clip(round(x) - CROP // 2, 0, w - CROP))
    y0 = int(np.clip(round(y) - CROP // 2, 0, h - CROP))
    return frame[y0 : y0 + CROP, x0 : x0 + CROP].astype(np.float32)


def spectral_peak(frames: np.ndarray, observations: tuple[PupilObservation, ...]) -> float:
    """Largest log-power excess (natural log units) over the radial median, periods 2-10 px."""
    h, w = frames.shape[1:]
    picks = sorted({0, len(frames) // 2, len(frames) - 1})
    power = np.zeros(_RADIUS.shape, np.float64)
    for i in picks:
        o = observations[i]
        x, y = (o.x, o.y) if o.found else (w / 2, h / 2)
        patch = _crop(frames[i], x, y)
        patch = (patch - patch.mean()) * _WINDOW
        power += np.abs(np.fft.rfft2(patch)) ** 2
    logp = np.log(power / len(picks) + 1e-6)
    order = np.argsort(_RADIUS, axis=None)
    radii, values = _RADIUS.ravel()[order], logp.ravel()[order]
    splits = np.flatnonzero(np.diff(radii)) + 1
    medians = np.zeros(_N_BINS)
    for r, chunk in zip(radii[np.r_[0, splits]], np.split(values, splits), strict=True):
        medians[r] = np.median(chunk)
    excess = logp - medians[_RADIUS]
    return float(excess[_BAND].max())


def frequency_score(frames: np.ndarray, observations: tuple[PupilObservation, ...]) -> float:
    """Score (higher = more live): minus the spectral peak excess."""
    return -spectral_peak(frames, observations)
