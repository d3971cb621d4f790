"""The textured contact lens generator: a dot-screened print on an annulus, fixed on the cornea."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.attacks.contact_lens import LENS_PATTERNS, lens_overlay, lens_pattern


@pytest.mark.parametrize("kind", LENS_PATTERNS)
def test_the_print_covers_an_annulus_and_leaves_the_optic_zone_clear(kind):
    overlay = lens_overlay(kind, 100.0, (3.0, 6.0), np.random.default_rng(1))
    size = overlay.coverage.shape[0]
    half = (size - 1) / 2
    yy, xx = np.mgrid[0:size, 0:size]
    rho = np.hypot(xx - half, yy - half) / half * overlay.outer_radius  # iris radii
    assert overlay.coverage[rho < 0.28].max() == 0.0  # the clear zone is at least 0.3 iris radii
    edge = 2 / half * overlay.outer_radius  # the dots are integrated to texels: a 2-texel rim
    assert overlay.coverage[rho > overlay.outer_radius + edge].max() == 0.0
    printed = overlay.coverage[(rho > 0.6) & (rho < 0.85)]
    assert 0.03 < printed.mean() < 0.97  # dots: ink and gaps, not a solid or empty band
    assert 0.6 <= overlay.opacity <= 0.95 and 0.2 <= overlay.reflectance <= 0.6


def test_the_print_is_a_dot_screen_at_the_requested_pitch():
    # At 100 px per iris radius, a 5 px dot pitch is a spectral peak near size / (5 * texels per px).
    overlay = lens_overlay("cells", 100.0, (5.0, 5.0), np.random.default_rng(2))
    c = overlay.coverage - overlay.coverage.mean()
    size = c.shape[0]
    power = np.abs(np.fft.fft2(c)) ** 2
    fy, fx = np.meshgrid(np.fft.fftfreq(size) * size, np.fft.fftfreq(size) * size, indexing="ij")
    radius = np.hypot(fy, fx)
    texels_per_px = (size - 1) / 2 / (overlay.outer_radius * 100.0)
    expected = size / (5.0 * texels_per_px)
    high = radius > expected / 2  # above the design's own (coarse) structure
    peak = radius[high][np.argmax(power[high])]
    assert abs(peak - expected) < 0.15 * expected


def test_lenses_are_deterministic_per_seed_and_unknown_designs_are_refused():
    a = lens_overlay("rings", 90.0, (3.0, 6.0), np.random.default_rng(5))
    b = lens_overlay("rings", 90.0, (3.0, 6.0), np.random.default_rng(5))
    assert np.array_equal(a.coverage, b.coverage)
    with pytest.raises(ValueError, match="unknown lens pattern"):
        lens_pattern("tartan", (32, 64), np.random.default_rng(0))
