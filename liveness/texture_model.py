"""The learned texture cue: a small CNN (ONNX, run by onnxruntime) on iris crops through time.

It sees 64x64 full-resolution crops at three places (the pupil, and the iris left and right of
it), each with three channels: the sequence's first, middle and last third, each averaged over
its frames aligned on the pupil and standardized so that brightness does not matter. It returns
one logit per place (higher = bona fide). Across the channels the live iris tissue stretches as
the pupil constricts to the light step, while a print on a contact lens, riding on the cornea,
stays put: the model sees both the texture and how it moves. Trained by
`liveness/training/train_texture_cnn.py`; see liveness/models/MODEL_CARD.md.
"""

from __future__ import annotations

import itertools
import logging
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from .errors import LivenessModelError
from .pupil_finder import PupilObservation

CROP = 64
PLACES = 3  # pupil-centred, left iris, right iris
CHANNELS = 3  # first, middle, last third of the sequence
MODEL_PATH = Path(__file__).parent / "models" / "texture_cnn.onnx"
_log = logging.getLogger(__name__)


def frame_groups(n: int) -> tuple[range, ...]:
    """The frames of each channel: the sequence in three consecutive thirds (repeated if n < 3)."""
    bounds = sorted({0, n // 3, (2 * n) // 3, n})
    groups = tuple(range(a, b) for a, b in itertools.pairwise(bounds))
    return (groups + (groups[-1],) * CHANNELS)[:CHANNELS]


def texture_crops(frames: np.ndarray, observations: tuple[PupilObservation, ...]) -> np.ndarray:
    """float32 (3, 3, 64, 64): places (pupil, left iris, right iris) x channels (sequence thirds).

    Each channel is the mean of its third's frames, each sampled (sub-pixel) around its own
    pupil centre, at offsets fixed for the whole sequence (from the first third's pupil radius):
    the same patch of cornea in all three channels, whatever the pupil does. Averaging along the
    eye's own motion lowers the sensor noise by sqrt(frames), so fine print (dot screens, display
    grids) stands out. Each channel is standardized on its own, (x - mean) / (std + 4).
    """
    h, w = frames.shape[1:]
    groups = frame_groups(len(frames))
    first = [observations[i] for i in groups[0] if observations[i].found]
    r = float(np.median([o.radius for o in first])) if first else 30.0
    offsets = (0.0, -(r + CROP / 2 + 4), r + CROP / 2 + 4)
    out = np.zeros((PLACES, CHANNELS, CROP, CROP), np.float32)
    for g, group in enumerate(groups):
        for i in group:
            o = observations[i]
            x, y = (o.x, o.y) if o.found else (w / 2, h / 2)
            for k, dx in enumerate(offsets):
                cx = float(np.clip(x + dx, CROP / 2, w - CROP / 2))
                cy = float(np.clip(y, CROP / 2, h - CROP / 2))
                out[k, g] += cv2.getRectSubPix(frames[i], (CROP, CROP), (cx, cy)).astype(np.float32)
        out[:, g] /= len(group)
    mean = out.mean(axis=(2, 3), keepdims=True)
    std = out.std(axis=(2, 3), keepdims=True)
    return (out - mean) / (std + 4.0)


class TextureModel:
    """An onnxruntime session of the texture CNN, checked when it loads."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        import onnx
        import onnxruntime as ort

        path = Path(path)
        if not path.is_file():
            raise LivenessModelError(
                f"texture model {path} is missing; train it with liveness/training/train_texture_cnn.py"
            )
        try:
            model = onnx.load(str(path))
            onnx.checker.check_model(model)
        except Exception as e:  # onnx raises several unrelated types for a corrupt file
            raise LivenessModelError(f"texture model {path} is not a valid ONNX model: {e}") from e
        (inp,), (outp,) = model.graph.input, model.graph.output
        in_dims = [d.dim_value or d.dim_param for d in inp.type.tensor_type.shape.dim]
        out_dims = [d.dim_value or d.dim_param for d in outp.type.tensor_type.shape.dim]
        if in_dims[1:] != [CHANNELS, CROP, CROP] or out_dims[1:] != [1]:
            raise LivenessModelError(
                f"texture model shapes {in_dims} -> {out_dims}, "
                f"expected [N,{CHANNELS},{CROP},{CROP}] -> [N,1]"
            )
        wanted = ["CUDAExecutionProvider", "CPUExecutionProvider"]
        providers = [p for p in wanted if p in ort.get_available_providers()]
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        self.session = ort.InferenceSession(model.SerializeToString(), options, providers=providers)
        self.input_name = inp.name
        self.providers = tuple(self.session.get_providers())
        _log.info("texture model loaded", extra={"providers": self.providers})

    def logits(self, crops: np.ndarray) -> np.ndarray:
        """One logit per place (k,), higher = bona fide."""
        return self.session.run(None, {self.input_name: np.ascontiguousarray(crops, np.float32)})[0][:, 0]

    def score(self, crops: np.ndarray) -> float:
        """The cue score: mean logit over the places."""
        return float(np.mean(self.logits(crops)))


@lru_cache(maxsize=1)
def default_texture_model() -> TextureModel:
    """The shipped model, loaded and checked once per process."""
    return TextureModel(MODEL_PATH)
