"""Values a gallery search returns: frozen, no template bits in them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class GalleryMatch:
    """One enrolled record within the threshold of a probe.

    `distance` is the normalized masked fractional Hamming distance at the best shift,
    `shift` the rotation of the probe in columns (-15..15) and `bits_compared` the number
    of code bits both masks allowed at that shift.
    """

    record_id: int
    distance: float
    shift: int
    bits_compared: int


@dataclass(frozen=True)
class SearchResult:
    """Every record within `threshold` of the probe, best first, and how many records were searched."""

    threshold: float
    matches: tuple[GalleryMatch, ...]
    searched: int

    @property
    def best(self) -> GalleryMatch | None:
        """The closest record within the threshold, or None when there is none."""
        return self.matches[0] if self.matches else None

    @property
    def is_duplicate(self) -> bool:
        """True when at least one enrolled record lies within the threshold."""
        return bool(self.matches)


def match_order(match: GalleryMatch) -> tuple[float, int]:
    """Sort key: distance, then record id (so merged results are deterministic)."""
    return (match.distance, match.record_id)


def merge_results(threshold: float, parts: Iterable[SearchResult]) -> SearchResult:
    """Merge per-shard results of one query into one, best first."""
    parts = list(parts)
    matches = sorted((m for p in parts for m in p.matches), key=match_order)
    return SearchResult(threshold=threshold, matches=tuple(matches), searched=sum(p.searched for p in parts))
