"""GET /v1/group and GET /v1/group/proof/{commitment}: the registry's group for people and dapps that prove
outside this server (a browser page, a phone), from the indexer (MemberEnrolled / MemberRevoked events,
checked against the registry's current root on every sync).

    GET /v1/group?offset=0&limit=1000   -> {root, depth, size, offset, limit, next, commitments: [...]}
    GET /v1/group/proof/{commitment}    -> {root, depth, size, leaf, index, siblings} (zk-kit LeanIMT form)

Commitments and field elements are decimal strings; revoked leaves are "0", as on chain. A page of the
group is enough to rebuild it only together with the others: the Merkle proof endpoint gives one member
its path without downloading the group (at the cost of telling this server which member asks).
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from zk_identity import LeanIMT
from zk_identity.field import SNARK_SCALAR_FIELD

from .errors import NotFoundError, RequestError, UpstreamError
from .indexer import GroupIndexer
from .services import current_services

blueprint = Blueprint("group_api", __name__)

INDEXER_KEY = "personhood.group_indexer"
DEFAULT_PAGE = 1000
MAX_PAGE = 10_000  # about 800 kB of decimal commitments per response
_lock = threading.Lock()  # one sync at a time: the indexer's state is not thread-safe


def _query_int(name: str, default: int, low: int, high: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdecimal()) or len(text) > 12 or not low <= int(text) <= high:
        raise RequestError(
            f"{name} must be a whole number in {low}..{high}, got {text[:40]!r}", "out_of_range"
        )
    return int(text)


def _commitment(text: str) -> int:
    if not (text.isascii() and text.isdecimal()) or len(text) > 78:
        raise RequestError("the commitment must be a decimal integer", "wrong_type")
    value = int(text)
    if not 0 < value < SNARK_SCALAR_FIELD:
        raise RequestError("the commitment must be in [1, r) (BN254 scalar field)", "out_of_range")
    return value


def current_group() -> LeanIMT:
    """The group at the chain's head (synced under a lock; the tree is the indexer's own: read only)."""
    services = current_services()
    if services.chain is None:
        raise UpstreamError("this server has no chain configured")
    with _lock:
        indexer = current_app.extensions.get(INDEXER_KEY)
        if indexer is None:
            indexer = current_app.extensions[INDEXER_KEY] = GroupIndexer(services.chain.registry)
        return indexer.sync()


def _header(tree: LeanIMT) -> dict[str, Any]:
    return {"root": str(tree.root), "depth": tree.depth, "size": tree.size}


@blueprint.get("/v1/group")
def group_endpoint():
    """One page of the group's commitments in leaf order, with the root it belongs to."""
    offset = _query_int("offset", 0, 0, 2**40)
    limit = _query_int("limit", DEFAULT_PAGE, 1, MAX_PAGE)
    tree = current_group()
    page = tree.leaves[offset : offset + limit]
    after = offset + len(page)
    body = {
        **_header(tree),
        "offset": offset,
        "limit": limit,
        "next": after if after < tree.size else None,
        "commitments": [str(c) for c in page],
    }
    return jsonify(body)


@blueprint.get("/v1/group/proof/<commitment>")
def group_proof_endpoint(commitment: str):
    """The Merkle proof of one member (404 if the commitment is not in the group)."""
    value = _commitment(commitment)
    tree = current_group()
    if value not in tree:
        raise NotFoundError("this commitment is not a member of the group (never enrolled, or revoked)")
    proof = tree.generate_proof(tree.index_of(value))
    body = {
        **_header(tree),
        "leaf": str(proof.leaf),
        "index": proof.index,
        "siblings": [str(s) for s in proof.siblings],
    }
    return jsonify(body)


_DECIMAL = {"type": "string", "pattern": "^[0-9]{1,78}$"}
_HEADER = {"root": _DECIMAL, "depth": {"type": "integer"}, "size": {"type": "integer"}}
_ERROR = {"$ref": "#/components/schemas/Error"}
OPENAPI_PATHS: dict[str, Any] = {
    "/v1/group": {
        "get": {
            "summary": "A page of the registry's group (commitments in leaf order) and its root",
            "parameters": [
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                },
            ],
            "responses": {
                "200": {
                    "description": "the page",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GroupPage"}}},
                },
                "400": {"description": "bad paging", "content": {"application/json": {"schema": _ERROR}}},
                "503": {
                    "description": "chain unavailable",
                    "content": {"application/json": {"schema": _ERROR}},
                },
            },
        }
    },
    "/v1/group/proof/{commitment}": {
        "get": {
            "summary": "The Merkle proof of one member (zk-kit LeanIMT form)",
            "parameters": [{"name": "commitment", "in": "path", "required": True, "schema": _DECIMAL}],
            "responses": {
                "200": {
                    "description": "the proof",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GroupProof"}}},
                },
                "400": {
                    "description": "not a commitment",
                    "content": {"application/json": {"schema": _ERROR}},
                },
                "404": {"description": "not a member", "content": {"application/json": {"schema": _ERROR}}},
                "503": {
                    "description": "chain unavailable",
                    "content": {"application/json": {"schema": _ERROR}},
                },
            },
        }
    },
}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "GroupPage": {
        "type": "object",
        "properties": {
            **_HEADER,
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "next": {"type": "integer", "nullable": True},
            "commitments": {"type": "array", "items": _DECIMAL},
        },
    },
    "GroupProof": {
        "type": "object",
        "properties": {
            **_HEADER,
            "leaf": _DECIMAL,
            "index": {"type": "integer"},
            "siblings": {"type": "array", "items": _DECIMAL},
        },
    },
}
