"""`personhood group root`: arguments, files, JSON, malformed input; the root checked against the JS group."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from personhood.cli import main
from zk_identity import LeanIMT
from zk_identity.field import SNARK_SCALAR_FIELD as R


@pytest.mark.node
def test_root_from_file_matches_semaphore_group(tmp_path: Path, run_node, capsys) -> None:
    rng = random.Random()
    commitments = [rng.randrange(1, R) for _ in range(11)] + [R - 1]
    path = tmp_path / "members.txt"
    path.write_text("\n".join(map(str, commitments)) + "\n\n")
    assert main(["group", "root", "--file", str(path), "--json"]) == 0
    ours = json.loads(capsys.readouterr().out)
    js = run_node(
        "import { Group } from '@semaphore-protocol/group';"
        "const g = new Group(JSON.parse(process.argv[1]).map(BigInt));"
        "console.log(JSON.stringify({ root: g.root.toString(), depth: g.depth, size: g.size }));",
        json.dumps([str(c) for c in commitments]),
    )
    assert ours == js


def test_root_from_arguments_text(capsys) -> None:
    assert main(["group", "root", "1", "2", "3"]) == 0
    out = capsys.readouterr().out
    assert str(LeanIMT([1, 2, 3]).root) in out and "depth  2" in out and "size   3" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["group", "root"],
        ["group", "root", "12", "abc"],
        ["group", "root", "-5"],
        ["group", "root", "1.5"],
        ["group", "root", "0"],
        ["group", "root", "7", "7"],
        ["group", "root", str(R)],
    ],
)
def test_malformed_commitments_exit_2(argv: list[str], capsys) -> None:
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["group", "root", "--file", str(tmp_path / "none.txt")]) == 2
    assert main(["group", "root", str(R - 1)]) == 0


def test_prove_reads_a_group_with_removed_members(tmp_path: Path) -> None:
    """`group export` writes a revoked member as 0 (as the registry holds it); the group file must give the
    registry's root, not be refused as a zero leaf."""
    from personhood.commands.group_file import read_group

    members = [11, 22, 33, 1, 2]
    tree = LeanIMT(members)
    tree.remove(1)
    tree.remove(3)
    path = tmp_path / "group.txt"
    path.write_text("11\n0\n33\n0\n2\n")
    read = read_group(path)
    assert read.root == tree.root and read.size == 5 and 11 in read and 1 not in read
