"""Rotation history: which variant was used, for which thread and customer, and when.

The drafter asks three cheap questions before every draft: which variants did this thread
get recently, which did this customer get recently, and how many drafts ago did the team last
use each candidate. Every store answers them in O(1) or O(log n) per query (bounded deques
and dicts in memory; indexed lookups in SQLite), so a store holding 100,000 entries costs a
draft about as much as an empty one.

Times are stored as timezone-aware UTC; a naive ``datetime`` is taken to be UTC.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = ["HistoryStore", "InMemoryHistory", "SQLiteHistory"]


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(timezone.utc)
    if at.tzinfo is None:
        return at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc)


@runtime_checkable
class HistoryStore(Protocol):
    """Where the drafter records and looks up variant usage.

    Implement these three methods to keep history anywhere (Redis, your ticket database).
    Every query must be cheap (no scan over all history).
    """

    def record(
        self,
        template_id: str,
        thread_id: str | None = None,
        customer_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record that ``template_id`` was drafted (``at``: naive = UTC; default now)."""

    def recent(
        self, *, thread_id: str | None = None, customer_id: str | None = None, limit: int = 20
    ) -> list[str]:
        """Variant ids used most recently for a thread or a customer, newest first.

        With both ids given, the thread's and the customer's lists are merged (thread first).
        With neither, an empty list.
        """
        ...

    def team_recency(self, template_ids: Sequence[str]) -> dict[str, int]:
        """How many drafts ago (1 = the latest draft) the team last used each id.

        Ids never used (or forgotten by a bounded store) are absent from the result.
        """
        ...


