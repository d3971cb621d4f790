r"""Train the texture CNN on the training split's crops and export it to ONNX.

    nice .venv/bin/python -m liveness.training.train_texture_cnn --epochs 40 --seed 0 --lr 3e-3 \
        --lens-weight 3

Needs the optional `train` extra (PyTorch, CPU) and .cache/liveness/train_set.npz from
build_training_set (or several sets: `--data A.npz B.npz`, their rows joined). Uses only the "cnn"
phase; 15% of those presentations (by presentation, never by crop) are kept aside for validation. Writes
liveness/models/texture_cnn.onnx and liveness/models/texture_cnn_metrics.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from liveness.texture_model import CHANNELS, CROP
from simulation.pad_dataset import BONA_FIDE

DATA = Path(".cache/liveness/train_set.npz")
MODELS = Path(__file__).resolve().parents[1] / "models"
OPSET = 17


def build_model(width: int = 1) -> nn.Module:
    """Five 3x3 convolutions (three strided) with batch norm, global average pool, one logit: ~17k
    parameters at width 1 (8-16-16-32-32 channels), ~70k at width 2. Batch norm folds into the
    convolutions' affine at export; without it the small model sat on the loss plateau for tens of
    epochs on this data."""
    c1, c2, c3 = 8 * width, 16 * width, 32 * width
    layers: list[nn.Module] = []
    for c_in, c_out, stride in ((CHANNELS, c1, 1), (c1, c2, 2), (c2, c2, 1), (c2, c3, 2), (c3, c3, 2)):
        conv = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        layers += [conv, nn.BatchNorm2d(c_out), nn.ReLU()]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c3, 1))


def load_rows(paths: list[Path]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(crops float32 (p, places, channels, 64, 64), label, species, source) of the "cnn" rows."""
    crops, species, source = [], [], []
    for k, path in enumerate(paths):
        data = np.load(path)
        sel = data["phase"] == "cnn"
        crops.append(data["crops"][sel].astype(np.float32))
        species.append(data["species"][sel])
        source.append(np.full(int(sel.sum()), k))
    s = np.concatenate(species)
    return np.concatenate(crops), (s == BONA_FIDE).astype(np.float32), s, np.concatenate(source)


def random_flips(crops: torch.Tensor) -> torch.Tensor:
    """A batch mirrored left-right (a left eye is a mirrored right eye) and upside down (the print and
    the tissue have no up), each with probability 1/2."""
    if torch.rand(()) < 0.5:
        crops = torch.flip(crops, dims=[3])
    if torch.rand(()) < 0.5:
        crops = torch.flip(crops, dims=[2])
    return crops


def export_member(model: nn.Module, out_dir: Path, metrics: dict) -> None:
    """OUT_DIR/texture_cnn.onnx (input `crops` [N, C, 64, 64], output `logits` [N, 1]) and its metrics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    torch.onnx.export(
        model, torch.zeros(1, CHANNELS, CROP, CROP), str(out_dir / "texture_cnn.onnx"),
        input_names=["crops"], output_names=["logits"], dynamic_axes={"crops": {0: "n"}, "logits": {0: "n"}},
        opset_version=OPSET, dynamo=False,
    )  # fmt: skip
    (out_dir / "texture_cnn_metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    print(json.dumps(metrics, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--lens-weight", type=float, default=3.0)
    parser.add_argument("--width", type=int, default=1, help="channel multiplier of the CNN")
    parser.add_argument("--out-dir", type=Path, default=MODELS, help="where the .onnx and metrics go")
    parser.add_argument(
        "--data", type=Path, nargs="+", default=[DATA], help="training sets, their cnn rows joined"
    )
    parser.add_argument(
        "--loss",
        choices=("crop", "presentation"),
        default="crop",
        help="crop: every crop is labelled on its own; presentation: the mean of a presentation's "
        "place logits (the score `assess` uses) is",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    crops, label, species, _ = load_rows(args.data)  # crops: (p, places, channels, 64, 64)
    p, k = crops.shape[:2]
    order = rng.permutation(p)
    n_val = max(1, int(0.15 * p))
    val, train = order[:n_val], order[n_val:]
    # One row per crop ("crop" loss) or per presentation with its k places ("presentation" loss).
    per = 1 if args.loss == "crop" else k
    x_train = torch.from_numpy(crops[train].reshape(-1, per, CHANNELS, CROP, CROP))
    y_train = torch.from_numpy(np.repeat(label[train], k // per))
    # Bona fide weighs as much as all attacks together; the contact lens (a live eye under a
    # printed pattern, which no physical cue can see) weighs as much as three other species.
    weight = np.where(label[train] == 1, (label[train] == 0).sum() / max((label[train] == 1).sum(), 1), 1.0)
    weight[species[train] == "contact_lens"] *= args.lens_weight
    w_train = torch.from_numpy(np.repeat(weight, k // per).astype(np.float32))
    batch = max(64 // per, 1) * per  # crops per step, whole presentations

    model = build_model(args.width)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    loss_fn = nn.BCEWithLogitsLoss(reduction="none")
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x_train))
        total = 0.0
        for b in range(0, len(perm), batch // per):
            idx = perm[b : b + batch // per]
            xb = random_flips(x_train[idx].reshape(-1, CHANNELS, CROP, CROP))
            logits = model(xb)[:, 0].reshape(len(idx), per).mean(dim=1)
            loss = (loss_fn(logits, y_train[idx]) * w_train[idx]).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        scheduler.step()
        print(
            f"epoch {epoch + 1}/{args.epochs} loss {total / len(x_train):.4f} ({time.time() - start:.0f} s)",
            flush=True,
        )

    model.eval()
    with torch.no_grad():
        val_logits = (
            model(torch.from_numpy(crops[val].reshape(-1, CHANNELS, CROP, CROP)))[:, 0].numpy().reshape(-1, k)
        )
    score = val_logits.mean(axis=1)
    is_bf = label[val] == 1
    threshold = float(np.sort(score[is_bf])[0]) if is_bf.any() else 0.0  # lowest bona fide score
    metrics = {
        "data": [str(d) for d in args.data],
        "train_presentations": len(train),
        "val_presentations": len(val),
        "crops_per_presentation": int(k),
        "epochs": args.epochs,
        "seed": args.seed,
        "lr": args.lr,
        "lens_weight": args.lens_weight,
        "width": args.width,
        "loss": args.loss,
        "train_seconds": round(time.time() - start, 1),
        "val_accuracy_at_0": float(np.mean((score >= 0) == is_bf)),
        "val_attack_pass_rate_at_lowest_bona_fide": {
            s: float(np.mean(score[species[val] == s] >= threshold))
            for s in sorted(set(species[val]))
            if s != BONA_FIDE
        },
        "parameters": int(sum(p.numel() for p in model.parameters())),
    }
    export_member(model, args.out_dir, metrics)


if __name__ == "__main__":
    main()
