"""History stores: recency queries, bounds, thread and process safety, cost independent of size."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from empathic_reply.history import HistoryStore, InMemoryHistory, SQLiteHistory


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    if request.param == "memory":
        yield InMemoryHistory()
    else:
        with SQLiteHistory(tmp_path / "history.db") as db:
            yield db


def test_both_stores_satisfy_the_protocol(store):
    assert isinstance(store, HistoryStore)


def test_recent_per_thread_and_customer(store):
    store.record("a.v1", "t1", "c1")
    store.record("b.v1", "t1", "c2")
    store.record("c.v1", "t2", "c1")
    store.record("a.v1", "t1", "c1")
    assert store.recent(thread_id="t1") == ["a.v1", "b.v1"]
    assert store.recent(customer_id="c1") == ["a.v1", "c.v1"]
    assert store.recent(thread_id="t2", customer_id="c2") == ["c.v1", "b.v1"]
    assert store.recent(thread_id="nope") == []
    assert store.recent() == []
    assert store.recent(thread_id="t1", limit=1) == ["a.v1"]


def test_team_recency_counts_drafts_since_last_use(store):
    for tid in ["a.v1", "b.v1", "c.v1", "b.v1"]:
        store.record(tid)
    assert store.team_recency(["a.v1", "b.v1", "c.v1", "d.v1"]) == {
        "a.v1": 4,
        "b.v1": 1,
        "c.v1": 2,
    }
    assert store.team_recency([]) == {}


def test_times_naive_and_aware(store):
    store.record("a.v1", "t", "c", datetime(2024, 1, 1, 12))
    store.record("b.v1", "t", "c", datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))))
    assert store.recent(thread_id="t") == ["b.v1", "a.v1"]


def test_in_memory_is_bounded():
    history = InMemoryHistory(per_key=3, max_keys=2, max_templates=5)
    for i in range(10):
        history.record(f"v{i}.v1", "t1")
    assert history.recent(thread_id="t1") == ["v9.v1", "v8.v1", "v7.v1"]
    history.record("x.v1", "t2")
    history.record("y.v1", "t3")  # evicts the least recently used thread, t1
    assert history.recent(thread_id="t1") == []
    assert set(history.team_recency([f"v{i}.v1" for i in range(10)])) == {
        "v7.v1",
        "v8.v1",
        "v9.v1",
    }


def test_in_memory_is_thread_safe():
    history = InMemoryHistory(per_key=10_000)

    def work(n: int) -> None:
        for i in range(500):
            history.record(f"v{i % 7}.v1", f"t{n}", "shared")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(history) == 4000
    assert len(history.recent(thread_id="t3", limit=1000)) == 7


def test_sqlite_persists_across_instances(tmp_path):
    path = tmp_path / "h.db"
    with SQLiteHistory(path) as first:
        first.record("a.v1", "t1", "c1")
    with SQLiteHistory(path) as second:
        assert second.recent(thread_id="t1") == ["a.v1"]
        assert second.team_recency(["a.v1"]) == {"a.v1": 1}
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_concurrent_threads(tmp_path):
    with SQLiteHistory(tmp_path / "h.db") as history:
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(50):
                    history.record(f"v{i % 5}.v1", f"t{n}", f"c{n}")
                    history.recent(thread_id=f"t{n}")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert len(history) == 300
        assert history.recent(thread_id="t2", limit=10) == [f"v{i}.v1" for i in (4, 3, 2, 1, 0)]


def _write_many(path: str, worker: int, count: int) -> None:
    with SQLiteHistory(path) as history:
        for i in range(count):
            history.record(f"v{i % 3}.v1", f"w{worker}", None)


def test_sqlite_two_processes(tmp_path):
    path = str(tmp_path / "h.db")
    SQLiteHistory(path).close()  # create the schema first
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(path, n, 100)) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    with SQLiteHistory(path) as history:
        assert len(history) == 200
        assert len(history.recent(thread_id="w0", limit=500)) == 3
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _die_mid_write(path: str) -> None:
    import os

    history = SQLiteHistory(path)
    conn = history._connection()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO usage (template_id, thread_id, customer_id, at) VALUES ('x.v1', 't', NULL, '')"
    )
    os._exit(1)  # the process dies with the transaction open


def test_sqlite_survives_a_process_dying_mid_write(tmp_path):
    path = str(tmp_path / "h.db")
    with SQLiteHistory(path) as history:
        history.record("a.v1", "t")
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_die_mid_write, args=(path,))
    proc.start()
    proc.join(timeout=60)
    assert proc.exitcode == 1
    with SQLiteHistory(path) as history:
        assert history.recent(thread_id="t") == ["a.v1"]
        history.record("b.v1", "t")  # the lock was released
        assert history.recent(thread_id="t") == ["b.v1", "a.v1"]


def test_sqlite_prunes_old_rows(tmp_path):
    with SQLiteHistory(tmp_path / "h.db", keep=100) as history:
        for i in range(2048):
            history.record(f"v{i % 4}.v1", "t")
        assert len(history) <= 1124
        assert history.team_recency(["v3.v1"]) == {"v3.v1": 1}


def _fill(store, rows) -> None:
    if isinstance(store, SQLiteHistory):
        conn = store._connection()
        conn.execute("BEGIN")
        for template_id, thread_id, customer_id in rows:
            seq = conn.execute(
                "INSERT INTO usage (template_id, thread_id, customer_id, at) VALUES (?, ?, ?, '')",
                (template_id, thread_id, customer_id),
            ).lastrowid
            conn.execute(
                "INSERT OR REPLACE INTO last_used (template_id, seq) VALUES (?, ?)",
                (template_id, seq),
            )
        conn.execute("COMMIT")
    else:
        for row in rows:
            store.record(*row)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_query_cost_does_not_grow_with_history(tmp_path, kind):
    def make(name: str):
        return InMemoryHistory() if kind == "memory" else SQLiteHistory(tmp_path / name)

    small, big = make("small.db"), make("big.db")
    # Both know the threads and customers we query; `big` also holds 100,000 other entries.
    noise = [(f"n{i % 150}.v1", f"other{i % 5000}", f"oc{i % 3000}") for i in range(100_000)]
    working = [(f"v{i % 16}.v1", f"t{i % 200}", f"c{i % 200}") for i in range(4000)]
    _fill(small, working)
    _fill(big, noise + working)
    ids = [f"v{i}.v1" for i in range(16)]

    def once(store) -> float:
        start = time.perf_counter()
        for n in range(200):
            store.recent(thread_id=f"t{n}", customer_id=f"c{n}")
            store.team_recency(ids)
        return time.perf_counter() - start

    # Alternate and keep the best of each, so a busy machine slows both alike.
    best_small = best_big = float("inf")
    for _ in range(9):
        best_small = min(best_small, once(small))
        best_big = min(best_big, once(big))
    ratio = best_big / best_small
    for store in (small, big):
        if isinstance(store, SQLiteHistory):
            store.close()
    assert ratio < 1.4, ratio


def test_team_uses_counts_every_use(store):
    for tid in ["a.v1", "b.v1", "a.v1", "a.v1"]:
        store.record(tid, thread_id="t", customer_id="c")
    assert store.team_uses(["a.v1", "b.v1", "z.v1"]) == {"a.v1": 3, "b.v1": 1}
    assert store.team_uses([]) == {}
    assert len(store) == 4


def test_in_memory_forgets_counts_with_the_template():
    history = InMemoryHistory(max_templates=2)
    for tid in ["a.v1", "a.v1", "b.v1", "c.v1"]:
        history.record(tid)
    assert history.team_uses(["a.v1", "b.v1", "c.v1"]) == {"b.v1": 1, "c.v1": 1}
