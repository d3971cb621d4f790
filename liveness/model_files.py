"""The liveness models this package ships, and their versions (recorded in capture manifests).

A station records which models made each decision; it asks here rather than reading the files
itself, so the models' location stays this package's business.
"""

from __future__ import annotations

import hashlib

from .fusion import FUSION_PATH
from .texture_model import MODEL_PATH as TEXTURE_MODEL_PATH

MODEL_FILES = {"liveness-fusion": FUSION_PATH, "liveness-texture": TEXTURE_MODEL_PATH}
VERSION_HEX_DIGITS = 16  # 64 bits of SHA-256: tells model files apart, not a security binding


def model_versions() -> dict[str, str]:
    """Name -> version (the first 16 hex digits of the file's SHA-256, "missing" if absent) of each
    shipped liveness model."""
    versions = {}
    for name, path in MODEL_FILES.items():
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        versions[name] = digest[:VERSION_HEX_DIGITS] if digest else "missing"
    return versions
