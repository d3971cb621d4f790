"""The current enrollment as the operator page sees it: its state, the step in progress (k of N), the
capture's frames so far, the finished steps, the outcome, and today's counters.

The page polls `GET /v1/enrollments/current`, which answers `RunBoard.view()`:

    {"state": "idle" | "running" | "done", "run": 3, "total": 9,
     "current": {"index": 1, "name": "capture", "label": "Capturing the eye"} | null,
     "capture": {"eye": 1, "eyes": 1, "frames": 12, "of": 20} | null,
     "steps": [StepResult.as_dict(), ...], "outcome": {...} | null,
     "possession": {"ok": true, "commitment": "..."} | null,
     "checks": {"device": "active", "commitment_on_chain": false} | null}

`ProgressSource` wraps the capture source of one enrollment and counts the frames it delivers, so the
capture's progress shows while it runs (nothing of the frames themselves is kept or reported).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from enrollment.station.steps import STEPS, StepResult
from hardware.capture import CaptureSource, Frame

STEP_LABELS = {
    "capture": "Capturing the eye under the illuminator step",
    "quality": "Checking image quality",
    "liveness": "Checking that the eye is live",
    "template": "Making the iris template",
    "uniqueness": "Checking uniqueness (1:N at the uniqueness service)",
    "commitment": "Checking the identity commitment on chain",
    "attestation": "Signing the attestation and capture manifest",
    "chain": "Adding the identity to the registry",
    "record": "Recording the enrollment",
}
assert tuple(STEP_LABELS) == STEPS, "a label for every station step, in order"


def today() -> str:
    """The UTC day the counters are for (YYYY-MM-DD)."""
    return datetime.now(UTC).strftime("%Y-%m-%d")


class RunBoard:
    """One enrollment at a time (run in a background thread) and today's counters; thread-safe."""

    def __init__(self, frames_per_eye: int, eyes: int) -> None:
        self.lock = threading.Lock()
        self._frames_per_eye, self._eyes = frames_per_eye, eyes
        self._run: dict[str, object] = {"state": "idle", "steps": [], "outcome": None, "possession": None}
        self._capture: dict[str, int] | None = None  # the capture under way: eye, eyes, frames, of
        self._capture_over = False
        self.counters: Counter[str] = Counter()
        self.day = today()
        self.visits = 0

    def count(self, key: str) -> None:
        """Add one to today's counter `key` (the counters restart each UTC day)."""
        with self.lock:
            if self.day != today():
                self.day, self.counters = today(), Counter()
            self.counters[key] += 1

    @property
    def running(self) -> bool:
        """True while an enrollment runs (Start is refused as busy)."""
        with self.lock:
            return self._run["state"] == "running"

    def begin(self, possession: dict[str, object], checks: dict[str, object]) -> int | None:
        """Mark a new enrollment running (a new person: the last one's steps and result go); its visit
        number, or None when one is already running."""
        with self.lock:
            if self._run["state"] == "running":
                return None
            self.visits += 1
            self._run = {
                "state": "running",
                "steps": [],
                "outcome": None,
                "possession": possession,
                "checks": checks,
            }
            self._capture, self._capture_over = None, False
            return self.visits

    def frame(self, eye: int) -> None:
        """One more frame delivered by the camera of `eye` (1-based)."""
        with self.lock:
            if self._capture is None or self._capture["eye"] != eye:
                self._capture = {"eye": eye, "eyes": self._eyes, "frames": 0, "of": self._frames_per_eye}
                self._capture_over = False
            self._capture["frames"] += 1

    def step(self, result: StepResult) -> None:
        """A step finished (the flow's `on_step`)."""
        with self.lock:
            self._run["steps"].append(result.as_dict())  # type: ignore[union-attr]
            self._capture_over = True  # a step ended: the frames read so far were the whole capture

    def finish(self, outcome: dict[str, object]) -> None:
        """The run ended: `outcome` is EnrollmentOutcome.as_dict() or {"outcome": "error", "reason"}."""
        with self.lock:
            steps = outcome.get("steps") or self._run["steps"]
            self._run = {**self._run, "state": "done", "steps": steps, "outcome": outcome}

    def _capturing(self) -> bool:
        c = self._capture
        return c is not None and not self._capture_over and c["frames"] < c["of"]

    def view(self) -> dict[str, object]:
        """The JSON the page polls (see the module docstring)."""
        with self.lock:
            run = dict(self._run)
            run["steps"] = list(run["steps"])  # type: ignore[call-overload]
            capture = dict(self._capture) if self._capturing() else None
            run.setdefault("checks", None)
            run.update(run=self.visits, total=len(STEPS), current=None, capture=None)
            if run["state"] != "running":
                return run
        finished = [s["step"] for s in run["steps"]]  # type: ignore[union-attr, index]
        index = max((STEPS.index(s) for s in finished), default=-1) + 1
        name = STEPS[min(index, len(STEPS) - 1)]
        label = STEP_LABELS[name]
        if capture is not None and capture["eye"] > 1:
            label = f"Capturing the other eye (eye {capture['eye']} of {capture['eyes']})"
        run["current"] = {"index": min(index, len(STEPS) - 1) + 1, "name": name, "label": label}
        run["capture"] = capture
        return run


class ProgressSource(CaptureSource):
    """A capture source that reports each delivered frame to `on_frame(eye)`; reads, closes and
    identifies itself as the source it wraps (a binocular source's other eye is wrapped too)."""

    def __init__(self, inner: CaptureSource, on_frame: Callable[[int], None], eye: int = 1) -> None:
        self._inner, self._on_frame, self._eye = inner, on_frame, eye
        self.source_id = inner.source_id

    def read(self) -> Frame | None:
        frame = self._inner.read()
        if frame is not None:
            self._on_frame(self._eye)
        return frame

    def close(self) -> None:
        self._inner.close()

    def __getattr__(self, name: str) -> object:
        # The flow asks a binocular source for `eye` and `other_eye()` (station_eyes.py).
        if name == "eye":
            return self._inner.eye  # type: ignore[attr-defined]
        if name == "other_eye" and hasattr(self._inner, "other_eye"):
            return lambda: ProgressSource(self._inner.other_eye(), self._on_frame, self._eye + 1)
        raise AttributeError(name)
