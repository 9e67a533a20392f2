"""Intent detection: rules from ``data/analysis/intents.yaml`` combined with sentiment cues.

Every intent starts from its rule score (noisy-or of the matching rules, see
:mod:`empathic_reply._rules`). Sentiment and emotions then act as features:

* **complaint** is a breach of expectations, so rules about late, missing, broken, wrongly
  charged or ignored things carry it on their own. Rules marked ``attrs.needs_context`` (words
  that are also everyday moaning: "broken", "worst", "why"), negative polarity, hurt emotions,
  a question put to support (half as much when it is itself a polite request or a
  suggestion and no rule names an issue) and a threat to leave/escalate add up, and that
  sum is scaled by the *aim*: how clearly the message is addressed to a brand about a
  service (a support handle, an ``@mention`` or "you", a support topic). With no addressee
  and no support topic the aim is 0.3, so "I hate Mondays lol" cannot become a complaint;
  an ``@mention`` alone lifts it to 0.5 (we cannot tell ``@friend`` from ``@brand``). "My
  order was supposed to arrive Monday" is a complaint on its rule alone.
* **praise** needs non-negative polarity and is damped when a complaint is clear (sarcasm:
  "Great, my order is late AGAIN").
* **thanks** is damped when the message is a clear negative complaint ("thanks a lot"), and
  when a complaint is clear and the only thanks is a bare sign-off (rules marked
  ``attrs.courtesy``: "...that is no excuse! Thanks"); gratitude with a reason ("thanks for
  sorting it") keeps its score.
* **thanks** that closes a question or request (only rules marked ``attrs.signoff``, all
  after the first question or request match: "can you check my order? thank you") is
  damped below the ask; next to a rule marked ``attrs.ahead`` (thanking in advance: "TIA",
  "appreciate any help") any thanks is: help asked for is not help given.
* Rules marked ``attrs.sarcasm`` ("thanks for nothing") damp thanks and praise; rules marked
  ``attrs.rhetorical`` ("you call this a burger?", "why the heck can't you...?") damp the
  question: a question that answers itself is the complaint, not a request for information.

The weights are module constants below. They were set by hand, as round numbers, while
reading errors on the development half of the complaints dataset (no model is trained on
it); the decision threshold is the one shared with :class:`~empathic_reply.models.Analysis`
(0.5).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from empathic_reply._labels import INTENT_LABELS, TOPIC_LABELS
from empathic_reply._rules import Match, Prepared, Rule, RuleSet
from empathic_reply._trusted import trusted
from empathic_reply.models import Emotion, Evidence, Intent, Sentiment, Topic

__all__ = ["INTENT_LABELS", "IntentDetector", "IntentFeatures"]

"""The shipped intent vocabulary ("other" is the absence of any of these at >= 0.5)."""

_NEGATIVE_FAMILIES = frozenset({"anger", "sadness", "disgust", "fear"})
_DIRECTED_PATTERN = (
    r"(?:^|\s|\.)@\w|\b(?:you|your|yours|u|ur|y'?all|you guys|customer service|"
    r"customer care|support)\b"
)
_SUPPORT_HANDLE_PATTERN = (
    r"@\w*(?:help|support|care|cares|service|svc|cs|assist|desk|team|info|hq)\w*|"
    r"\b(?:customer (?:service|care|support)|help ?desk|support team|call cent(?:re|er))\b"
)
_DIRECTED = re.compile(_DIRECTED_PATTERN, re.IGNORECASE)
_SUPPORT_HANDLE = re.compile(_SUPPORT_HANDLE_PATTERN, re.IGNORECASE)
# For lowered text (the patterns have no upper-case letters):
_DIRECTED_LOW = re.compile(_DIRECTED_PATTERN)
_SUPPORT_HANDLE_LOW = re.compile(_SUPPORT_HANDLE_PATTERN)
# Every _SUPPORT_HANDLE match contains "@", "customer ", "help", "support team" or "call cent"
# (tested in _aim before the search).
_SUPPORT_TOPICS = frozenset(TOPIC_LABELS)  # every shipped topic is a support topic
_MIN_SCORE = 0.2
_MAX_RULE_SCORE = 0.99  # RuleSet.combine's cap of a label's rule score
# Aim (how clearly a message is addressed to a brand about a service), in [0.3, 1]:
_AIM_BASE = 0.3  # anything
_AIM_HANDLE = 0.6  # a support-looking handle or "customer service" named
_AIM_DIRECTED = 0.2  # otherwise: an @mention or "you/your"
_AIM_TOPIC = 0.5  # a support topic (delivery, billing, account...)
_SUPPORT_AIM = 0.7  # aim from which a question counts as raising an issue
# Weights of the context-dependent complaint evidence (summed, capped at 1, times the aim):
_W_WEAK = 1.5  # context-dependent complaint rules (noisy-or)
_W_NEGATIVITY = 1.5  # corrected negative polarity, 0..1
_W_HURT = 0.3  # strongest anger/sadness/disgust/fear emotion
_W_QUESTION = 0.5  # a question put to support
_W_THREAT = 0.5  # leaving, escalating or an emergency: something went wrong, unnamed
# A question that is itself a polite request or a suggestion ("Could you send me the
# invoice?", "Can you add an option to...?") raises no issue unless a rule names one:
# its question weight is scaled by this.
_POLITE_QUESTION = 0.5
_COURTESY_THANKS = 0.6  # a bare sign-off "thanks" next to a clear complaint is scaled by this
_SIGNOFF_THANKS = 0.5  # thanks that only closes a question or request, or thanks in advance
_ASK_LABELS = ("question", "request")
_SARCASM = 0.3  # thanks and praise, when a rule reads the thanks as sarcasm
_RHETORICAL = 0.5  # the question, when a rule reads it as rhetorical and a complaint is clear


def _aim(text: str | Prepared, topics: Sequence[Topic]) -> float:
    """How clearly a message is aimed at a brand about a service, in [0.3, 1].

    A complaint needs an addressee: general moaning ("I hate Mondays lol", "worst day ever")
    is not one. Cues: a support-looking handle (``@BrandHelp``, ``@XSupport``), a support
    topic (delivery, billing, account...) and addressing someone ("you", "your", an
    ``@mention``).
    """
    prepared = text if isinstance(text, Prepared) else Prepared(text)
    aim = _AIM_BASE
    if prepared.aligned:
        # The lowered text under lower-case patterns matches as the text does under
        # IGNORECASE (see Prepared.aligned), faster; a support handle needs one of these.
        low = prepared.lowered
        if (
            "@" in low
            or "customer " in low
            or "help" in low
            or "support team" in low
            or "call cent" in low
        ) and _SUPPORT_HANDLE_LOW.search(low):
            aim += _AIM_HANDLE
        elif _DIRECTED_LOW.search(low):
            aim += _AIM_DIRECTED
    elif _SUPPORT_HANDLE.search(prepared.text):
        aim += _AIM_HANDLE
    elif _DIRECTED.search(prepared.text):
        aim += _AIM_DIRECTED
    for topic in topics:
        if topic.label in _SUPPORT_TOPICS and topic.score >= 0.5:
            aim += _AIM_TOPIC
            break
    return min(1.0, aim)


def _noisy_or(*scores: float) -> float:
    miss = 1.0
    for score in scores:
        miss *= 1.0 - max(0.0, min(1.0, score))
    return 1.0 - miss


class IntentFeatures:
    """Non-rule features of one message that intents are combined with.

    Args:
        sentiment: The message's polarity.
        emotions: Its emotions, strongest first.
        topics: Its topics, most likely first.
    """

    __slots__ = ("emotions", "sentiment", "topics")

    def __init__(
        self, *, sentiment: Sentiment, emotions: Sequence[Emotion], topics: Sequence[Topic]
    ) -> None:
        self.sentiment = sentiment
        self.emotions = emotions
        self.topics = topics


class _Marks(NamedTuple):
    """Ids of the intent rules marked in their ``attrs``, one set per mark.

    ``needs_context`` (weak: counts only with other evidence), ``courtesy`` (a bare sign-off
    thanks), ``sarcasm``, ``rhetorical``, ``signoff`` (thanks that closes an ask) and
    ``ahead`` (thanking in advance).
    """

    weak: frozenset[str]
    courtesy: frozenset[str]
    sarcasm: frozenset[str]
    rhetorical: frozenset[str]
    signoff: frozenset[str]
    ahead: frozenset[str]

    @classmethod
    def of(cls, rules: Sequence[Rule]) -> _Marks:
        def marked(attr: str) -> frozenset[str]:
            return frozenset(r.id for r in rules if r.attrs.get(attr))

        return cls(
            weak=marked("needs_context"),
            courtesy=marked("courtesy"),
            sarcasm=marked("sarcasm"),
            rhetorical=marked("rhetorical"),
            signoff=marked("signoff"),
            ahead=marked("ahead"),
        )


class IntentDetector:
    """Score intents from rules plus sentiment, emotion and topic features.

    Args:
        rules: The intent rules (already merged with any user rules). Labels that are not
            among :data:`INTENT_LABELS` (a user's own intents) are reported as they are,
            from their rules alone.
    """

    def __init__(self, *, rules: RuleSet) -> None:
        self.rules = rules
        self._marked_of: RuleSet | None = None  # the rule set ``_marks`` was computed for
        self._marks = _Marks.of(())

    def _marked(self) -> _Marks:
        """Ids of the rules marked in their ``attrs`` (recomputed if ``rules`` changes)."""
        if self._marked_of is not self.rules:
            self._marks = _Marks.of(self.rules.rules)
            self._marked_of = self.rules
        return self._marks

    def detect(self, text: str | Prepared, features: IntentFeatures) -> list[Intent]:
        """Intents of ``text``, most likely first.

        Args:
            text: The message, or the message prepared by :meth:`RuleSet.prepare`.
            features: Its sentiment, emotions and topics.

        Returns:
            Intents with score in [0, 1] (higher is surer; 0.5 decides) of at least 0.2,
            each with the spans that support it.
        """
        polarity = features.sentiment.score
        negativity = max(0.0, -polarity)
        positivity = max(0.0, polarity)
        negative_emotions = [e for e in features.emotions if e.family in _NEGATIVE_FAMILIES]
        hurt = max((e.score for e in negative_emotions), default=0.0)
        prepared = text if isinstance(text, Prepared) else Prepared(text)
        aim = _aim(prepared, features.topics)

        marks = self._marked()
        groups, scores, strong_miss, weak_miss = _rule_scores(
            self.rules.find(prepared), marks.weak, aim
        )

        # complaint: strong rules stand alone; weak rules, negativity, hurt emotions and a
        # question put to support (in this domain, "why is X not..." is a complaint) add up
        # and are scaled by the aim.
        strong = 1.0 - strong_miss.get("complaint", 1.0)
        weak = 1.0 - weak_miss.get("complaint", 1.0)
        asks_support = aim >= _SUPPORT_AIM
        question_weight = _W_QUESTION
        if (
            strong < 0.3
            and weak < 0.3
            and max(scores.get("request", 0.0), scores.get("feedback", 0.0)) >= 0.5
        ):
            question_weight *= _POLITE_QUESTION
        get = scores.get  # threat: the trouble intents (leaving, escalating, an emergency)
        threat = max(get("cancellation", 0.0), get("escalation_threat", 0.0), get("urgent", 0.0))
        inner = min(
            1.0,
            _W_WEAK * weak
            + _W_NEGATIVITY * negativity
            + _W_HURT * hurt
            + (question_weight * scores.get("question", 0.0) if asks_support else 0.0)
            + _W_THREAT * threat,
        )
        complaint = _noisy_or(strong, inner * aim)
        if strong < 0.3 and polarity > 0.3:
            complaint *= 0.5
        extra: list[Evidence] | None = None
        if complaint > scores.get("complaint", 0.0):
            extra = [ev for e in negative_emotions for ev in e.evidence]
            extra += features.sentiment.corrections
        scores["complaint"] = complaint

        if "praise" in scores:
            praise = scores["praise"] * (1.0 if polarity >= -0.05 else 0.4)
            praise = _noisy_or(praise, 0.3 * positivity * scores["praise"])
            if complaint >= 0.5:
                praise *= 0.5
            scores["praise"] = praise
        if "thanks" in scores:
            _defer_to_ask(scores, groups, marks)
        if complaint >= 0.5:
            _defer_to_complaint(scores, groups, polarity, marks)

        intents = []
        for label, score in scores.items():
            if score < _MIN_SCORE:
                continue
            group = groups.get(label, [])
            # A label's matches are in order of appearance, one per span and rule: their
            # evidence needs no sorting or de-duplication unless more is added.
            evidence = [m.evidence() for m in group]
            if label == "complaint" and extra:
                evidence = _dedupe(evidence + extra)
            intents.append(
                trusted(Intent, label=label, score=round(min(0.99, score), 4), evidence=evidence)
            )
        intents.sort(key=_RANK)
        return intents


def _defer_to_ask(scores: dict[str, float], groups: dict[str, list[Match]], marks: _Marks) -> None:
    """Damp, in place, thanks that closes or anticipates a question or request.

    Thanks in advance (a rule marked ``attrs.ahead`` matched) thanks for nothing done
    yet; a thanks made only of ``attrs.signoff`` rules, all after the first question or
    request match (of score >= 0.5), signs the ask off. Either way the ask outranks it.
    """
    asks = [m for label in _ASK_LABELS if scores.get(label, 0.0) >= 0.5 for m in groups[label]]
    if not asks:
        return
    if any(m.rule.id in marks.ahead for m in asks):
        scores["thanks"] *= _SIGNOFF_THANKS
        return
    first_ask = min(m.start for m in asks)
    if all(m.rule.id in marks.signoff and m.start > first_ask for m in groups["thanks"]):
        scores["thanks"] *= _SIGNOFF_THANKS


def _defer_to_complaint(
    scores: dict[str, float], groups: dict[str, list[Match]], polarity: float, marks: _Marks
) -> None:
    """Damp, in place, what a clear complaint (score >= 0.5) outranks.

    A sign-off "thanks" (only ``attrs.courtesy`` rules) or any thanks in a clearly
    negative message; thanks and praise when a rule reads them as sarcasm; the question
    when a rule reads it as rhetorical.
    """
    if "thanks" in scores:
        courtesy_only = all(m.rule.id in marks.courtesy for m in groups["thanks"])
        if polarity < -0.3 or courtesy_only:
            scores["thanks"] *= _COURTESY_THANKS
    if "thanks" in scores or "praise" in scores or "question" in scores:
        # Only then can a sarcastic or rhetorical complaint rule change anything.
        found = {m.rule.id for m in groups.get("complaint", ())}
        if found & marks.sarcasm:
            for label in ("thanks", "praise"):
                if label in scores:
                    scores[label] *= _SARCASM
        if "question" in scores and found & marks.rhetorical:
            scores["question"] *= _RHETORICAL


def _rule_scores(
    matches: list[Match], weak_ids: frozenset[str], aim: float
) -> tuple[dict[str, list[Match]], dict[str, float], dict[str, float], dict[str, float]]:
    """Per label: its matches, its rule score, and the miss of its strong and weak rules.

    A label's rule score is the noisy-or of its distinct spans (as :meth:`RuleSet.combine`);
    for a label with context-dependent (weak) matches, the weak part is scaled by ``aim``.
    The misses are ``prod(1 - score)`` over the strong (respectively weak) matches.
    """
    # One pass over the matches (in order of appearance) per label: the noisy-or of
    # distinct spans (as RuleSet.combine), and of the strong and the context-dependent
    # (weak) matches, multiplied in the same order as before.
    groups: dict[str, list[Match]] = {}
    scores: dict[str, float] = {}
    strong_miss: dict[str, float] = {}
    weak_miss: dict[str, float] = {}
    for match in matches:
        label = match.rule.label
        group = groups.get(label)
        if group is None:
            groups[label] = [match]
            strong_miss[label] = 1.0
        else:
            group.append(match)
        if match.rule.id in weak_ids:
            weak_miss[label] = weak_miss.get(label, 1.0) * (1.0 - match.score)
        else:
            strong_miss[label] *= 1.0 - match.score
    for label, group in groups.items():
        miss = 1.0
        seen: set[tuple[int, int]] = set()
        for match in group:
            if (match.start, match.end) not in seen:
                seen.add((match.start, match.end))
                miss *= 1.0 - match.score
        scores[label] = min(_MAX_RULE_SCORE, 1.0 - miss)
    for label, weak_label_miss in weak_miss.items():
        # Context-dependent evidence counts in proportion to the aim (below), together
        # with the message's negativity and hurt emotions.
        scores[label] = _noisy_or(1.0 - strong_miss[label], min(1.0, 1.0 - weak_label_miss) * aim)
    return groups, scores, strong_miss, weak_miss


def _rank(intent: Intent) -> tuple[float, str]:
    return (-intent.score, intent.label)


_RANK = _rank


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[int, int, str]] = set()
    kept = []
    for item in sorted(evidence, key=lambda ev: (ev.start, ev.end)):
        key = (item.start, item.end, item.source)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
