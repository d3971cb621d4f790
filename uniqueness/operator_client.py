"""The operator's side of an erasure: sign a deletion request, send it, check the signed answer."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from enrollment.station.uniqueness_port import UniquenessRefusedError, UniquenessUnavailableError
from hardware import DeviceKey, SignatureError
from hardware.signed_json import verify_document

from .client import Transport
from .deletions import sign_delete
from .endpoint import DECISION_KIND


def request_deletion(
    key: DeviceKey,
    transport: Transport,
    record_id: int,
    reason: str,
    expected_service: str | None = None,
    clock: Callable[[], float] = time.time,
) -> dict:
    """Ask the service to erase `record_id`, signed by the operator's `key`; the signed answer.

    Raises UniquenessRefusedError with the service's code (not_operator, unknown_record,
    reservation_open, deletion_disabled, ...) or UniquenessUnavailableError (no answer, or one not
    signed by the service, or not answering this request)."""
    status, info = transport.get("/v1/info")
    if status != 200:
        raise UniquenessUnavailableError(f"the uniqueness service's /v1/info answered {status}: {info}")
    service = str(info.get("service", ""))
    if expected_service is not None and service.lower() != expected_service.lower():
        raise UniquenessRefusedError(
            f"the service is {service}, not the pinned {expected_service}", "wrong_service"
        )
    request = sign_delete(key, service, record_id, reason, secrets.token_hex(16), int(clock()))
    status, answer = transport.post("/v1/delete", {"request": request})
    if status >= 500:
        raise UniquenessUnavailableError(
            f"the uniqueness service cannot delete now: {answer.get('message', status)}",
            str(answer.get("error")),
        )
    if status != 200:
        raise UniquenessRefusedError(str(answer.get("message", status)), str(answer.get("error", "refused")))
    try:
        verify_document(answer, expected_device=service)
    except (SignatureError, ValueError) as e:
        raise UniquenessUnavailableError(f"the service's answer is not signed by {service}: {e}") from e
    if (
        answer.get("kind") != DECISION_KIND
        or answer.get("nonce") != request["nonce"]
        or answer.get("record_id") != str(record_id)
        or answer.get("result") != "deleted"
    ):
        raise UniquenessUnavailableError("the service's answer does not answer this request")
    return answer