def _merge(first: Sequence[str], second: Sequence[str], limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for item in (*first, *second):
        seen.setdefault(item, None)
    return list(seen)[:limit]


class InMemoryHistory:
    """A bounded, thread-safe history kept in process memory (the default).

    Args:
        per_key: How many recent variant ids to keep per thread and per customer.
        max_keys: How many threads and customers to remember (least recently used dropped).
        max_templates: How many variant ids to keep team recency for.
    """

    def __init__(
        self, *, per_key: int = 20, max_keys: int = 100_000, max_templates: int = 10_000
    ) -> None:
        self._per_key = per_key
        self._max_keys = max_keys
        self._max_templates = max_templates
        self._threads: OrderedDict[str, deque[str]] = OrderedDict()
        self._customers: OrderedDict[str, deque[str]] = OrderedDict()
        self._last_seq: OrderedDict[str, int] = OrderedDict()
        self._uses: dict[str, int] = {}
        self._seq = 0
        self._lock = threading.Lock()

    def _push(self, table: OrderedDict[str, deque[str]], key: str, template_id: str) -> None:
        items = table.get(key)
        if items is None:
            items = table[key] = deque(maxlen=self._per_key)
            if len(table) > self._max_keys:
                table.popitem(last=False)
        else:
            table.move_to_end(key)
        items.appendleft(template_id)

    def record(
        self,
        template_id: str,
        thread_id: str | None = None,
        customer_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record a use (``at`` is accepted for the protocol; order is what rotation needs)."""
        _utc(at)
        with self._lock:
            self._seq += 1
            self._last_seq[template_id] = self._seq
            self._last_seq.move_to_end(template_id)
            self._uses[template_id] = self._uses.get(template_id, 0) + 1
            if len(self._last_seq) > self._max_templates:
                forgotten, _ = self._last_seq.popitem(last=False)
                self._uses.pop(forgotten, None)
            if thread_id is not None:
                self._push(self._threads, thread_id, template_id)
            if customer_id is not None:
                self._push(self._customers, customer_id, template_id)

    def recent(
        self, *, thread_id: str | None = None, customer_id: str | None = None, limit: int = 20
    ) -> list[str]:
        """Variant ids used recently for this thread and/or customer, newest first."""
        with self._lock:
            by_thread = list(self._threads.get(thread_id, ())) if thread_id is not None else []
            by_customer = (
                list(self._customers.get(customer_id, ())) if customer_id is not None else []
            )
        return _merge(by_thread, by_customer, limit)

    def team_recency(self, template_ids: Sequence[str]) -> dict[str, int]:
        """Drafts since each id was last used by anyone (1 = the latest draft)."""
        with self._lock:
            return {
                tid: self._seq - self._last_seq[tid] + 1
                for tid in template_ids
                if tid in self._last_seq
            }

    def team_uses(self, template_ids: Sequence[str]) -> dict[str, int]:
        """How many times the team has used each id (ids never used are absent).

        Optional beyond :class:`HistoryStore`: the drafter uses it, when a store has it, to
        cycle greetings on a reused variant instead of picking one by hash.
        """
        with self._lock:
            return {tid: self._uses[tid] for tid in template_ids if tid in self._uses}

    def __len__(self) -> int:
        """How many uses were recorded."""
        return self._seq


_SCHEMA = """
CREATE TABLE IF NOT EXISTS usage (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    template_id TEXT NOT NULL,
    thread_id TEXT,
    customer_id TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_thread ON usage (thread_id, seq) WHERE thread_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS usage_customer ON usage (customer_id, seq)
    WHERE customer_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS last_used (
    template_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS use_count (
    template_id TEXT PRIMARY KEY,
    uses INTEGER NOT NULL
) WITHOUT ROWID;
"""


class SQLiteHistory:
    """A persistent history in a SQLite file, safe for many threads and processes.

    The database runs in WAL mode; each record is one ``BEGIN IMMEDIATE`` transaction, so a
    process that dies mid-write leaves the previous state intact (SQLite's journal rolls the
    half-written transaction back). Each thread (and each process, after a fork) opens its
    own connection. Queries use indexes: per-draft cost does not grow with history size.
    Old rows beyond ``keep`` are pruned now and then.

    Args:
        path: The database file (created if missing).
        keep: How many most recent usage rows to keep.
        timeout: Seconds to wait for another writer's lock before failing.
    """

    def __init__(self, path: str | Path, *, keep: int = 1_000_000, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._keep = keep
        self._timeout = timeout
        self._local = threading.local()
        self._writes = 0
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        conn = self._connection()
        with conn:
            conn.executescript(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            return conn
        conn = sqlite3.connect(
            # Each connection is used by the thread that opened it; check_same_thread=False
            # only lets close() shut every thread's connection at the end.
            self.path,
            timeout=self._timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against process crashes in WAL mode (not against power loss).
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
        self._local.conn = conn
        self._local.pid = os.getpid()
        with self._all_lock:
            self._all.append(conn)
        return conn

    def record(
        self,
        template_id: str,
        thread_id: str | None = None,
        customer_id: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record a use in one transaction (``at``: naive = UTC; default now)."""
        stamp = _utc(at).isoformat()
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = conn.execute(
                "INSERT INTO usage (template_id, thread_id, customer_id, at) VALUES (?, ?, ?, ?)",
                (template_id, thread_id, customer_id, stamp),
            )
            seq = cursor.lastrowid
            conn.execute(
                "INSERT INTO last_used (template_id, seq) VALUES (?, ?) "
                "ON CONFLICT(template_id) DO UPDATE SET seq = excluded.seq",
                (template_id, seq),
            )
            conn.execute(
                "INSERT INTO use_count (template_id, uses) VALUES (?, 1) "
                "ON CONFLICT(template_id) DO UPDATE SET uses = uses + 1",
                (template_id,),
            )
            self._writes += 1
            if seq is not None and self._writes % 1024 == 0 and seq > self._keep:
                conn.execute("DELETE FROM usage WHERE seq <= ?", (seq - self._keep,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def recent(
        self, *, thread_id: str | None = None, customer_id: str | None = None, limit: int = 20
    ) -> list[str]:
        """Variant ids used recently for this thread and/or customer, newest first."""
        conn = self._connection()
        by_thread: list[str] = []
        by_customer: list[str] = []
        if thread_id is not None:
            by_thread = [
                row[0]
                for row in conn.execute(
                    "SELECT template_id FROM usage WHERE thread_id = ? ORDER BY seq DESC LIMIT ?",
                    (thread_id, limit),
                )
            ]
        if customer_id is not None:
            by_customer = [
                row[0]
                for row in conn.execute(
                    "SELECT template_id FROM usage WHERE customer_id = ? ORDER BY seq DESC LIMIT ?",
                    (customer_id, limit),
                )
            ]
        return _merge(by_thread, by_customer, limit)

    def team_recency(self, template_ids: Sequence[str]) -> dict[str, int]:
        """Drafts since each id was last used by anyone (1 = the latest draft)."""
        if not template_ids:
            return {}
        conn = self._connection()
        (latest,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM usage").fetchone()
        marks = ",".join("?" * len(template_ids))
        rows = conn.execute(
            f"SELECT template_id, seq FROM last_used WHERE template_id IN ({marks})",  # noqa: S608 - only placeholders
            list(template_ids),
        )
        return {tid: int(latest) - int(seq) + 1 for tid, seq in rows}

    def team_uses(self, template_ids: Sequence[str]) -> dict[str, int]:
        """How many times the team has used each id (ids never used are absent)."""
        if not template_ids:
            return {}
        marks = ",".join("?" * len(template_ids))
        rows = self._connection().execute(
            f"SELECT template_id, uses FROM use_count WHERE template_id IN ({marks})",  # noqa: S608 - only placeholders
            list(template_ids),
        )
        return {tid: int(uses) for tid, uses in rows}

    def __len__(self) -> int:
        """How many usage rows are kept."""
        (count,) = self._connection().execute("SELECT COUNT(*) FROM usage").fetchone()
        return int(count)

    def close(self) -> None:
        """Close every connection this store opened in this process (call when done)."""
        with self._all_lock:
            connections, self._all = self._all, []
        pid = os.getpid()
        for conn in connections:
            conn.close()
        if getattr(self._local, "pid", None) == pid:
            self._local.conn = None

    def __enter__(self) -> SQLiteHistory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
