"""The iris pipeline on real near-infrared photographs (read at run time from ../shared/iris-dev).

The images are never copied into the repository (the set's terms; see its README). The reference
circles below were read off overlays of the segmentation drawn on each image and checked by eye:
each drawn circle lies on the visible pupil or limbus boundary to within ~2 px all round (where
the boundary is visible). The tolerances are the width of the boundary's blur at 320x240: 3 px
for the pupil's sharp edge, 5 px (~5% of the radius) for the soft limbus. Subject 001 (a light
iris whose collarette out-steps its limbus) and 074 (a dilated pupil whose dark region reaches the
lashes) are the cases the synthetic-only pipeline got wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from enrollment.evaluation import failed_genuine_pairs, generalized_fnmr
from enrollment.iris import analyze, match
from enrollment.iris.image_input import read_gray
from enrollment.iris.segment import segment
from personhood.cli import main

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "iris-dev" / "iitd"
PUPIL_TOLERANCE_PX, IRIS_TOLERANCE_PX = 3.0, 5.0
# image: (pupil x, y, r), (iris x, y, r) in pixels
REFERENCE = {
    "001/L/01_L": ((130.0, 143.5, 44.0), (129.0, 141.5, 100.5)),
    "002/L/01_L": ((154.0, 118.0, 51.0), (150.0, 118.5, 110.0)),
    "074/L/01_L": ((108.5, 94.0, 46.5), (104.5, 96.5, 104.5)),
    "033/L/01_L": ((148.0, 130.0, 42.0), (146.5, 129.0, 109.0)),
    "061/R/07_R": ((162.0, 118.0, 35.0), (166.0, 118.0, 101.0)),
}


def _image(name: str) -> Path:
    path = DEV / f"{name}.png"
    if not path.is_file():
        pytest.fail(f"real iris images missing: {path} (clone the repository with shared/iris-dev beside it)")
    return path


def _assert_circle(found, expected, tolerance: float, what: str) -> None:
    x, y, r = expected
    assert np.hypot(found.x - x, found.y - y) <= tolerance and abs(found.r - r) <= tolerance, (what, found)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_real_eyes_segment_within_tolerance_and_enroll(name: str) -> None:
    gray = read_gray(_image(name))
    seg = segment(gray)
    pupil, iris = REFERENCE[name]
    _assert_circle(seg.pupil, pupil, PUPIL_TOLERANCE_PX, "pupil")
    _assert_circle(seg.iris, iris, IRIS_TOLERANCE_PX, "iris")
    assert analyze(gray).template.usable_bits > 4096


# (image, other image of the same eye, grey, paint radius - pupil radius, paint centre offset x, y):
# greys from darker than the lashes to lighter than a dark iris, discs as wide as the pupil or a
# little wider and off-centre, as capture software paints them.
PAINTED = [
    ("074/L/01_L", "074/L/02_L", 50, 1.5, 0.0, 0.0),
    ("033/L/01_L", "033/L/02_L", 100, 6.0, 0.0, 0.0),
    ("001/L/01_L", "001/L/03_L", 90, 0.0, 2.0, -1.0),
]


@pytest.mark.parametrize(("name", "other", "grey", "wider", "dx", "dy"), PAINTED)
def test_a_painted_pupil_is_found_and_the_eye_still_matches(name, other, grey, wider, dx, dy) -> None:
    # Some cameras' software paints the pupil one constant grey to hide the illuminator's
    # reflections; it can be lighter than the lashes or the iris, so darkness alone cannot find it.
    # The paint's own circle is exact: the pupil must be it within 1 px (its edge lies half a
    # pixel beyond the painted pixel centres), the limbus within the usual 5 px.
    gray = read_gray(_image(name))
    pupil, iris = REFERENCE[name]
    x, y, r = pupil[0] + dx, pupil[1] + dy, pupil[2] + wider
    yy, xx = np.mgrid[0 : gray.shape[0], 0 : gray.shape[1]]
    gray[(xx - x) ** 2 + (yy - y) ** 2 <= r**2] = grey
    seg = segment(gray)
    assert seg.pupil_painted
    _assert_circle(seg.pupil, (x, y, r + 0.5), 1.0, "painted pupil")
    _assert_circle(seg.iris, iris, IRIS_TOLERANCE_PX, "iris")
    assert match(analyze(gray).template, analyze(_image(other)).template).distance < 0.30


def test_real_eyes_match_their_own_eye_and_not_another() -> None:
    def encode(name: str):
        return analyze(_image(name)).template

    same = [("001/L/01_L", "001/L/03_L"), ("050/R/06_R", "050/R/07_R")]
    other = [("001/L/01_L", "002/L/01_L"), ("074/L/01_L", "050/R/06_R")]
    # The set's own FMR 1e-3 threshold is ~0.37; impostors sit at 0.43-0.47.
    for a, b in same:
        assert match(encode(a), encode(b)).distance < 0.30, (a, b)
    for a, b in other:
        assert match(encode(a), encode(b)).distance > 0.40, (a, b)


def test_generalized_fnmr_counts_refused_images_as_failed_pairs() -> None:
    labels = ["a"] * 5 + ["b"] * 3
    enrolled = ["a"] * 4 + ["b"] * 1  # one image of a refused, two of b
    assert failed_genuine_pairs(labels, enrolled) == (10 - 6) + (3 - 0)
    genuine = np.array([0.1, 0.2, 0.5, 0.2, 0.1, 0.1])
    assert generalized_fnmr(genuine, 0.3, 0) == pytest.approx(1 / 6)
    assert generalized_fnmr(genuine, 0.3, 7) == pytest.approx(8 / 13)
    with pytest.raises(ValueError):
        failed_genuine_pairs(["a"], ["a", "a"])


def test_bio_eval_reports_gfnmr_reasons_and_writes_overlays(tmp_path, capsys) -> None:
    data = tmp_path / "set"
    for name in ("001/L/01_L", "001/L/03_L", "050/R/06_R", "050/R/07_R"):
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / f"{name}.png").symlink_to(_image(name))
    (data / "050" / "R" / "98_R.png").write_bytes(b"\x89PNG not really")  # unreadable: no overlay
    noise = np.random.default_rng(0).integers(100, 140, (240, 320), dtype=np.uint8)  # no eye in it
    assert cv2.imwrite(str(data / "050" / "R" / "99_R.png"), noise)
    overlays = tmp_path / "overlays"
    args = ["bio", "eval", str(data), "--plots", str(tmp_path / "p"), "--overlays", str(overlays), "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["images"] == 6 and out["enrolled"] == 4
    assert out["fte_reasons"] == {
        "no pupil found": 1,
        "is not a readable image (truncated or unsupported format)": 1,
    }
    assert out["genuine"] == 2 and out["genuine_failed_to_enroll"] == 6 - 1  # 050/R: C(4, 2) - C(2, 2)
    assert set(out["gfnmr_at_fmr"]) == {"1e-3", "1e-4", "1e-5"}  # null here: too few impostors
    assert len(list((overlays / "worst").glob("*.png"))) == 4
    assert [p.name for p in (overlays / "refused").glob("*.png")] == ["050_R_99_R.png"]
