"""Canned-ness signals: what makes a reply read as a pasted form letter, each with its span.

The score is a logistic model over a handful of signals, each in [0, 1]:

- ``boilerplate``: noisy-or of the hand-written lexicon's matches, each reported under its own
  signal name: ``stock_phrase`` (corporate boilerplate), ``vague_reference`` ("your issue",
  "the matter"), ``broadcast`` (campaign hashtags, mass mentions) and ``redirect`` ("DM us /
  contact us / visit our help page"). Stock phrases count in full on their own. A redirect
  counts only to the extent that the reply says nothing about the customer's situation: its
  strength is scaled by ``max(generic, 1 - min(1, echoed / 2))`` with ``echoed`` the number
  of the customer's own content words that come back: in full when nothing about their
  situation is said, half after one of their words, not at all after two (good public care
  acknowledges in public *then* moves to DM: "Sorry your order #123 is three weeks late, DM us
  and we'll chase it" is not canned, "Please DM us." is). One weight: on the calibration data
  the families are not separable, and a per-family weight overfits 46 positives (it lowers
  the held-out AUC);
- ``placeholder``: an unfilled template slot (``{{Order Number}}``);
- ``defensive``: policy, "as previously stated", blame, "unfortunately we are unable";
- ``formulaic``: how little is said outside greetings, stock phrases, redirects and sign-offs:
  ``1 - min(1, words outside formula / formula_words)``;
- ``generic``: nothing specific at all (none of the message's words or details, no word
  naming the message's topic, no number, no name);
- ``no_mirroring``: how few of the reply's content words come from the customer's message:
  ``1 - min(1, share / mirror_share)`` (needs ``message``; length-normalised, so a long reply
  that echoes one word of theirs still reads as not listening);
- ``generic`` and ``no_mirroring`` are 0 when the message is thanks-only (``closing``: a
  "thanks" intent, no reply needed): a short warm close is the right answer there, and
  ``formulaic`` is then explained without asking for specifics;
- ``apology_misplaced``: an apology for praise or thanks, or apology piled on apology;
- ``tone_mismatch``: exclamation marks, emoji and cheer in reply to an angry message;
- ``repetition``: near-copies of the reply already sent to others (history-aware, optional).

The weights are fitted by ``scripts/calibrate_review.py`` and read from
``data/review/weights.yaml``; nothing here is tuned by hand except the lexicons.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from empathic_reply._resources import load_yaml
from empathic_reply._rules import Match, Prepared, RuleSet

if TYPE_CHECKING:
    from empathic_reply.models import Analysis

__all__ = [
    "CANNEDNESS_LABELS",
    "SIGNALS",
    "CannednessModel",
    "Lexicon",
    "MessageProfile",
    "Signal",
    "SignalShape",
    "extract_signals",
    "lexicon",
    "model",
    "profile_message",
    "shipped_rules",
    "stopwords",
]

SIGNALS: tuple[str, ...] = (
    "boilerplate",
    "placeholder",
    "defensive",
    "formulaic",
    "generic",
    "no_mirroring",
    "apology_misplaced",
    "tone_mismatch",
)
"""Single-reply signals, in the order the calibration script fits them."""

_WORD = re.compile(r"[^\W_][\w'’]*")
_HANDLE = re.compile(r"@\w+")
_SIGN_OFF = re.compile(r"(?:\s[\^*~–—-]\s?[A-Za-z]{1,4}\.?|\s-\s?[A-Z][a-z]+)(?:\s+\d/\d)?\s*$")
_SPECIFIC = re.compile(r"\d|(?<=[a-z,;:] )[A-Z][a-z]+")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
_NON_CONTENT_CAPS = frozenset({"DM", "PM", "I", "We", "Please", "Thanks", "Thank", "Sorry"})


class Signal(NamedTuple):
    """One signal's value in [0, 1] and the matches behind it (empty for structural signals).

    ``scores`` (when given) is each match's effective strength, aligned with ``matches`` (a
    redirect's is scaled down when the reply speaks to the customer's situation); ``keys``
    (when given) names the ``signals`` text that explains each match, or, for a signal
    without matches, ``keys[0]`` names the text that explains the signal.
    """

    name: str
    value: float
    matches: tuple[Match, ...] = ()
    scores: tuple[float, ...] = ()
    keys: tuple[str, ...] = ()


class SignalText(BaseModel):
    """What the review says about a signal: the reason and a default suggestion."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    message: str
    suggestion: str = ""


