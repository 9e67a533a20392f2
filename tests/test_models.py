"""Result models: frozen, strict, JSON round-trip, contract properties."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from empathic_reply.models import (
    Alert,
    Analysis,
    Cannedness,
    Draft,
    Emotion,
    Empathy,
    Evidence,
    Intent,
    Reason,
    Review,
    Sentiment,
)


def _analysis(**overrides):
    fields = {
        "text": "my order never arrived",
        "sentiment": Sentiment(label="negative", score=-0.6, raw_score=0.0),
        "intents": [
            Intent(
                label="complaint",
                score=0.9,
                evidence=[
                    Evidence(text="never arrived", start=9, end=22, source="intent.complaint.v1")
                ],
            ),
            Intent(label="question", score=0.3),
        ],
        "emotions": [Emotion(label="frustration", score=0.7, family="anger")],
    }
    fields.update(overrides)
    return Analysis(**fields)


def test_models_are_frozen():
    a = _analysis()
    with pytest.raises(ValidationError):
        a.text = "changed"  # type: ignore[misc]


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError, match="Extra inputs"):
        Sentiment(label="neutral", score=0.0, polarity=1)  # type: ignore[call-arg]


@pytest.mark.parametrize("score", [-1.01, 1.5])
def test_sentiment_score_is_bounded(score):
    with pytest.raises(ValidationError):
        Sentiment(label="neutral", score=score)


def test_intent_is_best_label_above_threshold():
    assert _analysis().intent == "complaint"
    weak = _analysis(intents=[Intent(label="question", score=0.4)])
    assert weak.intent == "other"
    assert _analysis(intents=[]).intent == "other"


def test_emotion_family_must_be_ekman():
    with pytest.raises(ValidationError):
        Emotion(label="meh", score=0.2, family="boredom")  # type: ignore[arg-type]


def test_has_intent_and_intent_score():
    a = _analysis()
    assert a.has_intent("complaint")
    assert not a.has_intent("question")
    assert a.has_intent("question", threshold=0.3)
    assert a.intent_score("question") == 0.3
    assert a.intent_score("praise") == 0.0


def test_json_round_trip_keeps_computed_fields_out_of_the_way():
    a = _analysis()
    dumped = a.model_dump()
    assert dumped["intent"] == "complaint"
    assert dumped["emotion"] == "frustration"
    assert Analysis.model_validate_json(a.model_dump_json()) == a
    assert Analysis.model_validate(dumped) == a


def test_draft_round_trip():
    review = Review(
        text="Hi Sam, that order should have been with you by now.",
        channel="public",
        cannedness=Cannedness(
            score=0.1,
            level="low",
            reasons=[
                Reason(signal="stock_phrase", weight=0.1, message="m", text="x", start=0, end=1)
            ],
        ),
        empathy=Empathy(emotional_reactions=1, interpretations=0, explorations=0),
        warnings=[Alert(code="no_next_step", message="Say what happens next.")],
    )
    d = Draft(
        text=review.text,
        template_id="delivery.late.v1",
        channel="public",
        analysis=_analysis(),
        review=review,
    )
    assert Draft.model_validate_json(d.model_dump_json()) == d


def test_empathy_levels_are_0_1_2():
    with pytest.raises(ValidationError):
        Empathy(emotional_reactions=3)  # type: ignore[arg-type]


def test_alert_str_is_code_and_message():
    assert str(Alert(code="x_y", message="Do z.")) == "x_y: Do z."
