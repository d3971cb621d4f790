"""Building the training set: CNN data can be appended later, never twice, never half-written."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from liveness.training import build_training_set
from liveness.training.tails import tail_indices


def build(monkeypatch, out, *args: str) -> None:
    argv = ["build_training_set", "--out", str(out), "--workers", "1", "--classes", "bona_fide", *args]
    monkeypatch.setattr(sys, "argv", argv)
    build_training_set.main()


def test_append_adds_new_indices_and_refuses_ones_it_holds(monkeypatch, tmp_path):
    out = tmp_path / "set.npz"
    build(monkeypatch, out, "--cnn", "1", "--fusion", "0")
    build(monkeypatch, out, "--append", "--cnn-start", "1", "--cnn", "1", "--fusion", "0")
    data = np.load(out)
    assert sorted(data["index"].tolist()) == [0, 1]
    assert set(data["phase"]) == {"cnn"} and data["crops"].shape[0] == 2
    assert not np.array_equal(data["crops"][0], data["crops"][1])
    before = out.read_bytes()
    with pytest.raises(SystemExit):
        build(monkeypatch, out, "--append", "--cnn-start", "1", "--cnn", "1", "--fusion", "0")
    assert out.read_bytes() == before


def test_fusion_rows_append_from_a_start_and_carry_the_reflection_blur(monkeypatch, tmp_path):
    out = tmp_path / "set.npz"
    build(monkeypatch, out, "--cnn", "0", "--fusion", "1")
    build(monkeypatch, out, "--append", "--cnn", "0", "--fusion-start", "1", "--fusion", "1")
    data = np.load(out)
    offset = build_training_set.FUSION_OFFSET
    assert sorted(data["index"].tolist()) == [offset, offset + 1] and set(data["phase"]) == {"fusion"}
    assert np.all(np.isfinite(data["blur"])) and np.all((data["blur"] > 1.0) & (data["blur"] < 4.0))


def test_tails_rows_are_the_tail_captures_and_other_species_are_refused(monkeypatch, tmp_path):
    out = tmp_path / "set.npz"
    build(monkeypatch, out, "--tails", "--cnn-start", "40", "--cnn", "1", "--fusion", "0")
    data = np.load(out)
    assert data["index"].tolist() == tail_indices("bona_fide", 40, 1) and set(data["phase"]) == {"cnn"}
    for bad in (["--classes", "print"], ["--fusion", "1"]):
        with pytest.raises(SystemExit):
            build(monkeypatch, tmp_path / "other.npz", "--tails", "--cnn", "1", *bad)
        assert not (tmp_path / "other.npz").exists()
