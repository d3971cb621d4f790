"""`personhood chain build|deploy` (the noun module, driven through its own parser)."""

from __future__ import annotations

import argparse
import json

import pytest
from web3 import Web3

from contracts import AnvilNode
from personhood.commands import chain
from personhood.commands.usage_error import UsageError
from personhood.config import load_settings

pytestmark = pytest.mark.slow


def _run(argv: list[str], settings) -> int:
    parser = argparse.ArgumentParser()
    chain.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args, settings)


@pytest.mark.parametrize(("text", "depths"), [("3", [3]), ("1-4", [1, 2, 3, 4]), (" 32 ", [32])])
def test_depth_ranges(text, depths):
    assert chain.parse_depths(text) == depths


@pytest.mark.parametrize("text", ["0", "33", "4-2", "1-40", "x", "1,2"])
def test_bad_depth_ranges_are_refused(text):
    with pytest.raises(ValueError):
        chain.parse_depths(text)


def test_deploy_to_a_configured_rpc_url(capsys, tmp_path):
    with AnvilNode.start() as node:
        settings = load_settings(environ={}).replace(rpc_url=node.url, data_dir=tmp_path)
        assert _run(["chain", "deploy", "--depths", "1-2", "--json"], settings) == 0
        out = json.loads(capsys.readouterr().out)
        w3 = Web3(Web3.HTTPProvider(node.url))
        for key in ("poseidon", "registry", "verifier", "one_person_one_vote", "quadratic_vote"):
            assert w3.eth.get_code(out[key]), key
        assert sorted(out["groth16"]) == ["1", "2"]
        # The deployment file every other command reads; the chain is still up after deploy returns.
        assert json.loads(settings.deployment_path.read_text()) == out
        assert out["rpc_url"] == node.url and w3.eth.get_code(out["registry"])
        assert [p.name for p in tmp_path.iterdir()] == ["deployment.json"]  # no temporary file left


def test_deploy_without_a_chain_that_outlives_it_is_refused(tmp_path):
    settings = load_settings(environ={}).replace(rpc_url="", data_dir=tmp_path)
    with pytest.raises(UsageError, match="chain up"):
        _run(["chain", "deploy", "--no-serve", "--depths", "1"], settings)
    assert not settings.deployment_path.exists()
