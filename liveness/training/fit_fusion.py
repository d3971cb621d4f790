"""Fit the logistic score fusion on the training split's fusion phase and write fusion.json.

    .venv/bin/python -m liveness.training.fit_fusion --data .cache/liveness/fusion_set.npz

Needs the fusion phase of the training split (build_training_set; the model card names the
commands) and the shipped texture model. The fusion presentations (train split, indices from
FUSION_OFFSET, captured by the station's autofocus camera) were never seen by the CNN, and the
held-out split is never touched here. Classes are weighted so that bona fide and attacks
weigh the same, and every attack species the same.

A veto floor (`--veto CUE=SHARE`; by default the pupil reflex and the illumination response at
0.25%) is the SHARE quantile of
the cue's scores on the bona fide of the fusion set that the blur ceiling lets through. (Until the
reflex was measured at the pupil's edge, contact-lens wearers counted as live eyes too; but a
printed lens whose pattern reaches over a dilated pupil hides the pupil's edge, and then the
station cannot see a reflex: refusing that eye is right.) The reflex's floor stays out of the
live eyes' lower tail: from ~0.48 up, the live scores are dense (people with a weak reflex), and a
floor there (at 0.5%: 0.510) refused 7 of one held-out seed's 200 live eyes, 4 of them within
0.015 of it. The decision threshold is then placed
so that the vetoed bona fide and the ones below the threshold together make the target BPCER.

The blur ceiling is the `1 - --blur-bpcer` quantile of the bona fide reflection blur: the share of
sharp live captures the station's camera makes that are refused as blurred. It is applied with
the veto, before the logistic is fitted. The logistic weighs only `--logistic-cues` (by default
the texture alone, see LOGISTIC_CUES); the other cues keep weight 0 in the file and still say
whether they fired.

`--blur-zone-bpcer Z` (issue 26, stop 41) opens a blur zone under the ceiling: from the `1 - Z` quantile of
the bona fide blur up to the ceiling, a capture is judged at a stricter threshold (`Fusion.blur_penalty`).
Live eyes the autofocus left a little blurred keep a high texture score; lens prints under the same blur do
not, and their texture rises with the blur, which is why the ceiling stays. The zone's threshold is the
midpoint between the highest fused logit of the fitting set's attacks in the zone and the lowest of its
live eyes there (both past the veto floors), the widest margin the data allow; where the two overlap, or
either is missing, there is no zone to open and the fit stops with that message.

`--veto-floor CUE=VALUE` fixes a veto's floor at VALUE instead of a quantile (e.g. the shipped floor:
a 0.25% quantile of 800 live eyes is their second-lowest score, one sample).

`--real-data` (issue 26): the bona fide "fusion" rows of `simulation.real_still_set` (real NIR stills of
the training subjects, animated; other photographs and seeds than the CNN's). They are not fitted on;
the fit report gives their BPCER at the threshold and how it comes about (vetoed or blurred, or by the
score). With `--real-bound` they also bound the threshold: the lower of the two thresholds that give the
target BPCER, one on the synthetic bona fide and one on the real stills' (each counting its own vetoed and
blurred as refused). Where the vetoes alone refuse the target share of the 158 real stills (stop 39: the
reflex floor, 3 of 158), that bound is the lowest real-still score and the texture decides nothing.
The vetoes and the blur ceiling stay the synthetic ones'.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import statistics
from pathlib import Path

import numpy as np

from liveness.evaluation import threshold_for_apcer, threshold_for_bpcer
from liveness.fusion import CUES, FUSION_PATH, Fusion, fit_logistic
from liveness.texture_model import MODEL_PATH, TextureModel
from simulation.pad_dataset import BONA_FIDE, SPLITS

DATA = Path(".cache/liveness/train_set.npz")
# After the vetoes, what is left of the attacks is almost only textured lenses: live eyes under a
# print, which only the texture tells from bare eyes. Weights fitted to the physical cues on
# lens-vs-bare data are noise an unseen attack could ride on (with the reflex in, its weight came
# out negative: a stronger reflex "less live"). The physical cues act as vetoes, the logistic
# calibrates the texture. 5-fold cross-validation on the fusion phase: the same lens APCER
# (1.25-1.5%) at the same BPCER with all six cues, texture + reflex (+ illumination) or texture.
LOGISTIC_CUES = ("texture",)


# The empirical quantile is used once at least this many bona fide fall below it; with fewer, a
# 1-2% quantile of a few dozen samples is one or two points and the Gaussian tail is steadier.
MIN_EMPIRICAL_TAIL = 4


def tail_threshold(bona_fide: np.ndarray, target: float) -> float:
    """A threshold rejecting about `target` of bona fide: the Gaussian-tail quantile
    mean - z(1 - target) * std."""
    z = statistics.NormalDist().inv_cdf(1.0 - target)
    return float(bona_fide.mean() - z * bona_fide.std())


def bpcer_threshold(
    bona_fide: np.ndarray, target: float, rejected: np.ndarray | None = None
) -> tuple[float, str]:
    """(threshold, rule) for a BPCER of `target` on these bona fide scores: the empirical quantile
    when the sample reaches MIN_EMPIRICAL_TAIL rejections, else the Gaussian tail (which overshoots
    on skewed scores: it rejected 0 of 50 held-out bona fide at a 2% target).

    `rejected` marks bona fide already refused by another rule (a veto): they count against the
    target, and the threshold is placed among the others.
    """
    rejected = np.zeros(bona_fide.size, bool) if rejected is None else np.asarray(rejected, bool)
    kept = bona_fide[~rejected]
    if kept.size == 0:
        raise ValueError("every bona fide presentation is already rejected")
    remaining = max(target * bona_fide.size - rejected.sum(), 0.0) / kept.size  # BPCER left among `kept`
    if int(np.floor(remaining * kept.size + 1e-9)) >= MIN_EMPIRICAL_TAIL:
        return threshold_for_bpcer(kept, remaining), "empirical quantile of the bona fide fused logits"
    if remaining <= 0.0:
        return float(kept.min()), "lowest bona fide fused logit (the vetoes use up the target)"
    return tail_threshold(kept, remaining), "mean - z(1 - target) * std of the bona fide fused logits"


def _cue_and_number(text: str, accept, want: str) -> tuple[str, float]:
    """Parse CUE=NUMBER: a physical cue and a number `accept` admits; ArgumentTypeError saying `want`."""
    cue, _, number = text.partition("=")
    physical = [c for c in CUES if c != "texture"]
    try:
        value = float(number)
    except ValueError:
        value = float("nan")
    if cue not in physical or not np.isfinite(value) or not accept(value):
        raise argparse.ArgumentTypeError(f"{text!r}: want {want}, CUE in {physical}")
    return cue, value


def veto_spec(text: str) -> tuple[str, float]:
    """Parse CUE=SHARE (a physical cue, a share of bona fide in (0, 0.05])."""
    return _cue_and_number(text, lambda v: 0.0 < v <= 0.05, "CUE=SHARE, 0 < SHARE <= 0.05")


def veto_value(text: str) -> tuple[str, float]:
    """Parse CUE=VALUE (a physical cue, a finite floor)."""
    return _cue_and_number(text, lambda v: True, "CUE=VALUE, VALUE a number")


def veto_floor(live_scores: np.ndarray, share: float) -> float:
    """The floor below which about `share` of bona fide score (empirical quantile)."""
    return threshold_for_bpcer(live_scores, share)


def real_bona_fide(path: Path, model: TextureModel) -> tuple[np.ndarray, np.ndarray]:
    """(cue matrix in CUES order, reflection blur) of the bona fide "fusion" rows of a real-still set."""
    data = np.load(path)
    sel = (data["phase"] == "fusion") & (data["species"] == BONA_FIDE)
    names = [str(n) for n in data["cue_names"]]
    texture = np.array([model.score(c) for c in data["crops"][sel].astype(np.float32)])
    columns = {n: data["cues"][sel][:, i] for i, n in enumerate(names)} | {"texture": texture}
    return np.stack([columns[c] for c in CUES], axis=1), data["blur"][sel]


def joined(paths: list[Path]) -> dict[str, np.ndarray]:
    """Fusion sets (build_training_set's files) as one; refuses a presentation held twice."""
    parts = [dict(np.load(p)) for p in paths]
    names = parts[0]["cue_names"]
    if any(list(p["cue_names"]) != list(names) for p in parts):
        raise SystemExit("the fusion sets measure different cues: rebuild them with one build_training_set")
    keys = ("crops", "cues", "blur", "species", "phase", "index")
    for p in parts:
        if "blur" not in p:
            raise SystemExit("a fusion set has no reflection blur: rebuild it with build_training_set")
    data = {k: np.concatenate([p[k] for p in parts]) for k in keys} | {"cue_names": names}
    rows = list(zip(data["species"], data["phase"], data["index"].tolist(), strict=True))
    if len(set(rows)) != len(rows):
        raise SystemExit("the fusion sets hold the same presentation twice")
    return data


def index_range(indices: np.ndarray) -> str:
    """A species' fusion indices as half-open runs, "[first, last + 1)", joined by ", " where they break."""
    ordered = np.sort(indices)
    breaks = np.flatnonzero(np.diff(ordered) != 1)
    starts = [ordered[0], *ordered[breaks + 1]]
    ends = [*ordered[breaks], ordered[-1]]
    return ", ".join(f"[{int(a)}, {int(b) + 1})" for a, b in zip(starts, ends, strict=True))


def zone_threshold_logit(logits: np.ndarray, live: np.ndarray) -> tuple[float, dict[str, object]]:
    """The blur zone's threshold: the midpoint between its highest attack and lowest bona fide fused logit
    (after the vetoes), and what the fit report says of the zone. SystemExit when they overlap or a side
    is empty: then a zone cannot be opened on this data."""
    if not live.any() or live.all():
        raise SystemExit("the blur zone holds no attack or no bona fide: nothing to place its threshold by")
    top_attack, low_live = float(logits[~live].max()), float(logits[live].min())
    if top_attack >= low_live:
        raise SystemExit(
            f"in the blur zone an attack (logit {top_attack:.3f}) scores as live as a bona fide"
            f" ({low_live:.3f}): no zone"
        )
    return (top_attack + low_live) / 2, {
        "blur_zone_bona_fide": int(live.sum()),
        "blur_zone_attacks": int((~live).sum()),
        "blur_zone_top_attack_logit": top_attack,
        "blur_zone_lowest_bona_fide_logit": low_live,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-bpcer", type=float, default=0.02)
    parser.add_argument("--l2", type=float, default=0.05)
    parser.add_argument(
        "--veto",
        nargs="+",
        type=veto_spec,
        default=[("pupil_reflex", 0.0025), ("illumination_response", 0.0025)],
        metavar="CUE=SHARE",
        help="a physical cue every live eye shows, and the share of bona fide below its floor",
    )
    parser.add_argument(
        "--veto-floor",
        nargs="+",
        type=veto_value,
        default=[],
        metavar="CUE=VALUE",
        help="fix a veto's floor at VALUE (overrides its --veto share)",
    )
    parser.add_argument(
        "--blur-bpcer", type=float, default=0.005, help="share of bona fide above the blur ceiling"
    )
    parser.add_argument(
        "--blur-zone-bpcer",
        type=float,
        help="open a blur zone from this share of bona fide blur up to the ceiling (above --blur-bpcer)",
    )
    parser.add_argument(
        "--logistic-cues",
        nargs="+",
        choices=CUES,
        default=list(LOGISTIC_CUES),
        help="the cues the logistic weighs after the vetoes (the others get weight 0)",
    )
    parser.add_argument("--data", type=Path, nargs="+", default=[DATA], help="fusion sets, joined")
    parser.add_argument("--out", type=Path, default=FUSION_PATH)
    parser.add_argument(
        "--real-data", type=Path, help="simulation.real_still_set's file: its bona fide are reported"
    )
    parser.add_argument(
        "--real-bound", action="store_true", help="the real stills also bound the threshold (the lower)"
    )
    parser.add_argument("--texture-model", type=Path, default=MODEL_PATH, help="the CNN (a candidate's)")
    args = parser.parse_args(argv)
    if args.blur_zone_bpcer is not None and not args.blur_bpcer < args.blur_zone_bpcer <= 0.05:
        parser.error("--blur-zone-bpcer must lie above --blur-bpcer and be at most 0.05")

    data = joined(args.data)
    sel = data["phase"] == "fusion"
    species = data["species"][sel]
    names = [str(n) for n in data["cue_names"]]
    model = TextureModel(args.texture_model)
    crops = data["crops"][sel].astype(np.float32)
    texture = np.array([model.score(c) for c in crops])
    columns = {n: data["cues"][sel][:, i] for i, n in enumerate(names)} | {"texture": texture}
    X = np.stack([columns[c] for c in CUES], axis=1)
    real = real_bona_fide(args.real_data, model) if args.real_data else None
    y = (species == BONA_FIDE).astype(np.float64)
    mean, std = X.mean(axis=0), X.std(axis=0) + 1e-6
    weight = np.zeros(len(y))
    weight[y == 1] = 0.5 / (y == 1).sum()
    attack_species = sorted(set(species) - {BONA_FIDE})
    for s in attack_species:
        weight[species == s] = 0.5 / len(attack_species) / (species == s).sum()
    weight *= len(y)
    # The vetoes decide first; the logistic is fitted on what they let through (each keeping its
    # weight), so its weights go to telling live eyes from what still looks alive. The blur
    # ceiling comes first: the reflex floor is set on the bona fide sharp enough to be judged (a
    # person who moved through the capture blurs the pupil's edge, not the reflex).
    blur = data["blur"][sel]
    bona_blur = blur[(species == BONA_FIDE) & np.isfinite(blur)]
    blur_ceiling = float(np.quantile(bona_blur, 1.0 - args.blur_bpcer))
    blurred = np.isfinite(blur) & (blur > blur_ceiling)
    sharp_bona_fide = (species == BONA_FIDE) & ~blurred
    vetoes = {cue: veto_floor(columns[cue][sharp_bona_fide], share) for cue, share in args.veto}
    vetoes |= dict(args.veto_floor)
    vetoed = blurred.copy()
    for cue, floor in vetoes.items():
        vetoed |= columns[cue] < floor
    used = [CUES.index(c) for c in args.logistic_cues]
    w_used, b = fit_logistic(((X - mean) / std)[~vetoed][:, used], y[~vetoed], weight[~vetoed], l2=args.l2)
    w = np.zeros(len(CUES))
    w[used] = w_used
    logits = b + ((X - mean) / std) @ w
    threshold_logit, threshold_rule = bpcer_threshold(logits[y == 1], args.target_bpcer, vetoed[y == 1])
    blur_penalty, zone_report = None, {}
    if args.blur_zone_bpcer is not None:
        zone_start = float(np.quantile(bona_blur, 1.0 - args.blur_zone_bpcer))
        in_zone = np.isfinite(blur) & (blur > zone_start) & ~vetoed
        zone_threshold, zone_report = zone_threshold_logit(logits[in_zone], y[in_zone] == 1)
        blur_penalty = {"from_px": zone_start, "logit": max(zone_threshold - threshold_logit, 0.0)}
    real_report: dict[str, object] = {}
    if real is not None:
        real_x, real_blur = real
        real_vetoed = np.isfinite(real_blur) & (real_blur > blur_ceiling)
        for cue, floor in vetoes.items():
            real_vetoed |= real_x[:, CUES.index(cue)] < floor
        real_logits = b + ((real_x - mean) / std) @ w
        real_threshold, real_rule = bpcer_threshold(real_logits, args.target_bpcer, real_vetoed)
        synthetic_threshold = threshold_logit
        if args.real_bound and real_threshold < threshold_logit:
            threshold_logit, threshold_rule = real_threshold, f"real stills' bona fide: {real_rule}"
        else:
            threshold_rule = f"synthetic bona fide: {threshold_rule}"
        real_report = {
            "real_still_bona_fide": len(real_logits),
            "real_still_vetoed_or_blurred": int(real_vetoed.sum()),
            "real_still_refused_by_score": int(np.sum(~real_vetoed & (real_logits < threshold_logit))),
            "real_still_bpcer_at_threshold": float(np.mean(real_vetoed | (real_logits < threshold_logit))),
            "synthetic_bpcer_at_threshold": float(
                np.mean(vetoed[y == 1] | (logits[y == 1] < threshold_logit))
            ),
            "threshold_synthetic_only": float(1 / (1 + np.exp(-synthetic_threshold))),
            "threshold_real_only": float(1 / (1 + np.exp(-real_threshold))),
        }
    cue_thresholds = {c: bpcer_threshold(X[y == 1, i], 0.02)[0] for i, c in enumerate(CUES)}
    probs = np.where(vetoed, 0.0, 1 / (1 + np.exp(-logits)))
    attacks = {s: probs[species == s] for s in attack_species}
    fit_report = (
        {
            "apcer_at_threshold": {
                s: float(np.mean(v >= 1 / (1 + np.exp(-threshold_logit)))) for s, v in attacks.items()
            },
            "threshold_at_apcer_1pct": threshold_for_apcer(attacks, 0.01),
            "bona_fide_vetoed": int(vetoed[y == 1].sum()),
            "refused_as_blurred": {s: int(np.sum((species == s) & blurred)) for s in sorted(set(species))},
            "attacks_vetoed": {s: int(vetoed[species == s].sum()) for s in attack_species},
        }
        | real_report
        | zone_report
    )
    fusion = Fusion(
        cues=CUES,
        mean=tuple(float(v) for v in mean),
        std=tuple(float(v) for v in std),
        weights=tuple(float(v) for v in w),
        bias=b,
        threshold=float(1 / (1 + np.exp(-threshold_logit))),
        cue_thresholds=cue_thresholds,
        vetoes=vetoes,
        blur_ceiling_px=blur_ceiling,
        blur_penalty=blur_penalty,
        provenance={
            "script": "liveness/training/fit_fusion.py",
            "command": ".venv/bin/python -m liveness.training.fit_fusion"
            f" --data {' '.join(str(d) for d in args.data)} --target-bpcer {args.target_bpcer} --l2 {args.l2}"
            f" --veto {' '.join(f'{c}={s}' for c, s in args.veto)} --blur-bpcer {args.blur_bpcer}"
            + (f" --blur-zone-bpcer {args.blur_zone_bpcer}" if args.blur_zone_bpcer is not None else "")
            + (f" --veto-floor {' '.join(f'{c}={v}' for c, v in args.veto_floor)}" if args.veto_floor else "")
            + f" --logistic-cues {' '.join(args.logistic_cues)}"
            + (f" --real-data {args.real_data}" if args.real_data else "")
            + (" --real-bound" if args.real_bound else ""),
            "fitted_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "split": "train",
            "split_seed_root": SPLITS["train"].seed_root,
            "indices": {s: index_range(data["index"][sel][species == s]) for s in sorted(set(species))},
            "presentations": {s: int((species == s).sum()) for s in sorted(set(species))},
            "target_bpcer": args.target_bpcer,
            "logistic_cues": list(args.logistic_cues),
            "veto_rule": "the floor of each of "
            + ", ".join(
                f"{c} (fixed at {dict(args.veto_floor)[c]})"
                if c in dict(args.veto_floor)
                else f"{c} (the {dict(args.veto)[c]:.2%} quantile)"
                for c in vetoes
            )
            + ": of the cue's scores on the bona fide under the blur ceiling;"
            " blur ceiling: the"
            f" {1 - args.blur_bpcer:.1%} quantile of the bona fide reflection blur"
            + (
                f"; blur zone from its {1 - args.blur_zone_bpcer:.1%} quantile, judged at the midpoint"
                " between the highest attack and the lowest bona fide fused logit in it"
                if args.blur_zone_bpcer is not None
                else ""
            ),
            "threshold_rule": threshold_rule,
            "texture_model_sha256": hashlib.sha256(args.texture_model.read_bytes()).hexdigest(),
            "fit_report": fit_report,
        },
    )
    args.out.write_text(json.dumps(fusion.as_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(fusion.as_json(), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
