"""The service with its shards in Ray actors (2 per eye) answers exactly as the in-process one, and
on either engine the cascade (second eye scored only among the first eye's matches, on the actors)
decides as the full two-eye search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from enrollment.iris import IrisTemplate
from simulation.synthetic_templates import random_templates
from uniqueness import ServiceParams, choose_threshold, decide_pair
from uniqueness.probe_search import search_cascade, search_full

from .service_world import again, eye_pairs, new_commitment, service_world

pytestmark = pytest.mark.slow  # anvil and a local Ray


def test_ray_shards_give_the_same_decisions_as_one_process(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    size = 400
    ids = np.arange(1, size + 1, dtype=np.int64)
    codes = {eye: random_templates(rng, size) for eye in ("L", "R")}
    enrolled = [
        {eye: IrisTemplate(codes[eye][0][i], codes[eye][1][i]) for eye in ("L", "R")} for i in range(3)
    ]
    probes = [*eye_pairs(31, 3), *(again(p, n) for n, p in enumerate(enrolled))]
    probes.append({"L": again(enrolled[0], 9)["L"], "R": eye_pairs(32, 1)[0]["R"]})  # one eye only
    decisions = {}
    (tmp_path / "world").mkdir()
    with service_world(tmp_path / "world") as world:
        for engine in ("local", "ray"):
            service = world.open_service(tmp_path / engine, params=ServiceParams(engine=engine, shards=2))
            try:
                service.import_committed(
                    ids, {e: c for e, (c, _) in codes.items()}, {e: m for e, (_, m) in codes.items()}
                )
                deadline = world.now() + 600
                choice = choose_threshold(service.size(), 2)
                for probe in probes:  # the cascade (search_among on the actors) decides as the full search
                    cascade = decide_pair(search_cascade(service.galleries, probe, choice.threshold), choice)
                    full = decide_pair(search_full(service.galleries, probe, choice.threshold), choice)
                    assert (cascade.duplicate, cascade.record_id, cascade.evidence) == (
                        full.duplicate,
                        full.record_id,
                        full.evidence if full.duplicate else cascade.evidence,
                    )
                decisions[engine] = [
                    (d.result, d.searched, d.threshold)
                    for n, probe in enumerate(probes)
                    for d in [
                        service.reserve(
                            world.stations[0].address, f"{n:032x}", probe, new_commitment(), deadline
                        )
                    ]
                ]
            finally:
                service.close()
    assert decisions["local"] == decisions["ray"]
    assert [r for r, _, _ in decisions["local"]] == ["unique"] * 3 + ["duplicate"] * 3 + ["unique"]
