"""Per-module killed/total of the last `mutmut run` (read from mutants/*.meta), as a Markdown table.

Usage, from the repository root after `make mutation-python`:
    python tools/mutation/mutmut_summary.py [--survivors]
"killed" counts mutants a test failed on (or that timed out: an infinite loop is caught too); "no
tests" are mutants of functions no selected test runs; "not run" are mutants of an interrupted run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def summarize(mutants_dir: Path) -> tuple[dict[str, Counter], dict[str, list[str]]]:
    """(status counts per module, surviving mutant names per module)."""
    counts: dict[str, Counter] = {}
    survivors: dict[str, list[str]] = {}
    for meta in sorted(mutants_dir.rglob("*.py.meta")):
        module = str(meta.relative_to(mutants_dir))[: -len(".meta")]
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        tally: Counter = Counter()
        for name, code in codes.items():
            status = "not run" if code is None else status_by_exit_code[code]
            tally[status] += 1
            if status == "survived":
                survivors.setdefault(module, []).append(name)
        counts[module] = tally
    return counts, survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument("--survivors", action="store_true", help="list every surviving mutant")
    args = parser.parse_args(argv)
    counts, survivors = summarize(args.mutants)
    print("| module | killed | survived | no tests | not run | total | killed % |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    all_killed = all_tested = 0
    for module, tally in counts.items():
        killed = sum(n for status, n in tally.items() if status in KILLED)
        tested = killed + tally["survived"] + tally["no tests"]
        all_killed, all_tested = all_killed + killed, all_tested + tested
        share = f"{100 * killed / tested:.1f}" if tested else "-"
        print(
            f"| {module} | {killed} | {tally['survived']} | {tally['no tests']} | {tally['not run']} "
            f"| {sum(tally.values())} | {share} |"
        )
    if all_tested:
        print(f"\nall: {all_killed}/{all_tested} killed ({100 * all_killed / all_tested:.1f}%)")
    if args.survivors:
        for module, names in survivors.items():
            print(f"\n{module}:")
            for name in names:
                print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
