"""The /v1/verify scope form of the API under test, for tests that must pass before and after it binds
actions to an application id (World-ID-style `action_scope(app_id, chain_id, action)`)."""

from __future__ import annotations

import inspect

from governance import requests

TEST_APP_ID = "app_personhood_tests"


def namespaced() -> bool:
    """True when the API's scope takes (app id, chain id, action)."""
    return len(inspect.signature(requests.action_scope).parameters) > 1


def expected_scope(action: str, chain_id: int) -> int:
    """The scope the API expects for `action` from TEST_APP_ID on `chain_id`."""
    if namespaced():
        return requests.action_scope(TEST_APP_ID, chain_id, action)  # type: ignore[call-arg]
    return requests.action_scope(action)  # type: ignore[call-arg]


def cli_args(chain_id: int) -> list[str]:
    """What `prove/verify --action` need besides the action: --app-id and --chain-id where namespaced."""
    return ["--app-id", TEST_APP_ID, "--chain-id", str(chain_id)] if namespaced() else []


def body_fields() -> dict[str, str]:
    """What a /v1/verify body needs besides action, signal and proof."""
    return {"app_id": TEST_APP_ID} if namespaced() else {}
