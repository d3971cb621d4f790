"""The station's client of the uniqueness service: signed, sealed requests; signed answers checked.

Each call builds a fresh request (nonce, time) signed by the station's device key (keystore or
PKCS#11, any `DeviceKey`), seals a reserve's probe to the service's pinned X25519 key with the
signed request as AAD, and accepts only an answer signed by the pinned service address that echoes
the request's nonce. Transports: `HttpTransport` (the real thing) and `AppTransport` (the same Flask
app driven in-process, for tests without sockets).
"""

from __future__ import annotations

import base64
import http.client
import json
import secrets
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Protocol

from enrollment.iris import IrisTemplate
from enrollment.station import ReserveAnswer, UniquenessRefusedError, UniquenessUnavailableError
from hardware import DeviceKey, SignatureError
from hardware.signed_json import canonical_json, verify_document

from .endpoint import DECISION_KIND
from .eyes import check_eyes, probe_bytes, probe_sha256
from .sealed import new_ephemeral, public_bytes, seal
from .signed_request import sign_request

DEFAULT_TIMEOUT_S = 30.0  # a search over a million-person gallery takes ~0.5 s; leave room for a queue


class Transport(Protocol):
    def get(self, path: str) -> tuple[int, dict]: ...

    def post(self, path: str, body: dict) -> tuple[int, dict]: ...


class HttpTransport:
    """JSON over HTTP to `base_url` (one connection per call)."""

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"the uniqueness service URL must be http(s)://host:port, got {base_url!r}")
        self._parsed, self._timeout = parsed, timeout

    def _request(self, method: str, path: str, body: dict | None) -> tuple[int, dict]:
        p = self._parsed
        kind = http.client.HTTPSConnection if p.scheme == "https" else http.client.HTTPConnection
        connection = kind(p.hostname, p.port, timeout=self._timeout)
        try:
            data = None if body is None else json.dumps(body).encode()
            connection.request(method, p.path.rstrip("/") + path, data, {"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        except (OSError, http.client.HTTPException, ValueError) as e:
            raise UniquenessUnavailableError(
                f"the uniqueness service at {p.netloc} did not answer: {e}"
            ) from e
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, dict]:
        return self._request("GET", path, None)

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        return self._request("POST", path, body)


class AppTransport:
    """The service's Flask app driven in this process (same handlers and error mapping, no socket)."""

    def __init__(self, app: object) -> None:
        self._client = app.test_client()  # type: ignore[attr-defined]

    def get(self, path: str) -> tuple[int, dict]:
        response = self._client.get(path)
        return response.status_code, response.get_json() or {}

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        response = self._client.post(path, json=body)
        return response.status_code, response.get_json() or {}


class UniquenessClient:
    """A station's handle on the service (implements enrollment.station.UniquenessPort)."""

    def __init__(
        self,
        key: DeviceKey,
        transport: Transport,
        service: str,
        x25519_public: bytes,
        eyes: tuple[str, ...],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key, self.transport, self.service = key, transport, service
        self.x25519_public, self.eyes, self._clock = x25519_public, check_eyes(tuple(eyes)), clock

    @classmethod
    def connect(
        cls, key: DeviceKey, transport: Transport, expected_service: str | None = None
    ) -> UniquenessClient:
        """Read the service's keys from /v1/info; refuse a service other than `expected_service` (pin it)."""
        status, info = transport.get("/v1/info")
        if status != 200:
            raise UniquenessUnavailableError(f"the uniqueness service's /v1/info answered {status}: {info}")
        service = str(info.get("service", ""))
        if expected_service is not None and service.lower() != expected_service.lower():
            raise UniquenessRefusedError(
                f"the service is {service}, not the pinned {expected_service}", "wrong_service"
            )
        return cls(key, transport, service, bytes.fromhex(str(info["x25519"])), tuple(info["eyes"]))

    def reserve(
        self, reservation: str, probe: Mapping[str, IrisTemplate], commitment: int, deadline: int
    ) -> ReserveAnswer:
        """Search-and-reserve `probe` (the eyes the service stores) for `commitment` until `deadline`."""
        plaintext = probe_bytes({eye: probe[eye] for eye in self.eyes})
        ephemeral = new_ephemeral()
        request = self._request(
            "reserve",
            reservation,
            commitment=str(commitment),
            deadline=int(deadline),
            probe_sha256=probe_sha256(plaintext),
            enc=public_bytes(ephemeral.public_key()).hex(),
        )
        sealed = seal(ephemeral, self.x25519_public, plaintext, canonical_json(request))
        del plaintext
        answer = self._call(
            "reserve", {"request": request, "sealed": base64.b64encode(sealed).decode()}, request
        )
        return ReserveAnswer(
            answer["result"] == "unique",
            reservation,
            int(answer.get("searched") or 0),
            float(answer.get("threshold") or 0.0),
            answer,
        )

    def commit(self, reservation: str) -> str:
        """Tell the service the leaf landed; returns "committed"."""
        request = self._request("commit", reservation)
        return str(self._call("commit", {"request": request}, request)["result"])

    def release(self, reservation: str) -> str:
        """Give the reservation back; returns "released" (or "committed" when the leaf is on chain)."""
        request = self._request("release", reservation)
        return str(self._call("release", {"request": request}, request)["result"])

    def _request(self, op: str, reservation: str, **fields: object) -> dict[str, object]:
        body = {
            "op": op,
            "service": self.service,
            "reservation": reservation,
            "nonce": secrets.token_hex(16),
            "time": int(self._clock()),
            **fields,
        }
        return sign_request(self.key, body)

    def _call(self, op: str, body: dict, request: Mapping[str, object]) -> dict:
        status, answer = self.transport.post(f"/v1/{op}", body)
        if status >= 500:
            raise UniquenessUnavailableError(
                f"the uniqueness service cannot decide: {answer.get('message', status)}",
                str(answer.get("error")),
            )
        if status != 200:
            raise UniquenessRefusedError(
                str(answer.get("message", status)), str(answer.get("error", "refused"))
            )
        try:
            verify_document(answer, expected_device=self.service)
        except (SignatureError, ValueError) as e:
            raise UniquenessUnavailableError(
                f"the service's answer is not signed by {self.service}: {e}"
            ) from e
        if (
            answer.get("kind") != DECISION_KIND
            or answer.get("nonce") != request["nonce"]
            or answer.get("op") != op
        ):
            raise UniquenessUnavailableError("the service's answer does not answer this request")
        return answer
