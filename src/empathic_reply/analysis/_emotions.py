"""Support-aware emotions: data-driven rules plus a small bag-of-words model.

Two sources are combined:

* **Rules** (``data/analysis/emotions.yaml``): Presidio-style patterns for the cues support
  teams care about ("fed up", "still waiting", "worried", "how do I", "thank you so much"...).
  They give the fine-grained, support-specific labels (impatience, worry, confusion...) and
  exact evidence spans. The file's ``labels`` section maps every label to its Ekman family.
* **Model** (``data/models/emotions_bow.npz``): a multinomial logistic regression over Ekman's
  six families plus neutral, trained on GoEmotions (Apache-2.0, google-research) by
  ``scripts/train_emotions.py`` on TF-IDF weighted unigrams and bigrams of lower-cased spaCy
  tokens. It gives coverage where no rule fires. Inference is a sparse dot product in numpy.

The model's family probabilities (and ``doc.text``) are computed once per ``Doc`` and kept
in ``doc.user_data`` so that :class:`~empathic_reply.analysis._sentiment.SentimentScorer`,
which blends them into the polarity, and :class:`EmotionDetector` share one computation.

Speed: the model is prepared once per process for inference by token hash. Each token hash
maps (one dict lookup) to its unigram feature and to the bigrams it starts, keyed by the
next token's hash, so no string and no big-integer hash mix is built per message; only the
dot product and the softmax inputs go through numpy. The evidence for a model-only family
compares each found feature's pull towards the family (weight minus mean weight, times idf),
precomputed for every feature at load time: element by element the same floats as before.
A question is searched for request phrasing ("Can you...?") only when it contains one of
the phrasing's words.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from functools import cache
from importlib import import_module
from importlib.resources import files
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final, NamedTuple, cast, get_args

from empathic_reply._rules import LabelScore, Prepared, RuleSet
from empathic_reply._trusted import trusted
from empathic_reply.errors import ConfigError
from empathic_reply.models import EkmanFamily, Emotion, Evidence, Sentiment

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from spacy.tokens import Doc

__all__ = [
    "FAMILIES",
    "EmotionDetector",
    "FamilyProbs",
    "doc_text",
    "family_probs",
    "features",
    "prepared_text",
    "set_prepared_text",
]

FAMILIES: Final[tuple[EkmanFamily, ...]] = get_args(EkmanFamily)
"""Ekman's six families, in the order the model's outputs use (neutral comes last)."""

_CLASSES: Final = (*FAMILIES, "neutral")
_NEUTRAL: Final = len(FAMILIES)
_MODEL_SOURCE: Final = "emotion.model.goemotions_bow.v1"
_USER_DATA_KEY: Final = "empathic_reply.emotion_family_probs.v1"
_TEXT_KEY: Final = "empathic_reply.prepared_text.v1"
_RULE_PREFIX: Final = "emotion."
_SKIPPED: Final = frozenset({"\ufe0e", "\ufe0f", "\u200d"})
_MASK: Final = (1 << 64) - 1
# _BowModel's per-token entry (unigram feature, bigrams it starts) for a skipped token: told
# apart from a real entry by identity.
_SKIP: Final[tuple[None, None]] = (None, None)
_BIGRAM_MULTIPLIER: Final = 0x100000001B3  # FNV-1a prime: mixes two 64-bit token hashes

# Model decisions, chosen with benchmarks/emotion_eval.py on the GoEmotions split the model
# is not trained on (so that figure is mildly optimistic; the model-alone figure is not tuned):
# a family is reported when its probability beats neutral's and this floor.
_MODEL_FLOOR: Final = 0.35
# How much the model's family probability reinforces a rule label of the same family
# (noisy-or weight) and how far a contradicting sentiment damps the model's families.
_MODEL_SUPPORT: Final = 0.6
_DAMP_JOY_WHEN_NEGATIVE: Final = 0.5
_DAMP_NEGATIVE_WHEN_POSITIVE: Final = 0.7
_NEGATIVE_FAMILIES: Final = frozenset({"anger", "disgust", "fear", "sadness"})
# Families the model only reinforces and never reports alone: the bag of words reads fear
# into plain anger ("service is terrible" -> fear), so worry needs a fear or uncertainty cue
# from the rules (worried, scared, anxious, what if...).
_RULE_CUED_FAMILIES: Final = frozenset({"fear"})
# Their positions among the model's outputs, in the set's iteration order (the polarity adds
# them up in that order, as it did when it iterated over the set).
_NEGATIVE_POSITIONS: Final = tuple(_CLASSES.index(f) for f in _NEGATIVE_FAMILIES)
_JOY: Final = _CLASSES.index("joy")
# GoEmotions files curiosity under surprise, so the model reads any question as surprise;
# in a support inbox a question is an intent, not an emotion: damp it, and call what is left
# confusion (same family) rather than surprise. When an anger-family rule fires in the
# question ("Why the heck can't you...?!"), the model's surprise is dropped altogether.
_DAMP_SURPRISE_IN_QUESTION: Final = 0.7
# A question that asks the brand to do something ("Can you add...?", "Could you send...?")
# is a request, not puzzlement: the model's surprise is dropped for it.
_REQUEST_QUESTION: Final = re.compile(
    r"(?:^|[.!?]\s*|\b(?:hi|hello|hey)\b[,!]?\s*)(?:can|could|would|will) (?:you|u|someone)\b"
    r"|\b(?:would|will) you be able to\b|\bis it possible\b|\bwould it be possible\b"
    r"|\bwould you (?:mind|consider)\b",
    re.IGNORECASE,
)
# Every match of _REQUEST_QUESTION contains one of these (lower-cased): without any, an ASCII
# text is not searched.
_REQUEST_WORDS: Final = ("can ", "could ", "would ", "will ", "is it possible")


def _is_request(prepared: Prepared) -> bool:
    """Whether ``_REQUEST_QUESTION`` matches the text (a cheap substring test first).

    The test reads the lowered text only when it is ASCII: then each of its characters is
    the lowered character of the text at the same place, and a letter of these words can
    only be matched (ignoring case) by itself or its capital.
    """
    if prepared.ascii and not any(word in prepared.lowered for word in _REQUEST_WORDS):
        return False
    return _REQUEST_QUESTION.search(prepared.text) is not None


def features(doc: Doc) -> list[str]:
    """Model features of a ``Doc``: lower-cased tokens and adjacent-token bigrams.

    Whitespace tokens and lone emoji variation selectors / joiners (spaCy splits "❤️" into
    "❤" and U+FE0F) are skipped, so "❤️" and "❤" give the same features. The training
    script imports this function; :meth:`_BowModel.predict` computes the same features from
    hashes.
    """
    words = [t.lower_ for t in doc if not t.is_space and t.lower_ not in _SKIPPED]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


class FamilyProbs(NamedTuple):
    """Model output for one ``Doc``.

    Attributes:
        probs: Probability in [0, 1] of each of ``FAMILIES`` and then neutral (sums to 1).
        features: The model features found: feature id -> (first token, last token) index
            of its first occurrence (used to cite evidence); ``None`` when none was found.
    """

    probs: tuple[float, ...]
    features: dict[int, tuple[int, int]] | None

    def prob(self, family: str) -> float:
        """Probability in [0, 1] of ``family`` (one of ``FAMILIES`` or ``"neutral"``)."""
        return self.probs[_CLASSES.index(family)]

    @property
    def polarity(self) -> float:
        """Model polarity in [-1, 1]: P(joy) minus P(anger, disgust, fear or sadness)."""
        probs = self.probs
        return probs[_JOY] - sum(probs[i] for i in _NEGATIVE_POSITIONS)


class _BowModel:
    """The shipped TF-IDF + logistic-regression weights, ready for sparse inference."""

    def __init__(self, arrays: Mapping[str, NDArray[Any]]) -> None:
        import numpy as np

        classes = bytes(arrays["classes"]).decode("utf-8").split("\n")
        if tuple(classes) != _CLASSES:
            raise ConfigError(f"emotion model classes {classes} != {list(_CLASSES)}")
        from spacy.strings import get_string_id

        vocab = bytes(arrays["vocab"]).decode("utf-8").split("\n")
        # Keys are spaCy's 64-bit hashes of the lower-cased token (``Token.lower``), and for a
        # bigram a mix of its two token hashes, so inference never builds a string.
        hashes: dict[str, int] = {}
        self.index: dict[int, int] = {}
        # Bigrams by their first token's hash, then their second's: ``predict`` looks a bigram
        # up without mixing the hashes (big-integer arithmetic per token). Each entry is the
        # feature ``index`` holds for the bigram's mixed key, so both lookups agree.
        after: dict[int, dict[int, int]] = {}
        for i, term in enumerate(vocab):
            first, _, second = term.partition(" ")
            key = hashes.get(first)
            if key is None:
                key = hashes[first] = get_string_id(first)
            if second:
                second_key = hashes.get(second)
                if second_key is None:
                    second_key = hashes[second] = get_string_id(second)
                mixed = (key * _BIGRAM_MULTIPLIER + second_key) & _MASK
                following = after.get(key)
                if following is None:
                    following = after[key] = {}
                following[second_key] = mixed  # (the mixed key, for now)
                key = mixed
            self.index[key] = i
        for following in after.values():
            for second_key, mixed in following.items():
                following[second_key] = self.index[mixed]
        # One lookup per token: its unigram feature (or None) and the bigrams it starts (or
        # None); skipped tokens (see ``features``) map to ``_SKIP``.
        self._tokens: dict[int, tuple[int | None, dict[int, int] | None]] = {
            key: (feature, after.get(key)) for key, feature in self.index.items()
        }
        for key, following in after.items():
            if key not in self._tokens:
                self._tokens[key] = (None, following)
        for skipped in _SKIPPED:
            self._tokens[get_string_id(skipped)] = _SKIP
        # Doc.to_array columns, as attribute ids (spaCy looks names up on every call).
        attrs = import_module("spacy.attrs")
        self._columns: list[int | str] = [attrs.LOWER, attrs.IS_SPACE]
        self._np: Any = np
        self.idf: NDArray[np.float64] = np.asarray(arrays["idf"], dtype=np.float64)
        self.weights: NDArray[np.float64] = np.asarray(arrays["weights"], dtype=np.float64)
        self.bias: NDArray[np.float64] = np.asarray(arrays["bias"], dtype=np.float64)
        self._bias = self.bias.tolist()
        # How much each feature pulls towards each class (its weight minus its mean weight,
        # times its idf), one row per class: what ``strongest_span`` compares. Element by
        # element the same floats as computing it for the features of a message.
        pull = (self.weights - self.weights.mean(axis=1, keepdims=True)) * self.idf[:, None]
        self._pull: NDArray[np.float64] = np.ascontiguousarray(pull.T)
        if self.weights.shape != (len(vocab), len(_CLASSES)) or self.idf.shape != (len(vocab),):
            raise ConfigError("emotion model arrays have inconsistent shapes")

    def predict(self, doc: Doc) -> FamilyProbs:  # noqa: PLR0912 - the token loop is inlined
        """Family probabilities of ``doc``, with the features found (for evidence)."""
        # One C call for every token's hash; the rest is dict lookups on ints (numpy calls
        # cost more than they save on a tweet-sized message).
        rows = doc.to_array(self._columns).tolist()
        get = self._tokens.get
        counts: dict[int, int] = {}
        spans: dict[int, tuple[int, int]] = {}
        repeated = False
        following: dict[int, int] | None = None  # bigrams that start with the previous token
        previous_position = -1
        for position, (key, is_space) in enumerate(rows):
            if is_space:
                continue
            entry = get(key)
            if entry is None:  # a token the model does not know
                feature = starts = None
            elif entry is _SKIP:
                continue
            else:
                feature, starts = entry
            if feature is not None:
                if feature in counts:
                    counts[feature] += 1
                    repeated = True
                else:
                    counts[feature] = 1
                    spans[feature] = (position, position)
            if following is not None:
                feature = following.get(key)
                if feature is not None:
                    if feature in counts:
                        counts[feature] += 1
                        repeated = True
                    else:
                        counts[feature] = 1
                        spans[feature] = (previous_position, position)
            following = starts
            previous_position = position
        if not counts:
            return self._finish(self._bias, None)
        np = self._np
        ids = np.fromiter(counts, dtype=np.intp, count=len(counts))
        x = self.idf.take(ids)
        if repeated:
            # Sublinear term frequency, as in training: 1 + log(count).
            x = x * (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64)))
        logits = self.bias + (x @ self.weights.take(ids, axis=0)) / math.sqrt(float(x @ x))
        return self._finish(logits.tolist(), spans)

    @staticmethod
    def _finish(logits: list[float], found: dict[int, tuple[int, int]] | None) -> FamilyProbs:
        top = max(logits)
        exp = [math.exp(v - top) for v in logits]
        total = sum(exp)
        return FamilyProbs(tuple(v / total for v in exp), found)

    def strongest_span(self, doc: Doc, model: FamilyProbs, family: str) -> tuple[int, int] | None:
        """Character span of the feature that pushed most towards ``family``, if any did."""
        if not model.features:
            return None
        ids = list(model.features)
        pull = self._pull[_CLASSES.index(family)].take(ids).tolist()
        best = pull.index(max(pull))  # the first strongest, as numpy's argmax
        if pull[best] <= 0:
            return None
        first_token, last_token = model.features[ids[best]]
        last = doc[last_token]
        return doc[first_token].idx, last.idx + len(last.text)


@cache
def _model() -> _BowModel:
    import numpy as np

    resource = files("empathic_reply.data").joinpath("models").joinpath("emotions_bow.npz")
    with np.load(io.BytesIO(resource.read_bytes())) as arrays:
        return _BowModel({name: arrays[name] for name in arrays.files})


def family_probs(doc: Doc) -> FamilyProbs:
    """The model's Ekman-family probabilities for ``doc`` (computed once per ``Doc``).

    Args:
        doc: A tokenised ``Doc``.

    Returns:
        Probabilities in [0, 1] per family and neutral, with the strongest span per family.
    """
    cached = doc.user_data.get(_USER_DATA_KEY)
    if isinstance(cached, FamilyProbs):
        return cached
    result = _model().predict(doc)
    doc.user_data[_USER_DATA_KEY] = result
    return result


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per ``Doc`` (spaCy rebuilds it from the tokens each time)."""
    return prepared_text(doc).text


