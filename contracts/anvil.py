"""The embedded chain: a local `anvil` (npm @foundry-rs/anvil) on a free loopback port.

Used by the tests, the demo and local use when `Settings.rpc_url` is empty. `AnvilNode` starts the binary,
waits until it answers JSON-RPC, and stops it by its own PID (never by name).
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from zk_identity.node_tools import node_modules_dir

from .errors import AnvilError

ANVIL_PACKAGE_BIN = Path("@foundry-rs/anvil-linux-amd64/bin/anvil")
START_TIMEOUT_S = 20.0
DEFAULT_CHAIN_ID = 31337  # anvil's default, kept explicit because scopes and signatures bind it
TEST_MNEMONIC = "test test test test test test test test test test test junk"  # anvil's public dev accounts


def anvil_binary(node_modules: Path | None = None) -> Path:
    """Path of the anvil executable installed by npm."""
    path = node_modules_dir(node_modules) / ANVIL_PACKAGE_BIN
    if not path.is_file():
        raise AnvilError(f"anvil not found at {path}; run `make setup` (npm ci)")
    return path


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rpc_call(url: str, method: str, params: list | None = None, timeout: float = 5.0) -> object:
    """One JSON-RPC request; returns `result` or raises AnvilError with the node's error."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        reply = json.loads(response.read())
    if "error" in reply:
        raise AnvilError(f"{method} failed: {reply['error']}")
    return reply["result"]


@dataclass
class AnvilNode:
    """A running anvil process; use as a context manager or call `stop()`."""

    process: subprocess.Popen
    port: int
    chain_id: int
    log_path: Path | None = field(default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(
        cls,
        chain_id: int = DEFAULT_CHAIN_ID,
        node_modules: Path | None = None,
        extra_args: tuple[str, ...] = (),
        port: int | None = None,
    ) -> AnvilNode:
        """Start anvil on `port` (default: a free loopback port) and wait until it answers (raises
        AnvilError otherwise, e.g. when the port is taken)."""
        port = free_loopback_port() if port is None else port
        args = [str(anvil_binary(node_modules)), "--host", "127.0.0.1", "--port", str(port)]
        args += ["--chain-id", str(chain_id), "--mnemonic", TEST_MNEMONIC, "--silent", *extra_args]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        node = cls(process, port, chain_id)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise AnvilError(f"anvil exited with {process.returncode} at start:\n{stderr[-4000:]}")
            try:
                if int(str(rpc_call(node.url, "eth_chainId", timeout=1.0)), 16) == chain_id:
                    return node
            except (OSError, AnvilError, ValueError):
                time.sleep(0.05)
        node.stop()
        raise AnvilError(f"anvil did not answer on {node.url} within {START_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        """Terminate this anvil process (by its PID) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stderr:
            self.process.stderr.close()

    def __enter__(self) -> AnvilNode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
