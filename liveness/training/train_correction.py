r"""Train a correction beside a frozen member of the shipped texture CNN: the member's logit plus a
new network's, the new one held near zero on synthetic rows.

    nice -n 5 .venv/bin/python -m liveness.training.train_correction --member 0 --seed 0 --epochs 30 \
        --data .cache/liveness/transplant_set.npz .cache/liveness/real_still_set.npz \
        .cache/liveness/replay_set.npz --anchor .cache/liveness/replay_set.npz --out-dir .cache/liveness/c0

Why (issue 26): fine-tuning the members on real iris tissue moved real live eyes toward "live" and each
time cost the synthetic lens tail (MODEL_CARD, "Real irises on rendered eyes"): the one small network had
to hold both. Here the member is not touched. A second network of the same shape (`build_model(--width)`,
trained from scratch, its last layer starting at zero so the sum starts as the member) learns what the
member gets wrong on real tissue; on the `--anchor` files' rows (the synthetic replay) its logit is
pulled toward zero by `--anchor-weight` x its mean square, so where the member was trained, the member
still decides. Loss otherwise as `finetune_texture_cnn` (presentation loss, sources weighed alike, lenses
x `--lens-weight`), 10% of the presentations held back by `--seed`. Writes OUT_DIR/texture_cnn.onnx (one
graph: member + correction; average members with `ensemble_onnx`) and its metrics.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from liveness.texture_model import CHANNELS, CROP, MODEL_PATH

from .finetune_texture_cnn import folded_member, row_weights
from .train_texture_cnn import build_model, export_member, load_rows, random_flips


class Corrected(nn.Module):
    """A frozen member's logit plus a correction network's (whose last layer starts at zero)."""

    def __init__(self, member: nn.Module, correction: nn.Module) -> None:
        super().__init__()
        self.member = member
        self.correction = correction
        for p in self.member.parameters():
            p.requires_grad_(False)
        last = [m for m in correction.modules() if isinstance(m, nn.Linear)][-1]
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def train(self, mode: bool = True) -> Corrected:
        super().train(mode)
        self.member.eval()  # frozen: never in training mode
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.member(x) + self.correction(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--init", type=Path, default=MODEL_PATH, help="ensemble ONNX: its member is kept")
    parser.add_argument("--member", type=int, default=0)
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--anchor", type=Path, nargs="*", default=[], help="--data files held near 0")
    parser.add_argument("--anchor-weight", type=float, default=1.0)
    parser.add_argument("--width", type=int, default=1, help="channel multiplier of the correction")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--lens-weight", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args()
    unknown = [str(a) for a in args.anchor if a not in args.data]
    if unknown:
        parser.error(f"--anchor files must be among --data: {', '.join(unknown)}")
    if args.epochs < 1 or args.width < 1 or args.anchor_weight < 0:
        parser.error("--epochs and --width must be >= 1, --anchor-weight >= 0")
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    crops, label, species, source = load_rows(args.data)
    anchored = np.isin(source, [args.data.index(a) for a in args.anchor]).astype(np.float32)
    p, k = crops.shape[:2]
    order = rng.permutation(p)
    n_val = max(1, int(0.1 * p))
    val, train = order[:n_val], order[n_val:]
    x_train = torch.from_numpy(crops[train])
    y_train = torch.from_numpy(label[train])
    a_train = torch.from_numpy(anchored[train])
    w_train = torch.from_numpy(row_weights(label[train], species[train], source[train], args.lens_weight))
    batch = 21  # presentations per step (63 crops), as the shipped members were trained

    model = Corrected(folded_member(onnx.load(str(args.init)), args.member), build_model(args.width))
    trainable = [q for q in model.parameters() if q.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    loss_fn = nn.BCEWithLogitsLoss(reduction="none")

    def scores(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sum, correction alone) per presentation: the mean over its places."""
        model.eval()
        with torch.no_grad():
            x = torch.from_numpy(crops[rows].reshape(-1, CHANNELS, CROP, CROP))
            c = model.correction(x)[:, 0].numpy().reshape(-1, k).mean(axis=1)
            return model.member(x)[:, 0].numpy().reshape(-1, k).mean(axis=1) + c, c

    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x_train))
        total = 0.0
        for b in range(0, len(perm), batch):
            idx = perm[b : b + batch]
            xb = random_flips(x_train[idx].reshape(-1, CHANNELS, CROP, CROP))
            with torch.no_grad():
                base = model.member(xb)[:, 0]
            corr = model.correction(xb)[:, 0].reshape(len(idx), k).mean(dim=1)
            logits = base.reshape(len(idx), k).mean(dim=1) + corr
            fit = (loss_fn(logits, y_train[idx]) * w_train[idx]).mean()
            hold = (a_train[idx] * corr**2).mean()
            loss = fit + args.anchor_weight * hold
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        scheduler.step()
        print(
            f"epoch {epoch + 1}/{args.epochs} loss {total / len(x_train):.4f} ({time.time() - start:.0f} s)",
            flush=True,
        )

    after, corr = scores(val)
    metrics: dict = {
        "init": str(args.init),
        "member": args.member,
        "data": [str(d) for d in args.data],
        "anchor": [str(a) for a in args.anchor],
        "anchor_weight": args.anchor_weight,
        "width": args.width,
        "train_presentations": len(train),
        "val_presentations": len(val),
        "epochs": args.epochs,
        "lr": args.lr,
        "lens_weight": args.lens_weight,
        "seed": args.seed,
        "train_seconds": round(time.time() - start, 1),
        "parameters": int(sum(q.numel() for q in model.parameters())),
    }
    for src in np.unique(source[val]):
        sel = source[val] == src
        is_bf = label[val][sel] == 1
        metrics[f"val_accuracy_at_0_source{src}"] = float(np.mean((after[sel] >= 0) == is_bf))
        metrics[f"val_correction_rms_source{src}"] = float(np.sqrt(np.mean(corr[sel] ** 2)))
    export_member(model, args.out_dir, metrics)


if __name__ == "__main__":
    main()
