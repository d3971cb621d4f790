"""The Gabor encoder as an ONNX graph, run by onnxruntime (CUDA when present, CPU otherwise).

The graph is built with `onnx.helper` from the same kernels as the numpy reference in gabor.py,
checked with `onnx.checker` and its input/output shapes verified when loaded. It computes the
filters only at the 16 x 256 probe positions (a strided Conv), fills occluded pixels with the
iris mean, and emits code and mask bits, batched over N sheets.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from .errors import EncoderModelError
from .gabor import (
    COL_STRIDE,
    KERNEL_SHAPE,
    ROW_OFFSET,
    ROW_STRIDE,
    SHEET_SHAPE,
    EncoderParams,
    coverage_threshold,
    kernels,
)
from .template import N_ANGLES, N_FILTERS, N_PHASES, N_RADII

OPSET = 17
INPUTS = {"sheet": ["N", 1, *SHEET_SHAPE], "valid": ["N", 1, *SHEET_SHAPE]}
OUTPUTS = {
    "code": ["N", N_FILTERS, N_RADII, N_ANGLES, N_PHASES],
    "mask": ["N", N_FILTERS, N_RADII, N_ANGLES, N_PHASES],
}


def _const(name: str, value: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(value), name)


def build_model(params: EncoderParams) -> onnx.ModelProto:
    """The encoder graph for `params` (opset 17)."""
    resp_k, env_k = kernels(params)
    kh, kw = KERNEL_SHAPE
    top, left = kh // 2 - ROW_OFFSET, kw // 2
    bottom = (N_RADII - 1) * ROW_STRIDE + kh - SHEET_SHAPE[0] - top
    right = (N_ANGLES - 1) * COL_STRIDE + kw - SHEET_SHAPE[1] - left
    cols = SHEET_SHAPE[1]
    init = [
        _const("W_resp", resp_k[:, None].astype(np.float32)),
        _const("W_env", env_k[:, None].astype(np.float32)),
        _const("one", np.array(1.0, np.float32)),
        _const("zero", np.array(0.0, np.float32)),
        _const("min_cov", np.array(coverage_threshold(params), np.float32)),
        _const("fragile", np.array(params.fragile_fraction, np.float32)),
        _const("axes_all", np.array([1, 2, 3], np.int64)),
        _const("axes_hw", np.array([2, 3], np.int64)),
        _const("ax3", np.array([3], np.int64)),
        _const("l_start", np.array([cols - left], np.int64)),
        _const("l_end", np.array([cols], np.int64)),
        _const("r_start", np.array([0], np.int64)),
        _const("r_end", np.array([right], np.int64)),
        _const("row_pads", np.array([0, 0, top, 0, 0, 0, bottom, 0], np.int64)),
        _const("shape5", np.array([-1, N_FILTERS, N_PHASES, N_RADII, N_ANGLES], np.int64)),
    ]
    n = helper.make_node
    nodes = [
        n("Mul", ["sheet", "valid"], ["sv"]),
        n("ReduceSum", ["sv", "axes_all"], ["sv_sum"], keepdims=1),
        n("ReduceSum", ["valid", "axes_all"], ["v_sum"], keepdims=1),
        n("Max", ["v_sum", "one"], ["v_den"]),
        n("Div", ["sv_sum", "v_den"], ["mean"]),
        n("Sub", ["sheet", "mean"], ["centred"]),
        n("Mul", ["centred", "valid"], ["filled"]),  # occluded pixels read as the iris mean
    ]
    for src in ("filled", "valid"):  # wrap around in angle, repeat edge rows radially
        nodes += [
            n("Slice", [src, "l_start", "l_end", "ax3"], [f"{src}_l"]),
            n("Slice", [src, "r_start", "r_end", "ax3"], [f"{src}_r"]),
            n("Concat", [f"{src}_l", src, f"{src}_r"], [f"{src}_w"], axis=3),
            n("Pad", [f"{src}_w", "row_pads"], [f"{src}_p"], mode="edge"),
        ]
    strides = [ROW_STRIDE, COL_STRIDE]
    nodes += [
        n("Conv", ["filled_p", "W_resp"], ["resp"], kernel_shape=list(KERNEL_SHAPE), strides=strides),
        n("Conv", ["valid_p", "W_env"], ["cov"], kernel_shape=list(KERNEL_SHAPE), strides=strides),
        n("Less", ["cov", "min_cov"], ["uncovered"]),
        n("Not", ["uncovered"], ["covered"]),
        n("Cast", ["covered"], ["covered_f"], to=TensorProto.FLOAT),
        n("Abs", ["resp"], ["mag"]),
        n("Mul", ["mag", "covered_f"], ["mag_cov"]),
        n("ReduceSum", ["mag_cov", "axes_hw"], ["mag_sum"], keepdims=1),
        n("ReduceSum", ["covered_f", "axes_hw"], ["cov_count"], keepdims=1),
        n("Max", ["cov_count", "one"], ["cov_den"]),
        n("Div", ["mag_sum", "cov_den"], ["mean_mag"]),
        n("Mul", ["mean_mag", "fragile"], ["fragile_level"]),
        n("Less", ["mag", "fragile_level"], ["is_fragile"]),
        n("Not", ["is_fragile"], ["robust"]),
        n("And", ["covered", "robust"], ["mask_bool"]),
        n("Greater", ["resp", "zero"], ["code_bool"]),
    ]
    for name in ("code", "mask"):
        nodes += [
            n("Cast", [f"{name}_bool"], [f"{name}_u8"], to=TensorProto.UINT8),
            n("Reshape", [f"{name}_u8", "shape5"], [f"{name}_5d"]),
            n("Transpose", [f"{name}_5d"], [name], perm=[0, 1, 3, 4, 2]),
        ]
    graph = helper.make_graph(
        nodes,
        "iris_gabor_encoder",
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, v) for k, v in INPUTS.items()],
        [helper.make_tensor_value_info(k, TensorProto.UINT8, v) for k, v in OUTPUTS.items()],
        initializer=init,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="personhood"
    )
    model.ir_version = 8
    return model


def _dims(value_info: onnx.ValueInfoProto) -> list[object]:
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def check_model(model: onnx.ModelProto) -> None:
    """onnx.checker plus the exact input/output names and shapes this pipeline feeds and reads."""
    try:
        onnx.checker.check_model(model, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
        raise EncoderModelError(f"Gabor encoder graph is invalid: {e}") from e
    got_in = {i.name: _dims(i) for i in model.graph.input}
    got_out = {o.name: _dims(o) for o in model.graph.output}
    if got_in != INPUTS or got_out != OUTPUTS:
        raise EncoderModelError(
            f"Gabor encoder graph has inputs {got_in} / outputs {got_out}, want {INPUTS} / {OUTPUTS}"
        )


def providers() -> list[str]:
    """CUDA first when this onnxruntime build offers it, CPU always."""
    available = ort.get_available_providers()
    return [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in available]


class GaborEncoder:
    """A loaded, checked encoder session; `encode` maps sheets to (code, mask) bit arrays."""

    def __init__(self, params: EncoderParams | None = None, threads: int = 1) -> None:
        self.params = params or EncoderParams()
        model = build_model(self.params)
        check_model(model)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(model.SerializeToString(), options, providers=providers())

    def encode(self, sheets: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 64, 512) sheets and validity -> (code, mask) bool arrays of shape (N, 2, 16, 256, 2)."""
        sheets = np.asarray(sheets, dtype=np.float32)
        valid = np.asarray(valid, dtype=np.float32)
        if sheets.ndim == 2:
            sheets, valid = sheets[None], valid[None]
        if sheets.shape[1:] != SHEET_SHAPE or valid.shape != sheets.shape:
            raise ValueError(f"sheets and valid must both be (N, {SHEET_SHAPE[0]}, {SHEET_SHAPE[1]})")
        code, mask = self.session.run(["code", "mask"], {"sheet": sheets[:, None], "valid": valid[:, None]})
        return code.astype(bool), mask.astype(bool)
