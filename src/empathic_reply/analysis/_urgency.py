"""Urgency: how soon a person should look at a message, in [0, 1]."""

from __future__ import annotations

import re
from collections.abc import Sequence

from empathic_reply.models import Emotion, Intent

__all__ = ["needs_reply", "urgency"]

_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_HAS_UPPER = re.compile(r"[A-Z]{3}")  # every _CAPS_WORD match contains one
_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
_BANGS = re.compile(r"!{2,}|\?!|!\?")
_ANGER_FAMILY = frozenset({"anger", "fear"})
_ACTION_INTENTS = frozenset(
    {"complaint", "question", "request", "cancellation", "feedback", "urgent", "escalation_threat"}
)


def urgency(text: str, intents: Sequence[Intent], emotions: Sequence[Emotion]) -> float:
    """How urgently a person should look at a message.

    Combines (noisy-or) the ``urgent`` intent (weight 0.9), ``escalation_threat`` (0.7),
    ``cancellation`` (0.35), ``complaint`` (0.3), the strongest anger/fear emotion (0.35),
    shouting in capitals (up to 0.2) and repeated "!!" (0.1).

    Args:
        text: The message.
        intents: Its intents.
        emotions: Its emotions.

    Returns:
        Urgency in [0, 1]; 0 is routine, 1 needs a person now.
    """
    anger = max((e.score for e in emotions if e.family in _ANGER_FAMILY), default=0.0)
    caps = len(_CAPS_WORD.findall(text)) if _HAS_UPPER.search(text) else 0
    shouting = 0.2 * min(1.0, caps / max(3.0, 0.3 * len(_WORD.findall(text)))) if caps else 0.0
    scores: dict[str, float] = {}
    for intent in intents:  # the first intent of a label counts
        scores.setdefault(intent.label, intent.score)
    parts = (
        0.9 * scores.get("urgent", 0.0),
        0.7 * scores.get("escalation_threat", 0.0),
        0.35 * scores.get("cancellation", 0.0),
        0.3 * scores.get("complaint", 0.0),
        0.35 * anger,
        shouting,
        0.1 if _BANGS.search(text) else 0.0,
    )
    miss = 1.0
    for part in parts:
        miss *= 1.0 - part
    return round(max(0.0, min(1.0, 1.0 - miss)), 4)


def needs_reply(intents: Sequence[Intent]) -> bool:
    """``False`` when a message only thanks or praises (a short acknowledgement will do).

    Args:
        intents: The message's intents.

    Returns:
        ``True`` unless ``thanks`` or ``praise`` reaches 0.5 and no intent that asks for
        action (complaint, question, request, cancellation, feedback, urgent,
        escalation_threat) does.
    """
    decided = {i.label for i in intents if i.score >= 0.5}
    if not decided & {"thanks", "praise"}:
        return True
    return bool(decided & _ACTION_INTENTS) or "thanks" not in decided
