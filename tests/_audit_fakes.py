"""A small, deterministic fake engine for audit tests (Presidio-style: keyword rules as data).

It implements exactly what ``empathic_reply.audit`` calls: ``engine.analyzer.analyze_many``
and ``engine.reviewer.review(reply, message=Analysis, channel=..., repeats=N)``.
"""

from __future__ import annotations

import re

from empathic_reply.models import (
    Alert,
    Analysis,
    Cannedness,
    Emotion,
    Empathy,
    Intent,
    Reason,
    Review,
    Sentiment,
    Topic,
)

INTENTS = {
    "complaint": r"\b(never arrived|broken|late|still waiting|terrible|worst)\b",
    "question": r"\?",
    "request": r"\b(please|can you|could you)\b",
    "thanks": r"\b(thanks|thank you)\b",
}
TOPICS = {
    "delivery": r"\b(deliver\w*|parcel|package|arrived)\b",
    "refund": r"\brefund\w*\b",
    "account": r"\b(account|login|password)\b",
    "billing": r"\b(charged|bill\w*|invoice)\b",
}
STOCK = r"(we apologi[sz]e for any inconvenience|your feedback is important|please dm us)"
APOLOGY = r"\b(sorry|apologi[sz]e)\b"
PERSONAL = r"[\w.]+@[\w]+\.\w+|\b\d{3}[- ]\d{3}[- ]\d{4}\b"


class FakeAnalyzer:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def analyze(self, text: str) -> Analysis:
        intents = [
            Intent(label=label, score=0.8)
            for label, pattern in INTENTS.items()
            if re.search(pattern, text, re.IGNORECASE)
        ]
        topics = [
            Topic(label=label, score=0.7)
            for label, pattern in TOPICS.items()
            if re.search(pattern, text, re.IGNORECASE)
        ]
        negative = any(i.label == "complaint" for i in intents)
        emotions = [Emotion(label="frustration", score=0.7, family="anger")] if negative else []
        return Analysis(
            text=text,
            sentiment=Sentiment(
                label="negative" if negative else "neutral", score=-0.6 if negative else 0.0
            ),
            intents=intents,
            topics=topics,
            emotions=emotions,
        )

    def analyze_many(self, texts, *, batch_size: int = 256) -> list[Analysis]:
        texts = list(texts)
        for t in texts:
            if not isinstance(t, str):
                raise TypeError("text must be a str")
        self.calls.append(len(texts))
        return [self.analyze(t) for t in texts]


class FakeReviewer:
    def review(self, reply, *, message=None, channel=None, repeats=None) -> Review:
        reasons = []
        score = 0.1
        stock = re.search(STOCK, reply, re.IGNORECASE)
        if stock:
            score += 0.5
            reasons.append(
                Reason(
                    signal="stock_phrase",
                    weight=0.5,
                    message="stock phrase",
                    text=stock.group(0),
                    start=stock.start(),
                    end=stock.end(),
                )
            )
        if repeats:
            weight = min(0.4, 0.1 * repeats)
            score += weight
            reasons.append(
                Reason(signal="repetition", weight=weight, message=f"sent {repeats} times before")
            )
        score = min(score, 1.0)
        level = "high" if score >= 0.6 else "medium" if score >= 0.35 else "low"
        warnings = []
        if (
            isinstance(message, Analysis)
            and message.has_intent("complaint")
            and not re.search(APOLOGY, reply, re.IGNORECASE)
        ):
            warnings.append(Alert(code="complaint_without_apology", message="no apology"))
        if channel == "public" and re.search(PERSONAL, reply):
            warnings.append(
                Alert(code="personal_data_in_public", message="personal data", severity="critical")
            )
        return Review(
            text=reply,
            channel=channel,
            cannedness=Cannedness(score=score, level=level, reasons=reasons),
            empathy=Empathy(
                emotional_reactions=1 if re.search(APOLOGY, reply, re.I) else 0,
                explorations=1 if "?" in reply else 0,
            ),
            warnings=warnings,
        )


class FakeEngine:
    def __init__(self) -> None:
        self.analyzer = FakeAnalyzer()
        self.reviewer = FakeReviewer()
