"""The HTTP API's OpenAPI 3.0 description, served at GET /openapi.json (the fuzz tests read it too)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from . import group_api, proposals_openapi
from .proposals import BALLOT_KINDS

blueprint = Blueprint("openapi", __name__)

_DECIMAL = {"type": "string", "pattern": "^[0-9]{1,78}$", "description": "a decimal integer"}
_ERROR_RESPONSE = {
    "description": "refused; nothing was recorded or sent",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _json(schema_ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): _ERROR_RESPONSE for status in statuses}


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Personhood governance API",
        "version": "1",
        "description": "Verify Semaphore v4 proofs of personhood for dapp actions; relay anonymous votes; "
        "read results recounted from the chain. Errors are JSON {error, message}.",
    },
    "paths": {
        "/v1/verify": {
            "post": {
                "summary": "Verify a proof for an action and spend its nullifier",
                "requestBody": {
                    "required": True,
                    **_json("VerifyRequest", "the app id, action, signal and proof"),
                },
                "responses": {
                    "200": _json(
                        "Verified", "accepted (or the identical claim again: repeat); nullifier spent"
                    ),
                    **_errors(400, 409, 413, 415, 429, 503),
                },
            }
        },
        "/v1/relay/vote": {
            "post": {
                "summary": "Relay a ballot from the relayer's account",
                "requestBody": {"required": True, **_json("VoteRequest", "the ballot and its proof")},
                "responses": {
                    "200": _json("Relayed", "mined; the transaction hash"),
                    "202": _json(
                        "Relayed", "sent, not yet mined: retry the same ballot to learn the outcome"
                    ),
                    **_errors(400, 403, 404, 409, 413, 415, 429, 503),
                },
            }
        },
        "/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.0"}}}
        },
    },
    "components": {
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error", "message"],
                "properties": {
                    "error": {"type": "string", "description": "machine-readable code"},
                    "message": {"type": "string", "description": "what went wrong and what to do"},
                },
            },
            "Proof": {
                "type": "object",
                "description": "Semaphore v4 SemaphoreProof JSON",
                "required": ["merkleTreeDepth", "merkleTreeRoot", "nullifier", "message", "scope", "points"],
                "additionalProperties": False,
                "properties": {
                    "merkleTreeDepth": {"type": "integer", "minimum": 1, "maximum": 32},
                    "merkleTreeRoot": _DECIMAL,
                    "nullifier": _DECIMAL,
                    "message": _DECIMAL,
                    "scope": _DECIMAL,
                    "points": {"type": "array", "items": _DECIMAL, "minItems": 8, "maxItems": 8},
                },
            },
            "VerifyRequest": {
                "type": "object",
                "required": ["app_id", "action", "signal", "proof"],
                "additionalProperties": False,
                "properties": {
                    "app_id": {
                        "type": "string",
                        "pattern": "^[A-Za-z0-9_.-]{1,64}$",
                        "description": "the dapp's application id; scope = keccak256(abi.encode(chainId, "
                        "app_id, action)) >> 8",
                    },
                    "action": {"type": "string", "minLength": 1, "maxLength": 256},
                    "signal": {"type": "string", "maxLength": 4096},
                    "proof": {"$ref": "#/components/schemas/Proof"},
                },
            },
            "Verified": {
                "type": "object",
                "required": ["success", "app_id", "action", "scope", "nullifier", "repeat"],
                "properties": {
                    "success": {"type": "boolean"},
                    "app_id": {"type": "string"},
                    "action": {"type": "string"},
                    "scope": _DECIMAL,
                    "repeat": {"type": "boolean", "description": "true: the identical claim was seen before"},
                    "nullifier": _DECIMAL,
                    "merkleTreeRoot": _DECIMAL,
                    "merkleTreeDepth": {"type": "integer"},
                },
            },
            "VoteRequest": {
                "type": "object",
                "required": ["ballot", "proposalId", "proof"],
                "additionalProperties": False,
                "properties": {
                    "ballot": {"type": "string", "enum": list(BALLOT_KINDS)},
                    "proposalId": {"type": "integer", "minimum": 0},
                    "option": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 31,
                        "description": "one_person_one_vote",
                    },
                    "votes": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 0},
                        "minItems": 2,
                        "maxItems": 32,
                        "description": "quadratic: votes per option",
                    },
                    "proof": {"$ref": "#/components/schemas/Proof"},
                },
            },
            "Relayed": {
                "type": "object",
                "required": ["status", "txHash", "ballot", "proposalId", "nullifier"],
                "properties": {
                    "status": {"type": "string", "enum": ["mined", "pending"]},
                    "txHash": {"type": "string"},
                    "ballot": {"type": "string"},
                    "proposalId": {"type": "integer"},
                    "nullifier": _DECIMAL,
                    "blockNumber": {"type": "integer"},
                    "gasUsed": {"type": "integer"},
                },
            },
        }
    },
}

SPEC["paths"].update(group_api.OPENAPI_PATHS)  # each blueprint module describes its own paths
SPEC["components"]["schemas"].update(group_api.OPENAPI_SCHEMAS)
SPEC["paths"].update(proposals_openapi.OPENAPI_PATHS)
SPEC["components"]["schemas"].update(proposals_openapi.OPENAPI_SCHEMAS)


@blueprint.get("/openapi.json")
def openapi_endpoint():
    """The OpenAPI document."""
    return jsonify(SPEC)
