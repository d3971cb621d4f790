"""Finding 7 (Low): the station UI had no Host check, a first-run setup anyone could do, no login
throttling, and sessions that lived in the cookie only.

Attacks replayed: a web page reaching the UI through a DNS-rebound name (refused by the Host check);
setting the first password without the console's setup token (refused); guessing passwords (backoff,
429 with Retry-After, even for the right one while it lasts); replaying a session cookie after logout
(dead: the session ended on the station); a session past its idle or absolute lifetime (expired)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from enrollment.station.ui import create_station_app
from enrollment.station.ui.operator_sessions import LoginThrottle, OperatorSessions
from simulation.station_camera import SyntheticCameras

from ..enrollment.station_world import station_world

PASSWORD = "operator-password-1"


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    tmp = tmp_path_factory.mktemp("ui-guards")
    with station_world(tmp) as world:
        station = world.open_station(tmp / "station")
        try:
            yield create_station_app(station, SyntheticCameras(), tmp / "station"), tmp / "station"
        finally:
            station.close()


def csrf_of(client) -> str:
    page = client.get("/").get_data(as_text=True)  # the test client's Host is "localhost"
    return page.split('name="csrf-token" content="')[1].split('"')[0]


@pytest.mark.slow
def test_a_rebound_host_name_and_a_setup_without_the_console_token_are_refused(ui) -> None:
    app, data_dir = ui
    client = app.test_client()
    for host in ("attacker.example:8765", "127.0.0.1.nip.example", "localhost.attacker.example"):
        r = client.get("/v1/state", headers={"Host": host})
        assert r.status_code == 403 and r.get_json()["error"] == "bad_host"
    csrf = csrf_of(client)
    headers = {"X-CSRF-Token": csrf}
    for body in ({"password": PASSWORD}, {"token": "guessed-token", "password": PASSWORD}):
        r = client.post("/v1/setup", json=body, headers=headers)
        assert r.status_code in (400, 403) and r.get_json()["error"] in ("bad_input", "bad_setup_token")
    assert not (data_dir / "operator.json").exists()
    token = app.config["STATION_SETUP_TOKEN"]
    r = client.post("/v1/setup", json={"token": token, "password": PASSWORD}, headers=headers)
    assert r.status_code == 200 and app.config["STATION_SETUP_TOKEN"] is None  # one time only


@pytest.mark.slow
def test_password_guessing_backs_off_and_a_logged_out_cookie_is_dead(ui) -> None:
    app, _ = ui
    client = app.test_client()
    headers = {"X-CSRF-Token": csrf_of(client)}
    statuses = [
        client.post("/v1/login", json={"password": f"guess-{i}-xxxx"}, headers=headers).status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    r = client.post("/v1/login", json={"password": PASSWORD}, headers=headers)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1  # even the right one waits
    time.sleep(1.1)
    r = client.post("/v1/login", json={"password": PASSWORD}, headers=headers)
    assert r.status_code == 200
    headers = {"X-CSRF-Token": r.get_json()["csrf"]}
    assert client.get("/v1/health").status_code == 200
    stolen = client.get_cookie("session").value
    assert client.post("/v1/logout", headers=headers).status_code == 200
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/v1/health").status_code == 401  # the session ended on the station


def test_sessions_expire_when_idle_or_old_and_throttle_resets_on_success() -> None:
    now = [0.0]
    sessions = OperatorSessions(idle_s=60, absolute_s=300, clock=lambda: now[0])
    idle, busy = sessions.create(), sessions.create()
    for _ in range(5):
        now[0] += 50
        assert sessions.valid(busy)
    assert not sessions.valid(idle)  # 250 s without use
    now[0] += 51
    assert not sessions.valid(busy)  # used every 50 s but older than 300 s
    throttle = LoginThrottle(free=2, max_s=8, clock=lambda: now[0])
    waits = []
    for _ in range(6):
        throttle.failed()
        waits.append(throttle.wait_s())
    assert waits == [0, 1, 2, 4, 8, 8]  # free tries, then doubling up to the cap
    throttle.succeeded()
    assert throttle.wait_s() == 0