class HistoryModel(BaseModel):
    """History-aware layer: ``logit = intercept + base * single_logit + repetition * x``."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    intercept: float = 0.0
    base: float = 1.0
    repetition: float = 3.0
    saturation: int = Field(default=20, ge=1)


class SignalShape(BaseModel):
    """Saturation points of the graded signals (chosen by cross-validation in the script).

    Attributes:
        formula_words: Words outside formula at which ``formulaic`` reaches 0 (> 0).
        mirror_share: Share of the reply's content words taken from the message at which
            ``no_mirroring`` reaches 0 (in (0, 1]).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    formula_words: float = Field(default=20.0, gt=0.0)
    mirror_share: float = Field(default=0.5, gt=0.0, le=1.0)


class CannednessModel(BaseModel):
    """Calibrated weights (``data/review/weights.yaml``), validated at load."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    version: int = 1
    intercept: float
    weights: dict[str, float]
    shape: SignalShape = Field(default_factory=SignalShape)
    history: HistoryModel = Field(default_factory=HistoryModel)
    levels: dict[Literal["medium", "high"], float]
    signals: dict[str, SignalText]
    empathy: dict[str, Any] = Field(default_factory=dict)
    calibration: dict[str, Any] = Field(default_factory=dict)

    def logit(self, values: Mapping[str, float]) -> float:
        """Single-reply log-odds of "templated" for signal values in [0, 1]."""
        return self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in values.items())

    def repetition_value(self, repeats: int) -> float:
        """Repetition signal in [0, 1]: log-scaled count of near-copies, saturating."""
        if repeats <= 0:
            return 0.0
        return min(1.0, math.log1p(repeats) / math.log1p(self.history.saturation))

    def level(self, score: float) -> Literal["low", "medium", "high"]:
        """Level for a score in [0, 1] (documented cut points in ``Cannedness``)."""
        if score >= self.levels["high"]:
            return "high"
        if score >= self.levels["medium"]:
            return "medium"
        return "low"


_NON_ASCII = "<non-ascii>"


class Lexicon:
    """The review's rules, merged so one pass over a reply finds every cue.

    A rule may list ``attrs.triggers``: lowercase substrings of which at least one must occur
    in the text for the rule to be able to match (``"<non-ascii>"`` stands for any non-ASCII
    character). One cheap scan of the lowered reply for every trigger selects the few rules
    that can match, and a single :meth:`RuleSet.find` runs only those; a rule without triggers
    always runs. Triggers must be necessary conditions: the tests check that gated and ungated
    matching agree.

    Args:
        rules: The merged review rules.
        stopwords: Words that never count as content.
    """

    def __init__(self, rules: RuleSet, stopwords: frozenset[str]) -> None:
        self.rules = rules
        self.stopwords = stopwords
        by_trigger: dict[str, set[str]] = {}
        self._always: dict[str, frozenset[str]] = {}  # label -> ids of ungated rules
        self._non_ascii: set[str] = set()
        self._labels: dict[str, str] = {}
        always: set[str] = set()
        for rule in rules.rules:
            if not rule.enabled:
                continue
            self._labels[rule.id] = rule.label
            triggers = [str(t).lower() for t in rule.attrs.get("triggers") or ()]
            if not triggers:
                always.add(rule.id)
            for trigger in triggers:
                if trigger == _NON_ASCII:
                    self._non_ascii.add(rule.id)
                else:
                    by_trigger.setdefault(trigger, set()).add(rule.id)
        self._always_ids = frozenset(always)
        # Triggers of three characters or more are indexed by their first trigram: one set
        # intersection with the reply's trigrams finds the few worth a substring test.
        self._short: list[tuple[str, frozenset[str]]] = []
        self._by_trigram: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for trigger, ids in by_trigger.items():
            if len(trigger) < 3:
                self._short.append((trigger, frozenset(ids)))
            else:
                self._by_trigram.setdefault(trigger[:3], []).append((trigger, frozenset(ids)))
        self._trigram_keys = frozenset(self._by_trigram)

    def select(self, text: str | Prepared, labels: frozenset[str] | None = None) -> set[str] | None:
        """Ids of the rules that can match ``text`` (``None``: the text needs every rule)."""
        prepared = text if isinstance(text, Prepared) else Prepared(text)
        if not prepared.aligned:
            return None  # lowering changes offsets or case-folding: no safe pre-filter
        low = prepared.lowered  # as the rules read it (’ as ')
        ids = set(self._always_ids)
        for trigger, rule_ids in self._short:
            if trigger in low:
                ids |= rule_ids
        # Testing each of the index's trigrams as a substring (in C) is cheaper than slicing
        # the reply into all of its trigrams.
        for gram in filter(low.__contains__, self._trigram_keys):
            for trigger, rule_ids in self._by_trigram[gram]:
                if len(trigger) == 3 or trigger in low:
                    ids |= rule_ids
        if self._non_ascii and not prepared.text.isascii():
            ids |= self._non_ascii
        if labels is not None:
            names = self._labels
            ids = {i for i in ids if names[i] in labels}
        return ids

    def find(self, text: str, labels: frozenset[str] | None = None) -> list[Match]:
        """Every match of every rule (same result as ``rules.find``), by position.

        Args:
            text: The text to search.
            labels: Only rules with these labels (default: all).
        """
        prepared = Prepared(text)  # lowered once, for the triggers and the rules
        ids = self.select(prepared, labels)
        if ids is None:
            found = self.rules.find(text)
            if labels is None:
                return found
            return [m for m in found if m.rule.label in labels]
        return self.rules.find(prepared, only=ids)


@lru_cache(maxsize=1)
def shipped_rules() -> RuleSet:
    """The shipped stock-phrase, move and empathy rules, merged (loaded once)."""
    return (
        RuleSet.from_package("review", "stock_phrases.yaml")
        .merged(RuleSet.from_package("review", "moves.yaml"))
        .merged(RuleSet.from_package("review", "empathy.yaml"))
    )


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words that say nothing specific (``data/review/words.yaml``)."""
    words = load_yaml("review", "words.yaml")
    return frozenset(str(w).lower() for w in words.get("stopwords", []))


