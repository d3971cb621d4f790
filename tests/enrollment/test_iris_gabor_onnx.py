"""The ONNX Gabor encoder against the plain numpy reference, and the load-time model checks."""

import numpy as np
import onnx
import pytest

from enrollment.iris import EncoderModelError, analyze
from enrollment.iris.gabor import (
    COL_STRIDE,
    KERNEL_SHAPE,
    ROW_STRIDE,
    SHEET_SHAPE,
    EncoderParams,
    GaborFilter,
    encode_reference,
    kernels,
    pad_sheet,
)
from enrollment.iris.gabor_onnx import GaborEncoder, build_model, check_model, providers
from enrollment.iris.template import N_ANGLES, N_RADII

from .iris_fixtures import small_set


@pytest.mark.parametrize(
    "params", [EncoderParams(), EncoderParams(filters=(GaborFilter(16, 6, 4), GaborFilter(8, 2.5, 2)))]
)
def test_onnx_agrees_bit_for_bit_with_numpy(params: EncoderParams) -> None:
    encs = [analyze(image) for _, image in small_set()[:4]]
    sheets = np.stack([e.normalized.sheet for e in encs])
    valid = np.stack([e.normalized.valid for e in encs])
    rng = np.random.default_rng(0)
    sheets = np.concatenate([sheets, rng.uniform(0, 255, (2, *SHEET_SHAPE)).astype(np.float32)])
    valid = np.concatenate([valid, rng.random((2, *SHEET_SHAPE)) > 0.3])
    code, mask = GaborEncoder(params).encode(sheets, valid)
    ref_code, ref_mask = encode_reference(sheets, valid, params)
    assert code.shape == (6, 2, 16, 256, 2)
    assert np.array_equal(mask, ref_mask)
    assert np.array_equal(code, ref_code)
    assert 0.3 < mask[:4].mean() < 0.95  # the mask does mask something, but not everything


def test_occluded_pixels_never_vote() -> None:
    rng = np.random.default_rng(1)
    sheet = rng.uniform(0, 255, SHEET_SHAPE).astype(np.float32)
    valid = np.ones(SHEET_SHAPE, bool)
    valid[:, 100:200] = False
    enc = GaborEncoder()
    code_a, mask_a = enc.encode(sheet, valid)
    sheet_b = sheet.copy()
    sheet_b[:, 100:200] = 255.0  # change only what is occluded
    code_b, mask_b = enc.encode(sheet_b, valid)
    assert np.array_equal(mask_a, mask_b)
    assert np.array_equal(code_a[mask_a], code_b[mask_a])
    assert not mask_a[..., 55:95, :].any()  # probes on occluded columns are masked


def test_malformed_graph_is_refused_at_load() -> None:
    model = build_model(EncoderParams())
    check_model(model)
    model.graph.input[0].type.tensor_type.shape.dim[2].dim_value = 32
    with pytest.raises(EncoderModelError):
        check_model(model)
    broken = build_model(EncoderParams())
    broken.graph.node[0].input[0] = "missing"
    with pytest.raises(EncoderModelError):
        check_model(broken)
    assert isinstance(model, onnx.ModelProto)
    assert providers()[-1] == "CPUExecutionProvider"


def test_coverage_right_at_the_threshold_is_decided_alike() -> None:
    # A probe whose envelope coverage equals min_coverage must be decided the same way by the
    # float32 graph and the float64 reference (it once flipped one mask bit of a real capture).
    rng = np.random.default_rng(5)
    sheet = rng.uniform(0, 255, SHEET_SHAPE).astype(np.float32)
    rows, cols = np.mgrid[0 : SHEET_SHAPE[0], 0 : SHEET_SHAPE[1]]
    valid = rows < 20 + 30 * np.sin(cols / 40.0) ** 2  # a wavy occlusion edge: many coverages
    _, envelopes = kernels(EncoderParams())
    padded = pad_sheet(valid[None].astype(np.float64))[0]
    kh, kw = KERNEL_SHAPE
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw))[::ROW_STRIDE, ::COL_STRIDE]
    coverage = np.einsum("ijhw,hw->ij", windows[:N_RADII, :N_ANGLES], envelopes[0])
    levels = np.unique(coverage[(coverage > 0.5) & (coverage < 0.99)])
    assert len(levels) > 20
    for level in rng.choice(levels, 12, replace=False):
        params = EncoderParams(min_coverage=float(level))
        _, mask = GaborEncoder(params).encode(sheet, valid)
        _, ref_mask = encode_reference(sheet[None], valid[None], params)
        assert np.array_equal(mask, ref_mask), level
