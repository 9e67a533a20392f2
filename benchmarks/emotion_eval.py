"""GoEmotions (Ekman grouping): empathic_reply's EmotionDetector vs a VADER polarity mapping.

Reads ``../shared/data/goemotions_ekman.csv`` and scores single-label rows of the split that
``scripts/train_emotions.py`` holds out (rows whose id hashes into the held-out 15 %), so the
shipped model never saw them. The prediction is the Ekman family of the top emotion, or
``neutral`` for an empty list; the figure is macro-F1 over the six families + neutral::

    /work/venv/bin/python benchmarks/emotion_eval.py [DATA_DIR]

The baseline maps VADER's compound to anger (<= -0.05), joy (>= 0.05) or neutral. Skips
cleanly when the data folder is absent.
"""

from __future__ import annotations

import csv
import sys
import time
import zlib
from pathlib import Path

from metrics import macro_f1

CLASSES = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
HELD_OUT_PERCENT = 15  # must match scripts/train_emotions.py


def held_out(row_id: str) -> bool:
    """Whether a row belongs to the split the training script never trains on."""
    return zlib.crc32(row_id.encode("utf-8")) % 100 < HELD_OUT_PERCENT


def evaluate(data_dir: Path = DEFAULT_DATA) -> dict[str, float]:
    """Measure the detector on held-out single-label GoEmotions rows; {} when data is absent.

    Returns:
        ``macro_f1`` (sentiment + rules + model, the library's output), ``model_macro_f1``
        (the bag-of-words model's argmax alone), ``vader_macro_f1`` (baseline), all in [0, 1]
        with higher better; ``n`` rows and ``us_per_message`` (sentiment + emotions, excluding
        tokenisation, in microseconds).
    """
    path = Path(data_dir) / "goemotions_ekman.csv"
    if not path.exists():
        return {}
    import spacy

    from empathic_reply.analysis._emotions import EmotionDetector, family_probs
    from empathic_reply.analysis._sentiment import SentimentScorer, vader_compound

    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if held_out(r["id"]) and ";" not in r["labels"]]
    gold = [r["labels"] for r in rows]
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    docs = list(nlp.pipe((r["text"] for r in rows), batch_size=256))
    scorer = SentimentScorer()
    detector = EmotionDetector()

    started = time.perf_counter()
    ours = []
    for doc in docs:
        emotions = detector.detect_doc(doc, scorer.score_doc(doc))
        ours.append(emotions[0].family if emotions else "neutral")
    seconds = time.perf_counter() - started
    model = [CLASSES[max(range(7), key=family_probs(doc).probs.__getitem__)] for doc in docs]
    vader = []
    for doc in docs:
        compound = vader_compound(doc.text)
        vader.append("anger" if compound <= -0.05 else "joy" if compound >= 0.05 else "neutral")
    return {
        "n": float(len(rows)),
        "macro_f1": macro_f1(gold, ours, CLASSES),
        "model_macro_f1": macro_f1(gold, model, CLASSES),
        "vader_macro_f1": macro_f1(gold, vader, CLASSES),
        "us_per_message": seconds / len(rows) * 1e6,
    }


def main() -> int:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    result = evaluate(data_dir)
    if not result:
        print(f"skipped: no goemotions_ekman.csv in {data_dir}")
        return 0
    print(f"GoEmotions Ekman, held-out single-label rows: n={int(result['n'])}")
    print("macro-F1 (6 families + neutral), top emotion's family:")
    print(f"  VADER polarity -> anger/joy/neutral  {result['vader_macro_f1']:.3f}")
    print(f"  bag-of-words model alone (argmax)   {result['model_macro_f1']:.3f}")
    print(f"  EmotionDetector (rules + model)      {result['macro_f1']:.3f}")
    print(f"cost: sentiment + emotions {result['us_per_message']:.0f} µs/message")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
