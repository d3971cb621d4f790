"""The uniqueness gallery: 1:N deduplication over packed iris templates, encrypted at rest, sharded on Ray."""

from .decision import (
    DAUGMAN_FMR,
    DedupDecision,
    FmrPoint,
    ThresholdChoice,
    decide,
    false_match_rate_at,
    threshold_for_gallery_size,
)
from .distance import MAX_SHIFT, REFERENCE_BITS, SHIFT_ORDER, normalized_distance, pair_distance
from .encrypted_store import EncryptedStore
from .errors import (
    DuplicateRecordError,
    GalleryError,
    GalleryInputError,
    KernelUnavailableError,
    RecordNotFoundError,
    StoreCorruptError,
    StoreLockedError,
)
from .gallery import Gallery
from .results import GalleryMatch, SearchResult
from .shard import GalleryShard

__all__ = [
    "DAUGMAN_FMR",
    "MAX_SHIFT",
    "REFERENCE_BITS",
    "SHIFT_ORDER",
    "DedupDecision",
    "DuplicateRecordError",
    "EncryptedStore",
    "FmrPoint",
    "Gallery",
    "GalleryError",
    "GalleryInputError",
    "GalleryMatch",
    "GalleryShard",
    "KernelUnavailableError",
    "RecordNotFoundError",
    "SearchResult",
    "StoreCorruptError",
    "StoreLockedError",
    "ThresholdChoice",
    "decide",
    "false_match_rate_at",
    "normalized_distance",
    "pair_distance",
    "threshold_for_gallery_size",
]