@lru_cache(maxsize=1)
def topic_stems() -> dict[str, frozenset[str]]:
    """Per message topic, stems of words that name it (``data/review/words.yaml``)."""
    words = load_yaml("review", "words.yaml").get("topic_words") or {}
    return {
        str(topic): frozenset(content_words(" ".join(map(str, items)), frozenset()))
        for topic, items in words.items()
    }


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The shipped review lexicon (loaded once)."""
    return Lexicon(shipped_rules(), stopwords())


@lru_cache(maxsize=1)
def model() -> CannednessModel:
    """The calibrated weights shipped in ``data/review/weights.yaml`` (loaded once)."""
    return CannednessModel.model_validate(load_yaml("review", "weights.yaml"))


# Group 1 is a word up to its first apostrophe ("don't" -> "don"); links and handles match
# without a group, so they give "".
_CONTENT_TOKEN = re.compile(r"https?://\S+|www\.\S+|@\w+|([^\W_]\w*)[\w'’]*")


def content_words(text: str, stopwords: frozenset[str]) -> set[str]:
    """Stems of the content words of ``text`` (no handles, links, numbers or stopwords).

    The stem is a 5-character prefix: "delivery"/"delivered", "refund"/"refunds" meet. Crude,
    cheap, and good enough to tell whether a reply reuses the customer's words.
    """
    return {
        key[:5]
        for key in _CONTENT_TOKEN.findall(text.lower())
        if len(key) >= 3 and key not in stopwords and not key.isdigit()
    }


@dataclass(frozen=True)
class MessageProfile:
    """What the review needs from the inbound message (computed once per message)."""

    stems: frozenset[str] = frozenset()
    detail_stems: frozenset[str] = frozenset()
    topic_stems: frozenset[str] = frozenset()
    negative: bool = False
    angry: bool = False
    complaint: bool = False
    praise: bool = False
    closing: bool = False
    present: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


_DETAIL_WORDS = {
    "order_id": "order",
    "tracking_number": "track",
    "ticket_id": "ticke",
    "account_id": "accou",
    "amount": "refun",
}


def profile_message(analysis: Analysis, stopwords: frozenset[str]) -> MessageProfile:
    """Summarise an analysed message for the reply signals."""
    stems = frozenset(content_words(analysis.text, stopwords))
    details: set[str] = set()
    for detail in analysis.details:
        details.update(content_words(detail.text, stopwords))
        details.update(c for c in re.findall(r"\d{2,}", detail.text))
        if detail.kind in _DETAIL_WORDS:
            details.add(_DETAIL_WORDS[detail.kind])
    angry_families = {"anger", "disgust"}
    named = topic_stems()
    topics: set[str] = set()
    for topic in analysis.topics:
        if topic.score >= 0.5:
            topics.update(named.get(topic.label, ()))
    return MessageProfile(
        stems=stems,
        detail_stems=frozenset(details),
        topic_stems=frozenset(topics),
        negative=analysis.sentiment.score <= -0.3 or analysis.sentiment.label == "negative",
        angry=any(e.family in angry_families and e.score >= 0.5 for e in analysis.emotions),
        complaint=analysis.has_intent("complaint") or analysis.has_intent("escalation_threat"),
        praise=(analysis.has_intent("praise") or analysis.has_intent("thanks"))
        and not analysis.has_intent("complaint"),
        closing=analysis.has_intent("thanks")
        and not analysis.needs_reply
        and not analysis.has_intent("complaint"),
        present=bool(analysis.text.strip()),
    )


def _noisy_or_scores(matches: list[Match], scores: list[float]) -> float:
    miss = 1.0
    seen: set[tuple[int, int]] = set()
    for m, score in zip(matches, scores, strict=True):
        if (m.start, m.end) not in seen:
            seen.add((m.start, m.end))
            miss *= 1.0 - score
    return 1.0 - miss


def _noisy_or(matches: list[Match]) -> float:
    miss = 1.0
    seen: set[tuple[int, int]] = set()
    for m in matches:
        if (m.start, m.end) not in seen:
            seen.add((m.start, m.end))
            miss *= 1.0 - m.score
    return 1.0 - miss


CANNEDNESS_LABELS = frozenset(
    {
        "stock_phrase",
        "redirect",
        "vague_reference",
        "broadcast",
        "placeholder",
        "defensive",
        "apology",
        "acknowledge",
        "cheerful",
        "greeting",
    }
)
"""Lexicon labels the canned-ness signals read (the rest serve empathy and warnings)."""

_STOCK = frozenset({"stock_phrase", "vague_reference", "broadcast"})
_FORMULA_LABELS = frozenset(
    {"stock_phrase", "redirect", "vague_reference", "broadcast", "greeting"}
)
_LINK = re.compile(r"https?://\S+|www\.\S+")
_DEFAULT_SHAPE = SignalShape()


def _outside_formula(body: str, matches: list[Match]) -> tuple[str, bool]:
    """The reply without formula spans, handles and links; whether any formula span was found.

    Formula: stock phrases, redirects, vague references, broadcasts, greetings and sign-offs.
    """
    pieces = []
    last = 0
    for m in matches:
        if m.rule.label in _FORMULA_LABELS and m.end > last:
            pieces.append(body[last : max(last, m.start)])
            last = m.end
    pieces.append(body[last:])
    outside = " ".join(pieces)
    if "@" in outside:
        outside = _HANDLE.sub(" ", outside)
    if "http" in outside or "www." in outside:
        outside = _LINK.sub(" ", outside)
    return outside, bool(last)


def _situation(
    body: str,
    outside: str,
    message: MessageProfile | None,
    stopwords: frozenset[str],
    *,
    has_formula: bool,
    shape: SignalShape,
) -> tuple[float, float, float]:
    """``generic``, ``no_mirroring`` and how empty of the customer's situation the reply is."""
    reply_stems = content_words(body, stopwords)
    own_specific = any(
        m.group() not in _NON_CONTENT_CAPS
        for m in _SPECIFIC.finditer(_HANDLE.sub("", body) if "@" in body else body)
    )
    if message is None or not message.present:
        n_content = len(content_words(outside, stopwords)) if has_formula else len(reply_stems)
        generic = 0.0 if own_specific or n_content >= 4 else 1.0
        return generic, 0.0, generic
    echoed = reply_stems & (message.stems | message.detail_stems)
    # Naming the message's topic in other words ("your parcel" for "my package") is saying
    # something about the situation, though it is not mirroring.
    on_topic = not reply_stems.isdisjoint(message.topic_stems)
    generic = 0.0 if echoed or on_topic or own_specific else 1.0
    if len(message.stems) < 2:
        return generic, 0.0, generic
    mirrored = len(reply_stems & message.stems)
    share = mirrored / len(reply_stems) if reply_stems else 0.0
    no_mirror = max(0.0, 1.0 - share / shape.mirror_share)
    # A redirect is canned to the extent the reply says nothing about the situation: fully
    # when nothing specific is said, half when one of their words comes back, not at all
    # once two of their words come back.
    return generic, no_mirror, max(generic, 1.0 - min(1.0, mirrored / 2.0))


