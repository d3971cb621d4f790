"""The operator UI: JSON API rules (login, CSRF, bad input, audit) with Flask's test client, and
the whole flow in headless Chromium with the synthetic camera (login, enroll, duplicate refused): the
step count and the capture's progress as they happen, Start disabled while a person is enrolled, a
refusal before capture shown next to Start, the person's fields cleared, the offline notice.

`PERSONHOOD_UI_SCREENSHOTS=docs/station-ui` makes the browser tests save PNG screenshots of the page's
states there (the README shows them); the camera preview in them is the synthetic eye's render.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from enrollment.possession import answer_challenge, parse_challenge
from enrollment.station import Station
from enrollment.station.ui import check_subject, create_station_app
from hardware.capture import CaptureSource, Frame, Illuminator, StepIlluminator
from simulation.station_camera import SyntheticCameras
from simulation.synthetic_camera import SyntheticEyeCamera
from zk_identity import Identity

from .station_browser import PASSWORD, chromium, log_in, screenshot
from .station_world import StationWorld, station_world, templates_held

pytestmark = pytest.mark.slow


class PacedEye(SyntheticEyeCamera):
    """The synthetic eye delivered at the camera's frame rate (a real sensor's 20 fps, not at once)."""

    def read(self) -> Frame | None:
        time.sleep(1 / self.fps)
        return super().read()


class PacedCameras(SyntheticCameras):
    """The synthetic camera at 20 fps in real time, counting the capture sources it opens."""

    def __init__(self) -> None:
        self.opened = 0

    def open(self, subject: int | None, visit: int) -> tuple[CaptureSource, Illuminator]:
        self.opened += 1
        illuminator = StepIlluminator()
        return PacedEye(check_subject(subject), "L", seed=visit, illuminator=illuminator), illuminator

    def preview(self, subject: int | None) -> np.ndarray:
        return SyntheticCameras().preview(subject)  # a preview is not a capture: not counted


def slow_service(boundary: str) -> None:
    """A uniqueness service and a chain that take a second to answer (as over a network), so that the
    page's polls see the steps between capture and the end: step 5 (uniqueness) waits at "intent",
    step 8 (chain) at "sending"."""
    if boundary in ("intent", "sending"):
        time.sleep(1.0)


@dataclass(frozen=True)
class Served:
    world: StationWorld
    station: Station
    app: Flask
    url: str
    cameras: PacedCameras


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("station-ui")
    with station_world(tmp) as world:
        station = world.open_station(tmp / "station", checkpoint=slow_service)
        cameras = PacedCameras()
        app = create_station_app(station, cameras, tmp / "station")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Served(world, station, app, f"http://127.0.0.1:{server.server_port}", cameras)
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


# Every change of the page's run panel and Start button, as the operator saw it (polls can be missed by a
# test that looks now and then; a MutationObserver records each one).
RECORD = """
window.seen = [];
const $ = (id) => document.getElementById(id);
const record = () => window.seen.push({
  step: $("now").hidden ? null : $("step-count").textContent,
  frames: $("capture").hidden || $("now").hidden ? null : $("capture-text").textContent,
  start_disabled: $("start").disabled,
  outcome: $("outcome").dataset.outcome,
});
new MutationObserver(record).observe($("dashboard"), {subtree: true, childList: true, characterData: true,
                                                      attributes: true});
