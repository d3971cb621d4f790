"""Capture sources behind one interface: a real video file, a folder of PNGs, a camera index,
and the synthetic eye camera with a stepped illuminator."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from hardware.capture import (
    CaptureSource,
    Frame,
    ImageFolderSource,
    OpenCvCamera,
    StepIlluminator,
    VideoFileSource,
    to_gray_uint8,
)
from hardware.errors import CaptureError
from simulation.live_eye import MicroMotion
from simulation.synthetic_camera import SyntheticEyeCamera
from simulation.synthetic_eye import AUTOFOCUS, CaptureConditions


@pytest.fixture(scope="module")
def eye_frames():
    """Eight synthetic NIR eye frames (480x640 uint8), a realistic payload for the file sources."""
    with SyntheticEyeCamera(subject=3, eye="L", seed=11) as camera:
        return [f.image for f in camera.frames(8)]


def write_video(path, frames, fourcc, fps=20.0):
    height, width = frames[0].shape
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height), isColor=False)
    assert writer.isOpened(), f"OpenCV cannot encode {fourcc}"
    for frame in frames:
        writer.write(frame)
    writer.release()


@pytest.mark.parametrize(("fourcc", "suffix", "tolerance"), [("FFV1", ".avi", 1.0), ("MJPG", ".avi", 4.0)])
def test_video_file_source_reads_back_what_was_written(tmp_path, eye_frames, fourcc, suffix, tolerance):
    path = tmp_path / f"clip{suffix}"
    write_video(path, eye_frames, fourcc)
    with VideoFileSource(path) as source:
        frames = list(source.frames())
        assert source.read() is None
    assert len(frames) == len(eye_frames)
    assert [f.index for f in frames] == list(range(len(eye_frames)))
    assert frames[3].timestamp_s == pytest.approx(3 / 20.0)
    for got, want in zip(frames, eye_frames, strict=True):
        assert got.image.shape == want.shape and got.image.dtype == np.uint8
        assert np.abs(got.image.astype(int) - want.astype(int)).mean() <= tolerance


def test_video_file_errors(tmp_path):
    with pytest.raises(CaptureError, match="does not exist"):
        VideoFileSource(tmp_path / "missing.avi")
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"RIFF" + bytes(500))
    with pytest.raises(CaptureError):
        list(VideoFileSource(junk).frames())


def test_image_folder_source_reads_pngs_in_name_order(tmp_path, eye_frames):
    for i, frame in enumerate(eye_frames[:4]):
        assert cv2.imwrite(str(tmp_path / f"img_{i:03d}.png"), frame)
    color = cv2.cvtColor(eye_frames[4], cv2.COLOR_GRAY2BGR)
    assert cv2.imwrite(str(tmp_path / "img_004.png"), color)
    (tmp_path / "notes.txt").write_text("ignored")
    with ImageFolderSource(tmp_path, fps=10) as source:
        frames = list(source.frames())
    assert len(frames) == 5 and frames[4].timestamp_s == pytest.approx(0.4)
    for got, want in zip(frames, eye_frames[:5], strict=True):
        assert np.array_equal(got.image, want)  # PNG is lossless; BGR of a gray image converts back exactly


def test_image_folder_errors(tmp_path):
    with pytest.raises(CaptureError, match="does not exist"):
        ImageFolderSource(tmp_path / "nope")
    with pytest.raises(CaptureError, match="no images"):
        ImageFolderSource(tmp_path)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(20))
    with pytest.raises(CaptureError, match="cannot decode"):
        ImageFolderSource(tmp_path).read()


def test_camera_that_is_not_there_is_a_clear_error():
    with pytest.raises(CaptureError, match="cannot open camera 63"):
        OpenCvCamera(63)
    with pytest.raises(CaptureError, match="index"):
        OpenCvCamera(-1)


def test_all_sources_share_one_interface():
    for cls in (OpenCvCamera, VideoFileSource, ImageFolderSource, SyntheticEyeCamera):
        assert issubclass(cls, CaptureSource)


def test_synthetic_camera_follows_the_illuminator_and_the_pupil_reflex():
    illuminator = StepIlluminator(initial=0.7)
    with SyntheticEyeCamera(subject=5, eye="R", seed=2, illuminator=illuminator, fps=20) as camera:
        before = [camera.read() for _ in range(4)]
        ratio_before = camera.pupil_ratio
        illuminator.step_up()
        illuminator.step_up()  # 0.7 -> 1.0 -> 1.3
        after = [camera.read() for _ in range(12)]  # 0.6 s: past the ~0.25 s reflex latency
        ratio_after = camera.pupil_ratio
    assert all(f.illumination == 0.7 for f in before) and after[-1].illumination == 1.3
    assert after[-1].image.mean() > before[-1].image.mean() + 5, "brighter light, brighter image"
    assert ratio_after < ratio_before - 0.01, "a live pupil constricts after a step up"
    assert not np.array_equal(before[2].image, before[3].image), "fresh sensor noise per frame"


def test_synthetic_camera_draws_the_scene_once_per_session():
    # Between two frames at the same light with the head held still, only sensor noise (and the
    # pupil's sub-pixel unrest) may change: lashes are not redrawn per frame.
    with SyntheticEyeCamera(subject=8, eye="L", seed=1) as camera:
        camera._motion = MicroMotion(head_px=0.0)
        a, b = (camera.read().image.astype(np.float32) for _ in range(2))
    local = np.abs(cv2.blur(a - b, (5, 5)))  # averages the per-pixel noise away
    assert not np.array_equal(a, b)
    assert local.max() < 20.0, "a region changed between frames beyond sensor noise"


def test_synthetic_camera_keeps_live_eyes_within_the_autofocus_blur():
    blurs = [SyntheticEyeCamera(subject=s, eye="L", seed=0)._base for s in range(40)]
    assert max(c.defocus for c in blurs) <= AUTOFOCUS.defocus_px[1]
    assert max(c.motion_blur for c in blurs) <= AUTOFOCUS.motion_px[1]
    # the rest of the scene is the one a camera without autofocus would see: only the blur moved
    fixed = CaptureConditions.random(np.random.default_rng([0, 3]))
    assert blurs[3].replace(defocus=fixed.defocus, motion_blur=fixed.motion_blur) == fixed


def test_synthetic_camera_is_reproducible():
    def first_two(seed):
        with SyntheticEyeCamera(subject=1, eye="L", seed=seed) as camera:
            return [f.image for f in camera.frames(2)]

    a, b, c = first_two(4), first_two(4), first_two(5)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_illuminator_steps_are_validated():
    illuminator = StepIlluminator(steps=(0.5, 1.0, 1.5), initial=1.0)
    assert illuminator.step_down() == 0.5 and illuminator.step_down() == 0.5
    assert illuminator.step_up() == 1.0 and illuminator.step_up() == 1.5 and illuminator.step_up() == 1.5
    with pytest.raises(CaptureError):
        illuminator.set_level(1.2)
    for steps in [(), (1.0, 0.5), (0.0, 1.0), (1.0, 9.0)]:
        with pytest.raises(CaptureError):
            StepIlluminator(steps=steps, initial=1.0)


def test_frames_are_read_only_gray_uint8():
    with pytest.raises(CaptureError):
        Frame(np.zeros((32, 32, 3), np.uint8), 0, 0.0)
    with pytest.raises(CaptureError):
        Frame(np.zeros((32, 32), np.float32), 0, 0.0)
    frame = Frame(np.zeros((32, 32), np.uint8), 0, 0.0)
    with pytest.raises(ValueError):
        frame.image[0, 0] = 1
    assert to_gray_uint8(np.full((20, 20), 65535, np.uint16), "x").max() == 255
    with pytest.raises(CaptureError):
        to_gray_uint8(np.zeros((20, 20, 2), np.uint8), "x")
