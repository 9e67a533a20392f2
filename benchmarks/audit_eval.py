"""History-aware canned-ness of ``audit`` against the "templated" label on TWCS pairs.

Label (issue 5): a brand reply is *templated* when the same brand sent a near-copy to
someone else: exact 3-word-shingle Jaccard >= 0.5 after masking handles, links, numbers and
agent sign-offs. The label is computed here with exact pairwise Jaccard (882 rows: fine);
the library finds near-copies with MinHash LSH and passes ``repeats`` to the reviewer.

The customer of a pair is the @handle the brand reply is addressed to (its first @mention),
so "someone else" means another handle.

Run from the repository root::

    python benchmarks/audit_eval.py

Reads ``../shared/data/twcs_pairs.csv`` (development data, never copied into the repo) and
skips cleanly when it is absent. Target: ROC-AUC >= 0.90.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from metrics import roc_auc

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "twcs_pairs.csv"
_HANDLE = re.compile(r"@\w+")


def main() -> int:
    if not DATA.exists():
        print(f"skipped: {DATA} not found")
        return 0
    import pandas as pd

    from empathic_reply._similarity import shingles, tokens
    from empathic_reply.audit import audit
    from empathic_reply.engine import Engine

    df = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    df["customer"] = [
        (m.group(0).lower() if (m := _HANDLE.search(r)) else f"row{i}")
        for i, r in enumerate(df["reply_text"])
    ]
    sets = [shingles(tokens(r)) for r in df["reply_text"]]
    brands, customers = list(df["brand"]), list(df["customer"])
    labels = []
    for i, si in enumerate(sets):
        hit = False
        for j, sj in enumerate(sets):
            if j == i or brands[j] != brands[i] or customers[j] == customers[i]:
                continue
            if si and sj and len(si & sj) / len(si | sj) >= 0.5:
                hit = True
                break
        labels.append(hit)
    print(f"pairs: {len(df)}, templated: {sum(labels)} ({sum(labels) / len(df):.1%})")

    engine = Engine()
    start = time.perf_counter()
    report = audit(
        df,
        engine=engine,
        message="inbound_text",
        reply="reply_text",
        id="reply_tweet_id",
        brand="brand",
        customer="customer",
        channel="public",
        message_time="inbound_created_at",
        reply_time="reply_created_at",
        progress=False,
    )
    seconds = time.perf_counter() - start
    frame = report.to_frame()
    history = [float(x) for x in frame["cannedness"]]
    repeats = [int(x) for x in frame["repeats"]]
    single = [
        engine.reviewer.score_cannedness(r, message=m).score
        for r, m in zip(df["reply_text"], df["inbound_text"], strict=True)
    ]
    found = [r > 0 for r in repeats]
    agree = sum(f == y for f, y in zip(found, labels, strict=True)) / len(labels)
    print(f"audit: {seconds:.1f} s for {len(df)} pairs")
    print(
        f"ROC-AUC history-aware canned-ness (audit): {roc_auc(labels, history):.3f}  "
        "(target >= 0.90)"
    )
    print(f"ROC-AUC single-reply canned-ness (no history): {roc_auc(labels, single):.3f}")
    print(f"ROC-AUC repeats alone: {roc_auc(labels, [float(r) for r in repeats]):.3f}")
    print(f"LSH repeats>0 agrees with the exact label on {agree:.1%} of replies")
    s = report.summary()
    print(
        f"clusters: {s.clusters}, largest: {s.largest_cluster}, canned rate: {s.canned_rate}, "
        f"median response: {s.median_response_seconds} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
