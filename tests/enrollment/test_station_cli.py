"""`personhood station serve` refuses unsafe or incomplete settings before touching key or chain."""

from __future__ import annotations

import pytest

from personhood.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--host", "0.0.0.0", "--deploy"], "loopback"),
        (["--host", "192.168.1.5", "--deploy"], "loopback"),
        (["--host", "example", "--deploy"], "IP address"),
        ([], "--registry"),
        (["--registry", "0x" + "11" * 20, "--camera", "0"], "--uniqueness"),
        (["--deploy", "--camera", "webcam"], "--camera"),
    ],
)
def test_serve_refuses_bad_settings_with_usage_exit(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["station", "serve", *argv]) == 2
    assert message in capsys.readouterr().err


def test_station_is_a_registered_noun(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["station", "serve", "--help"])
    assert exit_info.value.code == 0
    assert "--registry" in capsys.readouterr().out
