"""`personhood gov propose|results|list` and `personhood vote` against the session chain; `vote` proves
locally and submits through a real relayer HTTP server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from governance.proposals import ONE_PERSON_ONE_VOTE, QUADRATIC
from personhood.app import create_app
from personhood.cli import main
from personhood.commands.key_file import write_key_file
from personhood.config import load_settings
from zk_identity.prover_pool import default_pool

from .test_relayer import vote_body

pytestmark = [pytest.mark.slow, pytest.mark.node]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def config(gov_chain, tmp_path) -> Path:
    """A settings file pointing at the session chain and a deployment file."""
    deployment = tmp_path / "deployment.json"
    deployment.write_text(json.dumps(dataclasses.asdict(gov_chain.deployment)))
    path = tmp_path / "personhood.toml"
    path.write_text(
        f'rpc_url = "{gov_chain.node.url}"\n'
        f'data_dir = "{tmp_path / "data"}"\n'
        f'cache_dir = "{gov_chain.settings.cache_dir}"\n'
        f'node_modules = "{gov_chain.settings.node_modules}"\n'
        f'deployment_file = "{deployment}"\n'
    )
    return path


def run(config: Path, capsys, *argv: str) -> tuple[int, dict, str]:
    """Run the CLI in process: (exit code, its JSON on stdout or {}, stderr)."""
    code = main(["--config", str(config), *argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def test_gov_propose_then_list(gov_chain, config, capsys):
    code, created, _ = run(
        config, capsys, "gov", "propose", "--ballot", "quadratic", "--options", "4", "--budget", "50",
        "--description", "Which park?", "--duration", "3600",
    )  # fmt: skip
    assert code == 0 and created["ballot"] == QUADRATIC and created["budget"] == 50
    assert created["end"] - created["start"] == 3600
    code, listing, _ = run(config, capsys, "gov", "list")
    assert code == 0 and created in listing["proposals"]
    assert sum(p["ballot"] == ONE_PERSON_ONE_VOTE for p in listing["proposals"]) == 2
    assert created["metadataStatus"] == "missing"  # a bare --description: its keccak256 only


def test_gov_propose_with_labels_then_list_and_csv(gov_chain, config, capsys, tmp_path):
    code, created, _ = run(
        config, capsys, "gov", "propose", "--title", "Which park?", "--description", "Pick one.",
        "--option-label", "North", "--option-label", "South", "--option-label", "Neither",
    )  # fmt: skip
    assert code == 0 and created["options"] == 3 and created["metadataStatus"] == "verified"
    assert created["labels"] == ["North", "South", "Neither"] and created["state"] == "open"
    assert gov_chain.chain.proposals.client(ONE_PERSON_ONE_VOTE).description_hash(
        created["proposalId"]
    ).hex() == created["descriptionHash"].removeprefix("0x")
    assert main(["--config", str(config), "gov", "list"]) == 0
    text = capsys.readouterr().out
    assert f"one_person_one_vote #{created['proposalId']}: Which park?" in text
    assert "  2 Neither: 0 (0.00%)" in text and "turnout 0/4 group members (0.00%)" in text
    assert " UTC .. " in text and "metadata missing" in text  # the session's bare proposals
    table = tmp_path / "results.csv"
    args = ("gov", "results", str(created["proposalId"]), "--csv", str(table))
    assert main(["--config", str(config), *args]) == 0
    assert table.read_text().splitlines()[1:] == [
        "0,North,0,0,0.00",
        "1,South,0,0,0.00",
        "2,Neither,0,0,0.00",
    ]


def test_metadata_stored_by_the_cli_is_served_by_gov_serves_app(gov_chain, config, capsys):
    code, created, _ = run(
        config, capsys, "gov", "propose", "--title", "Shared database", "--option-label", "Aye",
        "--option-label", "Nay",
    )  # fmt: skip
    assert code == 0
    app = create_app({"PERSONHOOD_SETTINGS": load_settings(config, environ={}), "TESTING": True})
    try:
        results = app.test_client().get(
            f"/v1/proposals/{ONE_PERSON_ONE_VOTE}/{created['proposalId']}/results"
        )
        assert results.json["metadataStatus"] == "verified" and results.json["labels"] == ["Aye", "Nay"]
    finally:
        app.extensions["personhood"].nullifiers.close()


def test_gov_propose_from_a_metadata_file_and_hidden_results(gov_chain, config, capsys, tmp_path):
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"title": "Quiet", "options": ["a", "b"], "hideResultsUntilClose": True}))
    code, created, _ = run(config, capsys, "gov", "propose", "--metadata", str(meta), "--duration", "600")
    assert code == 0 and created["hidden"] is True and created["tallies"] is None
    pid = str(created["proposalId"])
    code, hidden, _ = run(config, capsys, "gov", "results", pid)
    assert code == 1 and hidden["hidden"] is True and hidden["recount"] is None
    code, revealed, _ = run(config, capsys, "gov", "results", pid, "--reveal")
    assert code == 0 and revealed["recount"] == [0, 0]  # public on chain anyway
    gov_chain.warp(601)
    code, shown, _ = run(config, capsys, "gov", "results", pid)
    assert code == 0 and shown["final"] and not shown["hidden"] and shown["recount"] == [0, 0]


@pytest.mark.parametrize(
    "argv",
    [
        ("--option-label", "a", "--option-label", "b", "--description", "x"),  # labels need a title
        ("--title", "t", "--options", "3", "--option-label", "a", "--option-label", "b"),
        ("--title", "t", "--option-label", "a", "--option-label", "a"),  # not distinct
        ("--metadata", "meta.json", "--title", "t"),
        (
            "--options",
            "2",
        ),  # nothing describes it
    ],
)
def test_gov_propose_refuses_metadata_flags_that_do_not_fit(gov_chain, config, capsys, argv):
    nonce = gov_chain.w3.eth.get_transaction_count(gov_chain.owner)
    code, _, err = run(config, capsys, "gov", "propose", *argv)
    assert code == 2 and err.strip() and "Traceback" not in err
    assert gov_chain.w3.eth.get_transaction_count(gov_chain.owner) == nonce


def test_gov_propose_refuses_bad_proposals(gov_chain, config, capsys):
    nonce = gov_chain.w3.eth.get_transaction_count(gov_chain.owner)
    code, _, err = run(config, capsys, "gov", "propose", "--options", "1", "--description", "x")
    assert code == 2 and "2..32 options" in err
    assert gov_chain.w3.eth.get_transaction_count(gov_chain.owner) == nonce


def test_gov_results_recount_equals_the_chain_and_writes_a_png(gov_chain, client, config, capsys, tmp_path):
    gov = gov_chain
    assert client.post("/v1/relay/vote", json=vote_body(gov)).status_code == 200
    chart = tmp_path / "chart.png"
    code, results, _ = run(
        config, capsys, "gov", "results", str(gov.proposals["open"]), "--chart", str(chart)
    )
    assert code == 0
    assert results["recount"] == results["tallies"] == gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    assert results["recount"] == [0, 0, 1] and results["consistent"] is True
    assert chart.read_bytes().startswith(PNG_MAGIC)
    code, _, err = run(config, capsys, "gov", "results", "999")
    assert code == 1 and "no proposal 999" in err


@pytest.fixture
def relayer_url(services) -> Iterator[str]:
    """The relayer API served by werkzeug on 127.0.0.1 (a real socket), stopped afterwards."""
    server = make_server("127.0.0.1", 0, create_app({"PERSONHOOD_SERVICES": services}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_vote_proves_locally_and_is_counted_through_the_relayer_once(
    gov_chain, config, relayer_url, capsys, tmp_path
):
    gov = gov_chain
    key = tmp_path / "voter.key"
    write_key_file(key, gov.identities[3])
    proposal = str(gov.proposals["cli"])
    args = ("vote", proposal, "--option", "1", "--identity", str(key), "--relayer", relayer_url)
    try:
        code, reply, _ = run(config, capsys, *args)
        assert code == 0, reply
        tx = gov.w3.eth.get_transaction(reply["txHash"])
        assert tx["from"] == gov.relayer.address  # the voter has no address in the vote at all
        assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["cli"]) == [0, 1]
        code, refused, _ = run(config, capsys, *args)
        assert code == 1 and refused["status"] == 409 and refused["error"] == "nullifier_used"
        assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["cli"]) == [0, 1]
    finally:
        default_pool().close()


def test_vote_refuses_an_identity_that_is_not_enrolled(gov_chain, config, relayer_url, capsys, tmp_path):
    key = tmp_path / "stranger.key"
    write_key_file(key, gov_chain.identities[5])
    argv = ("vote", "0", "--option", "0", "--identity", str(key), "--relayer", relayer_url)
    code, _, err = run(config, capsys, *argv)
    assert code == 1 and "not enrolled" in err
