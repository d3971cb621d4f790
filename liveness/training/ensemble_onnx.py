r"""Average several trained texture CNNs into one ONNX model (same input, mean of the logits).

    .venv/bin/python -m liveness.training.ensemble_onnx --out liveness/models/texture_cnn.onnx \
        run_a/texture_cnn.onnx run_b/texture_cnn.onnx

Members trained on different data or for different lengths make different mistakes; the mean
of their logits errs less than any one of them. Each member must take [N, C, H, W] float32 and
give [N, 1]; all must agree on C, H, W and the opset. The result is one graph, so the runtime
(`liveness.texture_model.TextureModel`) loads it like a single model. The members' training
metrics (`texture_cnn_metrics.json`, which `train_texture_cnn` writes beside each model) are
gathered into one file beside the ensemble, so the shipped metrics describe the shipped graph.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import onnx
from onnx import helper

INPUT, OUTPUT = "crops", "logits"
METRICS = "texture_cnn_metrics.json"


def _shape(value: onnx.ValueInfoProto) -> list[object]:
    return [d.dim_value or d.dim_param for d in value.type.tensor_type.shape.dim]


def ensemble(members: Sequence[onnx.ModelProto]) -> onnx.ModelProto:
    """One model whose output is the mean of the members' outputs on the same input."""
    if len(members) < 2:
        raise ValueError("an ensemble needs at least two members")
    first = members[0]
    in_shape, out_shape = _shape(first.graph.input[0])[1:], _shape(first.graph.output[0])[1:]
    opsets = {(o.domain, o.version) for o in first.opset_import}
    nodes, initializers, outputs = [], [], []
    for k, member in enumerate(members):
        onnx.checker.check_model(member)
        graph = member.graph
        if len(graph.input) != 1 or len(graph.output) != 1:
            raise ValueError(f"member {k}: needs exactly one input and one output")
        if _shape(graph.input[0])[1:] != in_shape or _shape(graph.output[0])[1:] != out_shape:
            raise ValueError(
                f"member {k}: shapes {_shape(graph.input[0])} -> {_shape(graph.output[0])} differ from "
                f"member 0's [N, {in_shape}] -> [N, {out_shape}]"
            )
        if {(o.domain, o.version) for o in member.opset_import} != opsets:
            raise ValueError(f"member {k}: opset differs from member 0's")
        prefixed = onnx.compose.add_prefix(member, f"m{k}_")
        nodes.append(helper.make_node("Identity", [INPUT], [prefixed.graph.input[0].name]))
        nodes.extend(prefixed.graph.node)
        initializers.extend(prefixed.graph.initializer)
        outputs.append(prefixed.graph.output[0].name)
    nodes.append(helper.make_node("Mean", outputs, [OUTPUT]))
    graph = helper.make_graph(
        nodes,
        "texture_cnn_ensemble",
        [helper.make_tensor_value_info(INPUT, onnx.TensorProto.FLOAT, ["n", *in_shape])],
        [helper.make_tensor_value_info(OUTPUT, onnx.TensorProto.FLOAT, ["n", *out_shape])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=list(first.opset_import), producer_name="personhood")
    model.ir_version = first.ir_version
    onnx.checker.check_model(model)
    return model


def combined_metrics(members: Sequence[dict]) -> dict:
    """The ensemble's metrics: its parameter count and each member's own training metrics."""
    if len(members) < 2:
        raise ValueError("an ensemble needs at least two members")
    for k, m in enumerate(members):
        if not isinstance(m, dict) or not isinstance(m.get("parameters"), int):
            raise ValueError(f"member {k}: its metrics have no parameter count")
    return {
        "ensemble": "mean of the members' logits (liveness/training/ensemble_onnx.py)",
        "parameters": sum(m["parameters"] for m in members),
        "members": list(members),
    }


def _write_all(files: dict[Path, bytes]) -> None:
    """Every file written in full beside its target before any target is replaced."""
    tmps = {path: path.with_name(path.name + ".tmp") for path in files}
    for path, data in files.items():
        tmps[path].write_bytes(data)
    for path, tmp in tmps.items():
        tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("members", nargs="+", type=Path, help="trained texture_cnn.onnx files")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    missing = [str(p.parent / METRICS) for p in args.members if not (p.parent / METRICS).is_file()]
    if missing:
        parser.error(f"no training metrics beside the member(s): {', '.join(missing)}")
    try:
        metrics = combined_metrics([json.loads((p.parent / METRICS).read_text()) for p in args.members])
    except ValueError as e:  # json.JSONDecodeError is one
        parser.error(f"member metrics: {e}")
    model = ensemble([onnx.load(str(p)) for p in args.members])
    metrics_text = json.dumps(metrics, indent=2, sort_keys=True) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    _write_all({args.out: model.SerializeToString(), args.out.parent / METRICS: metrics_text.encode()})
    print(f"wrote {args.out} and its {METRICS}: mean of {len(args.members)} members")


if __name__ == "__main__":
    main()
