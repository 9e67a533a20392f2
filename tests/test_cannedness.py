"""Canned-ness signals, one by one, on hand-written replies; lexicon gating; the weights file."""

from __future__ import annotations

import pytest
from hypothesis import given

from empathic_reply._cannedness import SIGNALS, lexicon, model
from empathic_reply.review import Reviewer
from tests.strategies import hostile_text
from tests.test_review import ANGRY_MSG, ORDER_MSG, PRAISE_MSG, FakeAnalyzer, make_analysis

DELAY_MSG = "Still waiting on my refund for the blue jacket, 3 weeks now"


@pytest.fixture
def reviewer() -> Reviewer:
    from tests.test_review import ANGRY, ORDER, PRAISE

    analyzer = FakeAnalyzer(
        {
            ORDER_MSG: ORDER,
            PRAISE_MSG: PRAISE,
            ANGRY_MSG: ANGRY,
            DELAY_MSG: make_analysis(DELAY_MSG, score=-0.5, intents=["complaint"]),
        }
    )
    return Reviewer(analyzer=analyzer, personal_data=lambda _t: [])  # type: ignore[arg-type]


def stock_spans(reviewer: Reviewer, reply: str) -> list[str]:
    _, matches, _ = reviewer._scan(reply)
    return [m.text for m in matches if m.rule.label == "stock_phrase"]


@pytest.mark.parametrize(
    ("reply", "phrase"),
    [
        ("We apologize for any inconvenience.", "We apologize for any inconvenience"),
        (
            "We apologise for the inconvenience this may have caused.",
            "We apologise for the inconvenience this may have caused",
        ),
        ("Sorry for the trouble, Sam.", "Sorry for the trouble"),
        ("Your call is important to us.", "Your call is important to us"),
        ("We value your feedback.", "We value your feedback"),
        ("Please be advised that stores close at 8.", "Please be advised"),
        ("Thank you for reaching out!", "Thank you for reaching out"),
        ("Thanks for contacting us.", "Thanks for contacting us"),
        ("We're here to help.", "We're here to help"),
        ("We'd be happy to help you with this.", "We'd be happy to help you with this"),
        ("Rest assured, it's in hand.", "Rest assured"),
        ("Don't hesitate to contact us.", "Don't hesitate to contact"),
        ("You're welcome.", "You're welcome"),
    ],
)
def test_stock_phrase_forms(reviewer: Reviewer, reply: str, phrase: str) -> None:
    assert phrase in stock_spans(reviewer, reply)


def test_redirect_dm_with_so_we_can_look(reviewer: Reviewer) -> None:
    reply = "Please send us a DM with your order number so we can look into this."
    _, _, by_label = reviewer._scan(reply)
    assert [m.text for m in by_label["redirect"]] == [
        "Please send us a DM",
        "so we can look into this",
    ]


def test_vague_reference(reviewer: Reviewer) -> None:
    c = reviewer.score_cannedness("We're looking into your issue.", message=ORDER_MSG)
    vague = [r for r in c.reasons if r.signal == "vague_reference"]
    assert [(r.text, r.start, r.end) for r in vague] == [("your issue", 19, 29)]


def test_placeholder_signal(reviewer: Reviewer) -> None:
    values = reviewer.signals("Hi {{Customer Name}}, your order is on its way.")
    assert values["placeholder"] == 1.0
    assert reviewer.signals("Hi Sam, your order is on its way.")["placeholder"] == 0.0


def test_defensive_signal(reviewer: Reviewer) -> None:
    assert reviewer.signals("Mistakes were made.")["defensive"] > 0.8
    assert reviewer.signals("Unfortunately we are unable to help.")["defensive"] > 0.5
    assert reviewer.signals("We made a mistake and we'll fix it.")["defensive"] == 0.0


def test_formulaic_signal(reviewer: Reviewer) -> None:
    assert (
        reviewer.signals("Hi there, thanks for reaching out! Please DM us. ^JS")["formulaic"] == 1.0
    )
    specific = (
        "The blue jacket refund was stuck in our payments queue; it's released and due Monday."
    )
    assert reviewer.signals(specific)["formulaic"] == 0.0


