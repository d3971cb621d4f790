"""What the station checks before a person's eyes are captured: this device may enroll, and the
person's commitment is not already on chain.

Either would refuse the enrollment at its end (the uniqueness service refuses an inactive device, the
registry refuses a known commitment), after the person's eyes were captured and processed for
nothing. Asked first, the registry answers in two reads and no biometric step runs. The flow still
checks both again where they matter (a device revoked or a commitment enrolled elsewhere in between
is refused there as before): this is the early answer, not the guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import ChainError
from zk_identity.errors import PersonhoodError

from .chain_port import ChainPort

REFUSALS = {
    "device_not_authorized": "this station's device is not authorized to enroll on this registry; "
    "the registry owner runs `personhood registry authorize-device {device}`",
    "device_revoked": "this station's device has been revoked on this registry: it cannot enroll anyone",
    "already_enrolled": "already enrolled: this identity commitment is already on chain "
    "(the person is a member; nothing to do)",
    "chain_unreachable": "the chain cannot be reached, so nothing was captured: {error}",
}


class PreCaptureRefusedError(PersonhoodError):
    """Refused before the camera opens: `code` is one of REFUSALS' keys; the message says why."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class PreCaptureChecks:
    """What the registry said: the device's status and that the commitment is not a member."""

    device_status: str
    commitment_on_chain: bool

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (the operator UI shows it beside the holder check)."""
        return {"device": self.device_status, "commitment_on_chain": self.commitment_on_chain}


def check_before_capture(chain: ChainPort, device: str, commitment: int) -> PreCaptureChecks:
    """Ask the registry whether `device` is active and `commitment` unknown; PreCaptureRefusedError if not.

    Two reads, no write; raises before any camera is opened or frame is read.
    """
    try:
        status = chain.device_status(device)
        if status != "active":
            code = "device_revoked" if status == "revoked" else "device_not_authorized"
            raise PreCaptureRefusedError(code, REFUSALS[code].format(device=device))
        record = chain.member(commitment)
    except (ChainError, OSError) as e:
        raise PreCaptureRefusedError(
            "chain_unreachable", REFUSALS["chain_unreachable"].format(error=str(e)[:200])
        ) from e
    if record.enrolled:
        raise PreCaptureRefusedError("already_enrolled", REFUSALS["already_enrolled"])
    return PreCaptureChecks(status, False)
