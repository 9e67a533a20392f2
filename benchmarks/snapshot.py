"""Snapshots of what the library outputs, to prove that a speed-up changed nothing.

Speed work must not change any result. Take a snapshot before the change and one after, then
compare them:

    python benchmarks/snapshot.py analyze before.jsonl        # analyses of ~2,700 texts
    python benchmarks/snapshot.py draft before.jsonl drafts-before.jsonl
    ...change the code...
    python benchmarks/snapshot.py analyze after.jsonl
    python benchmarks/snapshot.py diff before.jsonl after.jsonl

``draft`` drafts from the *stored* analyses (so a change to analysis does not show up as a
change to drafting), alternating channels, names, threads and customers, and reviews each
draft plus a stock reply. The texts are the benchmark messages, some hostile inputs, and,
when ``../shared/data`` exists, the first rows of the development datasets (read, never
copied). ``diff`` prints how many records differ and in which top-level fields.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"

# (file, text column, rows used) from the development data, when present.
_SOURCES = (
    ("complaints.csv", "text", 800),
    ("tweeteval_sentiment.csv", "text", 800),
    ("bitext/bitext_customer_support.csv", "instruction", 600),
    ("twcs_pairs.csv", "inbound_text", 500),
)
_HOSTILE = (
    "",
    "   ",
    "x" * 6000,
    "ÄÖÜ ıſ µ ς test",
    "🙄🙄",
    "My parcel hasn’t arrived",
    "Order #1234-5678 card 4111 1111 1111 1111 me@x.com +44 7700 900123",
)
_STOCK_REPLY = "Hi there, we apologize for any inconvenience. Please DM us your order number."


def texts() -> list[str]:
    """The snapshot's texts, always in the same order."""
    from benchmarks.messages import MESSAGES

    found = list(MESSAGES)
    for name, column, count in _SOURCES:
        path = DATA / name
        if path.exists():
            with path.open(newline="", encoding="utf-8") as handle:
                found += [row[column] for row in islice(csv.DictReader(handle), count)]
    return found + list(_HOSTILE)


def snapshot_analyses(out: Path) -> int:
    """Write one analysis per text (JSON Lines)."""
    from empathic_reply.engine import Engine

    engine = Engine()
    with out.open("w", encoding="utf-8") as handle:
        for text in texts():
            handle.write(engine.analyze(text).model_dump_json() + "\n")
    return 0


def snapshot_drafts(analyses: Path, out: Path) -> int:
    """Write a draft and two reviews per stored analysis (JSON Lines)."""
    from empathic_reply.engine import Engine
    from empathic_reply.models import Analysis, Channel

    engine = Engine()
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with analyses.open(encoding="utf-8") as source, out.open("w", encoding="utf-8") as handle:
        for i, line in enumerate(source):
            analysis = Analysis.model_validate_json(line)
            channel: Channel = "public" if i % 3 else "private"
            draft = engine.drafter.draft_from_analysis(
                analysis,
                channel=channel,
                customer_name="Sam" if i % 2 else None,
                now=now,
                thread_id=f"t{i % 7}",
                customer_id=f"c{i % 11}",
            )
            record = {
                "draft": json.loads(draft.model_dump_json(exclude={"analysis"})),
                "review": json.loads(
                    engine.review(draft.text, message=analysis, channel=channel).model_dump_json()
                ),
                "stock": json.loads(
                    engine.review(_STOCK_REPLY, message=analysis, channel=channel).model_dump_json()
                ),
            }
            handle.write(json.dumps(record) + "\n")
    return 0


def diff(before: Path, after: Path) -> int:
    """Print how many records differ; exit status 1 when any does."""
    old = before.read_text(encoding="utf-8").splitlines()
    new = after.read_text(encoding="utf-8").splitlines()
    if len(old) != len(new):
        print(f"different lengths: {len(old)} and {len(new)} records")
        return 1
    fields: Counter[str] = Counter()
    differing = 0
    for number, (a, b) in enumerate(zip(old, new, strict=True)):
        if a == b:
            continue
        differing += 1
        first, second = json.loads(a), json.loads(b)
        changed = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
        fields.update(changed)
        if differing <= 3:
            print(f"record {number}: {', '.join(changed)}")
    print(f"{differing} of {len(old)} records differ; by field: {dict(fields)}")
    return 1 if differing else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: analyze OUT | draft ANALYSES OUT | diff BEFORE AFTER."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("analyze").add_argument("out", type=Path)
    drafting = commands.add_parser("draft")
    drafting.add_argument("analyses", type=Path)
    drafting.add_argument("out", type=Path)
    comparing = commands.add_parser("diff")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "analyze":
        return snapshot_analyses(args.out)
    if args.command == "draft":
        return snapshot_drafts(args.analyses, args.out)
    return diff(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
