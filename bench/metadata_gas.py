"""Gas of proposal metadata: only its hash on chain (what we do) against carrying the metadata itself on
chain, measured on an embedded anvil in one run.

    .venv/bin/python bench/metadata_gas.py [--json]

MEASURED, same run: `createProposal` with the metadata's keccak256 as descriptionHash (the baseline),
and the same call with the canonical metadata bytes appended to its calldata (the ABI decoder ignores
trailing bytes): the cost of publishing the text in the transaction input, readable by indexers but
not by contracts. STATED, from the gas schedule (EIP-2929/EIP-2200 cold SSTORE of a zero slot
22,100 gas per 32-byte word; LOG data 8 gas per byte): storing the bytes in contract storage, or
emitting them in an event, on top of that calldata. Two sizes: a short proposal and one with a
2,000-character description.
"""

from __future__ import annotations

import argparse
import json
import math

from web3 import Web3

from contracts import AnvilNode, build_contracts, deploy_all
from governance.proposal_metadata import ProposalMetadata
from personhood.config import load_settings

SSTORE_NEW_WORD = 22_100  # 20,000 (zero to non-zero) + 2,100 (cold slot), EIP-2200/EIP-2929
LOG_DATA_BYTE = 8  # yellow paper G_logdata
SIZES = {
    "short": ProposalMetadata("Fund the well", "Dig a well by spring.", ("Yes", "No", "Later")),
    "long": ProposalMetadata("Budget 2027", "x" * 2_000, ("Plan A", "Plan B", "Plan C", "Neither")),
}


def _gas(w3: Web3, tx: dict) -> int:
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))
    if receipt["status"] != 1:
        raise RuntimeError("benchmark transaction failed")
    return int(receipt["gasUsed"])


def measure() -> dict[str, dict[str, int]]:
    """Per size: metadata bytes, measured gas (hash only, with calldata) and stated storage/event gas."""
    settings = load_settings()
    contracts = build_contracts(settings.cache_dir, depths=(1,), node_modules=settings.node_modules)
    node = AnvilNode.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.url))
        owner = w3.eth.accounts[0]
        deployment = deploy_all(w3, contracts, owner)
        abi = list(contracts["OnePersonOneVote"].abi)
        ballot = w3.eth.contract(address=deployment.one_person_one_vote, abi=abi)
        now = int(w3.eth.get_block("latest")["timestamp"])
        # warm-up: the first proposal also turns proposalCount from zero to one (20,000 gas more)
        _gas(
            w3,
            {
                "from": owner,
                **ballot.functions.createProposal(b"\0" * 32, 2, now, now + 60).build_transaction(
                    {"from": owner}
                ),
            },
        )
        out = {}
        for name, meta in SIZES.items():
            body, now = meta.canonical(), int(w3.eth.get_block("latest")["timestamp"])
            call = ballot.functions.createProposal(meta.digest(), len(meta.options), now, now + 3600)
            tx = call.build_transaction({"from": owner})
            hash_only = _gas(w3, {"from": owner, "to": tx["to"], "data": tx["data"]})
            with_text = _gas(w3, {"from": owner, "to": tx["to"], "data": tx["data"] + body.hex()})
            words = math.ceil(len(body) / 32) + 1  # + the length slot of a `string`
            out[name] = {
                "bytes": len(body),
                "hash_only_measured": hash_only,
                "with_calldata_measured": with_text,
                "storage_stated": with_text + words * SSTORE_NEW_WORD,
                "event_stated": with_text + len(body) * LOG_DATA_BYTE,
            }
        return out
    finally:
        node.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    figures = measure()
    if parser.parse_args().json:
        print(json.dumps(figures, sort_keys=True))
        return
    for name, f in figures.items():
        base = f["hash_only_measured"]
        print(
            f"{name} metadata ({f['bytes']} bytes): hash only {base:,} gas (measured); "
            f"+ text in calldata {f['with_calldata_measured']:,} ({f['with_calldata_measured'] / base:.2f}x, "
            f"measured); + in storage ~{f['storage_stated']:,} ({f['storage_stated'] / base:.1f}x, stated); "
            f"+ in an event ~{f['event_stated']:,} ({f['event_stated'] / base:.2f}x, stated)"
        )


if __name__ == "__main__":
    main()
