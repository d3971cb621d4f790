"""POST /v1/verify against a real chain, real proofs and SQLite (the concurrency test on PostgreSQL too):
acceptance, binding, roots, nullifiers, concurrency and bad input (4xx, nothing recorded)."""

from __future__ import annotations

import json
import threading

import pytest

from zk_identity import SNARK_SCALAR_FIELD

from .conftest import ACTION, APP_ID, OTHER_SIGNAL, SIGNAL

pytestmark = [pytest.mark.slow, pytest.mark.node]


def body(gov, proof: str = "verify", **changes) -> dict:
    data = gov.proofs[proof].to_json()
    data.update(changes.pop("proof_changes", {}))
    return {"app_id": APP_ID, "action": ACTION, "signal": SIGNAL, "proof": data, **changes}


def test_a_valid_proof_is_accepted_once_and_its_nullifier_recorded(gov, client, services):
    first = client.post("/v1/verify", json=body(gov))
    assert first.status_code == 200, first.json
    assert first.json["success"] is True and first.json["repeat"] is False
    assert first.json["nullifier"] == str(gov.proofs["verify"].nullifier)
    assert first.json["merkleTreeDepth"] == 2
    again = client.post("/v1/verify", json=body(gov))  # the identical claim: the first verdict, flagged
    assert again.status_code == 200 and again.json["repeat"] is True
    other = client.post("/v1/verify", json=body(gov, "verify_other_signal", signal=OTHER_SIGNAL))
    assert other.status_code == 409
    assert other.json["error"] == "nullifier_used"
    assert services.nullifiers.count() == 1


@pytest.fixture
def sql_services(gov_chain, sql_url):
    """Services whose nullifier store is a SQLite file, then an empty PostgreSQL database."""
    built = gov_chain.services(sql_url)
    try:
        yield built
    finally:
        built.nullifiers.close()


def test_concurrent_double_verify_yields_exactly_one_success(gov, sql_services):
    from personhood.app import create_app

    services = sql_services
    app = create_app({"PERSONHOOD_SERVICES": services})
    threads, statuses, barrier = [], [], threading.Barrier(8)
    lock = threading.Lock()

    def hammer(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        # Half claim for the proof's signal, half for another signal with the same nullifier.
        claim = body(gov) if i % 2 else body(gov, "verify_other_signal", signal=OTHER_SIGNAL)
        response = client.post("/v1/verify", json=claim)
        with lock:
            statuses.append((i % 2, response.status_code, (response.json or {}).get("repeat")))

    for i in range(8):
        threads.append(threading.Thread(target=hammer, args=(i,)))
        threads[-1].start()
    for thread in threads:
        thread.join(timeout=120)
    fresh = [s for s in statuses if s[1] == 200 and s[2] is False]
    assert len(fresh) == 1  # exactly one claim spent the nullifier
    winner = fresh[0][0]
    for side, status, repeat in statuses:
        # The winner's signal gets its first verdict again; the other signal is refused.
        assert (status, side == winner) in ((200, True), (409, False)), statuses
        assert repeat in (None, False, True)
    assert services.nullifiers.count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"action": "another-action"}, "wrong_scope"),
        ({"signal": OTHER_SIGNAL}, "wrong_message"),
        ({"app_id": "app_another_dapp"}, "wrong_scope"),
    ],
)
def test_a_proof_for_another_action_or_signal_is_refused(gov, client, services, changes, code):
    response = client.post("/v1/verify", json=body(gov, **changes))
    assert response.status_code == 400
    assert response.json["error"] == code
    assert services.nullifiers.count() == 0


def test_an_unknown_root_is_refused(gov, client, services):
    root = gov.proofs["verify"].merkle_tree_root
    response = client.post("/v1/verify", json=body(gov, proof_changes={"merkleTreeRoot": str(root + 1)}))
    assert response.status_code == 400
    assert response.json["error"] == "unknown_root"
    assert services.nullifiers.count() == 0


