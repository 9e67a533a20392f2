"""Train the shipped bag-of-words emotion-family model from GoEmotions (Apache-2.0).

Reproduces ``src/empathic_reply/data/models/emotions_bow.npz`` from the development data in
``../shared/data/goemotions_ekman.csv`` (GoEmotions train+dev with Ekman labels)::

    /work/venv/bin/python scripts/train_emotions.py [--data-dir ../shared/data] [--out PATH]

Needs scikit-learn at training time only (``pip install scikit-learn``); the library reads the
weights with numpy. The model is a multinomial logistic regression over seven classes (Ekman's
six families + neutral) on TF-IDF weighted unigrams and bigrams of spaCy ``blank("en")``
lower-cased tokens, exactly the features :mod:`empathic_reply.analysis._emotions` computes at
run time. Rows whose id hashes (CRC-32) into the held-out bucket (15 %) are never trained on;
the script prints the held-out macro-F1 over single-label rows, which is the figure to report.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "empathic_reply" / "data" / "models" / "emotions_bow.npz"
CLASSES = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
SEED = 13
HELD_OUT_PERCENT = 15
MIN_DF = 3
C = 2.0


def held_out(row_id: str) -> bool:
    """Whether a GoEmotions row id belongs to the held-out split (stable across runs)."""
    return zlib.crc32(row_id.encode("utf-8")) % 100 < HELD_OUT_PERCENT


def say(line: str) -> None:
    """Report progress on standard output (scripts talk; the library never prints)."""
    sys.stdout.write(line + "\n")


def main() -> int:
    """Train, measure on the held-out split and write the model; 1 when the data is absent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    source = args.data_dir / "goemotions_ekman.csv"
    if not source.exists():
        sys.stderr.write(f"no data at {source}; nothing to do\n")
        return 1

    import spacy
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    from empathic_reply.analysis._emotions import features

    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    nlp = spacy.blank("en")
    started = time.perf_counter()
    feats = [features(doc) for doc in nlp.pipe((r["text"] for r in rows), batch_size=1000)]
    labels = [r["labels"].split(";") for r in rows]
    test = [held_out(r["id"]) for r in rows]
    say(f"featurised {len(rows)} rows in {time.perf_counter() - started:.1f}s")

    train_idx = [i for i, t in enumerate(test) if not t]
    vectorizer = TfidfVectorizer(analyzer=lambda f: f, min_df=MIN_DF, sublinear_tf=True)
    x_train = vectorizer.fit_transform([feats[i] for i in train_idx])
    # A multi-label row is one training example per label (same text, each family).
    rep_rows = [j for j, i in enumerate(train_idx) for _ in labels[i]]
    rep_y = [CLASSES.index(lab) for i in train_idx for lab in labels[i]]
    model = LogisticRegression(C=C, max_iter=1000, class_weight="balanced", random_state=SEED)
    model.fit(x_train[rep_rows], rep_y)

    test_idx = [i for i, t in enumerate(test) if t and len(labels[i]) == 1]
    x_test = vectorizer.transform([feats[i] for i in test_idx])
    gold = [CLASSES.index(labels[i][0]) for i in test_idx]
    pred = model.predict(x_test)
    macro = f1_score(gold, pred, average="macro")
    say(f"held-out single-label rows: {len(test_idx)}; macro-F1 (7 classes): {macro:.3f}")

    vocab = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    coef = np.asarray(model.coef_, dtype=np.float32)  # (classes, features)
    order = [list(model.classes_).index(k) for k in range(len(CLASSES))]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        classes=np.frombuffer("\n".join(CLASSES).encode("utf-8"), dtype=np.uint8),
        vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        idf=np.asarray(vectorizer.idf_, dtype=np.float32),
        weights=np.ascontiguousarray(coef[order].T),  # (features, classes)
        bias=np.asarray(model.intercept_, dtype=np.float32)[order],
    )
    size = args.out.stat().st_size
    say(f"wrote {args.out} ({size / 1e6:.2f} MB, {len(vocab)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
