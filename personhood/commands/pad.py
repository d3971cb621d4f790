"""`personhood pad`: presentation-attack detection (liveness) evaluation, ISO/IEC 30107-3."""

from __future__ import annotations

import argparse
from pathlib import Path

from personhood.config import Settings

from .output import emit, progress

# 200 live presentations: one refused live eye moves the BPCER by 0.5%, so a 1% BPCER is two eyes
# and reads as 1%, not as 0 or 2.5% (40 per class moved it in steps of 2.5%).
DEFAULT_PER_CLASS = 200


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `pad eval`."""
    pad = subparsers.add_parser("pad", help="presentation-attack detection (liveness)")
    sub = pad.add_subparsers(dest="pad_command", metavar="ACTION")
    ev = sub.add_parser(
        "eval",
        help="APCER per attack species, BPCER and BPCER@APCER on the held-out synthetic set",
        description="Generate the held-out synthetic set (seeds and parameter ranges never used in "
        "training), run liveness.assess on each presentation and report ISO/IEC 30107-3 metrics.",
    )
    ev.add_argument("--seed", type=int, default=0, help="held-out seed block (default 0)")
    ev.add_argument(
        "--per-class",
        type=int,
        default=DEFAULT_PER_CLASS,
        help=f"presentations per class (default {DEFAULT_PER_CLASS}: one live eye is 0.5%% of the BPCER)",
    )
    ev.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    ev.add_argument("--out", type=Path, help="directory for the DET plot (det.png)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.set_defaults(handler=run_eval)
    pad.set_defaults(handler=None)


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate on the held-out set; exit 0 (a report is a read, not a decision)."""
    from liveness.errors import LivenessError
    from liveness.evaluation.heldout import report, score_heldout

    if args.per_class < 1 or args.workers < 1 or args.seed < 0:
        raise LivenessError("--per-class and --workers must be >= 1 and --seed >= 0")
    progress(f"pad eval: generating and scoring {args.per_class} presentations per class (seed {args.seed})")
    scored = score_heldout(args.per_class, args.seed, args.workers, progress)
    result = report(scored, out_dir=args.out)
    lines = [f"threshold {result['threshold']:.4f} (shipped)", f"BPCER {result['bpcer']:.2%}"]
    lines += [f"APCER {s:<13} {v:.2%}" for s, v in result["apcer"].items()]
    lines.append(f"APCER max      {result['apcer_max']:.2%}")
    lines += [f"BPCER @ APCER {k}: {v:.2%}" for k, v in result["bpcer_at_apcer"].items()]
    lines.append("each cue alone at BPCER 2%: worst-species APCER")
    lines += [f"  {c:<22} {m['apcer_max']:.2%}" for c, m in result["per_cue_at_bpcer_2pct"].items()]
    if "det_plot" in result:
        lines.append(f"DET plot: {result['det_plot']}")
    emit(result, args.json, "\n".join(lines))
    return 0
