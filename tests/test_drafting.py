"""The drafter: selection, rotation, personalisation, privacy, late replies, hand-off."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given

from empathic_reply.drafting import Drafter, issue_phrase, sanitize_name, suggestion_phrase
from empathic_reply.history import InMemoryHistory
from empathic_reply.models import (
    Analysis,
    Cannedness,
    Detail,
    Draft,
    Emotion,
    Empathy,
    Intent,
    Review,
    Sentiment,
    Topic,
)
from empathic_reply.templates import BrandVoice, TemplatePack
from tests.strategies import hostile_text

# -- fakes and builders -----------------------------------------------------------------------

_FAMILY = {
    "anger": "anger",
    "frustration": "anger",
    "impatience": "anger",
    "worry": "fear",
    "gratitude": "joy",
    "joy": "joy",
    "confusion": "surprise",
    "disappointment": "sadness",
}


def analysis(
    text: str,
    *,
    intents: dict[str, float] | None = None,
    topics: dict[str, float] | None = None,
    emotions: dict[str, float] | None = None,
    sentiment: float = 0.0,
    details: list[tuple[str, ...]] | None = None,
    personal: tuple[str, ...] = ("order_id", "email", "phone", "account_id", "handle"),
    language: str = "en",
    needs_reply: bool = True,
) -> Analysis:
    label = "negative" if sentiment <= -0.05 else "positive" if sentiment >= 0.05 else "neutral"
    found = []
    for kind, value, *role in details or []:  # (kind, text) or (kind, text, role)
        start = text.index(value)
        found.append(
            Detail(
                kind=kind,
                text=value,
                start=start,
                end=start + len(value),
                personal=kind in personal,
                role=role[0] if role else None,
            )
        )
    return Analysis(
        text=text,
        language=language,
        sentiment=Sentiment(label=label, score=sentiment),
        intents=[Intent(label=k, score=v) for k, v in (intents or {}).items()],
        topics=[Topic(label=k, score=v) for k, v in (topics or {}).items()],
        emotions=[
            Emotion(label=k, score=v, family=_FAMILY[k])  # type: ignore[arg-type]
            for k, v in (emotions or {}).items()
        ],
        details=found,
        needs_reply=needs_reply,
    )


class FakeAnalyzer:
    def __init__(self, *known: Analysis) -> None:
        self.known = {a.text: a for a in known}
        self.batches: list[int] = []

    def analyze(self, text: str) -> Analysis:
        return self.known.get(text) or analysis(text)

    def analyze_many(self, texts, *, batch_size: int = 256) -> list[Analysis]:
        texts = list(texts)
        self.batches.append(len(texts))
        return [self.analyze(t) for t in texts]


class FakeReviewer:
    def __init__(self, high: tuple[str, ...] = ()) -> None:
        self.high = high

    def review(self, reply, *, message=None, channel=None, repeats=None) -> Review:
        level = "high" if any(h in reply for h in self.high) else "low"
        return Review(
            text=reply,
            channel=channel,
            cannedness=Cannedness(score=0.8 if level == "high" else 0.1, level=level),
            empathy=Empathy(),
        )


def fake_personal(text: str) -> list[Detail]:
    pattern = r"[\w.+-]+@[\w-]+\.\w+|\+?\d[\d ()-]{6,}\d|#\d{3,}"
    return [
        Detail(kind="x", text=m.group(), start=m.start(), end=m.end(), personal=True)
        for m in re.finditer(pattern, text)
    ]


REFUND = analysis(
    "Still waiting on my refund, 3 weeks now. Order #12345, email jo@example.com",
    intents={"complaint": 0.9},
    topics={"refund": 0.9},
    emotions={"frustration": 0.7},
    sentiment=-0.6,
    details=[("duration", "3 weeks"), ("order_id", "#12345"), ("email", "jo@example.com")],
)
THANKS = analysis(
    "thanks so much, all sorted!",
    intents={"thanks": 0.95},
    emotions={"gratitude": 0.8},
    sentiment=0.8,
    needs_reply=False,
)
PRAISE = analysis(
    "Love the new Echo Dot, you guys are great",
    intents={"praise": 0.9},
    emotions={"joy": 0.8},
    sentiment=0.9,
    details=[("product", "Echo Dot")],
)


def drafter(*known: Analysis, pack: TemplatePack | None = None, **options) -> Drafter:
    options.setdefault("reviewer", FakeReviewer())
    options.setdefault("personal_data", fake_personal)
    return Drafter(
        analyzer=FakeAnalyzer(REFUND, THANKS, PRAISE, *known),
        templates=pack or TemplatePack.default(),
        history=options.pop("history", InMemoryHistory()),
        **options,
    )


TINY = """
version: 1
variants:
  - id: tiny.refund.wait.v1
    intents: [complaint]
    topics: [refund]
    apology: true
    requires: [wait]
    body: >-
      {{ greeting }} {{ wait }} without {{ issue }} is too long, and I'm sorry.
      I'm checking {{ order }} now.
  - id: tiny.refund.plain.v1
    intents: [complaint]
    topics: [refund]
    apology: true
    body: >-
      {{ greeting }} I'm sorry about {{ issue }}. Let me look at {{ order }}.
  - id: tiny.other.v1
    intents: [other]
    body: >-
      {{ greeting }} thanks for writing to {{ brand }}.
