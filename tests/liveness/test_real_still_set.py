"""Training rows from real stills (read at run time from ../shared/iris-dev; the rows go to a temporary
file, never into the repository): the held-out subjects never give a row, one photograph gives a bona
fide row and attack rows with their own labels, and the CNN and fusion rows come from other photographs.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from simulation import real_still_set
from simulation.pad_dataset import BONA_FIDE

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "iris-dev" / "iitd"


@pytest.fixture(scope="module")
def dev() -> Path:
    if not DEV.is_dir():
        pytest.fail(f"real iris images missing: {DEV} (clone the repository with shared/iris-dev beside it)")
    return DEV


def test_the_heldout_subjects_are_a_quarter_and_never_give_a_row(dev):
    assert real_still_set.heldout_subject("003") and real_still_set.heldout_subject("111")
    assert not real_still_set.heldout_subject("004") and not real_still_set.heldout_subject("002")
    subjects = {p.name for p in dev.iterdir() if p.is_dir()}
    heldout = {s for s in subjects if real_still_set.heldout_subject(s)}
    assert 0.2 < len(heldout) / len(subjects) < 0.3
    jobs = real_still_set.jobs_for(dev)
    used = {Path(path).parent.parent.name for path, *_ in jobs}
    assert used and not used & heldout
    # A photograph is the CNN's or the fusion's, never both; every seed is its own.
    assert len({path for path, *_ in jobs}) == len(jobs) == len({seed for _, seed, _, _ in jobs})
    species = Counter(s for _, _, names, _ in jobs for s in names)
    assert species[BONA_FIDE] == len(jobs) and species["contact_lens"] == sum(p == "cnn" for *_, p in jobs)
    assert min(species["print"], species["screen"], species["prosthetic"]) > 0


def test_one_photograph_gives_a_bona_fide_row_and_attack_rows_with_their_labels(dev, monkeypatch, tmp_path):
    out = tmp_path / "real.npz"
    argv = ["real_still_set", "--data", str(dev), "--workers", "1", "--limit", "2", "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    real_still_set.main()
    data = np.load(out)
    first, second = real_still_set.jobs_for(dev)[:2]
    # The first photograph of an eye: bona fide, a lens worn over it and one more attack of it.
    assert data["species"].tolist() == [*first[2], *second[2]]
    assert data["species"].tolist()[:3] == [BONA_FIDE, "contact_lens", real_still_set.EXTRA_SPECIES[0]]
    n = len(first[2]) + len(second[2])
    subjects = [Path(job[0]).parent.parent.name for job in (first, second) for _ in job[2]]
    assert set(data["phase"]) == {"cnn"} and data["subject"].tolist() == subjects
    assert data["index"].tolist() == [first[1]] * len(first[2]) + [second[1]] * len(second[2])
    assert data["crops"].shape == (n, 3, 3, 64, 64) and data["crops"].dtype == np.float16
    assert np.all(np.isfinite(data["cues"])) and data["cues"].shape[1] == len(data["cue_names"])
    # The same eye, live and under a printed lens: the crops differ, most where the print is (the iris).
    live, lens = data["crops"][0].astype(np.float32), data["crops"][1].astype(np.float32)
    assert np.abs(live - lens).mean() > 0.05
