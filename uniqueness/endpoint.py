"""The service's request handling, transport-free: authenticate, decrypt, decide, sign the answer.

    parse + signature (signed_request.py) → freshness and replay (NonceGuard) → the signer must be
    an active device of the registry → reserve only: open the sealed probe (AAD = the signed request)
    and check it against the signed digest → the service's operation → a decision signed by the
    service's key

The HTTP adapter (api.py) and the in-process transport (client.py) both call `handle`, so a test
without sockets runs exactly the checks a station meets over HTTP. The probe's plaintext lives only
inside `handle` and is dropped when the decision is made.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from hardware.signed_json import canonical_json, sign_document

from .deletions import parse_delete
from .errors import RequestRefusedError, UnauthorizedDeviceError, UniquenessError
from .eyes import parse_probe, probe_sha256
from .sealed import X25519_KEY_PURPOSE, open_sealed, public_bytes
from .service import UniquenessService
from .signed_request import NonceGuard, StationRequest, parse_request

DECISION_KIND = "personhood.uniqueness-decision/1"
MAX_SEALED_BYTES = 16 * 1024  # two templates (2 x 4,102 bytes) plus nonce and tag


class Endpoint:
    """Answers station requests for one service; thread-safe (the service serializes decisions)."""

    def __init__(
        self,
        service: UniquenessService,
        clock: Callable[[], float] = time.time,
        operator: str | None = None,
    ) -> None:
        """`operator`: the one address whose signed requests may erase records (None: nobody may)."""
        self.service = service
        self._clock = clock
        self.operator = operator
        self._x25519 = X25519PrivateKey.from_private_bytes(
            service.key.derive_key_material(X25519_KEY_PURPOSE)
        )
        self.guard = NonceGuard(not_before=int(clock()))

    @property
    def x25519_public(self) -> bytes:
        """The key stations seal probes to (derived from the service's device key, stable)."""
        return public_bytes(self._x25519.public_key())

    def info(self) -> dict[str, object]:
        """What a station pins: the service's signing address, its X25519 key, the eyes it stores."""
        return {
            "service": self.service.key.address,
            "x25519": self.x25519_public.hex(),
            "registry": self.service.registry.address,
            "eyes": list(self.service.params.eyes),
        }

    def handle(self, op: str, body: object) -> dict[str, object]:
        """Answer one request to `op`; raises a UniquenessError subclass (with its code) to refuse."""
        if not isinstance(body, Mapping) or "request" not in body:
            raise RequestRefusedError('the body must be a JSON object with a "request"')
        doc = body["request"]
        request = parse_request(doc, self.service.key.address)
        try:
            if request.op != op:
                raise RequestRefusedError(f"a {request.op} request sent to /v1/{op}")
            self.guard.admit(request, self._clock())
            status = self.service.registry.device_status(request.station)
            if status != "active":
                raise UnauthorizedDeviceError(f"device {request.station} is {status} in the registry")
            decision = self._operate(request, body, doc)
        except UniquenessError as e:
            self.service.log_refusal(request.station, op, e.code)
            raise
        return sign_document(
            self.service.key,
            {"kind": DECISION_KIND, **asdict(decision), "nonce": request.nonce, "time": int(self._clock())},
        )

    def handle_delete(self, body: object) -> dict[str, object]:
        """Erase a record for the operator (deletions.py); raises a UniquenessError to refuse."""
        if not isinstance(body, Mapping) or "request" not in body:
            raise RequestRefusedError('the body must be a JSON object with a "request"')
        if self.operator is None:
            raise UnauthorizedDeviceError(
                "this service was started without --operator: nobody may erase records", "deletion_disabled"
            )
        request = parse_delete(body["request"], self.service.key.address)
        if request.station.lower() != self.operator.lower():
            self.service.log_refusal(request.station, "delete", "not_operator")
            raise UnauthorizedDeviceError(
                f"{request.station} is not this service's operator: only the operator may erase records",
                "not_operator",
            )
        if self.service.registry.device_status(request.station) != "unknown":
            raise UnauthorizedDeviceError(  # a station's key must never double as the operator's
                f"{request.station} is a station device in the registry; the operator's key must be another",
                "not_operator",
            )
        self.guard.admit(request, self._clock())  # type: ignore[arg-type]  # duck-typed: station, nonce, time
        try:
            self.service.delete(request.station, request.record_id, request.reason, request.time)
        except UniquenessError as e:
            self.service.log_refusal(request.station, "delete", e.code)
            raise
        return sign_document(
            self.service.key,
            {
                "kind": DECISION_KIND,
                "op": "delete",
                "result": "deleted",
                "record_id": str(request.record_id),
                "operator": request.station,
                "nonce": request.nonce,
                "time": int(self._clock()),
            },
        )

    def _operate(self, request: StationRequest, body: Mapping[str, object], doc: object):
        if request.op == "commit":
            return self.service.commit(request.station, request.reservation)
        if request.op == "release":
            return self.service.release(request.station, request.reservation)
        sealed_text = body.get("sealed")
        if not isinstance(sealed_text, str) or len(sealed_text) > MAX_SEALED_BYTES * 2:
            raise RequestRefusedError(
                "a reserve request carries the sealed probe as base64", "bad_ciphertext"
            )
        try:
            sealed = base64.b64decode(sealed_text, validate=True)
        except (binascii.Error, ValueError) as e:
            raise RequestRefusedError("the sealed probe is not base64", "bad_ciphertext") from e
        plaintext = open_sealed(self._x25519, request.enc or b"", sealed, canonical_json(doc))
        if probe_sha256(plaintext) != request.probe_sha256:
            raise RequestRefusedError("the sealed probe is not the one the station signed", "bad_probe")
        probe = parse_probe(plaintext, self.service.params.eyes)
        del plaintext
        assert request.commitment is not None and request.deadline is not None  # parse_request: reserve
        return self.service.reserve(
            request.station, request.reservation, probe, request.commitment, request.deadline
        )
