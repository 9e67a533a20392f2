"""Review figures on the development data in ../shared/data (skips cleanly when absent).

Prints:
- TWCS: ROC-AUC of the single-reply canned-ness score against the "templated" label (the same
  brand sent a near-copy, 3-word-shingle Jaccard >= 0.5 after masking), with baselines
  (length, "mentions DM"), and the history-aware AUC with ``repeats`` (exact shingle counts);
- EPITOME: macro-F1 per mechanism (emotional reactions, interpretations, explorations) and the
  "has a question mark" baseline for explorations;
- the ordering check: mean canned-ness of Bitext replies > TWCS brand replies > EPITOME
  responses rated strong in emotional reactions;
- time per review (message analysis cached / excluded, and included).

Run: ``/work/venv/bin/python benchmarks/review_eval.py``. Figures are development figures.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from metrics import macro_f1, roc_auc

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

_HANDLE = re.compile(r"@\w+")
_LINK = re.compile(r"https?://\S+|www\.\S+")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_SIGN_OFF = re.compile(
    r"(?:[\^*~]\s?[A-Za-z]{1,4}|[-–—]\s?[A-Z][A-Za-z]{0,12}|\bTY\b)(?:\s+#?\s?\d/\d)?\s*$"
)
_TOKEN = re.compile(r"\w+")


def mask(text: str) -> str:
    """Mask handles, links, numbers and the agent sign-off ("^JS", "-AB", "- Anwar")."""
    text = _LINK.sub(" URL ", text)
    text = _HANDLE.sub(" @USER ", text)
    text = text.strip()
    for _ in range(2):
        text = _SIGN_OFF.sub("", text).rstrip()
    text = _NUMBER.sub(" 0 ", text)
    return text.lower()


def shingles(text: str, n: int = 3) -> frozenset[tuple[str, ...]]:
    """Word 3-shingles of the masked text (the whole text when shorter)."""
    words = _TOKEN.findall(mask(text))
    if len(words) < n:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    """Jaccard similarity of two sets (0 when both are empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def twcs_labels(brands: list[str], replies: list[str]) -> tuple[list[int], list[int]]:
    """Per reply: templated label (0/1) and how many near-copies the same brand sent others."""
    sh = [shingles(r) for r in replies]
    repeats = [0] * len(replies)
    by_brand: dict[str, list[int]] = {}
    for i, brand in enumerate(brands):
        by_brand.setdefault(brand, []).append(i)
    for idx in by_brand.values():
        for a_pos, i in enumerate(idx):
            for j in idx[a_pos + 1 :]:
                if jaccard(sh[i], sh[j]) >= 0.5:
                    repeats[i] += 1
                    repeats[j] += 1
    return [int(r > 0) for r in repeats], repeats


def make_analyzer() -> tuple[Any, str]:
    """The real Analyzer when it exists, else a stand-in (VADER sentiment, no intents)."""
    try:
        from empathic_reply.analysis import Analyzer

        return Analyzer(), "empathic_reply.analysis.Analyzer"
    except Exception as exc:
        return _StandInAnalyzer(), f"stand-in (VADER + keyword intents; real Analyzer: {exc!r:.80})"


class _StandInAnalyzer:
    """Used only until the real Analyzer lands: VADER polarity plus three keyword intents."""

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()

    def analyze(self, text: str) -> Any:
        from empathic_reply.models import Analysis, Intent, Sentiment

        score = float(self._vader.polarity_scores(text)["compound"])
        label = "negative" if score <= -0.05 else "positive" if score >= 0.05 else "neutral"
        intents = []
        low = text.lower()
        if re.search(r"\b(thank|thanks|love|awesome|great job|amazing)\b", low) and score > 0.3:
            intents.append(Intent(label="thanks", score=0.7))
        elif score <= -0.3 or re.search(r"\b(still|never|not|no|worst|again)\b", low):
            intents.append(Intent(label="complaint", score=0.6))
        return Analysis(text=text, sentiment=Sentiment(label=label, score=score), intents=intents)


def _read(name: str) -> Any:
    import pandas as pd

    return pd.read_csv(DATA / name)


def main() -> int:
    if not (DATA / "twcs_pairs.csv").exists():
        print(f"skipped: {DATA} not found")
        return 0
    from empathic_reply.review import Reviewer

    analyzer, which = make_analyzer()
    reviewer = Reviewer(analyzer=analyzer, personal_data=lambda _text: [])
    print(f"analyzer: {which}")

    twcs = _read("twcs_pairs.csv")
    brands = twcs["brand"].astype(str).tolist()
    replies = twcs["reply_text"].astype(str).tolist()
    inbound = twcs["inbound_text"].astype(str).tolist()
    y, repeats = twcs_labels(brands, replies)
    print(f"\nTWCS: {len(y)} replies, {sum(y)} templated ({sum(y) / len(y):.1%})")
    single = [
        reviewer.score_cannedness(r, message=m).score for r, m in zip(replies, inbound, strict=True)
    ]
    no_msg = [reviewer.score_cannedness(r).score for r in replies]
    hist = [
        reviewer.score_cannedness(r, message=m, repeats=k).score
        for r, m, k in zip(replies, inbound, repeats, strict=True)
    ]
    length = [-float(len(r)) for r in replies]
    dm = [
        float(bool(re.search(r"\bdm\b|direct message|private message", r, re.I))) for r in replies
    ]
    print(f"  ROC-AUC single reply, with message : {roc_auc(y, single):.3f}")
    print(f"  ROC-AUC single reply, no message   : {roc_auc(y, no_msg):.3f}")
    print(f"  ROC-AUC history-aware (repeats)    : {roc_auc(y, hist):.3f}  (exact shingle counts)")
    print(f"  baseline: shorter = more canned    : {roc_auc(y, length):.3f}")
    print(f"  baseline: mentions DM              : {roc_auc(y, dm):.3f}")
    print("  (weights were fitted on this file: see scripts/calibrate_review.py for CV figures)")

    if (DATA / "epitome.csv").exists():
        ep = _read("epitome.csv")
        texts = ep["response_post"].astype(str).tolist()
        reviews = [reviewer.review(t) for t in texts]
        print(f"\nEPITOME: {len(texts)} responses, macro-F1 (0/1/2)")
        for mech in ("emotional_reactions", "interpretations", "explorations"):
            gold = ep[mech].astype(int).tolist()
            pred = [int(getattr(r.empathy, mech)) for r in reviews]
            print(f"  {mech:20s}: {macro_f1(gold, pred, (0, 1, 2)):.3f}")
        qm = [2 if "?" in t else 0 for t in texts]
        f1_qm = macro_f1(ep["explorations"].astype(int).tolist(), qm, (0, 1, 2))
        print(f"  baseline '?' explorations: {f1_qm:.3f}")
        strong = [
            r.cannedness.score
            for r, g in zip(reviews, ep["emotional_reactions"], strict=True)
            if int(g) == 2
        ]
    else:
        strong = []

    print("\nOrdering check (mean canned-ness, no message):")
    means: list[tuple[str, float]] = []
    if (DATA / "bitext" / "bitext_customer_support.csv").exists():
        bt = _read("bitext/bitext_customer_support.csv")
        bt_scores = [reviewer.score_cannedness(str(t)).score for t in bt["response"]]
        means.append(("Bitext replies", sum(bt_scores) / len(bt_scores)))
    means.append(("TWCS brand replies", sum(no_msg) / len(no_msg)))
    if strong:
        means.append(("EPITOME strong emotional reactions", sum(strong) / len(strong)))
    for name, value in means:
        print(f"  {name:36s}: {value:.3f}")
    ordered = all(a[1] > b[1] for a, b in itertools.pairwise(means))
    print(f"  ordering Bitext > TWCS > EPITOME-strong: {'OK' if ordered else 'NOT MET'}")

    print("\nTime per review (TWCS pairs):")
    analyses = [analyzer.analyze(m) for m in inbound]  # the message analysis is not ours
    n = len(replies)

    def per_call(fn: Any) -> tuple[float, float]:
        # CPU time of this process (fair on a shared, loaded machine) and wall time, in us.
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        return (time.process_time() - c0) / n * 1e6, (time.perf_counter() - w0) / n * 1e6

    pairs = list(zip(replies, analyses, strict=True))
    rows = [
        (
            "review, message given as Analysis",
            lambda: [reviewer.review(r, message=a, channel="public") for r, a in pairs],
        ),
        (
            "score_cannedness, Analysis given",
            lambda: [reviewer.score_cannedness(r, message=a) for r, a in pairs],
        ),
        ("review, no message", lambda: [reviewer.review(r) for r in replies]),
    ]
    fresh = Reviewer(analyzer=analyzer, personal_data=lambda _text: [])
    rows.append(
        (
            "review incl. message analysis",
            lambda: [
                fresh.review(r, message=m, channel="public")
                for r, m in zip(replies, inbound, strict=True)
            ],
        )
    )
    print(f"  {'':36s}  {'CPU us':>8s}  {'wall us':>8s}")
    for name, fn in rows:
        cpu, wall = per_call(fn)
        print(f"  {name:36s}: {cpu:8.1f}  {wall:8.1f}")
    print("  (personal-data check excluded: find_personal_data is timed by its owner)")
    if hasattr(os, "getloadavg"):
        print(f"  machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
