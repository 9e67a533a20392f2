"""Canned-ness signals: what makes a reply read as a pasted form letter, each with its span.

The score is a logistic model over a handful of signals, each in [0, 1]:

- ``boilerplate``: noisy-or of the hand-written lexicon's matches, each reported under its own
  signal name: ``stock_phrase`` (corporate boilerplate), ``redirect`` ("DM us / contact us /
  visit our help page"), ``vague_reference`` ("your issue", "the matter"), ``broadcast``
  (campaign hashtags, mass mentions). One weight: on the calibration data the families are
  not separable, and a per-family weight overfits 46 positives;
- ``placeholder``: an unfilled template slot (``{{Order Number}}``);
- ``defensive``: policy, "as previously stated", blame, "unfortunately we are unable";
- ``formulaic``: little said outside greetings, thanks, apologies, redirects and stock phrases;
- ``generic``: nothing specific at all (no detail of the message, no number, no name);
- ``no_mirroring``: none of the customer's own content words come back (needs ``message``);
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
from empathic_reply._rules import Match, Rule, RuleSet

if TYPE_CHECKING:
    from empathic_reply.models import Analysis

__all__ = [
    "CANNEDNESS_LABELS",
    "SIGNALS",
    "CannednessModel",
    "Lexicon",
    "MessageProfile",
    "Signal",
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
    """One signal's value in [0, 1] and the matches behind it (empty for structural signals)."""

    name: str
    value: float
    matches: tuple[Match, ...] = ()


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


class CannednessModel(BaseModel):
    """Calibrated weights (``data/review/weights.yaml``), validated at load."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    version: int = 1
    intercept: float
    weights: dict[str, float]
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
    character). Rules whose triggers are all absent are skipped, which makes a review several
    times cheaper; a rule without triggers always runs. Triggers must be necessary
    conditions: the tests check that gated and ungated matching agree.

    Args:
        rules: The merged review rules.
        stopwords: Words that never count as content.
    """

    def __init__(self, rules: RuleSet, stopwords: frozenset[str]) -> None:
        self.rules = rules
        self.stopwords = stopwords
        # One group per (label, triggers): a caller that needs only some labels (canned-ness
        # needs no empathy cues) skips the rest, and a group runs only when triggered.
        groups: dict[tuple[str, tuple[str, ...]], list[Rule]] = {}
        for rule in rules.rules:
            if rule.enabled:
                triggers = tuple(str(t).lower() for t in rule.attrs.get("triggers") or ())
                groups.setdefault((rule.label, triggers), []).append(rule)
        self._groups = [
            (
                label,
                re.compile("|".join(re.escape(t) for t in key if t != _NON_ASCII))
                if any(t != _NON_ASCII for t in key)
                else None,
                bool(key),
                _NON_ASCII in key,
                RuleSet(group),
            )
            for (label, key), group in groups.items()
        ]

    def find(self, text: str, labels: frozenset[str] | None = None) -> list[Match]:
        """Every match of every rule (same result as ``rules.find``), by position.

        Args:
            text: The text to search.
            labels: Only rules with these labels (default: all).
        """
        low = text.lower()
        non_ascii = not text.isascii()
        matches: list[Match] = []
        for label, triggers, gated, on_non_ascii, ruleset in self._groups:
            if labels is not None and label not in labels:
                continue
            if (
                not gated
                or (on_non_ascii and non_ascii)
                or (triggers is not None and triggers.search(low))
            ):
                matches.extend(ruleset.find(text))
        matches.sort(key=lambda match: (match.start, match.end))
        return matches


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
def lexicon() -> Lexicon:
    """The shipped review lexicon (loaded once)."""
    return Lexicon(shipped_rules(), stopwords())


@lru_cache(maxsize=1)
def model() -> CannednessModel:
    """The calibrated weights shipped in ``data/review/weights.yaml`` (loaded once)."""
    return CannednessModel.model_validate(load_yaml("review", "weights.yaml"))


_CONTENT_TOKEN = re.compile(r"https?://\S+|www\.\S+|@\w+|([^\W_][\w'’]*)")


def content_words(text: str, stopwords: frozenset[str]) -> set[str]:
    """Stems of the content words of ``text`` (no handles, links, numbers or stopwords).

    The stem is a 5-character prefix: "delivery"/"delivered", "refund"/"refunds" meet. Crude,
    cheap, and good enough to tell whether a reply reuses the customer's words.
    """
    out = set()
    for word in _CONTENT_TOKEN.findall(text.lower()):
        if not word:
            continue
        key = word.replace("’", "'").split("'")[0]
        if len(key) < 3 or key in stopwords or key.isdigit():
            continue
        out.add(key[:5])
    return out


