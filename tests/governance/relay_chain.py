"""A bare anvil for the relayer's worker and outbox tests: no contracts, no proofs, blocks mined only when a
test says so (automine off), one funded relayer key per test.

A "vote" here is a transaction from the relayer to a plain address whose data is the nullifier (32 bytes);
`spent(ballot, nullifier)` reads the chain for a successful transaction from the relayer carrying that data,
as the ballot contract's `nullifierUsed` says whether a vote counted. A contract that always reverts stands
in for a vote the chain refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from contracts.nonce_sender import Outbox
from governance import RelayQueue

SINK = Web3.to_checksum_address("0x" + "5e" * 20)  # receives the votes: any address takes calldata
# init code: CODECOPY the 5-byte runtime PUSH1 0 PUSH1 0 REVERT and RETURN it
REVERTER_INIT = "0x6005600c60003960056000f3" + "60006000fd"
VOTE_GAS = 60_000


def vote_data(nullifier: int) -> str:
    return "0x" + nullifier.to_bytes(32, "big").hex()


@dataclass
class RelayChain:
    """The node, its web3 and a contract that reverts every call."""

    w3: Web3
    reverter: str

    def mine(self) -> None:
        self.w3.provider.make_request("evm_mine", [])

    def relayer(self, name: str) -> LocalAccount:
        """A fresh key with 10 ETH (mined)."""
        account = Account.from_key(keccak(text=f"relay-worker-test-{name}"))
        funder = self.w3.eth.accounts[0]
        self.w3.eth.send_transaction({"from": funder, "to": account.address, "value": 10**19})
        self.mine()
        return account

    def outbox(self, account: LocalAccount) -> Outbox:
        return Outbox(self.w3, account)

    def spent_by(self, sender: str):
        """(ballot, nullifier) -> True once a successful transaction from `sender` carried the vote."""

        def spent(ballot: str, nullifier: int) -> bool:
            if ballot != "opv":  # every vote of these tests is on this ballot; another ballot never saw it
                return False
            wanted = bytes.fromhex(vote_data(nullifier)[2:])
            for number in range(self.w3.eth.block_number + 1):
                for tx in self.w3.eth.get_block(number, full_transactions=True)["transactions"]:
                    ours = tx["from"] == sender and bytes(tx["input"]) == wanted
                    if ours and self.w3.eth.get_transaction_receipt(tx["hash"])["status"] == 1:
                        return True
            return False

        return spent

    def price(self) -> int:
        """What the worker should offer now: twice the next block's base fee plus the suggested tip."""
        return 2 * self.w3.eth.get_block("pending")["baseFeePerGas"] + self.w3.eth.max_priority_fee

    def pending_count(self, address: str) -> int:
        return self.w3.eth.get_transaction_count(address, "pending")

    def mined_count(self, address: str) -> int:
        return self.w3.eth.get_transaction_count(address, "latest")


def enqueue(queue: RelayQueue, sender: str, nullifier: int, to: str = SINK, gas: int = VOTE_GAS):
    return queue.enqueue("opv", 1, nullifier, sender, to, vote_data(nullifier), gas)
