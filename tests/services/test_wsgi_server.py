"""The production server (personhood/wsgi_server.py, waitress) under slow and half-open clients.

A half-open request (headers sent, body never finished) must hold no worker thread: waitress's I/O
thread buffers the request and hands it to a worker only once complete. With more such connections
open than there are workers, honest requests are still answered promptly; the half-open ones are closed
after `channel_timeout_s`; SIGTERM lets a running request finish. Bounded loops on 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask import Flask, jsonify, request

from personhood.config import ConfigError
from personhood.wsgi_server import ServerLimits, make_server, stop

THREADS = 4
HALF_OPEN = 3 * THREADS  # three times the workers


def _app(busy: list[int], peak: list[int], lock: threading.Lock) -> Flask:
    app = Flask("wsgi-test")

    @app.post("/echo")
    def echo():
        with lock:
            busy[0] += 1
            peak[0] = max(peak[0], busy[0])
        try:
            return jsonify(n=len(request.get_data()))
        finally:
            with lock:
                busy[0] -= 1

    return app


@pytest.fixture()
def served():
    busy, peak, lock = [0], [0], threading.Lock()
    limits = ServerLimits(threads=THREADS, connection_limit=64, channel_timeout_s=2.0)
    server = make_server(_app(busy, peak, lock), "127.0.0.1", 0, limits)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server.effective_port, peak
    stop(server)
    thread.join(timeout=10)


def _half_open(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n" + b"{" * 10
    )
    return s


def _post(port: int) -> tuple[int, float]:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("POST", "/echo", body=b"{}", headers={"Content-Type": "application/json"})
    status = conn.getresponse().status
    conn.close()
    return status, time.perf_counter() - t0


def test_half_open_requests_hold_no_worker(served):
    port, peak = served
    held = [_half_open(port) for _ in range(HALF_OPEN)]
    try:
        time.sleep(0.2)
        answers = [_post(port) for _ in range(20)]
        assert all(status == 200 for status, _ in answers)
        assert max(seconds for _, seconds in answers) < 1.0  # not queued behind the half-open ones
        assert peak[0] <= 1  # only the honest requests ever reached a worker, one at a time
    finally:
        for s in held:
            s.close()


def test_half_open_connections_are_closed_after_the_channel_timeout(served):
    port, _ = served
    s = _half_open(port)
    s.settimeout(8)
    t0 = time.monotonic()
    assert s.recv(4096) == b""  # the server hung up without answering the unfinished request
    assert 1.5 < time.monotonic() - t0 < 7.5
    s.close()


def test_limits_are_validated():
    with pytest.raises(ConfigError):
        ServerLimits(threads=0)
    with pytest.raises(ConfigError):
        ServerLimits(channel_timeout_s=0)
    assert ServerLimits.from_settings({"server_threads": 3}).threads == 3


SLOW_APP = """
import sys, time
from flask import Flask
from personhood.wsgi_server import serve
app = Flask("slow")
@app.get("/slow")
def slow():
    time.sleep(1.0)
    return "done"
serve(app, "127.0.0.1", int(sys.argv[1]), on_ready=lambda url: print(url, flush=True))
print("stopped", flush=True)
"""


def test_sigterm_lets_a_running_request_finish(tmp_path: Path):
    from contracts.anvil import free_loopback_port

    port = free_loopback_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_APP, str(port)], stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().decode().startswith("http://127.0.0.1")
        result: list[object] = []

        def call() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/slow")
            response = conn.getresponse()
            result.append((response.status, response.read()))

        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.4)  # the request is running in a worker
        proc.send_signal(signal.SIGTERM)
        caller.join(timeout=10)
        assert result == [(200, b"done")]
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read().decode().strip() == "stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
