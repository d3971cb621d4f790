"""The demo's synthetic people: each has a pair of synthetic eyes (a subject of the synthetic eye model)
and a Semaphore identity whose secret stays on "their phone" (in memory; never written anywhere).

Subjects come from a range no liveness or iris model was trained or evaluated on, so the station has
never seen these eyes. Cast (for n people, n >= 3): everyone but the last enrolls once; the first of
them comes back a second time with a fresh identity (refused: same eyes); the last person presents a
printed photo of someone's iris instead of their own eye (refused: presentation attack).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hardware.capture import StepIlluminator
from simulation.synthetic_camera import SyntheticEyeCamera
from zk_identity import Identity

MIN_PEOPLE, MAX_PEOPLE = 3, 30  # one honest voter, one who retries, one attacker; depth <= 5 proofs
SUBJECT_BASE = 2_000_000  # beyond simulation.attacks TRAIN (0..500k) and HELDOUT (500k..1M) subjects
SUBJECTS_PER_SEED = 1_000
RETURN_VISIT = 100  # the duplicate comes back another day: new pose, light and sensor noise
OPTIONS = 3  # options on each demo proposal
QUADRATIC_BUDGET = 100  # voice credits per voter; a vote vector costs the sum of squares
MAX_QV_VOTES = 5  # per option: at most 3 * 25 = 75 credits, within the budget


@dataclass(frozen=True)
class Person:
    """One synthetic person: their eyes (`subject`), identity and the votes they will cast."""

    name: str
    subject: int
    identity: Identity
    option: int  # one-person-one-vote choice
    votes: tuple[int, ...]  # quadratic vote vector

    def eye(self, visit: int = 0) -> tuple[SyntheticEyeCamera, StepIlluminator]:
        """Their left eye in front of the station camera on `visit`, with the station's illuminator."""
        illuminator = StepIlluminator()
        return SyntheticEyeCamera(self.subject, "L", seed=visit, illuminator=illuminator), illuminator


@dataclass(frozen=True)
class Cast:
    """Who does what in the demo: `honest` enroll, `returning` (one of them) retries, `attacker` spoofs."""

    honest: tuple[Person, ...]
    returning: Person
    attacker: Person


def check_people(n: int) -> None:
    """Raise ValueError unless `n` is a usable number of people."""
    if isinstance(n, bool) or not isinstance(n, int) or not MIN_PEOPLE <= n <= MAX_PEOPLE:
        raise ValueError(f"--people must be an integer in {MIN_PEOPLE}..{MAX_PEOPLE}, got {n!r}")


def check_seed(seed: int) -> None:
    """Raise ValueError unless `seed` is an integer in 0..2^31-1."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ValueError(f"--seed must be an integer in 0..2^31-1, got {seed!r}")


def make_cast(n: int, seed: int) -> Cast:
    """`n` people for run `seed`: same arguments, same eyes and votes (identities are always fresh)."""
    check_people(n)
    check_seed(seed)
    rng = random.Random(seed)
    base = SUBJECT_BASE + seed * SUBJECTS_PER_SEED
    people = []
    for i in range(n):
        votes = tuple(rng.randrange(MAX_QV_VOTES + 1) for _ in range(OPTIONS))
        people.append(
            Person(
                name=f"person-{i + 1}",
                subject=base + i,
                identity=Identity(),  # a fresh random secret, as a phone would make
                option=rng.randrange(OPTIONS),
                votes=votes,
            )
        )
    return Cast(tuple(people[:-1]), people[0], people[-1])
