"""The Analyzer: inputs, outputs, user rules, user pipelines, batching, language flags."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from empathic_reply import MAX_CHARS
from empathic_reply._rules import Rule, RuleSet
from empathic_reply.analysis import Analyzer, split_rules
from empathic_reply.analysis._language import LanguageIdentifier
from empathic_reply.errors import RuleError
from empathic_reply.models import Analysis, Detail, Emotion, Sentiment
from tests.strategies import hostile_text


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


# -- fakes: the analyser takes its collaborators as arguments ------------------------------


class FixedSentiment:
    def __init__(self, score: float) -> None:
        self.score = score
        self.calls = 0

    def score_doc(self, doc: object) -> Sentiment:
        self.calls += 1
        label = "negative" if self.score < -0.05 else "positive" if self.score > 0.05 else "neutral"
        return Sentiment(label=label, score=self.score)


class NoEmotions:
    def detect_doc(self, doc: object, sentiment: Sentiment) -> list[Emotion]:
        return []


class NoDetails:
    def extract(self, text: str, doc: object = None) -> list[Detail]:
        return []


def fake_analyzer(score: float = 0.0, **options: object) -> Analyzer:
    return Analyzer(
        sentiment=FixedSentiment(score),
        emotions=NoEmotions(),
        details=NoDetails(),
        **options,  # type: ignore[arg-type]
    )


# -- results ---------------------------------------------------------------------------------


def test_every_field_is_filled(analyzer: Analyzer) -> None:
    text = "@AcmeHelp order 12345 was supposed to arrive Monday, I've waited 3 weeks!!"
    a = analyzer.analyze(text)
    assert a.text == text
    assert a.language == "en"
    assert a.sentiment.label in {"negative", "neutral", "positive"}
    assert a.intent == "complaint"
    assert {"delivery", "order"} <= {t.label for t in a.topics}
    assert {"duration", "date"} <= {d.kind for d in a.details}
    assert 0.0 < a.urgency <= 1.0
    assert a.needs_reply is True
    assert a.truncated is False
    assert a.warnings == []
    assert Analysis.model_validate_json(a.model_dump_json()) == a


def test_breach_of_expectations_without_negative_words(analyzer: Analyzer) -> None:
    assert analyzer.analyze("my order was supposed to arrive Monday").intent == "complaint"


def test_general_moaning_is_not_a_complaint(analyzer: Analyzer) -> None:
    a = analyzer.analyze("I hate Mondays lol")
    assert not a.has_intent("complaint")


def test_urgency_orders_messages(analyzer: Analyzer) -> None:
    calm = analyzer.analyze("how long does shipping take?")
    angry = analyzer.analyze("My order is late AGAIN!! This is ridiculous, I want my money back")
    danger = analyzer.analyze("Your heater caught fire in my kitchen, someone could get hurt")
    assert calm.urgency < angry.urgency < danger.urgency
    assert danger.urgency >= 0.6


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_is_valid_and_neutral(analyzer: Analyzer, text: str) -> None:
    a = analyzer.analyze(text)
    assert a.sentiment.label == "neutral"
    assert a.sentiment.score == 0.0
    assert a.intent == "other"
    assert a.emotions == []
    assert a.needs_reply is False
    assert [w.code for w in a.warnings] == ["empty_text"]
    assert a.warnings[0].severity == "info"


def test_long_text_is_truncated_with_a_warning(analyzer: Analyzer) -> None:
    text = "My parcel never arrived. " * 400
    a = analyzer.analyze(text)
    assert a.truncated is True
    assert len(a.text) <= MAX_CHARS
    assert text.startswith(a.text)
    assert "truncated" in [w.code for w in a.warnings]
    assert a.intent == "complaint"


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["a list"]])
def test_non_str_raises_type_error(analyzer: Analyzer, value: object) -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        analyzer.analyze(value)  # type: ignore[arg-type]


# -- language ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mi pedido no ha llegado todavía, necesito ayuda", "es"),
        ("Bonjour, ma commande n'est pas arrivée", "fr"),
        ("Meine Bestellung ist noch nicht angekommen", "de"),
        ("O meu pedido ainda não chegou", "pt"),
        ("Il mio ordine non è ancora arrivato", "it"),
        ("Mijn pakket is nog niet bezorgd", "nl"),
        ("Где мой заказ?", "ru"),
        ("注文した商品が届きません", "ja"),
    ],
)
def test_foreign_text_is_flagged(analyzer: Analyzer, text: str, language: str) -> None:
    a = analyzer.analyze(text)
    assert a.language == language
    assert "not_english" in [w.code for w in a.warnings]


@pytest.mark.parametrize(
    "text", ["asdkjh qwpoeiru zxcmvn", "asdfghjkl", "xkcd qwrtzp vbnmx lkjhgf"]
)
def test_gibberish_is_unknown(analyzer: Analyzer, text: str) -> None:
    a = analyzer.analyze(text)
    assert a.language == "unknown"
    assert "unintelligible" in [w.code for w in a.warnings]


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "thx!!",
        "@AmazonHelp ???",
        "🙏🙏🙏",
        "❤️",
        "Hermes",
        "I love the tacos at la casa",
        "my order was supposed to arrive Monday",
        "Where is my package? Tracking says delivered",
    ],
)
def test_short_or_plain_english_is_not_flagged(analyzer: Analyzer, text: str) -> None:
    a = analyzer.analyze(text)
    assert a.language == "en"
    assert not {"not_english", "unintelligible"} & {w.code for w in a.warnings}


def test_language_identifier_confidence_in_range() -> None:
    guess = LanguageIdentifier().identify("Meine Bestellung ist noch nicht angekommen")
    assert guess.language == "de"
    assert 0.0 <= guess.confidence <= 1.0


# -- batching ----------------------------------------------------------------------------------


def test_analyze_many_keeps_order_and_matches_analyze(analyzer: Analyzer) -> None:
    texts = ["thanks!", "", "where is my order", "My parcel never arrived", "   ", "ok"]
    many = analyzer.analyze_many(texts, batch_size=2)
    assert [a.text for a in many] == texts
    assert many == [analyzer.analyze(t) for t in texts]


def test_analyze_many_accepts_any_iterable(analyzer: Analyzer) -> None:
    many = analyzer.analyze_many(t for t in ["a", "b"])
    assert [a.text for a in many] == ["a", "b"]
    assert analyzer.analyze_many([]) == []


def test_analyze_many_type_error_names_the_index(analyzer: Analyzer) -> None:
    with pytest.raises(TypeError, match=r"texts\[2\] must be a str, not int"):
        analyzer.analyze_many(["fine", "also fine", 3])  # type: ignore[list-item]


def test_analyze_doc(analyzer: Analyzer) -> None:
    doc = analyzer.nlp("My parcel never arrived")
    assert analyzer.analyze_doc(doc) == analyzer.analyze("My parcel never arrived")


# -- user pipelines ----------------------------------------------------------------------------


def test_default_nlp_has_a_sentencizer(analyzer: Analyzer) -> None:
    assert analyzer.nlp.pipe_names == ["sentencizer"]
    assert analyzer.nlp.lang == "en"


def test_user_nlp_without_sentences_is_used_and_not_modified() -> None:
    nlp = spacy.blank("en")
    user = Analyzer(nlp=nlp)
    assert user.nlp is nlp
    a = user.analyze("My parcel never arrived. Nobody answers my emails!")
    assert a.intent == "complaint"
    assert nlp.pipe_names == []  # segmentation happened on our side, per doc


def test_user_nlp_with_its_own_sentencizer_is_used_as_is() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": ["|"]})
    sentiment = FixedSentiment(-0.6)
    user = Analyzer(nlp=nlp, sentiment=sentiment, emotions=NoEmotions(), details=NoDetails())
    a = user.analyze("one. two | three")
    assert sentiment.calls == 1
    assert a.sentiment.score == -0.6
    assert [s.text for s in nlp("one. two | three").sents] == ["one. two |", "three"]


# -- user rules --------------------------------------------------------------------------------

USER_RULES = """
version: 1
rules:
  - id: intent.warranty_claim.v1
    label: warranty_claim
    patterns: ["\\\\bwarranty\\\\b"]
    score: 0.8
  - id: intent.thanks.thanks.v1        # override a shipped rule by id
    label: thanks
    patterns: ["\\\\bmerci beaucoup\\\\b"]
    score: 0.9
  - id: topic.loyalty.v1
    label: loyalty
    patterns: ["\\\\bpoints\\\\b"]
    score: 0.7
