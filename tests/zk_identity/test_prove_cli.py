"""`personhood prove` and `personhood verify` as a person and a verifier use them (exit codes 0/1/2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from personhood.cli import main
from zk_identity import Identity, nullifier

pytestmark = pytest.mark.node

SEMAPHORE_VERIFY = """
import { verifyProof } from "@semaphore-protocol/proof";
console.log(JSON.stringify(await verifyProof(JSON.parse(process.argv[1]))));
process.exit(0);
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    key = folder / "me.key"
    assert main(["id", "new", "--out", str(key)]) == 0
    me = Identity.import_(key.read_text())
    others = [Identity(f"cli-other-{i}".encode()).commitment for i in range(4)]
    group = folder / "group.txt"
    group.write_text("\n".join(str(c) for c in [others[0], me.commitment, *others[1:]]) + "\n")
    outsider_group = folder / "outsiders.txt"
    outsider_group.write_text("\n".join(map(str, others)) + "\n")
    return {"key": key, "group": group, "outsiders": outsider_group, "folder": folder}


@pytest.fixture(scope="module")
def proof_file(files: dict[str, Path]) -> Path:
    out = files["folder"] / "proof.json"
    args = ["prove", "--identity", str(files["key"]), "--group", str(files["group"])]
    args += ["--scope", "town-hall-7", "--message", "1234"]
    # A real process, so that stdout holds nothing but the proof.
    code = "import sys; from personhood.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out.write_text(proc.stdout)
    return out


def test_prove_writes_semaphore_proof_json(proof_file: Path, files, run_node) -> None:
    data = json.loads(proof_file.read_text())
    assert set(data) == {"merkleTreeDepth", "merkleTreeRoot", "nullifier", "message", "scope", "points"}
    assert data["message"] == "1234"  # decimal text is a number
    assert int(data["scope"]) == int.from_bytes(b"town-hall-7".ljust(32, b"\0"), "big")  # other text: bytes32
    me = Identity.import_(files["key"].read_text())
    assert int(data["nullifier"]) == nullifier(me, "town-hall-7")
    assert run_node(SEMAPHORE_VERIFY, json.dumps(data)) is True


@pytest.mark.parametrize("backend", ["node", "py_ecc", "native"])
def test_verify_exit_codes(proof_file: Path, tmp_path: Path, backend: str, capsys) -> None:
    assert main(["verify", str(proof_file), "--backend", backend]) == 0
    data = json.loads(proof_file.read_text())
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data | {"message": "1235"}))
    assert main(["verify", str(tampered), "--backend", backend]) == 1
    malformed = tmp_path / "malformed.json"
    for text in (
        "{",
        json.dumps(data | {"points": data["points"][:7]}),
        json.dumps(data | {"nullifier": str(1 << 254)}),
    ):
        malformed.write_text(text)
        assert main(["verify", str(malformed), "--backend", backend]) == 2
    assert main(["verify", str(tmp_path / "missing.json")]) == 2
    capsys.readouterr()
    assert main(["verify", str(proof_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True


def test_prove_refusals(files, capsys) -> None:
    base = ["prove", "--identity", str(files["key"]), "--scope", "s", "--message", "m"]
    assert main([*base, "--group", str(files["outsiders"])]) == 1  # not a member
    assert "not a member" in capsys.readouterr().err
    assert main([*base[:3], "--scope", "x" * 32, "--message", "m", "--group", str(files["group"])]) == 2
    assert "31" in capsys.readouterr().err
    bad_group = files["folder"] / "bad-group.txt"
    bad_group.write_text("12\nnot-a-number\n")
    assert main([*base, "--group", str(bad_group)]) == 2
    assert "bad-group.txt:2" in capsys.readouterr().err