def set_prepared_text(doc: Doc, prepared: Prepared) -> None:
    """Cache ``prepared`` as the text of ``doc`` (only when it is exactly ``doc.text``)."""
    doc.user_data[_TEXT_KEY] = prepared


def prepared_text(doc: Doc) -> Prepared:
    """``doc.text`` prepared for the rule sets (lowered, trigrams), computed once per ``Doc``.

    Every rule set of the analysis searches the same text; sharing one
    :class:`~empathic_reply._rules.Prepared` saves lowering it and building its trigram set
    once per rule set.
    """
    prepared = doc.user_data.get(_TEXT_KEY)
    if not isinstance(prepared, Prepared):
        prepared = Prepared(doc.text)
        doc.user_data[_TEXT_KEY] = prepared
    return prepared


def _own_rules(rules: RuleSet, prefix: str) -> RuleSet:
    return RuleSet([r for r in rules.rules if r.id.startswith(prefix)], labels=rules.labels)


@cache
def _shipped_rules() -> RuleSet:
    return RuleSet.from_package("analysis", "emotions.yaml")


class _Candidate(NamedTuple):
    label: str
    family: EkmanFamily
    score: float
    evidence: list[Evidence]


class EmotionDetector:
    """Detect the emotions a customer expresses, with evidence.

    Args:
        rules: Extra or overriding emotion rules; a rule with a shipped id replaces it
            (``enabled: false`` disables it). Only rules whose id starts with ``"emotion."``
            are used, so a combined rule set for the whole analyser can be passed as is.
            Its ``labels`` table may add labels (each needs a ``family``).

    Raises:
        ConfigError: A rule's label has no Ekman family in the ``labels`` table.
    """

    def __init__(self, *, rules: RuleSet | None = None) -> None:
        shipped = _shipped_rules()
        merged = shipped if rules is None else shipped.merged(_own_rules(rules, _RULE_PREFIX))
        self._rules = _own_rules(merged, _RULE_PREFIX)
        self._families: dict[str, EkmanFamily] = {}
        self._defaults: dict[str, str] = {}
        for label, meta in merged.labels.items():
            family = meta.get("family")
            if family not in FAMILIES:
                continue
            self._families[label] = cast("EkmanFamily", family)
            if meta.get("default"):
                self._defaults[family] = label
        for rule in self._rules.rules:
            if rule.label not in self._families:
                raise ConfigError(
                    f"emotion rule {rule.id!r}: label {rule.label!r} has no family "
                    "in the labels table"
                )
        for family in FAMILIES:
            self._defaults.setdefault(family, family)
            self._families.setdefault(self._defaults[family], family)

    @property
    def labels(self) -> dict[str, EkmanFamily]:
        """Every emotion label this detector can return, with its Ekman family."""
        return dict(self._families)

    def detect_doc(self, doc: Doc, sentiment: Sentiment) -> list[Emotion]:
        """Emotions expressed in ``doc``, strongest first.

        Args:
            doc: The tokenised message (any pipeline; only tokens are needed).
            sentiment: The message's sentiment; a negative (especially sarcastic) message
                does not get the joy the model reads into "Great" or "Thanks a lot".

        Returns:
            Emotions with ``score`` in [0, 1] (higher = stronger or more certain), their
            Ekman ``family`` and evidence spans into ``doc.text``. Empty means neutral.
        """
        prepared = prepared_text(doc)
        text = prepared.text
        if not text.strip():
            return []
        model = family_probs(doc)
        sarcastic = any(c.source.startswith("sentiment.sarcasm") for c in sentiment.corrections)
        question = "?" in text
        model_scores = self._model_scores(model, sentiment, sarcastic=sarcastic, question=question)
        if question and _is_request(prepared):
            model_scores.pop("surprise", None)

        candidates: dict[str, _Candidate] = {}
        covered: set[str] = set()
        by_label: list[LabelScore] = self._rules.scores(prepared)
        if question and any(self._families[item.label] == "anger" for item in by_label):
            # An angry question ("Why the heck can't you...?!") is a challenge: the model's
            # question-shaped surprise is not confusion there.
            model_scores.pop("surprise", None)
        for item in by_label:
            family = self._families[item.label]
            if sarcastic and family == "joy":
                continue
            support = _MODEL_SUPPORT * model_scores.get(family, 0.0)
            score = 1.0 - (1.0 - item.score) * (1.0 - support)
            candidates[item.label] = _Candidate(item.label, family, score, item.evidence())
            covered.add(family)
        for family, score in model_scores.items():
            if family in covered or family in _RULE_CUED_FAMILIES:
                continue
            label = self._defaults[family]
            if family == "surprise" and question and "confusion" in self._families:
                label = "confusion"
            span = _model().strongest_span(doc, model, family)
            evidence = self._model_evidence(text, span)
            candidates[label] = _Candidate(label, family, score, evidence)
        ordered = sorted(candidates.values(), key=lambda c: (-c.score, c.label))
        return [
            trusted(
                Emotion,
                label=c.label,
                score=round(min(1.0, max(0.0, c.score)), 4),
                family=c.family,
                evidence=c.evidence,
            )
            for c in ordered
        ]

    @staticmethod
    def _model_scores(
        model: FamilyProbs, sentiment: Sentiment, *, sarcastic: bool, question: bool
    ) -> dict[EkmanFamily, float]:
        neutral = model.probs[_NEUTRAL]
        scores: dict[EkmanFamily, float] = {}
        for position, family in enumerate(FAMILIES):
            p = model.probs[position]
            if p < neutral:
                continue
            if family == "joy" and sentiment.label == "negative":
                if sarcastic:
                    continue
                p *= _DAMP_JOY_WHEN_NEGATIVE
            elif family in _NEGATIVE_FAMILIES and sentiment.label == "positive":
                p *= _DAMP_NEGATIVE_WHEN_POSITIVE
            elif family == "surprise" and question:
                p *= _DAMP_SURPRISE_IN_QUESTION
            if p >= _MODEL_FLOOR:
                scores[family] = p
        return scores

    @staticmethod
    def _model_evidence(text: str, span: tuple[int, int] | None) -> list[Evidence]:
        if span is None:
            stripped = text.strip()
            start = text.index(stripped) if stripped else 0
            span = (start, start + len(stripped))
        start, end = span
        return [trusted(Evidence, text=text[start:end], start=start, end=end, source=_MODEL_SOURCE)]
