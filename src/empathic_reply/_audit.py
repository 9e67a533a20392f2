"""The audit's implementation (see :mod:`empathic_reply.audit` for the public entry point).

Audit a team's past replies: canned wording, missing apologies, leaks, clusters.

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
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import math
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from empathic_reply._report import COLUMNS, Aggregator, AuditReport, AuditSummary, Cluster
from empathic_reply._similarity import (
    DEFAULT_MAX_WORDINGS,
    Clustering,
    NearDuplicateIndex,
    ReplySketch,
    customer_hash,
    signoff,
    tokens,
    wording_key,
)
from empathic_reply.errors import ConfigError, MissingExtraError

if TYPE_CHECKING:
    from empathic_reply.models import Analysis, Review

__all__ = ["COLUMNS", "AuditReport", "AuditSummary", "Cluster", "EngineLike", "audit"]

_log = logging.getLogger(__name__)

# Review warning codes that mean "complaint answered without apology or acknowledgement" and
# "personal data shown in a public reply" (owned by empathic_reply.review).
NO_APOLOGY_CODES = frozenset(
    {
        "complaint_not_acknowledged",
        "complaint_without_apology",
        "no_apology",
        "no_acknowledgement",
        "complaint_no_apology",
        "missing_apology",
        "no_apology_on_complaint",
    }
)
PERSONAL_DATA_CODES = frozenset({"personal_data_in_public", "personal_data_public"})

_PRIVATE = frozenset(
    {
        "private",
        "dm",
        "direct",
        "direct message",
        "pm",
        "email",
        "e-mail",
        "ticket",
        "chat",
        "live chat",
        "messenger",
        "whatsapp",
        "sms",
        "phone",
    }
)
_PUBLIC = frozenset(
    {
        "public",
        "tweet",
        "twitter",
        "x",
        "comment",
        "facebook",
        "instagram",
        "mention",
        "reply",
        "forum",
        "review",
        "social",
    }
)
_PROGRESS_MIN = 2_000
_TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"


class _AnalyzerLike(Protocol):
    def analyze_many(self, texts: Iterable[str], *, batch_size: int = ...) -> list[Analysis]: ...


class _ReviewerLike(Protocol):
    def review(
        self,
        reply: str,
        *,
        message: str | Analysis | None = ...,
        channel: Any = ...,
        repeats: int | None = ...,
    ) -> Review: ...


class EngineLike(Protocol):
    """What :func:`audit` needs from an engine: an analyser and a reviewer."""

    @property
    def analyzer(self) -> _AnalyzerLike: ...

    @property
    def reviewer(self) -> _ReviewerLike: ...


@dataclass(frozen=True)
class _Options:
    message: str
    reply: str
    id: str | None
    agent: str | None
    channel: str | None
    channel_constant: str | None
    message_time: str | None
    reply_time: str | None
    customer: str | None
    customer_name: str | None
    brand: str | None
    threshold: float
    batch_size: int
    max_wordings: int | None = DEFAULT_MAX_WORDINGS

    def columns(self) -> list[str]:
        names = [
            self.message,
            self.reply,
            self.id,
            self.agent,
            self.channel,
            self.message_time,
            self.reply_time,
            self.customer,
            self.customer_name,
            self.brand,
        ]
        return list(dict.fromkeys(n for n in names if n is not None))


# ---------------------------------------------------------------------------------- input


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _plain(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, (str, bool, int, float)):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        with contextlib.suppress(TypeError, ValueError):
            result = item()
            if isinstance(result, (str, bool, int, float)):
                return result
    return str(value)


def _label(value: Any) -> str | None:
    value = _plain(value)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _channel(value: Any) -> str | None:
    text = _label(value)
    if text is None:
        return None
    low = text.lower()
    if low in _PRIVATE:
        return "private"
    if low in _PUBLIC:
        return "public"
    return None


def _parse_time_text(text: str) -> datetime | None:
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return datetime.strptime(text, _TWITTER_TIME)
    except ValueError:
        return None


def _time(value: Any) -> datetime | None:
    moment: datetime | None = None
    if _missing(value):
        moment = None
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value) / 1000 if abs(value) > 1e11 else float(value)
        with contextlib.suppress(OverflowError, OSError, ValueError):
            moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    elif isinstance(value, str):
        moment = _parse_time_text(value)
    else:
        to_py = getattr(value, "to_pydatetime", None)
        converted = to_py() if callable(to_py) else None
        moment = converted if isinstance(converted, datetime) else None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _text(value: Any, name: str) -> tuple[str | None, str | None]:
    if _missing(value):
        return None, f"{name} is missing"
    if not isinstance(value, str):
        return None, f"{name} is not text ({type(value).__name__})"
    return value, None


_ABSENT = object()


def _normalise(raw: Any, row: int, opts: _Options) -> dict[str, Any]:
    """One input item -> a plain, JSON-serialisable pair record (problems flagged)."""
    if isinstance(raw, _BadLine):
        return _unreadable(row, opts, f"line is not valid JSON ({raw})")
    if isinstance(raw, Mapping):

        def get(col: str | None) -> Any:
            return None if col is None else raw.get(col, None)
    elif isinstance(raw, (tuple, list)) and len(raw) >= 2:
        seq = raw

        def get(col: str | None) -> Any:
            if col == opts.message:
                return seq[0]
            if col == opts.reply:
                return seq[1]
            if col == opts.id and len(seq) > 2:
                return seq[2]
            return None
    else:
        return _unreadable(row, opts, f"row is not a mapping or pair ({type(raw).__name__})")
    message, m_problem = _text(get(opts.message), opts.message)
    reply, r_problem = _text(get(opts.reply), opts.reply)
    problems = [p for p in (m_problem, r_problem) if p]
    extra = {
        "agent": _label(get(opts.agent)),
        "channel": opts.channel_constant or _channel(get(opts.channel)),
        "brand": _label(get(opts.brand)),
        "customer": _label(get(opts.customer)),
        "customer_name": _label(get(opts.customer_name)),
        "message_time": _time(get(opts.message_time)),
        "reply_time": _time(get(opts.reply_time)),
    }
    return _record(
        row,
        ident=_plain(get(opts.id)),
        message=message,
        reply=reply,
        opts=opts,
        extra=extra,
        problem="; ".join(problems) or None,
    )


def _unreadable(row: int, opts: _Options, problem: str) -> dict[str, Any]:
    """The record of an input item that could not be read at all, flagged with ``problem``."""
    return _record(row, ident=None, message=None, reply=None, opts=opts, extra={}, problem=problem)


def _record(
    row: int,
    *,
    ident: Any,
    message: str | None,
    reply: str | None,
    problem: str | None,
    opts: _Options,
    extra: dict[str, Any],
) -> dict[str, Any]:
    m_time, r_time = extra.get("message_time"), extra.get("reply_time")
    seconds = None
    if m_time is not None and r_time is not None:
        seconds = (r_time - m_time).total_seconds()
        if seconds < 0:
            seconds = None
    return {
        "row": row,
        "id": row if ident is None and opts.id is None else ident,
        "message": message,
        "reply": reply,
        "agent": extra.get("agent"),
        "channel": extra.get("channel"),
        "brand": extra.get("brand"),
        "customer": extra.get("customer"),
        "customer_name": extra.get("customer_name"),
        "problem": problem,
        "message_time": m_time.isoformat() if m_time else None,
        "reply_time": r_time.isoformat() if r_time else None,
        "response_seconds": seconds,
    }


class _Source:
    """Re-iterable batches of raw input items (one-shot iterables are spooled to disk)."""

    def __init__(self, data: Any, opts: _Options) -> None:
        self.opts = opts
        self.total: int | None = None
        self._spool: Path | None = None
        self._one_shot: Iterator[Any] | None = None
        self._kind = "iterable"
        if isinstance(data, (str, Path)):
            path = Path(data)
            if not path.exists():
                raise FileNotFoundError(f"no such file: {path}")
            suffix = path.suffix.lower()
            if suffix not in (".csv", ".jsonl", ".ndjson", ".json"):
                raise ConfigError(f"unsupported file type {suffix!r}: use .csv or .jsonl")
            self._kind = "csv" if suffix == ".csv" else "jsonl"
            self.path = path
        elif _is_pandas(data):
            self._kind = "frame"
            self.frame = data
            self.total = len(data)
            _check_columns(list(data.columns), opts)
        elif isinstance(data, (list, tuple)):
            self._kind = "sequence"
            self.items: Sequence[Any] = data
            self.total = len(data)
        elif isinstance(data, Iterable) and not isinstance(data, (bytes, Mapping)):
            self._one_shot = iter(data)
        else:
            raise TypeError(
                "data must be a pandas or Dask DataFrame, an iterable of dicts or (message, "
                f"reply) pairs, or a path to a .csv/.jsonl file, not {type(data).__name__}"
            )

    def records(self) -> Iterator[list[dict[str, Any]]]:
        """Batches of normalised pair records, in input order."""
        size = self.opts.batch_size
        if self._kind == "spooled":
            assert self._spool is not None
            with self._spool.open(encoding="utf-8") as fh:
                batch: list[dict[str, Any]] = []
                for line in fh:
                    batch.append(json.loads(line))
                    if len(batch) >= size:
                        yield batch
                        batch = []
                if batch:
                    yield batch
            return
        row = 0
        for raw_batch in self._raw_batches(size):
            out = []
            for raw in raw_batch:
                out.append(_normalise(raw, row, self.opts))
                row += 1
            yield out

    def _raw_batches(self, size: int) -> Iterator[list[Any]]:
        if self._kind == "frame":
            cols = [c for c in self.opts.columns() if c in self.frame.columns]
            for start in range(0, len(self.frame), size):
                yield self.frame.iloc[start : start + size][cols].to_dict("records")
        elif self._kind == "sequence":
            for start in range(0, len(self.items), size):
                yield list(self.items[start : start + size])
        elif self._kind == "csv":
            yield from self._csv_batches(size)
        elif self._kind == "jsonl":
            yield from _chunked(self._jsonl_items(), size)
        else:
            assert self._one_shot is not None
            yield from _chunked(self._one_shot, size)

    def _csv_batches(self, size: int) -> Iterator[list[Any]]:
        pd = _pandas()
        first = True
        for chunk in pd.read_csv(
            self.path, chunksize=size, dtype=str, keep_default_na=False, na_values=[""]
        ):
            if first:
                _check_columns(list(chunk.columns), self.opts)
                first = False
            yield chunk.to_dict("records")

    def _jsonl_items(self) -> Iterator[Any]:
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    yield _BadLine(str(exc))

    def first_pass(self) -> Iterator[list[dict[str, Any]]]:
        """Like :meth:`records`; a one-shot iterable is spooled to a temporary file on the way."""
        if self._one_shot is None:
            yield from self.records()
            return
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept until the audit ends
            "w", suffix=".jsonl", prefix="er-audit-", delete=False, encoding="utf-8"
        )
        self._spool = Path(handle.name)
        with handle:
            for batch in self.records():
                for rec in batch:
                    handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
                yield batch
        self._kind = "spooled"
        self._one_shot = None

    def close(self) -> None:
        if self._spool is not None:
            self._spool.unlink(missing_ok=True)
            self._spool = None


class _BadLine(str):
    __slots__ = ()


def _chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_columns(columns: Sequence[Any], opts: _Options) -> None:
    present = set(columns)
    for required in (opts.message, opts.reply):
        if required not in present:
            raise ConfigError(f"column {required!r} not found; columns are {list(columns)[:20]}")
    for label, name in (
        ("id", opts.id),
        ("agent", opts.agent),
        ("channel", opts.channel),
        ("message_time", opts.message_time),
        ("reply_time", opts.reply_time),
        ("customer", opts.customer),
        ("customer_name", opts.customer_name),
        ("brand", opts.brand),
    ):
        if name is not None and name not in present:
            raise ConfigError(
                f"{label} column {name!r} not found; columns are {list(columns)[:20]}"
            )


def _is_pandas(data: Any) -> bool:
    return type(data).__module__.startswith("pandas") and hasattr(data, "iloc")


def _is_dask(data: Any) -> bool:
    return type(data).__module__.startswith("dask") and hasattr(data, "map_partitions")


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:
        raise MissingExtraError("pandas", "audit") from exc
    return pd


def _require_extra() -> None:
    for module in ("pandas", "datasketch"):
        try:
            __import__(module)
        except ImportError as exc:
            raise MissingExtraError(module, "audit") from exc


# ------------------------------------------------------------------------------ the passes


def _group(rec: Mapping[str, Any]) -> str:
    return rec["brand"] or ""


def _names(rec: Mapping[str, Any]) -> tuple[str, ...]:
    return (rec["customer_name"],) if rec.get("customer_name") else ()


def _sketch_records(
    records: Iterable[dict[str, Any]], sketch: ReplySketch, keys: array[int] | None = None
) -> None:
    """Add the replies to ``sketch``; with ``keys``, append every row's wording key (0 = none)."""
    for rec in records:
        key = 0
        if rec["reply"] is not None:
            key = sketch.add(
                rec["reply"], group=_group(rec), customer=rec["customer"], names=_names(rec)
            )
        if keys is not None:
            keys.append(key)


