"""The operator UI: JSON API rules (login, CSRF, bad input, audit) with Flask's test client, and
the whole flow in headless Chromium with the synthetic camera (login, enroll, duplicate refused)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from enrollment.possession import answer_challenge, parse_challenge
from enrollment.station import Station
from enrollment.station.ui import create_station_app
from simulation.station_camera import SyntheticCameras
from zk_identity import Identity

from .station_world import StationWorld, station_world, templates_held

pytestmark = pytest.mark.slow
PASSWORD = "operator-password-1"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


@dataclass(frozen=True)
class Served:
    world: StationWorld
    station: Station
    app: Flask
    url: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("station-ui")
    with station_world(tmp) as world:
        station = world.open_station(tmp / "station")
        app = create_station_app(station, SyntheticCameras(), tmp / "station")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Served(world, station, app, f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
            thread.join(10)
            server.server_close()
            station.close()


def audit_events(station: Station) -> list[str]:
    return [json.loads(line)["event"] for line in station.audit.path.read_bytes().splitlines()]


def test_the_api_needs_csrf_and_login_and_refuses_bad_input(served: Served) -> None:
    client = served.app.test_client()
    page = client.get("/")
    assert page.status_code == 200
    csrf = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]

    r = client.post("/v1/setup", json={"password": PASSWORD})  # no token
    assert r.status_code == 403 and r.get_json()["error"] == "csrf"
    assert client.get("/v1/health").status_code == 401
    token = served.app.config["STATION_SETUP_TOKEN"]
    r = client.post("/v1/setup", json={"token": token, "password": "short"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and "characters" in r.get_json()["message"]
    assert client.get("/v1/state").get_json() == {"password_set": False, "logged_in": False}

    r = client.post("/v1/setup", json={"token": token, "password": PASSWORD}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    r = client.post(
        "/v1/setup", json={"token": token, "password": "another-password"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 409  # set once only
    client.post("/v1/logout", headers={"X-CSRF-Token": csrf})

    other = served.app.test_client()
    token = other.get("/").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    r = other.post("/v1/login", json={"password": "wrong-password!"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 401 and r.get_json()["error"] == "bad_password"
    r = other.post("/v1/login", json={"password": PASSWORD}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    token = r.get_json()["csrf"]
    size = templates_held(served.station)
    for form in (
        {"commitment": "0", "subject": "1"},
        {"commitment": "12x", "subject": "1"},
        {"commitment": "5", "subject": "-1"},
    ):
        r = other.post("/v1/enrollments", data=form, headers={"X-CSRF-Token": token})
        assert r.status_code == 400 and r.get_json()["error"] == "bad_input"
        assert "Traceback" not in r.get_data(as_text=True)
    assert other.get("/v1/enrollments/current").get_json()["state"] == "idle"
    assert templates_held(served.station) == size
    health = other.get("/v1/health").get_json()["health"]
    assert health["key"]["backend"] == "keystore" and health["chain"]["device_status"] == "active"
    preview = other.get("/v1/preview.jpg?subject=3")
    assert preview.status_code == 200 and preview.data[:2] == b"\xff\xd8"
    events = audit_events(served.station)
    for event in ("operator.password_set", "operator.logout", "operator.login_failed", "operator.login"):
        assert event in events


def test_enroll_then_duplicate_in_headless_chromium(served: Served, tmp_path: Path) -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        wait = WebDriverWait(driver, 90)
        driver.get(served.url + "/")
        setup = driver.find_element(By.ID, "setup")
        wait.until(
            lambda d: (
                not setup.get_attribute("hidden")
                or not d.find_element(By.ID, "login").get_attribute("hidden")
            )
        )
        if not setup.get_attribute("hidden"):
            driver.find_element(By.ID, "setup-token").send_keys(served.app.config["STATION_SETUP_TOKEN"])
            driver.find_element(By.ID, "setup-password").send_keys(PASSWORD)
            driver.find_element(By.ID, "setup-button").click()
            wait.until(lambda d: not d.find_element(By.ID, "dashboard").get_attribute("hidden"))
            driver.find_element(By.ID, "logout").click()
        wait.until(lambda d: not d.find_element(By.ID, "login").get_attribute("hidden"))
        driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login-button").click()
        wait.until(lambda d: not d.find_element(By.ID, "dashboard").get_attribute("hidden"))
        wait.until(lambda d: d.execute_script("return document.getElementById('preview').naturalWidth") > 0)

        def enroll(identity: Identity) -> str:
            # The person's wallet answers the station's challenge (proof of holding the identity).
            shown = driver.find_element(By.ID, "challenge-text")
            before = shown.text
            driver.find_element(By.ID, "new-challenge").click()
            wait.until(lambda d: d.find_element(By.ID, "challenge-text").text not in ("", before))
            nonce = parse_challenge(driver.find_element(By.ID, "challenge-text").text)
            box = driver.find_element(By.ID, "answer")
            box.clear()
            box.send_keys(answer_challenge(identity, nonce).to_text())
            subject = driver.find_element(By.ID, "subject")
            subject.clear()
            subject.send_keys("41")
            driver.find_element(By.ID, "start").click()
            out = driver.find_element(By.ID, "outcome")
            wait.until(lambda d: out.get_attribute("data-outcome") == "running")
            wait.until(lambda d: out.get_attribute("data-outcome") in ("enrolled", "refused", "error"))
            return out.get_attribute("data-outcome")

        first = Identity("station-ui-first")
        assert enroll(first) == "enrolled", driver.find_element(By.ID, "outcome").text
        assert served.world.registry.member(first.commitment).enrolled
        assert str(first.commitment) in driver.find_element(By.ID, "possession").text
        # Read the step list in one script: the page may re-render it between a find and a read
        # (a stale element, seen once in CI).
        steps = driver.execute_script(
            "return Array.from(document.querySelectorAll('#steps li'), li => li.getAttribute('data-step'))"
        )
        assert steps[0] == "capture" and steps[-1] == "record" and len(steps) == 9

        second = Identity("station-ui-second")
        assert enroll(second) == "refused"
        assert "already enrolled" in driver.find_element(By.ID, "outcome").text
        assert not served.world.registry.member(second.commitment).enrolled
        wait.until(lambda d: "refused:uniqueness: 1" in d.find_element(By.ID, "counters").text)
        assert "enrolled: 1" in driver.find_element(By.ID, "counters").text
        assert "keystore" in driver.find_element(By.ID, "health").text
    finally:
        driver.quit()
    assert "operator.enrollment_started" in audit_events(served.station)