def test_generic_and_mirroring(reviewer: Reviewer) -> None:
    generic = reviewer.signals("Sorry about that, please DM us.", message=DELAY_MSG)
    assert generic["generic"] == 1.0
    assert generic["no_mirroring"] == 1.0
    mirrored = reviewer.signals(
        "Three weeks is far too long for a refund on the jacket - I've chased it.",
        message=DELAY_MSG,
    )
    assert mirrored["generic"] == 0.0
    assert mirrored["no_mirroring"] == 0.0


def test_apology_misplaced_signal(reviewer: Reviewer) -> None:
    assert (
        reviewer.signals("Sorry! Glad you liked it.", message=PRAISE_MSG)["apology_misplaced"]
        == 1.0
    )
    assert (
        reviewer.signals("Sorry! Glad you liked it.", message=ORDER_MSG)["apology_misplaced"] == 0.0
    )
    piled = reviewer.signals("Sorry. We apologise. Apologies again, so sorry.")
    assert piled["apology_misplaced"] == 1.0


def test_tone_mismatch_signal(reviewer: Reviewer) -> None:
    assert reviewer.signals("Awesome!! Thanks!! 😊", message=ANGRY_MSG)["tone_mismatch"] == 1.0
    assert reviewer.signals("Awesome!! Thanks!! 😊", message=PRAISE_MSG)["tone_mismatch"] == 0.0


def test_broadcast_hashtag(reviewer: Reviewer) -> None:
    c = reviewer.score_cannedness("Spooky season is here! #TrickOrTreat https://example.com/x")
    assert any(r.signal == "broadcast" and r.text == "#TrickOrTreat" for r in c.reasons)


def test_signal_values_are_in_unit_interval(reviewer: Reviewer) -> None:
    values = reviewer.signals(
        "We apologize for any inconvenience!!! Sorry. Sorry. #Ad", message=ANGRY_MSG
    )
    assert set(values) == set(SIGNALS)
    assert all(0.0 <= v <= 1.0 for v in values.values())


def test_weights_file_is_calibrated_and_non_negative() -> None:
    mdl = model()
    assert set(mdl.weights) == set(SIGNALS)
    assert all(w >= 0.0 for w in mdl.weights.values())
    assert mdl.levels == {"medium": 0.35, "high": 0.6}
    assert mdl.level(0.349) == "low"
    assert mdl.level(0.35) == "medium"
    assert mdl.level(0.6) == "high"
    assert mdl.repetition_value(0) == 0.0
    assert mdl.repetition_value(10**6) == 1.0


TEXTS = [
    "We apologize for any inconvenience. Please DM us.",
    "I'm so sorry, that sounds exhausting. What happened when you called?",
    "As previously stated, per our policy we are unable to refund. Have a great day!",
    "Hi {{Name}}, your #order is on its way 😊 — thanks for your patience.",
    "You're welcome! We're a tweet away. ^JS",
]


@pytest.mark.parametrize("text", TEXTS)
def test_trigger_gating_finds_what_ungated_matching_finds(text: str) -> None:
    lx = lexicon()
    full = sorted((m.rule.id, m.start, m.end) for m in lx.rules.find(text))
    gated = sorted((m.rule.id, m.start, m.end) for m in lx.find(text))
    assert gated == full


@given(hostile_text)
def test_trigger_gating_property(text: str) -> None:
    lx = lexicon()
    full = sorted((m.rule.id, m.start, m.end) for m in lx.rules.find(text))
    assert sorted((m.rule.id, m.start, m.end) for m in lx.find(text)) == full


@pytest.mark.parametrize("text", TEXTS)
def test_score_cannedness_matches_review(reviewer: Reviewer, text: str) -> None:
    assert reviewer.score_cannedness(text, message=ANGRY_MSG) == (
        reviewer.review(text, message=ANGRY_MSG).cannedness
    )
