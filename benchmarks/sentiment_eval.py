"""TweetEval sentiment: raw VADER (±0.05) vs empathic_reply's support-aware SentimentScorer.

Reads ``../shared/data/tweeteval_sentiment.csv`` (evaluation only; never trained on) and prints
macro-averaged recall (the official TweetEval metric) and macro-F1 for both, plus the cost per
message::

    /work/venv/bin/python benchmarks/sentiment_eval.py [DATA_DIR]

Skips cleanly when the data folder is absent.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from metrics import macro_f1, macro_recall

LABELS = ("negative", "neutral", "positive")
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def evaluate(data_dir: Path = DEFAULT_DATA) -> dict[str, float]:
    """Measure raw VADER and our scorer on TweetEval; empty dict when the data is absent.

    Returns:
        ``vader_macro_recall``, ``vader_macro_f1``, ``macro_recall``, ``macro_f1`` (all in
        [0, 1], higher is better), ``n`` and ``us_per_message`` (scorer only, excluding
        tokenisation, in microseconds) and ``vader_us_per_message`` (one VADER call on the text).
    """
    path = Path(data_dir) / "tweeteval_sentiment.csv"
    if not path.exists():
        return {}
    import spacy

    from empathic_reply.analysis._sentiment import SentimentScorer, vader_compound

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [r["text"] for r in rows]
    gold = [r["label"] for r in rows]
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    scorer = SentimentScorer()
    docs = list(nlp.pipe(texts, batch_size=256))

    started = time.perf_counter()
    raw = [vader_compound(t) for t in texts]
    vader_seconds = time.perf_counter() - started
    raw_pred = ["negative" if c <= -0.05 else "positive" if c >= 0.05 else "neutral" for c in raw]

    started = time.perf_counter()
    ours = [scorer.score_doc(doc).label for doc in docs]
    seconds = time.perf_counter() - started

    vader_recall, vader_f1 = macro_recall(gold, raw_pred, LABELS), macro_f1(gold, raw_pred, LABELS)
    recall, f1 = macro_recall(gold, ours, LABELS), macro_f1(gold, ours, LABELS)
    return {
        "n": float(len(rows)),
        "vader_macro_recall": vader_recall,
        "vader_macro_f1": vader_f1,
        "macro_recall": recall,
        "macro_f1": f1,
        "us_per_message": seconds / len(rows) * 1e6,
        "vader_us_per_message": vader_seconds / len(rows) * 1e6,
    }


def main() -> int:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    result = evaluate(data_dir)
    if not result:
        print(f"skipped: no tweeteval_sentiment.csv in {data_dir}")
        return 0
    print(f"TweetEval sentiment dev set, n={int(result['n'])}")
    print(f"{'':24}{'macro-recall':>14}{'macro-F1':>10}")
    vader = f"{result['vader_macro_recall']:>14.3f}{result['vader_macro_f1']:>10.3f}"
    print(f"{'raw VADER (±0.05)':24}{vader}")
    print(f"{'SentimentScorer':24}{result['macro_recall']:>14.3f}{result['macro_f1']:>10.3f}")
    print(
        f"cost: SentimentScorer {result['us_per_message']:.0f} µs/message "
        f"(one VADER call: {result['vader_us_per_message']:.0f} µs)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
