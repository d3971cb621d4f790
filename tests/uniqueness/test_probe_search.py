"""The cascade (first eye over everything, second eye among its matches) decides exactly as the full
two-eye search: planted duplicates, one-eye-only matches, one person enrolled twice, a record
matching one eye and another record the other, and thresholds placed exactly on measured distances."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from enrollment.gallery import Gallery, pair_distance
from enrollment.iris import IrisTemplate
from simulation.synthetic_templates import random_templates
from uniqueness.decision_rule import PairDecision, choose_threshold, decide_pair
from uniqueness.probe_search import search_cascade, search_full

from .service_world import again, eye_pairs

PEOPLE = 2000
EYES = ("L", "R")


def _population(seed: int) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    rng = np.random.default_rng(seed)
    return np.arange(1, PEOPLE + 1, dtype=np.int64), {eye: random_templates(rng, PEOPLE) for eye in EYES}


def _person(codes: dict[str, tuple[np.ndarray, np.ndarray]], row: int) -> dict[str, IrisTemplate]:
    return {eye: IrisTemplate(codes[eye][0][row], codes[eye][1][row]) for eye in EYES}


@pytest.fixture(scope="module", params=[("fused", 1), ("fused", 3), ("numpy", 2)], ids=str)
def world(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[dict[str, Gallery], list[dict[str, IrisTemplate]]]]:
    """Memory-only galleries of PEOPLE people plus planted records, and probes of every kind."""
    kernel, shards = request.param
    ids, codes = _population(41)
    galleries = {eye: Gallery.connect("local", shards=shards, kernel=kernel) for eye in EYES}
    for eye in EYES:
        galleries[eye].add_many(ids, *codes[eye])
    alice, bob, carol, dave = (_person(codes, row) for row in (3, 10, 20, 30))
    # alice enrolled a second time (another record of the same eyes); a chimera record holding
    # bob's left eye and carol's right eye
    extra = {9_001: again(alice, 1, flip=0.05), 9_002: {"L": again(bob, 2)["L"], "R": again(carol, 3)["R"]}}
    for record_id, pair in extra.items():
        for eye in EYES:
            galleries[eye].add(record_id, pair[eye])
    (stranger,) = eye_pairs(77, 1)
    probes = [
        stranger,
        *(again(p, 10 + n, flip=f) for n, (p, f) in enumerate([(alice, 0.12), (dave, 0.05), (dave, 0.2)])),
        {"L": again(dave, 20)["L"], "R": stranger["R"]},  # left eye only
        {"L": stranger["L"], "R": again(dave, 21)["R"]},  # right eye only
        {"L": again(bob, 22)["L"], "R": again(carol, 23)["R"]},  # the chimera record, and bob, and carol
        {"L": again(bob, 24)["L"], "R": again(bob, 25)["R"]},
    ]
    yield galleries, probes
    for gallery in galleries.values():
        gallery.close()


def _same_decision(cascade: PairDecision, full: PairDecision) -> None:
    assert (cascade.duplicate, cascade.record_id, cascade.searched) == (
        full.duplicate,
        full.record_id,
        full.searched,
    )
    assert (cascade.threshold, cascade.person_fmr) == (full.threshold, full.person_fmr)
    if full.duplicate:
        assert cascade.evidence == full.evidence


def _thresholds(galleries: dict[str, Gallery], probe: dict[str, IrisTemplate]) -> list[float]:
    """The service's threshold, and thresholds exactly on (and just below) the probe's measured
    per-eye distances to its nearest records: a record sits on the boundary on one eye."""
    out = [choose_threshold(len(galleries["L"]), 2).threshold, 0.40, 0.25]
    for eye in EYES:
        for match in galleries[eye].search(probe[eye], 0.40).matches[:3]:
            out += [match.distance, float(np.nextafter(match.distance, 0.0))]
    return out


def test_the_cascade_decides_exactly_as_the_full_two_eye_search(
    world: tuple[dict[str, Gallery], list[dict[str, IrisTemplate]]],
) -> None:
    galleries, probes = world
    outcomes = []
    for probe in probes:
        for threshold in _thresholds(galleries, probe):
            choice = replace(choose_threshold(len(galleries["L"]), 2), threshold=threshold)
            cascade = decide_pair(search_cascade(galleries, probe, threshold), choice)
            full = decide_pair(search_full(galleries, probe, threshold), choice)
            _same_decision(cascade, full)
            outcomes.append(full.duplicate)
    assert any(outcomes) and not all(outcomes)  # both answers occur, at the boundary too


def test_the_planted_cases_get_the_answers_they_were_built_for(
    world: tuple[dict[str, Gallery], list[dict[str, IrisTemplate]]],
) -> None:
    galleries, probes = world
    threshold = choose_threshold(len(galleries["L"]), 2).threshold
    decisions = [
        decide_pair(search_cascade(galleries, p, threshold), choose_threshold(100, 2)) for p in probes
    ]
    assert [d.duplicate for d in decisions] == [False, True, True, True, False, False, True, True]
    assert decisions[1].record_id in (4, 9_001) and decisions[2].record_id == decisions[3].record_id == 31
    assert decisions[4].partial == 1  # the left eye matched dave, the right eye nobody
    assert decisions[6].record_id == 9_002  # the chimera record: bob's left and carol's right
    assert decisions[7].record_id == 11


def test_search_among_scores_exactly_as_search_and_only_the_ids_asked(
    world: tuple[dict[str, Gallery], list[dict[str, IrisTemplate]]],
) -> None:
    galleries, probes = world
    gallery, probe = galleries["L"], probes[1]["L"]
    everything = gallery.search(probe, 0.45)
    asked = [m.record_id for m in everything.matches[::2]] + [555, 123_456_789]  # 555: not a match
    among = gallery.search_among(probe, 0.45, asked)
    assert among.matches == tuple(m for m in everything.matches if m.record_id in set(asked))
    assert among.searched == len(asked) - 1  # 123_456_789 is not enrolled
    exact = pair_distance(probe, again(_person(_population(41)[1], 3), 1, flip=0.05)["L"])  # record 9_001
    (found,) = gallery.search_among(probe, 0.45, [9_001]).matches
    assert (found.distance, found.shift, found.bits_compared) == exact
    assert gallery.search_among(probe, 0.45, []).matches == ()
    assert gallery.search_among(probe, 0.45, []).searched == 0
