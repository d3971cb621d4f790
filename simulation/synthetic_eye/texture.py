"""The iris texture of a synthetic eye, in polar coordinates (rows: pupil -> limbus, columns: angle).

Structures follow iris anatomy as seen under near-infrared light: radial fibers (trabecular
meshwork) that wave slightly, the collarette ridge separating the pupillary and ciliary zones,
crypts (dark radially elongated pits, mostly near the collarette), concentric contraction furrows
in the outer ciliary zone, pigment spots, a dark pupillary ruff and a darker limbal ring.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from .identity import EyeIdentity

TEXTURE_SHAPE = (128, 1024)  # radial rows x angular columns


def _band_noise(rng: np.random.Generator, radial_sigma: float, angular_low: float, angular_high: float):
    """Gaussian noise band-limited in the 2-D Fourier domain; periodic in angle, unit variance."""
    rows, cols = TEXTURE_SHAPE
    kr = np.fft.fftfreq(rows)[:, None] * rows  # cycles over the radial extent
    ka = np.abs(np.fft.fftfreq(cols)[None, :] * cols)  # cycles around the iris
    envelope = np.exp(-0.5 * (kr / radial_sigma) ** 2) * ((ka >= angular_low) & (ka <= angular_high))
    envelope = envelope / np.sqrt(1.0 + ka / 40.0)
    spectrum = np.fft.fft2(rng.normal(size=TEXTURE_SHAPE)) * envelope
    field = np.real(np.fft.ifft2(spectrum))
    return (field - field.mean()) / (field.std() + 1e-12)


def _smooth_periodic(rng: np.random.Generator, n: int, max_cycles: int) -> np.ndarray:
    """A smooth random periodic function of angle (n samples), unit-ish amplitude."""
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    out = np.zeros(n)
    for k in range(1, max_cycles + 1):
        out += rng.normal(0, 1.0 / k) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    return out / (np.abs(out).max() + 1e-12)


def _blobs(rng, image, count, r_range, size_r, size_a, depth, sharp) -> None:
    """Add `count` dark (depth > 0) or bright (depth < 0) elliptical blobs, wrapping in angle."""
    rows, cols = TEXTURE_SHAPE
    r_axis = np.linspace(0.0, 1.0, rows)[:, None]
    a_axis = np.arange(cols)[None, :]
    for _ in range(count):
        r0 = rng.uniform(*r_range)
        a0 = rng.uniform(0, cols)
        sr = rng.uniform(*size_r)
        sa = rng.uniform(*size_a) * cols / (2 * np.pi)
        da = (a_axis - a0 + cols / 2) % cols - cols / 2
        d2 = ((r_axis - r0) / sr) ** 2 + (da / sa) ** 2
        profile = np.clip(1.0 - d2, 0.0, 1.0) ** (0.3 if sharp else 1.0)
        image -= rng.uniform(*depth) * profile


@lru_cache(maxsize=64)
def _texture(eye: EyeIdentity) -> np.ndarray:
    rng = np.random.default_rng(eye.texture_seed)
    rows, cols = TEXTURE_SHAPE
    r = np.linspace(0.0, 1.0, rows)[:, None].repeat(cols, axis=1)

    # Radial fibers: fine in angle, long in radius, waving gently with radius.
    fibers = _band_noise(rng, radial_sigma=3.0, angular_low=16, angular_high=160)
    wave = np.outer(np.linspace(0, 1, rows), _smooth_periodic(rng, cols, 6)) * rng.uniform(8, 20)
    map_x = (np.arange(cols)[None, :] + wave).astype(np.float32)
    map_y = np.repeat(np.arange(rows, dtype=np.float32)[:, None], cols, axis=1)
    fibers = cv2.remap(fibers.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    coarse = _band_noise(rng, radial_sigma=6.0, angular_low=2, angular_high=40)

    collarette = eye.collarette_radius + 0.05 * _smooth_periodic(rng, cols, 12)[None, :]
    pupillary_zone = 1.0 / (1.0 + np.exp((r - collarette) / 0.02))
    ridge = np.exp(-0.5 * ((r - collarette) / 0.025) ** 2)

    tex = 0.07 * fibers + 0.06 * coarse + 0.06 * ridge - 0.04 * pupillary_zone
    tex -= 0.06 * np.exp(-r / 0.025)  # pupillary ruff
    tex -= 0.07 * np.clip((r - 0.85) / 0.15, 0.0, 1.0) ** 2  # limbal darkening

    # Crypts cluster near the collarette; furrows are arcs in the outer ciliary zone.
    c0 = eye.collarette_radius
    n_crypts = int(rng.integers(8, 26))
    _blobs(rng, tex, n_crypts, (c0 - 0.05, 0.8), (0.04, 0.12), (0.02, 0.07), (0.06, 0.16), True)
    for _ in range(int(rng.integers(3, 9))):
        r0 = rng.uniform(0.6, 0.92)
        start, span = rng.uniform(0, cols), rng.uniform(0.1, 0.5) * cols
        da = (np.arange(cols) - start) % cols
        along = np.clip(np.sin(np.pi * np.clip(da / span, 0, 1)), 0, 1)[None, :]
        path = r0 + 0.015 * _smooth_periodic(rng, cols, 10)[None, :]
        tex -= rng.uniform(0.04, 0.1) * along * np.exp(-0.5 * ((r - path) / 0.012) ** 2)
    _blobs(rng, tex, int(rng.integers(0, 6)), (0.2, 0.95), (0.01, 0.025), (0.01, 0.025), (0.08, 0.2), True)

    tex = eye.iris_brightness + eye.texture_contrast * tex
    out = np.clip(tex, 0.0, 1.0).astype(np.float32)
    out.setflags(write=False)
    return out


def iris_texture_polar(eye: EyeIdentity) -> np.ndarray:
    """The eye's iris reflectance, float32 (128 radial x 1024 angular) in [0, 1].

    Row 0 is the pupil boundary, the last row the limbus; column j is the eye-frame angle
    2*pi*j/1024 measured from the eye's +x axis towards its +y axis (image y points down).
    Deterministic per eye; the returned array is read-only (copy it to modify).
    """
    return _texture(eye)
