"""The demo's enrollment phase: every person goes through the real station pipeline (capture under an
illuminator step, quality, liveness, template, search-and-reserve at the deployment's uniqueness
service, commitment, device-signed EIP-712 attestation, PersonhoodRegistry.enroll, commit); people
are spread over the stations; the returning person comes back at a different station than their
first enrollment and is refused, and so is the attacker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from enrollment.station import Station
from enrollment.station.steps import EnrollmentOutcome
from hardware.capture import StepIlluminator
from zk_identity import Identity

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
    stations: int = 1
    cross_station: bool = False  # the returning person came back at another station than their first

    @property
    def cross_station_duplicates_refused(self) -> int:
        """1 when the returning person was refused at a station other than where they enrolled."""
        return int(self.cross_station and self.duplicate_refused)

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


def enroll_everyone(stations: Sequence[Station], cast: Cast, report: Report) -> Enrollments:
    """Run the stations over the cast (person i at station i mod N); return who enrolled and the two
    refusals. The returning person tries the station after the one that enrolled them."""
    enrolled, not_enrolled, retries = [], [], 0
    for i, person in enumerate(cast.honest):
        station = stations[i % len(stations)]
        label = f"{person.name} (synthetic eyes #{person.subject}) at station {i % len(stations) + 1}"
        outcome, retried = enroll_with_retries(station, person, person.identity.commitment, label, report)
        retries += retried
        (enrolled if outcome.enrolled else not_enrolled).append(person)
    returning = cast.returning
    first = cast.honest.index(returning) % len(stations)
    back = (first + 1) % len(stations)
    label = f"{returning.name} again, with a new identity, at station {back + 1}"  # another day, elsewhere
    duplicate, retried = enroll_with_retries(
        stations[back], returning, Identity().commitment, label, report, first_visit=RETURN_VISIT
    )
    retries += retried
    attacker = cast.attacker
    station = stations[-1]
    light = StepIlluminator()  # the station's own light falls on the print
    source = PrintedIrisSource(light, PRINT_SEED, station.params.stages.n_frames)
    spoof = station.enroll(source, light, attacker.identity.commitment)
    report(f"  {attacker.name} holds up a printed iris photo: {_describe(spoof)}")
    names = tuple(p.name for p in not_enrolled)
    return Enrollments(tuple(enrolled), duplicate, spoof, retries, names, len(stations), back != first)
