"""The micro-motion cue: the pupil's displacement relative to the face, on an eye image moved by
known amounts (a rigid presentation on a shaking hand) and with a pupil moving inside it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from liveness.micro_motion import FLOOR_PX, FRAME_STEP, face_shift, micro_motion_score, relative_motion
from liveness.pupil_finder import PupilObservation, find_pupil
from simulation.synthetic_eye import CaptureConditions, EyeIdentity, render_eye


def _rigid_sequence(seed: int, n: int = 20, sway_px: float = 0.7):
    """One rendered eye translated as a whole by a random walk (sub-pixel): what a print, a screen
    or a doll on a shaking hand gives. Returns the frames, the true shifts and the pupil of each
    frame moved with the image."""
    rng = np.random.default_rng(seed)
    image = render_eye(EyeIdentity.from_seed(40 + seed, "L"), CaptureConditions.random(rng))
    pupil = find_pupil(image)
    assert pupil.found
    shifts = np.cumsum(rng.normal(0.0, sway_px, (n, 2)), axis=0)
    shifts -= shifts[0]
    frames = np.stack(
        [
            cv2.warpAffine(
                image, np.float32([[1, 0, dx], [0, 1, dy]]), (640, 480), borderMode=cv2.BORDER_REFLECT
            )
            for dx, dy in shifts
        ]
    )
    observations = tuple(
        PupilObservation(pupil.x + dx, pupil.y + dy, pupil.radius, True) for dx, dy in shifts
    )
    return frames, shifts, observations


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_a_rigidly_moving_eye_shows_little_motion_inside_the_face(seed):
    # OpenCV windows phaseCorrelate's inputs in place: fed the reference itself, every later frame
    # was compared with a reference windowed once more, and the shifts drifted: on seeds 0 and 2
    # the rms came out at 0.67 and 0.46 px (now 0.31 and 0.17; the method's own error on these
    # warped renders is up to ~0.4 px); over all 20 frames, seed 0's was 2.0 px, as alive as a
    # live eye.
    frames, _, observations = _rigid_sequence(seed)
    d = relative_motion(frames, observations)
    assert d.shape == (10, 2)  # every other frame
    assert np.sqrt(np.mean(np.sum(d**2, axis=1))) < 0.45
    assert micro_motion_score(frames, observations) < np.log10(0.45)


def test_the_face_shift_is_measured_and_leaves_its_inputs_alone():
    frames, shifts, _ = _rigid_sequence(7)
    a = cv2.resize(frames[0], None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA).astype(np.float32)
    b = cv2.resize(frames[9], None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA).astype(np.float32)
    a0, b0 = a.copy(), b.copy()
    window = cv2.createHanningWindow((320, 240), cv2.CV_32F)
    dx, dy = face_shift(a, b, window)
    assert np.array_equal(a, a0) and np.array_equal(b, b0)
    assert abs(2 * dx - shifts[9, 0]) < 0.5 and abs(2 * dy - shifts[9, 1]) < 0.5  # ~5 px moved
    assert face_shift(a, b, window) == (dx, dy)  # the same answer twice: nothing was changed


def test_a_pupil_moving_inside_the_rigid_face_is_measured():
    frames, _, observations = _rigid_sequence(1)
    rng = np.random.default_rng(5)
    inside = rng.normal(0.0, 1.0, (20, 2))  # the pupil moves 1 px (rms per axis) relative to the face
    moved = tuple(
        PupilObservation(o.x + ex, o.y + ey, o.radius, True)
        for o, (ex, ey) in zip(observations, inside, strict=True)
    )
    d = relative_motion(frames, moved)
    seen = inside[::FRAME_STEP]
    np.testing.assert_allclose(d - d[0], seen - seen[0], atol=0.3)
    expected = np.sqrt(np.mean(np.sum((seen - np.median(seen, axis=0)) ** 2, axis=1)))
    assert micro_motion_score(frames, moved) == pytest.approx(np.log10(expected), abs=0.1)


def test_fewer_than_three_pupils_score_the_floor():
    frames, _, observations = _rigid_sequence(2, n=5)
    lost = PupilObservation(float("nan"), float("nan"), float("nan"), False)
    two = observations[:2] + (lost,) * 3
    assert micro_motion_score(frames, two) == pytest.approx(np.log10(FLOOR_PX))