"""


def test_enroll_then_duplicate_in_headless_chromium(served: Served, tmp_path: Path) -> None:
    driver = chromium(tmp_path)
    try:
        wait = WebDriverWait(driver, 90)
        log_in(driver, wait, served.app, served.url)
        assert driver.find_element(By.ID, "station-state").text == "Ready"

        def ready(identity: Identity, subject: int) -> None:
            # The person's wallet answers the station's challenge (proof of holding the identity).
            driver.find_element(By.ID, "new-challenge").click()
            wait.until(lambda d: d.find_element(By.ID, "challenge-text").text != "")
            nonce = parse_challenge(driver.find_element(By.ID, "challenge-text").text)
            box = driver.find_element(By.ID, "answer")
            box.clear()
            box.send_keys(answer_challenge(identity, nonce).to_text())
            box = driver.find_element(By.ID, "subject")
            box.clear()
            box.send_keys(str(subject))

        def enroll(identity: Identity, subject: int = 41, shots: bool = False) -> str:
            ready(identity, subject)
            if shots:
                screenshot(driver, "idle")
            driver.execute_script(RECORD)
            driver.find_element(By.ID, "start").click()
            out = driver.find_element(By.ID, "outcome")
            wait.until(lambda d: out.get_attribute("data-outcome") == "running")
            if shots:
                wait.until(lambda d: d.find_element(By.ID, "capture-text").text != "")
                screenshot(driver, "running")
            wait.until(lambda d: out.get_attribute("data-outcome") in ("enrolled", "refused", "error"))
            wait.until(lambda d: d.find_element(By.ID, "start").is_enabled())  # re-enabled at the end
            return out.get_attribute("data-outcome")

        first = Identity("station-ui-first")
        opened = served.cameras.opened
        assert enroll(first, shots=True) == "enrolled", driver.find_element(By.ID, "outcome").text
        assert served.cameras.opened == opened + 1
        wait.until(lambda d: "enrolled: 1" in d.find_element(By.ID, "counters").text)
        screenshot(driver, "done")
        assert served.world.registry.member(first.commitment).enrolled
        assert str(first.commitment) in driver.find_element(By.ID, "possession").text
        # Read the step list in one script: the page may re-render it between a find and a read
        # (a stale element, seen once in CI).
        steps = driver.execute_script(
            "return Array.from(document.querySelectorAll('#steps li'), li => li.getAttribute('data-step'))"
        )
        assert steps[0] == "capture" and steps[-1] == "record" and len(steps) == 9

        # What the operator saw while it ran: the step count from 1 of 9, the capture's frames coming in,
        # and Start disabled throughout.
        seen = driver.execute_script("return window.seen")
        running = [s for s in seen if s["outcome"] == "running"]
        assert running and all(s["start_disabled"] for s in running if s["step"])
        counts = {int(m[1]) for s in running if (m := re.match(r"Step (\d) of 9: ", s["step"] or ""))}
        assert {1, 5, 8} <= counts and counts <= set(range(1, 10)), [s["step"] for s in running]
        frames = [int(m[1]) for s in running if (m := re.match(r"(\d+) / 20 frames", s["frames"] or ""))]
        assert any(0 < n < 20 for n in frames), [s["frames"] for s in running]
        assert frames == sorted(frames)
        # The person's fields are cleared for the next person.
        assert driver.find_element(By.ID, "answer").get_attribute("value") == ""
        assert driver.find_element(By.ID, "challenge-text").text == ""
        assert not driver.find_element(By.ID, "challenge-qr").is_displayed()

        # The same person again: refused before the camera opens, the reason next to Start.
        ready(first, 42)
        driver.find_element(By.ID, "start").click()
        alert = driver.find_element(By.ID, "start-error")
        wait.until(lambda d: alert.text != "")
        assert "already on chain" in alert.text and alert.get_attribute("role") == "alert"
        assert driver.execute_script(
            "return document.getElementById('start-error').parentElement"
            " === document.getElementById('start').parentElement"
        )
        assert served.cameras.opened == opened + 1  # never opened for a member
        assert driver.find_element(By.ID, "start").is_enabled()
        assert driver.find_element(By.ID, "answer").get_attribute("value") == ""  # its nonce is spent
        screenshot(driver, "error")

        second = Identity("station-ui-second")
        assert enroll(second) == "refused"
        assert alert.text == ""  # a new Start clears the last error
        assert "already enrolled" in driver.find_element(By.ID, "outcome").text
        assert not served.world.registry.member(second.commitment).enrolled
        wait.until(lambda d: "refused:uniqueness: 1" in d.find_element(By.ID, "counters").text)
        assert "enrolled: 1" in driver.find_element(By.ID, "counters").text
        assert "refused:already_enrolled: 1" in driver.find_element(By.ID, "counters").text
        assert "keystore" in driver.find_element(By.ID, "health").text
        screenshot(driver, "refused")
        console = [entry["message"] for entry in driver.get_log("browser")]
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        driver.quit()
    assert "operator.enrollment_started" in audit_events(served.station)


def test_the_offline_notice_shows_while_the_station_does_not_answer(served: Served, tmp_path: Path) -> None:
    # A server of its own (one request at a time, no keep-alive), so that stopping it stops every answer.
    server = make_server("127.0.0.1", 0, served.app)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = chromium(tmp_path)
    try:
        wait = WebDriverWait(driver, 60)
        log_in(driver, wait, served.app, f"http://127.0.0.1:{port}")
        notice = driver.find_element(By.ID, "offline")
        assert not notice.is_displayed() and driver.find_element(By.ID, "start").is_enabled()

        server.shutdown()
        server.server_close()
        wait.until(lambda d: notice.is_displayed())
        assert "Station offline" in notice.text and notice.get_attribute("role") == "alert"
        assert not driver.find_element(By.ID, "start").is_enabled()
        assert driver.find_element(By.ID, "station-state").text == "Offline"
        screenshot(driver, "offline")

        server = make_server("127.0.0.1", port, served.app)  # the station is back on the same address
        threading.Thread(target=server.serve_forever, daemon=True).start()
        wait.until(lambda d: not notice.is_displayed())
        assert driver.find_element(By.ID, "start").is_enabled()
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()


def test_every_answer_carries_a_strict_content_security_policy(served: Served) -> None:
    client = served.app.test_client()
    for path in ("/", "/static/station.js", "/v1/state"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "http" not in policy
    page = client.get("/").get_data(as_text=True)
    assert "<script>" not in page and " style=" not in page and "http" not in page.split("</head>")[0]
