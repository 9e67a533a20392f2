"""Reviewer: canned-ness end to end, every warning, inputs, caching, and any-str robustness.

A fake analyser returns hand-built analyses (Presidio-style fake NLP engine), so these tests
pin the review's own behaviour whatever the analyser does.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from empathic_reply.models import (
    Analysis,
    Detail,
    Emotion,
    Intent,
    Review,
    Sentiment,
)
from empathic_reply.review import Reviewer
from tests.strategies import hostile_text


def make_analysis(
    text: str,
    *,
    score: float = 0.0,
    intents: Sequence[str] = (),
    emotions: Sequence[tuple[str, str]] = (),
    details: Sequence[Detail] = (),
    needs_reply: bool = True,
) -> Analysis:
    label = "negative" if score <= -0.05 else "positive" if score >= 0.05 else "neutral"
    return Analysis(
        text=text,
        sentiment=Sentiment(label=label, score=score),
        intents=[Intent(label=i, score=0.8) for i in intents],
        emotions=[Emotion(label=e, family=f, score=0.8) for e, f in emotions],
        details=list(details),
        needs_reply=needs_reply,
    )


class FakeAnalyzer:
    """Returns prepared analyses by text; anything else gets a neutral analysis."""

    def __init__(self, prepared: dict[str, Analysis] | None = None) -> None:
        self.prepared = prepared or {}
        self.calls: list[str] = []

    def analyze(self, text: str) -> Analysis:
        self.calls.append(text)
        return self.prepared.get(text) or make_analysis(text)


ORDER_MSG = "My order #123 never arrived"
ORDER = make_analysis(
    ORDER_MSG,
    score=-0.6,
    intents=["complaint"],
    emotions=[("frustration", "anger")],
    details=[Detail(kind="order_id", text="#123", start=9, end=13, personal=True)],
)
PRAISE_MSG = "Your team was brilliant today, thank you!"
PRAISE = make_analysis(PRAISE_MSG, score=0.8, intents=["praise", "thanks"], needs_reply=False)
ANGRY_MSG = "This is the THIRD time my package is late. Furious."
ANGRY = make_analysis(ANGRY_MSG, score=-0.8, intents=["complaint"], emotions=[("anger", "anger")])


def no_personal_data(_text: str) -> list[Detail]:
    return []


def email_finder(text: str) -> list[Detail]:
    import re

    return [
        Detail(
            kind="email",
            text=m.group(),
            start=m.start(),
            end=m.end(),
            personal=True,
            source="test.email.v1",
        )
        for m in re.finditer(r"\S+@\S+\.\w+", text)
    ] + [
        Detail(kind="handle", text=m.group(), start=m.start(), end=m.end(), personal=True)
        for m in re.finditer(r"(?<!\S)@\w+", text)
    ]


@pytest.fixture
def analyzer() -> FakeAnalyzer:
    return FakeAnalyzer({ORDER_MSG: ORDER, PRAISE_MSG: PRAISE, ANGRY_MSG: ANGRY})


@pytest.fixture
def reviewer(analyzer: FakeAnalyzer) -> Reviewer:
    return Reviewer(analyzer=analyzer, personal_data=no_personal_data)  # type: ignore[arg-type]


def codes(review: Review) -> list[str]:
    return [w.code for w in review.warnings]


# -- canned-ness end to end --------------------------------------------------------------


def test_canned_reply_to_order_complaint_scores_high(reviewer: Reviewer) -> None:
    reply = "We apologize for any inconvenience. Please DM us."
    c = reviewer.score_cannedness(reply, message=ORDER_MSG)
    assert c.level == "high"
    assert c.score >= 0.8
    signals = [r.signal for r in c.reasons]
    assert {"stock_phrase", "generic", "redirect", "formulaic"} <= set(signals)
    stock = next(r for r in c.reasons if r.signal == "stock_phrase")
    assert (stock.text, stock.start, stock.end) == ("We apologize for any inconvenience", 0, 34)
    assert reply[stock.start : stock.end] == stock.text
    redirect = next(r for r in c.reasons if r.signal == "redirect")
    assert (redirect.text, redirect.start, redirect.end) == ("Please DM us", 36, 48)
    assert [r.weight for r in c.reasons] == sorted((r.weight for r in c.reasons), reverse=True)
    assert sum(r.weight for r in c.reasons) == pytest.approx(c.score, abs=0.02)
    assert any("We apologize for any inconvenience" in s for s in c.suggestions)
    assert any("Name what they wrote about" in s for s in c.suggestions)


def test_specific_warm_reply_scores_low(reviewer: Reviewer) -> None:
    reply = (
        "Hi Sam, I'm so sorry order #123 hasn't arrived - that's not okay. I've asked the "
        "courier to trace it and I'll update you by Friday."
    )
    review = reviewer.review(reply, message=ORDER_MSG, channel="private")
    assert review.cannedness.level == "low"
    assert review.cannedness.score < 0.35
    assert review.empathy.emotional_reactions == 2
    assert review.warnings == []


def test_message_as_text_or_analysis_gives_the_same_result(
    reviewer: Reviewer, analyzer: FakeAnalyzer
) -> None:
    reply = "Sorry about that. DM us."
    by_text = reviewer.review(reply, message=ORDER_MSG)
    by_analysis = reviewer.review(reply, message=ORDER)
    assert by_text == by_analysis
    reviewer.review("Another reply", message=ORDER_MSG)
    assert analyzer.calls == [ORDER_MSG]  # analysed once, then cached


def test_no_message_skips_message_signals(reviewer: Reviewer) -> None:
    c = reviewer.score_cannedness("We apologize for any inconvenience. Please DM us.")
    assert "no_mirroring" not in {r.signal for r in c.reasons}
    assert c.level == "high"


def test_repeats_add_a_repetition_reason(reviewer: Reviewer) -> None:
    reply = "Please follow and DM us so we can look into this."
    base = reviewer.score_cannedness(reply, message=ORDER_MSG)
    none = reviewer.score_cannedness(reply, message=ORDER_MSG, repeats=0)
    some = reviewer.score_cannedness(reply, message=ORDER_MSG, repeats=3)
    many = reviewer.score_cannedness(reply, message=ORDER_MSG, repeats=400)
    assert "repetition" not in {r.signal for r in base.reasons}
    assert "repetition" not in {r.signal for r in none.reasons}
    assert none.score < some.score < many.score
    rep = next(r for r in many.reasons if r.signal == "repetition")
    assert rep.message == "This wording was sent 400 times before to other customers."
    assert many.reasons[0].signal == "repetition"
    assert many.level == "high"


def test_specific_reply_without_copies_is_low_with_history(reviewer: Reviewer) -> None:
    reply = "Hi Sam, order #123 left our depot late; I've asked the courier to trace it today."
    assert reviewer.score_cannedness(reply, message=ORDER_MSG, repeats=0).level == "low"


# -- warnings ------------------------------------------------------------------------------


def test_personal_data_in_public_is_critical(analyzer: FakeAnalyzer) -> None:
    reviewer = Reviewer(analyzer=analyzer, personal_data=email_finder)  # type: ignore[arg-type]
    reply = "@sam Hi Sam, we've emailed sam.doe@example.com with the details of order #123."
    review = reviewer.review(reply, message=ORDER_MSG, channel="public")
    alert = next(w for w in review.warnings if w.code == "personal_data_in_public")
    assert alert.severity == "critical"
    # The leading @-mention is the addressee, not leaked data.
    assert [(e.text, e.start, e.end) for e in alert.evidence] == [("sam.doe@example.com", 27, 46)]
    private = reviewer.review(reply, message=ORDER_MSG, channel="private")
    assert "personal_data_in_public" not in codes(private)


def test_complaint_without_acknowledgement(reviewer: Reviewer) -> None:
    review = reviewer.review("Please send us your order number.", message=ORDER_MSG)
    assert "complaint_not_acknowledged" in codes(review)
    ok = reviewer.review("Sorry about that! Please send us your order number.", message=ORDER_MSG)
    assert "complaint_not_acknowledged" not in codes(ok)


def test_defensive_wording_with_spans(reviewer: Reviewer) -> None:
    reply = "As previously stated, per our policy refunds take 10 days."
    review = reviewer.review(reply, message=ORDER_MSG)
    alert = next(w for w in review.warnings if w.code == "defensive_wording")
    assert [(e.text, e.start, e.end) for e in alert.evidence] == [
        ("As previously stated", 0, 20),
        ("per our policy", 22, 36),
    ]


def test_cheerful_reply_to_angry_message(reviewer: Reviewer) -> None:
    review = reviewer.review("Awesome, thanks for the tweet!! 😊", message=ANGRY_MSG)
    assert "sentiment_mismatch" in codes(review)
    calm = reviewer.review("That's not okay - sorry. I'm tracing it now.", message=ANGRY_MSG)
    assert "sentiment_mismatch" not in codes(calm)


def test_no_next_step(reviewer: Reviewer) -> None:
    review = reviewer.review("Sorry about that.", message=ORDER_MSG)
    assert "no_next_step" in codes(review)
    with_step = reviewer.review("Sorry about that, I'll resend it today.", message=ORDER_MSG)
    assert "no_next_step" not in codes(with_step)
    thanks_reply = reviewer.review("Thank you, that made our day.", message=PRAISE_MSG)
    assert "no_next_step" not in codes(thanks_reply)


def test_too_long_for_public_channel(reviewer: Reviewer) -> None:
    reply = "I'll check your delivery now. " * 10
    assert "too_long_for_channel" in codes(reviewer.review(reply, channel="public"))
    assert "too_long_for_channel" not in codes(reviewer.review(reply, channel="private"))
    assert "too_long_for_channel" not in codes(reviewer.review(reply[:280], channel="public"))


def test_apology_on_praise(reviewer: Reviewer) -> None:
    review = reviewer.review("We're sorry! Thanks for the kind words.", message=PRAISE_MSG)
    alert = next(w for w in review.warnings if w.code == "apology_on_praise")
    assert [(e.text, e.start, e.end) for e in alert.evidence] == [("sorry", 6, 11)]
    c = review.cannedness
    assert "apology_misplaced" in {r.signal for r in c.reasons}


THANKS_MSG = "That worked, thank you"
THANKS = make_analysis(THANKS_MSG, score=0.6, intents=["thanks"], needs_reply=False)


def test_short_warm_close_to_thanks_only_gets_no_specificity_push(analyzer: FakeAnalyzer) -> None:
    analyzer.prepared[THANKS_MSG] = THANKS
    reviewer = Reviewer(analyzer=analyzer, personal_data=no_personal_data)  # type: ignore[arg-type]
    reply = "Hi Sam, brilliant, and thanks for coming back to tell us it worked."
    c = reviewer.score_cannedness(reply, message=THANKS_MSG)
    assert c.level == "low"
    assert not {"generic", "no_mirroring"} & {r.signal for r in c.reasons}
    assert not any("Name what they wrote about" in s for s in c.suggestions)
    assert not any("could only have been written" in s for s in c.suggestions)
    assert not any("customer's words" in s for s in c.suggestions)
    signals = reviewer.signals(reply, message=THANKS_MSG)
    assert signals["generic"] == signals["no_mirroring"] == 0.0
    # The same short reply to a message that needs an answer is still pushed to specifics.
    other = reviewer.score_cannedness("Thanks, we'll take a look.", message="Where is it?")
    assert any("could only have been written" in s for s in other.suggestions)
    assert reviewer.signals("Thanks, we'll take a look.", message="Where is it?")["generic"] == 1
    # Stock phrases and redirects still count against a reply to thanks.
    canned = reviewer.score_cannedness("Please DM us.", message=THANKS_MSG)
    assert "redirect" in {r.signal for r in canned.reasons}
    assert canned.score > c.score


def test_unfilled_placeholder(reviewer: Reviewer) -> None:
    review = reviewer.review("Your order {{Order Number}} is on its way.", channel="private")
    alert = next(w for w in review.warnings if w.code == "unfilled_placeholder")
    assert alert.severity == "critical"
    assert [(e.text, e.start, e.end) for e in alert.evidence] == [("{{Order Number}}", 11, 27)]


def test_empty_reply_is_valid(reviewer: Reviewer) -> None:
    review = reviewer.review("   ", message=ORDER_MSG, channel="public")
    assert codes(review) == ["empty_reply"]
    assert 0.0 <= review.cannedness.score <= 1.0


# -- inputs --------------------------------------------------------------------------------


def test_non_str_reply_is_a_type_error(reviewer: Reviewer) -> None:
    with pytest.raises(TypeError, match="reply must be a str"):
        reviewer.review(b"hi")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="message must be"):
        reviewer.review("hi", message=42)  # type: ignore[arg-type]


def test_long_reply_is_clipped(reviewer: Reviewer) -> None:
    review = reviewer.review("word " * 3000)
    assert len(review.text) <= 5000


def test_review_round_trips_as_json(reviewer: Reviewer) -> None:
    review = reviewer.review(
        "We apologize for any inconvenience. Please DM us.", message=ORDER_MSG, channel="public"
    )
    assert Review.model_validate_json(review.model_dump_json()) == review


def test_user_rules_extend_the_lexicon(analyzer: FakeAnalyzer) -> None:
    from empathic_reply._rules import RuleSet

    extra = RuleSet.from_data(
        {
            "rules": [
                {
                    "id": "stock.custom.v1",
                    "label": "stock_phrase",
                    "patterns": [r"\bwe are on it\b"],
                    "score": 0.9,
                }
            ]
        }
    )
    reviewer = Reviewer(analyzer=analyzer, personal_data=no_personal_data, rules=extra)  # type: ignore[arg-type]
    c = reviewer.score_cannedness("We are on it.")
    assert any(r.signal == "stock_phrase" and r.text == "We are on it" for r in c.reasons)


@given(
    reply=hostile_text,
    message=st.one_of(st.none(), hostile_text),
    channel=st.sampled_from([None, "public", "private"]),
    repeats=st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)),
)
def test_any_text_gives_a_valid_review(
    reply: str, message: str | None, channel: str | None, repeats: int | None
) -> None:
    reviewer = Reviewer(analyzer=FakeAnalyzer(), personal_data=email_finder)  # type: ignore[arg-type]
    review = reviewer.review(reply, message=message, channel=channel, repeats=repeats)  # type: ignore[arg-type]
    assert isinstance(review, Review)
    c = review.cannedness
    assert 0.0 <= c.score <= 1.0
    assert c.level == ("high" if c.score >= 0.6 else "medium" if c.score >= 0.35 else "low")
    for reason in c.reasons:
        if reason.start is not None:
            assert review.text[reason.start : reason.end] == reason.text
    for evidence in review.empathy.evidence:
        assert review.text[evidence.start : evidence.end] == evidence.text
    for alert in review.warnings:
        for evidence in alert.evidence:
            assert review.text[evidence.start : evidence.end] == evidence.text


# -- end to end with the real analyser and personal-data finder -----------------------------


@pytest.fixture(scope="module")
def real_reviewer() -> Reviewer:
    analysis = pytest.importorskip("empathic_reply.analysis")
    pytest.importorskip("empathic_reply.details")
    return Reviewer(analyzer=analysis.Analyzer())


def test_end_to_end_canned_reply(real_reviewer: Reviewer) -> None:
    review = real_reviewer.review(
        "We apologize for any inconvenience. Please DM us.",
        message="My order #123 never arrived",
        channel="public",
    )
    assert review.cannedness.level == "high"
    assert {"stock_phrase", "generic"} <= {r.signal for r in review.cannedness.reasons}


def test_end_to_end_personal_data_in_public(real_reviewer: Reviewer) -> None:
    reply = "Hi Jane, we've emailed jane.doe@example.com about it."
    review = real_reviewer.review(reply, message="Where is my refund?", channel="public")
    alert = next(w for w in review.warnings if w.code == "personal_data_in_public")
    assert alert.severity == "critical"
    assert ("jane.doe@example.com", 23, 43) in [(e.text, e.start, e.end) for e in alert.evidence]


def test_end_to_end_apology_on_praise(real_reviewer: Reviewer) -> None:
    review = real_reviewer.review(
        "Sorry! Thanks a lot!", message="You guys are amazing, thank you so much!"
    )
    assert "apology_on_praise" in codes(review)


@pytest.mark.parametrize(
    "reply", ["a" * 4990 + ".?", "you " * 1240 + ".?", "sorry " * 830, "@a" * 2490, "!" * 4999]
)
def test_adversarial_long_replies_stay_cheap(reviewer: Reviewer, reply: str) -> None:
    import time

    start = time.perf_counter()
    reviewer.review(reply, message=ORDER_MSG, channel="public")
    assert time.perf_counter() - start < 2.0  # linear-time patterns; ~50 ms on a busy CI box


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reply=hostile_text, message=hostile_text)
def test_any_text_with_the_real_analyser(real_reviewer: Reviewer, reply: str, message: str) -> None:
    review = real_reviewer.review(reply, message=message, channel="public")
    assert 0.0 <= review.cannedness.score <= 1.0
    for alert in review.warnings:
        for evidence in alert.evidence:
            assert review.text[evidence.start : evidence.end] == evidence.text


def test_personal_data_with_an_unknown_channel_is_a_softer_warning():
    from empathic_reply.engine import default_engine

    reply = "Thanks Jo, I've emailed jo.doe@example.com with the label."
    unknown = default_engine().review(reply)
    private = default_engine().review(reply, channel="private")
    public = default_engine().review(reply, channel="public")
    assert [w.severity for w in unknown.warnings if w.code == "personal_data_unknown_channel"] == [
        "warning"
    ]
    assert not [w for w in private.warnings if w.code.startswith("personal_data")]
    assert [w.code for w in public.warnings if w.code.startswith("personal_data")] == [
        "personal_data_in_public"
    ]
