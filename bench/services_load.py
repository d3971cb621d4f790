"""Load generators for bench/services.py: bounded client threads on 127.0.0.1 (keep-alive connections),
each request timed; nothing leaves the machine."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Tally:
    """Statuses and latencies (s) of a set of requests; thread-safe `add`."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 200:
                self.latencies.append(seconds)

    def p(self, q: float) -> float:
        """The q-quantile (0..1) of accepted requests' latency, in ms (nan if none)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def http_5xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class Client:
    """One keep-alive HTTP client speaking for `address` (X-Forwarded-For, a trusted local proxy)."""

    def __init__(self, port: int, address: str, timeout: float = 30.0) -> None:
        self.port, self.address, self.timeout = port, address, timeout
        self._conn: http.client.HTTPConnection | None = None

    def post(self, path: str, payload: dict) -> tuple[int, float, dict]:
        """(status, seconds, JSON answer); a dropped connection is re-opened once."""
        body = json.dumps(payload)
        headers = {"Content-Type": "application/json", "X-Forwarded-For": self.address}
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self._conn.request("POST", path, body=body, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException):
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                self._conn.close()
                self._conn = None
            try:
                answer = json.loads(data) if data else {}
            except ValueError:
                answer = {}
            return response.status, elapsed, answer
        raise AssertionError("unreachable")


def closed_loop(port: int, path: str, payloads: list[dict], clients: int, seconds: float) -> Tally:
    """`clients` threads, each posting its own payload back to back for `seconds`."""
    tally, deadline = Tally(), time.monotonic() + seconds

    def run(i: int) -> None:
        client = Client(port, f"10.1.0.{i + 1}")
        while time.monotonic() < deadline:
            status, elapsed, _ = client.post(path, payloads[i % len(payloads)])
            tally.add(status, elapsed)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    return tally


def paced(client: Client, path: str, payload: dict, rate: float, deadline: float, tally: Tally) -> None:
    """Post `payload` at `rate` per second until `deadline` (open loop: late requests are not made up)."""
    interval, next_at = 1.0 / rate, time.monotonic()
    while time.monotonic() < deadline:
        status, elapsed, _ = client.post(path, payload)
        tally.add(status, elapsed)
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
