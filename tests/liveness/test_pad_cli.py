"""`personhood pad eval`: the JSON contract, the DET plot, usage errors."""

from __future__ import annotations

import json

import pytest

from personhood.cli import build_parser, main
from personhood.commands.pad import DEFAULT_PER_CLASS


@pytest.mark.slow
def test_pad_eval_json_has_the_iso_figures_and_writes_a_det_plot(tmp_path, capsys):
    code = main(["pad", "eval", "--per-class", "2", "--seed", "7", "--json", "--out", str(tmp_path)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["apcer"]) == {"print", "screen", "contact_lens", "prosthetic", "video_replay"}
    assert out["apcer_max"] == max(out["apcer"].values())
    assert 0.0 <= out["bpcer"] <= 1.0
    assert set(out["bpcer_at_apcer"]) == {"0.01", "0.05"}
    assert "texture" in out["per_cue_at_bpcer_2pct"] and "fused" in out["per_cue_at_bpcer_2pct"]
    assert (tmp_path / "det.png").read_bytes()[:4] == b"\x89PNG"


def test_pad_eval_refuses_a_bad_count(capsys):
    assert main(["pad", "eval", "--per-class", "0"]) == 2
    assert "per-class" in capsys.readouterr().err


def test_pad_eval_defaults_to_a_size_whose_bpcer_resolves_one_percent():
    args = build_parser(["pad", "eval"]).parse_args(["pad", "eval"])
    assert args.per_class == DEFAULT_PER_CLASS >= 200  # one live eye <= 0.5% of the BPCER
    assert args.seed == 0 and args.workers == 1
    assert build_parser(["pad", "eval"]).parse_args(["pad", "eval", "--per-class", "7"]).per_class == 7
