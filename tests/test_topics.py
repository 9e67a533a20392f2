"""Topics: rules with evidence, on hand-written support messages."""

from __future__ import annotations

import pytest

from empathic_reply._rules import RuleSet
from empathic_reply.analysis._topics import TOPIC_LABELS, TopicDetector


@pytest.fixture(scope="module")
def detector() -> TopicDetector:
    return TopicDetector(rules=RuleSet.from_package("analysis", "topics.yaml"))


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("The courier left my parcel in the rain", "delivery"),
        ("my package still hasn't been delivered", "delivery"),
        ("I placed an order last week", "order"),
        ("you charged my card twice on this bill", "billing"),
        ("when will I get my refund?", "refund"),
        ("I want to return these shoes and get my money back", "refund"),
        ("I can't log in, password reset doesn't work", "account"),
        ("the zip broke and the stitching is coming apart", "product_quality"),
        ("the agent on live chat was rude", "service"),
        ("the app crashes on my iPhone after the update", "technical"),
        ("why is it so expensive now? the price went up", "pricing"),
        ("my Prime membership renewed without asking", "subscription"),
    ],
)
def test_topic_found_with_evidence(detector: TopicDetector, text: str, topic: str) -> None:
    topics = detector.detect(text)
    found = {t.label: t for t in topics if t.score >= 0.5}
    assert topic in found
    for ev in found[topic].evidence:
        assert text[ev.start : ev.end] == ev.text
        assert ev.source.startswith(f"topic.{topic}.")


def test_no_topic_for_small_talk(detector: TopicDetector) -> None:
    assert detector.detect("lovely weather today") == []


def test_vocabulary_is_shipped(detector: TopicDetector) -> None:
    shipped = {rule.label for rule in detector.rules.rules}
    assert shipped == set(TOPIC_LABELS)


def test_scores_sorted_and_in_range(detector: TopicDetector) -> None:
    topics = detector.detect("my order was delivered damaged and I want a refund on my card")
    scores = [t.score for t in topics]
    assert scores == sorted(scores, reverse=True)
    assert all(0.3 <= s <= 1.0 for s in scores)


@pytest.mark.parametrize(
    "text",
    [
        "@BankCo i sent a dm",
        "@BankCo I emailed you the code yesterday",
        "@AcmeAir is this a #computer answering my tweets? same answers",
        "@MusicCo I want to upgrade to the family plan",
        "@MusicCo trying to update my payment details",
    ],
)
def test_contact_channels_bots_and_plan_changes_are_not_technical(text: str) -> None:
    from empathic_reply.analysis import Analyzer

    topics = {t.label for t in Analyzer().analyze(text).topics}
    assert "technical" not in topics


@pytest.mark.parametrize(
    "text",
    ["On desktop the search shortcut does nothing", "It asks me to reinstall the player"],
)
def test_desktop_app_words_are_technical(text: str) -> None:
    from empathic_reply.analysis import Analyzer

    topics = {t.label for t in Analyzer().analyze(text).topics if t.score >= 0.5}
    assert "technical" in topics


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("I want to change my return flight to Friday", "refund"),
        ("He might be clever but I don't want him in charge", "billing"),
        ("my phone won't charge overnight any more", "billing"),
    ],
)
def test_non_money_senses_are_not_money_topics(
    detector: TopicDetector, text: str, absent: str
) -> None:
    assert absent not in {t.label for t in detector.detect(text) if t.score >= 0.5}


@pytest.mark.parametrize(
    ("text", "topic"),
    [("I want to return these shoes", "refund"), ("I was charged twice this month", "billing")],
)
def test_money_senses_stay_money_topics(detector: TopicDetector, text: str, topic: str) -> None:
    assert topic in {t.label for t in detector.detect(text) if t.score >= 0.5}


# -- session 3: what was paid is context, digital content is not an order ------------------


@pytest.mark.parametrize(
    "text",
    [
        "I paid £40 for this kettle and it stopped working after two weeks",
        "Spent $25 on these earbuds and the left one is already broken",
        "paid good money for a faulty toaster",
    ],
)
def test_price_paid_for_a_faulty_thing_is_product_quality_not_billing(
    detector: TopicDetector, text: str
) -> None:
    scores = {t.label: t.score for t in detector.detect(text)}
    assert scores["product_quality"] >= 0.5
    assert scores.get("billing", 0.0) < 0.5
    assert scores.get("pricing", 0.0) < 0.5


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("I was charged twice on my card", "billing"),
        ("my payment failed again", "billing"),
        ("the invoice says I owe £20 more", "billing"),
        ("why did the price go up to £12?", "pricing"),
    ],
)
def test_charge_bill_or_payment_problems_stay_billing_or_pricing(
    detector: TopicDetector, text: str, topic: str
) -> None:
    assert topic in {t.label for t in detector.detect(text) if t.score >= 0.5}


@pytest.mark.parametrize(
    "text",
    [
        "my in-game items vanished after the patch",
        "the gun attachments are missing in multiplayer",
        "my game is missing features since the patch",
    ],
)
def test_missing_game_or_app_content_is_technical_not_order(
    detector: TopicDetector, text: str
) -> None:
    scores = {t.label: t.score for t in detector.detect(text)}
    assert scores.get("technical", 0.0) >= 0.5
    assert scores.get("order", 0.0) < 0.5
    assert scores.get("delivery", 0.0) < 0.5


def test_missing_songs_are_not_an_order(detector: TopicDetector) -> None:
    labels = {t.label for t in detector.detect("half the songs in my playlist are missing")}
    assert not labels & {"order", "delivery"}


@pytest.mark.parametrize(
    "text", ["can I use my loyalty card online?", "my gift card came in the post"]
)
def test_loyalty_and_gift_cards_are_not_billing(detector: TopicDetector, text: str) -> None:
    assert "billing" not in {t.label for t in detector.detect(text) if t.score >= 0.5}


def test_paying_for_a_connection_speed_is_technical_not_billing(detector: TopicDetector) -> None:
    scores = {
        t.label: t.score for t in detector.detect("paying for 500Mbps and getting 20, sort it")
    }
    assert scores.get("technical", 0.0) >= 0.5
    assert scores.get("billing", 0.0) < 0.5
