"""EPITOME empathy levels on hand-written replies, with exact evidence spans."""

from __future__ import annotations

import pytest

from empathic_reply.models import Empathy
from empathic_reply.review import Reviewer
from tests.test_review import FakeAnalyzer


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer(analyzer=FakeAnalyzer(), personal_data=lambda _t: [])  # type: ignore[arg-type]


def empathy(reviewer: Reviewer, text: str) -> Empathy:
    return reviewer.review(text).empathy


def levels(e: Empathy) -> tuple[int, int, int]:
    return (e.emotional_reactions, e.interpretations, e.explorations)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Your refund was issued on Monday.", (0, 0, 0)),
        ("I'm so sorry, that's a rotten way to start the week.", (2, 0, 0)),
        ("Good luck with the move.", (1, 0, 0)),
        ("That must be exhausting after three weeks.", (0, 2, 0)),
        ("I can imagine how stressful that was.", (0, 2, 0)),
        ("Which size did you order?", (0, 0, 2)),
        ("Is there anything else we can help with?", (0, 0, 1)),
        ("How can we help you today?", (0, 0, 1)),
        (
            "I'm really sorry. It sounds like the courier let you down twice. "
            "What happened when you called them?",
            (2, 2, 2),
        ),
    ],
)
def test_levels(reviewer: Reviewer, reply: str, expected: tuple[int, int, int]) -> None:
    assert levels(empathy(reviewer, reply)) == expected


def test_evidence_spans_name_the_mechanism(reviewer: Reviewer) -> None:
    text = "I'm so sorry. That must be awful. What did the driver say to you?"
    e = empathy(reviewer, text)
    found = {(ev.source.split(":")[0], ev.text, ev.start, ev.end) for ev in e.evidence}
    assert ("emotional_reactions", "I'm so sorry", 0, 12) in found
    assert ("interpretations", "That must be", 14, 26) in found
    assert ("explorations", "What did the driver say to you?", 34, 65) in found
    for ev in e.evidence:
        assert text[ev.start : ev.end] == ev.text


def test_generic_question_is_only_weak(reviewer: Reviewer) -> None:
    e = empathy(reviewer, "Anything else I can do for you?")
    assert e.explorations == 1
