"""Searching a probe's eyes in the deployment's galleries: the cascade the service runs, and the
full search it replaces (kept as the reference the tests compare against).

The rule (decision_rule.py) calls a probe a duplicate of a record only when that record is within
the threshold t on EVERY stored eye. So a record that can make the probe a duplicate is among the
first eye's matches; the other eyes need scoring only against those candidates:

    cascade  search eye 1 over the whole gallery (all records within t), then each further eye
             only among the records that matched every eye so far (`Gallery.search_among`, the
             same kernel: the same distances);
    full     search every eye over the whole gallery.

Both give the same duplicate/unique answer, the same matched record and the same per-eye evidence
for it (tested in tests/uniqueness/test_probe_search.py). What the cascade does not see is a
record matching a later eye only: `PairDecision.partial` then counts the records that matched
some eyes searched but not all, and a non-duplicate's closest single-eye match is looked for among
them. At t = 0.33 the first eye leaves about N / 4·10⁶ impostor candidates, so the second eye
costs next to nothing and a two-eye search costs about one eye's.
"""

from __future__ import annotations

from collections.abc import Mapping

from enrollment.gallery import Gallery, SearchResult
from enrollment.iris.template import IrisTemplate


def search_cascade(
    galleries: Mapping[str, Gallery], probe: Mapping[str, IrisTemplate], threshold: float
) -> dict[str, SearchResult]:
    """Per-eye results for `decide_pair`: the first eye over everything, the rest among candidates.

    Eyes are taken in `probe`'s order (the service passes the canonical EYES order). Raises what
    `Gallery.search` raises on bad input.
    """
    results: dict[str, SearchResult] = {}
    candidates: list[int] | None = None
    for eye, template in probe.items():
        gallery = galleries[eye]
        if candidates is None:
            result = gallery.search(template, threshold)
        else:
            result = gallery.search_among(template, threshold, candidates)
        results[eye] = result
        candidates = [m.record_id for m in result.matches]
    return results


def search_full(
    galleries: Mapping[str, Gallery], probe: Mapping[str, IrisTemplate], threshold: float
) -> dict[str, SearchResult]:
    """Per-eye results with every eye searched over the whole gallery (the reference)."""
    return {eye: galleries[eye].search(template, threshold) for eye, template in probe.items()}
