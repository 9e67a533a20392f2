"""SentimentScorer: VADER per sentence, corrected for customer-support language."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given

from empathic_reply._rules import Rule, RuleSet
from empathic_reply.analysis._sentiment import SentimentScorer, vader_compound
from empathic_reply.models import Sentiment
from tests.strategies import hostile_text

from ._examples import SARCASTIC_THANKS


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@pytest.fixture(scope="module")
def scorer() -> SentimentScorer:
    return SentimentScorer()


def score(nlp: spacy.language.Language, scorer: SentimentScorer, text: str) -> Sentiment:
    return scorer.score_doc(nlp(text))


# VADER's reading of each message, and the correction kinds that must fix it.
VADER_FAILURES = [
    ("Still waiting on my refund, 3 weeks now", 0.0, {"waiting"}),
    ("My package never arrived and nobody answers", 0.0, {"non_arrival", "unanswered"}),
    ("Great, my order is late AGAIN. Thanks a lot.", 0.79, {"sarcasm", "repeated_failure"}),
    ("Kindly improve your performance", 0.73, {"polite_negative"}),
    ("I never liked how they treat me", 0.09, {"negated_liking"}),
    ("Oh wonderful, another delay 🙄", 0.34, {"sarcasm", "waiting"}),
]


@pytest.mark.parametrize(("text", "vader", "kinds"), VADER_FAILURES)
def test_vader_failures_come_out_negative(nlp, scorer, text, vader, kinds) -> None:
    assert vader_compound(text) == pytest.approx(vader, abs=0.01)
    result = score(nlp, scorer, text)
    assert result.label == "negative"
    assert result.score <= scorer.scoring.negative_below
    assert (result.raw_score > 0) == (vader > 0)
    found = {c.source.split(".")[1] for c in result.corrections}
    assert kinds <= found


@pytest.mark.parametrize(("text", "_vader", "_kinds"), VADER_FAILURES)
def test_correction_evidence_spans_index_the_text(nlp, scorer, text, _vader, _kinds) -> None:
    result = score(nlp, scorer, text)
    assert result.corrections
    for evidence in result.corrections:
        assert text[evidence.start : evidence.end] == evidence.text
        assert evidence.source.startswith("sentiment.")


def test_single_sentence_raw_score_is_vader_compound(nlp, scorer) -> None:
    text = "Still waiting on my refund, 3 weeks now"
    assert score(nlp, scorer, text).raw_score == 0.0


def test_red_heart_with_variation_selector_reads_like_plain_heart(nlp, scorer) -> None:
    # VADER knows "❤" but scores "❤️" (with U+FE0F) as 0.0; we read both the same, positively.
    assert vader_compound("❤️") == vader_compound("❤") > 0.5
    with_selector = score(nlp, scorer, "❤️")
    plain = score(nlp, scorer, "❤")
    assert with_selector == plain
    assert with_selector.label == "positive"
    assert score(nlp, scorer, "Got it, thank you ❤️") == score(nlp, scorer, "Got it, thank you ❤")


@pytest.mark.parametrize(
    "text",
    [
        "Thanks again, great service!",
        "Thank you so much, the team was great. Love it!",
        "The new update is fantastic 😍",
    ],
)
def test_praise_stays_positive(nlp, scorer, text) -> None:
    result = score(nlp, scorer, text)
    assert result.label == "positive"
    assert not result.corrections


@pytest.mark.parametrize(
    "text", ["When does the store open tomorrow?", "My order number is 12345."]
)
def test_plain_questions_are_neutral(nlp, scorer, text) -> None:
    assert score(nlp, scorer, text).label == "neutral"


@pytest.mark.parametrize("text", ["", " ", "\n\t  "])
def test_empty_text_is_neutral_zero(nlp, scorer, text) -> None:
    assert score(nlp, scorer, text) == Sentiment(label="neutral", score=0.0, raw_score=0.0)


def test_thresholds_are_the_documented_tuned_values(scorer) -> None:
    assert scorer.scoring.negative_below == -0.1
    assert scorer.scoring.positive_above == 0.225
    assert scorer.scoring.model_weight == 0.3


def test_one_angry_sentence_pulls_a_polite_message_down(nlp, scorer) -> None:
    polite = "Hello team. Hope you are well."
    mixed = polite + " This is the worst service I have ever had."
    assert score(nlp, scorer, mixed).score < score(nlp, scorer, polite).score
    assert score(nlp, scorer, mixed).label == "negative"


def test_eye_roll_emoji_is_sarcasm(nlp, scorer) -> None:
    result = score(nlp, scorer, "Love waiting on hold 🙄")
    assert result.label == "negative"
    assert any(c.text == "🙄" for c in result.corrections)


def test_all_caps_shouting_is_reported(nlp, scorer) -> None:
    result = score(nlp, scorer, "WHERE IS MY ORDER")
    assert any(c.source == "sentiment.shouting.caps_run.v1" for c in result.corrections)


def test_doc_without_sentence_boundaries(scorer) -> None:
    doc = spacy.blank("en")("Still waiting. Nobody answers.")
    assert scorer.score_doc(doc).label == "negative"


def test_user_rules_can_disable_and_add_corrections(nlp) -> None:
    text = "Kindly improve your performance"
    disabled = RuleSet(
        [
            Rule(
                id="sentiment.polite_negative.kindly_improve.v1",
                label="polite_negative",
                patterns=["x"],
                enabled=False,
            ),
            # Rules for other detectors are ignored by the scorer.
            Rule(id="intent.praise.kindly.v1", label="praise", patterns=["kindly"]),
        ]
    )
    assert SentimentScorer(rules=disabled).score_doc(nlp(text)).label == "positive"
    added = RuleSet(
        [
            Rule(
                id="sentiment.custom.meh.v1",
                label="meh",
                patterns=["\\bmeh\\b"],
                score=0.9,
                attrs={"shift": -0.5},
            )
        ]
    )
    result = SentimentScorer(rules=added).score_doc(nlp("meh"))
    assert result.label == "negative"
    assert [c.source for c in result.corrections] == ["sentiment.custom.meh.v1"]


# -- word senses, typographic apostrophes, anticipation -------------------------------------


@pytest.mark.parametrize(
    ("text", "neutral_raw"),
    [
        ("It looks like rain today", True),
        ("Something like that, LIKE a pro", True),
        ("I’d like a refund for order 123", True),
        ("Please help, my card was charged twice", False),  # "charged" is still read
        ("I like the new app", False),
        ("We really like it", False),
        ("I don’t like it", False),
    ],
)
def test_non_evaluative_word_senses_read_as_neutral(nlp, scorer, text, neutral_raw) -> None:
    result = score(nlp, scorer, text)
    assert vader_compound(text) != 0.0
    assert (result.raw_score == 0.0) == neutral_raw


def test_word_sense_rewrite_keeps_offsets_and_case() -> None:
    from empathic_reply.analysis._sentiment import _shipped

    senses = _shipped()[2]
    text = 'Looks LIKE rain; I like it. Likes: 3, "like" this. Help! unlikely, helpful'
    rewritten = senses.rewrite(text, text.lower())
    assert rewritten == 'Looks AKIN rain; I like it. Akins: 3, "akin" this. Aide! unlikely, helpful'
    assert len(rewritten) == len(text)
    assert senses.rewrite("no listed word", "no listed word") == "no listed word"


def test_word_sense_stand_ins_are_neutral_to_vader() -> None:
    from vaderSentiment import vaderSentiment as vader  # noqa: N813

    from empathic_reply._resources import load_yaml

    lexicon = vader.SentimentIntensityAnalyzer().lexicon
    for sense in load_yaml("analysis", "sentiment.yaml")["word_senses"]:
        for word, other in sense["words"].items():
            assert word in lexicon
            assert len(other) == len(word)
            assert other not in lexicon
            assert other not in vader.BOOSTER_DICT
            assert not vader.negated([other])


def test_word_sense_that_changes_the_length_is_rejected() -> None:
    from empathic_reply.analysis._sentiment import WordSense, _Senses
    from empathic_reply.errors import ConfigError

    with pytest.raises(ConfigError, match="length"):
        _Senses([WordSense(words={"like": "as"})])


def test_typographic_apostrophe_negates_like_a_straight_one(nlp, scorer) -> None:
    assert vader_compound("I don’t love it") == vader_compound("I don't love it") < 0
    curly = score(nlp, scorer, "I don’t love it, it isn’t good")
    straight = score(nlp, scorer, "I don't love it, it isn't good")
    assert curly.raw_score == straight.raw_score


@pytest.mark.parametrize(
    "text",
    [
        "Can't wait to try the new version!",
        "Really looking forward to the new release",
        "So excited for the launch",
    ],
)
def test_anticipation_reads_positive(nlp, scorer, text) -> None:
    result = score(nlp, scorer, text)
    assert result.label == "positive"
    assert any(c.source.startswith("sentiment.anticipation.") for c in result.corrections)


@pytest.mark.parametrize(
    "text",
    [
        "I can't wait any longer for my refund",
        "I look forward to hearing from you",
        "Looking forward to your reply",
    ],
)
def test_impatience_and_letter_formulas_are_not_anticipation(nlp, scorer, text) -> None:
    result = score(nlp, scorer, text)
    assert result.label != "positive"
    assert not any(c.source.startswith("sentiment.anticipation.") for c in result.corrections)


def test_vader_analyser_is_built_once() -> None:
    from empathic_reply.analysis._sentiment import _vader

    assert _vader() is _vader()


@given(hostile_text)
def test_any_text_gives_a_valid_sentiment(text: str) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    scorer = SentimentScorer()
    result = scorer.score_doc(nlp(text))
    assert isinstance(result, Sentiment)
    assert -1.0 <= result.score <= 1.0
    assert -1.0 <= result.raw_score <= 1.0
    if result.score <= scorer.scoring.negative_below:
        assert result.label == "negative"
    elif result.score >= scorer.scoring.positive_above:
        assert result.label == "positive"
    else:
        assert result.label == "neutral"
    for evidence in result.corrections:
        assert text[evidence.start : evidence.end] == evidence.text


# -- the faster VADER adapter gives VADER's own scores -------------------------------------

VADER_TEXTS = [
    "VADER is smart, handsome, and funny!",
    "The book was kind of good.",
    "At least it isn't a horrible book.",
    "It was never so good, without doubt the best; not bad at all",
    "Today SUX! no no NO, this is not the least bit good... :) :( lol",
    "I don't hate it, but I really, REALLY don't love it either!!!???",
    "Great, my order is late AGAIN. Thanks a lot. 🙄 😡 ❤️ ❤",
    "kind of kinda sort of sorta",
    "",
    "   ",
    "👍",
    # no word in VADER's lexicon: the constant summary
    "Order 7781-2231.",
    "Hello team",
    "?!",
    ":-",
    "KIND OF",
    # the "but" check runs only when there is a "but"
    "The food was good but the service was awful",
    "Not bad BUT not great, but fine",
]


VADER_TEXTS += [
    # negations, boosters and idioms at every distance from the sentiment word
    "I do not really like it",
    "not the least bit happy; at least it works; very least good",
    "no good, no no good, no or nor bad, NO GOOD at all",
    "the shit is the bomb, yeah right, kiss of death, to die for; bus stop good",
    "it was sort of just enough good kind of nice, never so bad, never this good, so good",
    "without doubt good, without a doubt bad, never so this happy",
    "This is VERY good and EXTREMELY bad, TOTALLY fine",
    "ALL CAPS GREAT TEXT",
    "Great!!!!! Awful??? Nice?? Bad?!?!",
    "good, bad. :) :-( <3 lol",
    "I can't stand it, it isn't great and it doesn't help",
    "Thanks 😍🙄 ❤ and 👍👍 for nothing 😡",
    "kind of",
    "kind",
]


@pytest.fixture(scope="module")
def vaders():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from empathic_reply.analysis._vader import fast_analyser, fast_compound

    return fast_analyser(), fast_compound(), SentimentIntensityAnalyzer().polarity_scores


@pytest.mark.parametrize("text", VADER_TEXTS)
def test_fast_vader_gives_vader_scores(vaders, text: str) -> None:
    fast, compound, plain = vaders
    expected = plain(text)
    assert fast(text) == expected
    assert fast(text) == expected  # again: nothing is left over from the previous call
    assert compound(text) == expected["compound"]
    assert type(compound(text)) is float


@given(hostile_text)
def test_fast_vader_gives_vader_scores_on_any_text(vaders, text: str) -> None:
    fast, compound, plain = vaders
    expected = plain(text)
    assert fast(text) == expected
    assert compound(text) == expected["compound"]


@pytest.mark.parametrize(
    "text",
    SARCASTIC_THANKS,
)
def test_thanks_for_a_failure_is_sarcasm(nlp, scorer, text: str) -> None:
    result = score(nlp, scorer, text)
    assert result.label == "negative"
    assert "sentiment.sarcasm.thanks_for_failure.v1" in {c.source for c in result.corrections}


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for fixing my broken screen so quickly!",
        "Thank you for finding my lost suitcase",
        "Thanks for your help, could not have done it without you",
        "Thanks for keeping me updated while I was waiting",
    ],
)
def test_thanks_for_a_repair_is_not_sarcasm(nlp, scorer, text: str) -> None:
    result = score(nlp, scorer, text)
    assert "sentiment.sarcasm.thanks_for_failure.v1" not in {c.source for c in result.corrections}
