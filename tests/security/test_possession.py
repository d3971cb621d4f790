"""Finding 2 (High): the station must see proof that the person holds the commitment's secret.

Attacks replayed: a malicious operator types a victim-chosen (someone else's) commitment, or swaps
the QR code; an answer signed by another key for the victim's public key; a captured answer replayed;
an answer for a nonce this station never issued or that expired. Each is refused before any camera
or biometric step (the camera is never opened), and nothing is enrolled."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from enrollment.errors import StationInputError
from enrollment.possession import (
    NonceBook,
    PossessionAnswer,
    PossessionError,
    answer_challenge,
    parse_answer,
    parse_challenge,
)
from enrollment.station.ui import create_station_app
from personhood.cli import main
from simulation.station_camera import SyntheticCameras
from zk_identity import Identity

from ..enrollment.station_world import station_world, templates_held

VICTIM, ATTACKER = Identity("possession-victim"), Identity("possession-attacker")


def test_only_the_key_holder_answers_a_fresh_challenge() -> None:
    book = NonceBook()
    nonce = book.issue()
    assert book.verify(parse_answer(answer_challenge(VICTIM, nonce).to_text())) == VICTIM.commitment

    # The attacker claims the victim's public key but can only sign with their own key.
    nonce = book.issue()
    forged = answer_challenge(ATTACKER, nonce)
    forged = PossessionAnswer(nonce, VICTIM.public_key, forged.signature)
    with pytest.raises(PossessionError, match="does not verify"):
        book.verify(forged)


def test_answers_cannot_be_replayed_invented_or_kept_past_their_time() -> None:
    now = [1000.0]
    book = NonceBook(ttl_s=60, clock=lambda: now[0])
    nonce = book.issue()
    answer = answer_challenge(VICTIM, nonce)
    assert book.verify(answer) == VICTIM.commitment
    with pytest.raises(PossessionError, match="not for an open challenge"):
        book.verify(answer)  # replayed: the nonce is spent
    with pytest.raises(PossessionError, match="not for an open challenge"):
        book.verify(answer_challenge(VICTIM, nonce + 1))  # never issued
    late = book.issue()
    now[0] += 61
    with pytest.raises(PossessionError, match="expired"):
        book.verify(answer_challenge(VICTIM, late))


@pytest.mark.parametrize(
    "text",
    [str(VICTIM.commitment), f"personhood:commitment:{VICTIM.commitment}", "personhood:possession:v1:1:2"],
)
def test_a_bare_commitment_is_not_an_answer(text: str) -> None:
    with pytest.raises(StationInputError):
        parse_answer(text)


def test_the_wallet_command_answers_the_challenge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "me.key"
    assert main(["id", "new", "--out", str(key)]) == 0
    capsys.readouterr()
    book = NonceBook()
    nonce = book.issue()
    assert main(["id", "sign-enrollment", str(key), "--challenge", f"personhood:challenge:v1:{nonce}"]) == 0
    answer = parse_answer(capsys.readouterr().out)
    assert answer.nonce == parse_challenge(str(nonce))
    assert book.verify(answer) == answer.commitment
    assert main(["id", "sign-enrollment", str(key), "--challenge", "0"]) == 2


class CountingCameras(SyntheticCameras):
    """The synthetic camera, counting how often an enrollment opened it."""

    opened = 0

    def open(self, subject, visit):
        CountingCameras.opened += 1
        return super().open(subject, visit)


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    tmp = tmp_path_factory.mktemp("possession-ui")
    with station_world(tmp) as world:
        station = world.open_station(tmp / "station")
        try:
            app = create_station_app(station, CountingCameras(), tmp / "station")
            client = app.test_client()
            csrf = (
                client.get("/").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
            )
            setup = {"token": app.config["STATION_SETUP_TOKEN"], "password": "operator-password-1"}
            assert client.post("/v1/setup", json=setup, headers={"X-CSRF-Token": csrf}).status_code == 200
            yield world, station, client, csrf
        finally:
            station.close()


@pytest.mark.slow
def test_the_operator_ui_refuses_an_unproven_commitment_before_the_camera(ui) -> None:
    world, station, client, csrf = ui
    headers = {"X-CSRF-Token": csrf}
    size = templates_held(station)
    # The old form: a typed commitment and nothing else.
    r = client.post(
        "/v1/enrollments", data={"commitment": str(VICTIM.commitment), "subject": "7"}, headers=headers
    )
    assert r.status_code == 400 and r.get_json()["error"] == "bad_input"
    # A forged answer for a real challenge.
    nonce = int(client.post("/v1/challenge", headers=headers).get_json()["nonce"])
    forged = PossessionAnswer(nonce, VICTIM.public_key, answer_challenge(ATTACKER, nonce).signature)
    r = client.post("/v1/enrollments", data={"answer": forged.to_text(), "subject": "7"}, headers=headers)
    assert r.status_code == 403 and r.get_json()["error"] == "possession_refused"
    assert CountingCameras.opened == 0
    assert client.get("/v1/enrollments/current").get_json()["state"] == "idle"
    assert templates_held(station) == size and not world.registry.member(VICTIM.commitment).enrolled

    # The holder's own answer starts the enrollment; the UI shows whose key signed.
    challenge = client.post("/v1/challenge", headers=headers).get_json()
    assert challenge["qr"].startswith("data:image/png;base64,")
    answer = answer_challenge(VICTIM, parse_challenge(challenge["text"])).to_text()
    r = client.post("/v1/enrollments", data={"answer": answer, "subject": "7"}, headers=headers)
    assert r.status_code == 202, r.get_json()
    assert CountingCameras.opened == 1
    deadline = time.monotonic() + 120
    while (run := client.get("/v1/enrollments/current").get_json())["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert run["possession"] == {"ok": True, "commitment": str(VICTIM.commitment)}
    assert run["outcome"]["outcome"] == "enrolled", run["outcome"]
    # Replaying the same answer is refused: the nonce was spent.
    r = client.post("/v1/enrollments", data={"answer": answer, "subject": "8"}, headers=headers)
    assert r.status_code == 403 and CountingCameras.opened == 1
