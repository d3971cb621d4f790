"""`personhood prove --action/--signal` makes what POST /v1/verify accepts, and `personhood verify` says why
a proof is refused (issue 25: `--scope TEXT --message TEXT` is bytes32-encoded, the API hashes the text,
so a proof made the README way was refused as wrong_scope)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from governance import action_scope, signal_message
from personhood.cli import main

from . import api_scope
from .conftest import MEMBERS

pytestmark = [pytest.mark.slow, pytest.mark.node]

ACTION, SIGNAL = "join-the-forum", "alice.eth"


@pytest.fixture
def files(gov, tmp_path: Path) -> dict[str, Path]:
    key = tmp_path / "me.key"
    key.write_text(gov.identities[MEMBERS - 1].export())
    os.chmod(key, 0o600)
    group = tmp_path / "group.txt"
    group.write_text("\n".join(str(i.commitment) for i in gov.identities[:MEMBERS]) + "\n")
    small = tmp_path / "small-group.txt"
    small.write_text("\n".join(str(i.commitment) for i in gov.identities[:2]) + "\n")
    return {"key": key, "group": group, "small": small, "folder": tmp_path}


def prove_cli(files: dict[str, Path], capsys, *extra: str) -> dict:
    capsys.readouterr()
    assert main(["prove", "--identity", str(files["key"]), "--group", str(files["group"]), *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_prove_action_signal_is_accepted_by_the_verify_api_once(gov, files, client, capsys) -> None:
    chain_id = gov.deployment.chain_id
    proof = prove_cli(files, capsys, "--action", ACTION, "--signal", SIGNAL, *api_scope.cli_args(chain_id))
    assert int(proof["scope"]) == api_scope.expected_scope(ACTION, chain_id)
    assert int(proof["message"]) == signal_message(SIGNAL)
    body = {"action": ACTION, "signal": SIGNAL, "proof": proof, **api_scope.body_fields()}
    first = client.post("/v1/verify", json=body)
    assert first.status_code == 200, first.json
    # The same person claiming the action again (another signal, a new proof, the same nullifier): refused.
    again = prove_cli(files, capsys, "--action", ACTION, "--signal", "bob.eth", *api_scope.cli_args(chain_id))
    assert again["nullifier"] == proof["nullifier"]
    second = client.post("/v1/verify", json={**body, "signal": "bob.eth", "proof": again})
    assert second.status_code == 409 and second.json["error"] == "nullifier_used"


def test_verify_names_every_reason_and_checks_action_signal_group(gov, files, capsys) -> None:
    extra = api_scope.cli_args(gov.deployment.chain_id)
    proof_file = files["folder"] / "proof.json"
    proof_file.write_text(
        json.dumps(prove_cli(files, capsys, "--action", ACTION, "--signal", SIGNAL, *extra))
    )
    base = ["verify", str(proof_file), "--json", *extra]

    assert main([*base, "--action", ACTION, "--signal", SIGNAL, "--group", str(files["group"])]) == 0
    assert json.loads(capsys.readouterr().out)["problems"] == []

    assert (
        main([*base, "--action", "another-action", "--signal", "bob.eth", "--group", str(files["small"])])
        == 1
    )
    result = json.loads(capsys.readouterr().out)
    codes = [p["code"] for p in result["problems"]]
    assert result["valid"] is False
    assert codes == ["wrong_scope", "wrong_message", "unknown_root", "wrong_depth"]
    assert "another-action" in result["problems"][0]["message"]

    assert (
        main(["verify", str(proof_file), "--action", ACTION, *extra]) == 0
    )  # no --signal: message not checked
    assert capsys.readouterr().out.strip() == "valid"
    assert main(["verify", str(proof_file), "--signal", SIGNAL, "--group", str(files["small"])]) == 2
    assert "--signal needs --action" in capsys.readouterr().err
    assert main(["verify", str(proof_file), "--action", ACTION, "--scope", "1"]) == 2

    tampered = files["folder"] / "tampered.json"
    tampered.write_text(json.dumps(json.loads(proof_file.read_text()) | {"nullifier": "12345"}))
    assert main(["verify", str(tampered), "--action", ACTION, "--signal", SIGNAL, *extra]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID") and "invalid_proof" in out and "wrong_scope" not in out


def test_prove_needs_an_action_or_a_scope_and_message(files, capsys) -> None:
    base = ["prove", "--identity", str(files["key"]), "--group", str(files["group"])]
    assert main(base) == 2
    assert "--action" in capsys.readouterr().err
    assert main([*base, "--scope", "1"]) == 2
    assert main([*base, "--action", ACTION, "--message", "2"]) == 2
    assert main([*base, "--action", "x" * 257]) == 2


def test_the_scope_follows_the_api_form_one_or_namespaced(files, monkeypatch, capsys) -> None:
    """`_api_scope` calls whichever `action_scope` the API defines: the action alone (today; --app-id is
    refused) or World-ID-style (app id, chain id, action), with the chain id from --chain-id or the
    deployment file."""

    from eth_abi import encode
    from eth_utils import keccak

    from governance import requests
    from personhood.commands.action_binding import _api_scope

    base = ["prove", "--identity", str(files["key"]), "--group", str(files["group"]), "--action", ACTION]
    if api_scope.namespaced():
        assert main(base) == 2
        assert "--app-id is required" in capsys.readouterr().err
    else:
        assert main([*base, "--app-id", "app_1"]) == 2
        assert "leave it out" in capsys.readouterr().err
        assert _api_scope(ACTION, None, None, None) == action_scope(ACTION)

    def namespaced(app_id: str, chain_id: int, action: str) -> int:
        data = encode(["uint256", "string", "string"], [chain_id, app_id, action])
        return int.from_bytes(keccak(data), "big") >> 8

    monkeypatch.setattr(requests, "action_scope", namespaced)
    deployment = files["folder"] / "deployment.json"
    deployment.write_text('{"chain_id": 31337}')
    assert _api_scope(ACTION, "app_1", None, deployment) == namespaced("app_1", 31337, ACTION)
    assert _api_scope(ACTION, "app_1", 5, deployment) == namespaced("app_1", 5, ACTION)
    for app_id, chain_id, where, words in (
        (None, 5, deployment, "--app-id is required"),
        ("app_1", None, files["folder"] / "missing.json", "--chain-id"),
    ):
        with pytest.raises(ValueError, match=words):
            _api_scope(ACTION, app_id, chain_id, where)
