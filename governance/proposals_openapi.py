"""The OpenAPI description of the proposal routes (governance.results_page), merged into /openapi.json."""

from __future__ import annotations

from typing import Any

from .proposals import BALLOT_KINDS

_ERROR = {"$ref": "#/components/schemas/Error"}
_INTS = {"type": "array", "items": {"type": "integer"}, "nullable": True}
_PARAMS = [
    {
        "name": "ballot",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": list(BALLOT_KINDS)},
    },
    {"name": "proposalId", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}},
]


def _ok(description: str, schema: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _errors(*statuses: int) -> dict[str, Any]:
    body = {"description": "refused", "content": {"application/json": {"schema": _ERROR}}}
    return {str(status): body for status in statuses}


OPENAPI_PATHS: dict[str, Any] = {
    "/v1/proposals": {
        "get": {
            "summary": "Every proposal of both ballots with its metadata status and title",
            "responses": {"200": _ok("the proposals", "ProposalList"), **_errors(503)},
        }
    },
    "/v1/proposals/{ballot}/{proposalId}/results": {
        "get": {
            "summary": "Tallies on chain and recounted from events, shares, turnout, verified metadata",
            "parameters": _PARAMS,
            "responses": {
                "200": _ok("the results (counts null while hidden)", "Results"),
                **_errors(404, 503),
            },
        }
    },
    "/v1/proposals/{ballot}/{proposalId}/results.csv": {
        "get": {
            "summary": "The results table as CSV: option, label, on_chain, recount, percent",
            "parameters": _PARAMS,
            "responses": {
                "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                **_errors(403, 404, 503),
            },
        }
    },
    "/v1/proposals/{ballot}/{proposalId}/metadata": {
        "get": {
            "summary": "The proposal's metadata, if verified against its on-chain descriptionHash",
            "parameters": _PARAMS,
            "responses": {"200": _ok("status and metadata", "MetadataView"), **_errors(404, 503)},
        },
        "post": {
            "summary": "Publish metadata; stored only if it hashes to the on-chain descriptionHash",
            "parameters": _PARAMS,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Metadata"}}},
            },
            "responses": {
                "200": _ok("already stored", "MetadataView"),
                "201": _ok("stored", "MetadataView"),
                **_errors(400, 404, 409, 413, 415, 503),
            },
        },
    },
}

_METADATA = {
    "type": "object",
    "required": ["title", "options"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 10_000},
        "options": {"type": "array", "minItems": 2, "maxItems": 32, "items": {"type": "string"}},
        "hideResultsUntilClose": {"type": "boolean"},
    },
}
_VIEW = {
    "metadataStatus": {"type": "string", "enum": ["verified", "missing", "unverified"]},
    "descriptionHash": {"type": "string"},
    "metadata": {**_METADATA, "nullable": True},
}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "Metadata": _METADATA,
    "MetadataView": {"type": "object", "properties": _VIEW},
    "ProposalList": {
        "type": "object",
        "properties": {"proposals": {"type": "array", "items": {"type": "object"}}},
    },
    "Results": {
        "type": "object",
        "required": ["ballot", "proposalId", "tallies", "recount", "hidden", "metadataStatus"],
        "properties": {
            **_VIEW,
            "ballot": {"type": "string"},
            "proposalId": {"type": "integer"},
            "options": {"type": "integer"},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "startTime": {"type": "string"},
            "endTime": {"type": "string"},
            "budget": {"type": "integer", "nullable": True},
            "title": {"type": "string"},
            "labels": {"type": "array", "items": {"type": "string"}},
            "tallies": _INTS,
            "recount": _INTS,
            "percentages": {"type": "array", "items": {"type": "number"}, "nullable": True},
            "ballots": {"type": "integer", "nullable": True},
            "groupSize": {"type": "integer"},
            "turnout": {"type": "number", "nullable": True},
            "consistent": {"type": "boolean", "nullable": True},
            "final": {"type": "boolean"},
            "hidden": {"type": "boolean"},
            "state": {"type": "string", "enum": ["upcoming", "open", "closed"]},
        },
    },
}
