"""The demo's enrollment phase: every person goes through the real station pipeline (capture under an
illuminator step, quality, liveness, template, 1:N gallery, commitment, device-signed EIP-712
attestation, PersonhoodRegistry.enroll); the returning person and the attacker are refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from enrollment.station import Station
from enrollment.station_chain import ChainPort
from enrollment.station_steps import EnrollmentOutcome
from hardware.capture import StepIlluminator
from zk_identity import Identity

from .local_chain import DemoChain
from .people import RETURN_VISIT, Cast, Person
from .printed_iris import PrintedIrisSource

MAX_ATTEMPTS = 4  # a live person refused by capture, quality or liveness looks again (operator's retry)
RETRY_STEPS = ("capture", "quality", "liveness")
PRINT_SEED = 4  # a print sharp enough to pass the quality gate, so that liveness is what refuses it
Report = Callable[[str], None]


@dataclass(frozen=True)
class Enrollments:
    """Who is in the registry after the phase, and how the two refusals came out."""

    enrolled: tuple[Person, ...]
    duplicate: EnrollmentOutcome
    spoof: EnrollmentOutcome
    retries: int  # captures of live people refused by capture, quality or liveness and tried again
    not_enrolled: tuple[str, ...]  # live people still refused after MAX_ATTEMPTS

    @property
    def duplicate_refused(self) -> bool:
        """The returning person was refused by the 1:N uniqueness step."""
        return _refused_at(self.duplicate, "uniqueness")

    @property
    def spoof_refused(self) -> bool:
        """The printed iris was refused by the liveness step."""
        return _refused_at(self.spoof, "liveness")


def _refused_at(outcome: EnrollmentOutcome, step: str) -> bool:
    failed = outcome.failed_step
    return outcome.outcome == "refused" and failed is not None and failed.step == step


def _describe(outcome: EnrollmentOutcome) -> str:
    if outcome.enrolled:
        seconds = sum(s.seconds for s in outcome.steps)
        return f"enrolled as leaf {outcome.leaf_index} ({len(outcome.steps)} steps, {seconds:.1f} s)"
    failed = outcome.failed_step
    return f"REFUSED at {failed.step if failed else '?'}: {outcome.reason}"


def enroll_with_retries(
    station: Station, person: Person, commitment: int, label: str, report: Report, first_visit: int = 0
) -> tuple[EnrollmentOutcome, int]:
    """Enroll a live person for `commitment`, letting them look again (a new capture) after a refusal
    by capture, quality or liveness, at most MAX_ATTEMPTS captures; (last outcome, retries)."""
    for attempt in range(MAX_ATTEMPTS):
        outcome = station.enroll(*person.eye(visit=first_visit + attempt), commitment)
        tag = f" (attempt {attempt + 1})" if attempt else ""
        report(f"  {label}{tag}: {_describe(outcome)}")
        failed = outcome.failed_step
        if outcome.enrolled or failed is None or failed.step not in RETRY_STEPS:
            return outcome, attempt
    return outcome, MAX_ATTEMPTS - 1


def enroll_everyone(demo: DemoChain, cast: Cast, station_dir: Path, report: Report) -> Enrollments:
    """Run the station over the cast; return who enrolled and the two refusals."""
    station = Station.open(station_dir, demo.device, ChainPort(demo.chain.registry, demo.station_relay))
    try:
        enrolled, not_enrolled, retries = [], [], 0
        for person in cast.honest:
            label = f"{person.name} (synthetic eyes #{person.subject})"
            outcome, retried = enroll_with_retries(station, person, person.identity.commitment, label, report)
            retries += retried
            (enrolled if outcome.enrolled else not_enrolled).append(person)
        returning = cast.returning
        label = f"{returning.name} again, with a new identity"  # the same eyes, another day
        duplicate, retried = enroll_with_retries(
            station, returning, Identity().commitment, label, report, first_visit=RETURN_VISIT
        )
        retries += retried
        attacker = cast.attacker
        light = StepIlluminator()  # the station's own light falls on the print
        source = PrintedIrisSource(light, PRINT_SEED, station.params.stages.n_frames)
        spoof = station.enroll(source, light, attacker.identity.commitment)
        report(f"  {attacker.name} holds up a printed iris photo: {_describe(spoof)}")
        names = tuple(p.name for p in not_enrolled)
        return Enrollments(tuple(enrolled), duplicate, spoof, retries, names)
    finally:
        station.close()
