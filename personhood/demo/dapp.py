"""The demo's dapp: an airdrop that pays each unique human once. A person proves membership for the
airdrop's action under the dapp's app id on this chain (scope = action_scope(app id, chain id, action)),
bound to their wallet (the signal), and the dapp asks /v1/verify; claiming again for another wallet
reuses the same nullifier for that scope and is refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from governance import action_scope, signal_message
from governance.http_client import post_json
from zk_identity import LeanIMT, ProvingSetup, prove

from .people import Person

AIRDROP_APP_ID = "app_demo_airdrop"
AIRDROP_ACTION = "demo-airdrop-claim"
FIRST_WALLET = "0x00000000000000000000000000000000000d3a01"
SECOND_WALLET = "0x00000000000000000000000000000000000d3a02"
Report = Callable[[str], None]


@dataclass(frozen=True)
class Claims:
    """The two claims' HTTP outcomes."""

    first_status: int
    second_status: int
    second_error: str

    @property
    def first(self) -> str:
        """ "accepted" when /v1/verify said 200."""
        return "accepted" if self.first_status == 200 else "refused"

    @property
    def second(self) -> str:
        """ "refused" unless /v1/verify said 200."""
        return "accepted" if self.second_status == 200 else "refused"


def claim(
    person: Person, wallet: str, group: LeanIMT, setup: ProvingSetup, api: str, chain_id: int
) -> tuple[int, dict]:
    """Prove "a unique human, once, for the airdrop, paying `wallet`" and ask the API to verify it."""
    message, scope = signal_message(wallet), action_scope(AIRDROP_APP_ID, chain_id, AIRDROP_ACTION)
    proof = prove(person.identity, group, message, scope, depth=group.depth, setup=setup)
    body = {"app_id": AIRDROP_APP_ID, "action": AIRDROP_ACTION, "signal": wallet, "proof": proof.to_json()}
    return post_json(f"{api}/v1/verify", body)


def airdrop(
    person: Person, group: LeanIMT, setup: ProvingSetup, api: str, report: Report, chain_id: int
) -> Claims:
    """Claim twice for `person` (two wallets); the dapp should accept the first and refuse the second."""
    first, reply = claim(person, FIRST_WALLET, group, setup, api, chain_id)
    verdict = "accepted" if first == 200 else f"REFUSED ({first}): {reply.get('message')}"
    report(f"  {person.name} claims the airdrop for wallet {FIRST_WALLET}: {verdict}")
    second, reply = claim(person, SECOND_WALLET, group, setup, api, chain_id)
    verdict = "accepted (!)" if second == 200 else f"refused ({second}): {reply.get('message')}"
    report(f"  {person.name} claims again for wallet {SECOND_WALLET}: {verdict}")
    return Claims(first, second, str(reply.get("error", "")))
