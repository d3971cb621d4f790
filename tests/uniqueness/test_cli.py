"""`personhood uniqueness info|serve`: the service's pinned identity from its key; usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personhood.cli import main


def test_info_prints_the_address_and_the_x25519_key_stations_pin(tmp_path: Path, capsys) -> None:
    password = tmp_path / "password"
    password.write_text("uniqueness-cli-password\n")
    keystore = tmp_path / "uniqueness.json"
    common = ["--keystore", str(keystore), "--password-file", str(password), "--json"]
    assert main(["device", "init", *common, "--scrypt-n", str(2**14)]) == 0
    created = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert main(["uniqueness", "info", *common]) == 0
    info = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert info["service"] == created["address"] and len(bytes.fromhex(info["x25519"])) == 32
    assert main(["uniqueness", "info", *common]) == 0  # derived from the key: the same every time
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == info


def test_serve_needs_the_registry(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["uniqueness", "serve"])
    assert exit_info.value.code == 2
    assert "--registry" in capsys.readouterr().err
