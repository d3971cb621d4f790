"""Averaging texture CNNs into one ONNX graph: the output is the members' mean; misfits are refused."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper, numpy_helper

from liveness.texture_model import CHANNELS, CROP, TextureModel
from liveness.training.ensemble_onnx import ensemble


def linear_model(seed: int, channels: int = CHANNELS, opset: int = 17) -> onnx.ModelProto:
    """A one-layer 'CNN': a full-size convolution to one logit, [N, C, 64, 64] -> [N, 1]."""
    rng = np.random.default_rng(seed)
    weight = numpy_helper.from_array(rng.normal(size=(1, channels, CROP, CROP)).astype(np.float32), "w")
    bias = numpy_helper.from_array(rng.normal(size=(1,)).astype(np.float32), "b")
    nodes = [
        helper.make_node("Conv", ["crops", "w", "b"], ["conv"]),
        helper.make_node("Flatten", ["conv"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        f"linear{seed}",
        [helper.make_tensor_value_info("crops", onnx.TensorProto.FLOAT, ["n", channels, CROP, CROP])],
        [helper.make_tensor_value_info("logits", onnx.TensorProto.FLOAT, ["n", 1])],
        [weight, bias],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def test_ensemble_outputs_the_mean_of_its_members():
    members = [linear_model(s) for s in (1, 2, 3)]
    x = np.random.default_rng(0).normal(size=(4, CHANNELS, CROP, CROP)).astype(np.float32)
    expected = np.mean([run(m, x) for m in members], axis=0)
    got = run(ensemble(members), x)
    assert got.shape == (4, 1)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert not np.allclose(run(members[0], x), expected)  # the members do differ


def test_ensemble_loads_as_a_texture_model(tmp_path):
    path = tmp_path / "ens.onnx"
    onnx.save(ensemble([linear_model(1), linear_model(2)]), str(path))
    model = TextureModel(path)
    x = np.zeros((3, CHANNELS, CROP, CROP), np.float32)
    assert model.logits(x).shape == (3,)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([linear_model(1)], "at least two"),
        ([linear_model(1), linear_model(2, channels=1)], "shapes"),
        ([linear_model(1), linear_model(2, opset=13)], "opset"),
    ],
)
def test_ensemble_refuses_misfits(members, message):
    with pytest.raises(ValueError, match=message):
        ensemble(members)
