"""create_app built from Settings (rpc_url + deployment file), as `personhood gov serve` builds it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from personhood.app import create_app

from .conftest import OTHER_SIGNAL
from .test_verify_api import body

pytestmark = [pytest.mark.slow, pytest.mark.node]


def test_an_app_built_from_settings_verifies_a_proof(gov, tmp_path):
    deployment = tmp_path / "deployment.json"
    deployment.write_text(json.dumps(dataclasses.asdict(gov.deployment)))
    settings = gov.settings.replace(
        rpc_url=gov.node.url,
        data_dir=tmp_path,
        deployment_file=deployment,
        relayer_key="0x" + "11" * 32,
    )
    app = create_app({"PERSONHOOD_SETTINGS": settings})
    services = app.extensions["personhood"]
    try:
        client = app.test_client()
        assert client.post("/v1/verify", json=body(gov)).status_code == 200
        other = body(gov, "verify_other_signal", signal=OTHER_SIGNAL)
        assert client.post("/v1/verify", json=other).status_code == 409
        assert (tmp_path / "governance.sqlite3").is_file()
        assert services.relayer.address != gov.relayer.address  # the configured key, not a node account
    finally:
        services.nullifiers.close()


def test_an_app_without_a_deployment_file_says_how_to_make_one(gov, tmp_path):
    settings = gov.settings.replace(rpc_url=gov.node.url, data_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="personhood chain deploy --json"):
        create_app({"PERSONHOOD_SETTINGS": settings})
