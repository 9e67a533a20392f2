"""The module-level functions: thin wrappers over the shared default :class:`Engine`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from empathic_reply.engine import default_engine
from empathic_reply.models import Analysis, Cannedness, Channel, Draft, Review

if TYPE_CHECKING:
    from empathic_reply.audit import AuditReport

__all__ = ["analyze", "analyze_many", "audit", "draft", "draft_many", "review", "score_cannedness"]


def analyze(text: str) -> Analysis:
    """Analyse one inbound customer message.

    Args:
        text: The message (a tweet, comment, DM or ticket). Empty text gives a neutral
            result; text longer than :data:`MAX_CHARS` is analysed up to the limit and flagged.

    Returns:
        The :class:`Analysis`: sentiment (score in [-1, 1], higher is more positive),
        emotions and intents (scores in [0, 1], higher is more certain, best first), topics,
        details with character spans, language and urgency (in [0, 1], higher is more urgent).

    Raises:
        TypeError: ``text`` is not a ``str``.

    Example:
        >>> import empathic_reply as er
        >>> a = er.analyze("Still waiting on my refund, 3 weeks now")
        >>> a.sentiment.label
        'negative'
    """
    return default_engine().analyze(text)


def analyze_many(texts: Iterable[str], *, batch_size: int = 256) -> list[Analysis]:
    """Analyse many messages, batched through ``nlp.pipe``; results keep the input order.

    Raises:
        TypeError: An item is not a ``str`` (the message names its position).
    """
    return default_engine().analyze_many(texts, batch_size=batch_size)


def draft(
    message: str,
    *,
    customer_name: str | None = None,
    channel: Channel = "public",
    thread_id: str | None = None,
    customer_id: str | None = None,
    received_at: datetime | None = None,
    now: datetime | None = None,
) -> Draft:
    """Draft a personalised, human acknowledgement of a customer message.

    Args:
        message: The inbound message.
        customer_name: The customer's name; the draft falls back gracefully without it.
        channel: ``"public"`` (never echoes personal data, invites to a private channel) or
            ``"private"``.
        thread_id: Conversation id, so the same thread does not get the same wording twice.
        customer_id: Customer id, for the same reason across threads.
        received_at: When the message arrived; with ``now``, a late reply owns the delay.
        now: The current time (default: the clock), for reproducible drafts.

    Returns:
        The :class:`Draft`: ``text``, ``template_id``, the ``analysis`` and ``review`` behind
        it, ranked ``alternatives``, and ``needs_human`` with ``warnings`` saying why.

    Raises:
        TypeError: ``message`` is not a ``str``.
    """
    return default_engine().draft(
        message,
        customer_name=customer_name,
        channel=channel,
        thread_id=thread_id,
        customer_id=customer_id,
        received_at=received_at,
        now=now,
    )


def draft_many(
    messages: Iterable[str],
    *,
    channel: Channel = "public",
    customer_names: Sequence[str | None] | None = None,
    batch_size: int = 256,
) -> list[Draft]:
    """Draft replies to many messages, analysed in batches; results keep the input order."""
    return default_engine().draft_many(
        messages, channel=channel, customer_names=customer_names, batch_size=batch_size
    )


def review(
    reply: str,
    *,
    message: str | Analysis | None = None,
    channel: Channel | None = None,
    repeats: int | None = None,
) -> Review:
    """Review any reply (ours or a person's) for canned-ness, empathy and risks.

    Args:
        reply: The reply text.
        message: The customer message it answers (text or an :class:`Analysis`); without it
            the review cannot judge mirroring, apology or tone fit.
        channel: ``"public"``, ``"private"`` or ``None`` if unknown. Personal data in a public
            reply is always flagged.
        repeats: How many near-copies of this reply were already sent to other customers,
            if known (an audit computes it); adds a history-aware repetition signal.

    Returns:
        The :class:`Review`: canned-ness (score in [0, 1], higher is more canned), EPITOME
        empathy levels (0/1/2 each, higher is more empathic) and warnings.

    Raises:
        TypeError: ``reply`` is not a ``str``.
    """
    return default_engine().review(reply, message=message, channel=channel, repeats=repeats)


def score_cannedness(
    reply: str, *, message: str | Analysis | None = None, repeats: int | None = None
) -> Cannedness:
    """Score how canned a reply reads: a score in [0, 1] (higher is more canned) with reasons.

    Raises:
        TypeError: ``reply`` is not a ``str``.
    """
    return default_engine().score_cannedness(reply, message=message, repeats=repeats)


def audit(
    data: Any, *, message: str = "message", reply: str = "reply", **options: Any
) -> AuditReport:
    """Audit past (message, reply) pairs: canned replies, missing apologies, leaks, clusters.

    Args:
        data: A pandas DataFrame, an iterable of dicts or (message, reply) pairs, or a path
            to a CSV or JSON Lines file.
        message: Name of the message column.
        reply: Name of the reply column.
        **options: See :func:`empathic_reply.audit.audit`.

    Returns:
        An :class:`~empathic_reply.audit.AuditReport`.
    """
    return default_engine().audit(data, message=message, reply=reply, **options)
