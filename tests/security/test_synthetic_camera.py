"""Finding 1 (High): the synthetic eye must never stand in for the camera against a real registry.

Attack: a station with a production device key pointed at an existing registry, served without
`--camera` (the old default was the synthetic eye) or with `--camera synthetic`: every subject
number would be a new live-looking person the operator could enroll at will. Refused before the
device key or the chain is touched (exit 2, usage)."""

from __future__ import annotations

import pytest

from enrollment.errors import StationInputError
from enrollment.station.ui import OpenCvCameras
from personhood.cli import main
from personhood.commands.station import choose_cameras
from simulation.station_camera import SyntheticCameras

REGISTRY = "0x" + "11" * 20


@pytest.mark.parametrize(
    "argv",
    [
        ["--registry", REGISTRY],  # no --camera: the old default was the synthetic eye
        ["--registry", REGISTRY, "--camera", "synthetic"],
        ["--registry", REGISTRY, "--dev"],  # --dev deploys; it cannot bless an existing registry
    ],
)
def test_a_synthetic_camera_against_an_existing_registry_is_refused(
    argv: list[str], tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing_key = tmp_path / "no-such-keystore.json"
    assert main(["station", "serve", *argv, "--keystore", str(missing_key)]) == 2
    err = capsys.readouterr().err
    assert "camera" in err or "--registry" in err
    assert not missing_key.exists()


def test_the_synthetic_eye_is_offered_only_for_a_registry_deployed_here() -> None:
    with pytest.raises(StationInputError, match="did not deploy"):
        choose_cameras("synthetic", dev=False, deployed_here=False)
    with pytest.raises(StationInputError, match="--camera INDEX"):
        choose_cameras(None, dev=False, deployed_here=False)
    assert isinstance(choose_cameras(None, dev=True, deployed_here=True), SyntheticCameras)
    assert isinstance(choose_cameras(None, dev=False, deployed_here=True), SyntheticCameras)
    assert isinstance(choose_cameras("0", dev=False, deployed_here=False), OpenCvCameras)
