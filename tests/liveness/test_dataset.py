"""Data splits: which camera captures which presentation, and that the draw is deterministic."""

from __future__ import annotations

import numpy as np
import pytest

from liveness.errors import LivenessError
from simulation.pad_dataset import CLASSES, FUSION_OFFSET, presentation, station_camera
from simulation.synthetic_eye import AUTOFOCUS, EVASIVE


def test_the_cnn_presentations_keep_the_generators_blur_and_the_rest_get_the_station_camera():
    for species in CLASSES:
        assert station_camera("train", species, FUSION_OFFSET - 1) == (None, False)
        for split, index in (("train", FUSION_OFFSET), ("heldout", 0)):
            camera, evasive = station_camera(split, species, index)
            assert camera is not None
            assert evasive is False or species == "contact_lens"


def test_only_lens_wearers_evade_at_about_the_split_share_and_evasion_is_blurrier():
    draws = [station_camera("heldout", "contact_lens", i) for i in range(600)]
    evasive = np.array([e for _, e in draws])
    assert 0.24 < evasive.mean() < 0.36  # the held-out share is 0.3
    defocus = np.array([c.defocus for c, _ in draws])
    assert defocus[evasive].min() >= EVASIVE.defocus_px[0]
    assert defocus[~evasive].max() <= AUTOFOCUS.defocus_px[1]
    assert not any(station_camera("heldout", "bona_fide", i)[1] for i in range(600))


def test_a_presentation_carries_its_camera_and_is_the_same_on_every_call():
    a, b = presentation("heldout", "bona_fide", 123), presentation("heldout", "bona_fide", 123)
    assert a.camera == station_camera("heldout", "bona_fide", 123)[0] and not a.evasive
    np.testing.assert_array_equal(a.frames, b.frames)
    assert presentation("train", "bona_fide", 5).camera is None


@pytest.mark.parametrize("split, species", [("test", "bona_fide"), ("heldout", "photo")])
def test_unknown_splits_and_species_are_refused(split, species):
    with pytest.raises(LivenessError):
        presentation(split, species, 0)
