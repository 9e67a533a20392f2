"""Accuracy of the analysis on the development data in ``../shared/data`` (skips when absent).

Prints, for the targets of issue 3:

* TweetEval sentiment macro-recall (via ``benchmarks/sentiment_eval.py`` when present);
* complaint detection on ``complaints.csv`` with ``complaint`` intent score >= 0.5: F1,
  precision, recall and ROC-AUC, next to raw VADER negativity (ROC-AUC and best F1);
* GoEmotions Ekman single-label macro-F1 from the top emotion's family (neutral = no
  emotion; via ``benchmarks/emotion_eval.py`` on its held-out rows when present);
* intents and topics against the human labels of ``twcs_labelled`` (AmazonHelp, SpotifyCares);
* the cost of one ``Analyzer.analyze`` call next to VADER + ``spacy.blank`` tokenisation.

Every file there is for evaluation only: nothing here trains on it. Run::

    /work/venv/bin/python benchmarks/accuracy.py [DATA_DIR]
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics import roc_auc  # noqa: E402 - benchmarks/ is on sys.path when run as a script

# twcs_labelled column -> ("intent" | "topic" | "complaint+topic", our label)
TWCS_MAPPING: dict[str, dict[str, tuple[str, str]]] = {
    "AmazonHelp": {
        "Delivery": ("topic", "delivery"),
        "Bad Support": ("complaint+topic", "service"),
        "Service Praise": ("intent", "praise"),
        "Order Cancellation": ("intent", "cancellation"),
        "Refund": ("topic", "refund"),
        "Return": ("topic", "refund"),
        "Account": ("topic", "account"),
        "Prime": ("topic", "subscription"),
    },
    "SpotifyCares": {
        "Account": ("topic", "account"),
        "Billing/Payment": ("topic", "billing"),
        "Premium": ("topic", "subscription"),
        "Student Subscription": ("topic", "subscription"),
        "Family Subscription": ("topic", "subscription"),
        "App": ("topic", "technical"),
    },
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def prf(gold: Sequence[bool], pred: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_f1(scores: Sequence[float], gold: Sequence[bool]) -> float:
    return max(prf(gold, [s >= t for s in scores])[2] for t in sorted(set(scores)))


def section(title: str) -> None:
    print(f"\n== {title}")


def tweeteval(data_dir: Path) -> None:
    section("TweetEval sentiment (tweeteval_sentiment.csv)")
    try:
        import sentiment_eval
    except ImportError:
        sentiment_eval = None
    if sentiment_eval is not None:
        result = sentiment_eval.evaluate(data_dir)
        if not result:
            print("skipped: no tweeteval_sentiment.csv")
            return
        print(
            f"macro-recall {result['macro_recall']:.3f}  macro-F1 {result['macro_f1']:.3f}  "
            f"(raw VADER {result['vader_macro_recall']:.3f} / {result['vader_macro_f1']:.3f}; "
            f"target >= 0.65)"
        )
        return
    path = data_dir / "tweeteval_sentiment.csv"
    if not path.exists():
        print("skipped: no tweeteval_sentiment.csv")
        return
    from empathic_reply.analysis import Analyzer

    rows = read_csv(path)
    analyses = Analyzer().analyze_many([r["text"] for r in rows])
    recalls = []
    for label in ("negative", "neutral", "positive"):
        gold = [r["label"] == label for r in rows]
        pred = [a.sentiment.label == label for a in analyses]
        recalls.append(prf(gold, pred)[1])
    print(f"macro-recall {sum(recalls) / 3:.3f} (target >= 0.65)")


def complaints(data_dir: Path) -> None:
    section("Complaints (complaints.csv), complaint intent score >= 0.5")
    path = data_dir / "complaints.csv"
    if not path.exists():
        print("skipped: no complaints.csv")
        return
    from empathic_reply.analysis import Analyzer
    from empathic_reply.analysis._sentiment import vader_compound

    rows = read_csv(path)
    gold = [r["complaint"] == "1" for r in rows]
    analyses = Analyzer().analyze_many([r["text"] for r in rows])
    scores = [a.intent_score("complaint") for a in analyses]
    precision, recall, f1 = prf(gold, [s >= 0.5 for s in scores])
    print(
        f"ours: F1 {f1:.3f}  precision {precision:.3f}  recall {recall:.3f}  "
        f"ROC-AUC {roc_auc(gold, scores):.3f}  (n={len(rows)}; target F1 >= 0.75)"
    )
    negativity = [max(0.0, -vader_compound(r["text"])) for r in rows]
    print(
        f"raw VADER negativity: ROC-AUC {roc_auc(gold, negativity):.3f}  "
        f"best F1 {best_f1(negativity, gold):.3f}  "
        f"F1 at >0 {prf(gold, [s > 0 for s in negativity])[2]:.3f}"
    )


def goemotions(data_dir: Path) -> None:
    section("GoEmotions Ekman, single-label rows, top emotion's family (neutral = none)")
    try:
        import emotion_eval
    except ImportError:
        emotion_eval = None
    if emotion_eval is not None:
        result = emotion_eval.evaluate(data_dir)
        if not result:
            print("skipped: no goemotions_ekman.csv")
            return
        print(
            f"macro-F1 {result['macro_f1']:.3f} on {int(result['n'])} held-out rows "
            f"(VADER mapping {result['vader_macro_f1']:.3f}; target >= 0.45)"
        )
        return
    print("skipped: benchmarks/emotion_eval.py not found")


def twcs(data_dir: Path) -> None:
    section("TWCS labelled inbound tweets (twcs_labelled/), label -> our intent/topic")
    folder = data_dir / "twcs_labelled"
    if not folder.exists():
        print("skipped: no twcs_labelled/")
        return
    from empathic_reply.analysis import Analyzer

    analyzer = Analyzer()
    for brand, mapping in TWCS_MAPPING.items():
        path = folder / f"twcs-{brand}-200-inbound.csv"
        if not path.exists():
            continue
        rows = read_csv(path)
        analyses = analyzer.analyze_many([r["text"] for r in rows])
        print(f"{brand} (n={len(rows)}):")
        grouped: dict[tuple[str, str], list[str]] = {}
        for column, target in mapping.items():
            grouped.setdefault(target, []).append(column)
        for (kind, label), columns in grouped.items():
            gold = [any(r.get(c, "").strip() in ("1", "1.0") for c in columns) for r in rows]
            if kind == "intent":
                pred = [a.has_intent(label) for a in analyses]
            elif kind == "complaint+topic":
                pred = [
                    a.has_intent("complaint")
                    and any(t.label == label and t.score >= 0.5 for t in a.topics)
                    for a in analyses
                ]
            else:
                pred = [
                    any(t.label == label and t.score >= 0.5 for t in a.topics) for a in analyses
                ]
            precision, recall, f1 = prf(gold, pred)
            print(
                f"  {' + '.join(columns):45s} -> {kind} {label:13s} "
                f"P {precision:.2f} R {recall:.2f} F1 {f1:.2f} (positives {sum(gold)})"
            )


def per_message(run: Callable[[str], object], texts: Sequence[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            run(text)
        best = min(best, time.perf_counter() - started)
    return best / len(texts) * 1e6


def speed(data_dir: Path) -> None:
    section("Cost per message (best of 3, microseconds)")
    path = data_dir / "twcs_pairs.csv"
    if not path.exists():
        print("skipped: no twcs_pairs.csv")
        return
    import spacy
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from empathic_reply.analysis import Analyzer

    texts = [r["inbound_text"] for r in read_csv(path)][:500]
    vader = SentimentIntensityAnalyzer()
    blank = spacy.blank("en")
    analyzer = Analyzer()
    floor = per_message(lambda t: (vader.polarity_scores(t), blank(t)), texts)
    ours = per_message(analyzer.analyze, texts)
    started = time.perf_counter()
    analyzer.analyze_many(texts)
    many = (time.perf_counter() - started) / len(texts) * 1e6
    print(
        f"analyze {ours:.0f} us  analyze_many {many:.0f} us  "
        f"floor (VADER + spacy.blank) {floor:.0f} us  ratio {ours / floor:.2f}x (target 1.3x)"
    )


def main() -> int:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    if not data_dir.exists():
        print(f"skipped: no data folder at {data_dir}")
        return 0
    tweeteval(data_dir)
    complaints(data_dir)
    goemotions(data_dir)
    twcs(data_dir)
    speed(data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
