"""Picking training captures by their draws: `capture_draws` tells what a presentation renders, and
`liveness.training.tails` picks the dark irises and extreme pupils from it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from liveness.errors import LivenessError
from liveness.pupil_finder import find_pupil
from liveness.training.tails import DARK_IRIS, LARGE_PUPIL, SMALL_PUPIL, in_tails, tail_indices
from simulation.pad_dataset import FUSION_OFFSET, capture_draws, presentation


@pytest.mark.parametrize(
    "split, species, index", [("train", "bona_fide", 31), ("heldout", "contact_lens", 32)]
)
def test_the_draws_are_the_ones_the_presentation_renders(split, species, index):
    eye, conditions = capture_draws(split, species, index)
    frame = presentation(split, species, index, n_frames=8).frames[0]  # before the light step
    pupil = find_pupil(frame)
    assert pupil.found
    assert abs(pupil.x - conditions.center[0]) < 0.2 * conditions.iris_radius_px
    assert abs(pupil.y - conditions.center[1]) < 0.2 * conditions.iris_radius_px
    expected = conditions.pupil_ratio * conditions.iris_radius_px
    assert abs(pupil.radius - expected) < 0.12 * expected
    other = capture_draws(split, species, index + 1)[1]  # the draws differ from one index to the next
    assert (other.center, other.pupil_ratio) != (conditions.center, conditions.pupil_ratio)
    assert capture_draws(split, species, index) == (eye, conditions)


def test_only_live_eyes_and_lens_wearers_have_draws_to_pick_by():
    with pytest.raises(LivenessError, match="bona_fide and contact_lens"):
        capture_draws("train", "print", 0)


def test_the_tails_are_a_dark_iris_or_a_pupil_at_either_end():
    eye, conditions = capture_draws("train", "bona_fide", 0)
    light = dataclasses.replace(eye, iris_brightness=DARK_IRIS + 0.05)
    mid = dataclasses.replace(conditions, pupil_ratio=(SMALL_PUPIL + LARGE_PUPIL) / 2)
    assert not in_tails(light, mid)
    assert in_tails(dataclasses.replace(eye, iris_brightness=DARK_IRIS - 0.01), mid)
    assert in_tails(light, dataclasses.replace(conditions, pupil_ratio=SMALL_PUPIL))
    assert in_tails(light, dataclasses.replace(conditions, pupil_ratio=LARGE_PUPIL))


def test_tail_indices_keep_every_tail_capture_in_order_and_skip_the_rest():
    picked = tail_indices("contact_lens", 200, 12)
    assert len(picked) == 12 and picked == sorted(picked) and picked[0] >= 200
    for index in range(200, picked[-1] + 1):
        assert in_tails(*capture_draws("train", "contact_lens", index)) == (index in picked)
    share = len(picked) / (picked[-1] - 199)
    assert 0.1 < share < 0.6  # about a quarter of all captures


def test_tail_indices_refuse_attacks_without_a_live_eye_and_the_end_of_the_cnn_phase():
    with pytest.raises(ValueError, match="live eye"):
        tail_indices("screen", 0, 1)
    with pytest.raises(ValueError, match="CNN phase ends"):
        tail_indices("bona_fide", FUSION_OFFSET - 3, 10)
    with pytest.raises(ValueError):
        tail_indices("bona_fide", -1, 1)
    assert np.array_equal(tail_indices("bona_fide", 50, 0), [])
