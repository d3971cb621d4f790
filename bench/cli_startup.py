"""Start-up time of the `personhood` command line: lazy subcommand loading against eager loading (every
subcommand module imported, as before issue 25), measured in the same run, as fresh processes.

    nice .venv/bin/python bench/cli_startup.py [--runs 7] [--json]

Rows: the interpreter alone (the floor), `personhood --version`, `personhood id new --out FILE`. The eager
baseline runs the same command after `build_parser()` without arguments, which imports every module the
old start-up imported. Median wall time of --runs fresh processes each, runs interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EAGER = (
    "import sys; from personhood.cli import build_parser, main; build_parser(); sys.exit(main(sys.argv[1:]))"
)
LAZY = "import sys; from personhood.cli import main; sys.exit(main(sys.argv[1:]))"


def wall(code: str, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, check=False, timeout=120
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**6))

        def id_new() -> list[str]:
            return ["id", "new", "--out", str(Path(tmp) / f"k{next(counter)}.key")]

        rows: dict[str, dict[str, list[float]]] = {
            "python -c pass": {"lazy": [], "eager": []},
            "personhood --version": {"lazy": [], "eager": []},
            "personhood id new": {"lazy": [], "eager": []},
        }
        for _ in range(opts.runs):
            rows["python -c pass"]["lazy"].append(wall("pass", []))
            for name, args in (
                ("personhood --version", lambda: ["--version"]),
                ("personhood id new", id_new),
            ):
                rows[name]["lazy"].append(wall(LAZY, args()))
                rows[name]["eager"].append(wall(EAGER, args()))
    result = {
        name: {kind: round(statistics.median(ts), 3) for kind, ts in kinds.items() if ts}
        for name, kinds in rows.items()
    }
    for values in result.values():
        if "eager" in values:
            values["ratio"] = round(values["eager"] / values["lazy"], 1)
    result["load_average"] = os.getloadavg()[0]
    if opts.json:
        print(json.dumps(result))
        return
    print(f"load average {result.pop('load_average'):.1f}; median of {opts.runs} fresh processes")
    for name, values in result.items():
        eager = f"eager {values['eager']:.2f} s, {values['ratio']}x faster" if "eager" in values else ""
        print(f"{name:24s} lazy {values['lazy']:.2f} s  {eager}")


if __name__ == "__main__":
    main()
