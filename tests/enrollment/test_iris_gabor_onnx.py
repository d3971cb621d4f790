"""The ONNX Gabor encoder against the plain numpy reference, and the load-time model checks."""

import numpy as np
import onnx
import pytest

from enrollment.iris import EncoderModelError, analyze
from enrollment.iris.gabor import SHEET_SHAPE, EncoderParams, GaborFilter, encode_reference
from enrollment.iris.gabor_onnx import GaborEncoder, build_model, check_model, providers

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
