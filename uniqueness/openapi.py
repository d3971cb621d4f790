"""The uniqueness service's OpenAPI 3.0 description, served at GET /openapi.json."""

from __future__ import annotations

from typing import Any

_HEX32 = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
_HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_ERROR = {
    "description": "refused; nothing was decided (error codes: bad_request, bad_signature, wrong_service, "
    "stale_request, replayed_request, device_not_active, bad_probe, bad_ciphertext, bad_deadline, "
    "unknown_reservation, reservation_exists, not_on_chain, gallery_rollback, unavailable; /v1/delete: "
    "not_operator, deletion_disabled, unknown_record, reservation_open)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _op(summary: str, request: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}},
            },
            "responses": {
                "200": {
                    "description": "the decision, signed by the service's key",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Decision"}}},
                },
                **{str(status): _ERROR for status in (400, 403, 409, 413, 503)},
            },
        }
    }


_REQUEST_FIELDS = {
    "kind": {"type": "string", "enum": ["personhood.uniqueness-request/1"]},
    "op": {"type": "string", "enum": ["reserve", "commit", "release"]},
    "service": {"type": "string", "description": "the service's address (requests are bound to one)"},
    "reservation": _HEX32,
    "nonce": _HEX32,
    "time": {"type": "integer", "description": "unix seconds; at most 120 s off the service's clock"},
    "device": {"type": "string", "description": "the station's device address"},
    "sig": {"type": "string", "description": "EIP-191 signature over the canonical JSON without sig"},
}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Personhood uniqueness service",
        "version": "1",
        "description": "The deployment's one gallery: search-and-reserve, commit, release. Requests are "
        "signed by an authorized station's device key; probes are sealed to the service's X25519 key.",
    },
    "paths": {
        "/v1/info": {
            "get": {
                "summary": "Service address, X25519 key, registry, eyes",
                "responses": {"200": {"description": "what stations pin"}},
            }
        },
        "/v1/health": {
            "get": {"summary": "Counts (no ids, no bits)", "responses": {"200": {"description": "counts"}}}
        },
        "/v1/reserve": _op("Search both eyes; reserve when nobody matches", "ReserveBody"),
        "/v1/commit": _op("The leaf landed: keep the reservation", "Body"),
        "/v1/release": _op("The enrollment will not land: drop the reservation", "Body"),
        "/v1/delete": _op("The operator erases one record (signed by the operator's key)", "DeleteBody"),
        "/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.0"}}}
        },
    },
    "components": {
        "schemas": {
            "Request": {"type": "object", "required": list(_REQUEST_FIELDS), "properties": _REQUEST_FIELDS},
            "ReserveRequest": {
                "allOf": [
                    {"$ref": "#/components/schemas/Request"},
                    {
                        "type": "object",
                        "required": ["commitment", "deadline", "probe_sha256", "enc"],
                        "properties": {
                            "commitment": {"type": "string", "pattern": "^[0-9]{1,78}$"},
                            "deadline": {"type": "integer"},
                            "probe_sha256": _HEX64,
                            "enc": _HEX64,
                        },
                    },
                ]
            },
            "Body": {
                "type": "object",
                "required": ["request"],
                "properties": {"request": {"$ref": "#/components/schemas/Request"}},
            },
            "ReserveBody": {
                "type": "object",
                "required": ["request", "sealed"],
                "properties": {
                    "request": {"$ref": "#/components/schemas/ReserveRequest"},
                    "sealed": {"type": "string", "format": "byte", "description": "nonce || AES-GCM(probe)"},
                },
            },
            "DeleteBody": {
                "type": "object",
                "required": ["request"],
                "properties": {
                    "request": {
                        "type": "object",
                        "required": [
                            "kind",
                            "service",
                            "record_id",
                            "reason",
                            "nonce",
                            "time",
                            "device",
                            "sig",
                        ],
                        "properties": {
                            "kind": {"type": "string", "enum": ["personhood.uniqueness-delete/1"]},
                            "service": {"type": "string"},
                            "record_id": {"type": "string", "pattern": "^[0-9]{1,19}$"},
                            "reason": {"type": "string", "maxLength": 200},
                            "nonce": _HEX32,
                            "time": {"type": "integer"},
                            "device": {"type": "string", "description": "the operator's address"},
                            "sig": {"type": "string"},
                        },
                    }
                },
            },
            "Decision": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": ["personhood.uniqueness-decision/1"]},
                    "op": {"type": "string"},
                    "result": {
                        "type": "string",
                        "enum": ["unique", "duplicate", "committed", "released", "deleted"],
                    },
                    "station": {"type": "string"},
                    "reservation": _HEX32,
                    "record_id": {"type": "string", "description": "delete only"},
                    "operator": {"type": "string", "description": "delete only"},
                    "deadline": {"type": "integer", "nullable": True},
                    "searched": {"type": "integer", "nullable": True},
                    "threshold": {"type": "number", "nullable": True},
                    "nonce": _HEX32,
                    "time": {"type": "integer"},
                    "device": {"type": "string"},
                    "sig": {"type": "string"},
                },
            },
            "Error": {
                "type": "object",
                "required": ["error", "message"],
                "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
            },
        }
    },
}
