"""Every benchmark script starts: its imports resolve to the project's packages and its --help answers.

A script runs with bench/ first on sys.path, so bench/liveness.py can stand in for the liveness package
of any script that reaches liveness without putting the project first (uniqueness_service.py did, once
the uniqueness client imported the station). Benchmarks are not run here, only started.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if "argparse" in p.read_text() and "__main__" in p.read_text())

pytestmark = pytest.mark.slow


def test_there_are_benchmark_scripts_to_check():
    assert len(SCRIPTS) >= 15


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_a_benchmark_script_starts_and_answers_help(script: Path):
    done = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120, cwd=BENCH.parent
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