"""


def test_user_rules_from_a_file_add_and_override(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(USER_RULES, encoding="utf-8")
    user = fake_analyzer(rules=[path])
    a = user.analyze("Is my blender still under warranty? My points are missing")
    assert a.intent_score("warranty_claim") == pytest.approx(0.8)
    assert "loyalty" in {t.label for t in a.topics}
    # the shipped thanks rule was replaced: plain "thanks" no longer fires
    assert user.analyze("thanks!").intent_score("thanks") == 0.0
    assert user.analyze("merci beaucoup").has_intent("thanks")


def test_user_rules_as_a_rule_set_and_disabling() -> None:
    rules = RuleSet(
        [
            Rule(
                id="intent.question.mark.v1",
                label="question",
                patterns=["\\?"],
                enabled=False,
            )
        ]
    )
    user = fake_analyzer(rules=rules)
    assert user.analyze("Delivered?").intent_score("question") == 0.0


def test_rule_routing_by_id_prefix() -> None:
    rules = RuleSet(
        [
            Rule(id="intent.x.v1", label="x", patterns=["x"]),
            Rule(id="topic.y.v1", label="y", patterns=["y"]),
            Rule(id="emotion.z.v1", label="z", patterns=["z"]),
            Rule(id="detail.w.v1", label="w", patterns=["w"]),
        ]
    )
    parts = split_rules(rules)
    assert {kind: [r.id for r in rs.rules] for kind, rs in parts.items()} == {
        "intent": ["intent.x.v1"],
        "topic": ["topic.y.v1"],
        "emotion": ["emotion.z.v1"],
        "detail": ["detail.w.v1"],
    }


def test_rule_with_unknown_kind_is_an_error() -> None:
    rules = RuleSet([Rule(id="mystery.v1", label="m", patterns=["m"])])
    with pytest.raises(RuleError, match=r"mystery\.v1"):
        fake_analyzer(rules=rules)


def test_invalid_user_rule_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("rules:\n  - id: intent.bad.v1\n    label: bad\n    patterns: ['(']\n")
    with pytest.raises(RuleError, match=r"bad\.yaml"):
        fake_analyzer(rules=[path])


# -- properties --------------------------------------------------------------------------------


@given(hostile_text)
def test_any_text_gives_a_valid_analysis(text: str) -> None:
    a = _shared().analyze(text)
    assert isinstance(a, Analysis)
    assert 0.0 <= a.urgency <= 1.0
    assert -1.0 <= a.sentiment.score <= 1.0
    for item in [*a.intents, *a.topics, *a.emotions]:
        assert 0.0 <= item.score <= 1.0
        for ev in item.evidence:
            assert a.text[ev.start : ev.end] == ev.text
    assert a.language == "unknown" or len(a.language) == 2


_SHARED: list[Analyzer] = []


def _shared() -> Analyzer:
    if not _SHARED:
        _SHARED.append(Analyzer())
    return _SHARED[0]


@given(hostile_text)
def test_results_equal_their_validated_copies(analyzer: Analyzer, text: str) -> None:
    # Internal results are built without re-validation (valid by construction): they must be
    # exactly what validating the same values gives, types included.
    analysis = analyzer.analyze(text)
    again = Analysis.model_validate_json(analysis.model_dump_json())
    assert again == analysis
    assert again.model_dump_json() == analysis.model_dump_json()
    assert analyzer.analyze_many([text]) == [analysis]


# -- the default pipeline's direct path gives what the pipeline gives ------------------------

FAST_PATH_TEXTS = [
    "Still waiting on my refund, 3 weeks now. Nobody answers!!",
    "Hi. Ok!! yes?? no... (fine). 🙄",
    "İstanbul order #123456 never arrived; call me on +44 7700 900123",
]


@pytest.mark.parametrize("text", FAST_PATH_TEXTS)
def test_default_pipeline_shortcut_matches_running_the_pipeline(
    analyzer: Analyzer, text: str
) -> None:
    assert analyzer._is_default()
    doc = analyzer._doc(text)
    reference = analyzer.nlp(text)
    assert [t.text for t in doc] == [t.text for t in reference]
    assert [s.start for s in doc.sents] == [s.start for s in reference.sents]
    assert analyzer.analyze(text) == analyzer.analyze_doc(reference)


def test_a_component_added_to_the_default_pipeline_later_is_run() -> None:
    from spacy.language import Language

    seen: list[str] = []

    @Language.component("empathic_reply_test_seen")
    def _seen(doc):  # type: ignore[no-untyped-def]
        seen.append(doc.text)
        return doc

    analyzer = Analyzer()
    analyzer.analyze("first")
    analyzer.nlp.add_pipe("empathic_reply_test_seen")
    assert not analyzer._is_default()
    analyzer.analyze("second")
    analyzer.analyze_many(["third"])
    assert seen == ["second", "third"]


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_words_are_found_as_the_general_pattern_finds_them(text: str) -> None:
    from empathic_reply.analysis._language import _ASCII_WORD, _WORD

    assert _ASCII_WORD.findall(text.lower()) == [w.lower() for w in _WORD.findall(text)]
