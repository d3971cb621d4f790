"""The operator UI after a camera that cannot be opened (issue 25: every later Start answered "an
enrollment is already running" until the station was restarted). The camera is a real OpenCV device index
with nothing behind it, so `cv2.VideoCapture` itself fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrollment.station_ui import create_station_app
from enrollment.station_ui.cameras import OpenCvCameras
from hardware.capture.camera import MAX_DEVICE_INDEX

from .station_world import new_commitment, station_world

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
            assert (
                client.post(
                    "/v1/setup", json={"password": PASSWORD}, headers={"X-CSRF-Token": csrf}
                ).status_code
                == 200
            )
            for _ in range(3):
                r = client.post(
                    "/v1/enrollments",
                    data={"commitment": str(new_commitment())},
                    headers={"X-CSRF-Token": csrf},
                )
                assert r.status_code == 409, r.get_json()
                assert r.get_json()["error"] == "refused"
                assert "cannot open camera" in r.get_json()["message"]
                current = client.get("/v1/enrollments/current").get_json()
                assert current["state"] == "done"
                assert current["outcome"]["outcome"] == "error"
                assert "cannot open camera" in current["outcome"]["reason"]
            assert len(station.gallery) == 0
        finally:
            station.close()