def _boilerplate(matches: list[Match], generic: float, empty: float) -> Signal:
    """Stock phrases in full; redirects scaled by how empty of the situation the reply is."""
    found: list[Match] = []
    scores: list[float] = []
    keys: list[str] = []
    for m in matches:
        label = m.rule.label
        if label in _STOCK:
            found.append(m)
            scores.append(m.score)
            keys.append(label)
        elif label == "redirect" and empty > 0.0:
            found.append(m)
            scores.append(m.score * empty)
            keys.append("redirect" if generic >= 1.0 else "redirect_unmirrored")
    return Signal(
        "boilerplate", _noisy_or_scores(found, scores), tuple(found), tuple(scores), tuple(keys)
    )


def _misplaced_apology_and_tone(
    by_label: Mapping[str, list[Match]], message: MessageProfile | None
) -> list[Signal]:
    apologies = by_label.get("apology", [])
    misplaced = 0.0
    if apologies and message is not None and message.praise:
        misplaced = 1.0
    elif len(apologies) >= 2:
        misplaced = min(1.0, (len(apologies) - 1) / 2.0)
    tone = 0.0
    cheer = by_label.get("cheerful", [])
    if message is not None and (message.angry or (message.negative and message.complaint)):
        acknowledged = bool(apologies or by_label.get("acknowledge"))
        tone = min(1.0, len(cheer) / 3.0) * (0.5 if acknowledged else 1.0)
    return [
        Signal("apology_misplaced", misplaced, tuple(apologies) if misplaced else ()),
        Signal("tone_mismatch", tone, tuple(cheer) if tone else ()),
    ]


