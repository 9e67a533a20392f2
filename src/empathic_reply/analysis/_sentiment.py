"""Support-aware sentiment: VADER per sentence, a small model blend and support corrections.

VADER (``vaderSentiment``) is good at tweets but misreads customer-support language: "Still
waiting on my refund, 3 weeks now" is 0.0, "Great, my order is late AGAIN. Thanks a lot." is
+0.79 and "Kindly improve your performance" is +0.73. :class:`SentimentScorer`:

1. scores each sentence with one process-wide VADER analyser (built once: VADER rebuilds its
   lexicon on construction), after dropping emoji variation selectors so that "❤️" reads
   exactly like "❤" (VADER's emoji table only knows the bare heart and scores "❤️" as 0.0)
   and reading typographic apostrophes as straight ones (VADER's negations are spelt
   "don't", so "don’t like" would not be negated). Words that VADER scores in every sense
   are read as neutral where they are not evaluative (the ``word_senses`` section of
   ``data/analysis/sentiment.yaml``: "looks like rain" is not liking);
2. combines the sentence scores as VADER would read the whole text, then leans towards the
   most negative sentence: that is ``Sentiment.raw_score``;
3. blends in the polarity of the shipped GoEmotions bag-of-words model (see
   :mod:`empathic_reply.analysis._emotions`), which knows words VADER's lexicon lacks;
4. applies the corrections of ``data/analysis/sentiment.yaml`` (waiting, non-arrival,
   unanswered contact, repeated failure, sarcasm, polite-but-negative requests, negated
   liking, shouting, emoji, anticipation), reporting each as evidence.

The thresholds and weights live in the ``scoring`` section of the same file; they were tuned
on the TweetEval development set (``benchmarks/sentiment_eval.py``).

Speed: only VADER's compound score is used, so it is computed alone
(:func:`~empathic_reply.analysis._vader.fast_compound`: VADER's exact score without its
``neg`` / ``neu`` / ``pos`` shares, over words lower-cased once); ASCII text skips the
apostrophe / variation-selector translation (it has nothing to translate); sentence offsets
are read only for sentence starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from empathic_reply._resources import load_yaml
from empathic_reply._rules import Match, Prepared, RuleSet
from empathic_reply._trusted import trusted
from empathic_reply.analysis._emotions import family_probs, prepared_text
from empathic_reply.errors import ConfigError
from empathic_reply.models import Evidence, Sentiment

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["SentimentScorer", "vader_compound"]

_RULE_PREFIX: Final = "sentiment."
# Emoji variation selectors are dropped; typographic apostrophes read as straight ones.
_VADER_INPUT: Final = str.maketrans({"\ufe0e": None, "\ufe0f": None, "\u2019": "'"})
_SECTIONS: Final = frozenset({"scoring", "word_senses"})  # sentiment.yaml keys that are not rules
_VADER_ALPHA: Final = 15.0  # VADER's normalisation constant: compound = x / sqrt(x^2 + 15)


def _valence(compound: float) -> float:
    """Invert VADER's normalisation: the summed valence behind a compound score."""
    c = max(-0.9999, min(0.9999, compound))
    return c * math.sqrt(_VADER_ALPHA / (1.0 - c * c))


class Scoring(BaseModel):
    """Tuned weights and thresholds (the ``scoring`` section of ``sentiment.yaml``).

    Attributes:
        negative_pull: How far in [0, 1] the message score moves from the whole-text
            reading towards its most negative sentence (0 = not at all, 1 = all the way).
        model_weight: Share in [0, 1] of the bag-of-words model polarity in the blend.
        negative_below: Scores at or below this are ``"negative"``.
        positive_above: Scores at or above this are ``"positive"``.
        apply_at: Minimum rule score in [0, 1] (after context boosts) for a correction to apply.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    negative_pull: float = Field(default=0.2, ge=0.0, le=1.0)
    model_weight: float = Field(default=0.3, ge=0.0, le=1.0)
    negative_below: float = Field(default=-0.1, ge=-1.0, le=0.0)
    positive_above: float = Field(default=0.225, ge=0.0, le=1.0)
    apply_at: float = Field(default=0.5, ge=0.0, le=1.0)


@cache
def _vader() -> Callable[[str], float]:
    # VADER's compound score with identical results, faster (see analysis/_vader.py).
    from empathic_reply.analysis._vader import fast_compound

    return fast_compound()


def vader_compound(text: str) -> float:
    """VADER's compound score of ``text`` in [-1, 1] (negative to positive).

    Uses one cached analyser per process. Emoji variation selectors are removed first, so
    "❤️" scores like "❤" (+0.64) instead of 0.0, and typographic apostrophes (U+2019) read
    as straight ones, so "don’t" negates like "don't".
    """
    if not text.isascii():  # (an ASCII text has nothing to translate)
        text = text.translate(_VADER_INPUT)
    return _vader()(text)


class WordSense(BaseModel):
    """Words VADER scores in every sense (an entry of ``word_senses`` in ``sentiment.yaml``).

    Attributes:
        words: Each word (lower case) and the neutral word of the same length VADER reads
            in its place when it is not evaluative.
        keep_after: Lower-cased words after which the word is evaluative ("I like"): an
            occurrence directly after one of them (punctuation aside) keeps its score.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    words: dict[str, str]
    keep_after: frozenset[str] = frozenset()


