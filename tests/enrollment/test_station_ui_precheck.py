"""Before the person's eyes are captured, the operator UI asks the registry whether this device may enroll
and whether the person's commitment is already on chain (issue 25): a refusal answers next to Start with a
clear reason, and the camera is never opened. Real anvil, real registry, the synthetic camera counting
how often it is opened."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from enrollment.possession import answer_challenge, parse_challenge
from enrollment.station import Station
from enrollment.station.ui import create_station_app
from hardware.capture import CaptureSource, Illuminator
from simulation.station_camera import SyntheticCameras
from zk_identity import Identity

from .station_world import station_world, templates_held

pytestmark = pytest.mark.slow
PASSWORD = "operator-password-1"


class CountingCameras(SyntheticCameras):
    """The synthetic camera, counting the capture sources it opens (a preview is not a capture)."""

    def __init__(self) -> None:
        self.opened = 0

    def open(self, subject: int | None, visit: int) -> tuple[CaptureSource, Illuminator]:
        self.opened += 1
        return super().open(subject, visit)

    def preview(self, subject: int | None) -> np.ndarray:
        return SyntheticCameras().preview(subject)  # a preview is not a capture: not counted


def logged_in(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    csrf = page.split('name="csrf-token" content="')[1].split('"')[0]
    setup = {"token": app.config["STATION_SETUP_TOKEN"], "password": PASSWORD}
    assert client.post("/v1/setup", json=setup, headers={"X-CSRF-Token": csrf}).status_code == 200
    return client, csrf


def start(client: FlaskClient, csrf: str, person: Identity, subject: int = 7):
    challenge = client.post("/v1/challenge", headers={"X-CSRF-Token": csrf}).get_json()
    answer = answer_challenge(person, parse_challenge(challenge["text"])).to_text()
    form = {"answer": answer, "subject": str(subject)}
    return client.post("/v1/enrollments", data=form, headers={"X-CSRF-Token": csrf})


def events(station: Station) -> list[dict]:
    return [json.loads(line) for line in station.audit.path.read_bytes().splitlines()]


def refused(r, code: str, words: str) -> None:
    body = r.get_json()
    assert r.status_code == 409 and body["error"] == code, body
    assert words in body["message"] and "Traceback" not in r.get_data(as_text=True)


def test_a_member_a_revoked_device_and_a_dead_chain_are_refused_before_the_camera(
    tmp_path: Path,
) -> None:
    with station_world(tmp_path) as world:
        station = world.open_station(tmp_path / "station")
        try:
            cameras = CountingCameras()
            app = create_station_app(station, cameras, tmp_path / "station")
            client, csrf = logged_in(app)

            # The control: a new person with the device authorized goes through, and the camera opens.
            person = Identity("precheck-person")
            r = start(client, csrf, person)
            assert r.status_code == 202, r.get_json()
            assert cameras.opened == 1
            deadline = time.monotonic() + 180
            while (run := client.get("/v1/enrollments/current").get_json())["state"] == "running":
                assert time.monotonic() < deadline, run
                time.sleep(0.2)
            assert run["checks"] == {"device": "active", "commitment_on_chain": False}
            assert run["outcome"]["outcome"] == "enrolled", run["outcome"]
            assert templates_held(station) == 1

            # The same person again (another wallet answer, other eyes): on chain already, no capture.
            refused(start(client, csrf, person, subject=8), "already_enrolled", "already on chain")
            assert cameras.opened == 1 and templates_held(station) == 1
            assert client.get("/v1/enrollments/current").get_json()["outcome"]["outcome"] == "enrolled"

            world.registry.revoke_device(world.key.address, world.owner)
            refused(start(client, csrf, Identity("precheck-after-revoke")), "device_revoked", "revoked")
            assert cameras.opened == 1 and templates_held(station) == 1

            world.node.stop()  # the chain stops answering: nothing can be checked, so nothing is captured
            r = start(client, csrf, Identity("precheck-no-chain"))
            refused(r, "chain_unreachable", "cannot be reached")
            assert cameras.opened == 1
            assert client.get("/v1/enrollments/current").get_json()["run"] == 1  # no new run began
            refusals = [e for e in events(station) if e["event"] == "operator.precheck_refused"]
            reasons = [e["payload"]["reason"] for e in refusals]
            assert reasons == ["already_enrolled", "device_revoked", "chain_unreachable"]
            counters = client.get("/v1/health").get_json()["today"]
            assert counters["refused:already_enrolled"] == 1 and counters["refused:device_revoked"] == 1
        finally:
            station.close()


def test_a_device_never_authorized_is_refused_before_the_camera(tmp_path: Path) -> None:
    with station_world(tmp_path) as world:
        station = world.open_station(tmp_path / "rogue-station", key=world.rogue)
        try:
            cameras = CountingCameras()
            client, csrf = logged_in(create_station_app(station, cameras, tmp_path / "rogue-station"))
            r = start(client, csrf, Identity("precheck-rogue"))
            refused(r, "device_not_authorized", "not authorized")
            assert "authorize-device" in r.get_json()["message"]
            assert cameras.opened == 0 and templates_held(station) == 0
        finally:
            station.close()
