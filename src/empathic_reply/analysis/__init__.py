"""Message analysis: sentiment, emotions, intents, topics, details, language and urgency.

:class:`Analyzer` is the library's ears. It tokenises and segments a message with spaCy,
then runs detectors that are data (rule files in ``empathic_reply/data/analysis``):

=====================  ==============================  ======================================
part                   rules                           code
=====================  ==============================  ======================================
sentiment              ``sentiment*.yaml``             :mod:`._sentiment` (VADER, corrected)
emotions               ``emotions.yaml``               :mod:`._emotions`
intents                ``intents.yaml``                :mod:`._intents`
topics                 ``topics.yaml``                 :mod:`._topics`
details                ``details.yaml`` and more       :mod:`empathic_reply.details`
language               ``language.yaml`` (profiles)    :mod:`._language`
urgency, needs_reply   (from the above)                :mod:`._urgency`
=====================  ==============================  ======================================

User rules
----------
``rules`` (a :class:`~empathic_reply._rules.RuleSet` or paths to YAML rule files) are merged
over the shipped rules *by id*: a rule with a shipped id replaces it (``enabled: false``
disables it), a new id adds a rule. Each user rule goes to one detector, chosen by the
first dotted part of its id:

* ``intent.*`` -> intents (any label: a new label is a new intent, no code needed),
* ``topic.*`` -> topics, ``emotion.*`` -> emotions, ``sentiment.*`` -> sentiment,
* ``detail.*`` -> details.

A rule whose kind is none of these raises :class:`~empathic_reply.errors.RuleError`.

Speed
-----
The default pipeline's tokenizer and sentencizer are called directly (without
``Language.__call__``'s per-call bookkeeping) for as long as the pipeline is unchanged; a
component added to :attr:`Analyzer.nlp` later is honoured. Every rule set searches the same
prepared message (lowered and indexed once, see :mod:`empathic_reply._rules`), and results
are built without re-validating parts that are valid by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from empathic_reply._rules import Prepared, Rule, RuleSet
from empathic_reply._text import MAX_CHARS, check_text, clip
from empathic_reply._trusted import trusted
from empathic_reply.analysis._emotions import prepared_text, set_prepared_text
from empathic_reply.analysis._intents import INTENT_LABELS, IntentDetector, IntentFeatures
from empathic_reply.analysis._language import LanguageIdentifier
from empathic_reply.analysis._topics import TOPIC_LABELS, TopicDetector
from empathic_reply.analysis._urgency import needs_reply, urgency
from empathic_reply.errors import RuleError
from empathic_reply.models import Alert, Analysis, Detail, Emotion, Intent, Sentiment, Topic

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["INTENT_LABELS", "RULE_KINDS", "TOPIC_LABELS", "Analyzer", "split_rules"]

RULE_KINDS = ("intent", "topic", "emotion", "sentiment", "detail")
"""Detectors a user rule can be routed to (by the first dotted part of its id)."""


class SentimentScorerLike(Protocol):
    """What the analyser needs from a sentiment scorer (see :mod:`._sentiment`)."""

    def score_doc(self, doc: Doc) -> Sentiment:
        """Polarity of a segmented doc."""


class EmotionDetectorLike(Protocol):
    """What the analyser needs from an emotion detector (see :mod:`._emotions`)."""

    def detect_doc(self, doc: Doc, sentiment: Sentiment) -> list[Emotion]:
        """Emotions of a segmented doc, strongest first."""


class DetailExtractorLike(Protocol):
    """What the analyser needs from a detail extractor (see :mod:`empathic_reply.details`)."""

    def extract(self, text: str, doc: Doc | None = None) -> list[Detail]:
        """Details of a text, in order of appearance."""


def _list_of(items: object, cls: type) -> bool:
    return type(items) is list and set(map(type, items)) <= {cls}


def _kind(rule: Rule) -> str:
    kind = rule.id.split(".", 1)[0]
    if kind not in RULE_KINDS:
        raise RuleError(
            f"rule {rule.id!r}: cannot tell which detector it is for; start its id with one "
            f"of {', '.join(k + '.' for k in RULE_KINDS)}"
        )
    return kind


def split_rules(rules: RuleSet) -> dict[str, RuleSet]:
    """Split a user rule set by detector (see the module docstring for the routing).

    Args:
        rules: User rules of any kinds.

    Returns:
        One rule set per kind that has rules (kinds in :data:`RULE_KINDS`).

    Raises:
        RuleError: A rule's kind cannot be told.
    """
    groups: dict[str, list[Rule]] = {}
    for rule in rules.rules:
        groups.setdefault(_kind(rule), []).append(rule)
    return {kind: RuleSet(group, labels=rules.labels) for kind, group in groups.items()}


def _user_rules(rules: RuleSet | Sequence[str | Path] | None) -> RuleSet | None:
    if rules is None or isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, (str, Path)):
        rules = [rules]
    merged: RuleSet | None = None
    for path in rules:
        loaded = RuleSet.from_path(path)
        merged = loaded if merged is None else merged.merged(loaded)
    return merged


def _default_nlp() -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


class Analyzer:
    """Analyse inbound customer messages.

    Args:
        nlp: A spaCy pipeline (default: ``spacy.blank("en")`` plus a sentencizer, built once
            per analyser). A pipeline you pass is used as it is and never modified: when it
            sets no sentence boundaries (no parser, senter or sentencizer), a private
            sentencizer segments each doc after your pipeline runs. If it has ``ner``, its
            entities are used as details.
        rules: User rules merged over the shipped ones by id (see the module docstring for
            how each rule is routed to its detector): a :class:`RuleSet` or paths to YAML
            rule files.
        products: Product names to recognise as ``product`` details.
        sentiment: A ready sentiment scorer (default: the shipped VADER-based one).
        emotions: A ready emotion detector (default: the shipped rule-based one).
        details: A ready detail extractor (default: the shipped one).

    Raises:
        RuleError: A user rule file is invalid or a rule's detector cannot be told.
    """

    def __init__(
        self,
        *,
        nlp: Language | None = None,
        rules: RuleSet | Sequence[str | Path] | None = None,
        products: Sequence[str] = (),
        sentiment: SentimentScorerLike | None = None,
        emotions: EmotionDetectorLike | None = None,
        details: DetailExtractorLike | None = None,
    ) -> None:
        from spacy.pipeline import Sentencizer

        self.nlp: Language = nlp if nlp is not None else _default_nlp()
        # spaCy's own tokenizer keeps the text exactly (doc.text == input), so our default
        # pipeline's docs can be given their text instead of rebuilding it from the tokens.
        self._keeps_text = nlp is None
        self._sentencizer = Sentencizer()
        # The default pipeline (tokenizer + sentencizer) is run directly, without
        # Language.__call__'s per-call bookkeeping, for as long as it is unchanged.
        self._default = self.nlp if nlp is None else None
        self._default_components = list(getattr(self.nlp, "_components", ())) if nlp is None else []
        user = _user_rules(rules)
        parts = split_rules(user) if user is not None else {}
        intents = RuleSet.from_package("analysis", "intents.yaml")
        topics = RuleSet.from_package("analysis", "topics.yaml")
        if "intent" in parts:
            intents = intents.merged(parts["intent"])
        if "topic" in parts:
            topics = topics.merged(parts["topic"])
        self.intents = IntentDetector(rules=intents)
        self.topics = TopicDetector(rules=topics)
        self.language = LanguageIdentifier()
        if sentiment is None:
            from empathic_reply.analysis._sentiment import SentimentScorer

            sentiment = SentimentScorer(rules=parts.get("sentiment"))
        if emotions is None:
            from empathic_reply.analysis._emotions import EmotionDetector

            emotions = EmotionDetector(rules=parts.get("emotion"))
        if details is None:
            from empathic_reply.details import DetailExtractor

            details = DetailExtractor(rules=parts.get("detail"), products=products)
        self.sentiment: SentimentScorerLike = sentiment
        self.emotions: EmotionDetectorLike = emotions
        self.details: DetailExtractorLike = details

    # -- entry points -------------------------------------------------------------------

    def analyze(self, text: str) -> Analysis:
        """Analyse one message.

        Args:
            text: The message. Text longer than :data:`~empathic_reply.MAX_CHARS` characters
                is cut there (``truncated=True`` plus a warning); empty or whitespace-only
                text gives a valid neutral analysis with an ``empty_text`` info alert.

        Returns:
            The analysis (see :class:`~empathic_reply.models.Analysis` for every score's
            range and direction).

        Raises:
            TypeError: ``text`` is not a ``str``.
        """
        clipped, truncated = clip(check_text(text, "text"))
        if not clipped.strip():
            return self._empty(clipped, truncated=truncated)
        return self._analyze(self._prepared(self._doc(clipped), clipped), truncated=truncated)

    def analyze_many(self, texts: Iterable[str], *, batch_size: int = 256) -> list[Analysis]:
        """Analyse many messages, batched through ``nlp.pipe``.

        Args:
            texts: The messages (any iterable; it is read once).
            batch_size: Messages per spaCy batch.

        Returns:
            One analysis per message, in input order.

        Raises:
            TypeError: An item is not a ``str``; the message names its index. Nothing is
                analysed in that case.
        """
        clipped = [clip(check_text(text, f"texts[{i}]")) for i, text in enumerate(texts)]
        results: list[Analysis | None] = [None] * len(clipped)
        todo = []
        for i, (text, truncated) in enumerate(clipped):
            if text.strip():
                todo.append(i)
            else:
                results[i] = self._empty(text, truncated=truncated)
        docs: Iterable[Doc]
        if self._is_default():
            docs = map(self._doc, (clipped[i][0] for i in todo))
        else:
            docs = self.nlp.pipe((clipped[i][0] for i in todo), batch_size=batch_size)
        for i, doc in zip(todo, docs, strict=True):
            results[i] = self._analyze(self._prepared(doc, clipped[i][0]), truncated=clipped[i][1])
        return [result for result in results if result is not None]

    def analyze_doc(self, doc: Doc) -> Analysis:
        """Analyse a doc made by :attr:`nlp` (or any pipeline with the same vocabulary).

        The doc is analysed as given (no length limit is applied); sentence boundaries are
        added on a private sentencizer's pass if the doc has none.

        Args:
            doc: The processed message.

        Returns:
            The analysis.
        """
        if not doc.text.strip():
            return self._empty(doc.text, truncated=False)
        return self._analyze(self._segmented(doc), truncated=False)

    # -- internals ----------------------------------------------------------------------

    def _is_default(self) -> bool:
        """Whether :attr:`nlp` is still the unchanged default pipeline."""
        nlp = self.nlp
        return (
            nlp is self._default
            and getattr(nlp, "_components", None) == self._default_components
            and not getattr(nlp, "_disabled", True)
        )

    def _doc(self, text: str) -> Doc:
        """``self.nlp(text)``: for the unchanged default pipeline, its two steps called directly."""
        nlp = self.nlp
        if self._is_default() and len(text) <= nlp.max_length:
            doc = nlp.tokenizer(text)
            for _name, proc in self._default_components:
                doc = proc(doc)
            return doc
        return nlp(text)

    def _prepared(self, doc: Doc, text: str) -> Doc:
        """``doc`` segmented, with ``text`` (what it was made from) cached on it if safe."""
        if self._keeps_text:
            set_prepared_text(doc, Prepared(text))
        return self._segmented(doc)

    def _segmented(self, doc: Doc) -> Doc:
        if not doc.has_annotation("SENT_START"):
            doc = self._sentencizer(doc)
        return doc

    def _empty(self, text: str, *, truncated: bool) -> Analysis:
        warnings = [
            Alert(
                code="empty_text",
                message="The message is empty or only whitespace; there is nothing to reply to.",
                severity="info",
            )
        ]
        return Analysis(
            text=text,
            sentiment=Sentiment(label="neutral", score=0.0),
            needs_reply=False,
            truncated=truncated,
            warnings=warnings,
        )

    def _analyze(self, doc: Doc, *, truncated: bool) -> Analysis:
        prepared = prepared_text(doc)  # doc.text, lowered and indexed once for every rule set
        text = prepared.text
        sentiment = self.sentiment.score_doc(doc)
        emotions = self.emotions.detect_doc(doc, sentiment)
        topics = self.topics.detect(prepared)
        intents = self.intents.detect(
            prepared, IntentFeatures(sentiment=sentiment, emotions=emotions, topics=topics)
        )
        details = self.details.extract(text, doc)
        guess = self.language.identify(text)
        warnings: list[Alert] = []
        if truncated:
            warnings.append(
                Alert(
                    code="truncated",
                    message=(
                        f"The message was longer than {MAX_CHARS} characters; only the first "
                        f"{len(text)} were analysed."
                    ),
                    severity="warning",
                )
            )
        if guess.language == "unknown":
            warnings.append(
                Alert(
                    code="unintelligible",
                    message="The message does not read as any language we know; a person "
                    "should look at it.",
                    severity="warning",
                )
            )
        elif guess.language != "en":
            warnings.append(
                Alert(
                    code="not_english",
                    message=f"The message looks like it is not in English "
                    f"(detected: {guess.language}); a person should reply.",
                    severity="warning",
                )
            )
        fields = {
            "text": text,
            "language": guess.language,
            "sentiment": sentiment,
            "emotions": emotions,
            "intents": intents,
            "topics": topics,
            "details": details,
            "urgency": urgency(text, intents, emotions),
            "needs_reply": needs_reply(intents),
            "truncated": truncated,
            "warnings": warnings,
        }
        if (
            type(sentiment) is Sentiment
            and _list_of(emotions, Emotion)
            and _list_of(details, Detail)
            and _list_of(intents, Intent)
            and _list_of(topics, Topic)
        ):
            # Every part is a validated (or valid-by-construction) model: skip re-validating
            # them, which costs more than all of the rule matching.
            return trusted(Analysis, **fields)
        return Analysis(**fields)  # a custom part returned something else: validate it
