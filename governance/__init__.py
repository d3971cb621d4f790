"""Governance: the dapp verification API, the vote relayer, proposals, results pages and charts."""

from . import charts, openapi, relayer, results_page, verify_api
from .admission import AdmissionGate, Capacity, OverloadedError
from .api_guard import ApiGuard
from .charts import bar_chart_png
from .client_address import ClientAddress
from .errors import (
    GovernanceError,
    NotFoundError,
    NullifierUsedError,
    ProofRejectedError,
    RateLimitedError,
    RequestError,
    UpstreamError,
)
from .indexer import GroupIndexer
from .nullifier_store import NullifierStore, sqlite_url
from .proof_check import ProofChecker, check_binding
from .proposals import BALLOT_KINDS, Proposal, ProposalBook, ProposalResults
from .rate_limit import RateLimit, RateLimiter
from .relay_pending import PendingVote, PendingVotes
from .relay_policy import GasBudget, RelayControls, RelayPolicy, RelayRefusedError
from .relay_queue import AlreadyQueuedError, QueuedVote, RelayQueue, relay_queue_url
from .relay_worker import RELAY_VOTE_GAS, RelayWorker
from .requests import VerifyRequest, VoteRequest, action_scope, parse_verify, parse_vote, signal_message
from .results_cache import ResultsReader
from .root_cache import CachedRoots
from .services import Chain, Services, governance_chain, relayer_sender

__all__ = [
    "BALLOT_KINDS",
    "RELAY_VOTE_GAS",
    "AdmissionGate",
    "AlreadyQueuedError",
    "ApiGuard",
    "CachedRoots",
    "Capacity",
    "Chain",
    "ClientAddress",
    "GasBudget",
    "GovernanceError",
    "GroupIndexer",
    "NotFoundError",
    "NullifierStore",
    "NullifierUsedError",
    "OverloadedError",
    "PendingVote",
    "PendingVotes",
    "ProofChecker",
    "ProofRejectedError",
    "Proposal",
    "ProposalBook",
    "ProposalResults",
    "QueuedVote",
    "RateLimit",
    "RateLimitedError",
    "RateLimiter",
    "RelayControls",
    "RelayPolicy",
    "RelayQueue",
    "RelayRefusedError",
    "RelayWorker",
    "RequestError",
    "ResultsReader",
    "Services",
    "UpstreamError",
    "VerifyRequest",
    "VoteRequest",
    "action_scope",
    "bar_chart_png",
    "charts",
    "check_binding",
    "governance_chain",
    "openapi",
    "parse_verify",
    "parse_vote",
    "relay_queue_url",
    "relayer",
    "relayer_sender",
    "results_page",
    "signal_message",
    "sqlite_url",
    "verify_api",
]
