"""Bad input to liveness.assess gets a clear LivenessError before any work is done."""

from __future__ import annotations

import numpy as np
import pytest

from hardware.illumination import IlluminationSchedule
from liveness import LivenessError, assess

SCHEDULE = IlluminationSchedule.step(n_frames=4, step_frame=2)


def frames(n=4, shape=(480, 640), dtype=np.uint8):
    return np.zeros((n, *shape), dtype)


@pytest.mark.parametrize(
    ("stack", "message"),
    [
        (frames(shape=(240, 320)), "480, 640"),
        (frames(dtype=np.float32), "uint8"),
        (frames(dtype=np.uint16), "uint8"),
        (frames(n=0), "empty"),
        ([], "empty"),
        (frames(n=3), "schedule has 4"),
        (frames(n=5), "schedule has 4"),
        (np.zeros((480, 640), np.uint8), "sequence"),
        (np.zeros((4, 480, 640, 3), np.uint8), "shape"),
        ([np.zeros((480, 640), np.uint8)] * 3 + [np.zeros((480, 641), np.uint8)], "frame 3"),
        ([np.zeros((480, 640), np.uint8)] * 3 + ["not a frame"], "frame 3"),
    ],
)
def test_bad_frames_are_refused_with_a_clear_message(stack, message):
    with pytest.raises(LivenessError, match=message):
        assess(stack, SCHEDULE)


def test_a_schedule_of_the_wrong_type_is_refused():
    with pytest.raises(LivenessError, match="IlluminationSchedule"):
        assess(frames(), [0.7, 0.7, 1.3, 1.3])


def test_liveness_error_is_a_value_error_and_a_personhood_error():
    from zk_identity.errors import PersonhoodError

    assert issubclass(LivenessError, ValueError) and issubclass(LivenessError, PersonhoodError)
