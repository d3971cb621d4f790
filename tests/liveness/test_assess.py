"""End to end: the shipped models reject every attack species and accept live eyes (fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest

from hardware.illumination import IlluminationSchedule
from liveness import CUES, assess
from liveness.fusion import default_fusion
from simulation.attacks import SPECIES
from simulation.attacks.recapture import station_leds
from simulation.live_eye import capture_bona_fide_sequence
from simulation.pad_dataset import presentation
from simulation.synthetic_eye import CaptureConditions, EyeIdentity

TEST_INDEX = 950_000  # far from the indices `pad eval` and the benchmark use
# Textured contact lenses are the hardest species (held-out APCER ~0.5% at the shipped threshold,
# see liveness/models/MODEL_CARD.md): besides the one fixed-seed lens below, a sample of lenses
# is held to a detection rate: at 1% APCER, 12 of 12 is the likely outcome (89%).
LENS_SAMPLE, LENS_MIN_REJECTED = 12, 12
BONA_FIDE_SAMPLE, BONA_FIDE_MIN_ACCEPTED = 10, 9


@pytest.mark.slow
def test_textured_lenses_are_rejected_at_the_goal_rate():
    rejected = 0
    for i in range(LENS_SAMPLE):
        p = presentation("heldout", "contact_lens", TEST_INDEX + 100 + i)
        result = assess(p.frames, p.schedule)
        rejected += not result.is_live
        assert result.is_live or result.fired or result.vetoed
    assert rejected >= LENS_MIN_REJECTED, f"only {rejected} of {LENS_SAMPLE} lens presentations rejected"


@pytest.mark.slow
@pytest.mark.parametrize("species", SPECIES)
def test_each_attack_species_is_rejected(species):
    p = presentation("heldout", species, TEST_INDEX)
    result = assess(p.frames, p.schedule)
    assert not result.is_live, (species, result)
    assert result.fired or result.vetoed, "a rejection must name the cues that fired, or its veto"
    assert {c.name for c in result.cues} == set(CUES)


@pytest.mark.slow
@pytest.mark.parametrize("index", [TEST_INDEX + 217, TEST_INDEX + 223])  # evasive, defocus > 1.5 px
def test_a_lens_wearer_who_blurs_the_capture_is_refused_as_blurred(index):
    p = presentation("heldout", "contact_lens", index)
    assert p.evasive and p.camera is not None and p.camera.defocus > 1.5
    result = assess(p.frames, p.schedule)
    assert result.blurred and not result.is_live and result.score == 0.0, result
    assert result.blur_px > 2.0  # px: past a sharp eye's ~1.6-2.1


def _out_of_focus_live_eye(defocus: float) -> tuple[IlluminationSchedule, np.ndarray]:
    rng = np.random.default_rng(23)
    schedule = IlluminationSchedule.random_step(rng, n_frames=20)
    conditions = CaptureConditions.random(rng, leds=station_leds(rng), defocus=defocus, motion_blur=0.0)
    eye = EyeIdentity.from_seed(777_002, "L")
    return schedule, capture_bona_fide_sequence(eye, schedule, conditions, rng)


@pytest.mark.slow
def test_a_live_eye_out_of_focus_is_refused_as_blurred_but_live_if_sharp():
    # Defocus 1.9 px: more than twice what the station's autofocus leaves; reflection blur 2.43 px, past
    # the ceiling (2.35 since stop 41). Much further out the texture of a live iris is a grey veil the CNN
    # may take for a lens, and a lens print's texture rises with the blur, which is why blurred captures
    # are not judged; "hold still" is promised only where the blur alone spoke.
    schedule, frames = _out_of_focus_live_eye(1.9)
    result = assess(frames, schedule)
    assert result.blurred and not result.is_live and result.blur_px > 2.35, result
    assert result.live_if_sharp  # nothing but the blur spoke against it: the station says "hold still"


@pytest.mark.slow
def test_a_live_eye_a_little_out_of_focus_is_judged_in_the_blur_zone_and_accepted():
    # Defocus 1.7 px: reflection blur 2.29 px, inside the blur zone (2.2485-2.35 px), refused as blurred
    # until stop 41. Its iris texture is plainly live (CNN ~6, well above the zone's stricter threshold).
    schedule, frames = _out_of_focus_live_eye(1.7)
    result = assess(frames, schedule)
    zone = default_fusion().blur_penalty
    assert zone is not None and zone["from_px"] < result.blur_px < default_fusion().blur_ceiling_px, result
    assert result.is_live and not result.blurred and not result.live_if_sharp, result


@pytest.mark.slow
def test_bona_fide_is_accepted_at_the_goal_rate():
    # BPCER is ~1.6% on the held-out split: one fixed live eye refused proves nothing either way,
    # so a sample is held to the rate (at 2% BPCER, 9 or more of 10 is the outcome 98% of the time).
    accepted = 0
    for i in range(BONA_FIDE_SAMPLE):
        p = presentation("heldout", "bona_fide", TEST_INDEX + i)
        result = assess(p.frames, p.schedule)
        accepted += result.is_live
        assert 0.0 <= result.score <= 1.0 and result.is_live == (result.score >= result.threshold)
        assert not result.blurred, result  # the station's camera keeps live eyes in focus
    assert accepted >= BONA_FIDE_MIN_ACCEPTED, f"only {accepted} of {BONA_FIDE_SAMPLE} live eyes accepted"


@pytest.mark.slow
def test_a_sequence_that_ignores_the_light_step_is_rejected():
    # A live-looking eye filmed under constant light, presented as if the station had stepped it:
    # neither the pupil nor the brightness answers the claimed step.
    rng = np.random.default_rng(17)
    claimed = IlluminationSchedule.step(n_frames=20, step_frame=4)
    constant = IlluminationSchedule(claimed.times_s, (1.0,) * 20)
    conditions = CaptureConditions.random(rng, leds=station_leds(rng))
    frames = capture_bona_fide_sequence(EyeIdentity.from_seed(777_001, "R"), constant, conditions, rng)
    result = assess(frames, claimed)
    assert not result.is_live
    assert {"pupil_reflex", "illumination_response"} <= set(result.fired)


@pytest.mark.slow
def test_frames_as_a_list_give_the_same_result_as_a_stack():
    p = presentation("heldout", "print", TEST_INDEX + 2)
    a, b = assess(p.frames, p.schedule), assess(list(p.frames), p.schedule)
    assert a == b
