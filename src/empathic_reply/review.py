"""Review any reply (ours or a person's): canned-ness, empathy and risks, each explained.

``Reviewer.review(reply, message=..., channel=...)`` returns a
:class:`~empathic_reply.models.Review`:

- **canned-ness** in [0, 1] (higher = more canned), a logistic model over the signals in
  :mod:`empathic_reply._cannedness` with weights calibrated on real brand replies by
  ``scripts/calibrate_review.py``; every reason carries its signal, its contribution to the
  score and, where it has one, the matched span;
- **empathy** along EPITOME's emotional reactions, interpretations and explorations (0/1/2);
- **warnings**: personal data in a public reply, a complaint left unacknowledged, defensive
  wording, a cheerful reply to an angry message, no next step, too long for a public channel,
  an apology for praise, an unfilled template slot.

The message analysis is the expensive part and is cached per message; the reply itself costs
one pass of the review lexicon plus a few set operations.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from empathic_reply._cannedness import (
    CANNEDNESS_LABELS,
    CannednessModel,
    Lexicon,
    MessageProfile,
    Signal,
    SignalShape,
    extract_signals,
    lexicon,
    model,
    profile_message,
    shipped_rules,
    stopwords,
)
from empathic_reply._empathy import score_empathy
from empathic_reply._rules import Match, RuleSet
from empathic_reply._text import check_text, clip
from empathic_reply.models import (
    Alert,
    Analysis,
    Cannedness,
    Channel,
    Detail,
    Evidence,
    Reason,
    Review,
)

if TYPE_CHECKING:
    from empathic_reply.analysis import Analyzer

__all__ = ["PUBLIC_MAX_CHARS", "Reviewer"]

PUBLIC_MAX_CHARS = 280
"""Longest reply that fits a public post (a tweet); longer public replies get a warning."""

_CACHE_SIZE = 512
_MIN_REASON = 0.005


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _default_personal_data(text: str) -> list[Detail]:
    from empathic_reply.details import find_personal_data

    return find_personal_data(text)


class Reviewer:
    """Score replies for canned-ness, empathy and risks.

    Args:
        analyzer: Analyses the inbound message when ``message`` is given as a ``str``
            (results are cached per message text).
        personal_data: Finds personal data in a reply (default:
            :func:`empathic_reply.details.find_personal_data`); pass your own to extend it.
        public_max_chars: Longest reply that fits the public channel (default 280).
        rules: Extra or overriding review rules (stock phrases, defensive wording, empathy
            cues), e.g. ``RuleSet.from_path("my_phrases.yaml")``; a rule with a shipped id
            replaces the shipped one, ``enabled: false`` disables it.
    """

    def __init__(
        self,
        *,
        analyzer: Analyzer,
        personal_data: Callable[[str], Sequence[Detail]] | None = None,
        public_max_chars: int = PUBLIC_MAX_CHARS,
        rules: RuleSet | None = None,
    ) -> None:
        self.analyzer = analyzer
        self._personal_data = personal_data or _default_personal_data
        self.public_max_chars = public_max_chars
        self._lexicon = (
            lexicon() if rules is None else Lexicon(shipped_rules().merged(rules), stopwords())
        )
        self._model: CannednessModel = model()
        promote = self._model.empathy.get("promote_at", {})
        self._promote_at: dict[str, int] = {str(k): int(v) for k, v in promote.items()}
        self._question_min_words = int(self._model.empathy.get("question_min_words", 4))
        self._analyses: OrderedDict[str, Analysis] = OrderedDict()
        self._profiles: OrderedDict[int, tuple[Analysis, MessageProfile]] = OrderedDict()

    # -- public API -----------------------------------------------------------------------

    def review(
        self,
        reply: str,
        *,
        message: str | Analysis | None = None,
        channel: Channel | None = None,
        repeats: int | None = None,
    ) -> Review:
        """Review one reply.

        Args:
            reply: The reply to review (ours or a person's).
            message: The inbound message it answers, as text or as an :class:`Analysis`;
                ``None`` when unknown (message-dependent signals and warnings are skipped).
            channel: ``"public"`` or ``"private"``; ``None`` when unknown (channel warnings
                are skipped).
            repeats: How many near-copies of this reply were sent to other customers
                (e.g. from an audit); ``None`` when unknown.

        Returns:
            A :class:`Review`: canned-ness score in [0, 1] (higher = more canned) with
            reasons and suggestions, EPITOME empathy levels 0/1/2 (higher = more empathic)
            with evidence, and warnings.

        Raises:
            TypeError: ``reply`` is not a ``str`` or ``message`` is neither ``str``,
                :class:`Analysis` nor ``None``.
        """
        text, matches, by_label = self._scan(reply)
        analysis = self._analysis(message)
        profile = self._profile(analysis)
        cannedness = self._cannedness(text, matches, by_label, profile, repeats)
        empathy = score_empathy(
            by_label, self._promote_at, question_min_words=self._question_min_words
        )
        warnings = self._warnings(text, by_label, analysis, profile, channel)
        return Review(
            text=text, channel=channel, cannedness=cannedness, empathy=empathy, warnings=warnings
        )

    def score_cannedness(
        self,
        reply: str,
        *,
        message: str | Analysis | None = None,
        repeats: int | None = None,
    ) -> Cannedness:
        """Score only how canned ``reply`` reads: a score in [0, 1], higher = more canned.

        Args and errors as for :meth:`review`.
        """
        text, matches, by_label = self._scan(reply, CANNEDNESS_LABELS)
        profile = self._profile(self._analysis(message))
        return self._cannedness(text, matches, by_label, profile, repeats)

    def signals(
        self,
        reply: str,
        *,
        message: str | Analysis | None = None,
        shape: SignalShape | None = None,
    ) -> dict[str, float]:
        """Raw single-reply signal values, each in [0, 1] (higher = more canned).

        Used by ``scripts/calibrate_review.py`` to fit the weights; handy for debugging.

        Args:
            reply: The reply.
            message: The inbound message (text or :class:`Analysis`), if known.
            shape: Saturation points of the graded signals (default: the calibrated ones).
        """
        text, matches, by_label = self._scan(reply, CANNEDNESS_LABELS)
        profile = self._profile(self._analysis(message))
        found = extract_signals(
            text,
            matches,
            by_label,
            profile,
            self._lexicon.stopwords,
            shape=shape or self._model.shape,
        )
        return {s.name: s.value for s in found}

    # -- internals ------------------------------------------------------------------------

    def _scan(
        self, reply: str, labels: frozenset[str] | None = None
    ) -> tuple[str, list[Match], dict[str, list[Match]]]:
        text, _ = clip(check_text(reply, "reply"))
        matches = self._lexicon.find(text, labels)
        by_label: dict[str, list[Match]] = {}
        for m in matches:
            by_label.setdefault(m.rule.label, []).append(m)
        return text, matches, by_label

    def _analysis(self, message: str | Analysis | None) -> Analysis | None:
        if message is None or isinstance(message, Analysis):
            return message
        if not isinstance(message, str):
            raise TypeError(
                f"message must be a str, an Analysis or None, not {type(message).__name__}"
            )
        cached = self._analyses.get(message)
        if cached is not None:
            self._analyses.move_to_end(message)
            return cached
        analysis = self.analyzer.analyze(message)
        self._analyses[message] = analysis
        if len(self._analyses) > _CACHE_SIZE:
            self._analyses.popitem(last=False)
        return analysis

    def _profile(self, analysis: Analysis | None) -> MessageProfile | None:
        if analysis is None:
            return None
        key = id(analysis)
        cached = self._profiles.get(key)
        if cached is not None and cached[0] is analysis:
            return cached[1]
        profile = profile_message(analysis, self._lexicon.stopwords)
        self._profiles[key] = (analysis, profile)
        if len(self._profiles) > _CACHE_SIZE:
            self._profiles.popitem(last=False)
        return profile

    def _cannedness(
        self,
        text: str,
        matches: list[Match],
        by_label: dict[str, list[Match]],
        profile: MessageProfile | None,
        repeats: int | None,
    ) -> Cannedness:
        mdl = self._model
        signals = extract_signals(
            text, matches, by_label, profile, self._lexicon.stopwords, shape=mdl.shape
        )
        weights = mdl.weights
        logit = mdl.intercept + sum(weights.get(s.name, 0.0) * s.value for s in signals)
        scale = 1.0
        terms: list[tuple[Signal, float]] = [
            (s, weights.get(s.name, 0.0) * s.value) for s in signals
        ]
        if repeats is not None:
            hist = mdl.history
            x_rep = mdl.repetition_value(repeats)
            logit = hist.intercept + hist.base * logit + hist.repetition * x_rep
            scale = hist.base
            terms = [(s, t * scale) for s, t in terms]
            terms.append((Signal("repetition", x_rep), hist.repetition * x_rep))
        score = _sigmoid(logit)
        reasons: list[Reason] = []
        suggestions: list[tuple[float, str]] = []
        # Attribution: each signal's share of the positive log-odds, scaled to the score, so
        # the reason weights add up to the score and read as "this much of it comes from...".
        positive = sum(t for _, t in terms if t > 0.0)
        for signal, term in terms:
            if term <= 0.0 or positive <= 0.0:
                continue
            contribution = score * term / positive
            if contribution < _MIN_REASON:
                continue
            self._explain(signal, contribution, repeats, reasons, suggestions)
        reasons.sort(key=lambda r: -r.weight)
        seen: set[str] = set()
        ordered = []
        for _, tip in sorted(suggestions, key=lambda item: -item[0]):
            if tip and tip not in seen:
                seen.add(tip)
                ordered.append(tip)
        score = min(1.0, max(0.0, score))
        return Cannedness(
            score=round(score, 4), level=mdl.level(score), reasons=reasons, suggestions=ordered
        )

    def _explain(
        self,
        signal: Signal,
        contribution: float,
        repeats: int | None,
        reasons: list[Reason],
        suggestions: list[tuple[float, str]],
    ) -> None:
        # Reasons are valid by construction (weights in [0, 1], spans from the matcher), so
        # they skip validation: it is a large share of a review's cost.
        # Per span: the match, its effective strength and the text that explains it.
        spans: dict[tuple[int, int], tuple[Match, float, str]] = {}
        for k, m in enumerate(signal.matches):
            score = signal.scores[k] if signal.scores else m.score
            key = signal.keys[k] if signal.keys else signal.name
            if score > 0.0:
                spans.setdefault((m.start, m.end), (m, score, key))
        if not spans:
            key = signal.keys[0] if signal.keys and not signal.matches else signal.name
            info = self._model.signals.get(key) or self._model.signals.get(signal.name)
            template = info.message if info else signal.name.replace("_", " ")
            default_tip = info.suggestion if info else ""
            message = template.format(text="", repeats=repeats or 0)
            reasons.append(
                Reason.model_construct(
                    signal=signal.name, weight=round(contribution, 4), message=message
                )
            )
            suggestions.append((contribution, default_tip.format(text="", repeats=repeats or 0)))
            return
        total = sum(score for _, score, _ in spans.values()) or 1.0
        for m, score, key in spans.values():
            # A lexicon match is reported under its own family (stock_phrase, redirect...).
            name = m.rule.label if signal.name == "boilerplate" else signal.name
            info = self._model.signals.get(key) or self._model.signals.get(name)
            template = info.message if info else name.replace("_", " ")
            default_tip = info.suggestion if info else ""
            share = contribution * score / total
            reasons.append(
                Reason.model_construct(
                    signal=name,
                    weight=round(min(1.0, share), 4),
                    message=template.format(text=m.text, repeats=repeats or 0),
                    text=m.text,
                    start=m.start,
                    end=m.end,
                )
            )
            tip = str(m.rule.attrs.get("suggestion") or default_tip)
            suggestions.append((share, tip.format(text=m.text, repeats=repeats or 0)))

    def _personal_data_alert(self, text: str, channel: Channel | None) -> Alert | None:
        """Personal data in the reply: critical in public, a softer warning if unknown."""
        if channel == "private":
            return None
        personal = [d for d in self._personal_data(text) if not _addressee(d, text)]
        if not personal:
            return None
        kinds = ", ".join(sorted({d.kind for d in personal}))
        evidence = [
            Evidence(text=d.text, start=d.start, end=d.end, source=d.source or d.kind)
            for d in personal
        ]
        if channel == "public":
            return Alert(
                code="personal_data_in_public",
                message=f"Personal data ({kinds}) in a public reply: remove it and move the "
                "details to a private channel.",
                severity="critical",
                evidence=evidence,
            )
        # Unknown channel: the reply may still end up public, so say so, less loudly.
        return Alert(
            code="personal_data_unknown_channel",
            message=f"Personal data ({kinds}) in the reply: fine in a private channel, never "
            "in a public one. Pass channel= to be sure.",
            severity="warning",
            evidence=evidence,
        )

    def _warnings(
        self,
        text: str,
        by_label: dict[str, list[Match]],
        analysis: Analysis | None,
        profile: MessageProfile | None,
        channel: Channel | None,
    ) -> list[Alert]:
        alerts: list[Alert] = []
        if not text.strip():
            alerts.append(
                Alert(code="empty_reply", message="The reply is empty.", severity="warning")
            )
            return alerts
        personal = self._personal_data_alert(text, channel)
        if personal is not None:
            alerts.append(personal)
        if channel == "public" and len(text) > self.public_max_chars:
            alerts.append(
                Alert(
                    code="too_long_for_channel",
                    message=f"{len(text)} characters is too long for a public reply "
                    f"(limit {self.public_max_chars}): shorten it or move to a private "
                    "channel.",
                    severity="warning",
                )
            )
        slots = by_label.get("placeholder", [])
        if slots:
            alerts.append(
                Alert(
                    code="unfilled_placeholder",
                    message="The reply contains an unfilled template slot: fill it before sending.",
                    severity="critical",
                    evidence=[m.evidence() for m in slots],
                )
            )
        defensive = by_label.get("defensive", [])
        if defensive:
            alerts.append(
                Alert(
                    code="defensive_wording",
                    message="Defensive wording: lead with what you can do, not with policy "
                    "or blame.",
                    severity="warning",
                    evidence=[m.evidence() for m in defensive],
                )
            )
        apologies = by_label.get("apology", [])
        if profile is not None and analysis is not None:
            if profile.complaint and not apologies and not by_label.get("acknowledge"):
                alerts.append(
                    Alert(
                        code="complaint_not_acknowledged",
                        message="The customer is complaining and the reply neither apologises "
                        "nor acknowledges what went wrong.",
                        severity="warning",
                    )
                )
            if profile.praise and apologies:
                alerts.append(
                    Alert(
                        code="apology_on_praise",
                        message="The customer is praising or thanking you: don't apologise, "
                        "thank them.",
                        severity="warning",
                        evidence=[m.evidence() for m in apologies],
                    )
                )
            cheer = by_label.get("cheerful", [])
            if (
                (profile.angry or (profile.negative and profile.complaint))
                and len(cheer) >= 2
                and not apologies
                and not by_label.get("acknowledge")
            ):
                alerts.append(
                    Alert(
                        code="sentiment_mismatch",
                        message="A cheerful reply to an upset customer: drop the exclamation "
                        "marks and emoji and acknowledge the problem first.",
                        severity="warning",
                        evidence=[m.evidence() for m in cheer],
                    )
                )
        needs_next = profile is None or (
            not profile.praise and analysis is not None and analysis.needs_reply
        )
        if needs_next and not by_label.get("next_step") and not by_label.get("redirect"):
            alerts.append(
                Alert(
                    code="no_next_step",
                    message="Nothing tells the customer what happens next or what they can do: "
                    "add the next step.",
                    severity="info",
                )
            )
        return alerts


def _addressee(detail: Detail, text: str) -> bool:
    # Replying on a public channel starts by @-mentioning the customer; that handle is the
    # address, not leaked personal data.
    return detail.kind == "handle" and all(
        tok.startswith("@") for tok in text[: detail.start].split()
    )
