"""The engine: one object that analyses, drafts, reviews and audits, with its collaborators.

An :class:`Engine` owns a spaCy pipeline, a VADER analyser, rule sets, a template pack, a
history store and a brand voice. All of them are constructor arguments, so a support tool can
swap any of them (its own ``nlp``, a SQLite history, its own pack) and tests can pass fakes.
The module-level functions of :mod:`empathic_reply` use one default engine, built lazily on
first use and then shared (it is safe to share across threads).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathic_reply._text import check_text
from empathic_reply.models import Analysis, Cannedness, Channel, Draft, Review

if TYPE_CHECKING:
    from spacy.language import Language

    from empathic_reply._rules import RuleSet
    from empathic_reply.analysis import Analyzer
    from empathic_reply.audit import AuditReport
    from empathic_reply.drafting import Drafter
    from empathic_reply.history import HistoryStore
    from empathic_reply.review import Reviewer
    from empathic_reply.templates import BrandVoice, TemplatePack

__all__ = ["Engine", "default_engine"]


class Engine:
    """Analyse messages, draft replies, review replies and audit past replies.

    Every collaborator is optional; what is not given is built from the shipped defaults.

    Args:
        nlp: A spaCy pipeline to tokenise and segment with (default: ``spacy.blank("en")``
            plus a sentencizer). If it has an ``ner`` component, its entities are used as
            details (people, products, dates).
        rules: Extra or overriding detector rules (a :class:`RuleSet`, or paths to YAML rule
            files); a rule with a shipped id replaces the shipped one.
        products: Your product names, found case-insensitively as ``product`` details so
            drafts can name them.
        analyzer: A ready analyser; overrides ``nlp``, ``rules`` and ``products``.
        templates: The template pack (default: the shipped pack).
        history: Where rotation history is kept (default: in memory).
        voice: The brand voice (sign-off, agent name, formality, emoji).
    """

    def __init__(
        self,
        *,
        nlp: Language | None = None,
        rules: RuleSet | Sequence[str | Path] | None = None,
        products: Sequence[str] = (),
        analyzer: Analyzer | None = None,
        templates: TemplatePack | None = None,
        history: HistoryStore | None = None,
        voice: BrandVoice | None = None,
    ) -> None:
        from empathic_reply.analysis import Analyzer
        from empathic_reply.drafting import Drafter
        from empathic_reply.history import InMemoryHistory
        from empathic_reply.review import Reviewer
        from empathic_reply.templates import BrandVoice, TemplatePack

        self.analyzer: Analyzer = analyzer or Analyzer(nlp=nlp, rules=rules, products=products)
        self.reviewer: Reviewer = Reviewer(analyzer=self.analyzer)
        self.templates: TemplatePack = templates or TemplatePack.default()
        self.history: HistoryStore = history if history is not None else InMemoryHistory()
        self.voice: BrandVoice = voice or BrandVoice()
        self.drafter: Drafter = Drafter(
            analyzer=self.analyzer,
            reviewer=self.reviewer,
            templates=self.templates,
            history=self.history,
            voice=self.voice,
        )

    def analyze(self, text: str) -> Analysis:
        """Analyse one inbound message. See :func:`empathic_reply.analyze`."""
        return self.analyzer.analyze(check_text(text, "text"))

    def analyze_many(self, texts: Iterable[str], *, batch_size: int = 256) -> list[Analysis]:
        """Analyse many messages in batches, in input order. See :func:`analyze_many`."""
        return self.analyzer.analyze_many(texts, batch_size=batch_size)

    def draft(
        self,
        message: str,
        *,
        customer_name: str | None = None,
        channel: Channel = "public",
        thread_id: str | None = None,
        customer_id: str | None = None,
        received_at: datetime | None = None,
        now: datetime | None = None,
    ) -> Draft:
        """Draft a personalised acknowledgement. See :func:`empathic_reply.draft`."""
        return self.drafter.draft(
            check_text(message, "message"),
            customer_name=customer_name,
            channel=channel,
            thread_id=thread_id,
            customer_id=customer_id,
            received_at=received_at,
            now=now,
        )

    def draft_many(
        self,
        messages: Iterable[str],
        *,
        channel: Channel = "public",
        customer_names: Sequence[str | None] | None = None,
        batch_size: int = 256,
    ) -> list[Draft]:
        """Draft replies to many messages, in input order. See :func:`draft_many`."""
        return self.drafter.draft_many(
            messages, channel=channel, customer_names=customer_names, batch_size=batch_size
        )

    def review(
        self,
        reply: str,
        *,
        message: str | Analysis | None = None,
        channel: Channel | None = None,
        repeats: int | None = None,
    ) -> Review:
        """Review any reply for canned-ness, empathy and risks. See :func:`review`."""
        return self.reviewer.review(
            check_text(reply, "reply"), message=message, channel=channel, repeats=repeats
        )

    def score_cannedness(
        self, reply: str, *, message: str | Analysis | None = None, repeats: int | None = None
    ) -> Cannedness:
        """Score only the canned-ness of a reply. See :func:`score_cannedness`."""
        return self.reviewer.score_cannedness(
            check_text(reply, "reply"), message=message, repeats=repeats
        )

    def audit(self, data: Any, **options: Any) -> AuditReport:
        """Audit past (message, reply) pairs. See :func:`empathic_reply.audit`."""
        from empathic_reply.audit import audit

        return audit(data, engine=self, **options)


_default: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    """The shared default engine, built on first use (thread-safe)."""
    global _default  # noqa: PLW0603 - a lazily built process-wide default is the point
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Engine()
    return _default