def extract_signals(
    reply: str,
    matches: list[Match],
    by_label: Mapping[str, list[Match]],
    message: MessageProfile | None,
    stopwords: frozenset[str],
    *,
    shape: SignalShape | None = None,
) -> list[Signal]:
    """Every single-reply signal of ``reply`` (values in [0, 1], higher = more canned).

    Args:
        reply: The reply text.
        matches: Every lexicon match in the reply.
        by_label: The same matches grouped by label.
        message: The inbound message's profile, or ``None`` when unknown.
        stopwords: Words that never count as content.
        shape: Saturation points of the graded signals (default: the shipped ones).
    """
    shape = shape or _DEFAULT_SHAPE
    body = _SIGN_OFF.sub("", reply)
    outside, has_formula = _outside_formula(body, matches)
    formulaic = max(0.0, 1.0 - len(_WORD.findall(outside)) / shape.formula_words)
    generic, no_mirror, empty = _situation(
        body, outside, message, stopwords, has_formula=has_formula, shape=shape
    )
    formula_key: tuple[str, ...] = ()
    if message is not None and message.closing:
        # A thanks-only message needs a short warm close, not specifics: echoing nothing and
        # naming nothing are right there. A stock close ("Glad we could help! Have a great
        # day!") still reads formulaic, explained without asking for specifics.
        generic = no_mirror = 0.0
        formula_key = ("formulaic_closing",)
    defensive = by_label.get("defensive", [])
    slots = by_label.get("placeholder", [])
    return [
        _boilerplate(matches, generic, empty),
        Signal("defensive", _noisy_or(defensive) if defensive else 0.0, tuple(defensive)),
        Signal("placeholder", 1.0 if slots else 0.0, tuple(slots)),
        Signal("formulaic", formulaic, keys=formula_key),
        Signal("generic", generic),
        Signal("no_mirroring", no_mirror),
        *_misplaced_apology_and_tone(by_label, message),
    ]