class _KeySpool:
    """Every row's wording key from the first pass, in a temporary file (8 bytes a row).

    The second pass reads them back instead of masking every reply again, and memory does
    not grow with the rows.
    """

    def __init__(self) -> None:
        self._fh: Any = tempfile.TemporaryFile(prefix="er-audit-keys-")  # noqa: SIM115
        self.pending: array[int] = array("Q")

    def flush(self) -> None:
        self.pending.tofile(self._fh)
        self.pending = array("Q")

    def attach(self, batches: Iterable[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
        """Yield the batches with ``_key`` set on every record that has a reply."""
        self.flush()
        self._fh.seek(0)
        for batch in batches:
            keys = array("Q")
            keys.fromfile(self._fh, len(batch))
            for rec, key in zip(batch, keys, strict=True):
                if rec["reply"] is not None:
                    rec["_key"] = key
            yield batch

    def close(self) -> None:
        self._fh.close()


def _codes(review: Review) -> list[str]:
    return [w.code for w in review.warnings]


def _repetition_text(repeats: int, customers: int, brand: str | None) -> str:
    who = "customer" if customers == 1 else "customers"
    times = "time" if repeats == 1 else "times"
    of = f" of {brand}" if brand else ""
    return (
        f"repetition: near-copies of this wording were sent {repeats} other {times} "
        f"to {customers} other {who}{of}"
    )


def _score_records(
    records: list[dict[str, Any]], engine: EngineLike, clustering: Clustering, opts: _Options
) -> list[dict[str, Any]]:
    """Analyse and review one batch of normalised records; rows in the same order.

    With a spaCy pipeline that supports it, the batch runs inside ``nlp.memory_zone()``, so
    the strings and lexemes of its texts (handles, order numbers, ...) are freed afterwards
    and the vocabulary does not grow with the corpus.
    """
    nlp = getattr(engine.analyzer, "nlp", None)
    zone = getattr(nlp, "memory_zone", None)
    with zone() if callable(zone) else contextlib.nullcontext():
        return _score_batch(records, engine, clustering, opts)


def _score_batch(
    records: list[dict[str, Any]], engine: EngineLike, clustering: Clustering, opts: _Options
) -> list[dict[str, Any]]:
    valid = [rec["message"] for rec in records if rec["message"] is not None]
    analyses: list[Analysis | None]
    try:
        analyses = list(engine.analyzer.analyze_many(valid, batch_size=opts.batch_size))
    except Exception:  # one bad message must not sink the batch: retry one by one
        _log.warning(
            "batch analysis failed; analysing this batch message by message", exc_info=True
        )
        analyses = []
        for text in valid:
            try:
                analyses.extend(engine.analyzer.analyze_many([text], batch_size=1))
            except Exception:
                _log.warning("could not analyse a message", exc_info=True)
                analyses.append(None)
    found = iter(analyses)
    out = []
    for rec in records:
        analysis = next(found) if rec["message"] is not None else None
        out.append(_score_one(rec, analysis, engine, clustering))
    return out


def _score_one(
    rec: dict[str, Any], analysis: Analysis | None, engine: EngineLike, clustering: Clustering
) -> dict[str, Any]:
    row = dict.fromkeys(COLUMNS)
    for name in (
        "row",
        "id",
        "message",
        "reply",
        "agent",
        "channel",
        "brand",
        "customer",
        "problem",
        "message_time",
        "reply_time",
        "response_seconds",
    ):
        row[name] = rec[name]
    reply = rec["reply"]
    if reply is not None and row["agent"] is None:
        row["agent"] = signoff(reply)
    problems = [rec["problem"]] if rec["problem"] else []
    if analysis is not None:
        row.update(_analysis_columns(analysis))
    elif rec["message"] is not None:
        problems.append("message could not be analysed")
    if reply is None:
        row["problem"] = "; ".join(problems) or None
        return row
    key = rec.get("_key")
    if key is None:
        key = wording_key(_group(rec), tokens(reply, names=_names(rec)))
    customer = rec["customer"]
    repeats, others, cluster = clustering.row_repeats(
        key, None if customer is None else customer_hash(customer)
    )
    row.update(repeats=repeats, repeat_customers=others, cluster=cluster, wording_id=f"{key:016x}")
    try:
        review = engine.reviewer.review(
            reply, message=analysis, channel=rec["channel"], repeats=repeats
        )
    except Exception as exc:  # an audit of millions of rows reports a bad row, not a crash
        _log.warning("could not review row %s", rec["row"], exc_info=True)
        problems.append(f"review failed: {type(exc).__name__}")
        row["problem"] = "; ".join(problems)
        return row
    canned = review.cannedness
    reasons = []
    for reason in canned.reasons:
        if reason.signal in ("repetition", "repeated", "repeats") and repeats:
            reasons.append(_repetition_text(repeats, others, rec["brand"]))
        else:
            reasons.append(f"{reason.signal}: {reason.message}")
    if repeats and not any(
        r.signal in ("repetition", "repeated", "repeats") for r in canned.reasons
    ):
        reasons.append(_repetition_text(repeats, others, rec["brand"]))
    codes = _codes(review)
    complaint = analysis is not None and analysis.has_intent("complaint")
    row.update(
        cannedness=round(canned.score, 4),
        canned_level=canned.level,
        canned_reasons="; ".join(reasons),
        suggestions="; ".join(canned.suggestions),
        emotional_reactions=review.empathy.emotional_reactions,
        interpretations=review.empathy.interpretations,
        explorations=review.empathy.explorations,
        warnings="; ".join(codes),
        warning_messages="; ".join(w.message for w in review.warnings),
        complaint=complaint,
        apology_missing=complaint and any(c in NO_APOLOGY_CODES for c in codes),
        personal_data_in_public=rec["channel"] == "public"
        and any(c in PERSONAL_DATA_CODES for c in codes),
        problem="; ".join(problems) or None,
    )
    return row


def _analysis_columns(a: Analysis) -> dict[str, Any]:
    top_intent = a.intents[0] if a.intents else None
    top_emotion = a.emotions[0] if a.emotions else None
    return {
        "sentiment": a.sentiment.label,
        "sentiment_score": round(a.sentiment.score, 4),
        "intent": a.intent,
        "intent_score": round(top_intent.score, 4) if top_intent else 0.0,
        "intents": "; ".join(i.label for i in a.intents if i.score >= 0.5),
        "emotion": a.emotion,
        "emotion_family": top_emotion.family if top_emotion else None,
        "emotions": "; ".join(e.label for e in a.emotions),
        "topic": a.topics[0].label if a.topics else None,
        "topics": "; ".join(t.label for t in a.topics),
        "urgency": round(a.urgency, 4),
        "details": "; ".join(f"{d.kind}={d.text}" for d in a.details),
    }


class _Sink:
    """Where rows go: memory, or a CSV/JSONL file written row by row."""

    def __init__(self, output: str | Path | None) -> None:
        self.rows: list[dict[str, Any]] | None = [] if output is None else None
        self.path = Path(output) if output is not None else None
        self._fh: Any = None
        self._csv: Any = None
        if self.path is not None:
            suffix = self.path.suffix.lower()
            if suffix not in (".csv", ".jsonl", ".ndjson"):
                raise ConfigError(f"output must end in .csv or .jsonl, not {suffix!r}")
            self._fh = self.path.open("w", encoding="utf-8", newline="")
            if suffix == ".csv":
                self._csv = csv.DictWriter(self._fh, fieldnames=list(COLUMNS))
                self._csv.writeheader()

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        if self.rows is not None:
            self.rows.extend(rows)
        elif self._csv is not None:
            self._csv.writerows(rows)
        else:
            self._fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(progress: bool | None, total: int | None) -> Any:
    show = progress
    if show is None:
        interactive = "ipykernel" in sys.modules or (
            hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        )
        show = interactive and (total is None or total >= _PROGRESS_MIN)
    if not show:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        raise MissingExtraError("tqdm", "audit") from exc
    return tqdm(total=total, unit="pairs", desc="Auditing replies")


def _engine(engine: EngineLike | None) -> EngineLike:
    if engine is not None:
        return engine
    from empathic_reply.engine import default_engine

    return default_engine()


def audit(
    data: Any,
    *,
    engine: EngineLike | None,
    message: str,
    reply: str,
    id: str | None,
    agent: str | None,
    channel: str | None,
    message_time: str | None,
    reply_time: str | None,
    customer: str | None,
    customer_name: str | None,
    brand: str | None,
    threshold: float,
    batch_size: int,
    progress: bool | None,
    output: str | Path | None,
    workers: int,
    max_wordings: int | None,
) -> AuditReport:
    """Run an audit (the defaults and documentation live in :func:`empathic_reply.audit.audit`)."""
    _require_extra()
    if batch_size < 1:
        raise ConfigError("batch_size must be >= 1")
    if workers < 1:
        raise ConfigError("workers must be >= 1")
    if not 0.0 < threshold <= 1.0:
        raise ConfigError("threshold must be in (0, 1]")
    if max_wordings is not None and max_wordings < 1:
        raise ConfigError("max_wordings must be >= 1 or None")
    constant = channel if channel in ("public", "private") else None
    opts = _Options(
        message=message,
        reply=reply,
        id=id,
        agent=agent,
        channel=None if constant else channel,
        channel_constant=constant,
        message_time=message_time,
        reply_time=reply_time,
        customer=customer,
        customer_name=customer_name,
        brand=brand,
        threshold=threshold,
        batch_size=batch_size,
        max_wordings=max_wordings,
    )
    if _is_dask(data):
        from empathic_reply._dask import audit_dask

        return audit_dask(data, engine=engine, opts=opts, output=output)
    source = _Source(data, opts)
    spool = _KeySpool()
    try:
        sketch = ReplySketch(max_wordings=max_wordings)
        for batch in source.first_pass():
            _sketch_records(batch, sketch, spool.pending)
            spool.flush()
        index = NearDuplicateIndex(threshold=threshold, max_wordings=max_wordings)
        index.merge(sketch)
        del sketch
        if index.evicted:
            _log.info(
                "max_wordings=%s reached: %s rare wordings were not tracked; counts of the "
                "wordings kept are lower bounds",
                max_wordings,
                index.evicted,
            )
        clustering = index.build()
        del index
        scorer = _engine(engine)
        aggregator = Aggregator(clustering)
        sink = _Sink(output)
        bar = _progress(progress, source.total)
        try:
            batches = spool.attach(source.records())
            for rows in _scored_batches(batches, scorer, clustering, opts, workers):
                sink.write(rows)
                for row in rows:
                    aggregator.add(row)
                bar.update(len(rows))
        finally:
            bar.close()
            sink.close()
    finally:
        spool.close()
        source.close()
    return AuditReport(rows=sink.rows, output=sink.path, aggregator=aggregator)


_WORKER: tuple[EngineLike, Clustering, _Options] | None = None


def _init_worker(engine: EngineLike, clustering: Clustering, opts: _Options) -> None:
    global _WORKER  # noqa: PLW0603 - per-process state of a pool worker
    _WORKER = (engine, clustering, opts)


def _score_in_worker(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert _WORKER is not None
    engine, clustering, opts = _WORKER
    return _score_records(batch, engine, clustering, opts)


def _scored_batches(
    batches: Iterator[list[dict[str, Any]]],
    engine: EngineLike,
    clustering: Clustering,
    opts: _Options,
    workers: int,
) -> Iterator[list[dict[str, Any]]]:
    """Scored rows per batch, in input order; with ``workers > 1`` from a process pool.

    At most ``2 * workers`` batches are in flight, so memory stays bounded.
    """
    if workers == 1:
        for batch in batches:
            yield _score_records(batch, engine, clustering, opts)
        return
    import multiprocessing
    from collections import deque

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(workers, initializer=_init_worker, initargs=(engine, clustering, opts)) as pool:
        pending: deque[Any] = deque()
        for batch in batches:
            pending.append(pool.apply_async(_score_in_worker, (batch,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
