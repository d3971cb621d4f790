"""Station requests: what a station signs with its device key, and the checks the service runs on them.

A request is a signed document (hardware/signed_json.py: EIP-191 over canonical JSON):

    {"kind": KIND, "op": "reserve" | "commit" | "release", "service": <service address>,
     "reservation": <32 hex, chosen by the station>, "nonce": <32 hex, fresh>, "time": <unix s>,
     reserve only: "commitment": "<decimal>", "deadline": <unix s>, "probe_sha256": <hex>,
                   "enc": <sender's ephemeral X25519 key, hex>,
     "device": <station address>, "sig": <signature>}

`service` binds a request to one service; `time` and `nonce` make it single-use (NonceGuard);
`probe_sha256` and `enc` tie it to the sealed probe (sealed.py uses this document as AAD).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from hardware import DeviceKey, SignatureError
from hardware.signed_json import sign_document, verify_document

from .errors import RequestRefusedError, ServiceUnavailableError

KIND = "personhood.uniqueness-request/1"
OPS = ("reserve", "commit", "release")
MAX_SKEW_S = 120  # a request older (or further in the future) than this is refused as stale
MAX_NONCES = 200_000  # replay memory: ~40 MiB at most; full means refusing, never forgetting early
HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_COMMITMENT = 2**256
RESERVE_FIELDS = frozenset({"commitment", "deadline", "probe_sha256", "enc"})
BASE_FIELDS = frozenset({"kind", "op", "service", "reservation", "nonce", "time", "device", "sig"})


@dataclass(frozen=True)
class StationRequest:
    """A request whose signature, freshness and nonce checked out; `station` is the signer's address."""

    op: str
    station: str
    reservation: str
    nonce: str
    time: int
    commitment: int | None = None
    deadline: int | None = None
    probe_sha256: str | None = None
    enc: bytes | None = None


def sign_request(key: DeviceKey, body: Mapping[str, object]) -> dict[str, object]:
    """The signed request document for `body` (kind added here)."""
    return sign_document(key, {"kind": KIND, **body})


def _int_field(doc: Mapping[str, object], name: str, low: int, high: int) -> int:
    value = doc.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < high:
        raise RequestRefusedError(f"`{name}` must be an integer in [{low}, {high})")
    return value


def parse_request(doc: object, service: str) -> StationRequest:
    """Structure and signature of a request to `service`; raises RequestRefusedError. No state changes."""
    if not isinstance(doc, dict):
        raise RequestRefusedError("the request must be a JSON object")
    op = doc.get("op")
    if doc.get("kind") != KIND or op not in OPS:
        raise RequestRefusedError(f"not a uniqueness request (kind {KIND}, op one of {OPS})")
    allowed = BASE_FIELDS | (RESERVE_FIELDS if op == "reserve" else frozenset())
    if set(doc) != allowed:
        raise RequestRefusedError(f"a {op} request has exactly the fields {sorted(allowed)}")
    if str(doc["service"]).lower() != service.lower():
        raise RequestRefusedError("the request is addressed to another uniqueness service", "wrong_service")
    for name in ("reservation", "nonce"):
        if not isinstance(doc[name], str) or not HEX32.match(doc[name]):
            raise RequestRefusedError(f"`{name}` must be 32 lower-case hex characters")
    try:
        station = verify_document(doc)
    except (SignatureError, ValueError) as e:
        raise RequestRefusedError(f"the request's signature does not verify: {e}", "bad_signature") from e
    fields: dict[str, object] = {}
    if op == "reserve":
        commitment = doc["commitment"]
        if not isinstance(commitment, str) or not commitment.isdigit() or int(commitment) >= MAX_COMMITMENT:
            raise RequestRefusedError("`commitment` must be a decimal uint256")
        for name in ("probe_sha256", "enc"):
            if not isinstance(doc[name], str) or not HEX64.match(doc[name]):
                raise RequestRefusedError(f"`{name}` must be 64 lower-case hex characters")
        fields = {
            "commitment": int(commitment),
            "deadline": _int_field(doc, "deadline", 0, 2**63),
            "probe_sha256": doc["probe_sha256"],
            "enc": bytes.fromhex(doc["enc"]),
        }
    return StationRequest(
        op, station, doc["reservation"], doc["nonce"], _int_field(doc, "time", 0, 2**63), **fields
    )


class NonceGuard:
    """Refuses stale requests and replayed nonces, remembering nonces only as long as they are fresh.

    Requests signed before `not_before` (the service's start) are refused too: the nonces seen by an
    earlier process are gone, so such a request could be a replay. A nonce is kept until its
    request's time leaves the freshness window (after which the request is
    refused as stale anyway), so memory is bounded by the request rate times 2 * MAX_SKEW_S; when
    MAX_NONCES are held, new requests are refused (unavailable) rather than old nonces forgotten.
    """

    def __init__(
        self, max_skew_s: int = MAX_SKEW_S, capacity: int = MAX_NONCES, not_before: float = 0
    ) -> None:
        self.max_skew_s, self.capacity = max_skew_s, capacity
        self.not_before = not_before  # the memory starts empty: refuse what was signed before it
        self._seen: OrderedDict[str, int] = OrderedDict()  # nonce -> forget after (unix s)
        self._lock = threading.Lock()

    def admit(self, request: StationRequest, now: float) -> None:
        """Accept `request` once; RequestRefusedError (stale_request / replayed_request) otherwise."""
        if abs(now - request.time) > self.max_skew_s:
            raise RequestRefusedError(
                f"the request's time is {now - request.time:+.0f} s off the service clock "
                f"(at most {self.max_skew_s} s); check the station's clock",
                "stale_request",
            )
        if request.time < self.not_before:  # a restart forgot older nonces: such a request may be a replay
            raise RequestRefusedError(
                "the request was signed before the service started; sign a fresh one", "stale_request"
            )
        key = f"{request.station.lower()}:{request.nonce}"
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now:
                self._seen.popitem(last=False)
            if key in self._seen:
                raise RequestRefusedError("this request was already received (replay)", "replayed_request")
            if len(self._seen) >= self.capacity:
                raise ServiceUnavailableError("too many requests in flight; retry in a minute")
            # insertion order is arrival order, so expiry times are ordered to within 2 * max_skew_s
            # and the sweep above frees memory at most that much late
            self._seen[key] = int(max(request.time, now)) + self.max_skew_s + 1

    def __len__(self) -> int:
        return len(self._seen)
