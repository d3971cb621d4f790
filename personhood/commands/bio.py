"""`personhood bio`: the iris pipeline from the command line (evaluate, synthesize, compare)."""

from __future__ import annotations

import argparse
from pathlib import Path

from personhood.config import Settings

from .output import emit, notice, progress


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `bio eval`, `bio synth` and `bio compare`."""
    bio = subparsers.add_parser("bio", help="iris recognition: evaluate, synthesize data, compare images")
    sub = bio.add_subparsers(dest="bio_command", metavar="ACTION")
    ev = sub.add_parser(
        "eval",
        help="FTE, EER, FNMR and generalized FNMR at FMR 1e-3/1e-4/1e-5 over SUBJECT/EYE/IMAGE files",
        description="Enroll every image, compare all pairs (genuine = same SUBJECT/EYE), report error "
        "rates and write det.png and scores.png. An FMR the data is too small to resolve reports null. "
        "The generalized FNMR (ISO/IEC 19795-1) counts a genuine pair with a refused image as a failure.",
    )
    ev.add_argument("directory", type=Path)
    ev.add_argument(
        "--plots", type=Path, default=Path("bio-eval"), help="where to write the PNGs (default bio-eval)"
    )
    ev.add_argument(
        "--overlays",
        type=Path,
        default=None,
        help="write the segmentation drawn on every refused image and the worst-scoring ones to this "
        "folder (pictures of eyes: keep them private)",
    )
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.set_defaults(handler=run_eval)
    sy = sub.add_parser("synth", help="write a synthetic NIR iris set as SUBJECT/EYE/IMAGE.png")
    sy.add_argument("out_dir", type=Path)
    sy.add_argument("--subjects", type=int, default=10)
    sy.add_argument("--captures", type=int, default=5, help="captures per eye")
    sy.add_argument("--seed", type=int, default=0)
    sy.add_argument(
        "--look",
        choices=("fitted", "legacy"),
        default="fitted",
        help="fitted: matched to real NIR photographs (320x240); legacy: the 640x480 look liveness knows",
    )
    sy.add_argument("--json", action="store_true")
    sy.set_defaults(handler=run_synth)
    co = sub.add_parser("compare", help="encode two eye images and print their distance and rotation")
    co.add_argument("image_a", type=Path)
    co.add_argument("image_b", type=Path)
    co.add_argument("--json", action="store_true")
    co.set_defaults(handler=run_compare)
    bio.set_defaults(handler=None)


def _progress_every(label: str, every: int = 50):
    def report(done: int, total: int) -> None:
        if done == total or done % every == 0:
            progress(f"{label}: {done}/{total}")

    return report


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate the pipeline on a folder; exit 0 (a report is a read, not a decision)."""
    from enrollment.evaluation import evaluate

    result = evaluate(
        args.directory,
        args.plots,
        progress=_progress_every("bio eval: encoding"),
        overlays_dir=args.overlays,
    )
    out = result.as_dict()
    fmt = lambda v: "null (too few impostor comparisons)" if v is None else f"{v:.4%}"  # noqa: E731
    lines = [
        f"images {out['images']}, enrolled {out['enrolled']}, failure to enroll {out['fte']:.2%}",
        *(f"  rejected: {reason} ({n})" for reason, n in sorted(result.rejections.items())),
        f"comparisons: {out['genuine']} genuine, {out['impostor']} impostor",
        f"EER {out['eer']:.4%}",
        *(
            f"FNMR at FMR {k}: {fmt(v)}  (threshold {out['threshold_at_fmr'][k]})"
            for k, v in out["fnmr_at_fmr"].items()
        ),
        f"genuine pairs with a refused image: {out['genuine_failed_to_enroll']}",
        *(f"generalized FNMR at FMR {k}: {fmt(v)}" for k, v in out["gfnmr_at_fmr"].items()),
        f"plots: {args.plots / 'det.png'}, {args.plots / 'scores.png'}",
        *([f"overlays: {args.overlays}/refused, {args.overlays}/worst"] if args.overlays else []),
    ]
    emit(out, args.json, "\n".join(lines))
    return 0


def run_synth(args: argparse.Namespace, settings: Settings) -> int:
    """Render a synthetic set; exit 2 on bad sizes."""
    from simulation.synthetic_eye import FITTED, LEGACY, write_dataset

    if args.subjects < 1 or args.captures < 1 or args.seed < 0:
        notice("bio synth: --subjects and --captures must be >= 1 and --seed >= 0")
        return 2
    paths = write_dataset(
        args.out_dir,
        args.subjects,
        args.captures,
        args.seed,
        progress=_progress_every("bio synth"),
        appearance=FITTED if args.look == "fitted" else LEGACY,
    )
    emit(
        {"images": len(paths), "out_dir": str(args.out_dir), "look": args.look},
        args.json,
        f"wrote {len(paths)} images to {args.out_dir}",
    )
    return 0


def run_compare(args: argparse.Namespace, settings: Settings) -> int:
    """Compare two images; exit 0 either way (use the distance against your threshold)."""
    from enrollment.iris import encode, match
    from enrollment.iris.match import shift_to_degrees

    result = match(encode(args.image_a), encode(args.image_b))
    out = {"distance": result.distance, "shift": result.shift, "bits_compared": result.bits_compared}
    text = (
        f"distance {result.distance:.4f} over {result.bits_compared} bits, best shift {result.shift} columns "
        f"({shift_to_degrees(result.shift):+.1f} deg)"
    )
    emit(out, args.json, text)
    return 0
