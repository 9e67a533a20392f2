"""Sharing one engine across threads and processes gives the same answers as serial use."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from benchmarks.messages import MESSAGES, REPLY


def _analyse_in_child(texts: list[str]) -> list[str]:
    import empathic_reply as er

    return [a.model_dump_json() for a in er.analyze_many(texts)]


def test_threads_share_the_engine_with_serial_results(engine):
    texts = MESSAGES * 4
    serial_analyses = [engine.analyze(t).model_dump_json() for t in texts]
    serial_reviews = [engine.review(REPLY, message=t).model_dump_json() for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        analyses = list(pool.map(lambda t: engine.analyze(t).model_dump_json(), texts))
        reviews = list(pool.map(lambda t: engine.review(REPLY, message=t).model_dump_json(), texts))
    assert analyses == serial_analyses
    assert reviews == serial_reviews


def test_concurrent_drafts_are_valid_and_all_recorded():
    from empathic_reply.engine import Engine
    from empathic_reply.history import InMemoryHistory

    history = InMemoryHistory()
    engine = Engine(history=history)
    texts = MESSAGES * 3
    with ThreadPoolExecutor(max_workers=8) as pool:
        drafts = list(
            pool.map(lambda it: engine.draft(it[1], thread_id=f"t{it[0]}"), enumerate(texts))
        )
    assert len(drafts) == len(texts)
    assert all(d.text.strip() for d in drafts)
    assert [d.analysis.text for d in drafts] == texts  # results map back to their inputs
    assert len(history) == len(texts)  # no lost history writes


def test_processes_give_the_same_analyses_as_serial(engine):
    texts = MESSAGES[:10]
    serial = [engine.analyze(t).model_dump_json() for t in texts]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        chunks = list(pool.map(_analyse_in_child, [texts[:5], texts[5:]]))
    assert chunks[0] + chunks[1] == serial
