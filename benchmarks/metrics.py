"""Evaluation metrics shared by the benchmark and calibration scripts (no scikit-learn needed)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def roc_auc(labels: Sequence[bool | int], scores: Sequence[float]) -> float:
    """ROC-AUC by the rank-sum (Mann-Whitney) formula; ties get half credit.

    Args:
        labels: 1/True for positives, 0/False for negatives.
        scores: Higher means more likely positive.

    Returns:
        The probability that a random positive outscores a random negative, in [0, 1];
        NaN when either class is absent.
    """
    pairs = sorted(zip(scores, labels, strict=True))
    positives = sum(1 for label in labels if label)
    negatives = len(pairs) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2  # 1-based ranks i+1..j share their mean
        rank_sum += average_rank * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def macro_f1(
    gold: Sequence[Hashable], pred: Sequence[Hashable], classes: Sequence[Hashable]
) -> float:
    """Unweighted mean of the per-class F1 over ``classes`` (a class never predicted nor
    present counts 0)."""
    scores = []
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def macro_recall(
    gold: Sequence[Hashable], pred: Sequence[Hashable], classes: Sequence[Hashable]
) -> float:
    """Unweighted mean of the per-class recall over ``classes`` (TweetEval's official metric)."""
    recalls = []
    for c in classes:
        n_gold = sum(1 for g in gold if g == c)
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        recalls.append(tp / n_gold if n_gold else 0.0)
    return sum(recalls) / len(recalls)
