"""False positives of personal-data detection on real tweets, and its cost per message.

Runs :func:`empathic_reply.details.find_personal_data` over the customer and brand texts of
``../shared/data`` (twcs_pairs.csv, complaints.csv, tweeteval_sentiment.csv, whichever are
present; skips cleanly otherwise) and prints hits per kind plus a sample per kind so a person
can judge precision. Also times ``find_personal_data`` and ``DetailExtractor.extract``.

Usage::

    python benchmarks/personal_data_fp.py [--sample 15] [--seed 0] [--all-details]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from empathic_reply.details import DetailExtractor, find_personal_data

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SOURCES = {
    "twcs_pairs.csv": ("inbound_text", "reply_text"),
    "complaints.csv": ("text",),
    "tweeteval_sentiment.csv": ("text",),
}


def load_texts() -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for name, columns in SOURCES.items():
        path = DATA / name
        if not path.exists():
            print(f"skip {name}: not found under {DATA}")
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for column in columns:
            texts[f"{name}:{column}"] = [row[column] for row in rows if row.get(column)]
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=15, help="hits shown per kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--all-details", action="store_true", help="also count all kinds")
    args = parser.parse_args()

    texts = load_texts()
    if not texts:
        print("no data: nothing to measure")
        return 0
    rng = random.Random(args.seed)
    extractor = DetailExtractor()
    every: list[str] = []
    for source, items in texts.items():
        every.extend(items)
        per_kind: Counter[str] = Counter()
        with_any = 0
        for text in items:
            found = find_personal_data(text)
            with_any += bool(found)
            per_kind.update(d.kind for d in found)
        print(f"\n== {source}: {len(items)} texts, {with_any} with personal data")
        for kind, count in per_kind.most_common():
            print(f"   {kind:16} {count}")

    hits: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for text in every:
        for detail in find_personal_data(text):
            hits[detail.kind].append((detail.text, text))
    print("\n== samples (detected text  <<  context)")
    for kind, items in sorted(hits.items()):
        shown = items if kind != "handle" else [i for i in items if not i[0][1:].isdigit()]
        print(f"\n-- {kind}: {len(items)} hits")
        for found, text in rng.sample(shown, min(args.sample, len(shown))):
            print(f"   {found!r:32} << {' '.join(text.split())[:140]}")

    if args.all_details:
        counts: Counter[str] = Counter()
        for text in every:
            counts.update(d.kind for d in extractor.extract(text))
        print("\n== all detail kinds (extract):", dict(counts.most_common()))

    # CPU time (not wall time: the machine may be shared), best of 3, per source: TWCS
    # anonymises handles as digits (@115719), which opens numeric gates more than real text.
    words = re.compile(r"\w+")
    print("\n== cost per message, µs (CPU time, best of 3; reference = one re.findall(r'\\w+'))")
    for source, items in texts.items():
        sample = items[:1000]
        row = []
        for function in (words.findall, find_personal_data, extractor.extract):
            best = float("inf")
            for _ in range(3):
                start = time.process_time()
                for text in sample:
                    function(text)
                best = min(best, time.process_time() - start)
            row.append(best / len(sample) * 1e6)
        print(
            f"   {source:34} reference {row[0]:5.1f}   find_personal_data {row[1]:6.1f}"
            f"   extract {row[2]:6.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
