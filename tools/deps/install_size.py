"""Installed size of the runtime dependencies (pyproject `dependencies`, no extras), now and at a git ref.

    .venv/bin/python tools/deps/install_size.py [--before REF] [--json]

Method: pip resolves each requirement list in a dry run (`pip install --dry-run --ignore-installed
--report`, nothing installed), which gives the full closure of distributions a fresh install would get;
each distribution's size is the sum of the file sizes in its RECORD as installed in this venv (the same
pinned versions). A distribution of the closure that this venv lacks, or holds at another version, is
listed as unmeasured rather than guessed.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIP_TIMEOUT_S = 600


def runtime_requirements(pyproject_text: str) -> list[str]:
    """The `[project] dependencies` of a pyproject.toml text."""
    return list(tomllib.loads(pyproject_text)["project"]["dependencies"])


def closure(requirements: list[str]) -> list[tuple[str, str]]:
    """(name, version) of every distribution a fresh install of `requirements` would get (pip dry run)."""
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
    report = subprocess.run(
        [*pip, "--report", "-", *requirements],
        check=True,
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT_S,
    )
    installs = json.loads(report.stdout)["install"]
    return sorted((i["metadata"]["name"], i["metadata"]["version"]) for i in installs)


def installed_bytes(name: str, version: str) -> int | None:
    """Bytes on disk of `name` as installed here (None when absent or another version)."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    if dist.version != version:
        return None
    total = 0
    for file in dist.files or []:
        if file.size is not None:
            total += file.size
        else:
            located = Path(dist.locate_file(file))
            total += located.stat().st_size if located.is_file() else 0
    return total


def measure(requirements: list[str]) -> dict[str, object]:
    """Total size, count and the largest distributions of the closure of `requirements`."""
    sizes: dict[str, int] = {}
    unmeasured: list[str] = []
    for name, version in closure(requirements):
        size = installed_bytes(name, version)
        if size is None:
            unmeasured.append(f"{name}=={version}")
        else:
            sizes[f"{name}=={version}"] = size
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:8]
    return {
        "distributions": len(sizes) + len(unmeasured),
        "mib": round(sum(sizes.values()) / 2**20, 1),
        "largest_mib": {name: round(size / 2**20, 1) for name, size in largest},
        "unmeasured": unmeasured,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="a git ref whose pyproject.toml is the baseline")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {"now": measure(runtime_requirements((ROOT / "pyproject.toml").read_text()))}
    if args.before:
        show = ["git", "show", f"{args.before}:pyproject.toml"]
        old = subprocess.run(show, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        results[args.before] = measure(runtime_requirements(old))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for label, r in results.items():
        print(f"{label}: {r['distributions']} distributions, {r['mib']} MiB installed")
        print("  largest: " + ", ".join(f"{n} {m} MiB" for n, m in r["largest_mib"].items()))
        if r["unmeasured"]:
            print("  unmeasured (not in this venv at that version): " + ", ".join(r["unmeasured"]))
    if args.before:
        now, before = results["now"]["mib"], results[args.before]["mib"]
        print(f"now / {args.before}: {now / before:.2f}× ({before - now:.1f} MiB less)")


if __name__ == "__main__":
    main()
