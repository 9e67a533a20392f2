"""Scale an audit out over Dask partitions, with the same result as the in-process run.

The audit's two passes map onto partitions:

1. every partition masks its replies and computes MinHash signatures of its distinct
   wordings (a :class:`~empathic_reply._similarity.ReplySketch`, small: one signature per
   distinct wording, not per row);
2. the sketches are merged centrally, in partition order, and LSH clusters the wordings of
   the whole corpus, so near-copies are found *across* partitions;
3. every partition then analyses and reviews its pairs with the repeats from the merged
   clustering (the clustering is sent to the workers once);
4. rows come back in partition order and are folded into the report as in-process.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathic_reply._report import Aggregator, AuditReport
from empathic_reply._similarity import Clustering, NearDuplicateIndex, ReplySketch
from empathic_reply.errors import MissingExtraError

if TYPE_CHECKING:
    import pandas as pd

    from empathic_reply._audit import EngineLike, _Options

__all__ = ["audit_dask"]

_WINDOW = 32


def _records(part: pd.DataFrame, offset: int, opts: _Options) -> list[dict[str, Any]]:
    from empathic_reply._audit import _normalise

    return [_normalise(raw, offset + i, opts) for i, raw in enumerate(part.to_dict("records"))]


def _sketch_partition(part: pd.DataFrame, opts: _Options) -> tuple[ReplySketch, int]:
    from empathic_reply._audit import _sketch_records

    sketch = ReplySketch(max_wordings=opts.max_wordings)
    _sketch_records(_records(part, 0, opts), sketch)
    return sketch, len(part)


def _score_partition(
    part: pd.DataFrame,
    offset: int,
    opts: _Options,
    clustering: Clustering,
    engine: EngineLike | None,
) -> list[dict[str, Any]]:
    from empathic_reply._audit import _engine, _score_records

    scorer = _engine(engine)
    records = _records(part, offset, opts)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(records), opts.batch_size):
        rows.extend(
            _score_records(records[start : start + opts.batch_size], scorer, clustering, opts)
        )
    return rows


def audit_dask(
    ddf: Any,
    *,
    engine: EngineLike | None,
    opts: _Options,
    output: str | Path | None,
) -> AuditReport:
    """Audit a ``dask.dataframe.DataFrame``; see :func:`empathic_reply.audit`.

    Uses whichever Dask scheduler is active (a ``distributed.Client``, threads, processes).
    With ``engine=None`` every worker builds the default engine once.
    """
    try:
        dask: Any = importlib.import_module("dask")
    except ImportError as exc:
        raise MissingExtraError("dask", "dask") from exc
    from empathic_reply._audit import _check_columns, _Sink

    _check_columns(list(ddf.columns), opts)
    parts = ddf[opts.columns()].to_delayed()
    sketched = dask.compute(*[dask.delayed(_sketch_partition)(p, opts) for p in parts])
    index = NearDuplicateIndex(threshold=opts.threshold, max_wordings=opts.max_wordings)
    offsets = []
    total = 0
    for sketch, rows in sketched:
        index.merge(sketch)
        offsets.append(total)
        total += rows
    del sketched
    clustering = index.build()
    del index
    shared_clustering = dask.delayed(clustering, pure=True)
    shared_engine = dask.delayed(engine, pure=True) if engine is not None else None
    aggregator = Aggregator(clustering)
    sink = _Sink(output)
    try:
        # Partitions are scored in windows, so at most one window of rows is in memory here.
        for start in range(0, len(parts), _WINDOW):
            window = zip(
                parts[start : start + _WINDOW], offsets[start : start + _WINDOW], strict=True
            )
            scored = dask.compute(
                *[
                    dask.delayed(_score_partition)(p, off, opts, shared_clustering, shared_engine)
                    for p, off in window
                ]
            )
            for rows in scored:
                sink.write(rows)
                for row in rows:
                    aggregator.add(row)
    finally:
        sink.close()
    return AuditReport(rows=sink.rows, output=sink.path, aggregator=aggregator)
