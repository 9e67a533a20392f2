"""EmotionDetector: support-aware rules plus the shipped GoEmotions bag-of-words model."""

from __future__ import annotations

from importlib.resources import files

import pytest
import spacy
from hypothesis import given

from empathic_reply._rules import Rule, RuleSet
from empathic_reply.analysis._emotions import EmotionDetector, family_probs
from empathic_reply.analysis._sentiment import SentimentScorer
from empathic_reply.errors import ConfigError
from empathic_reply.models import Emotion, Sentiment
from tests.strategies import hostile_text

MODEL_SOURCE = "emotion.model.goemotions_bow.v1"
NEUTRAL = Sentiment(label="neutral", score=0.0)


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@pytest.fixture(scope="module")
def detector() -> EmotionDetector:
    return EmotionDetector()


@pytest.fixture(scope="module")
def scorer() -> SentimentScorer:
    return SentimentScorer()


def detect(nlp, detector, scorer, text: str) -> list[Emotion]:
    doc = nlp(text)
    return detector.detect_doc(doc, scorer.score_doc(doc))


def test_labels_and_families_are_the_shared_vocabulary(detector) -> None:
    assert detector.labels == {
        "anger": "anger",
        "frustration": "anger",
        "impatience": "anger",
        "disappointment": "sadness",
        "sadness": "sadness",
        "worry": "fear",
        "confusion": "surprise",
        "surprise": "surprise",
        "disgust": "disgust",
        "gratitude": "joy",
        "joy": "joy",
        "relief": "joy",
    }


@pytest.mark.parametrize(
    ("text", "label", "family", "cue"),
    [
        ("I am so fed up with this", "frustration", "anger", "fed up"),
        ("Still waiting for my parcel", "impatience", "anger", "Still waiting"),
        ("I'm worried my account was hacked", "worry", "fear", "worried"),
        ("How do I reset my password?", "confusion", "surprise", "How do I"),
        ("Thank you so much!!", "gratitude", "joy", "Thank you so much"),
        ("It works now, what a relief", "relief", "joy", "what a relief"),
        ("Really disappointed with the quality", "disappointment", "sadness", "disappointed"),
        ("That is so gross", "disgust", "disgust", "gross"),
        ("I love it, best purchase this year", "joy", "joy", "love it"),
    ],
)
def test_support_cues_give_the_top_emotion_with_evidence(
    nlp, detector, scorer, text, label, family, cue
) -> None:
    emotions = detect(nlp, detector, scorer, text)
    assert emotions[0].label == label
    assert emotions[0].family == family
    assert cue in {e.text for e in emotions[0].evidence}


def test_several_emotions_are_reported_best_first(nlp, detector, scorer) -> None:
    text = "I am so fed up, still waiting on my refund"
    emotions = detect(nlp, detector, scorer, text)
    labels = [e.label for e in emotions]
    assert {"frustration", "impatience"} <= set(labels)
    assert [e.score for e in emotions] == sorted((e.score for e in emotions), reverse=True)


def test_sarcastic_praise_gives_no_joy(nlp, detector, scorer) -> None:
    emotions = detect(nlp, detector, scorer, "Great, my order is late AGAIN. Thanks a lot.")
    assert emotions
    assert emotions[0].family == "anger"
    assert all(e.family != "joy" for e in emotions)


def test_model_covers_messages_without_rule_cues(nlp, detector, scorer) -> None:
    emotions = detect(nlp, detector, scorer, "I lost my dog yesterday")
    assert emotions[0].family == "sadness"
    evidence = emotions[0].evidence[0]
    assert evidence.source == MODEL_SOURCE
    assert "I lost my dog yesterday"[evidence.start : evidence.end] == evidence.text


@pytest.mark.parametrize("text", ["", "   ", "Ok.", "My order number is 12345."])
def test_neutral_messages_have_no_emotion(nlp, detector, scorer, text) -> None:
    assert detect(nlp, detector, scorer, text) == []


def test_red_heart_variants_read_alike(nlp, detector, scorer) -> None:
    with_selector = detect(nlp, detector, scorer, "Thank you ❤️")
    plain = detect(nlp, detector, scorer, "Thank you ❤")
    assert [(e.label, e.score) for e in with_selector] == [(e.label, e.score) for e in plain]
    assert with_selector[0].family == "joy"
    assert family_probs(nlp("❤️")).probs == family_probs(nlp("❤")).probs


def test_model_probabilities_are_cached_per_doc(nlp) -> None:
    doc = nlp("This is the worst thing ever")
    first = family_probs(doc)
    assert family_probs(doc) is first
    assert sum(first.probs) == pytest.approx(1.0)
    assert first.polarity < 0


def test_negative_sentiment_damps_model_joy(nlp, detector) -> None:
    doc = nlp("lol ok")
    calm = {e.label: e.score for e in detector.detect_doc(doc, NEUTRAL)}
    angry = {
        e.label: e.score for e in detector.detect_doc(doc, Sentiment(label="negative", score=-0.6))
    }
    assert angry.get("joy", 0.0) <= calm.get("joy", 0.0)


def test_user_rules_add_labels_and_need_a_family(nlp) -> None:
    custom = RuleSet(
        [Rule(id="emotion.impatience.tick_tock.v1", label="impatience", patterns=["tick tock"])]
    )
    emotions = EmotionDetector(rules=custom).detect_doc(nlp("tick tock"), NEUTRAL)
    assert emotions[0].label == "impatience"
    assert emotions[0].evidence[0].source == "emotion.impatience.tick_tock.v1"
    orphan = RuleSet([Rule(id="emotion.boredom.v1", label="boredom", patterns=["meh"])])
    with pytest.raises(ConfigError, match="boredom"):
        EmotionDetector(rules=orphan)
    # Rules of other detectors in a combined set are ignored.
    other = RuleSet([Rule(id="intent.praise.v1", label="praise", patterns=["meh"])])
    assert EmotionDetector(rules=other).detect_doc(nlp("meh"), NEUTRAL) == []


