"""Finding 8 (Low): the nullifier store sent the database driver's message to clients, and a NUL in
`action` gave a 500 on PostgreSQL.

Attacks replayed: a request that makes the database fail (here: SQLite reporting a locked file whose
message names a private path) gets a clean 503 without the driver's words; control characters in
`action` are refused with 400 before the database is asked; no client text ever becomes the store's
key (the key is the scope)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event

from ..governance.test_verify_api import body

pytestmark = [pytest.mark.slow, pytest.mark.node]
SECRET = "/srv/private/governance-db"


def test_a_database_failure_is_a_clean_503_without_the_drivers_text(gov, client, services):
    def locked(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError(f"database is locked: {SECRET}")

    event.listen(services.nullifiers.engine, "before_cursor_execute", locked)
    response = client.post("/v1/verify", json=body(gov))
    assert response.status_code == 503 and response.json["error"] == "upstream_unavailable"
    text = response.get_data(as_text=True)
    assert SECRET not in text and "locked" not in text and "sqlite" not in text.lower()
    assert "Traceback" not in text
    event.remove(services.nullifiers.engine, "before_cursor_execute", locked)
    assert services.nullifiers.count() == 0


@pytest.mark.parametrize("action", ["claim\x00drop", "claim\ndrop", "claim\x7f"])
def test_control_characters_in_action_are_refused_before_the_database(gov, client, services, action):
    response = client.post("/v1/verify", json=body(gov, action=action))
    assert response.status_code == 400 and response.json["error"] == "invalid_text"
    assert services.nullifiers.count() == 0


def test_the_store_is_keyed_by_scope_not_by_client_text(gov, client, services):
    assert client.post("/v1/verify", json=body(gov)).status_code == 200
    with services.nullifiers.engine.connect() as connection:
        keys = [row[0] for row in connection.exec_driver_sql("SELECT action FROM used_nullifiers")]
    assert keys == [f"scope:{gov.proofs['verify'].scope}"]
