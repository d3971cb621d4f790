"""Error-rate arithmetic and the `personhood bio` commands."""

import json

import numpy as np
import pytest

from enrollment.evaluation import equal_error_rate, fnmr_at_threshold, summarize, threshold_at_fmr
from personhood.cli import main


def test_threshold_at_fmr_counts_false_matches_and_refuses_unresolvable_rates() -> None:
    impostor = np.linspace(0.40, 0.50, 10_000)
    t = threshold_at_fmr(impostor, 1e-3)
    assert np.sum(impostor <= t) == 10 and np.sum(impostor <= np.nextafter(t, 1)) == 10
    assert threshold_at_fmr(impostor, 1e-4) == impostor[0]  # exactly one false match allowed
    assert threshold_at_fmr(impostor, 1e-5) is None  # 10,000 comparisons cannot resolve 1e-5
    assert threshold_at_fmr(np.array([0.4, 0.4, 0.45]), 0.34) < 0.4  # ties: never exceed the rate


def test_equal_error_rate_and_fnmr() -> None:
    assert equal_error_rate(np.array([0.1, 0.2]), np.array([0.4, 0.5])) == 0.0
    assert equal_error_rate(np.array([0.3, 0.5]), np.array([0.4, 0.6])) == 0.5
    rng = np.random.default_rng(0)
    gen, imp = rng.normal(0.30, 0.05, 20_000), rng.normal(0.40, 0.05, 20_000)
    assert abs(equal_error_rate(gen, imp) - 0.1587) < 0.01  # Phi(-1): crossing halfway
    assert fnmr_at_threshold(np.array([0.1, 0.2, 0.3, 0.4]), 0.25) == 0.5
    summary = summarize(gen, imp)
    assert summary["fnmr_at_fmr"]["1e-5"] is None and summary["fnmr_at_fmr"]["1e-3"] > 0.5


@pytest.mark.slow
def test_bio_synth_then_eval_json(tmp_path, capsys) -> None:
    data = tmp_path / "set"
    assert main(["bio", "synth", str(data), "--subjects", "3", "--captures", "2", "--seed", "4"]) == 0
    assert len(list(data.glob("*/*/*.png"))) == 12
    capsys.readouterr()
    assert main(["bio", "eval", str(data), "--plots", str(tmp_path / "plots"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["images"] == 12 and out["enrolled"] >= 11
    assert out["genuine"] >= 5 and out["impostor"] >= 50
    assert out["eer"] == 0.0
    assert out["fnmr_at_fmr"] == {"1e-3": None, "1e-4": None, "1e-5": None}  # too few impostors
    assert set(out["threshold_at_fmr"]) == {"1e-3", "1e-4", "1e-5"}
    assert (tmp_path / "plots" / "det.png").stat().st_size > 1000
    assert (tmp_path / "plots" / "scores.png").stat().st_size > 1000
    image = sorted(data.glob("0000/L/*.png"))
    assert main(["bio", "compare", str(image[0]), str(image[1]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["distance"] < 0.36


def test_bio_eval_of_a_folder_without_images_is_a_usage_error(tmp_path) -> None:
    assert main(["bio", "eval", str(tmp_path), "--plots", str(tmp_path / "p")]) == 2