def test_shipped_model_is_small() -> None:
    model = files("empathic_reply.data").joinpath("models").joinpath("emotions_bow.npz")
    assert len(model.read_bytes()) < 5_000_000


@given(hostile_text)
def test_any_text_gives_valid_emotions(text: str) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp(text)
    emotions = EmotionDetector().detect_doc(doc, SentimentScorer().score_doc(doc))
    assert [e.score for e in emotions] == sorted((e.score for e in emotions), reverse=True)
    assert len({e.label for e in emotions}) == len(emotions)
    for emotion in emotions:
        assert 0.0 <= emotion.score <= 1.0
        assert emotion.evidence
        for evidence in emotion.evidence:
            assert text[evidence.start : evidence.end] == evidence.text


@pytest.mark.parametrize(
    "text",
    [
        "I am SO happy with it!! Thanks ❤️ 👍",
        "the the the worst worst, nsubj NOUN  and\ttabs\n\nnew lines",
        "Where is my order #12345? @AmazonHelp",
    ],
)
def test_inference_matches_the_training_featurisation(nlp, text) -> None:
    import math

    import numpy as np

    from empathic_reply.analysis._emotions import _model, features

    model = _model()
    doc = nlp(text)
    vocab = {term: i for i, term in enumerate(_vocab())}
    counts: dict[int, int] = {}
    for term in features(doc):
        if term in vocab:
            counts[vocab[term]] = counts.get(vocab[term], 0) + 1
    ids = list(counts)
    x = np.array([(1 + math.log(counts[i])) * model.idf[i] for i in ids])
    logits = model.bias + x @ model.weights[ids] / math.sqrt(float(x @ x))
    expected = np.exp(logits - logits.max())
    expected /= expected.sum()
    assert family_probs(nlp(text)).probs == pytest.approx(expected.tolist())


@pytest.mark.parametrize(
    "text",
    [
        "I am SO happy with it!! Thanks ❤️ 👍",
        "not xyzzyq happy, not happy, happy happy joy",
        "This is the worst. I hate waiting, so sad and scared",
        "wow what a surprise, really?",
    ],
)
def test_strongest_span_is_the_feature_that_pulls_most(nlp, text) -> None:
    import numpy as np

    from empathic_reply.analysis._emotions import FAMILIES, _model

    model = _model()
    doc = nlp(text)
    probs = family_probs(doc)
    assert probs.features
    ids = list(probs.features)
    rows = model.weights[ids]
    for position, family in enumerate(FAMILIES):
        # The computation on the message's features that the precomputed pulls replace.
        pull = (rows[:, position] - rows.mean(axis=1)) * model.idf[ids]
        best = int(np.argmax(pull))
        span = model.strongest_span(doc, probs, family)
        if pull[best] <= 0:
            assert span is None
            continue
        first, last = probs.features[ids[best]]
        assert span == (doc[first].idx, doc[last].idx + len(doc[last].text))


def test_unknown_and_skipped_tokens_in_bigrams(nlp) -> None:
    # A token the model does not know breaks a bigram; a lone variation selector does not.
    plain = family_probs(nlp("not happy")).features
    broken = family_probs(nlp("not xyzzyq happy")).features
    selector = family_probs(nlp("not \ufe0f happy")).features
    assert plain is not None
    assert broken is not None
    assert selector is not None
    assert len(broken) == len(plain) - 1
    assert set(selector) == set(plain)


@pytest.mark.parametrize(
    "text",
    [
        "Can you add dark mode?",
        "Hi, could u send it?",
        "hello! WOULD SOMEONE help?",
        "Would you be able to check?",
        "Is it possible to pause?",
        "would it be possible to pause?",
        "Would you mind checking?",
        "Why is my order late?",
        "What can I do?",
        "Is it working?",
        "Scan you?",
        "Can\tyou add it?",
        "Caf\u00e9: can you add it?",
        "\u0130s it possible?",
        "Is it po\u017f\u017fible?",
    ],
)
def test_request_question_pre_check_agrees_with_the_pattern(text) -> None:
    from empathic_reply._rules import Prepared
    from empathic_reply.analysis._emotions import _REQUEST_QUESTION, _is_request

    assert _is_request(Prepared(text)) == (_REQUEST_QUESTION.search(text) is not None)


def _vocab() -> list[str]:
    import io

    import numpy as np

    data = files("empathic_reply.data").joinpath("models").joinpath("emotions_bow.npz")
    with np.load(io.BytesIO(data.read_bytes())) as arrays:
        return bytes(arrays["vocab"]).decode("utf-8").split("\n")


# -- session 3: worry needs a fear or uncertainty cue ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "your service is awful, sort it out",
        "terrible support, be better",
        "What if you had a discount for students",
    ],
)
def test_anger_or_a_suggestion_is_not_worry(nlp, detector, scorer, text) -> None:
    assert "fear" not in {e.family for e in detect(nlp, detector, scorer, text)}


@pytest.mark.parametrize(
    "text",
    [
        "I'm nervous my parcel will get stolen",
        "what if the refund never comes?",
        "this is really scary, someone used my card",
        "I'm anxious about the payment",
    ],
)
def test_fear_cues_are_worry(nlp, detector, scorer, text) -> None:
    assert "worry" in {e.label for e in detect(nlp, detector, scorer, text)}
