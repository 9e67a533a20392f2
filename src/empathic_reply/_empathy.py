"""Empathy along EPITOME's three mechanisms, from the cues in ``data/review/empathy.yaml``.

EPITOME (Sharma et al., EMNLP 2020) rates a response 0 (none), 1 (weak) or 2 (strong) for
emotional reactions, interpretations and explorations. Each cue rule carries the level one
match supports (``attrs.level``); a mechanism's level is the highest supported, promoted from
1 to 2 when several weak cues co-occur (the ``promote_at`` counts in ``weights.yaml``, tuned on
the EPITOME development half by ``scripts/calibrate_review.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

from empathic_reply._rules import Match
from empathic_reply.models import Empathy, Evidence

__all__ = ["MECHANISMS", "score_empathy"]

_WORDS = re.compile(r"\w+")

MECHANISMS: tuple[str, ...] = ("emotional_reactions", "interpretations", "explorations")

Level = Literal[0, 1, 2]


def _level(matches: Sequence[Match], promote_at: int, min_words: int) -> Level:
    best = 0
    weak = 0
    seen: set[tuple[int, int]] = set()
    for m in matches:
        if (m.start, m.end) in seen:
            continue
        seen.add((m.start, m.end))
        level = int(m.rule.attrs.get("level", 1))
        # A question of several words asks about something; "right?" or "huh?" does not.
        if (
            level == 1
            and min_words
            and m.rule.attrs.get("question")
            and (len(_WORDS.findall(m.text)) >= min_words)
        ):
            level = 2
        best = max(best, level)
        weak += level == 1
    if best < 2 and promote_at > 0 and weak >= promote_at:
        best = 2
    return 2 if best >= 2 else 1 if best == 1 else 0


def _drop_generic_questions(matches: Sequence[Match]) -> list[Match]:
    # A "strong" question that is really "how can we help you?" or "anything else?" is a
    # generic one: when a generic-question rule matched inside it, keep only the weak reading.
    generic = [(m.start, m.end) for m in matches if m.rule.attrs.get("generic")]
    if not generic:
        return list(matches)
    return [
        m
        for m in matches
        if m.rule.attrs.get("generic")
        or (m.rule.attrs.get("level", 1) < 2 and not m.rule.attrs.get("question"))
        or not any(a < m.end and m.start < b for a, b in generic)
    ]


def score_empathy(
    by_label: Mapping[str, list[Match]],
    promote_at: Mapping[str, int] | None = None,
    *,
    question_min_words: int = 4,
) -> Empathy:
    """EPITOME levels (0 none, 1 weak, 2 strong; higher is more empathic) with evidence.

    Args:
        by_label: Lexicon matches in the reply, grouped by label.
        promote_at: Per mechanism, how many weak cues make a strong level (0 = never).
        question_min_words: A non-generic question with at least this many words is a
            strong exploration; shorter ones are weak (0 disables the rule).
    """
    promote_at = promote_at or {}
    levels: dict[str, Level] = {}
    evidence: list[Evidence] = []
    for mechanism in MECHANISMS:
        matches = by_label.get(mechanism, [])
        if mechanism == "explorations":
            matches = _drop_generic_questions(matches)
        levels[mechanism] = _level(matches, int(promote_at.get(mechanism, 0)), question_min_words)
        # Valid by construction (spans from the matcher): skip re-validation, it is a large
        # share of a review's cost.
        evidence.extend(
            Evidence.model_construct(
                text=m.text, start=m.start, end=m.end, source=f"{mechanism}:{m.rule.id}"
            )
            for m in matches
        )
    evidence.sort(key=lambda e: (e.start, e.end))
    return Empathy(
        emotional_reactions=levels["emotional_reactions"],
        interpretations=levels["interpretations"],
        explorations=levels["explorations"],
        evidence=evidence,
    )
