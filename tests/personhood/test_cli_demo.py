"""`personhood demo --identity-only`: every step reported, the summary says the proofs came out as they
must; bad arguments are usage errors (exit 2) for both demos, before anything starts."""

from __future__ import annotations

import json

import pytest

from personhood.cli import main
from zk_identity import LeanIMT


def test_identity_demo_runs_and_summarizes(capsys) -> None:
    assert main(["demo", "--identity-only", "--people", "5"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["ok"] is True and summary["members"] == 5 and summary["depth"] == 3
    assert summary["member_proof_verified"] is True
    assert summary["non_member_has_proof"] is False and summary["forged_proof_verified"] is False
    assert [line[:5] for line in captured.err.splitlines()] == ["[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]"]
    assert len(captured.out.strip().splitlines()) == 1
    assert summary["root"] != str(LeanIMT([1]).root)


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--identity-only", "--people", "1"],
        ["demo", "--people", "2"],  # needs one honest voter, one who retries, one attacker
        ["demo", "--people", "31"],
        ["demo", "--seed", "-1"],
        ["demo", "--stations", "0"],
        ["demo", "--stations", "9"],
        ["demo", "--out", "{file}"],
    ],
)
def test_demo_rejects_silly_arguments_before_starting_anything(argv: list[str], tmp_path, capsys) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    assert main([arg.replace("{file}", str(tmp_path / "a-file")) for arg in argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "error" in captured.err
