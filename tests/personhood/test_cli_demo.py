"""`personhood demo`: every step reported, the summary says the proofs came out as they must."""

from __future__ import annotations

import json

from personhood.cli import main
from zk_identity import LeanIMT


def test_demo_runs_and_summarizes(capsys) -> None:
    assert main(["demo", "--members", "5"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["ok"] is True and summary["members"] == 5 and summary["depth"] == 3
    assert summary["member_proof_verified"] is True
    assert summary["non_member_has_proof"] is False and summary["forged_proof_verified"] is False
    assert [line[:5] for line in captured.err.splitlines()] == ["[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]"]
    assert len(captured.out.strip().splitlines()) == 1
    assert summary["root"] != str(LeanIMT([1]).root)


def test_demo_rejects_a_silly_group_size(capsys) -> None:
    assert main(["demo", "--members", "1"]) == 2
