"""The learned texture cue: a small CNN (ONNX, run by onnxruntime) on iris crops.

It sees 64x64 full-resolution crops (the pupil and the iris left and right of it) from three
frames, each crop standardized so that brightness does not matter, and returns one logit per
crop (higher = bona fide). The model is trained by `liveness/training/train_texture_cnn.py`;
see liveness/models/MODEL_CARD.md.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import LivenessModelError
from .pupil_finder import PupilObservation

CROP = 64
CROPS_PER_FRAME = 3
MODEL_PATH = Path(__file__).parent / "models" / "texture_cnn.onnx"
_log = logging.getLogger(__name__)


def crop_frames(n: int) -> tuple[int, ...]:
    """Indices of the frames the texture model looks at: first, middle, last."""
    return tuple(sorted({0, n // 2, n - 1}))


def texture_crops(frames: np.ndarray, observations: tuple[PupilObservation, ...]) -> np.ndarray:
    """float32 (k, 1, 64, 64) standardized crops: pupil, left iris, right iris of each chosen frame."""
    h, w = frames.shape[1:]
    out = []
    for i in crop_frames(len(frames)):
        o = observations[i]
        x, y, r = (o.x, o.y, o.radius) if o.found else (w / 2, h / 2, 30.0)
        for dx in (0.0, -(r + CROP / 2 + 4), r + CROP / 2 + 4):
            x0 = int(np.clip(round(x + dx) - CROP // 2, 0, w - CROP))
            y0 = int(np.clip(round(y) - CROP // 2, 0, h - CROP))
            c = frames[i, y0 : y0 + CROP, x0 : x0 + CROP].astype(np.float32)
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
