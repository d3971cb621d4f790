"""A JSON-RPC proxy in front of a real node (anvil) that fails on cue, as a hosted RPC endpoint or a load
balancer does: chosen calls get HTTP 503 instead of reaching the node, everything else is forwarded
unchanged. A rule names a JSON-RPC method and, for eth_call / eth_estimateGas, optionally the 4-byte
selector of the contract function called, so a test can fail "the nullifier read" and nothing else.

Only for tests: the failure is real HTTP on a real socket (web3's own retries and error mapping run), the
node behind it is the test's anvil.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Rule:
    method: str
    selector: str | None  # "0x" + 8 hex digits of the call's data, or None for any call of `method`


class FlakyNode:
    """Proxy on 127.0.0.1 (a free port) to `upstream`; `fail(...)` / `heal()` switch failures on and off."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self._rules: set[Rule] = set()
        self._lock = threading.Lock()
        self.refused: list[str] = []  # the methods answered 503, in order
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FlakyNode:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, method: str, selector: str | None = None) -> None:
        """From now on answer 503 to `method` (calls of `selector` only, when given)."""
        with self._lock:
            self._rules.add(Rule(method, selector))

    def heal(self) -> None:
        """Forward everything again."""
        with self._lock:
            self._rules.clear()

    def _fails(self, call: dict) -> bool:
        params = call.get("params") or [None]
        first = params[0] if isinstance(params[0], dict) else {}
        data = str(first.get("data") or first.get("input") or "")
        with self._lock:
            return any(
                r.method == call.get("method") and (r.selector is None or data[:10] == r.selector)
                for r in self._rules
            )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet: pytest shows failures, not traffic
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                calls = json.loads(body)
                failing = [c for c in (calls if isinstance(calls, list) else [calls]) if node._fails(c)]
                if failing:
                    with node._lock:
                        node.refused.extend(c["method"] for c in failing)
                    self._answer(503, b"the node is unavailable")
                    return
                forwarded = urllib.request.Request(
                    node.upstream, data=body, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(forwarded, timeout=30) as answer:
                    self._answer(answer.status, answer.read())

            def _answer(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
