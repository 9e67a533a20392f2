"""Draft public replies to real customer tweets and measure what the issue asks for.

Reads ``../shared/data/twcs_pairs.csv`` (customer tweet -> brand reply pairs, evaluation only)
relative to the repository root and skips cleanly when it is absent. Prints:

- errors (exceptions while drafting);
- drafts containing template syntax, "None", or personal data (``find_personal_data``);
- distinct-draft rate (target >= 90%);
- share of drafts that use a specific detail when the analysis found one (target >= 70%;
  durations that are not a wait, such as "£50 a week", are not counted as specifics);
- drafts our own review rates "high" on canned-ness (target 0);
- time per draft (analysis included) and of the drafting step alone;
- with ``--register``: the register of our drafts against human complaint labels
  (``complaints.csv``): how often a complaint is answered without an apology or with a
  praise/thanks variant ("nice one!" to an angry customer), and how often a tweet that is not a
  complaint gets an apology.

Run: ``/work/venv/bin/python benchmarks/drafting_eval.py [--limit N] [--times] [--register]``
(``--times`` drafts as of the brand's real reply time, so late replies own the delay.)
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "twcs_pairs.csv"
COMPLAINTS = DATA.with_name("complaints.csv")
POSITIVE_PURPOSES = ("praise", "thanks")
SPECIFIC_KINDS = ("duration", "amount", "date", "product")
# Durations that are not the customer's wait (see models.Detail.role): a reply should not
# mirror "£50 a week" or "a 2 hour flight" as if it were their situation.
NOT_MIRRORED = frozenset({"rate", "until", "length", "age", "tenure"})


def _when(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
    except (TypeError, ValueError):
        return None


def _load(limit: int | None) -> list[tuple[str, datetime | None, datetime | None]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Drop the leading @brand mention, as a support tool would before drafting.
    items = [
        (
            re.sub(r"^(?:@\w+\s*)+", "", row["inbound_text"]).strip(),
            _when(row.get("inbound_created_at", "")),
            _when(row.get("reply_created_at", "")),
        )
        for row in rows
    ]
    return items[:limit] if limit else items


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--show", type=int, default=0, help="print N sample drafts")
    parser.add_argument(
        "--times",
        action="store_true",
        help="draft as of the brand's real reply time (received_at/now from the data)",
    )
    parser.add_argument("--high", type=int, default=3, help="print N drafts rated high")
    parser.add_argument("--dups", type=int, default=0, help="print the N most repeated drafts")
    parser.add_argument(
        "--register",
        action="store_true",
        help="also check apologies and praise/thanks replies against complaints.csv labels",
    )
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found")
        return 0

    from empathic_reply.details import find_personal_data
    from empathic_reply.engine import Engine

    items = _load(args.limit)
    messages = [text for text, _, _ in items]
    engine = Engine()
    engine.draft("warm up")  # build lazily loaded parts outside the timing

    start = time.perf_counter()
    analyses = engine.analyze_many(messages)
    analysis_time = time.perf_counter() - start

    drafts = []
    errors: list[tuple[int, str]] = []
    start = time.perf_counter()
    for index, analysis in enumerate(analyses):
        try:
            _, received_at, replied_at = items[index]
            timing = (
                {"received_at": received_at, "now": replied_at}
                if args.times and received_at and replied_at
                else {}
            )
            drafts.append(engine.drafter.draft_from_analysis(analysis, channel="public", **timing))
        except Exception as exc:
            errors.append((index, repr(exc)))
    drafting_time = time.perf_counter() - start

    syntax = [d for d in drafts if re.search(r"\{\{|\}\}|\{%|%\}|\{#", d.text)]
    nones = [d for d in drafts if re.search(r"\bNone\b", d.text)]
    leaks = [d for d in drafts if find_personal_data(d.text)]
    distinct = len({d.text for d in drafts})

    with_detail = 0
    used_detail = 0
    for draft in drafts:
        found = [
            d
            for d in draft.analysis.details
            if d.kind in SPECIFIC_KINDS and not d.personal and d.role not in NOT_MIRRORED
        ]
        if not found:
            continue
        with_detail += 1
        lowered = draft.text.lower()
        if any(d.text.lower() in lowered or (d.value or "\0").lower() in lowered for d in found):
            used_detail += 1

    high = [d for d in drafts if d.review.cannedness.level == "high"]
    levels = Counter(d.review.cannedness.level for d in drafts)
    handoff = Counter(w.code for d in drafts for w in d.warnings)
    n = len(messages)

    print(f"messages: {n} (channel=public) from {DATA.name}")
    print(f"errors: {len(errors)}")
    for index, message in errors[:5]:
        print(f"  #{index}: {message}")
    print(f"template syntax in drafts: {len(syntax)}")
    print(f"'None' in drafts: {len(nones)}")
    print(f"personal data in drafts (find_personal_data): {len(leaks)}")
    for draft in leaks[:3]:
        print(f"  leak: {draft.template_id}: {draft.text!r}")
    print(f"distinct drafts: {distinct}/{len(drafts)} = {distinct / max(1, len(drafts)):.1%}")
    share = used_detail / max(1, with_detail)
    print(
        "drafts using a specific detail when one was found: "
        f"{used_detail}/{with_detail} = {share:.1%}"
    )
    print(f"canned-ness levels of our drafts: {dict(levels)}; high: {len(high)}")
    high_handoff = sum(d.needs_human for d in high)
    print(f"  of which handed off to a person (needs_human): {high_handoff}")
    for draft in high[: args.high]:
        reasons = ", ".join(r.signal for r in draft.review.cannedness.reasons)
        print(f"  high: {draft.template_id} [{reasons}]: {draft.text!r}")
        print(f"     <- {draft.analysis.text!r}")
    print(f"needs_human: {sum(d.needs_human for d in drafts)}; reasons: {dict(handoff)}")
    print(f"variants used: {len({d.template_id for d in drafts})}")
    print(
        f"time per draft: {(analysis_time + drafting_time) / n * 1000:.2f} ms "
        f"(analysis {analysis_time / n * 1000:.2f} ms batched, "
        f"drafting+review {drafting_time / n * 1000:.2f} ms)"
    )
    repeated = Counter(d.text for d in drafts).most_common(args.dups)
    for text, count in repeated:
        if count > 1:
            print(f"  repeated x{count}: {text!r}")
    for draft in drafts[: args.show]:
        print("---")
        print(draft.analysis.text)
        print(f"  [{draft.template_id} fit={draft.fit}] {draft.text}")
    if args.register:
        register(engine, show=args.show)
    return 0


def register(engine: Any, *, show: int = 0) -> None:
    """Print how the register of our public drafts matches human complaint labels.

    A complaint (a breach of expectations, labelled by people) should get an apology and never
    a praise or thanks variant; a tweet that is not a complaint should rarely get an apology.
    The variant's own spec says whether it apologises and what it is for (its first intent).
    """
    if not COMPLAINTS.exists():
        print(f"register: skipped, {COMPLAINTS} not found")
        return
    with COMPLAINTS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [re.sub(r"^(?:@\w+\s*)+", "", row["text"]).strip() for row in rows]
    gold = [row["complaint"] == "1" for row in rows]
    pack = engine.drafter.templates
    counts: Counter[tuple[bool, str]] = Counter()
    wrong: list[tuple[str, str]] = []
    for text, complaint, analysis in zip(texts, gold, engine.analyze_many(texts), strict=True):
        draft = engine.drafter.draft_from_analysis(analysis, channel="public")
        if draft.template_id.startswith("builtin."):
            counts[complaint, "held"] += 1  # not read (not English, empty): a person answers
            continue
        spec = pack[draft.template_id].spec
        counts[complaint, "drafted"] += 1
        counts[complaint, "apology"] += spec.apology
        positive = spec.intents[0] in POSITIVE_PURPOSES
        counts[complaint, "positive"] += positive
        if complaint and positive:
            wrong.append((text, draft.text))
    for complaint, name in ((True, "complaints"), (False, "not complaints")):
        drafted = max(1, counts[complaint, "drafted"])
        print(
            f"register, {name} ({counts[complaint, 'drafted']} drafted, "
            f"{counts[complaint, 'held']} held for a person): "
            f"apology {counts[complaint, 'apology'] / drafted:.1%}, "
            f"praise/thanks variant {counts[complaint, 'positive'] / drafted:.1%}"
        )
    for text, reply in wrong[:show]:
        print(f"  complaint answered as praise/thanks: {text!r}\n     -> {reply!r}")


if __name__ == "__main__":
    sys.exit(main())
