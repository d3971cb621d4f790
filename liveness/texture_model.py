"""The learned texture cue: a small CNN (ONNX, run by onnxruntime) on iris crops.

It sees 64x64 full-resolution crops (the pupil and the iris left and right of it), each the
average of a third of the sequence aligned on the pupil and standardized so that brightness does
not matter, and returns one logit per crop (higher = bona fide). The model is trained by
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
CROPS_PER_FRAME = 3
MODEL_PATH = Path(__file__).parent / "models" / "texture_cnn.onnx"
_log = logging.getLogger(__name__)


def frame_groups(n: int) -> tuple[range, ...]:
    """The frames the texture model looks at: the sequence in three consecutive groups."""
    bounds = sorted({0, n // 3, (2 * n) // 3, n})
    return tuple(range(a, b) for a, b in itertools.pairwise(bounds))


def texture_crops(frames: np.ndarray, observations: tuple[PupilObservation, ...]) -> np.ndarray:
    """float32 (k, 1, 64, 64) standardized crops: pupil, left iris, right iris of each frame group.

    Each crop is the mean of the group's frames, each sampled (sub-pixel) around its own pupil
    centre: averaging along the eye's own motion lowers the sensor noise by sqrt(group size), so
    fine print (dot screens, display grids) stands out, while anything that moves relative to the
    pupil between frames (the iris tissue during the light reflex does, a lens print does not)
    smears a little.
    """
    h, w = frames.shape[1:]
    out = []
    for group in frame_groups(len(frames)):
        seen = [observations[i] for i in group if observations[i].found]
        r = float(np.median([o.radius for o in seen])) if seen else 30.0
        crops = np.zeros((CROPS_PER_FRAME, CROP, CROP), np.float32)
        for i in group:
            o = observations[i]
            x, y = (o.x, o.y) if o.found else (w / 2, h / 2)
            for k, dx in enumerate((0.0, -(r + CROP / 2 + 4), r + CROP / 2 + 4)):
                cx = float(np.clip(x + dx, CROP / 2, w - CROP / 2))
                cy = float(np.clip(y, CROP / 2, h - CROP / 2))
                crops[k] += cv2.getRectSubPix(frames[i], (CROP, CROP), (cx, cy)).astype(np.float32)
        for c in crops / len(group):
            out.append((c - c.mean()) / (c.std() + 4.0))
    return np.stack(out)[:, None]


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
        if in_dims[1:] != [1, CROP, CROP] or out_dims[1:] != [1]:
            raise LivenessModelError(
                f"texture model shapes {in_dims} -> {out_dims}, expected [N,1,{CROP},{CROP}] -> [N,1]"
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
        """One logit per crop (k,), higher = bona fide."""
        return self.session.run(None, {self.input_name: np.ascontiguousarray(crops, np.float32)})[0][:, 0]

    def score(self, crops: np.ndarray) -> float:
        """The cue score: mean logit over the crops."""
        return float(np.mean(self.logits(crops)))


@lru_cache(maxsize=1)
def default_texture_model() -> TextureModel:
    """The shipped model, loaded and checked once per process."""
    return TextureModel(MODEL_PATH)