class _Senses:
    """The ``word_senses`` of ``sentiment.yaml``, compiled: rewrites text for VADER."""

    def __init__(self, senses: list[WordSense]) -> None:
        neutral: dict[str, str] = {}
        keep: dict[str, frozenset[str]] = {}
        for sense in senses:
            for word, other in sense.words.items():
                if len(word) != len(other):
                    raise ConfigError(
                        f"analysis/sentiment.yaml: word_senses: {word!r} -> {other!r} "
                        "must keep the length (sentence offsets index the text)"
                    )
                neutral[word.lower()] = other.lower()
                keep[word.lower()] = sense.keep_after
        self._neutral = neutral
        self._keep = keep
        # Listed words that contain no other listed word: finding them finds every word.
        self._probes = tuple(
            sorted(w for w in neutral if not any(o != w and o in w for o in neutral))
        )

    def rewrite(self, text: str, lowered: str) -> str:
        """``text`` with non-evaluative uses replaced by their neutral word (same length).

        Args:
            text: The text VADER will read.
            lowered: ``text.lower()``. When lower-casing changes the length (rare letters
                such as "İ"), offsets would not line up and the text is left as it is.

        Uses ``str.find`` and short scans rather than a regular expression: a pattern that
        starts with a word boundary is tried at every position of the text, which costs more
        than scoring a sentence.
        """
        if len(lowered) != len(text):
            return text
        hits: list[tuple[int, int, str]] = []
        for probe in self._probes:
            start = lowered.find(probe)
            while start >= 0:
                end = start + len(probe)
                while end < len(lowered) and _is_word(lowered[end]):
                    end += 1
                key = lowered[start:end]
                if (
                    key in self._neutral
                    and (start == 0 or not _is_word(lowered[start - 1]))
                    and _word_before(lowered, start) not in self._keep[key]
                ):
                    hits.append((start, end, key))
                start = lowered.find(probe, end)
        if not hits:
            return text
        parts: list[str] = []
        done = 0
        for start, end, key in sorted(hits):
            if start < done:
                continue
            word, other = text[start:end], self._neutral[key]
            if word.isupper():
                other = other.upper()
            elif word[0].isupper():
                other = other.capitalize()
            parts += (text[done:start], other)
            done = end
        parts.append(text[done:])
        return "".join(parts)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _word_before(lowered: str, position: int) -> str:
    """The word before ``position`` across whitespace and punctuation ("" if none).

    Straight and typographic apostrophes belong to the word ("don't", "don’t" -> "don't").
    """
    end = position
    while end > 0 and lowered[end - 1].isspace():
        end -= 1
    if end == position:
        return ""  # the word is glued to what precedes it ('"like' or "(like")
    while end > 0 and not (_is_word(lowered[end - 1]) or lowered[end - 1] in "'\u2019"):
        if lowered[end - 1].isspace():
            return ""
        end -= 1
    start = end
    while start > 0 and (_is_word(lowered[start - 1]) or lowered[start - 1] in "'\u2019"):
        start -= 1
    return lowered[start:end].replace("\u2019", "'")


@cache
def _shipped() -> tuple[RuleSet, Scoring, _Senses]:
    document = load_yaml("analysis", "sentiment.yaml")
    if not isinstance(document, dict):
        raise ConfigError("analysis/sentiment.yaml: expected a mapping")
    try:
        scoring = Scoring.model_validate(document.get("scoring", {}))
        senses = [WordSense.model_validate(item) for item in document.get("word_senses", [])]
    except ValidationError as exc:
        raise ConfigError(f"analysis/sentiment.yaml: invalid section: {exc}") from None
    rules = {key: value for key, value in document.items() if key not in _SECTIONS}
    return RuleSet.from_data(rules, origin="analysis/sentiment.yaml"), scoring, _Senses(senses)


def _attr(match: Match, name: str) -> float | None:
    value: Any = match.rule.attrs.get(name)
    return float(value) if isinstance(value, int | float) else None


@cache
def _sent_start() -> int:
    """The attribute id of ``SENT_START`` (``Doc.to_array`` looks names up on every call)."""
    sent_start: int = import_module("spacy.attrs").SENT_START
    return sent_start


