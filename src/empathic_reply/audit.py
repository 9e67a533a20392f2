"""Audit a team's past replies: canned wording, missing apologies, leaks, clusters.

:func:`audit` reads (message, reply) pairs from a DataFrame, an iterable or a CSV/JSONL file
and makes two streaming passes over them:

1. **Sketch**: every reply is masked (handles, links, numbers, names after a greeting,
   agent sign-offs) and its distinct wordings get MinHash signatures; LSH then clusters
   near-copies (3-word-shingle Jaccard >= 0.5) per brand, in sub-quadratic time. This gives
   every reply its ``repeats``: how many near-copies were sent to *other* customers.
2. **Score**: messages are analysed in batches (``Analyzer.analyze_many``) and every reply is
   reviewed with its ``repeats`` (history-aware canned-ness), in input order.

Rows go to memory or, with ``output=``, straight to a CSV/JSONL file, so memory does not
grow with the rows. A ``dask.dataframe.DataFrame`` is audited partition by partition with the
same functions and gives the same report (see ``docs/how-to/scale-out-with-dask.md``).

This module is imported with the package and stays light: the implementation
(``_audit``, ``_report``, ``_similarity``) and the ``audit`` extra load on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathic_reply._similarity import DEFAULT_MAX_WORDINGS, DEFAULT_THRESHOLD  # light

if TYPE_CHECKING:
    from empathic_reply._audit import EngineLike
    from empathic_reply._report import COLUMNS, AuditReport, AuditSummary, Cluster, GroupSummary

__all__ = [
    "COLUMNS",
    "AuditReport",
    "AuditSummary",
    "Cluster",
    "EngineLike",
    "GroupSummary",
    "audit",
]

_LAZY = {
    "COLUMNS": "empathic_reply._report",
    "AuditReport": "empathic_reply._report",
    "AuditSummary": "empathic_reply._report",
    "Cluster": "empathic_reply._report",
    "GroupSummary": "empathic_reply._report",
    "EngineLike": "empathic_reply._audit",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def audit(
    data: Any,
    *,
    engine: EngineLike | None = None,
    message: str = "message",
    reply: str = "reply",
    id: str | None = None,
    agent: str | None = None,
    channel: str | None = None,
    message_time: str | None = None,
    reply_time: str | None = None,
    customer: str | None = None,
    customer_name: str | None = None,
    brand: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    batch_size: int = 512,
    progress: bool | None = None,
    output: str | Path | None = None,
    workers: int = 1,
    max_wordings: int | None = DEFAULT_MAX_WORDINGS,
) -> AuditReport:
    """Audit past (message, reply) pairs: canned wording, missing apologies, data leaks.

    Args:
        data: A pandas DataFrame, a ``dask.dataframe.DataFrame`` (audited partition by
            partition), a list or any iterable of dicts or ``(message, reply[, id])`` tuples,
            or a path to a ``.csv`` or ``.jsonl`` file. A one-shot iterator is spooled to a
            temporary file, so it is read once.
        engine: The engine whose analyser and reviewer score the pairs (default: the shared
            default engine).
        message: Column (or dict key) of the customer message.
        reply: Column of the reply.
        id: Column of an id carried through to every row (default: the row position).
        agent: Column of the agent; without it, the reply's sign-off ("^JS") names the agent.
        channel: Column of the channel (``public``/``private``, or names such as ``tweet``,
            ``dm``, ``email``), or the literal ``"public"``/``"private"`` for all pairs.
        message_time: Column of when the message arrived (datetime, ISO 8601, Twitter's
            ``"Tue Oct 31 22:10:46 +0000 2017"`` or epoch seconds); naive times are UTC.
        reply_time: Column of when the reply was sent.
        customer: Column of a customer id: repeats count copies sent to *other* customers.
            Without it every pair is a different customer.
        customer_name: Column of the customer's name (masked before comparing wordings).
        brand: Column of the brand: near-copies are only counted within one brand.
        threshold: Jaccard similarity in [0, 1] of masked 3-word shingles at and above which
            two replies are near-copies.
        batch_size: Pairs analysed per batch.
        progress: Show a progress bar: ``None`` = only on long interactive runs.
        output: A ``.csv`` or ``.jsonl`` path: rows are written there as they are scored
            instead of kept in memory (the report reads them back on demand).
        workers: Processes that analyse and review batches in parallel (results keep the
            input order and are identical to ``workers=1``). Each worker holds a copy of the
            engine; on Linux workers are forked, elsewhere the engine is pickled to them. For
            more than one machine, pass a Dask DataFrame instead.
        max_wordings: Distinct reply wordings tracked for near-duplicate detection, at most
            (``None`` = no bound). Memory for this is about 1 KB per wording and does not grow
            with the number of pairs. Exact copies (after masking handles, names, numbers and
            sign-offs) share one entry. Below the bound every count is exact. Beyond it, the
            least-counted wording is evicted (Space-Saving heavy hitters): any wording sent
            more than ``pairs / max_wordings`` times is always kept and its count is a lower
            bound at most that many rows short; rarer wordings may be forgotten and then count
            as sent once. With Dask, partitions are bounded the same way and the merged result
            equals the in-process one while the bound is not reached.

    Returns:
        An :class:`AuditReport`. Rows whose reply is missing or not text are kept and flagged
        in ``problem``, never raised.

    Raises:
        MissingExtraError: pandas or datasketch (the ``audit`` extra) is not installed.
        ConfigError: A named column is not in the data, or a file type is not supported.
        TypeError: ``data`` is none of the supported kinds.
    """
    from empathic_reply._audit import audit as run

    return run(
        data,
        engine=engine,
        message=message,
        reply=reply,
        id=id,
        agent=agent,
        channel=channel,
        message_time=message_time,
        reply_time=reply_time,
        customer=customer,
        customer_name=customer_name,
        brand=brand,
        threshold=threshold,
        batch_size=batch_size,
        progress=progress,
        output=output,
        workers=workers,
        max_wordings=max_wordings,
    )
