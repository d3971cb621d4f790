"""The probe the station sends: the eye(s) the deployment's uniqueness service stores.

One eye: the template just made. Both eyes: the capture source must be binocular (it offers
`other_eye()`, a second sensor on the same face under the same illuminator; the synthetic camera
does); the other eye goes through the same capture schedule, quality gate and liveness check as
the first, since the both-eye rule (uniqueness/decision_rule.py) would otherwise let a returning
person pass with their own live eye beside a printed stranger's. Its frames are dropped as soon as
its template exists; the templates are only ever sent sealed to the service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from enrollment.iris import IrisTemplate
from hardware.capture import CaptureSource, Illuminator

from . import stages
from .steps import RefusedStepError, StepResult


def probe_of(
    eyes: tuple[str, ...],
    template: IrisTemplate,
    source: CaptureSource,
    illuminator: Illuminator,
    levels: Sequence[float],
    params: stages.StageParams,
    steps: list,
) -> dict[str, IrisTemplate]:
    """{eye: template} for the service's `eyes`; refuses (template step) when the camera shows one eye
    and the deployment needs two, and (quality / liveness step, "other eye: ...") when the other eye
    does not pass. `steps` is the flow's step list (the other eye's checks are not separate steps)."""
    if len(eyes) == 1:
        return {eyes[0]: template}
    first = getattr(source, "eye", None)
    other_source = getattr(source, "other_eye", None)
    if first not in eyes or other_source is None:
        raise RefusedStepError(
            StepResult("template", False, "this deployment needs both eyes: use the binocular camera")
        )
    other = other_source()
    try:
        _, cap = stages.capture(other, illuminator, levels)
        try:
            quality, made, other_template = _checked(
                lambda: stages.quality_and_template(cap.frames, params.pipeline)
            )
            live = _checked(lambda: stages.liveness(cap))
        finally:
            cap.frames.clear()  # biometric: the raw images go as soon as the template exists
    finally:
        other.close()
    _add_time(steps, {"quality": quality.seconds, "liveness": live.seconds, "template": made.seconds})
    return {first: template, next(e for e in eyes if e != first): other_template}


def _add_time(steps: list, seconds: dict[str, float]) -> None:
    """Count the other eye's work in the steps already reported (their `eyes` detail says 2)."""
    for n, step in enumerate(steps):
        if step.step in seconds:
            detail = {**step.detail, "eyes": 2}
            list.__setitem__(
                steps, n, replace(step, seconds=step.seconds + seconds[step.step], detail=detail)
            )


def _checked(run):
    try:
        return run()
    except RefusedStepError as refusal:
        r = refusal.result
        raise RefusedStepError(
            StepResult(r.step, False, f"other eye: {r.reason}", r.detail, r.seconds)
        ) from refusal
