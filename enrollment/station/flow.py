"""The enrollment station: one person's eyes in, one leaf on chain out, every step reported.

    capture (illuminator step) → quality gate → liveness → template → 1:N uniqueness
    → identity commitment → signed attestation + capture manifest → PersonhoodRegistry.enroll
    → record (commit at the uniqueness service, audit-log entry)

The station keeps no gallery: 1:N uniqueness is the deployment's uniqueness service, reached
through a `UniquenessPort` (uniqueness_port.py): search-and-reserve, then commit once the leaf
is on chain, or release. The biometric stages are in stages.py and eyes.py, the chain adapter in
chain_port.py and crash recovery in recovery.py. Writes follow the journal's protocol
(journal.py): intent (naming the reservation), reserved, send, leaf, commit, so a crash anywhere
leaves a state recovery can finish or undo. The raw frames are dropped as soon as the template is
made; the templates go, sealed, only to the service and are dropped when it answers; logs, the
audit log, the journal and the outcome carry no biometric data.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from contracts import ChainError, ContractRevertError
from hardware import AuditLog, CaptureManifest, DeviceKey, sign_manifest
from hardware.atomic_file import write_private_file
from hardware.capture import CaptureSource, Illuminator

from . import stages
from .chain_port import ChainPort, Landed
from .eyes import probe_of
from .journal import Journal
from .recovery import recover
from .steps import EnrollmentOutcome, RefusedStepError, StepResult
from .uniqueness_port import UniquenessPort, UniquenessUnavailableError, new_reservation_id

logger = logging.getLogger(__name__)

ATTESTATION_TTL_S = 600  # an unused attestation expires on chain after 10 minutes
CHAIN_REFUSALS = {
    "DeviceNotActive": "this station is not authorized to enroll (device unknown or revoked)",
    "AlreadyEnrolled": "already enrolled: this identity commitment is already in the registry",
    "AttestationExpired": "the attestation expired before it reached the chain; try again",
    "InvalidCommitment": "the identity commitment is not valid",
    "InvalidSignature": "the station's signature was refused",
}
Checkpoint = Callable[[str], None]


@dataclass(frozen=True)
class StationParams:
    """The station's parameters: biometric stages and how long an attestation stays valid."""

    stages: stages.StageParams = field(default_factory=stages.StageParams)
    attestation_ttl_s: int = ATTESTATION_TTL_S

    def __post_init__(self) -> None:
        if not 30 <= self.attestation_ttl_s <= 86_400:
            raise ValueError("attestation_ttl_s must be in [30, 86400]")


def _no_checkpoint(name: str) -> None:
    """The production checkpoint does nothing (tests inject crashes at these step boundaries)."""


