"""Errors of the chain layer: building contracts, running a local chain, calls the contracts refused."""

from __future__ import annotations

from zk_identity.errors import PersonhoodError


class ChainError(PersonhoodError):
    """Talking to an EVM chain failed (node unreachable, transaction failed, unexpected state)."""


class NodeUnavailableError(ChainError, ConnectionError):
    """The JSON-RPC node did not answer a call (refused or dropped connection, timeout, HTTP error status).

    Also an OSError (ConnectionError), as the transport error it stands for: web3's `is_connected()` still
    answers False, and callers that treat network failures alike keep doing so.
    """


class ContractBuildError(ChainError):
    """Compiling Solidity or exporting a verifier failed; the message carries the tool's output."""


class AnvilError(ChainError):
    """The embedded anvil node could not be started or did not answer."""


class ContractRevertError(ChainError):
    """A contract call reverted; `error` is the custom error's name and `args` its decoded arguments.

    `error` is "" when the revert data matches no known custom error (then `data` holds the raw bytes).
    """

    def __init__(self, error: str, args: tuple[object, ...] = (), data: bytes = b"") -> None:
        self.error = error
        self.error_args = args
        self.data = data
        detail = f"{error}({', '.join(map(str, args))})" if error else f"unknown revert data 0x{data.hex()}"
        super().__init__(f"the contract refused the call: {detail}")


class ChainInputError(ChainError, ValueError):
    """An enrollment, vote or proof argument is malformed; refused before anything is sent to the chain."""