@dataclass(frozen=True)
class MessageProfile:
    """What the review needs from the inbound message (computed once per message)."""

    stems: frozenset[str] = frozenset()
    detail_stems: frozenset[str] = frozenset()
    negative: bool = False
    angry: bool = False
    complaint: bool = False
    praise: bool = False
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
    return MessageProfile(
        stems=stems,
        detail_stems=frozenset(details),
        negative=analysis.sentiment.score <= -0.3 or analysis.sentiment.label == "negative",
        angry=any(e.family in angry_families and e.score >= 0.5 for e in analysis.emotions),
        complaint=analysis.has_intent("complaint") or analysis.has_intent("escalation_threat"),
        praise=(analysis.has_intent("praise") or analysis.has_intent("thanks"))
        and not analysis.has_intent("complaint"),
        present=bool(analysis.text.strip()),
    )


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

_BOILERPLATE = frozenset({"stock_phrase", "redirect", "vague_reference", "broadcast"})
_FORMULA_LABELS = frozenset(
    {"stock_phrase", "redirect", "vague_reference", "broadcast", "greeting"}
)


def extract_signals(
    reply: str,
    matches: list[Match],
    by_label: Mapping[str, list[Match]],
    message: MessageProfile | None,
    stopwords: frozenset[str],
) -> list[Signal]:
    """Every single-reply signal of ``reply`` (values in [0, 1], higher = more canned).

    Args:
        reply: The reply text.
        matches: Every lexicon match in the reply.
        by_label: The same matches grouped by label.
        message: The inbound message's profile, or ``None`` when unknown.
        stopwords: Words that never count as content.
    """
    out: list[Signal] = []
    found = [m for m in matches if m.rule.label in _BOILERPLATE]
    out.append(Signal("boilerplate", _noisy_or(found) if found else 0.0, tuple(found)))
    found = by_label.get("defensive", [])
    out.append(Signal("defensive", _noisy_or(found) if found else 0.0, tuple(found)))
    slots = by_label.get("placeholder", [])
    out.append(Signal("placeholder", 1.0 if slots else 0.0, tuple(slots)))

    # Formulaic: how much is said outside formula (stock phrases, redirects, greetings,
    # thanks/apology words, sign-offs). Content words inside formula spans don't count.
    body = _SIGN_OFF.sub("", reply)
    reply_stems = content_words(body, stopwords)
    pieces = []
    last = 0
    for m in matches:
        if m.rule.label in _FORMULA_LABELS and m.end > last:
            pieces.append(body[last : max(last, m.start)])
            last = m.end
    pieces.append(body[last:])
    n_sub = len(content_words(" ".join(pieces), stopwords)) if last else len(reply_stems)
    out.append(Signal("formulaic", max(0.0, 1.0 - n_sub / 8.0)))

    own_specific = any(
        m.group() not in _NON_CONTENT_CAPS for m in _SPECIFIC.finditer(_HANDLE.sub("", body))
    )
    if message is not None and message.present:
        echoed = reply_stems & (message.stems | message.detail_stems)
        mirrored = len(reply_stems & message.stems)
        generic = 0.0 if echoed or own_specific else 1.0
        no_mirror = max(0.0, 1.0 - mirrored / 2.0) if len(message.stems) >= 2 else 0.0
    else:
        generic = 0.0 if own_specific or n_sub >= 4 else 1.0
        no_mirror = 0.0
    out.append(Signal("generic", generic))
    out.append(Signal("no_mirroring", no_mirror))

    apologies = by_label.get("apology", [])
    misplaced = 0.0
    if apologies and message is not None and message.praise:
        misplaced = 1.0
    elif len(apologies) >= 2:
        misplaced = min(1.0, (len(apologies) - 1) / 2.0)
    out.append(Signal("apology_misplaced", misplaced, tuple(apologies) if misplaced else ()))

    tone = 0.0
    cheer = by_label.get("cheerful", [])
    if message is not None and (message.angry or (message.negative and message.complaint)):
        acknowledged = bool(apologies or by_label.get("acknowledge"))
        tone = min(1.0, len(cheer) / 3.0) * (0.5 if acknowledged else 1.0)
    out.append(Signal("tone_mismatch", tone, tuple(cheer) if tone else ()))
    return out
