# ruff: noqa: T201 - a calibration script reports its figures on stdout
"""Calibrate the review: canned-ness signal weights (TWCS) and empathy promotion (EPITOME).

Canned-ness: a non-negative logistic regression (balanced classes, L2) of the "templated"
label (the same brand sent a near-copy: 3-word-shingle Jaccard >= 0.5 after masking handles,
links, numbers and agent sign-offs) on the single-reply signals of
:mod:`empathic_reply._cannedness`. Weights are constrained to be >= 0 so every reason reads
"this made it more canned". Held-out ROC-AUC is reported with 5-fold cross-validation grouped
by brand (no brand in both train and test) and stratified 5-fold, each as mean +- sd over
``SEEDS`` random fold assignments (with 46 positives one split moves the by-brand AUC by
+-0.02; the single ``GroupKFold`` split is printed too); the shipped weights are fitted on
all rows. The saturation points of the graded signals (``shape``: words outside
formula at which ``formulaic`` reaches 0, share of mirrored words at which ``no_mirroring``
reaches 0) come from a small grid, chosen by *nested* cross-validation: inside each outer
training fold the grid point with the best inner-CV AUC (by brand: mean over
``INNER_SEEDS`` random brand-fold assignments) is used, so the held-out AUCs printed
include that choice. The history-aware layer (``repeats``) is fitted on top of the
out-of-fold single-reply logit.

Empathy: for each EPITOME mechanism, how many weak cues promote a level to 2 (0 = never),
chosen on training folds and scored on held-out folds (5-fold macro-F1).

The data (TWCS, EPITOME) are evaluation-only: only a handful of numbers are written to
``src/empathic_reply/data/review/weights.yaml``; no text from them is shipped.

Run: ``/work/venv/bin/python scripts/calibrate_review.py [--dry-run]``
(needs scikit-learn and scipy, script only).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from metrics import macro_f1, roc_auc  # type: ignore[import-not-found]  # noqa: E402
from review_eval import (  # type: ignore[import-not-found]  # noqa: E402
    DATA,
    make_analyzer,
    twcs_labels,
)

WEIGHTS = ROOT / "src" / "empathic_reply" / "data" / "review" / "weights.yaml"
SHAPE_GRID = [
    {"formula_words": fw, "mirror_share": ms}
    for fw in (12.0, 20.0, 30.0, 45.0)
    for ms in (0.25, 0.5)
]
INNER_SEEDS = 3  # brand-fold assignments averaged by the inner CV that picks the shape
SEEDS = range(10)  # random brand-to-fold assignments (and stratified shuffles) for the CV figures
MIN_SUPPORT = 15  # rows with a non-zero signal needed to estimate its weight
L2 = 0.5  # ridge penalty on the weights (not the intercept); small data, keep them modest


def fit_nonneg_logreg(x: Any, y: Any, *, l2: float = L2, upper: float | None = None) -> Any:
    """Balanced-class logistic regression with weights >= 0 (L-BFGS-B). Returns [b, w...]."""
    import numpy as np
    from scipy.optimize import minimize  # type: ignore[import-untyped]

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    pos = y.sum()
    neg = len(y) - pos
    sw = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))

    def loss(theta: Any) -> tuple[float, Any]:
        z = theta[0] + x @ theta[1:]
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        ll = -(sw * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))).sum() / len(y)
        ll += l2 * (theta[1:] ** 2).sum() / len(y)
        g = sw * (p - y) / len(y)
        grad = np.concatenate([[g.sum()], x.T @ g + 2 * l2 * theta[1:] / len(y)])
        return float(ll), grad

    bounds = [(None, None)] + [(0.0, upper)] * x.shape[1]
    theta0 = np.zeros(x.shape[1] + 1)
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", bounds=bounds)
    return res.x


def _oof(x: Any, y: Any, splitter: Any, groups: Any = None) -> Any:
    """Out-of-fold logits of the non-negative logistic regression."""
    import numpy as np

    z = np.zeros(len(y))
    for train, test in splitter.split(x, y, groups):
        theta = fit_nonneg_logreg(x[train], y[train])
        z[test] = theta[0] + x[test] @ theta[1:]
    return z


def _inner_auc(x: Any, y: Any, idx: Any, groups: Sequence[str] | None) -> float:
    """Inner-CV AUC on the rows ``idx`` (4 folds, by brand when ``groups`` is given)."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    if groups is not None:
        # Mean over a few random brand-fold assignments: one split is too noisy to choose by.
        sub_groups = [groups[i] for i in idx]
        values = [
            roc_auc(
                y[idx].tolist(),
                _oof(x[idx], y[idx], _Fixed(brand_folds(sub_groups, 100 + s, k=4))).tolist(),
            )
            for s in range(INNER_SEEDS)
        ]
        return float(sum(values) / len(values))
    splitter = StratifiedKFold(4, shuffle=True, random_state=1)
    z = _oof(x[idx], y[idx], splitter)
    return float(roc_auc(y[idx].tolist(), z.tolist()))


