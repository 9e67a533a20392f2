"""The shared label vocabulary: intents, topics and emotions with their Ekman families.

Detectors, template-pack validation and selection all read these, so a label is named once.
Users may add their own intents and emotions through rule files; these are the shipped ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from empathic_reply.models import EkmanFamily

__all__ = ["EMOTION_FAMILIES", "INTENT_LABELS", "TOPIC_LABELS"]

INTENT_LABELS: Final = (
    "complaint",
    "question",
    "request",
    "cancellation",
    "praise",
    "thanks",
    "feedback",
    "urgent",
    "escalation_threat",
)
"""Shipped intents; ``Analysis.intent`` is ``"other"`` when none reaches 0.5."""

TOPIC_LABELS: Final = (
    "delivery",
    "order",
    "billing",
    "refund",
    "account",
    "product_quality",
    "service",
    "technical",
    "pricing",
    "subscription",
)
"""Shipped topics."""

EMOTION_FAMILIES: Final[Mapping[str, EkmanFamily]] = MappingProxyType(
    {
        "anger": "anger",
        "frustration": "anger",
        "impatience": "anger",
        "disappointment": "sadness",
        "sadness": "sadness",
        "worry": "fear",
        "confusion": "surprise",
        "surprise": "surprise",
        "disgust": "disgust",
        "gratitude": "joy",
        "joy": "joy",
        "relief": "joy",
    }
)
"""Shipped emotions and the Ekman family of each (``data/analysis/emotions.yaml`` agrees)."""
