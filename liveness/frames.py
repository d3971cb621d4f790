"""Validating a capture sequence at the liveness boundary (shape, dtype, length vs schedule)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hardware.illumination import FRAME_SHAPE, IlluminationSchedule

from .errors import LivenessError

MAX_FRAMES = 120  # 6 s at 20 fps: longer sequences are a capture bug, not more evidence


def validate_frames(frames: np.ndarray | Sequence[np.ndarray], schedule: IlluminationSchedule) -> np.ndarray:
    """Return the sequence as one contiguous uint8 array (n, 480, 640), or raise LivenessError.

    Raises when the sequence is empty or too long, a frame is not a 480x640 uint8 grey image, or
    the number of frames differs from the number of schedule entries.
    """
    if not isinstance(schedule, IlluminationSchedule):
        raise LivenessError(f"schedule must be an IlluminationSchedule, got {type(schedule).__name__}")
    if isinstance(frames, np.ndarray):
        stack = frames if frames.ndim == 3 else None
        if frames.ndim == 2:
            raise LivenessError("got one frame; liveness needs a sequence (n, 480, 640) under a light step")
        if stack is None:
            raise LivenessError(f"frames must be (n, 480, 640), got shape {frames.shape}")
    else:
        items = list(frames)
        if not items:
            raise LivenessError("empty frame sequence: capture at least the frames of the schedule")
        for i, f in enumerate(items):
            if not isinstance(f, np.ndarray):
                raise LivenessError(f"frame {i} is a {type(f).__name__}, not a numpy array")
            if f.shape != FRAME_SHAPE or f.dtype != np.uint8:
                raise LivenessError(f"frame {i} must be uint8 {FRAME_SHAPE}, got {f.dtype} {f.shape}")
        stack = np.stack(items)
    if stack.shape[0] == 0:
        raise LivenessError("empty frame sequence: capture at least the frames of the schedule")
    if stack.shape[1:] != FRAME_SHAPE:
        raise LivenessError(f"frames must be {FRAME_SHAPE} (rows, columns), got {stack.shape[1:]}")
    if stack.dtype != np.uint8:
        raise LivenessError(f"frames must be uint8 grey images, got {stack.dtype}")
    if stack.shape[0] > MAX_FRAMES:
        raise LivenessError(f"{stack.shape[0]} frames: at most {MAX_FRAMES} are assessed")
    if stack.shape[0] != len(schedule):
        raise LivenessError(
            f"{stack.shape[0]} frames but the illumination schedule has {len(schedule)} entries"
        )
    return np.ascontiguousarray(stack)
