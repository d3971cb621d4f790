"""The operator UI after a camera that cannot be opened (issue 25: every later Start answered "an
enrollment is already running" until the station was restarted). The camera is a real OpenCV device index
with nothing behind it, so `cv2.VideoCapture` itself fails. Through the API, then in headless Chromium: the
error shows next to Start and Start is enabled again."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from enrollment.possession import answer_challenge, parse_challenge
from enrollment.station.ui import create_station_app
from enrollment.station.ui.cameras import OpenCvCameras
from hardware.capture.camera import MAX_DEVICE_INDEX
from zk_identity import Identity

from .station_browser import chromium, log_in
from .station_world import station_world, templates_held

pytestmark = pytest.mark.slow
PASSWORD = "operator-password-1"


def test_a_camera_failure_does_not_lock_the_start_button(tmp_path: Path) -> None:
    assert not Path(f"/dev/video{MAX_DEVICE_INDEX}").exists()
    with station_world(tmp_path) as world:
        station = world.open_station(tmp_path / "station")
        try:
            app = create_station_app(station, OpenCvCameras(MAX_DEVICE_INDEX), tmp_path / "station")
            client = app.test_client()
            page = client.get("/").get_data(as_text=True)
            csrf = page.split('name="csrf-token" content="')[1].split('"')[0]
            setup = {"token": app.config["STATION_SETUP_TOKEN"], "password": PASSWORD}
            assert client.post("/v1/setup", json=setup, headers={"X-CSRF-Token": csrf}).status_code == 200
            for attempt in range(3):
                challenge = client.post("/v1/challenge", headers={"X-CSRF-Token": csrf}).get_json()
                person = Identity(f"camera-failure-{attempt}")  # the wallet proves the commitment first
                answer = answer_challenge(person, parse_challenge(challenge["text"])).to_text()
                r = client.post("/v1/enrollments", data={"answer": answer}, headers={"X-CSRF-Token": csrf})
                assert r.status_code == 409, r.get_json()
                assert r.get_json()["error"] == "refused"
                assert "cannot open camera" in r.get_json()["message"]
                current = client.get("/v1/enrollments/current").get_json()
                assert current["state"] == "done"
                assert current["outcome"]["outcome"] == "error"
                assert "cannot open camera" in current["outcome"]["reason"]
            assert templates_held(station) == 0
        finally:
            station.close()


def test_in_the_browser_a_camera_failure_shows_next_to_start_and_start_comes_back(tmp_path: Path) -> None:
    with station_world(tmp_path) as world:
        station = world.open_station(tmp_path / "station")
        app = create_station_app(station, OpenCvCameras(MAX_DEVICE_INDEX), tmp_path / "station")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        driver = chromium(tmp_path)
        try:
            wait = WebDriverWait(driver, 60)
            log_in(driver, wait, app, f"http://127.0.0.1:{server.server_port}", preview=False)
            for attempt in range(2):
                driver.find_element(By.ID, "new-challenge").click()
                wait.until(lambda d: d.find_element(By.ID, "challenge-text").text != "")
                nonce = parse_challenge(driver.find_element(By.ID, "challenge-text").text)
                answer = answer_challenge(Identity(f"camera-failure-browser-{attempt}"), nonce).to_text()
                driver.find_element(By.ID, "answer").send_keys(answer)
                assert driver.find_element(By.ID, "start-error").text == ""  # a new challenge clears it
                driver.find_element(By.ID, "start").click()
                wait.until(lambda d: "cannot open camera" in d.find_element(By.ID, "start-error").text)
                outcome = driver.find_element(By.ID, "outcome")
                wait.until(lambda d, out=outcome: out.get_attribute("data-outcome") == "error")
                wait.until(lambda d: d.find_element(By.ID, "start").is_enabled())  # not locked
                assert driver.find_element(By.ID, "answer").get_attribute("value") == ""  # nonce spent
            assert templates_held(station) == 0
        finally:
            driver.quit()
            server.shutdown()
            server.server_close()
            station.close()