"""


# -- selection and personalisation ------------------------------------------------------------


def test_complaint_mirrors_the_customers_specifics():
    draft = drafter().draft(REFUND.text, customer_name="sam", channel="private")
    assert isinstance(draft, Draft)
    assert draft.text.startswith("Hi Sam,")
    assert "3 weeks" in draft.text
    assert draft.template_id.startswith("refund.")
    assert 0.0 <= draft.fit <= 1.0
    assert not draft.needs_human


def test_private_draft_may_use_the_order_number():
    pack = TemplatePack.from_text(TINY)
    draft = drafter(pack=pack).draft(REFUND.text, customer_name="Sam", channel="private")
    assert draft.text == (
        "Hi Sam, 3 weeks without your refund is too long, and I'm sorry. "
        "I'm checking order #12345 now."
    )
    assert draft.template_id == "tiny.refund.wait.v1"


def test_public_draft_never_echoes_personal_data():
    pack = TemplatePack.from_text(TINY)
    draft = drafter(pack=pack).draft(REFUND.text, customer_name="Sam", channel="public")
    assert "#12345" not in draft.text
    assert "jo@example.com" not in draft.text
    assert "your order" in draft.text


def test_public_drafts_from_the_real_pack_never_echo_personal_data():
    d = drafter()
    for _ in range(10):
        draft = d.draft(REFUND.text, channel="public", thread_id="t")
        for alt in [draft.text, *(a.text for a in draft.alternatives)]:
            assert "12345" not in alt
            assert "jo@example.com" not in alt


def test_a_draft_that_would_leak_is_never_returned():
    pack = TemplatePack.from_text(TINY)

    def flags_checking(text: str) -> list[Detail]:
        # Pretend the first variant's wording is personal data: the drafter must move on.
        return [Detail(kind="x", text="checking", start=0, end=8, personal=True)] * (
            "checking" in text
        )

    draft = drafter(pack=pack, personal_data=flags_checking).draft(REFUND.text, channel="public")
    assert draft.template_id == "tiny.refund.plain.v1"
    assert "checking" not in draft.text


def test_thanks_only_gets_a_short_warm_reply():
    d = drafter()
    for _ in range(6):
        draft = d.draft(THANKS.text, customer_name="Ana", thread_id="x")
        assert draft.template_id.startswith("thanks.")
        assert len(draft.text) <= 160
        assert draft.text.count(".") + draft.text.count("!") <= 3
        assert "sorry" not in draft.text.lower()


def test_praise_never_gets_an_apology():
    d = drafter()
    for _ in range(10):
        draft = d.draft(PRAISE.text, thread_id="p")
        variant = TemplatePack.default()[draft.template_id]
        assert not variant.spec.apology
        assert "sorry" not in draft.text.lower()


def test_praise_mirrors_the_product_when_it_can():
    draft = drafter().draft(PRAISE.text)
    assert "Echo Dot" in draft.text


def test_brand_voice_sign_off_and_brand():
    voice = BrandVoice(sign_off="– Ana at Acme", brand_name="Acme")
    pack = TemplatePack.from_text(TINY)
    draft = drafter(pack=pack, voice=voice).draft("hello?", channel="private")
    assert draft.text == "Hi there, thanks for writing to Acme.\n– Ana at Acme"


# -- rotation ---------------------------------------------------------------------------------


def test_same_inputs_and_history_give_the_same_draft():
    first = [drafter().draft(REFUND.text, thread_id="t").text for _ in range(1)]
    again = [drafter().draft(REFUND.text, thread_id="t").text for _ in range(1)]
    assert first == again
    a, b = drafter(), drafter()
    seq_a = [a.draft(REFUND.text, thread_id="t", customer_id="c").template_id for _ in range(5)]
    seq_b = [b.draft(REFUND.text, thread_id="t", customer_id="c").template_id for _ in range(5)]
    assert seq_a == seq_b


def test_a_thread_does_not_get_the_same_wording_twice():
    d = drafter()
    ids = [d.draft(REFUND.text, thread_id="t1", channel="public").template_id for _ in range(5)]
    assert len(set(ids)) == 5


def test_a_customer_does_not_get_the_same_wording_twice_across_threads():
    d = drafter()
    ids = [
        d.draft(REFUND.text, thread_id=f"t{i}", customer_id="c1", channel="private").template_id
        for i in range(4)
    ]
    assert len(set(ids)) == 4


def test_team_rotation_spreads_similar_messages():
    d = drafter()
    texts = [d.draft(THANKS.text, thread_id=f"t{i}").text for i in range(6)]
    assert len(set(texts)) >= 4


def test_history_is_recorded():
    history = InMemoryHistory()
    draft = drafter(history=history).draft(REFUND.text, thread_id="t", customer_id="c")
    assert history.recent(thread_id="t") == [draft.template_id]
    assert history.team_recency([draft.template_id]) == {draft.template_id: 1}


def test_alternatives_are_three_distinct_other_drafts():
    draft = drafter().draft(REFUND.text, channel="public")
    texts = [a.text for a in draft.alternatives]
    assert len(texts) == 3
    assert len({*texts, draft.text}) == 4
    assert all(0.0 <= a.fit <= 1.0 for a in draft.alternatives)


def test_a_canned_draft_is_swapped_for_the_next_best():
    pack = TemplatePack.from_text(TINY)
    reviewer = FakeReviewer(high=("is too long",))
    draft = drafter(pack=pack, reviewer=reviewer).draft(REFUND.text, channel="private")
    assert draft.template_id == "tiny.refund.plain.v1"
    assert draft.review.cannedness.level == "low"


def test_draft_cost_does_not_grow_with_history():
    small, big = InMemoryHistory(), InMemoryHistory()
    for i in range(100_000):
        big.record(f"noise{i % 200}.v1", f"t{i % 5000}", f"c{i % 3000}")
    d_small, d_big = drafter(history=small), drafter(history=big)

    def once(d: Drafter) -> float:
        start = time.perf_counter()
        for n in range(30):
            d.draft_from_analysis(REFUND, thread_id=f"q{n}", customer_id=f"q{n}")
        return time.perf_counter() - start

    once(d_small), once(d_big)  # warm up both
    # Alternate and keep the best of each, so a busy machine slows both alike.
    best_small = best_big = float("inf")
    for _ in range(9):
        best_small = min(best_small, once(d_small))
        best_big = min(best_big, once(d_big))
    assert best_big / best_small < 1.3


# -- late replies -----------------------------------------------------------------------------

NOW = datetime(2024, 5, 6, 15, 0, tzinfo=timezone.utc)


def test_late_public_reply_owns_the_delay():
    draft = drafter().draft(
        THANKS.text.replace("thanks", "hey, thanks"),
        received_at=NOW - timedelta(hours=3),
        now=NOW,
    )
    assert "3 hours" in draft.text


def test_late_reply_on_a_complaint():
    draft = drafter().draft(
        REFUND.text, customer_name="Sam", received_at=NOW - timedelta(days=2), now=NOW
    )
    assert "2 days" in draft.text
    assert draft.text.startswith("Hi Sam, ")
    # The sentence after the ownership sentence starts with a capital letter.
    after = draft.text.split("2 days", 1)[1]
    sentence_start = re.search(r"[.!?] (\w)", after)
    assert sentence_start is not None
    assert not sentence_start.group(1)[0].islower()


def test_thresholds_depend_on_the_channel():
    d = drafter()
    received = NOW - timedelta(hours=2)
    public = d.draft(REFUND.text, channel="public", received_at=received, now=NOW)
    private = d.draft(REFUND.text, channel="private", received_at=received, now=NOW)
    assert "2 hours" in public.text
    assert "2 hours" not in private.text


def test_a_prompt_reply_does_not_mention_time():
    draft = drafter().draft(REFUND.text, received_at=NOW - timedelta(minutes=20), now=NOW)
    assert "minutes" not in draft.text
    assert "hour" not in draft.text


def test_naive_times_are_utc():
    naive = drafter().draft(
        REFUND.text, received_at=datetime(2024, 5, 6, 10), now=datetime(2024, 5, 6, 15)
    )
    aware = drafter().draft(REFUND.text, received_at=NOW - timedelta(hours=5), now=NOW)
    assert naive.text == aware.text


def test_late_sentences_vary_with_the_message():
    sentences = set()
    for i in range(12):
        msg = analysis(
            f"my refund still isn't here ({i})",
            intents={"complaint": 0.9},
            topics={"refund": 0.9},
            sentiment=-0.5,
        )
        draft = drafter(msg).draft(msg.text, received_at=NOW - timedelta(days=1), now=NOW)
        sentences.add(draft.text.split(".")[0])
    assert len(sentences) >= 3


# -- hand-off ---------------------------------------------------------------------------------


def _codes(draft: Draft) -> set[str]:
    return {w.code for w in draft.warnings}


@pytest.mark.parametrize(
    ("built", "code"),
    [
        (analysis("I will take you to court", intents={"complaint": 0.6}), "legal"),
        (analysis("the charger caught fire last night", intents={"complaint": 0.8}), "safety"),
        (
            analysis("cancel or I'm going to the press", intents={"escalation_threat": 0.8}),
            "escalation_threat",
        ),
        (analysis("¿Dónde está mi pedido?", language="es"), "not_english"),
        (analysis("??? !!! ...", language="unknown"), "unintelligible"),
        (analysis("   "), "empty_message"),
        (
            analysis(
                "THIS IS DISGUSTING, WORST COMPANY EVER",
                intents={"complaint": 0.9},
                emotions={"anger": 0.9},
                sentiment=-0.9,
            ),
            "very_angry_public",
        ),
    ],
)
def test_hand_off_with_a_reason_and_still_a_safe_draft(built, code):
    draft = drafter(built).draft(built.text, channel="public")
    assert draft.needs_human
    assert code in _codes(draft)
    assert draft.text.strip()
    assert "{{" not in draft.text


def test_no_fitting_template():
    pack = TemplatePack.from_text(TINY).without("tiny.other.v1")
    built = analysis("what time do you open?", intents={"question": 0.9})
    draft = drafter(built, pack=pack).draft(built.text, channel="public")
    assert draft.needs_human
    assert "no_fitting_template" in _codes(draft)
    assert draft.template_id.startswith("builtin.holding.")
    assert "DM" in draft.text


def test_a_frightened_customer_is_not_handed_off_as_angry():
    built = analysis(
        "I'm so scared, my insulin delivery hasn't come and I need it tonight",
        intents={"complaint": 0.9},
        emotions={"worry": 0.9},
        sentiment=-0.95,
    )
    assert "very_angry_public" not in _codes(drafter(built).draft(built.text, channel="public"))


def test_an_ordinary_complaint_is_not_handed_off():
    assert not drafter().draft(REFUND.text).needs_human


# -- names and issues -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sam", "Sam"),
        ("  Sam Lee ", "Sam"),
        ("ZOË", "ZOË"),
        ("zoë", "Zoë"),
        ("José María", "José"),
        ("o'brien", "O'Brien"),
        ("李雷", "李雷"),
        ("jane.doe@example.com", ""),
        ("@sam_k", ""),
        ("https://example.com", ""),
        ("{{ 7*7 }}", ""),
        ("{% for x in y %}", ""),
        ("sam123", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_sanitize_name(raw, expected):
    assert sanitize_name(raw) == expected


def test_sanitize_name_type_error():
    with pytest.raises(TypeError, match="customer_name"):
        sanitize_name(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "topics", "intent", "expected"),
    [
        ("my flight was cancelled and nobody told me", {}, "complaint", "your cancelled flight"),
        ("Still waiting on my refund", {"refund": 0.9}, "complaint", "your refund"),
        ("parcel is late again", {"delivery": 0.8}, "complaint", "your late parcel"),
        ("where is it?? still waiting", {"delivery": 0.8}, "complaint", "the late delivery"),
        ("the WiFi keeps dropping", {"technical": 0.8}, "complaint", "the problem with the WiFi"),
        ("my PS4 is broken", {}, "complaint", "your broken PS4"),
        ("can't log in since the update", {"account": 0.8}, "complaint", "the login problem"),
        ("you charged me twice!!", {"billing": 0.8}, "complaint", "the double charge"),
        ("my account got locked", {"account": 0.8}, "complaint", "your locked account"),
        ("the app keeps crashing", {"technical": 0.8}, "complaint", "the problem with the app"),
        ("how do I change my address?", {}, "question", "your question"),
        ("internet is down again", {}, "complaint", "the problem with your internet"),
        ("you are the best", {}, "praise", "your kind words"),
        ("hmm", {}, "other", "this"),
        # Nothing of theirs is named: their own "not sorted" beats "what happened".
        (
            "If this isn't sorted by Monday I'll sue",
            {},
            "escalation_threat",
            "the problem that still isn't sorted",
        ),
        (
            "still not fixed, going to the regulator",
            {},
            "escalation_threat",
            "the problem that still isn't fixed",
        ),
        (
            "if you don't resolve this I'm going to court",
            {},
            "escalation_threat",
            "the problem that still isn't resolved",
        ),
        ("I'm reporting you to the regulator", {}, "escalation_threat", "your complaint"),
        ("Is it sorted now?", {}, "question", "your question"),
        # A person asked for is not a thing to check ("your technician").
        ("I'd like to talk to an engineer please", {}, "request", "access to an engineer"),
        ("can I speak with a real person", {}, "request", "access to a person"),
        ("I'd like to talk to an engineer about my router", {}, "request", "your router"),
        ("time to up your game", {}, "feedback", "your feedback"),
        ("let me hide old contacts in order to make room", {}, "request", "what you asked for"),
        ("you charged me £36 twice!", {"billing": 0.8}, "complaint", "the double charge"),
    ],
)
def test_issue_phrase(text, topics, intent, expected):
    built = analysis(text, topics=topics, intents={intent: 0.9} if intent != "other" else {})
    assert issue_phrase(built) == expected


def test_customer_text_never_reaches_the_template_engine():
    hostile = analysis(
        "my {{ 7*7 }} broke {% for x in range(3) %}",
        intents={"complaint": 0.9},
        topics={"product_quality": 0.8},
        details=[("product", "{{ 7*7 }}"), ("duration", "{% for x in range(3) %}")],
    )
    draft = drafter(hostile).draft(hostile.text, customer_name="{{ ''.__class__.__mro__ }}")
    assert "49" not in draft.text
    assert "{{" not in draft.text
    assert "{%" not in draft.text
    assert draft.text.startswith("Hi there,")


# -- API edges --------------------------------------------------------------------------------


def test_bad_arguments():
    d = drafter()
    with pytest.raises(TypeError, match="message"):
        d.draft(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="customer_name"):
        d.draft("hi", customer_name=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="channel"):
        d.draft("hi", channel="email")  # type: ignore[arg-type]


def test_draft_many_keeps_order_and_batches():
    d = drafter()
    analyzer = d.analyzer
    assert isinstance(analyzer, FakeAnalyzer)
    drafts = d.draft_many([REFUND.text, THANKS.text, PRAISE.text], customer_names=["a", None, "c"])
    assert [x.analysis.text for x in drafts] == [REFUND.text, THANKS.text, PRAISE.text]
    assert drafts[0].text.startswith("Hi A,")
    assert drafts[1].text.startswith("Hi there,")
    assert analyzer.batches == [3]
    with pytest.raises(ValueError, match="customer_names"):
        d.draft_many(["a", "b"], customer_names=["x"])
    with pytest.raises(TypeError, match=r"messages\[1\]"):
        d.draft_many(["a", 2])  # type: ignore[list-item]


def test_draft_is_json_serialisable():
    draft = drafter().draft(REFUND.text)
    assert Draft.model_validate_json(draft.model_dump_json()) == draft


@given(hostile_text)
def test_any_message_gives_a_draft(text):
    draft = drafter().draft(text)
    assert draft.text.strip()
    assert "{{" not in draft.text


# -- end to end through the real engine ------------------------------------------------------


def test_engine_public_draft_hides_personal_data(engine):
    message = (
        "My order #884512 never arrived, 2 weeks now. Call me on 07700 900123 or "
        "email jo.doe@example.com"
    )
    # A fresh history: the shared engine's rotation state depends on which tests ran before.
    from empathic_reply.engine import Engine

    draft = Engine(analyzer=engine.analyzer).draft(message, customer_name="jo", channel="public")
    from empathic_reply.details import find_personal_data

    assert not find_personal_data(draft.text)
    for secret in ("884512", "07700", "jo.doe@example.com"):
        assert secret not in draft.text
        assert all(secret not in a.text for a in draft.alternatives)
    assert draft.text.startswith("Hi Jo,")


def test_engine_thanks_only(engine):
    draft = engine.draft("Thank you so much!!", customer_name="Priya")
    assert len(draft.text) <= 160
    assert "sorry" not in draft.text.lower()


def test_engine_private_draft_can_name_the_order(engine):
    draft = engine.draft("My order #884512 never arrived", channel="private")
    assert draft.text.strip()
    assert draft.analysis.details


@given(hostile_text)
def test_engine_any_message_gives_a_draft(engine, text):
    draft = engine.draft(text)
    assert draft.text.strip()
    assert "{{" not in draft.text
    assert "{%" not in draft.text
    assert "None" not in draft.text.replace("None of", "")


# -- rotation of wording across the team --------------------------------------------------------


def test_a_reused_variant_cycles_its_greeting():
    pack = TemplatePack.from_text(TINY)
    d = drafter(pack=pack)
    texts = [d.draft("hello?", customer_name="Sam", channel="private").text for _ in range(7)]
    assert texts[0] == "Hi Sam, thanks for writing to the team."
    assert texts[1] == "Hey Sam, thanks for writing to the team."
    assert texts[2] == "Sam, thanks for writing to the team."
    assert texts[3] == "Hi Sam! Thanks for writing to the team."
    assert "Thanks for writing to the team." in texts
    assert len(set(texts)) == 7


def test_a_fixed_greeting_voice_never_varies():
    pack = TemplatePack.from_text(TINY)
    d = drafter(pack=pack, voice=BrandVoice(vary_greeting=False))
    texts = {d.draft("hello?", customer_name="Sam", channel="private").text for _ in range(4)}
    assert texts == {"Hi Sam, thanks for writing to the team."}


def test_a_late_reply_after_an_exclamation_greeting_starts_a_sentence():
    pack = TemplatePack.from_text(TINY)
    d = drafter(pack=pack)
    for _ in range(3):
        d.draft("hello?", customer_name="Sam", channel="private")
    draft = d.draft(
        "hello?",
        customer_name="Sam",
        channel="private",
        received_at=NOW - timedelta(days=2),
        now=NOW,
    )
    assert draft.text.startswith("Hi Sam! ")
    assert draft.text[len("Hi Sam! ")].isupper()


def test_the_team_rarely_sends_the_same_text_twice():
    d = drafter()
    texts = [d.draft(REFUND.text, channel="public").text for _ in range(30)]
    assert len(set(texts)) == 30


def test_a_variant_whose_cues_do_not_match_is_never_picked():
    built = analysis(
        "Cuts out every 20 minutes this is ridiculous",
        intents={"complaint": 0.9},
        topics={"billing": 0.6, "technical": 0.6},
        sentiment=-0.6,
    )
    d = drafter(built)
    for _ in range(20):
        draft = d.draft(built.text, channel="public")
        assert "charged_twice" not in draft.template_id
        assert all("charged_twice" not in a.template_id for a in draft.alternatives)


def test_a_context_free_follow_up_gets_a_question_not_a_guess():
    built = analysis("Yep", intents={}, sentiment=0.0)
    d = drafter(built)
    texts = set()
    for _ in range(12):
        draft = d.draft(built.text, channel="public")
        assert draft.template_id.startswith("other.")
        assert " this?" not in draft.text
        assert draft.text.lower().count("this") <= 1
        texts.add(draft.text)
    assert len(texts) == 12


def test_an_unreadable_message_is_handed_off_without_asking_for_anything():
    built = analysis("こちらこそありがとうございました。", language="ja")
    draft = drafter(built).draft(built.text, channel="public")
    assert draft.needs_human
    assert draft.template_id.startswith("builtin.handoff.unread.")
    assert "DM" not in draft.text


# -- regression table: ordinary messages, analysis as given -----------------------------------
# Each row is a message with the analysis the analyser gave it (taken as given, gaps and all),
# and what the *selection* must make of it: the family of the chosen variant (by its intents,
# topics and emotions, not its exact id) and properties every pick must have.

_PACK = TemplatePack.default()
_PAST_ACTION = re.compile(
    r"\b(?:I|we)(?:'ve| have) (?:already )?(?:asked|read|made sure|passed|flagged|shared|put|"
    r"recorded|logged|noted|briefed|opened|escalated|marked|gone through|nudged|checked|added|"
    r"reported|forwarded|contacted|raised|spoken|reviewed|sent|told)\b|several chances",
    re.IGNORECASE,
)


def _spec(draft: Draft):
    return _PACK[draft.template_id].spec


def _escalation(d: Draft) -> None:
    assert "escalation_threat" in _spec(d).intents
    assert "date we gave" not in d.text
    assert "Friday" not in d.text
    assert d.needs_human


def _request_not_sorry(d: Draft) -> None:
    assert "request" in _spec(d).intents
    assert not _spec(d).apology


def _cancellation(d: Draft) -> None:
    assert "cancellation" in _spec(d).intents
    assert "reasonable request" not in d.text


def _feature_request(d: Draft) -> None:
    spec = _spec(d)
    assert "request" in spec.intents or "feedback" in spec.intents
    assert "confusion" not in spec.emotions
    assert "untangle" not in d.text
    assert "clearer" not in d.text


def _praise(d: Draft) -> None:
    assert "praise" in _spec(d).intents
    assert "coming back" not in d.text


def _not_confused(d: Draft) -> None:
    spec = _spec(d)
    assert "complaint" in spec.intents
    assert "confusion" not in spec.emotions
    assert "confused" not in d.text.lower()


def _worried(d: Draft) -> None:
    # Rotation may reach a plain delivery apology, but never an angry or formal-blame one.
    spec = _spec(d)
    assert "worry" in spec.emotions or spec.emotions[:1] != ["anger"]
    assert "failure" not in d.text


def _topic_complaint(d: Draft) -> None:
    spec = _spec(d)
    assert not d.template_id.startswith("other.")
    assert "complaint" in spec.intents
    assert not spec.topics or "delivery" in spec.topics
    assert "context" not in d.text


def _question_not_sorry(d: Draft) -> None:
    assert "question" in _spec(d).intents or "request" in _spec(d).intents
    assert not _spec(d).apology


def _outage(d: Draft) -> None:
    spec = _spec(d)
    assert "complaint" in spec.intents or "question" in spec.intents
    assert not spec.topics or "technical" in spec.topics


def _plain_thanks(d: Draft) -> None:
    assert _spec(d).intents == ["thanks"]
    assert not re.search(r"worked|sorted|resolved|coming back", d.text)


REGRESSIONS = [
    (
        analysis(
            "If this isn't sorted by Friday I'm contacting my lawyer and the ombudsman.",
            intents={"escalation_threat": 0.96, "complaint": 0.3},
            sentiment=-0.11,
            details=[("date", "Friday")],
        ),
        _escalation,
    ),
    (
        analysis(
            "Could you send me an invoice for my last order please?",
            intents={"request": 0.86, "question": 0.84, "complaint": 0.42},
            topics={"billing": 0.55, "order": 0.55},
            sentiment=0.14,
        ),
        _request_not_sorry,
    ),
    (
        analysis(
            "Worst customer service ever. Never ordering again.",
            intents={"complaint": 0.99, "cancellation": 0.6},
            topics={"order": 0.55, "service": 0.5},
            emotions={"frustration": 0.7},
            sentiment=-0.65,
        ),
        _cancellation,
    ),
    (
        analysis(
            "Can you add an option to pause deliveries while I'm on holiday?",
            intents={"question": 0.84, "request": 0.6, "complaint": 0.42},
            topics={"delivery": 0.6},
            emotions={"confusion": 0.46},
            sentiment=0.27,
        ),
        _feature_request,
    ),
    (
        analysis(
            "Just wanted to say Priya at the Leeds store was brilliant today, thank you!",
            intents={"praise": 0.71, "thanks": 0.70},
            topics={"service": 0.5},
            emotions={"gratitude": 0.83},
            sentiment=0.81,
            details=[("date", "today")],
        ),
        _praise,
    ),
    (
        analysis(
            "I want to cancel my subscription. This is the third time the service has gone "
            "down this week.",
            intents={"complaint": 0.8, "cancellation": 0.7, "request": 0.55},
            topics={"subscription": 0.55, "service": 0.5, "technical": 0.3},
            emotions={"frustration": 0.6},
            sentiment=-0.23,
            details=[("date", "this week")],
        ),
        _cancellation,
    ),
    (
        analysis(
            "Oh wonderful, another delay 🙄",
            intents={"complaint": 0.8},
            topics={"delivery": 0.6},
            emotions={"frustration": 0.7},
            sentiment=-0.88,
        ),
        _not_confused,
    ),
    (
        analysis(
            "I'm really worried, my prescription delivery hasn't arrived and I need it tonight.",
            intents={"complaint": 0.97, "request": 0.55},
            topics={"delivery": 0.84},
            emotions={"worry": 0.8},
            sentiment=-0.95,
            details=[("date", "tonight")],
        ),
        _worried,
    ),
    (
        analysis(
            "Your driver left my parcel in the rain and now the blender box is soaked through.",
            topics={"delivery": 0.94, "service": 0.5},
            sentiment=-0.09,
        ),
        _topic_complaint,
    ),
    (
        analysis(
            "Huge thanks to Dave on the helpline, he sorted my booking in minutes",
            intents={"praise": 0.8, "thanks": 0.75},
            topics={"service": 0.5},
            emotions={"gratitude": 0.8},
            sentiment=0.8,
        ),
        _praise,
    ),
    (
        analysis(
            "How long does a refund usually take to reach my card?",
            intents={"question": 0.85},
            topics={"refund": 0.65},
            sentiment=0.0,
        ),
        _question_not_sorry,
    ),
    (
        analysis(
            "When will I be billed for my annual plan?",
            intents={"question": 0.84},
            topics={"billing": 0.6, "subscription": 0.55},
            sentiment=0.0,
        ),
        _question_not_sorry,
    ),
    (
        analysis(
            "It would be great if you could add a dark mode to the website",
            intents={"request": 0.7, "feedback": 0.5},
            topics={"technical": 0.6},
            sentiment=0.6,
        ),
        _feature_request,
    ),
    (
        analysis(
            "Is the app down? Nothing has loaded since 9am",
            intents={"complaint": 0.7, "question": 0.6},
            topics={"technical": 0.7},
            emotions={"frustration": 0.5},
            sentiment=-0.3,
        ),
        _outage,
    ),
    (
        analysis(
            "thanks!!",
            intents={"thanks": 0.7},
            emotions={"gratitude": 0.84},
            sentiment=0.68,
        ),
        _plain_thanks,
    ),
]


@pytest.mark.parametrize(
    ("built", "check"), REGRESSIONS, ids=[row[0].text[:32] for row in REGRESSIONS]
)
def test_selection_regressions(built, check):
    d = drafter(built)
    # Every pick in a rotation must fit, not just the first one.
    for _ in range(8):
        draft = d.draft(built.text, customer_name="Sam", channel="public")
        check(draft)
        assert not _PAST_ACTION.search(draft.text)
        complaint = {i.label: i.score for i in built.intents}.get("complaint", 0.0)
        if complaint < 0.5 and built.sentiment.score > -0.4 and built.intents:
            assert not _spec(draft).apology, draft.template_id


def test_no_shipped_variant_claims_a_past_action():
    claims = [
        (variant.id, match.group())
        for variant in _PACK.variants
        for match in [_PAST_ACTION.search(" ".join(variant.spec.body.split()))]
        if match
    ]
    assert claims == []


def test_no_builtin_reply_claims_a_past_action():
    from empathic_reply import drafting

    for body in (*drafting._HOLDING["public"], *drafting._HOLDING["private"], *drafting._UNREAD):
        assert not _PAST_ACTION.search(body), body


def test_a_date_alone_never_picks_a_missed_date_variant():
    built = analysis(
        "Please can someone call me on Friday about my delivery",
        intents={"complaint": 0.6, "request": 0.6},
        topics={"delivery": 0.8},
        sentiment=-0.1,
        details=[("date", "Friday")],
    )
    d = drafter(built)
    for _ in range(12):
        draft = d.draft(built.text, channel="public")
        assert "date.missed" not in draft.template_id
        assert "date we gave" not in draft.text


def test_an_emotion_the_customer_did_not_show_is_never_named():
    built = analysis(
        "My parcel is late again",
        intents={"complaint": 0.9},
        topics={"delivery": 0.8},
        sentiment=-0.5,
    )
    d = drafter(built)
    for _ in range(20):
        draft = d.draft(built.text, channel="public")
        assert not _spec(draft).emotion_required, draft.template_id


def test_worry_is_answered_with_worried_variants_first():
    built = REGRESSIONS[7][0]
    d = drafter(built)
    picks = [_spec(d.draft(built.text, channel="public")) for _ in range(8)]
    assert "worry" in picks[0].emotions
    assert sum("worry" in spec.emotions for spec in picks) >= 6


def test_a_side_topic_does_not_pick_the_variant(engine):
    # "Order" is a side topic of a refund message: a delivery body would talk past it.
    from empathic_reply.engine import Engine

    fresh = Engine(analyzer=engine.analyzer)
    for channel in ("public", "private"):
        draft = fresh.draft(
            "Still waiting on my refund, 3 weeks now. Order #84412", channel=channel
        )
        ids = [draft.template_id, *(a.template_id for a in draft.alternatives)]
        assert not any(i.startswith("delivery.") for i in ids), ids
        assert "refund" in draft.text


CRITICAL_FEEDBACK = analysis(
    "Please do better with your service",
    intents={"feedback": 0.6, "request": 0.45, "complaint": 0.4},
    sentiment=-0.3,
)


@pytest.mark.parametrize("high", [(), ("",)], ids=["reviewed-low", "all-canned"])
def test_critical_feedback_never_gets_a_praise_or_thanks_variant(high):
    # "" is in every reply: every candidate reads canned, so the drafter widens the ranking
    # beyond the leading intent and falls back to the least canned one. Neither step may
    # reach a body that thanks the customer for "telling us what's working".
    d = drafter(CRITICAL_FEEDBACK, reviewer=FakeReviewer(high=high))
    for _ in range(10):
        draft = d.draft(CRITICAL_FEEDBACK.text, channel="public")
        assert _spec(draft).intents[0] not in {"praise", "thanks"}, draft.template_id
        assert "working" not in draft.text
        for alternative in draft.alternatives:
            assert _PACK[alternative.template_id].spec.intents[0] not in {"praise", "thanks"}


def test_a_sarcastic_thanks_on_a_complaint_gets_no_cheerful_reply():
    built = analysis(
        "Thanks a lot, the blender arrived in pieces",
        intents={"thanks": 0.6, "complaint": 0.55},
        topics={"delivery": 0.6},
        sentiment=-0.5,
    )
    d = drafter(built)
    for _ in range(8):
        draft = d.draft(built.text, channel="public")
        assert _spec(draft).intents[0] not in {"praise", "thanks"}, draft.template_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Could you add a setting to skip a week while I'm away?",
            "a setting to skip a week while you're away",
        ),
        ("How about adding a night theme to the app?", "a night theme"),
        ("What if you had a discount for students", "a discount for students"),
        ("It would be lovely if you could add a night theme to the app", "a night theme"),
        ("wish you'd let me change my delivery slot", "a way to let you change your delivery slot"),
        ("You should have called me back", ""),
        ("You should sack your useless drivers", ""),
        ("Please add my number 07700 900123 to the account", ""),
        ("My parcel is late again", ""),
    ],
)
def test_suggestion_phrase(text, expected):
    assert suggestion_phrase(text) == expected


def test_a_feature_suggestion_is_mirrored_in_the_draft():
    built = analysis(
        "Could you add a setting to skip a week while I'm away?",
        intents={"request": 0.7, "question": 0.6, "feedback": 0.5},
        sentiment=0.1,
    )
    d = drafter(built)
    for channel in ("public", "private"):
        draft = d.draft(built.text, channel=channel)
        assert "a setting to skip a week while you're away" in draft.text, draft.text


DEADLINE_THREAT = analysis(
    "If my boiler isn't fixed by Friday I'm calling my solicitor and the ombudsman",
    intents={"escalation_threat": 0.93, "complaint": 0.3},
    sentiment=-0.2,
    details=[("date", "Friday", "deadline")],
)


def test_a_deadline_is_not_the_date_of_an_incident():
    # "by Friday" is when they need it done, not a day something went wrong: no "sorry
    # Friday went the way it did" or "having the date (Friday) helps".
    d = drafter(DEADLINE_THREAT)
    values = d._values(DEADLINE_THREAT, "public", "")
    assert (values["date"], values["deadline"], values["promised"]) == ("", "Friday", "Friday")
    for channel in ("public", "private"):
        for _ in range(6):
            draft = d.draft(DEADLINE_THREAT.text, channel=channel)
            assert draft.template_id.startswith("escalation."), draft.template_id
            assert "before Friday" in draft.text or "by Friday" in draft.text, draft.text
            assert "what happened" not in draft.text


def test_every_escalation_variant_names_the_deadline():
    values = {
        "greeting": "Hi Sam,",
        "issue": "the problem that still isn't fixed",
        "order": "your order",
        "brand": "Acme",
        "channel": "public",
        **dict.fromkeys(("name", "product", "wait", "date", "promised", "agent", "suggestion"), ""),
        "amount": "£40",
        "deadline": "Friday",
    }
    for variant in _PACK.variants:
        if variant.id.startswith("escalation."):
            values["channel"] = "private" if ".private." in variant.id else "public"
            assert "Friday" in variant.render(values, voice=BrandVoice()), variant.id


def test_a_promised_date_and_the_day_it_is_are_told_apart():
    built = analysis(
        "My parcel was due Monday and it's now Thursday",
        intents={"complaint": 0.9},
        topics={"delivery": 0.8},
        emotions={"frustration": 0.7},
        sentiment=-0.6,
        details=[("date", "Monday", "promised"), ("date", "Thursday")],
    )
    d = drafter(built)
    values = d._values(built, "private", "")
    assert (values["date"], values["promised"], values["deadline"]) == ("Thursday", "Monday", "")
    assert (
        _PACK["delivery.date.missed.private.v1"]
        .render(values, voice=BrandVoice())
        .count("by Monday")
        == 1
    )


CRITICISM = analysis(
    "Kindly up your game",
    intents={"feedback": 0.6, "request": 0.45, "complaint": 0.4},
    sentiment=-0.5,
)


@pytest.mark.parametrize("high", [(), ("",)], ids=["reviewed-low", "all-canned"])
def test_criticism_without_a_suggestion_is_not_called_an_idea(high):
    d = drafter(CRITICISM, reviewer=FakeReviewer(high=high))
    for channel in ("public", "private"):
        for _ in range(6):
            draft = d.draft(CRITICISM.text, channel=channel)
            assert "idea" not in draft.text, draft.text
            assert "suggestion" not in draft.text, draft.text
            assert "detailed notes" not in draft.text, draft.text  # four words
            assert not draft.template_id.startswith(("feedback.suggestion", "request.feature"))


def test_public_criticism_is_acknowledged_without_a_dm_redirect():
    # "that's fair, we fell short", not "DM us a bit more on your feedback".
    draft = drafter(CRITICISM).draft(CRITICISM.text, channel="public")
    assert "fair" in draft.text, draft.text
    assert "sorry" in draft.text.lower(), draft.text
    assert "DM" not in draft.text, draft.text
    assert "game" not in draft.text, draft.text


def test_the_price_paid_for_a_faulty_item_is_not_an_unexplained_charge():
    built = analysis(
        "The toaster I bought for £36 broke after two days",
        intents={"complaint": 0.9},
        topics={"product_quality": 0.55, "pricing": 0.55},
        sentiment=-0.4,
        details=[("amount", "£36")],
    )
    d = drafter(built)
    for channel in ("public", "private"):
        for _ in range(6):
            draft = d.draft(built.text, channel=channel)
            ids = [draft.template_id, *(a.template_id for a in draft.alternatives)]
            assert not any(".amount" in i for i in ids), ids
            assert "unexplained" not in draft.text
            assert "comes from" not in draft.text


def test_an_unexplained_charge_still_gets_an_amount_variant():
    built = analysis(
        "What is this £36 charge on my account?",
        intents={"question": 0.8, "complaint": 0.5},
        sentiment=-0.2,
        details=[("amount", "£36")],
    )
    d = drafter(built)
    ids = {d.draft(built.text, channel="private").template_id for _ in range(4)}
    assert ids & {"other.followup.amount.check.v1", "question.amount.v1"}, ids


def test_no_shipped_variant_sounds_defensive():
    for variant in _PACK.variants:
        assert "argue about it" not in variant.spec.body, variant.id


def test_a_variant_for_any_topic_never_names_an_order():
    # "I'm checking your order" to "can I talk to a person?": only variants for a topic may.
    for variant in _PACK.variants:
        if "order" in variant.variables:
            assert variant.spec.topics, variant.id