def _sentences(doc: Doc, text: str) -> list[str]:
    """Texts of the sentences of ``doc`` that are not just whitespace (all of it if unset).

    Reads the sentence starts with one ``to_array`` call and builds a ``Token`` only for each
    start, for its character offset: iterating ``doc.sents`` builds a ``Token`` per token and
    costs more than scoring the text (so does ``doc.text``: the caller passes it in, or a
    same-length rewrite of it).
    """
    starts = doc.to_array(_sent_start()).tolist()  # 1 where a sentence starts
    if starts.count(1) <= 1:
        return [text]
    offsets = [doc[i].idx for i, flag in enumerate(starts) if flag == 1]
    offsets[0] = 0
    bounds = zip(offsets, [*offsets[1:], len(text)], strict=True)
    return [chunk for start, end in bounds if not (chunk := text[start:end]).isspace()]


class SentimentScorer:
    """Score the polarity of customer messages, corrected for support language.

    Args:
        rules: Extra or overriding correction rules; a rule with a shipped id replaces it
            (``enabled: false`` disables it). Only rules whose id starts with
            ``"sentiment."`` are used, so one combined rule set for the whole analyser can be
            passed as is. A rule's ``attrs`` say how it moves the score: ``shift`` (added),
            ``max`` (ceiling), ``flip`` (a positive score becomes ``-flip`` times itself) and
            ``scale`` (magnitude multiplier).
    """

    def __init__(self, *, rules: RuleSet | None = None) -> None:
        shipped, scoring, senses = _shipped()
        if rules is not None:
            own = [r for r in rules.rules if r.id.startswith(_RULE_PREFIX)]
            shipped = shipped.merged(RuleSet(own))
        self._rules = shipped
        self.scoring: Scoring = scoring
        self._senses = senses
        _vader()  # build the analyser now rather than on the first message

    def score_doc(self, doc: Doc) -> Sentiment:
        """Support-aware sentiment of a tokenised message.

        Args:
            doc: The message as a ``Doc``. Sentences come from ``doc.sents`` when the
                pipeline sets sentence boundaries (e.g. a ``sentencizer``); otherwise the
                whole text is one sentence.

        Returns:
            The sentiment: ``score`` in [-1, 1] (negative to positive) after corrections,
            ``raw_score`` in [-1, 1] the sentence-weighted VADER compound (non-evaluative
            word senses read as neutral) before the model blend and corrections,
            ``label`` from the tuned thresholds, and every applied correction as evidence.
            Empty or whitespace-only text is neutral with score 0.0.
        """
        prepared = prepared_text(doc)
        text = prepared.text
        if not text.strip():
            return Sentiment(label="neutral", score=0.0, raw_score=0.0)
        raw = self._sentence_score(doc, self._senses.rewrite(text, prepared.lowered))
        cfg = self.scoring
        blended = (1.0 - cfg.model_weight) * raw + cfg.model_weight * family_probs(doc).polarity
        score, corrections = self._correct(prepared, blended)
        score = max(-1.0, min(1.0, score))
        return trusted(
            Sentiment,
            label=self._label(score),
            score=round(score, 4),
            raw_score=round(max(-1.0, min(1.0, raw)), 4),
            corrections=corrections,
        )

    def _label(self, score: float) -> Literal["negative", "neutral", "positive"]:
        if score <= self.scoring.negative_below:
            return "negative"
        if score >= self.scoring.positive_above:
            return "positive"
        return "neutral"

    def _sentence_score(self, doc: Doc, text: str) -> float:
        sentences = _sentences(doc, text)
        if len(sentences) <= 1:
            return vader_compound(text)
        # VADER's compound is x / sqrt(x^2 + 15) of a summed valence x: undo it per sentence,
        # add the sentences up and normalise once, which reads like VADER on the whole text
        # (without scoring the text twice). Then lean towards the most negative sentence.
        compounds = [vader_compound(sentence) for sentence in sentences]
        total = sum(_valence(c) for c in compounds)
        whole = total / math.sqrt(total * total + _VADER_ALPHA)
        lowest = min(compounds)
        if lowest < whole:
            whole += self.scoring.negative_pull * (lowest - whole)
        return whole

    def _correct(self, text: str | Prepared, score: float) -> tuple[float, list[Evidence]]:
        apply_at = self.scoring.apply_at
        matches = [m for m in self._rules.find(text) if m.score >= apply_at]
        if not matches:
            return score, []
        # One correction per kind (label): the strongest match decides how it moves the score.
        strongest: dict[str, Match] = {}
        for match in matches:
            best = strongest.get(match.rule.label)
            if best is None or match.score > best.score:
                strongest[match.rule.label] = match
        chosen = list(strongest.values())
        flip = max((f for m in chosen if (f := _attr(m, "flip")) is not None), default=None)
        if flip is not None and score > 0:
            score = -flip * score
        for match in chosen:
            scale = _attr(match, "scale")
            if scale is not None:
                score *= scale
        score += sum(s for m in chosen if (s := _attr(m, "shift")) is not None)
        ceiling = min((c for m in chosen if (c := _attr(m, "max")) is not None), default=None)
        if ceiling is not None:
            score = min(score, ceiling)
        return score, [m.evidence() for m in matches]
