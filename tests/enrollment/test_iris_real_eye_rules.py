"""Two segmentation rules learned on real eyes, each on a drawn eye where the rule alone decides.

- A strong inner ring (the collarette of a light iris) that would put the pupil/iris ratio above
  0.7 loses to a weaker but clear limbus further out; with no limbus beyond it, it is the limbus
  (a dilated pupil), and the quality gate decides.
- Lashes are the dark pixels joined to dark beyond the lid; a crypt as dark but inside the iris
  is texture and stays unmasked.
"""

import cv2
import numpy as np

from enrollment.iris.geometry import Circle
from enrollment.iris.limbus import LimbusParams, find_limbus
from enrollment.iris.occlusion import OcclusionParams, measure_levels, noise_mask

CENTRE = (160, 120)


def _disc(image: np.ndarray, radius: float, value: float) -> None:
    cv2.circle(image, CENTRE, int(radius), float(value), -1)


def _eye(
    sclera: float, iris: float, ring: float, limbus_r: float, ring_r: float, pupil_r: float
) -> np.ndarray:
    image = np.full((240, 320), sclera, np.float32)
    _disc(image, limbus_r, iris)
    _disc(image, ring_r, ring)
    _disc(image, pupil_r, 15)
    noise = np.random.default_rng(0).normal(0, 2.0, image.shape).astype(np.float32)
    return cv2.GaussianBlur(image, (0, 0), 1.0) + noise


def test_a_strong_inner_ring_does_not_beat_a_plausible_limbus() -> None:
    # Ring step 90 grey levels at ratio 45/60 = 0.75; limbus step 40 at ratio 0.45.
    image = _eye(sclera=170, iris=130, ring=40, limbus_r=100, ring_r=60, pupil_r=45)
    iris, _ = find_limbus(image, Circle(*CENTRE, 45.0), LimbusParams())
    assert abs(iris.r - 100) < 3, iris


def test_with_no_limbus_beyond_it_the_ring_is_the_limbus_of_a_dilated_pupil() -> None:
    image = _eye(sclera=170, iris=170, ring=40, limbus_r=100, ring_r=60, pupil_r=45)
    iris, _ = find_limbus(image, Circle(*CENTRE, 45.0), LimbusParams())
    assert abs(iris.r - 60) < 3, iris
    # The rule is what decides: with the plausible ratio at the maximum, the ring always wins.
    ringed = _eye(sclera=170, iris=130, ring=40, limbus_r=100, ring_r=60, pupil_r=45)
    iris, _ = find_limbus(ringed, Circle(*CENTRE, 45.0), LimbusParams(plausible_pupil_ratio=0.8))
    assert abs(iris.r - 60) < 3, iris


def test_lashes_joined_to_the_lid_are_masked_and_crypts_are_not() -> None:
    gray = np.full((240, 320), 190, np.uint8)  # sclera and skin
    cv2.circle(gray, CENTRE, 90, 120, -1)  # iris
    cv2.circle(gray, CENTRE, 35, 10, -1)  # pupil
    cv2.line(gray, (150, 10), (152, 75), 8, 2)  # a lash hanging from above the iris
    cv2.circle(gray, (205, 95), 4, 8, -1)  # a crypt above the pupil, as dark as the lash
    pupil, iris = Circle(*CENTRE, 35.0), Circle(*CENTRE, 90.0)
    clean = gray.astype(np.float32)
    levels = measure_levels(clean, pupil, iris)
    specular = np.zeros(gray.shape, bool)
    mask, _, _ = noise_mask(gray, gray, specular, pupil, iris, levels, OcclusionParams())
    assert mask[60, 151] and mask[45, 151], "the lash over the iris is occlusion"
    assert not mask[95, 205], "the crypt is iris texture"
