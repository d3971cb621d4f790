"""A small pool of persistent node processes running prover_worker.mjs (snarkjs as a library).

Each worker loads a circuit's wasm and zkey once and then proves requests sent as JSON lines
over stdio, which saves the ~1 s of node start-up and key loading a fresh `snarkjs` process
pays per proof. A request that times out kills its worker; a worker that dies is restarted on
the next request; errors reported by node come back as ProverError with node's message.
Workers end when the pool is closed (context manager, `close()`, or at interpreter exit).
"""

from __future__ import annotations

import atexit
import collections
import itertools
import json
import logging
import os
import queue
import subprocess
import threading
from pathlib import Path
from typing import IO, Any

from .errors import ProverError
from .node_tools import node_executable, node_package

log = logging.getLogger(__name__)
WORKER_SCRIPT = Path(__file__).resolve().parent / "prover_worker.mjs"
DEFAULT_TIMEOUT_S = 120.0
STDERR_LINES_KEPT = 40


class ProverWorker:
    """One node process; one request at a time (the pool guarantees it)."""

    def __init__(self, node_modules: Path | None = None) -> None:
        self._node_modules = node_modules
        self._proc: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=STDERR_LINES_KEPT)
        self._ids = itertools.count(1)

    @property
    def alive(self) -> bool:
        """True while the node process runs."""
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the node process if it is not running."""
        if self.alive:
            return
        self.stop()
        snarkjs_main = node_package("snarkjs", self._node_modules) / "main.js"
        command = [str(node_executable()), str(WORKER_SCRIPT), str(snarkjs_main)]
        self._replies = queue.Queue()
        self._proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            cwd=WORKER_SCRIPT.parent,
        )
        threading.Thread(target=self._pump, args=(self._proc.stdout, self._replies), daemon=True).start()
        threading.Thread(target=self._drain, args=(self._proc.stderr,), daemon=True).start()

    @staticmethod
    def _pump(stream: IO[str], replies: queue.Queue[str | None]) -> None:
        for line in stream:
            replies.put(line)
        replies.put(None)  # EOF: the process is gone

    def _drain(self, stream: IO[str]) -> None:
        for line in stream:
            self._stderr.append(line.rstrip())

    def request(self, message: dict[str, Any], timeout: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
        """Send one request and wait for its reply; raise ProverError on error, crash or timeout."""
        self.start()
        assert self._proc is not None and self._proc.stdin is not None
        request_id = next(self._ids)
        try:
            self._proc.stdin.write(json.dumps({**message, "id": request_id}) + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            # Killed after `start` saw it alive, before it read the request: a crash like any other.
            raise self._crashed("crashed before the request") from e
        try:
            line = self._replies.get(timeout=timeout)
        except queue.Empty as e:
            self.stop()
            raise ProverError(f"prover worker timed out after {timeout:.0f} s; it was restarted") from e
        if line is None:
            raise self._crashed("crashed")
        try:
            reply = json.loads(line)
        except json.JSONDecodeError as e:
            self.stop()
            raise ProverError(f"prover worker sent a malformed reply: {line[:200]!r}") from e
        if reply.get("id") != request_id:
            self.stop()
            raise ProverError("prover worker replied out of order; it was restarted")
        if not reply.get("ok"):
            raise ProverError(f"snarkjs: {reply.get('error', 'unknown error')}")
        return reply

    def _crashed(self, what: str) -> ProverError:
        """Reap the dead process (the next request starts a fresh one) and describe its end."""
        proc = self._proc
        self.stop()
        code = proc.returncode if proc is not None else None
        return ProverError(f"prover worker {what} (exit {code}): {self._stderr_tail()}")

    def _stderr_tail(self) -> str:
        return " | ".join(self._stderr) or "(no stderr)"

    @property
    def pid(self) -> int | None:
        """The node process id, or None when stopped."""
        return self._proc.pid if self.alive and self._proc else None

    def stop(self) -> None:
        """Close stdin and wait for node to exit (kill it after 5 s)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(timeout=5)


class ProverPool:
    """A fixed number of ProverWorkers; `request` runs on whichever is idle."""

    def __init__(self, size: int | None = None, node_modules: Path | None = None) -> None:
        self.size = max(1, size if size is not None else min(os.cpu_count() or 1, 4))
        self._idle: queue.Queue[ProverWorker] = queue.Queue()
        self._workers = [ProverWorker(node_modules) for _ in range(self.size)]
        for worker in self._workers:
            self._idle.put(worker)
        self._closed = False
        atexit.register(self.close)

    def request(self, message: dict[str, Any], timeout: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
        """Run one request on an idle worker, waiting at most `timeout` seconds for one to be free.

        Raises ProverError when no worker frees up in time (a server must not queue forever).
        """
        if self._closed:
            raise ProverError("the prover pool is closed")
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty as e:
            raise ProverError(f"every prover worker stayed busy for {timeout:.0f} s") from e
        try:
            return worker.request(message, timeout)
        finally:
            self._idle.put(worker)

    def prove(
        self, inputs: dict[str, Any], wasm: Path, zkey: Path, timeout: float = DEFAULT_TIMEOUT_S
    ) -> tuple[dict[str, Any], list[str]]:
        """groth16.fullProve in a worker: (proof, publicSignals) as snarkjs returns them."""
        request = {"op": "prove", "wasm": str(Path(wasm).resolve()), "zkey": str(Path(zkey).resolve())}
        reply = self.request({**request, "input": inputs}, timeout)
        return reply["proof"], reply["publicSignals"]

    def verify(self, vkey: dict[str, Any], public: list[str], proof: dict[str, Any]) -> bool:
        """groth16.verify in a worker."""
        reply = self.request({"op": "verify", "vkey": vkey, "publicSignals": public, "proof": proof})
        return reply["valid"] is True

    def pids(self) -> list[int]:
        """Process ids of the running workers."""
        return [w.pid for w in self._workers if w.pid is not None]

    def close(self) -> None:
        """Stop every worker; later requests raise ProverError."""
        self._closed = True
        for worker in self._workers:
            worker.stop()
        atexit.unregister(self.close)

    def __enter__(self) -> ProverPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_default: ProverPool | None = None
_default_lock = threading.Lock()


def default_pool(node_modules: Path | None = None) -> ProverPool:
    """The process-wide pool used by `zk_identity.prove` (created on first use)."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = ProverPool(node_modules=node_modules)
        return _default
