"""`personhood gallery stats|delete`: look after the station's encrypted uniqueness gallery.

The station key is read from `--key-file` (32 raw bytes, or 64 hex characters); the keystore
issue will supply it directly. Output never contains template bits: ids and counts only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from enrollment.gallery import Gallery, GalleryError, GalleryInputError, threshold_for_gallery_size

from ..config import Settings
from .exit_codes import EXIT_OK
from .output import emit, working

KEY_BYTES = 32


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `gallery` noun."""
    parser = subparsers.add_parser("gallery", help="the encrypted 1:N deduplication gallery")
    sub = parser.add_subparsers(dest="gallery_command", metavar="ACTION", required=True)
    stats = sub.add_parser("stats", help="records per shard and the threshold for this gallery size")
    delete = sub.add_parser(
        "delete", help="delete records (a person's request): removed from memory and disk"
    )
    delete.add_argument("record_ids", nargs="+", type=int, metavar="RECORD_ID")
    for action, handler in ((stats, cmd_stats), (delete, cmd_delete)):
        action.add_argument("--dir", type=Path, help="gallery directory (default: DATA_DIR/gallery)")
        action.add_argument(
            "--key-file", type=Path, required=True, help="file holding the 32-byte station key"
        )
        action.add_argument("--shards", type=int, default=2, help="shard count the gallery was created with")
        action.add_argument("--json", action="store_true", help="print one JSON object")
        action.set_defaults(handler=handler)


def read_key(path: Path) -> bytes:
    """32 raw bytes, or 64 hex characters (surrounding whitespace ignored)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GalleryInputError(f"cannot read key file {path}: {e.strerror}") from e
    if len(data) == KEY_BYTES:
        return data
    try:
        key = bytes.fromhex(data.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise GalleryInputError(f"key file {path} must hold 32 raw bytes or 64 hex characters")
    return key


def _open(args: argparse.Namespace, settings: Settings) -> Gallery:
    directory = args.dir or settings.data_dir / "gallery"
    if not directory.is_dir():
        raise GalleryInputError(f"no gallery at {directory}")
    key = read_key(args.key_file)
    with working(f"opening the gallery in {directory}"):  # decrypts and loads every shard
        return Gallery.connect("local", directory=directory, key=key, shards=args.shards)


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Print the record count and the threshold the decision rule picks for it."""
    with _open(args, settings) as gallery:
        size = len(gallery)
    choice = threshold_for_gallery_size(size)
    result = {
        "records": size,
        "shards": args.shards,
        "threshold": choice.threshold,
        "false_match_rate": choice.false_match_rate,
        "expected_false_duplicates": choice.expected_false_duplicates,
        "meets_target": choice.meets_target,
    }
    text = (
        f"{size} records in {args.shards} shards; threshold {choice.threshold:.4f} "
        f"(FMR {choice.false_match_rate:.2e}, {choice.expected_false_duplicates:.2e} false dups expected"
        f"{'' if choice.meets_target else ', ABOVE TARGET: require both eyes or a measured FMR table'})"
    )
    emit(result, args.json, text)
    return EXIT_OK


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    """Delete the given records; ids that are not enrolled are reported, not an error.

    Refuses a uniqueness service's gallery: its records are erased by the operator through the
    service (`personhood uniqueness delete`), which journals the erasure and re-signs its head."""
    from uniqueness.gallery_head import is_service_gallery

    directory = args.dir or settings.data_dir / "gallery"
    if is_service_gallery(directory):
        raise GalleryError(
            f"{directory} is a uniqueness service's gallery: erase its records with "
            "`personhood uniqueness delete RECORD_ID --reason ... --service URL` (the operator's key)"
        )
    with _open(args, settings) as gallery:
        removed = gallery.delete(args.record_ids)
        remaining = len(gallery)
    result = {"requested": len(args.record_ids), "deleted": removed, "records": remaining}
    emit(result, args.json, f"deleted {removed} of {len(args.record_ids)} record(s); {remaining} remain")
    return EXIT_OK
