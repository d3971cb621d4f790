"""`personhood id new|show` through personhood.cli.main, and once through the installed script."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from personhood.cli import main
from zk_identity import Identity


def test_new_writes_a_private_key_file_and_prints_only_the_commitment(tmp_path: Path, capsys) -> None:
    key = tmp_path / "me.key"
    assert main(["id", "new", "--out", str(key)]) == 0
    out = capsys.readouterr().out.strip()
    identity = Identity.import_(key.read_text())
    assert out == str(identity.commitment)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert identity.export() not in out
    assert [p.name for p in tmp_path.iterdir()] == ["me.key"]  # no temp file left behind


def test_new_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    key = tmp_path / "me.key"
    key.write_text("precious")
    assert main(["id", "new", "--out", str(key)]) == 1
    assert key.read_text() == "precious"
    assert "exists" in capsys.readouterr().err


def test_new_json_and_show_agree(tmp_path: Path, capsys) -> None:
    key = tmp_path / "me.key"
    assert main(["id", "new", "--out", str(key), "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert main(["id", "show", str(key), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    identity = Identity.import_(key.read_text())
    assert created == {"commitment": str(identity.commitment), "file": str(key)}
    assert shown == {
        "commitment": str(identity.commitment),
        "public_key": [str(c) for c in identity.public_key],
    }
    assert main(["id", "show", str(key)]) == 0
    assert str(identity.commitment) in capsys.readouterr().out


def test_new_uses_the_data_dir_by_default(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PERSONHOOD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    assert main(["id", "new"]) == 0
    assert (tmp_path / "data" / "identity.key").is_file()
    assert main(["id", "new"]) == 1


@pytest.mark.parametrize("content", ["not base64!!", "", "\xff\xfe", "YWJj="])
def test_show_rejects_malformed_key_files(tmp_path: Path, content: str, capsys) -> None:
    key = tmp_path / "bad.key"
    key.write_text(content, encoding="latin-1")
    os.chmod(key, 0o600)
    assert main(["id", "show", str(key)]) == 2
    assert "error" in capsys.readouterr().err


def test_show_missing_file_and_usage_errors(tmp_path: Path, capsys) -> None:
    assert main(["id", "show", str(tmp_path / "nope.key")]) == 2
    assert main(["id", "new", "--out", str(tmp_path / "no" / "dir.key")]) == 2
    with pytest.raises(SystemExit) as e:
        main(["id", "frobnicate"])
    assert e.value.code == 2


def test_installed_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "personhood"
    key = tmp_path / "k.key"
    new = subprocess.run([str(script), "id", "new", "--out", str(key)], capture_output=True, text=True,
                         timeout=60, check=False)  # fmt: skip
    assert new.returncode == 0, new.stderr
    show = subprocess.run([str(script), "id", "show", "--json", str(key)], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert show.returncode == 0 and json.loads(show.stdout)["commitment"] == new.stdout.strip()


def test_show_warns_about_a_key_file_others_can_read(tmp_path: Path, capsys) -> None:
    key = tmp_path / "loose.key"
    key.write_text(Identity(b"k").export() + "\n")
    os.chmod(key, 0o644)
    assert main(["id", "show", str(key)]) == 0
    assert "chmod 600" in capsys.readouterr().err
