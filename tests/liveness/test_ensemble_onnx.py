"""Averaging texture CNNs into one ONNX graph: the output is the members' mean; misfits are refused."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper, numpy_helper

from liveness.texture_model import CHANNELS, CROP, TextureModel
from liveness.training.ensemble_onnx import METRICS, combined_metrics, ensemble, main


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


def _member(directory: Path, seed: int, metrics: dict | None) -> Path:
    directory.mkdir()
    path = directory / "texture_cnn.onnx"
    onnx.save(linear_model(seed), str(path))
    if metrics is not None:
        (directory / METRICS).write_text(json.dumps(metrics))
    return path


def test_the_command_writes_the_ensemble_with_its_members_metrics(tmp_path, monkeypatch):
    a = _member(tmp_path / "a", 1, {"parameters": 100, "seed": 0})
    b = _member(tmp_path / "b", 2, {"parameters": 120, "seed": 1})
    out = tmp_path / "new" / "models" / "texture_cnn.onnx"  # folders made as needed
    monkeypatch.setattr(sys, "argv", ["ensemble_onnx", str(a), str(b), "--out", str(out)])
    main()
    metrics = json.loads((out.parent / METRICS).read_text())
    assert metrics["parameters"] == 220
    assert [m["seed"] for m in metrics["members"]] == [0, 1]
    x = np.random.default_rng(1).normal(size=(2, CHANNELS, CROP, CROP)).astype(np.float32)
    expected = np.mean([run(linear_model(s), x) for s in (1, 2)], axis=0)[:, 0]
    np.testing.assert_allclose(TextureModel(out).logits(x), expected, rtol=1e-5, atol=1e-5)
    assert {p.name for p in out.parent.iterdir()} == {METRICS, "texture_cnn.onnx"}  # no .tmp left


@pytest.mark.parametrize("second", [None, {"seed": 1}], ids=["no metrics file", "no parameter count"])
def test_the_command_refuses_members_without_usable_metrics_and_writes_nothing(tmp_path, monkeypatch, second):
    a = _member(tmp_path / "a", 1, {"parameters": 100})
    b = _member(tmp_path / "b", 2, second)
    out = tmp_path / "models" / "texture_cnn.onnx"
    out.parent.mkdir()
    (out.parent / METRICS).write_text("{}")  # a previous model's: must survive the refusal
    monkeypatch.setattr(sys, "argv", ["ensemble_onnx", str(a), str(b), "--out", str(out)])
    with pytest.raises(SystemExit):
        main()
    assert not out.exists() and (out.parent / METRICS).read_text() == "{}"


def test_combined_metrics_needs_two_members():
    with pytest.raises(ValueError, match="at least two"):
        combined_metrics([{"parameters": 1}])