def test_an_expired_root_is_refused_and_stays_refused(gov_chain, client, services):
    gov = gov_chain
    gov.chain.registry.set_root_window(60, gov.owner)
    gov.enroll(gov.identities[4])  # the proof's root is now superseded, still within the window
    gov.warp(61)
    response = client.post("/v1/verify", json=body(gov))
    assert response.status_code == 400
    assert response.json["error"] == "expired_root"
    assert services.nullifiers.count() == 0
    gov.chain.registry.set_root_window(3600, gov.owner)  # widening never revives an already superseded root
    response = client.post("/v1/verify", json=body(gov))
    assert response.status_code == 400 and response.json["error"] == "expired_root"


def test_a_tampered_proof_is_refused(gov, client, services):
    points = gov.proofs["verify"].to_json()["points"]
    swapped = [points[6], points[7], *points[2:6], points[0], points[1]]  # A and C exchanged: on the curve
    response = client.post("/v1/verify", json=body(gov, proof_changes={"points": swapped}))
    assert response.status_code == 400
    assert response.json["error"] == "invalid_proof"
    assert services.nullifiers.count() == 0


BAD_BODIES = [
    (b"{not json", "malformed_json"),
    (b'{"action": NaN}', "malformed_json"),
    (b"\xff\xfe", "malformed_json"),
    (b"[]", "invalid_request"),
    (json.dumps({"app_id": APP_ID, "action": ACTION, "signal": SIGNAL}).encode(), "missing_field"),
    (json.dumps({"app_id": APP_ID, "action": 7, "signal": SIGNAL, "proof": {}}).encode(), "wrong_type"),
    (json.dumps({"app_id": APP_ID, "action": "", "signal": SIGNAL, "proof": {}}).encode(), "out_of_range"),
    (
        json.dumps({"app_id": APP_ID, "action": "a\u0000b", "signal": SIGNAL, "proof": {}}).encode(),
        "invalid_text",
    ),
    (json.dumps({"app_id": "a b", "action": ACTION, "signal": SIGNAL, "proof": {}}).encode(), "invalid_text"),
    (
        json.dumps({"app_id": APP_ID, "action": ACTION, "signal": SIGNAL, "proof": [], "x": 1}).encode(),
        "unknown_field",
    ),
    (json.dumps({"app_id": APP_ID, "action": ACTION, "signal": SIGNAL, "proof": "p"}).encode(), "wrong_type"),
]


@pytest.mark.parametrize(("raw", "code"), BAD_BODIES)
def test_malformed_bodies_get_400_with_a_code_and_change_nothing(client, services, raw, code):
    response = client.post("/v1/verify", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"] == code
    assert response.json["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    assert services.nullifiers.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("merkleTreeRoot", str(SNARK_SCALAR_FIELD), "out_of_range"),  # r itself is not a field element
        ("nullifier", str(SNARK_SCALAR_FIELD), "out_of_range"),
        ("merkleTreeDepth", 33, "malformed_proof"),
        ("merkleTreeDepth", True, "malformed_proof"),
        ("nullifier", "-1", "malformed_proof"),
        ("nullifier", 1.5, "malformed_proof"),
        ("points", ["1"] * 7, "malformed_proof"),
        ("points", ["1", "2", "3", "4", "5", "6", "7", "8"], "malformed_proof"),  # not on the curve
    ],
)
def test_out_of_field_and_wrong_type_proof_fields_are_refused(gov, client, services, field, value, code):
    response = client.post("/v1/verify", json=body(gov, proof_changes={field: value}))
    assert response.status_code == 400, response.json
    assert response.json["error"] == code
    assert services.nullifiers.count() == 0


def test_r_minus_1_is_a_well_formed_nullifier_but_not_this_proofs(gov, client, services):
    response = client.post(
        "/v1/verify", json=body(gov, proof_changes={"nullifier": str(SNARK_SCALAR_FIELD - 1)})
    )
    assert response.status_code == 400
    assert response.json["error"] == "invalid_proof"  # parsed fine, refused by the pairing check


def test_unknown_paths_and_methods_are_json_errors(client):
    missing = client.get("/v1/nothing")
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    wrong = client.get("/v1/verify")
    assert wrong.status_code == 405 and wrong.json["error"] == "method_not_allowed"
