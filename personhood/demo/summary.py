"""The demo's one-line JSON summary and the expectations that decide its exit code."""

from __future__ import annotations

from dataclasses import dataclass

from governance import ProposalResults

from .dapp import Claims
from .enroll_people import Enrollments
from .voting import Voting


@dataclass(frozen=True)
class TallyCheck:
    """One proposal's on-chain tallies, its recount from the vote events and what the voters cast."""

    results: ProposalResults
    expected: tuple[int, ...]  # summed from the votes the demo's people chose

    @property
    def ok(self) -> bool:
        """Contract counters == event recount == the votes cast."""
        return self.results.consistent and self.results.tallies == self.expected

    def to_json(self) -> dict[str, object]:
        """proposal id, tallies, recount, expected, consistent."""
        return {
            "proposal_id": self.results.proposal.proposal_id,
            "tallies": list(self.results.tallies),
            "recount": list(self.results.recount),
            "expected": list(self.expected),
            "consistent": self.ok,
        }


@dataclass(frozen=True)
class DemoSummary:
    """Everything the demo reports at the end."""

    enrollments: Enrollments
    voting: Voting
    tallies: dict[str, TallyCheck]
    claims: Claims
    charts: tuple[str, ...]
    seconds: float

    def failures(self) -> list[str]:
        """The expectations that did not hold (empty: the demo succeeded)."""
        checks = {
            "the duplicate was not refused by the uniqueness step": self.enrollments.duplicate_refused,
            "the duplicate did not come back at another station": (
                self.enrollments.stations < 2 or self.enrollments.cross_station
            ),
            "the printed iris was not refused by the liveness step": self.enrollments.spoof_refused,
            "a vote that should count was refused": not self.voting.refused,
            "the double vote was not refused": self.voting.double_votes_refused == 1,
            "tallies, recount and votes cast differ": all(t.ok for t in self.tallies.values()),
            "the first airdrop claim was refused": self.claims.first == "accepted",
            "the second airdrop claim was accepted": self.claims.second == "refused",
        }
        return [what for what, held in checks.items() if not held]

    @property
    def ok(self) -> bool:
        """True when every expectation held."""
        return not self.failures()

    def to_json(self) -> dict[str, object]:
        """The summary line's object."""
        e = self.enrollments
        return {
            "enrolled": len(e.enrolled),
            "refused": {"duplicate": int(e.duplicate_refused), "spoof": int(e.spoof_refused)},
            "refusal_reasons": {"duplicate": e.duplicate.reason, "spoof": e.spoof.reason},
            "live_retries": e.retries,
            "live_not_enrolled": list(e.not_enrolled),
            "votes": self.voting.counted,
            "double_votes_refused": self.voting.double_votes_refused,
            "tallies": {ballot: check.to_json() for ballot, check in self.tallies.items()},
            "dapp": {"first_claim": self.claims.first, "second_claim": self.claims.second},
            "charts": list(self.charts),
            "ok": self.ok,
            "failures": self.failures(),
            "seconds": round(self.seconds, 1),
            "stations": e.stations,
            "cross_station_duplicates_refused": e.cross_station_duplicates_refused,
        }
