"""The station's biometric stages: capture under an illuminator step, quality gate, liveness,
template, 1:N uniqueness. Each returns a `StepResult` (and its value) or raises `RefusedStepError`.

Frames live only in the caller's list; what leaves these functions is hashes, scores, a template
(which goes straight into the encrypted gallery) and person-readable reasons.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from enrollment.gallery.decision import DEFAULT_MAX_FALSE_DUPLICATES
from enrollment.iris import IrisTemplate, PipelineParams, QualityError, encode_graded
from enrollment.iris.image_input import as_gray
from enrollment.iris.quality import assess as assess_quality
from enrollment.iris.segment import segment
from hardware.attestation import frame_sha256
from hardware.capture import CaptureSource, Illuminator
from hardware.errors import CaptureError
from hardware.illumination import IlluminationSchedule, ScheduleError
from hardware.signed_json import canonical_json
from liveness import LivenessError, assess
from liveness import model_versions as liveness_model_versions

from .steps import RefusedStepError, StepResult, liveness_advice, quality_advice
from .uniqueness_port import UniquenessPort, UniquenessRefusedError

DEFAULT_FRAMES = 20  # 1 s at 20 fps: the pupil reflex's latency plus most of its constriction
STEP_FRAMES = (2, 7)  # the step comes at an unpredictable frame in [2, 7): a replay cannot know when
SERVICE_REFUSALS = {
    "device_not_active": "this station is not authorized to enroll (device unknown or revoked)",
    "stale_request": "this station's clock is off: the uniqueness service refused the request",
}


@dataclass(frozen=True)
class StageParams:
    """Parameters of the biometric stages (frames per capture, iris pipeline, dedup target)."""

    n_frames: int = DEFAULT_FRAMES
    pipeline: PipelineParams = field(default_factory=PipelineParams)
    max_false_duplicates: float = DEFAULT_MAX_FALSE_DUPLICATES

    def __post_init__(self) -> None:
        if not STEP_FRAMES[1] < self.n_frames <= 200:
            raise ValueError(f"n_frames must be in ({STEP_FRAMES[1]}, 200]")


LevelsFactory = Callable[[Illuminator, int], tuple[float, ...]]


def random_step_levels(illuminator: Illuminator, n_frames: int) -> tuple[float, ...]:
    """One step up from the level below nominal to the level above, at a random frame."""
    steps = illuminator.steps
    below = [s for s in steps if s < 1.0] or [steps[0]]
    above = [s for s in steps if s > 1.0] or [steps[-1]]
    low, high = below[-1], above[0]
    at = STEP_FRAMES[0] + secrets.randbelow(STEP_FRAMES[1] - STEP_FRAMES[0])
    return tuple(low if i < at else high for i in range(n_frames))


@dataclass(frozen=True, eq=False)
class Capture:
    """A capture sequence: frames (biometric: drop after use), their hashes and the schedule."""

    frames: list[np.ndarray]
    frames_sha256: tuple[str, ...]
    schedule: IlluminationSchedule
    source_id: str


def capture(
    source: CaptureSource, illuminator: Illuminator, levels: Sequence[float]
) -> tuple[StepResult, Capture]:
    """Read one frame per level, commanding the illuminator before each."""
    started = time.perf_counter()
    frames, times = [], []
    try:
        for level in levels:
            illuminator.set_level(level)
            frame = source.read()
            if frame is None:
                raise CaptureError("the camera stopped delivering frames")
            frames.append(frame.image)
            times.append(frame.timestamp_s)
        schedule = IlluminationSchedule(tuple(times), tuple(levels))
    except (CaptureError, ScheduleError) as e:
        raise RefusedStepError(StepResult("capture", False, f"camera problem: {e}")) from e
    hashes = tuple(frame_sha256(f) for f in frames)
    result = StepResult(
        "capture",
        True,
        f"{len(frames)} frames captured",
        {"frames": len(frames), "step_frame": levels.index(levels[-1])},
        time.perf_counter() - started,
    )
    return result, Capture(frames, hashes, schedule, source.source_id)


def quality_and_template(
    frames: Sequence[np.ndarray], params: PipelineParams
) -> tuple[StepResult, StepResult, IrisTemplate]:
    """The template of the first frame that passes the quality gate and encodes.

    Returns the quality step's result, the template step's result and the template; refuses
    (quality step) with advice for the person when no frame qualifies.
    """
    quality_s = template_s = 0.0
    reasons: tuple[str, ...] = ()
    for index, image in enumerate(frames):
        started = time.perf_counter()
        try:
            gray = as_gray(image)
            seg = segment(gray, params.segmentation)
            report = assess_quality(gray, seg, params.quality)
        except QualityError as e:
            reasons = e.reasons
            continue
        finally:
            quality_s += time.perf_counter() - started
        if not report.accepted:
            reasons = report.reasons
            continue
        started = time.perf_counter()
        try:
            made = encode_graded(gray, seg, report, params).template  # segmented and graded once
        except QualityError as e:  # e.g. too few usable code bits: try the next frame
            reasons = e.reasons
            continue
        finally:
            template_s += time.perf_counter() - started
        quality = StepResult(
            "quality",
            True,
            "good image",
            {"frame": index, "usable_area": round(report.usable_area, 3)},
            quality_s,
        )
        return (
            quality,
            StepResult("template", True, "template made", {"usable_bits": made.usable_bits}, template_s),
            made,
        )
    raise RefusedStepError(
        StepResult(
            "quality", False, quality_advice(reasons), {"frames_tried": len(frames)}, quality_s + template_s
        )
    )


def liveness(capture_: Capture) -> StepResult:
    """Presentation-attack detection on the whole sequence; refuses when not live."""
    started = time.perf_counter()
    try:
        result = assess(np.stack(capture_.frames), capture_.schedule)
    except LivenessError as e:
        raise RefusedStepError(StepResult("liveness", False, f"liveness could not be measured: {e}")) from e
    detail = {
        "score": round(result.score, 4),
        "threshold": result.threshold,
        "cues_fired": list(result.fired),
        "blurred": result.blurred,
        "live_if_sharp": result.live_if_sharp,
    }
    seconds = time.perf_counter() - started
    if not result.is_live:
        advice = liveness_advice(result.fired, result.live_if_sharp)
        raise RefusedStepError(StepResult("liveness", False, advice, detail, seconds))
    return StepResult("liveness", True, "live eye", detail, seconds)


def uniqueness(
    service: UniquenessPort,
    reservation: str,
    probe: Mapping[str, IrisTemplate],
    commitment: int,
    deadline: int,
) -> tuple[StepResult, str]:
    """Search-and-reserve at the deployment's uniqueness service; returns the step and the SHA-256 of
    the service's signed decision (for the audit log). Refuses a duplicate as 'already enrolled' and a
    refused request with its reason. UniquenessUnavailableError propagates."""
    started = time.perf_counter()
    try:
        answer = service.reserve(reservation, probe, commitment, deadline)
    except UniquenessRefusedError as e:
        reason = SERVICE_REFUSALS.get(e.code, f"the uniqueness service refused the request ({e.code})")
        raise RefusedStepError(
            StepResult("uniqueness", False, reason, {"error": e.code}, time.perf_counter() - started)
        ) from e
    detail = {"searched": answer.searched, "threshold": round(answer.threshold, 4), "eyes": len(probe)}
    seconds = time.perf_counter() - started
    if not answer.unique:
        raise RefusedStepError(StepResult("uniqueness", False, "already enrolled", detail, seconds))
    decision_sha256 = hashlib.sha256(canonical_json(dict(answer.decision))).hexdigest()
    return StepResult("uniqueness", True, "not enrolled before", detail, seconds), decision_sha256


def model_versions(params: PipelineParams) -> dict[str, str]:
    """Name → version of every model a decision depends on (file hashes; recorded in manifests)."""
    versions = {"iris-gabor": hashlib.sha256(repr(params.encoder).encode()).hexdigest()[:16]}
    versions.update(liveness_model_versions())
    return versions
