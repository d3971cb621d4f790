"""The station camera's blur models: draws within their ranges, validated values."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.synthetic_eye import AUTOFOCUS, EVASIVE, FIXED_FOCUS, CameraBlur, CaptureConditions


@pytest.mark.parametrize("optics", [AUTOFOCUS, EVASIVE, FIXED_FOCUS])
def test_draws_stay_in_the_optics_ranges_with_the_stated_share_of_motion(optics):
    rng = np.random.default_rng(0)
    blurs = [optics.draw(rng) for _ in range(2000)]
    defocus = np.array([b.defocus for b in blurs])
    motion = np.array([b.motion_blur for b in blurs])
    assert defocus.min() >= optics.defocus_px[0] and defocus.max() <= optics.defocus_px[1]
    assert abs(np.mean(motion > 0) - optics.motion_share) < 0.03
    assert np.all((motion == 0) | ((motion >= optics.motion_px[0]) & (motion <= optics.motion_px[1])))


def test_the_autofocus_camera_is_sharper_than_a_fixed_focus_one_and_evasion_blurs():
    assert AUTOFOCUS.defocus_px[1] < FIXED_FOCUS.defocus_px[1] <= EVASIVE.defocus_px[1]
    assert EVASIVE.defocus_px[0] >= AUTOFOCUS.defocus_px[1]


def test_a_blur_sets_capture_conditions_and_bad_values_are_refused():
    blur = CameraBlur(0.4, 2.0)
    c = CaptureConditions().replace(**blur.conditions())
    assert (c.defocus, c.motion_blur) == (0.4, 2.0)
    for bad in ((-0.1, 0.0), (0.5, float("nan")), (13.0, 0.0), (0.5, 41.0)):
        with pytest.raises(ValueError):
            CameraBlur(*bad)
