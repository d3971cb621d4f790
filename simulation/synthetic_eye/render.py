"""Rendering a synthetic near-infrared eye image (640x480; 320x240 in the FITTED look), with its ground truth.

The scene is composed in reflectance units (0..1 at nominal illumination): skin, the almond
opening between the lids, sclera, the iris (texture sampled on a rubber-sheet that deforms with
pupil dilation), the pupil, eyelashes and corneal reflections of the illuminator LEDs; then the
optics (defocus, motion blur), exposure and sensor noise, quantized to 8 bits. How it looks (grey
levels, edge widths, lids, lashes, reflections, the camera's resolution) is an `Appearance`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .appearance import LEGACY, Appearance
from .conditions import FRAME_SIZE, CaptureConditions
from .corneal_overlay import CornealOverlay
from .identity import EyeIdentity
from .periocular import draw_lashes, sample_skin
from .texture import TEXTURE_SHAPE, iris_texture_polar

_YS, _XS = np.mgrid[0 : FRAME_SIZE[1], 0 : FRAME_SIZE[0]].astype(np.float32)


@dataclass(frozen=True)
class Circle:
    """A circle in image pixels."""

    x: float
    y: float
    r: float


@dataclass(frozen=True, eq=False)
class GroundTruth:
    """What the renderer knows: boundaries and which iris pixels are hidden (boolean 480x640 masks)."""

    pupil: Circle
    iris: Circle
    iris_mask: np.ndarray  # the iris annulus, occluded or not
    eyelid_mask: np.ndarray  # outside the opening between the lids
    eyelash_mask: np.ndarray
    specular_mask: np.ndarray
    specular_spots: tuple[tuple[float, float], ...]
    rotation_deg: float

    @property
    def occlusion_mask(self) -> np.ndarray:
        """Iris pixels hidden by lids, lashes or reflections."""
        return self.iris_mask & (self.eyelid_mask | self.eyelash_mask | self.specular_mask)

    @property
    def visible_iris(self) -> np.ndarray:
        """Iris pixels a perfect segmenter would keep."""
        return self.iris_mask & ~self.occlusion_mask


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))).astype(np.float32)


def render_eye_with_truth(
    eye: EyeIdentity,
    conditions: CaptureConditions,
    texture_polar: np.ndarray | None = None,
    overlay: CornealOverlay | None = None,
    appearance: Appearance = LEGACY,
) -> tuple[np.ndarray, GroundTruth]:
    """Render one capture: (uint8 image of shape `appearance.frame_size` reversed, GroundTruth).

    `texture_polar` (float in [0, 1], any shape, rows pupil -> limbus, columns = angle as in
    `iris_texture_polar`) replaces the eye's own iris texture (e.g. a painted prosthesis): it sits
    on the rubber sheet and follows the pupil. `overlay` is worn on the cornea (a printed contact
    lens): fixed at absolute radii, composited over iris and pupil, under the lids. `appearance`
    is the look (LEGACY: the look the shipped models were trained on); conditions are in the
    640x480 scene, the image and the ground truth in the output frame.
    """
    c, a = conditions, appearance
    half_width = a.eye_half_width
    texture = iris_texture_polar(eye) if texture_polar is None else _check_texture(texture_polar)
    R = float(c.iris_radius_px)
    cx, cy = c.center
    phi = math.radians(c.rotation_deg)
    cos_p, sin_p = math.cos(phi), math.sin(phi)
    # Eye frame (units of iris radii); positive rotation turns the eye counter-clockwise on screen.
    u = ((_XS - cx) * cos_p - (_YS - cy) * sin_p) / R
    v = ((_XS - cx) * sin_p + (_YS - cy) * cos_p) / R

    def to_image(uu: np.ndarray, vv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return cx + R * (uu * cos_p + vv * sin_p), cy + R * (-uu * sin_p + vv * cos_p)

    def lid_curve(uu: np.ndarray, upper: bool) -> np.ndarray:
        height = c.upper_lid if upper else c.lower_lid
        rel = uu / half_width
        shape = np.clip(1.0 - (rel**2 if a.lid_power == 2.0 else np.abs(rel) ** a.lid_power), 0.0, None)
        return (-height if upper else height) * shape

    # Off-axis gaze foreshortens the iris disc along the gaze direction.
    g = np.array(c.gaze, dtype=np.float64)
    m = float(np.hypot(*g))
    e = g / m if m > 1e-9 else np.array([1.0, 0.0])
    squash = math.sqrt(1.0 - m * m)
    along = u * e[0] + v * e[1]
    perp = -u * e[1] + v * e[0]
    along = along / squash
    pu, pv = along * e[0] - perp * e[1], along * e[1] + perp * e[0]  # iris-plane coordinates
    rho = np.sqrt(pu * pu + pv * pv)
    theta = np.arctan2(pv, pu)

    # Pupil: decentred by anatomy and (slightly) by gaze; distance to its edge along theta.
    o = np.array(eye.pupil_offset) + 0.15 * g
    rp = c.pupil_ratio
    eo = np.cos(theta) * o[0] + np.sin(theta) * o[1]
    t_p = eo + np.sqrt(np.maximum(eo * eo - o @ o + rp * rp, 0.0))
    s = (rho - t_p) / (1.0 - t_p)  # rubber-sheet radius: 0 at the pupil, 1 at the limbus
    # Dilation is not a perfect rubber sheet: the middle of the iris moves non-linearly.
    tr = np.clip(s + 0.35 * (rp - 0.4) * s * (1.0 - s), 0.0, 1.0)
    rows, cols = texture.shape
    map_y = (tr * (rows - 1)).astype(np.float32)
    map_x = ((theta / (2 * np.pi)) % 1.0 * cols).astype(np.float32)
    iris = cv2.remap(texture, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    if a.texture_gain != 1.0 or a.iris_gain != 1.0 or a.limbal_shadow > 0.0:
        mean = eye.iris_brightness
        iris = a.iris_gain * (mean + a.texture_gain * (iris - mean))
        iris = iris * (1.0 - a.limbal_shadow * np.clip((s - 0.7) / 0.3, 0.0, 1.0))

    px_per_unit = R * (1.0 - t_p)
    alpha_iris = _sigmoid((1.0 - s) * px_per_unit / a.limbus_edge_px)
    alpha_pupil = _sigmoid(-s * px_per_unit / a.pupil_edge_px)
    v_up, v_lo = lid_curve(u, True), lid_curve(u, False)
    within_corners = np.abs(u) < half_width
    alpha_open = _sigmoid((v - v_up) * R / 0.7) * _sigmoid((v_lo - v) * R / 0.7) * within_corners

    sclera = eye.sclera_brightness * a.sclera_gain * (1.0 - a.sclera_falloff * (u / half_width) ** 2)
    inside = sclera + alpha_iris * (iris - sclera)
    inside = inside + alpha_pupil * (eye.pupil_brightness * a.pupil_gain - inside)
    if overlay is not None:
        ink = overlay.opacity * overlay.ink(pu, pv)
        inside = inside * (1.0 - ink) + overlay.reflectance * ink
    below_lid = np.clip(v - v_up, 0.0, None)
    inside = inside * (1.0 - a.lid_shadow * np.exp(-below_lid / 0.12))  # the upper lid's shadow
    skin = sample_skin(eye, u, v) if a.skin_gain == 1.0 else a.skin_gain * sample_skin(eye, u, v)
    scene = skin * (1.0 - alpha_open) + inside * alpha_open
    for curve in (v_up, v_lo):  # the lid margins
        scene = scene * (1.0 - a.lid_margin * within_corners * np.exp(-(((v - curve) * R / 2.0) ** 2)))

    rng = np.random.default_rng(c.seed)
    lashes = draw_lashes(scene.shape, to_image, lid_curve, half_width, c.lashes, R, rng, a)
    scene = scene * (1.0 - a.lash_darkness * lashes)

    o_img = (o[0] * e[0] + o[1] * e[1]) * squash, -o[0] * e[1] + o[1] * e[0]
    ou, ov = o_img[0] * e[0] - o_img[1] * e[1], o_img[0] * e[1] + o_img[1] * e[0]
    pupil_x, pupil_y = (float(q) for q in to_image(np.array(ou), np.array(ov)))
    spots, specular = [], np.zeros_like(scene)
    spot_radius = max(2.0, a.specular_radius * R)
    for dx, dy in c.leds:
        sx, sy = pupil_x + dx * R, pupil_y + dy * R
        d2 = ((_XS - sx) ** 2 + (_YS - sy) ** 2) / (spot_radius * spot_radius)
        specular = np.maximum(specular, np.exp(-(d2**2)))
        spots.append((float(sx), float(sy)))
    specular = specular * alpha_open  # corneal reflections only where the cornea is visible
    scene = scene + a.specular_level * specular

    k = a.output_scale
    if k != 1.0:  # a lower-resolution camera: optics and sensor act in its own pixels
        size = a.frame_size
        scene = cv2.resize(scene, size, interpolation=cv2.INTER_AREA)
        lashes = cv2.resize(lashes, size, interpolation=cv2.INTER_AREA)
        specular = cv2.resize(specular, size, interpolation=cv2.INTER_AREA)
        s = cv2.resize(s.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
        alpha_open = cv2.resize(alpha_open.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    image = scene * (c.illumination * c.exposure)
    if c.defocus > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), c.defocus)
    if c.motion_blur >= 1.0:
        image = _motion_blur(image, c.motion_blur, rng.uniform(0, np.pi))
    sigma = c.noise * (0.3 + 0.7 * np.sqrt(np.clip(image, 0.0, None)))
    image = image + rng.normal(size=image.shape).astype(np.float32) * sigma
    pixels = np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)

    def out(x: float) -> float:  # a scene pixel coordinate in the output frame (pixel centres align)
        return x if k == 1.0 else k * (x + 0.5) - 0.5

    squash_mean = math.sqrt(squash)
    truth = GroundTruth(
        pupil=Circle(out(pupil_x), out(pupil_y), rp * R * squash_mean * k),
        iris=Circle(out(float(cx)), out(float(cy)), R * squash_mean * k),
        iris_mask=(s >= 0.0) & (s < 1.0),
        eyelid_mask=alpha_open < 0.5,
        eyelash_mask=lashes > 0.25,
        specular_mask=specular > 0.05,
        specular_spots=tuple((out(x), out(y)) for x, y in spots),
        rotation_deg=float(c.rotation_deg),
    )
    return pixels, truth


def render_eye(
    eye: EyeIdentity,
    conditions: CaptureConditions,
    texture_polar: np.ndarray | None = None,
    overlay: CornealOverlay | None = None,
    appearance: Appearance = LEGACY,
) -> np.ndarray:
    """Render one capture as a uint8 grayscale image (480x640 under LEGACY); see render_eye_with_truth."""
    return render_eye_with_truth(eye, conditions, texture_polar, overlay, appearance)[0]


def _check_texture(texture: np.ndarray) -> np.ndarray:
    if not isinstance(texture, np.ndarray) or texture.ndim != 2 or min(texture.shape) < 8:
        raise ValueError(f"texture_polar must be a 2-D array (radial x angular), e.g. {TEXTURE_SHAPE}")
    if not np.all(np.isfinite(texture)):
        raise ValueError("texture_polar must be finite")
    return np.clip(texture, 0.0, 1.0).astype(np.float32)


def _motion_blur(image: np.ndarray, length: float, angle: float) -> np.ndarray:
    size = math.ceil(length) | 1
    kernel = np.zeros((size, size), np.float32)
    half = (size - 1) / 2
    cv2.line(
        kernel,
        (round(half - math.cos(angle) * half), round(half - math.sin(angle) * half)),
        (round(half + math.cos(angle) * half), round(half + math.sin(angle) * half)),
        1.0,
        1,
    )
    return cv2.filter2D(image, -1, kernel / kernel.sum())
