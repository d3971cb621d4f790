"""A photograph's iris in the renderer's polar layout (`simulation.real_iris_texture`), and rendered eyes
that wear it (`simulation.transplant_set`).

The unwrapping is checked on a render whose texture is known: the renderer draws an eye with a given
polar texture, the unwrapping reads it back from the image, and the two must agree where the iris is
seen. Then on a real photograph (read at run time from ../shared/iris-dev, never stored): the rendered
eye's iris shows that photograph's texture, bona fide and lens rows come from the same tissue, and the
held-out subjects give rows only to the held-out set.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from enrollment.iris.segment import segment
from simulation import transplant_set
from simulation.real_iris_texture import TextureUnavailableError, iris_texture_from_photo
from simulation.real_still_set import heldout_subject
from simulation.synthetic_eye import CaptureConditions, render_eye_with_truth
from simulation.synthetic_eye.identity import EyeIdentity
from simulation.synthetic_eye.texture import TEXTURE_SHAPE, iris_texture_polar

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "iris-dev" / "iitd"


def _render(texture: np.ndarray) -> tuple[np.ndarray, tuple, tuple]:
    """A frontal, open, sharp, noise-free render wearing `texture`; (image, pupil, iris circles)."""
    eye = EyeIdentity.from_seed(5, "L")
    conditions = dataclasses.replace(
        CaptureConditions(),
        gaze=(0.0, 0.0),
        upper_lid=1.3,
        lower_lid=1.3,
        noise=0.0,
        defocus=0.0,
        leds=(),
    )
    image, truth = render_eye_with_truth(eye, conditions, texture_polar=texture)
    p, i = truth.pupil, truth.iris
    return image, (p.x, p.y, p.r), (i.x, i.y, i.r)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def test_the_unwrapped_iris_is_the_texture_the_renderer_drew() -> None:
    texture = np.array(iris_texture_polar(EyeIdentity.from_seed(11, "L")))
    image, pupil, iris = _render(texture)
    hidden = np.zeros(image.shape, bool)
    got = iris_texture_from_photo(image, pupil, iris, hidden, float(texture.mean()))
    assert got.shape == TEXTURE_SHAPE and got.dtype == np.float32
    assert got.min() >= 0.0 and got.max() <= 1.0
    assert got.mean() == pytest.approx(texture.mean(), abs=0.02)
    # away from the two edges (the pupil's dark ruff and the limbal ring are drawn on top), row by row
    middle = slice(16, 112)
    assert _correlation(got[middle], texture[middle]) > 0.8
    # an unrelated texture does not match: the agreement is the texture's, not the layout's
    other = np.array(iris_texture_polar(EyeIdentity.from_seed(12, "L")))
    assert _correlation(got[middle], other[middle]) < 0.2


def test_a_rotated_texture_unwraps_rotated_the_same_way() -> None:
    # column j is the angle 2 pi j / 1024 from +x towards +y (image y down), as iris_texture_polar
    texture = np.array(iris_texture_polar(EyeIdentity.from_seed(11, "L")))
    image, pupil, iris = _render(np.roll(texture, 256, axis=1))
    got = iris_texture_from_photo(image, pupil, iris, np.zeros(image.shape, bool), 0.4)
    middle = slice(16, 112)
    assert _correlation(got[middle], np.roll(texture, 256, axis=1)[middle]) > 0.8
    assert _correlation(got[middle], texture[middle]) < 0.3


def test_hidden_iris_is_filled_and_too_much_of_it_is_refused() -> None:
    texture = np.array(iris_texture_polar(EyeIdentity.from_seed(11, "L")))
    image, pupil, iris = _render(texture)
    hidden = np.zeros(image.shape, bool)
    hidden[: int(pupil[1] - 0.5 * iris[2])] = True  # an upper lid over the top of the iris
    got = iris_texture_from_photo(image, pupil, iris, hidden, 0.4)
    assert np.isfinite(got).all() and got.std() > 0.01
    lower = slice(128 + 64, 512 - 64)  # angles below the pupil (y down): never hidden
    assert _correlation(got[16:112, lower], texture[16:112, lower]) > 0.8
    hidden[: int(pupil[1] + 0.6 * iris[2])] = True  # most of the iris
    with pytest.raises(TextureUnavailableError, match="hidden"):
        iris_texture_from_photo(image, pupil, iris, hidden, 0.4)


def test_malformed_input_is_refused() -> None:
    image = np.zeros((120, 160), np.uint8)
    hidden = np.zeros(image.shape, bool)
    with pytest.raises(TextureUnavailableError):
        iris_texture_from_photo(image.astype(np.float32), (80, 60, 10), (80, 60, 40), hidden, 0.4)
    with pytest.raises(TextureUnavailableError):
        iris_texture_from_photo(image, (80, 60, 50), (80, 60, 40), hidden, 0.4)  # pupil outside the iris
    with pytest.raises(TextureUnavailableError):
        iris_texture_from_photo(image, (80, 60, 10), (80, 60, 40), hidden[:, :10], 0.4)
    with pytest.raises(TextureUnavailableError):
        iris_texture_from_photo(image, (80, 60, 10), (80, 60, 40), hidden, 1.5)


@pytest.fixture(scope="module")
def photo():
    if not DEV.is_dir():
        pytest.fail(f"real iris images missing: {DEV} (clone the repository with shared/iris-dev beside it)")
    path = DEV / "002" / "L" / "01_L.png"
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    seg = segment(gray)
    return (
        path,
        gray,
        (seg.pupil.x, seg.pupil.y, seg.pupil.r),
        (seg.iris.x, seg.iris.y, seg.iris.r),
        seg.noise_mask,
    )


def test_a_rendered_eye_wears_the_photographs_iris(photo) -> None:
    _, gray, pupil, iris, hidden = photo
    bare = transplant_set.transplanted(gray, pupil, iris, hidden, 3, "bona_fide")
    again = transplant_set.transplanted(gray, pupil, iris, hidden, 3, "bona_fide")
    lens = transplant_set.transplanted(gray, pupil, iris, hidden, 3, "contact_lens")
    assert bare.frames.shape == (20, 480, 640) and bare.frames.dtype == np.uint8
    assert np.array_equal(bare.frames, again.frames)  # deterministic in the seed
    assert bare.species == "bona_fide" and lens.species == "contact_lens"
    held = transplant_set.transplanted(gray, pupil, iris, hidden, 3, "bona_fide", heldout=True)
    assert not np.array_equal(held.frames, bare.frames)  # its own stream


def test_rows_carry_their_labels_and_the_heldout_subjects_their_own_phase(photo, tmp_path) -> None:
    path, *_ = photo
    rows = transplant_set.rows_of((str(path), 7, 1, False))
    assert [r[3] for r in rows] == ["bona_fide", "contact_lens"]
    assert all(r[4] == "cnn" and r[6] == "002" and r[0].shape == (3, 3, 64, 64) for r in rows)
    assert not heldout_subject("002") and heldout_subject("003")
    held = next((DEV / "003").glob("*/*.png"))
    assert {r[4] for r in transplant_set.rows_of((str(held), 7, 1, True))} == {"heldout"}