def _nested(xs: list[Any], y: Any, splitter: Any, groups: Sequence[str] | None = None) -> Any:
    """Out-of-fold logits where each outer fold picks its shape by inner CV on its training rows."""
    import numpy as np

    z = np.zeros(len(y))
    for train, test in splitter.split(xs[0], y, groups):
        best = max(range(len(xs)), key=lambda g: _inner_auc(xs[g], y, train, groups))
        theta = fit_nonneg_logreg(xs[best][train], y[train])
        z[test] = theta[0] + xs[best][test] @ theta[1:]
    return z


def _signal_matrices(
    reviewer: Any, signals: tuple[str, ...], replies: list[str], analyses: list[Any]
) -> list[Any]:
    """One signal matrix (rows x signals) per point of ``SHAPE_GRID``."""
    import numpy as np

    from empathic_reply._cannedness import SignalShape

    xs = []
    for grid in SHAPE_GRID:
        shape = SignalShape.model_validate(grid)
        rows = [
            reviewer.signals(r, message=a, shape=shape)
            for r, a in zip(replies, analyses, strict=True)
        ]
        xs.append(np.array([[row[s] for s in signals] for row in rows]))
    return xs


def brand_folds(brands: Sequence[str], seed: int, k: int = 5) -> list[tuple[Any, Any]]:
    """``k`` folds with whole brands held out; brands assigned at random (seeded).

    Brands go, largest first (sizes jittered by +-30% so the order varies with the seed), to the
    fold with the fewest rows so far: balanced like ``GroupKFold`` but one of many assignments,
    so the figure can be averaged over seeds instead of resting on one split.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    sizes: dict[str, int] = {}
    for b in brands:
        sizes[b] = sizes.get(b, 0) + 1
    names = sorted(sizes)
    rng.shuffle(names)
    order = sorted(names, key=lambda b: -sizes[b] * rng.uniform(0.7, 1.3))
    load = [0] * k
    fold_of: dict[str, int] = {}
    for b in order:
        f = int(np.argmin(load))
        fold_of[b] = f
        load[f] += sizes[b]
    g = np.array([fold_of[b] for b in brands])
    return [(np.where(g != f)[0], np.where(g == f)[0]) for f in range(k)]


class _Fixed:
    """A splitter over precomputed folds (the sklearn ``split`` signature)."""

    def __init__(self, folds: list[tuple[Any, Any]]) -> None:
        self.folds = folds

    def split(self, *_args: Any) -> list[tuple[Any, Any]]:
        return self.folds


def calibrate_cannedness(reviewer: Any, signals: tuple[str, ...]) -> dict[str, Any]:
    """Fit the canned-ness weights on TWCS; print univariate, CV and training AUCs."""
    import numpy as np
    import pandas as pd
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    df = pd.read_csv(DATA / "twcs_pairs.csv")
    brands = df["brand"].astype(str).tolist()
    replies = df["reply_text"].astype(str).tolist()
    y_list, repeats = twcs_labels(brands, replies)
    y = np.array(y_list)
    analyses = [reviewer._analysis(m) for m in df["inbound_text"].astype(str)]
    xs = _signal_matrices(reviewer, signals, replies, analyses)
    print(f"TWCS: {len(y)} replies, {int(y.sum())} templated")

    z_brand = _nested(xs, y, GroupKFold(n_splits=5), brands)
    z_strat = _nested(xs, y, StratifiedKFold(n_splits=5, shuffle=True, random_state=0))
    # Mean and spread over seeds: with 46 positives one split moves the AUC by +-0.02.
    by_seed = [
        roc_auc(y_list, _nested(xs, y, _Fixed(brand_folds(brands, s)), brands).tolist())
        for s in SEEDS
    ]
    strat_seed = [
        roc_auc(
            y_list,
            _nested(xs, y, StratifiedKFold(n_splits=5, shuffle=True, random_state=s)).tolist(),
        )
        for s in SEEDS
    ]
    # The shipped shape: best brand-grouped CV AUC on all rows, averaged over the random
    # brand-fold assignments (ties: the earlier grid point).
    splits = [_Fixed(brand_folds(brands, s)) for s in SEEDS]
    per_grid = [
        float(np.mean([roc_auc(y_list, _oof(x, y, sp).tolist()) for sp in splits])) for x in xs
    ]
    for grid, value in zip(SHAPE_GRID, per_grid, strict=True):
        print(f"  shape {grid}: brand-grouped CV AUC {value:.3f} (mean of {len(SEEDS)})")
    chosen = int(np.argmax(per_grid))
    x = xs[chosen]
    print(f"  chosen shape: {SHAPE_GRID[chosen]}")
    for k, s in enumerate(signals):
        uni = roc_auc(y_list, x[:, k].tolist())
        print(f"  univariate AUC {s:18s}: {uni:.3f}  mean={x[:, k].mean():.2f}")
    theta = fit_nonneg_logreg(x, y)
    # Signals too rare in this data to estimate (e.g. defensive wording, unfilled slots) get
    # a documented prior: the median of the weights the data could estimate. Listed in
    # weights.yaml under calibration.priors so nobody mistakes them for fitted values.
    support = (x > 0).sum(axis=0)
    fitted = [
        float(w) for w, n in zip(theta[1:], support, strict=True) if n >= MIN_SUPPORT and w > 0
    ]
    prior = float(np.median(fitted)) if fitted else 1.0
    priors = {}
    for k, s in enumerate(signals):
        if support[k] < MIN_SUPPORT:
            theta[k + 1] = prior
            priors[s] = f"prior (only {int(support[k])} rows with this signal)"
    z_all = theta[0] + x @ theta[1:]
    figures = {
        "auc_cv_by_brand_mean": round(float(np.mean(by_seed)), 3),
        "auc_cv_by_brand_sd": round(float(np.std(by_seed)), 3),
        "auc_cv_by_brand_min": round(float(np.min(by_seed)), 3),
        "auc_cv_by_brand_groupkfold": round(roc_auc(y_list, z_brand.tolist()), 3),
        "auc_cv_stratified_mean": round(float(np.mean(strat_seed)), 3),
        "auc_cv_stratified_sd": round(float(np.std(strat_seed)), 3),
        "auc_cv_stratified_seed0": round(roc_auc(y_list, z_strat.tolist()), 3),
        "auc_train": round(roc_auc(y_list, z_all.tolist()), 3),
        "seeds": len(SEEDS),
    }
    print(
        f"  held-out AUC, 5-fold by brand (nested), {len(SEEDS)} random brand-fold assignments: "
        f"{figures['auc_cv_by_brand_mean']:.3f} +- {figures['auc_cv_by_brand_sd']:.3f} "
        f"(min {figures['auc_cv_by_brand_min']:.3f}; GroupKFold split "
        f"{figures['auc_cv_by_brand_groupkfold']:.3f})"
    )
    print(
        f"  held-out AUC, 5-fold stratified (nested), {len(SEEDS)} seeds: "
        f"{figures['auc_cv_stratified_mean']:.3f} +- {figures['auc_cv_stratified_sd']:.3f}"
    )
    print(f"  training AUC (shipped weights)                : {figures['auc_train']:.3f}")

    # History layer on the out-of-fold single logit, repetition log-scaled and saturating.
    saturation = 20
    rep = np.array([min(1.0, math.log1p(k) / math.log1p(saturation)) for k in repeats])
    hx = np.column_stack([z_strat, rep])
    htheta = fit_nonneg_logreg(hx, y, l2=2.0, upper=8.0)
    hz = htheta[0] + hx @ htheta[1:]
    figures["auc_history_exact_repeats"] = round(roc_auc(y_list, hz.tolist()), 3)
    print(
        f"  history-aware AUC (exact repeats; label-defining, so near 1 by construction): "
        f"{figures['auc_history_exact_repeats']:.3f}"
    )
    return {
        "intercept": round(float(theta[0]), 4),
        "weights": {s: round(float(w), 4) for s, w in zip(signals, theta[1:], strict=True)},
        "shape": SHAPE_GRID[chosen],
        "history": {
            "intercept": round(float(htheta[0]), 4),
            "base": round(float(htheta[1]), 4),
            "repetition": round(float(htheta[2]), 4),
            "saturation": saturation,
        },
        "figures": figures,
        "priors": priors,
        "rows": len(y),
        "positives": int(y.sum()),
    }


def calibrate_empathy(reviewer: Any) -> dict[str, Any]:
    """Choose per-mechanism promotion counts on EPITOME; print 5-fold held-out macro-F1."""
    import numpy as np
    import pandas as pd
    from sklearn.model_selection import KFold

    from empathic_reply._empathy import MECHANISMS, score_empathy

    df = pd.read_csv(DATA / "epitome.csv")
    scans = [reviewer._scan(str(t))[2] for t in df["response_post"]]
    # Per mechanism: (promote_at, question_min_words); the word threshold only matters for
    # explorations. Chosen on training folds, scored on the held-out fold.
    grid = {
        mech: [(k, w) for k in (0, 2, 3) for w in ((3, 4, 5) if mech == "explorations" else (4,))]
        for mech in MECHANISMS
    }
    chosen: dict[str, int] = {}
    min_words = 4
    figures: dict[str, float] = {}
    for mech in MECHANISMS:
        gold = df[mech].astype(int).to_numpy()
        preds = {
            (k, w): np.array(
                [
                    int(getattr(score_empathy(s, {mech: k}, question_min_words=w), mech))
                    for s in scans
                ]
            )
            for k, w in grid[mech]
        }
        held = np.zeros(len(gold), dtype=int)
        for train, test in KFold(n_splits=5, shuffle=True, random_state=0).split(gold):
            best = max(
                grid[mech],
                key=lambda o: macro_f1(gold[train].tolist(), preds[o][train].tolist(), (0, 1, 2)),
            )
            held[test] = preds[best][test]
        best_all = max(
            grid[mech], key=lambda o: macro_f1(gold.tolist(), preds[o].tolist(), (0, 1, 2))
        )
        chosen[mech] = best_all[0]
        if mech == "explorations":
            min_words = best_all[1]
        figures[mech] = round(macro_f1(gold.tolist(), held.tolist(), (0, 1, 2)), 3)
        print(
            f"EPITOME {mech:20s}: held-out macro-F1 {figures[mech]:.3f} "
            f"(promote_at={best_all[0]}, question_min_words={best_all[1]})"
        )
    return {"promote_at": chosen, "question_min_words": min_words, "figures": figures}


def _write(result: dict[str, Any], empathy: dict[str, Any]) -> None:
    import yaml

    text = WEIGHTS.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    doc["intercept"] = result["intercept"]
    doc["weights"] = result["weights"]
    doc["shape"] = result["shape"]
    doc["history"] = result["history"]
    doc.setdefault("empathy", {})["promote_at"] = empathy["promote_at"]
    doc["empathy"]["question_min_words"] = empathy["question_min_words"]
    doc["calibration"] = {
        "data": "TWCS development half (twcs_pairs.csv); EPITOME development half",
        "label": "same brand sent a near-copy (3-shingle Jaccard >= 0.5 after masking)",
        "rows": result["rows"],
        "positives": result["positives"],
        "cannedness_cv": f"5-fold, by brand and stratified, mean/sd over {len(SEEDS)} random fold "
        "assignments; nested (shape chosen inside each training fold by inner CV; by brand: "
        f"mean over {INNER_SEEDS} brand-fold assignments)",
        "cannedness_auc": result["figures"],
        "weights_not_fitted": result["priors"],
        "empathy_macro_f1_cv": empathy["figures"],
    }
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    WEIGHTS.write_text(header + body, encoding="utf-8")
    print(f"wrote {WEIGHTS.relative_to(ROOT)}")


def main() -> int:
    """Run both calibrations and write weights.yaml (unless --dry-run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print figures, write nothing")
    args = parser.parse_args()
    if not (DATA / "twcs_pairs.csv").exists():
        print(f"skipped: {DATA} not found")
        return 0
    from empathic_reply._cannedness import SIGNALS
    from empathic_reply.review import Reviewer

    analyzer, which = make_analyzer()
    print(f"analyzer: {which}")
    reviewer = Reviewer(analyzer=analyzer, personal_data=lambda _text: [])
    result = calibrate_cannedness(reviewer, SIGNALS)
    for name, weight in result["weights"].items():
        print(f"  weight {name:18s} {weight:7.3f}")
    print(f"  intercept {result['intercept']:.3f}; history {result['history']}")
    empathy = calibrate_empathy(reviewer)
    if not args.dry_run:
        _write(result, empathy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
