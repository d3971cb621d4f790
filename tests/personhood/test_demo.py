"""`personhood demo` end to end (5 people: 4 live, of whom one returns with a new identity, and one with a
printed iris): the summary's counts, tallies equal to a recount made here from the people's own choices,
real PNG charts, and nothing left running afterwards. Plus the demo's small parts: the cast, the group
depth the verifiers are deployed for, the printed iris that follows the station's light."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from contracts import quadratic_cost
from governance.proposals import ONE_PERSON_ONE_VOTE, QUADRATIC
from hardware.capture import StepIlluminator
from personhood.cli import main
from personhood.demo import make_cast
from personhood.demo.people import QUADRATIC_BUDGET
from personhood.demo.printed_iris import PrintedIrisSource
from personhood.demo.scenario import group_depth
from zk_identity import LeanIMT

PEOPLE, SEED = 5, 0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def child_pids() -> set[int]:
    """Process ids of this process's children (anvil, node prover workers...)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        text = (task / "children").read_text().split()
        pids.update(int(p) for p in text)
    return pids


def recount_from_choices(names: set[str]) -> dict[str, list[int]]:
    """Tallies the enrolled people's votes must give, from the cast the seed makes (no chain involved)."""
    cast = make_cast(PEOPLE, SEED)
    voters = [p for p in cast.honest if p.name in names]
    one = [sum(1 for p in voters if p.option == k) for k in range(3)]
    quadratic = [sum(p.votes[k] for p in voters) for k in range(3)]
    return {ONE_PERSON_ONE_VOTE: one, QUADRATIC: quadratic}


def test_the_cast_is_reproducible_but_identities_are_fresh() -> None:
    a, b = make_cast(6, 3), make_cast(6, 3)
    people_a, people_b = (*a.honest, a.attacker), (*b.honest, b.attacker)
    assert [(p.subject, p.option, p.votes) for p in people_a] == [
        (p.subject, p.option, p.votes) for p in people_b
    ]
    assert all(
        x.identity.commitment != y.identity.commitment for x, y in zip(people_a, people_b, strict=True)
    )
    assert len(a.honest) == 5 and a.returning is a.honest[0] and a.attacker not in a.honest
    assert len({p.subject for p in people_a}) == 6
    assert all(quadratic_cost(p.votes) <= QUADRATIC_BUDGET for p in people_a)
    assert make_cast(6, 4).honest[0].subject != a.honest[0].subject
    with pytest.raises(ValueError, match="--people"):
        make_cast(2, 0)
    with pytest.raises(ValueError, match="--seed"):
        make_cast(5, -1)


@pytest.mark.parametrize("members", [1, 2, 3, 4, 5, 9, 16, 17, 29])
def test_group_depth_is_the_lean_imt_depth(members: int) -> None:
    assert group_depth(members) == max(1, LeanIMT(range(1, members + 1)).depth)


def test_the_printed_iris_reflects_the_station_light_but_is_otherwise_the_same_sheet() -> None:
    light = StepIlluminator()
    source = PrintedIrisSource(light, seed=4, n_frames=3)
    light.set_level(0.7)
    dim = source.read()
    light.set_level(1.3)
    bright = source.read()
    assert dim is not None and bright is not None and dim.image.shape == (480, 640)
    assert bright.image.mean() > dim.image.mean() * 1.3
    assert source.read() is not None and source.read() is None  # n_frames, then the end
    again = PrintedIrisSource(light, seed=4, n_frames=3)
    light.set_level(0.7)
    assert np.array_equal(again.read().image, dim.image)  # same sheet, same hand, same sensor noise


@pytest.mark.slow
def test_the_demo_enrolls_refuses_votes_tallies_and_verifies(tmp_path: Path, capsys) -> None:
    before = child_pids()
    out = tmp_path / "demo-out"

    code = main(["demo", "--people", str(PEOPLE), "--seed", str(SEED), "--out", str(out)])

    captured = capsys.readouterr()
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert code == 0, (summary["failures"], captured.err)
    assert summary["ok"] is True and summary["failures"] == []
    # every live person enrolled, or is named as refused after the operator's retries: the liveness
    # model's false rejections (BPCER) are real, so at most one of the four may miss out
    assert summary["enrolled"] + len(summary["live_not_enrolled"]) == PEOPLE - 1
    assert summary["enrolled"] >= PEOPLE - 2
    assert summary["refused"] == {"duplicate": 1, "spoof": 1}
    assert summary["refusal_reasons"]["duplicate"] == "already enrolled"
    assert summary["refusal_reasons"]["spoof"].startswith("presentation attack suspected")
    assert summary["votes"] == 2 * summary["enrolled"] and summary["double_votes_refused"] == 1
    assert summary["dapp"] == {"first_claim": "accepted", "second_claim": "refused"}
    assert 0 < summary["seconds"] < 300
    # two stations, one uniqueness service: the returning person was refused at the other station
    assert summary["stations"] == 2 and summary["cross_station_duplicates_refused"] == 1
    assert "again, with a new identity, at station 2: REFUSED at uniqueness" in captured.err

    # the names of who enrolled come from the progress lines: "person-3 ...: enrolled as leaf 2 ..."
    enrolled = {line.split()[0] for line in captured.err.splitlines() if ": enrolled as leaf" in line}
    assert len(enrolled) == summary["enrolled"]
    expected = recount_from_choices(enrolled)
    for ballot in (ONE_PERSON_ONE_VOTE, QUADRATIC):
        tally = summary["tallies"][ballot]
        assert tally["tallies"] == tally["recount"] == expected[ballot], ballot
    assert sum(summary["tallies"][ONE_PERSON_ONE_VOTE]["tallies"]) == summary["enrolled"]

    charts = [Path(p) for p in summary["charts"]]
    assert sorted(c.name for c in charts) == ["one_person_one_vote.png", "quadratic.png"]
    for chart in charts:
        assert chart.parent == out and chart.read_bytes()[:8] == PNG_SIGNATURE
        image = cv2.imread(str(chart))
        assert image is not None and image.shape[0] > 100 and image.shape[1] > 100
    assert json.loads((out / "summary.json").read_text()) == summary

    assert child_pids() <= before, "anvil or prover workers left running"
    assert [line[:5] for line in captured.err.splitlines() if line.startswith("[")] == [
        f"[{i}/7]" for i in range(1, 8)
    ]
