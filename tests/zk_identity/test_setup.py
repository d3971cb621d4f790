"""Our own trusted setup (`personhood zk setup --dev`) and proofs with our own keys.

One dev ceremony at MAX_DEPTH 8 (a 2^12 powers of tau, ~2.5 minutes on 2 cores) is shared by
the whole module; tests that modify artifacts work on copies.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from personhood.cli import main
from zk_identity import Identity, LeanIMT, ProvingSetup, bn254_native, nullifier, prove, verify
from zk_identity.artifacts import official_artifacts, own_artifacts, setup_dir
from zk_identity.ceremony import checked_ptau
from zk_identity.errors import SetupError
from zk_identity.manifest import ARTIFACT_FILES, file_sha256, read_manifest
from zk_identity.snarkjs_cli import verify_cli

pytestmark = [pytest.mark.slow, pytest.mark.node]
MAX_DEPTH = 8


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("zk-cache")


@pytest.fixture(scope="module")
def config(cache: Path) -> Path:
    path = cache / "personhood.toml"
    path.write_text(f'cache_dir = "{cache}"\n')
    return path


@pytest.fixture(scope="module")
def dev_setup(config: Path, cache: Path) -> Path:
    code = main(["--config", str(config), "zk", "setup", "--dev", "--depth", str(MAX_DEPTH), "--json"])
    assert code == 0
    return setup_dir(cache, MAX_DEPTH)


@pytest.fixture(scope="module")
def members() -> list[Identity]:
    return [Identity(f"setup-member-{i}".encode()) for i in range(6)]


def test_manifest_records_every_artifact(dev_setup: Path) -> None:
    manifest = read_manifest(dev_setup)
    assert manifest.max_depth == MAX_DEPTH and manifest.ptau_origin == "dev"
    for name in ARTIFACT_FILES:
        assert manifest.files[name] == file_sha256(dev_setup / name)
    assert manifest.ptau_sha256 == file_sha256(Path(manifest.ptau_path))
    assert manifest.tools["snarkjs"] == "0.7.6" and "circom compiler 2." in manifest.tools["circom"]
    vkey = manifest.vkey()
    assert vkey["protocol"] == "groth16" and vkey["nPublic"] == 4  # snarkjs format, for the Solidity export


def test_verify_setup_accepts_then_detects_tampering(
    dev_setup: Path, config: Path, tmp_path: Path, capsys
) -> None:
    assert main(["--config", str(config), "zk", "verify-setup", "--dir", str(dev_setup)]) == 0
    copy = tmp_path / "set"
    shutil.copytree(dev_setup, copy)
    vkey = json.loads((copy / "vkey.json").read_text())
    vkey["IC"][0][0] = str(int(vkey["IC"][0][0]) + 1)
    (copy / "vkey.json").write_text(json.dumps(vkey))
    capsys.readouterr()
    assert main(["--config", str(config), "zk", "verify-setup", "--dir", str(copy)]) == 1
    assert "vkey.json" in capsys.readouterr().err


NATIVE = pytest.param(
    "native", marks=pytest.mark.skipif(not bn254_native.AVAILABLE, reason="native prover extension not built")
)


@pytest.mark.parametrize("backend", [NATIVE, "worker"])
@pytest.mark.parametrize("size", [1, 2, 6])
def test_own_keys_prove_any_depth_up_to_max(
    size: int, backend: str, members, dev_setup: Path, cache: Path, pool
) -> None:
    # "native": our C prover on a zkey made by our own `snarkjs zkey new` + contributions.
    group = LeanIMT([m.commitment for m in members[:size]])
    proof = prove(
        members[size - 1],
        group,
        "msg",
        5,
        setup=ProvingSetup(keys="own", cache_dir=cache, pool=pool, prover=backend),
    )
    assert proof.merkle_tree_depth == MAX_DEPTH  # names the circuit; the tree may be shallower
    assert proof.merkle_tree_root == group.root and proof.nullifier == nullifier(members[size - 1], 5)
    assert verify(proof, setup=ProvingSetup(keys="own", cache_dir=cache, verifier="node", pool=pool)) is True
    assert verify(proof, setup=ProvingSetup(keys="own", cache_dir=cache)) is True
    vkey = own_artifacts(cache, exactly=MAX_DEPTH).vkey()
    assert verify_cli(vkey, [str(v) for v in proof.public_signals()], proof.snarkjs_proof()) is True
    # Our keys and the official ceremony's are not interchangeable.
    assert (
        verify(proof, official_artifacts(MAX_DEPTH).vkey(), setup=ProvingSetup(verifier="node", pool=pool))
        is False
    )


def test_own_keys_refuse_deeper_groups_and_missing_setups(
    members, dev_setup: Path, cache: Path, pool
) -> None:
    group = LeanIMT([m.commitment for m in members])
    with pytest.raises(SetupError, match="MAX_DEPTH 9"):
        prove(members[0], group, 1, 2, setup=ProvingSetup(keys="own", cache_dir=cache, pool=pool), depth=9)
    with pytest.raises(SetupError, match="zk setup"):
        prove(members[0], group, 1, 2, setup=ProvingSetup(keys="own", cache_dir=cache / "empty", pool=pool))


def test_contribution_changes_the_keys_and_still_verifies(
    dev_setup: Path, config: Path, tmp_path: Path, members, pool, capsys
) -> None:
    copy_cache = tmp_path / "cache"
    shutil.copytree(dev_setup, setup_dir(copy_cache, MAX_DEPTH))
    before = read_manifest(setup_dir(copy_cache, MAX_DEPTH))
    before_vkey = before.vkey()
    capsys.readouterr()
    code = main(["--config", str(config), "zk", "contribute", "--dir", str(setup_dir(copy_cache, MAX_DEPTH)),
                 "--name", "second operator", "--json"])  # fmt: skip
    assert code == 0
    assert len(json.loads(capsys.readouterr().out)["contribution_hash"]) > 0
    after = read_manifest(setup_dir(copy_cache, MAX_DEPTH))
    assert after.files["circuit.zkey"] != before.files["circuit.zkey"]
    assert after.vkey()["vk_delta_2"] != before_vkey["vk_delta_2"]
    group = LeanIMT([m.commitment for m in members[:3]])
    proof = prove(members[0], group, 1, 2, setup=ProvingSetup(keys="own", cache_dir=copy_cache, pool=pool))
    assert verify(proof, after.vkey(), setup=ProvingSetup(verifier="node", pool=pool)) is True
    assert verify(proof, before_vkey, setup=ProvingSetup(verifier="node", pool=pool)) is False


def test_operator_ptau_is_checked_by_hash(dev_setup: Path, config: Path, capsys) -> None:
    ptau = Path(read_manifest(dev_setup).ptau_path)
    digest = file_sha256(ptau)
    assert checked_ptau(ptau, digest.upper()) == ptau
    wrong = ("0" if digest[0] != "0" else "1") + digest[1:]
    capsys.readouterr()
    argv = ["--config", str(config), "zk", "setup", "--ptau", str(ptau), "--depth", str(MAX_DEPTH)]
    assert main([*argv, "--ptau-sha256", wrong]) == 1
    assert "refusing" in capsys.readouterr().err
    assert main(argv) == 2  # no hash given: usage error
    with pytest.raises(SetupError, match="64 hex"):
        checked_ptau(ptau, "abc")
    assert read_manifest(dev_setup).files == {
        n: file_sha256(dev_setup / n) for n in ARTIFACT_FILES
    }  # untouched
