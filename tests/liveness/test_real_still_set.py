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


def test_other_positions_and_another_seed_base_give_other_photographs_and_new_seeds(dev):
    first = real_still_set.jobs_for(dev)
    more = real_still_set.jobs_for(dev, cnn_photos=(0, 1, 3), fusion_photos=(), seed_base=950_000)
    by_path = {path: (seed, phase) for path, seed, _, phase in more}
    assert {phase for _, phase in by_path.values()} == {"cnn"}
    # Only the chosen positions of each eye's sorted photographs give rows; the fusion's (2) and the
    # screen's (4 on) none.
    eyes = real_still_set.eye_photographs(dev, heldout=False)
    chosen = {str(photos[k]) for photos in eyes for k in (0, 1, 3) if k < len(photos)}
    assert set(by_path) == chosen
    assert not any(str(photos[2]) in by_path for photos in eyes)
    # The same photograph, its number the same, its seed moved by the base: never a seed of the first set.
    first_seeds = {path: seed for path, seed, _, _ in first}
    shared = set(first_seeds) & set(by_path)
    assert shared and all(
        by_path[p][0] - first_seeds[p] == 950_000 - real_still_set.SEED_BASE for p in shared
    )
    assert not {s for _, s, _, _ in first} & {s for _, s, _, _ in more}
    # Every eye's first chosen photograph also gives one more attack, in turn from eye to eye.
    extras = Counter(names[2] for _, _, names, _ in more if len(names) == 3)
    assert set(extras) == set(real_still_set.EXTRA_SPECIES) and sum(extras.values()) == len(eyes)


def test_a_position_is_the_cnns_or_the_fusions_never_both(dev, monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="both"):
        real_still_set.jobs_for(dev, cnn_photos=(0, 2), fusion_photos=(2,))
    with pytest.raises(ValueError, match="from 0"):
        real_still_set.jobs_for(dev, cnn_photos=(-1,), fusion_photos=())
    out = tmp_path / "none.npz"
    for extra in (["--cnn-photos", "1", "--fusion-photos", "1"], ["--cnn-photos", "40", "--fusion-photos"]):
        argv = ["real_still_set", "--data", str(dev), "--out", str(out), *extra]
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit):
            real_still_set.main()
        assert not out.exists()
