r"""Fine-tune the shipped texture CNN's members on real-still rows plus a synthetic replay set.

    nice -n 5 .venv/bin/python -m liveness.training.finetune_texture_cnn --member 0 --epochs 12 \
        --lr 3e-4 --data .cache/liveness/real_still_set.npz .cache/liveness/replay_set.npz \
        --out-dir .cache/liveness/ft0

Needs the `train` extra (PyTorch, CPU). The members are read out of the ensemble ONNX graph
(`--init`, by default the shipped model): its export folded each batch norm into the convolution
before it, so a member is rebuilt as plain conv + bias, ReLU (`folded_member`) and trained as that,
from its weights, at a low learning rate. Only the "cnn" rows of each `--data` file are used (the
real-still set's "fusion" rows are for the fusion). Loss: binary cross-entropy on the mean of a
presentation's place logits (`--loss presentation` of `train_texture_cnn`), each data file weighed
alike, and within one, bona fide as much as all its attacks together, contact_lens x `--lens-weight`.
Writes OUT_DIR/texture_cnn.onnx (one member: average members with `ensemble_onnx`) and its metrics.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from liveness.texture_model import CHANNELS, CROP, MODEL_PATH

from .train_texture_cnn import export_member, load_rows, random_flips


def folded_member(model: onnx.ModelProto, member: int) -> nn.Sequential:
    """Member `member` of an ensemble graph (`ensemble_onnx`'s prefix m<k>_) as a torch module:
    its convolutions (batch norm folded in) with their biases and strides, ReLU, pool, linear."""
    prefix = f"m{member}_"
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
    layers: list[nn.Module] = []
    for node in model.graph.node:
        if not node.output[0].startswith(prefix):
            continue
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Conv":
            w, b = weights[node.input[1]], weights[node.input[2]]
            conv = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], stride=attrs["strides"][0], padding=1)
            conv.weight.data.copy_(w)
            conv.bias.data.copy_(b)
            layers += [conv, nn.ReLU()]
        elif node.op_type == "Gemm":
            w, b = weights[node.input[1]], weights[node.input[2]]
            linear = nn.Linear(w.shape[1], w.shape[0])
            linear.weight.data.copy_(w)
            linear.bias.data.copy_(b)
            layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), linear]
    if not any(isinstance(m, nn.Linear) for m in layers):
        raise ValueError(f"no member {member} in the graph")
    return nn.Sequential(*layers)


def row_weights(label: np.ndarray, species: np.ndarray, source: np.ndarray, lens_weight: float) -> np.ndarray:
    """Each source weighs alike; within one, bona fide as much as all its attacks, lenses x lens_weight."""
    w = np.ones(len(label))
    w[species == "contact_lens"] = lens_weight
    for s in np.unique(source):
        bf, at = (source == s) & (label == 1), (source == s) & (label == 0)
        w[bf] *= w[at].sum() / max(bf.sum(), 1)
        w[source == s] /= w[source == s].sum()
    return (w * len(w) / w.sum()).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--init", type=Path, default=MODEL_PATH, help="the ensemble ONNX to start from")
    parser.add_argument("--member", type=int, default=0)
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--lens-weight", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    crops, label, species, source = load_rows(args.data)
    p, k = crops.shape[:2]
    order = rng.permutation(p)
    n_val = max(1, int(0.1 * p))
    val, train = order[:n_val], order[n_val:]
    x_train = torch.from_numpy(crops[train])
    y_train = torch.from_numpy(label[train])
    w_train = torch.from_numpy(row_weights(label[train], species[train], source[train], args.lens_weight))
    batch = 21  # presentations per step (63 crops), as the shipped members were trained

    model = folded_member(onnx.load(str(args.init)), args.member)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    loss_fn = nn.BCEWithLogitsLoss(reduction="none")

    def scores(rows: np.ndarray) -> np.ndarray:
        model.eval()
        with torch.no_grad():
            x = torch.from_numpy(crops[rows].reshape(-1, CHANNELS, CROP, CROP))
            return model(x)[:, 0].numpy().reshape(-1, k).mean(axis=1)

    before = scores(val)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x_train))
        total = 0.0
        for b in range(0, len(perm), batch):
            idx = perm[b : b + batch]
            xb = random_flips(x_train[idx].reshape(-1, CHANNELS, CROP, CROP))
            logits = model(xb)[:, 0].reshape(len(idx), k).mean(dim=1)
            loss = (loss_fn(logits, y_train[idx]) * w_train[idx]).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        scheduler.step()
        print(
            f"epoch {epoch + 1}/{args.epochs} loss {total / len(x_train):.4f} ({time.time() - start:.0f} s)"
        )

    after = scores(val)
    metrics: dict = {
        "init": str(args.init),
        "member": args.member,
        "data": [str(d) for d in args.data],
        "train_presentations": len(train),
        "val_presentations": len(val),
        "epochs": args.epochs,
        "lr": args.lr,
        "lens_weight": args.lens_weight,
        "seed": args.seed,
        "train_seconds": round(time.time() - start, 1),
        "parameters": int(sum(p.numel() for p in model.parameters())),
    }
    for name, s in (("before", before), ("after", after)):
        for src in np.unique(source[val]):
            sel = source[val] == src
            is_bf = label[val][sel] == 1
            metrics[f"val_accuracy_at_0_{name}_source{src}"] = float(np.mean((s[sel] >= 0) == is_bf))
    export_member(model, args.out_dir, metrics)


if __name__ == "__main__":
    main()
