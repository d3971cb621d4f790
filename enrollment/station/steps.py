"""What each step of an enrollment found, in words a person at the station understands.

The station reports every step (capture, quality, liveness, template, uniqueness, commitment,
attestation, chain, record) as a `StepResult`: passed or not, a short reason for the person and
the operator ("eyes closed", "move closer", "presentation attack suspected", "already enrolled"),
and a few non-biometric numbers (scores, counts, durations). Nothing here may hold an image, a
template or a mask: results are shown in the UI and written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from zk_identity.errors import PersonhoodError

# The errors live in enrollment/errors.py; the UI imports these two from here.
from ..errors import StationError as StationError
from ..errors import StationInputError as StationInputError

STEPS = (
    "capture",
    "quality",
    "liveness",
    "template",
    "uniqueness",
    "commitment",
    "attestation",
    "chain",
    "record",
)
OUTCOMES = ("enrolled", "refused", "error")

# The quality gate's technical reasons (enrollment/iris/quality.py) → what the person should do.
QUALITY_ADVICE = (
    ("usable iris area", "eyes closed or half closed: open your eyes wide"),
    ("usable code bits", "eyes half closed or lashes in the way: open your eyes wide"),
    ("iris radius", "move closer to the camera"),
    ("out of focus", "hold still: the image is blurred"),
    ("gaze", "look straight into the camera"),
    ("leaves the frame", "move to the centre of the frame"),
    ("too dilated", "the light is too dim: wait a moment"),
    ("too constricted", "the light is too bright: wait a moment"),
    ("contrast", "the lighting is poor: check the illuminator"),
    ("no pupil", "no eye found: look into the camera"),
    ("no iris", "no eye found: look into the camera"),
)


@dataclass(frozen=True)
class StepResult:
    """One step's result: `ok`, a person-readable `reason`, and non-biometric `detail` numbers."""

    step: str
    ok: bool
    reason: str
    detail: Mapping[str, object] = field(default_factory=dict)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.step not in STEPS:
            raise ValueError(f"unknown station step {self.step!r}")
        object.__setattr__(self, "detail", dict(self.detail))

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (what the UI shows)."""
        return {
            "step": self.step,
            "ok": self.ok,
            "reason": self.reason,
            "detail": dict(self.detail),
            "seconds": round(self.seconds, 4),
        }


@dataclass(frozen=True)
class EnrollmentOutcome:
    """How one enrollment ended: `outcome` is enrolled, refused or error; `steps` in order."""

    enrollment_id: str
    outcome: str
    reason: str
    steps: tuple[StepResult, ...]
    leaf_index: int | None = None
    tx_hash: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}")

    @property
    def enrolled(self) -> bool:
        """True when the person's commitment joined the registry."""
        return self.outcome == "enrolled"

    @property
    def failed_step(self) -> StepResult | None:
        """The step that refused (None when enrolled)."""
        return next((s for s in self.steps if not s.ok), None)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (the UI and `personhood station enroll --json`)."""
        return {
            "enrollment_id": self.enrollment_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "leaf_index": self.leaf_index,
            "tx_hash": self.tx_hash,
            "steps": [s.as_dict() for s in self.steps],
        }


class RefusedStepError(PersonhoodError):
    """Raised inside the flow when a step refuses; carries its `StepResult`."""

    def __init__(self, result: StepResult) -> None:
        self.result = result
        super().__init__(f"{result.step}: {result.reason}")


def quality_advice(reasons: tuple[str, ...]) -> str:
    """The person-readable advice for the quality gate's technical reasons (first match wins)."""
    for reason in reasons:
        for needle, advice in QUALITY_ADVICE:
            if needle in reason:
                return advice
    return "the image is not good enough: look into the camera and hold still"


def liveness_advice(fired: tuple[str, ...], blurred: bool = False) -> str:
    """What to say when liveness refuses: never which cue to defeat, only that it was refused, or,
    when blur alone refused a capture that otherwise looked live (`blurred`), to hold still (a live
    person then simply tries again)."""
    if blurred:
        return "hold still and look into the camera: the capture was blurred"
    return "presentation attack suspected" + (f" ({len(fired)} cue(s) fired)" if fired else "")
