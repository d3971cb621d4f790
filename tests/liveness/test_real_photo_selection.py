"""Which real photographs the real-photo benches score (bench/pad_real_attacks.py, pad_real_bona_fide.py):
`--skip` starts after each eye's first photographs, so a screen on the training subjects can use only the
photographs no training row was made from (`simulation.real_still_set` uses the first four of an eye).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from pad_real_attacks import chosen_photographs, photographs, subject_filter  # noqa: E402


def _tree(root: Path, eyes: dict[str, int]) -> Path:
    for eye, n in eyes.items():
        folder = root / eye
        folder.mkdir(parents=True)
        for k in range(n):
            (folder / f"{k + 1:02d}.png").write_bytes(b"")  # only the names are read here
    return root


def test_skip_starts_after_each_eyes_first_photographs(tmp_path):
    data = _tree(tmp_path, {"001/L": 5, "001/R": 6, "003/L": 3})
    names = [f"{p.parent.parent.name}/{p.parent.name}/{p.name}" for p in photographs(data, 6, skip=4)]
    assert names == ["001/L/05.png", "001/R/05.png", "001/R/06.png"]  # 003/L has no fifth
    assert [p.name for p in photographs(data, 1)] == ["01.png", "01.png", "01.png"]
    parser = argparse.ArgumentParser()
    kept = chosen_photographs(parser, data, 6, 0, subject_filter("training"), skip=4)
    assert len(kept) == 3 and all(p.parent.parent.name == "001" for p in kept)
    with pytest.raises(SystemExit):  # the held-out subject 003 has nothing after its third
        chosen_photographs(parser, data, 6, 0, subject_filter("heldout"), skip=4)
    with pytest.raises(SystemExit):
        chosen_photographs(parser, data, 1, 0, skip=-1)


@pytest.mark.parametrize("script", ["pad_real_attacks.py", "pad_real_bona_fide.py"])
def test_a_negative_skip_or_seed_base_or_an_empty_baseline_is_refused(script, tmp_path):
    data = _tree(tmp_path, {"001/L": 2})
    bad = [["--skip", "-1"]] + ([["--seed-base", "-5"]] if script == "pad_real_attacks.py" else [])
    if script == "pad_real_bona_fide.py":  # it measures refused stills against the synthetic live eyes
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script), "--data", str(data), "--baseline", "0"],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 2 and "--baseline must be at least 1" in done.stderr
    for extra in bad:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script), "--data", str(data), *extra],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 2 and "must be 0 or more" in done.stderr
