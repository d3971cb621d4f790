"""The command line's rough edges (issue 25): one clear line and exit 2 (usage/input) or 1 (refused) instead
of a traceback; Ctrl-C exits 130 and leaves nothing behind; --chart does not create directories."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contracts import Deployment, deployed_system, save_deployment
from contracts.anvil import free_loopback_port
from personhood.cli import main

DEPLOYMENT = {
    "chain_id": 31337,
    "poseidon": "0x" + "11" * 20,
    "registry": "0x" + "22" * 20,
    "verifier": "0x" + "33" * 20,
    "groth16": {},
    "one_person_one_vote": "0x" + "44" * 20,
    "quadratic_vote": "0x" + "55" * 20,
}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("PERSONHOOD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PERSONHOOD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("personhood: error:")]
    assert len(lines) == 1, err
    return lines[0]


def test_missing_identity_file_in_vote(data_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["vote", "0", "--option", "1", "--identity", str(tmp_path / "missing.key")]) == 2
    assert "No such file or directory" in one_line_error(capsys)


@pytest.mark.parametrize("argv", [["gov", "list"], ["registry", "status"], ["group", "export"]])
def test_an_rpc_url_with_nothing_behind_it(data_dir: Path, monkeypatch, capsys, argv) -> None:
    url = f"http://127.0.0.1:{free_loopback_port()}"
    monkeypatch.setenv("PERSONHOOD_RPC_URL", url)
    data_dir.mkdir()
    (data_dir / "deployment.json").write_text(json.dumps(DEPLOYMENT))
    assert main(argv) == 1
    assert "answer" in one_line_error(capsys)  # "... does not answer" / "no JSON-RPC node answers at ..."


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["chain", "deploy", "--depths", "0-40"], "--depths must lie within 1-32"),
        (["registry", "status", "--device", "0x5fbdb2315678afecb367f032d93F642f64180aa3"], "EIP-55"),
        (["registry", "authorize-device", "0x1234"], "40 hex digits"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(data_dir: Path, capsys, argv, words) -> None:
    assert main(argv) == 2
    assert words in one_line_error(capsys)


@pytest.mark.parametrize("argv", [["gov", "results", "-1"], ["vote", "-1", "--option", "0"]])
def test_negative_proposal_ids_are_usage_errors(data_dir: Path, capsys, argv) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "whole number >= 0" in err and "Traceback" not in err


def test_chart_does_not_create_directories(data_dir: Path, tmp_path: Path, capsys) -> None:
    chart = tmp_path / "no" / "such" / "dir" / "results.png"
    assert main(["gov", "results", "0", "--chart", str(chart)]) == 2
    assert "does not exist" in one_line_error(capsys)
    assert not (tmp_path / "no").exists()


def test_an_interrupted_atomic_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch) -> None:
    path = tmp_path / "deployment.json"
    path.write_text("old\n")

    def interrupted(src: str, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(deployed_system.os, "replace", interrupted)
    address = "0x" + "11" * 20
    deployment = Deployment(1, address, address, address, {}, address, address)
    with pytest.raises(KeyboardInterrupt):
        save_deployment(deployment, path, rpc_url="http://127.0.0.1:8545")
    assert [p.name for p in tmp_path.iterdir()] == ["deployment.json"]
    assert path.read_text() == "old\n"


@pytest.mark.slow
def test_ctrl_c_exits_130_and_stops_the_embedded_chain(data_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "personhood", "chain", "deploy", "--depths", "1"]
    err_path = tmp_path / "err.txt"
    with err_path.open("wb") as err:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        deadline = time.monotonic() + 120
        while "Ctrl-C stops it" not in err_path.read_text():
            assert process.poll() is None and time.monotonic() < deadline, err_path.read_text()
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err_path.read_text()
    assert "Traceback" not in err_path.read_text()
    url = next(line for line in out.splitlines() if line.startswith("rpc_url: ")).split(": ", 1)[1]
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # the embedded anvil is gone
    assert not data_dir.exists() or not any(data_dir.iterdir())  # nothing written for a chain that ended


def test_chain_up_on_a_port_in_use(data_dir: Path, capsys) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["chain", "up", "--port", str(busy.getsockname()[1]), "--depths", "1"]) == 2
    assert "is in use" in one_line_error(capsys)
    assert not data_dir.exists()  # refused before anything was written
