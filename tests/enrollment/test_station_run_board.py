"""What the operator page polls while an enrollment runs: the step in progress (k of N) and the capture's
frames, counted as the (synthetic, binocular) camera delivers them."""

from __future__ import annotations

from enrollment.station.steps import STEPS, StepResult
from enrollment.station.ui.run_board import ProgressSource, RunBoard
from hardware.capture import CaptureSource, StepIlluminator
from simulation.synthetic_camera import SyntheticEyeCamera


def test_the_board_follows_a_two_eye_enrollment_from_capture_to_outcome() -> None:
    board = RunBoard(frames_per_eye=20, eyes=2)
    idle = board.view()
    assert idle["state"] == "idle" and idle["current"] is None and idle["total"] == len(STEPS) == 9

    assert board.begin({"ok": True, "commitment": "5"}, {"device": "active"}) == 1
    assert board.begin({"ok": True, "commitment": "6"}, {"device": "active"}) is None  # busy
    assert board.running
    view = board.view()
    assert view["current"] == {"index": 1, "name": "capture", "label": view["current"]["label"]}
    assert view["capture"] is None  # no frame yet

    illuminator = StepIlluminator()
    source = ProgressSource(SyntheticEyeCamera(3, "L", seed=0, illuminator=illuminator), board.frame)
    for _ in range(5):
        assert source.read() is not None
    view = board.view()
    assert view["current"]["index"] == 1
    assert view["capture"] == {"eye": 1, "eyes": 2, "frames": 5, "of": 20}

    for name in ("capture", "quality", "liveness", "template"):
        board.step(StepResult(name, True, "fine"))
    view = board.view()
    assert view["current"]["index"] == 5 and view["current"]["name"] == "uniqueness"
    assert view["capture"] is None  # the first eye's capture is over (5 frames were read here)

    assert source.eye == "L"
    other = source.other_eye()  # the flow's second eye (station_eyes.py), counted as eye 2
    assert isinstance(other, ProgressSource) and other.eye == "R"
    for _ in range(3):
        other.read()
    view = board.view()
    assert view["capture"] == {"eye": 2, "eyes": 2, "frames": 3, "of": 20}
    assert "other eye" in view["current"]["label"]
    other.close()
    source.close()

    board.step(StepResult("uniqueness", False, "already enrolled"))
    board.finish({"outcome": "refused", "reason": "already enrolled", "steps": []})
    done = board.view()
    assert done["state"] == "done" and done["current"] is None and done["capture"] is None
    assert [s["step"] for s in done["steps"]] == ["capture", "quality", "liveness", "template", "uniqueness"]
    assert not board.running
    assert board.begin({"ok": True, "commitment": "7"}, {"device": "active"}) == 2
    assert board.view()["steps"] == [] and board.view()["run"] == 2  # a new person: the last one's steps go


def test_a_one_eye_source_offers_no_other_eye() -> None:
    board = RunBoard(frames_per_eye=20, eyes=1)

    class OneEye(CaptureSource):  # an empty monocular source (a video file that ended, say)
        source_id = "test:one-eye"

        def read(self):
            return None

        def close(self) -> None:
            pass

    source = ProgressSource(OneEye(), board.frame)
    assert getattr(source, "other_eye", None) is None and getattr(source, "eye", None) is None
    assert source.read() is None and board.view()["capture"] is None
    assert source.source_id == "test:one-eye"
