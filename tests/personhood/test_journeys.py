"""Every command of the README's journeys, in order, against one chain (issue 25: the journeys did not
reach the same chain). Operator: device init → chain up → registry status/authorize → station serve
(refused while unauthorized, then serving). Person: id new → group export → prove --action. DAO: gov
propose/list/results. Dapp: gov serve + POST /v1/verify (accepted once) and `verify`. Then the chain
restarts with its state, and a station directory is refused against another registry."""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts import RegistryClient, build_contracts
from contracts.anvil import free_loopback_port
from hardware import KeystoreDeviceKey
from personhood.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.node]
PASSWORD = "journey-device-password"
ACTION, SIGNAL = "claim-airdrop-2026", "alice.eth"
CLI = [sys.executable, "-m", "personhood"]
APP_ID = "app_journey"


def namespaced_api() -> bool:
    """True when /v1/verify's scope takes (app id, chain id, action) rather than the action alone."""
    from governance import requests

    return len(inspect.signature(requests.action_scope).parameters) > 1


class Background:
    """A long-running `personhood` command (a server) with its output in files."""

    def __init__(self, argv: list[str], env: dict[str, str], folder: Path, name: str) -> None:
        self.out, self.err = folder / f"{name}.out", folder / f"{name}.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen([*CLI, *argv], env=env, stdout=out, stderr=err)

    def wait_for(self, text: str, timeout: float = 120.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            both = self.out.read_text() + self.err.read_text()
            if text in both:
                return both
            assert self.process.poll() is None, f"exited {self.process.returncode}:\n{both}"
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not seen within {timeout} s:\n{both}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=30)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    values = {
        "PERSONHOOD_DATA_DIR": str(tmp_path / "data"),
        "PERSONHOOD_DEVICE_PASSWORD": PASSWORD,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    for name in list(os.environ):
        if name.startswith("PERSONHOOD_"):
            monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    yield {**os.environ}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_operator_person_dao_and_dapp_journeys_on_one_chain(env, tmp_path: Path, capsys, monkeypatch) -> None:
    data = tmp_path / "data"
    station_dir = tmp_path / "station"
    # Operator: the device key first, then the chain, then the registry owner authorizes the device.
    code, out, _ = run(capsys, "device", "init", "--scrypt-n", "16384", "--json")
    assert code == 0
    device = json.loads(out)["address"]
    port = free_loopback_port()
    chain = Background(["chain", "up", "--port", str(port), "--depths", "1-4"], env, tmp_path, "chain")
    service = None
    try:
        chain.wait_for("export PERSONHOOD_RPC_URL=")
        rpc_url = f"http://127.0.0.1:{port}"
        assert f"export PERSONHOOD_RPC_URL={rpc_url}" in chain.out.read_text()
        monkeypatch.setenv("PERSONHOOD_RPC_URL", rpc_url)
        env["PERSONHOOD_RPC_URL"] = rpc_url
        deployment = json.loads((data / "deployment.json").read_text())
        registry_address = deployment["registry"]

        code, out, _ = run(capsys, "registry", "status", "--device", device.lower(), "--json")
        assert code == 0 and json.loads(out)["device_status"] == "unknown"
        # The deployment's uniqueness service (its own key), which every station asks.
        service_key = tmp_path / "uniqueness-key.json"
        assert run(capsys, "device", "init", "--keystore", str(service_key), "--scrypt-n", "16384")[0] == 0
        service_port = free_loopback_port()
        uniqueness = ["uniqueness", "serve", "--registry", registry_address, "--keystore", str(service_key)]
        uniqueness += ["--port", str(service_port), "--dir", str(tmp_path / "uniqueness")]
        service = Background(uniqueness, env, tmp_path, "uniqueness")
        service.wait_for("uniqueness service 0x")
        serve = ["station", "serve", "--registry", registry_address, "--camera", "63"]
        serve += ["--uniqueness", f"http://127.0.0.1:{service_port}"]
        serve += ["--station-dir", str(station_dir), "--port", "0"]
        code, _, err = run(capsys, *serve)
        assert code == 1 and "not authorized" in err and "registry authorize-device" in err
        assert not station_dir.exists()  # refused before anything was written
        code, out, _ = run(capsys, "registry", "authorize-device", device)
        assert code == 0 and out.strip().endswith("active")
        station = Background(serve, env, tmp_path, "station")
        station.wait_for("station UI on http://127.0.0.1:")
        assert station.stop(signal.SIGTERM) == 0
        assert json.loads((station_dir / "registry.json").read_text())["registry"] == registry_address

        # Person: an identity; the station enrolls its commitment (here its device key signs directly).
        key_file = tmp_path / "me.key"
        code, out, _ = run(capsys, "id", "new", "--out", str(key_file))
        assert code == 0
        commitment = int(out.split()[-1])
        enroll(rpc_url, registry_address, data / "device-keystore.json", commitment)
        group_file = tmp_path / "group.txt"
        code, _, err = run(capsys, "group", "export", "--out", str(group_file))
        assert code == 0 and "group of 1" in err
        assert group_file.read_text() == f"{commitment}\n"
        # Where the API binds actions to a dapp (World-ID-style app id + chain id), the dapp's app id too.
        app = ["--app-id", APP_ID, "--chain-id", str(deployment["chain_id"])] if namespaced_api() else []
        code, out, _ = run(
            capsys, "prove", "--identity", str(key_file), "--group", str(group_file), "--action", ACTION,
            "--signal", SIGNAL, *app,
        )  # fmt: skip
        assert code == 0
        proof = json.loads(out)

        # DAO
        code, out, _ = run(capsys, "gov", "propose", "--options", "3", "--description", "Fund the well")
        assert code == 0
        code, out, _ = run(capsys, "gov", "list", "--json")
        assert code == 0 and len(json.loads(out)["proposals"]) == 1
        code, out, _ = run(capsys, "gov", "results", "0", "--chart", str(tmp_path / "results.png"), "--json")
        assert code == 0 and (tmp_path / "results.png").stat().st_size > 0

        # Dapp: the verification API, and the CLI check.
        api_port = free_loopback_port()
        api = Background(["gov", "serve", "--port", str(api_port)], env, tmp_path, "api")
        try:
            api.wait_for("serving the governance API")
            url = f"http://127.0.0.1:{api_port}/v1/verify"
            body = {"action": ACTION, "signal": SIGNAL, "proof": proof}
            if app:
                body["app_id"] = APP_ID
            for _ in range(100):  # the server answers a moment after its first line
                try:
                    status, answer = post(url, body)
                    break
                except urllib.error.URLError:
                    time.sleep(0.2)
            assert status == 200, answer
            # The same person claiming again (another signal, a new proof): refused.
            code, out, _ = run(
                capsys, "prove", "--identity", str(key_file), "--group", str(group_file), "--action", ACTION,
                "--signal", "bob.eth", *app,
            )  # fmt: skip
            assert code == 0
            status, answer = post(url, {**body, "signal": "bob.eth", "proof": json.loads(out)})
            assert status == 409 and answer["error"] == "nullifier_used", answer
        finally:
            api.stop()
        proof_file = tmp_path / "proof.json"
        proof_file.write_text(json.dumps(proof))
        verify = [
            "verify",
            str(proof_file),
            "--action",
            ACTION,
            "--signal",
            SIGNAL,
            "--group",
            str(group_file),
            *app,
        ]
        assert run(capsys, *verify)[0] == 0

        # The chain stops and comes back with its state: no new deployment, the member is still there.
        assert chain.stop() == 130  # Ctrl-C
        chain = Background(["chain", "up", "--port", str(port), "--depths", "1-4"], env, tmp_path, "chain2")
        text = chain.wait_for("export PERSONHOOD_RPC_URL=")
        assert "already deployed; not deploying again" in text
        assert json.loads((data / "deployment.json").read_text())["registry"] == registry_address
        code, out, _ = run(capsys, "registry", "status", "--json")
        assert code == 0 and json.loads(out)["members"] == 1

        # Another registry on the same chain: the station directory of the first is refused.
        code, out, _ = run(capsys, "chain", "deploy", "--rpc", rpc_url, "--depths", "1-4", "--json")
        assert code == 0
        other = json.loads(out)["registry"]
        assert (
            other != registry_address
            and json.loads((data / "deployment.json").read_text())["registry"] == other
        )
        assert run(capsys, "registry", "authorize-device", device)[0] == 0
        serve[serve.index(registry_address)] = other
        code, _, err = run(capsys, *serve)
        assert code == 1 and "holds the records of registry" in err
        code, out, _ = run(capsys, "registry", "revoke-device", device, "--json")
        assert code == 0 and json.loads(out)["status"] == "revoked"
        code, _, err = run(capsys, *serve)
        assert code == 1 and "is revoked" in err
    finally:
        if service is not None:
            service.stop()
        chain.stop()


def enroll(rpc_url: str, registry_address: str, keystore: Path, commitment: int) -> None:
    """What the station does once a person is found unique: the device signs, a relayer sends."""
    from web3 import Web3

    from personhood.config import load_settings

    w3 = Web3(Web3.HTTPProvider(rpc_url))
    settings = load_settings(environ={})
    registry = RegistryClient(w3, build_contracts(settings.cache_dir, ()), registry_address)
    enrollment = registry.enrollment(commitment, int(time.time()) + 3600)
    with KeystoreDeviceKey.unlock(keystore, PASSWORD) as key:
        signature = key.sign_typed_data(enrollment.typed_data()).to_bytes()
    registry.enroll(enrollment, signature, w3.eth.accounts[1])