class Station:
    """Runs enrollments one at a time over its device key, chain, uniqueness service, audit log, journal.

    `checkpoint(name)` is called at each write boundary ("intent", "gallery", "sending", "chain",
    "recorded"); tests raise there to simulate a crash. Call `recover()` before the first enrollment.
    """

    def __init__(
        self,
        key: DeviceKey,
        chain: ChainPort,
        uniqueness: UniquenessPort,
        audit: AuditLog,
        journal: Journal,
        manifest_dir: Path,
        params: StationParams | None = None,
        *,
        levels: stages.LevelsFactory = stages.random_step_levels,
        checkpoint: Checkpoint = _no_checkpoint,
    ) -> None:
        self.key, self.chain, self.audit, self.journal = key, chain, audit, journal
        self.uniqueness = uniqueness
        self.manifest_dir = Path(manifest_dir)
        self.manifest_dir.mkdir(parents=True, exist_ok=True)
        self.params = params or StationParams()
        self._levels, self._checkpoint = levels, checkpoint
        self._lock = threading.Lock()  # one enrollment at a time
        self._audit_lock = threading.Lock()  # the audit log is also written by the operator UI
        self.models = stages.model_versions(self.params.stages.pipeline)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        key: DeviceKey,
        chain: ChainPort,
        params: StationParams | None = None,
        *,
        uniqueness: UniquenessPort,
        levels: stages.LevelsFactory = stages.random_step_levels,
        checkpoint: Checkpoint = _no_checkpoint,
    ) -> Station:
        """Open the station's stores under `data_dir` (audit log, journal, manifests; no gallery: the
        deployment's `uniqueness` service holds it) and run recovery. Close it when done."""
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        audit = AuditLog.open(data_dir / "audit.log", key)
        try:
            journal = Journal.open(data_dir / "journal.jsonl")
        except BaseException:
            audit.close()
            raise
        station = cls(
            key,
            chain,
            uniqueness,
            audit,
            journal,
            data_dir / "manifests",
            params,
            levels=levels,
            checkpoint=checkpoint,
        )
        try:
            station.recover()
        except BaseException:
            station.close()
            raise
        return station

    # ----- the flow --------------------------------------------------------------------------------
    def enroll(
        self,
        source: CaptureSource,
        illuminator: Illuminator,
        commitment: int,
        on_step: Callable[[StepResult], None] | None = None,
    ) -> EnrollmentOutcome:
        """Run one enrollment of the person in front of `source` for identity `commitment`.

        Refusals (bad image, attack, duplicate, chain refusal) come back as an outcome with the
        failing step and its reason; a crash or an unreachable chain raises after journaling.
        `on_step` is called with each step's result as soon as it is known (the UI's progress).
        """
        with self._lock:
            if self.journal.pending():  # an earlier enrollment lost the chain mid-way: settle it first
                recover(self)
            enrollment_id = secrets.token_hex(16)
            steps = _StepLog(on_step)
            try:
                landed = self._run(enrollment_id, source, illuminator, commitment, steps)
            except RefusedStepError as refusal:
                steps.append(refusal.result)
                self.log_event(
                    "enrollment.refused",
                    {
                        "enrollment_id": enrollment_id,
                        "step": refusal.result.step,
                        "reason": refusal.result.reason,
                    },
                )
                logger.info("enrollment %s refused at %s", enrollment_id, refusal.result.step)
                return EnrollmentOutcome(enrollment_id, "refused", refusal.result.reason, tuple(steps))
            return EnrollmentOutcome(
                enrollment_id, "enrolled", "enrolled", tuple(steps), landed.leaf_index, landed.tx_hash
            )

    def _run(
        self,
        enrollment_id: str,
        source: CaptureSource,
        illuminator: Illuminator,
        commitment: int,
        steps: list,
    ) -> Landed:
        p = self.params.stages
        levels = self._levels(illuminator, p.n_frames)
        result, cap = stages.capture(source, illuminator, levels)
        steps.append(result)
        try:
            quality, made, template = stages.quality_and_template(cap.frames, p.pipeline)
            steps.append(quality)
            steps.append(stages.liveness(cap))
            steps.append(made)
        finally:
            cap.frames.clear()  # biometric: the raw images go as soon as the template exists
        probe = probe_of(self.uniqueness.eyes, template, source, illuminator, levels, p, steps)
        del template

        deadline = self.chain.now() + self.params.attestation_ttl_s
        reservation = new_reservation_id()
        self.journal.record(
            enrollment_id, "intent", reservation=reservation, commitment=str(commitment), deadline=deadline
        )
        self._checkpoint("intent")
        try:
            unique, decision_sha256 = stages.uniqueness(
                self.uniqueness, reservation, probe, commitment, deadline
            )
            steps.append(unique)
        except RefusedStepError as refusal:
            self.journal.record(enrollment_id, "aborted", reason=f"uniqueness: {refusal.result.reason}")
            raise
        finally:
            probe.clear()  # biometric: the service answered, the station keeps nothing
        self.journal.record(enrollment_id, "gallery")  # "gallery": reserved at the uniqueness service
        self._checkpoint("gallery")
        try:
            steps.append(self._commitment_step(commitment))
        except RefusedStepError as refusal:
            self.uniqueness.release(reservation)
            self.journal.record(enrollment_id, "aborted", reason=f"commitment: {refusal.result.reason}")
            raise

        started = time.perf_counter()

        enrollment = self.chain.enrollment(commitment, deadline)
        signature = self.key.sign_typed_data(enrollment.typed_data()).to_bytes()
        manifest = sign_manifest(
            self.key,
            CaptureManifest(cap.frames_sha256, cap.source_id, tuple(sorted(self.models.items())), _utc_now()),
        )
        manifest_bytes = manifest.to_json()
        write_private_file(self.manifest_path(enrollment_id), manifest_bytes + b"\n")
        steps.append(
            StepResult(
                "attestation",
                True,
                "attestation signed",
                {"deadline": deadline},
                time.perf_counter() - started,
            )
        )
        self.journal.record(enrollment_id, "sending")
        self._checkpoint("sending")

        started = time.perf_counter()
        try:
            landed = self.chain.enroll(enrollment, signature)
        except ContractRevertError as e:  # refused on the dry run: nothing was sent
            self.uniqueness.release(reservation)
            self.manifest_path(enrollment_id).unlink(missing_ok=True)
            self.journal.record(enrollment_id, "aborted", reason=e.error or "revert")
            reason = CHAIN_REFUSALS.get(
                e.error, f"the registry refused the enrollment ({e.error or 'revert'})"
            )
            raise RefusedStepError(StepResult("chain", False, reason, {"error": e.error})) from e
        self.journal.record(enrollment_id, "chain", leaf_index=landed.leaf_index, tx_hash=landed.tx_hash)
        steps.append(
            StepResult(
                "chain",
                True,
                "identity added to the registry",
                {"leaf_index": landed.leaf_index, "tx_hash": landed.tx_hash},
                time.perf_counter() - started,
            )
        )
        self._checkpoint("chain")

        started = time.perf_counter()
        try:
            self.uniqueness.commit(reservation)
        except UniquenessUnavailableError as e:  # the service commits it itself when the deadline passes
            logger.warning(
                "enrollment %s: the uniqueness service did not take the commit now: %s", enrollment_id, e
            )
        self.log_event(
            "enrollment.accepted",
            {
                "enrollment_id": enrollment_id,
                "leaf_index": landed.leaf_index,
                "tx_hash": landed.tx_hash,
                "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
                "uniqueness_decision_sha256": decision_sha256,  # the service's signed "unique"
            },
        )
        self._checkpoint("recorded")
        self.journal.record(enrollment_id, "committed")
        steps.append(StepResult("record", True, "enrollment recorded", {}, time.perf_counter() - started))
        logger.info("enrollment %s accepted as leaf %d", enrollment_id, landed.leaf_index)
        return landed

    def log_event(self, event: str, payload: Mapping[str, object]) -> None:
        """Append one signed audit-log entry (thread-safe; the payload policy refuses biometric data)."""
        with self._audit_lock:
            self.audit.append(event, payload)

    def manifest_path(self, enrollment_id: str) -> Path:
        """Where the signed capture manifest of `enrollment_id` is kept."""
        return self.manifest_dir / f"{enrollment_id}.json"

    def _commitment_step(self, commitment: int) -> StepResult:
        started = time.perf_counter()
        try:
            record = self.chain.member(commitment)
        except ChainError as e:
            raise RefusedStepError(
                StepResult("commitment", False, f"the chain cannot be reached: {e}")
            ) from e
        if record.enrolled:
            raise RefusedStepError(
                StepResult(
                    "commitment",
                    False,
                    "already enrolled: this identity commitment is already in the registry",
                )
            )
        return StepResult(
            "commitment", True, "identity commitment received", {}, time.perf_counter() - started
        )

    # ----- recovery and health ---------------------------------------------------------------------
    def recover(self) -> list[tuple[str, str]]:
        """Resolve every unfinished journal entry against the chain; returns (enrollment id, action)."""
        with self._lock:
            return recover(self)

    def health(self) -> dict[str, object]:
        """Device key backend, chain connection, the eyes the service stores, model versions, pending."""
        chain = self.chain.health(self.key.address)
        return {
            "key": {"backend": self.key.backend, "address": self.key.address},
            "chain": chain,
            "uniqueness_eyes": list(self.uniqueness.eyes),
            "models": dict(self.models),
            "pending": len(self.journal.pending()),
        }

    def close(self) -> None:
        """Close the audit log and journal (the key and the uniqueness client belong to the caller)."""
        self.audit.close()
        self.journal.close()


class _StepLog(list):
    """The steps so far; tells `on_step` about each one as it is appended."""

    def __init__(self, on_step: Callable[[StepResult], None] | None) -> None:
        super().__init__()
        self._on_step = on_step

    def append(self, result: StepResult) -> None:
        super().append(result)
        if self._on_step is not None:
            self._on_step(result)


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
