"""Canned-ness signals, one by one, on hand-written replies; lexicon gating; the weights file."""

from __future__ import annotations

import pytest
from hypothesis import given

from empathic_reply._cannedness import SIGNALS, SignalShape, lexicon, model
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
    # Graded: 1 - words said outside formula / formula_words (calibrated; 30 here).
    shape = SignalShape(formula_words=30.0)
    specific = (
        "The blue jacket refund was stuck in our payments queue; it's released and due Monday."
    )
    assert reviewer.signals(specific, shape=shape)["formulaic"] == 0.5  # 15 words of content
    longer = (
        specific + " I've added a note so the courier rings twice, and I'll check on it myself."
    )
    assert reviewer.signals(longer, shape=shape)["formulaic"] == 0.0
    assert 0.0 < reviewer.signals(specific)["formulaic"] < 1.0


def test_generic_and_mirroring(reviewer: Reviewer) -> None:
    generic = reviewer.signals("Sorry about that, please DM us.", message=DELAY_MSG)
    assert generic["generic"] == 1.0
    assert generic["no_mirroring"] == 1.0
    # Pin the saturation point: the shipped one is recalibrated with the weights.
    reply = "Three weeks is far too long for a refund on the jacket - I've chased it."
    shape = SignalShape(mirror_share=0.25)
    mirrored = reviewer.signals(reply, message=DELAY_MSG, shape=shape)
    assert mirrored["generic"] == 0.0
    assert mirrored["no_mirroring"] == 0.0
    # 3 of its 7 content words are theirs: at a 0.5 saturation point, 1 - (3/7) / 0.5.
    half = reviewer.signals(reply, message=DELAY_MSG, shape=SignalShape(mirror_share=0.5))
    assert half["no_mirroring"] == pytest.approx(1 - (3 / 7) / 0.5)


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
    "I\u2019m so sorry, we\u2019re on it. Don\u2019t hesitate to DM us.",  # phone apostrophes
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


# -- redirects: canned only when the reply says nothing about the customer's situation -----

LATE_MSG = "My order #123 is 3 weeks late"


@pytest.fixture
def late_reviewer() -> Reviewer:
    from empathic_reply.models import Detail

    late = make_analysis(
        LATE_MSG,
        score=-0.5,
        intents=["complaint"],
        details=[
            Detail(kind="order_id", text="#123", start=9, end=13, personal=True),
            Detail(kind="duration", text="3 weeks", start=17, end=24, personal=False),
        ],
    )
    return Reviewer(analyzer=FakeAnalyzer({LATE_MSG: late}), personal_data=lambda _t: [])  # type: ignore[arg-type]


def test_redirect_after_naming_the_situation_is_not_canned(late_reviewer: Reviewer) -> None:
    reply = "Sorry your order #123 is three weeks late — DM us and we'll chase it"
    c = late_reviewer.score_cannedness(reply, message=LATE_MSG)
    assert "redirect" not in {r.signal for r in c.reasons}
    assert not any("without saying anything" in r.message for r in c.reasons)
    assert c.level == "low"
    # The same DM, with nothing about the situation, is a redirect reason.
    bare = late_reviewer.score_cannedness("Sorry about that, DM us.", message=LATE_MSG)
    assert "redirect" in {r.signal for r in bare.reasons}
    assert bare.score > c.score


def test_bare_dm_request_is_a_redirect_reason(late_reviewer: Reviewer) -> None:
    for message in (None, LATE_MSG):
        c = late_reviewer.score_cannedness("Please DM us.", message=message)
        redirect = [r for r in c.reasons if r.signal == "redirect"]
        assert [(r.text, r.start, r.end) for r in redirect] == [("Please DM us", 0, 12)]
        assert redirect[0].message == (
            "Redirects the customer ('Please DM us') without saying anything about their situation."
        )
        assert c.level == "high"


def test_redirect_after_one_echoed_word_is_a_weaker_truthful_reason(
    late_reviewer: Reviewer,
) -> None:
    reply = "Sorry the order is taking a while, please DM us."
    c = late_reviewer.score_cannedness(reply, message=LATE_MSG)
    redirect = [r for r in c.reasons if r.signal == "redirect"]
    assert [r.text for r in redirect] == ["please DM us"]
    # It said something (the order), so the reason must not claim it said nothing.
    assert redirect[0].message == (
        "Redirects the customer ('please DM us') while reusing little of what they wrote."
    )
    bare = late_reviewer.score_cannedness("Please DM us.", message=LATE_MSG)
    bare_redirect = next(r for r in bare.reasons if r.signal == "redirect")
    assert redirect[0].weight < bare_redirect.weight


def test_stock_phrases_count_even_with_a_specific_reply(late_reviewer: Reviewer) -> None:
    reply = (
        "We apologize for any inconvenience: your order #123 is three weeks late, DM us and "
        "we'll chase it"
    )
    c = late_reviewer.score_cannedness(reply, message=LATE_MSG)
    signals = {r.signal for r in c.reasons}
    assert "stock_phrase" in signals
    assert "redirect" not in signals


def test_naming_the_topic_in_other_words_is_not_generic() -> None:
    from empathic_reply.models import Topic

    text = "my package hasnt arrived"
    parcel = make_analysis(text, score=-0.4, intents=["complaint"]).model_copy(
        update={"topics": [Topic(label="delivery", score=0.8)]}
    )
    reviewer = Reviewer(analyzer=FakeAnalyzer(), personal_data=lambda _t: [])  # type: ignore[arg-type]
    named = reviewer.signals("Sorry the parcel is running late, DM us.", message=parcel)
    assert named["generic"] == 0.0
    assert named["no_mirroring"] == 1.0  # other words than theirs: still not mirroring
    c = reviewer.score_cannedness("Sorry the parcel is running late, DM us.", message=parcel)
    redirect = next(r for r in c.reasons if r.signal == "redirect")
    assert "reusing little of what they wrote" in redirect.message
    assert reviewer.signals("Sorry about that, DM us.", message=parcel)["generic"] == 1.0
