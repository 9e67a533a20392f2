"""Audit results: per-pair rows, the streaming aggregator, summary models and the HTML report."""

from __future__ import annotations

import base64
import heapq
import html
import importlib
import io
import json
import math
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from empathic_reply.errors import MissingExtraError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from empathic_reply._similarity import Clustering

__all__ = [
    "COLUMNS",
    "AuditReport",
    "AuditSummary",
    "Cluster",
    "GroupSummary",
]

COLUMNS: tuple[str, ...] = (
    "row",
    "id",
    "message",
    "reply",
    "agent",
    "channel",
    "brand",
    "customer",
    "problem",
    "sentiment",
    "sentiment_score",
    "intent",
    "intent_score",
    "intents",
    "emotion",
    "emotion_family",
    "emotions",
    "topic",
    "topics",
    "urgency",
    "details",
    "cannedness",
    "canned_level",
    "canned_reasons",
    "suggestions",
    "repeats",
    "repeat_customers",
    "cluster",
    "wording_id",
    "emotional_reactions",
    "interpretations",
    "explorations",
    "warnings",
    "warning_messages",
    "complaint",
    "apology_missing",
    "personal_data_in_public",
    "message_time",
    "reply_time",
    "response_seconds",
)
"""Columns of :meth:`AuditReport.to_frame`, in order (one row per audited pair)."""

_EXAMPLES = 3
_BRIEF = (
    "row",
    "id",
    "agent",
    "channel",
    "message",
    "reply",
    "cannedness",
    "canned_reasons",
    "repeats",
    "warning_messages",
)
_WORST = 10
_CLIP = 280


def _clip(text: str | None, limit: int = _CLIP) -> str:
    if not text:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _quantile(values: Sequence[float], q: float) -> float | None:
    """Quantile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 3)


class _Model(BaseModel):
    # defer_build: schemas are built on first use, which keeps `import empathic_reply` fast.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class GroupSummary(_Model):
    """Headline figures for one agent or one channel.

    Attributes:
        pairs: Pairs in the group (including rows that could not be scored).
        scored: Pairs whose reply was scored.
        canned_rate: Share in [0, 1] of scored replies with canned-ness level ``"high"``
            (lower is better); ``None`` when nothing was scored.
        mean_cannedness: Mean canned-ness in [0, 1] (higher = more canned), or ``None``.
        complaints: Scored pairs whose message is a complaint.
        complaints_without_apology: Of those, replies with neither apology nor acknowledgement.
        personal_data_in_public: Public replies that expose personal data.
        median_response_seconds: Median seconds from message to reply, or ``None`` without
            timestamps.
    """

    pairs: int = 0
    scored: int = 0
    canned_rate: float | None = None
    mean_cannedness: float | None = None
    complaints: int = 0
    complaints_without_apology: int = 0
    personal_data_in_public: int = 0
    median_response_seconds: float | None = None


class AuditSummary(_Model):
    """Headline figures of an audit; every value is plain JSON (``model_dump_json()``).

    Rates are shares in [0, 1] rounded to 4 decimals, ``None`` when their denominator is 0.

    Attributes:
        pairs: Pairs read.
        scored: Pairs whose reply was scored.
        invalid: Pairs with a missing or non-text reply (flagged in ``problem``, not scored).
        canned: Scored replies with canned-ness level ``"high"`` (score >= 0.6).
        canned_rate: ``canned / scored``; lower is better.
        canned_levels: Scored replies per level (``"low"``, ``"medium"``, ``"high"``).
        mean_cannedness: Mean canned-ness score in [0, 1]; higher = more canned.
        repeated: Replies whose wording (exact or near copy) was also sent to other customers.
        repeated_rate: ``repeated / scored``.
        clusters: Near-duplicate clusters (wordings sent at least twice).
        largest_cluster: Rows in the largest cluster (0 when there is none).
        complaints: Scored pairs whose message is a complaint (intent score >= 0.5).
        complaints_without_apology: Complaints whose reply neither apologises nor
            acknowledges the problem.
        complaint_no_apology_rate: ``complaints_without_apology / complaints``; lower is better.
        public_replies: Scored replies on a public channel.
        public_personal_data: Public replies that expose personal data.
        public_personal_data_rate: ``public_personal_data / public_replies``; lower is better.
        timed_pairs: Pairs with both timestamps (and a reply not before the message).
        median_response_seconds: Median seconds from message to reply, or ``None``.
        p90_response_seconds: 90th percentile (linear interpolation), or ``None``.
        intents: Scored messages per primary intent (``"other"`` when none fits).
        topics: Scored messages per primary topic (``"none"`` when no topic was found).
        emotions: Scored messages per strongest emotion (``"neutral"`` when none).
        warnings: Replies per review warning code.
        empathy: Mean EPITOME level in [0, 2] per mechanism; higher is more empathic.
        by_agent: Figures per agent (agent column, else the reply's sign-off).
        by_channel: Figures per channel (``"unknown"`` when not given).
    """

    pairs: int = 0
    scored: int = 0
    invalid: int = 0
    canned: int = 0
    canned_rate: float | None = None
    canned_levels: dict[str, int] = Field(default_factory=dict)
    mean_cannedness: float | None = None
    repeated: int = 0
    repeated_rate: float | None = None
    clusters: int = 0
    largest_cluster: int = 0
    complaints: int = 0
    complaints_without_apology: int = 0
    complaint_no_apology_rate: float | None = None
    public_replies: int = 0
    public_personal_data: int = 0
    public_personal_data_rate: float | None = None
    timed_pairs: int = 0
    median_response_seconds: float | None = None
    p90_response_seconds: float | None = None
    intents: dict[str, int] = Field(default_factory=dict)
    topics: dict[str, int] = Field(default_factory=dict)
    emotions: dict[str, int] = Field(default_factory=dict)
    warnings: dict[str, int] = Field(default_factory=dict)
    empathy: dict[str, float] = Field(default_factory=dict)
    by_agent: dict[str, GroupSummary] = Field(default_factory=dict)
    by_channel: dict[str, GroupSummary] = Field(default_factory=dict)


class Cluster(_Model):
    """A group of replies sent with the same or nearly the same wording.

    Attributes:
        id: Cluster id; 0 is the largest cluster.
        size: Replies in the cluster.
        share: ``size`` as a share in [0, 1] of all pairs.
        variants: Distinct wordings after masking (1 = every copy is identical).
        customers: Distinct customers who received it (replies, when no customer ids).
        similarity: Mean estimated Jaccard similarity in [0, 1] of the replies to the
            representative wording (1.0 = all identical; lower = more variation).
        representative: The most frequent wording, as one agent actually sent it.
        examples: Up to three other variants as sent, showing the variation inside.
        agents: Replies per agent (top five).
        mean_cannedness: Mean canned-ness in [0, 1] of the replies in the cluster.
    """

    id: int
    size: int
    share: float
    variants: int
    customers: int
    similarity: float
    representative: str
    examples: list[str] = Field(default_factory=list)
    agents: dict[str, int] = Field(default_factory=dict)
    mean_cannedness: float = 0.0


class _Group:
    __slots__ = (
        "canned",
        "canned_sum",
        "complaints",
        "no_apology",
        "pairs",
        "personal",
        "scored",
        "times",
    )

    def __init__(self) -> None:
        self.pairs = self.scored = self.canned = 0
        self.canned_sum = 0.0
        self.complaints = self.no_apology = self.personal = 0
        self.times: array[float] = array("d")

    def summary(self) -> GroupSummary:
        return GroupSummary(
            pairs=self.pairs,
            scored=self.scored,
            canned_rate=_rate(self.canned, self.scored),
            mean_cannedness=round(self.canned_sum / self.scored, 4) if self.scored else None,
            complaints=self.complaints,
            complaints_without_apology=self.no_apology,
            personal_data_in_public=self.personal,
            median_response_seconds=_quantile(self.times, 0.5),
        )


class _ClusterAcc:
    __slots__ = ("agents", "canned_sum", "examples", "representative", "scored", "seen")

    def __init__(self) -> None:
        self.representative: str | None = None
        self.examples: list[str] = []
        self.seen: set[str] = set()
        self.agents: Counter[str] = Counter()
        self.canned_sum = 0.0
        self.scored = 0


class Aggregator:
    """Fold audited rows, in order, into the summary, clusters and example tables.

    Memory stays bounded: counters, a few examples per table and one float per timed pair.
    """

    def __init__(self, clustering: Clustering) -> None:
        self.clustering = clustering
        self.pairs = self.invalid = self.scored = self.canned = self.repeated = 0
        self.canned_sum = 0.0
        self.levels: Counter[str] = Counter()
        self.complaints = self.no_apology = self.public = self.personal = 0
        self.times: array[float] = array("d")
        self.intents: Counter[str] = Counter()
        self.topics: Counter[str] = Counter()
        self.emotions: Counter[str] = Counter()
        self.warnings: Counter[str] = Counter()
        self.empathy = {"emotional_reactions": 0, "interpretations": 0, "explorations": 0}
        self.agents: dict[str, _Group] = {}
        self.channels: dict[str, _Group] = {}
        self.worst: list[tuple[float, int, dict[str, Any]]] = []
        self.no_apology_examples: list[dict[str, Any]] = []
        self.leak_examples: list[dict[str, Any]] = []
        self.complaint_topics: Counter[str] = Counter()
        self.complaint_examples: dict[str, list[str]] = {}
        self.request_topics: Counter[str] = Counter()
        self.request_examples: dict[str, list[str]] = {}
        self.cluster_acc: dict[int, _ClusterAcc] = {}
        self._top_keys = {f"{k:016x}": cid for cid, k in enumerate(clustering.top_keys)}

    def add(self, row: Mapping[str, Any]) -> None:
        """Fold one audited row (a dict with the :data:`COLUMNS`)."""
        self.pairs += 1
        groups = [
            self.agents.setdefault(row["agent"] or "unknown", _Group()),
            self.channels.setdefault(row["channel"] or "unknown", _Group()),
        ]
        for g in groups:
            g.pairs += 1
        seconds = row["response_seconds"]
        if seconds is not None and not (isinstance(seconds, float) and math.isnan(seconds)):
            self.times.append(float(seconds))
            for g in groups:
                g.times.append(float(seconds))
        score = row["cannedness"]
        if score is None or (isinstance(score, float) and math.isnan(score)):
            self.invalid += 1
            return
        self.scored += 1
        score = float(score)
        self.canned_sum += score
        level = row["canned_level"]
        self.levels[level] += 1
        high = level == "high"
        self.canned += high
        self.repeated += bool(row["repeats"])
        complaint, no_apology = bool(row["complaint"]), bool(row["apology_missing"])
        personal = bool(row["personal_data_in_public"])
        self.complaints += complaint
        self.no_apology += no_apology
        self.public += row["channel"] == "public"
        self.personal += personal
        for g in groups:
            g.scored += 1
            g.canned += high
            g.canned_sum += score
            g.complaints += complaint
            g.no_apology += no_apology
            g.personal += personal
        if row["problem"] is None or row["intent"] is not None:
            self.intents[row["intent"] or "other"] += 1
            self.topics[row["topic"] or "none"] += 1
            self.emotions[row["emotion"] or "neutral"] += 1
        for code in filter(None, (row["warnings"] or "").split("; ")):
            self.warnings[code] += 1
        for name in self.empathy:
            self.empathy[name] += int(row[name])
        self._add_examples(row, score, no_apology=no_apology, personal=personal)
        self._add_voice(row, complaint=complaint)
        self._add_cluster(row, score)

    def _add_examples(
        self, row: Mapping[str, Any], score: float, *, no_apology: bool, personal: bool
    ) -> None:
        brief = {k: row[k] for k in _BRIEF}
        entry = (score, -int(row["row"]), brief)
        if len(self.worst) < _WORST:
            heapq.heappush(self.worst, entry)
        elif entry[:2] > self.worst[0][:2]:
            heapq.heapreplace(self.worst, entry)
        if no_apology and len(self.no_apology_examples) < _WORST:
            self.no_apology_examples.append(brief)
        if personal and len(self.leak_examples) < _WORST:
            self.leak_examples.append(brief)

    def _add_voice(self, row: Mapping[str, Any], *, complaint: bool) -> None:
        topic = row["topic"] or "none"
        message = _clip(row["message"])
        tables = []
        if complaint:
            tables.append((self.complaint_topics, self.complaint_examples))
        if row["intent"] in ("request", "question"):
            tables.append((self.request_topics, self.request_examples))
        for counts, examples in tables:
            counts[topic] += 1
            ex = examples.setdefault(topic, [])
            if len(ex) < _EXAMPLES:
                ex.append(message)

    def _add_cluster(self, row: Mapping[str, Any], score: float) -> None:
        cid = row["cluster"]
        if cid is None or (isinstance(cid, float) and math.isnan(cid)):
            return
        acc = self.cluster_acc.setdefault(int(cid), _ClusterAcc())
        acc.agents[row["agent"] or "unknown"] += 1
        acc.canned_sum += score
        acc.scored += 1
        wording = row["wording_id"]
        if self._top_keys.get(wording) == int(cid):
            if acc.representative is None:
                acc.representative = _clip(row["reply"], 500)
                acc.seen.add(wording)
        elif wording not in acc.seen and len(acc.examples) < _EXAMPLES:
            acc.seen.add(wording)
            acc.examples.append(_clip(row["reply"], 500))

    def summary(self) -> AuditSummary:
        """The headline figures."""
        sizes = self.clustering.sizes
        return AuditSummary(
            pairs=self.pairs,
            scored=self.scored,
            invalid=self.invalid,
            canned=self.canned,
            canned_rate=_rate(self.canned, self.scored),
            canned_levels={lvl: self.levels[lvl] for lvl in ("low", "medium", "high")},
            mean_cannedness=round(self.canned_sum / self.scored, 4) if self.scored else None,
            repeated=self.repeated,
            repeated_rate=_rate(self.repeated, self.scored),
            clusters=len(sizes),
            largest_cluster=max(sizes, default=0),
            complaints=self.complaints,
            complaints_without_apology=self.no_apology,
            complaint_no_apology_rate=_rate(self.no_apology, self.complaints),
            public_replies=self.public,
            public_personal_data=self.personal,
            public_personal_data_rate=_rate(self.personal, self.public),
            timed_pairs=len(self.times),
            median_response_seconds=_quantile(self.times, 0.5),
            p90_response_seconds=_quantile(self.times, 0.9),
            intents=dict(self.intents.most_common()),
            topics=dict(self.topics.most_common()),
            emotions=dict(self.emotions.most_common()),
            warnings=dict(self.warnings.most_common()),
            empathy={
                k: round(v / self.scored, 4) if self.scored else 0.0
                for k, v in self.empathy.items()
            },
            by_agent={k: g.summary() for k, g in sorted(self.agents.items())},
            by_channel={k: g.summary() for k, g in sorted(self.channels.items())},
        )

    def clusters(self) -> list[Cluster]:
        """Near-duplicate clusters, largest first."""
        c = self.clustering
        result = []
        for cid, size in enumerate(c.sizes):
            acc = self.cluster_acc.get(cid, _ClusterAcc())
            representative = acc.representative or (acc.examples[0] if acc.examples else "")
            result.append(
                Cluster(
                    id=cid,
                    size=size,
                    share=round(size / self.pairs, 4) if self.pairs else 0.0,
                    variants=c.variants[cid],
                    customers=c.customers[cid],
                    similarity=c.similarity[cid],
                    representative=representative,
                    examples=[e for e in acc.examples if e != representative],
                    agents=dict(acc.agents.most_common(5)),
                    mean_cannedness=round(acc.canned_sum / acc.scored, 4) if acc.scored else 0.0,
                )
            )
        return result


def _need_pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError("pandas", "audit") from exc
    return pd


def _topic_table(
    counts: Counter[str], examples: dict[str, list[str]], label: str, n: int
) -> pd.DataFrame:
    pd = _need_pandas()
    total = sum(counts.values())
    rows = [
        {
            "topic": topic,
            label: count,
            "share": round(count / total, 4),
            "examples": list(examples.get(topic, [])),
        }
        for topic, count in counts.most_common(n)
    ]
    return pd.DataFrame(rows, columns=["topic", label, "share", "examples"])  # type: ignore[no-any-return]


class AuditReport:
    """The result of :func:`empathic_reply.audit`: rows, summary, clusters and exports.

    Rows are kept in memory, or, when the audit streamed them to ``output``, read back from
    that file on demand. Everything else (summary, clusters, examples) is small.
    """

    def __init__(
        self, *, rows: list[dict[str, Any]] | None, output: Path | None, aggregator: Aggregator
    ) -> None:
        self._rows = rows
        self.output = output
        self._summary = aggregator.summary()
        self.clusters: list[Cluster] = aggregator.clusters()
        """Near-duplicate reply clusters (wordings sent at least twice), largest first."""
        self._agg = aggregator

    def __len__(self) -> int:
        return self._summary.pairs

    def __repr__(self) -> str:
        s = self._summary
        return f"<AuditReport pairs={s.pairs} canned_rate={s.canned_rate} clusters={s.clusters}>"

    def rows(self) -> Iterator[dict[str, Any]]:
        """Iterate over the audited rows (plain dicts with the :data:`COLUMNS`), in input order."""
        if self._rows is not None:
            yield from self._rows
            return
        assert self.output is not None
        if self.output.suffix.lower() == ".csv":
            pd = _need_pandas()
            for chunk in pd.read_csv(
                self.output, chunksize=10_000, keep_default_na=False, na_values=[""]
            ):
                for rec in chunk.to_dict("records"):
                    yield {
                        k: (None if isinstance(v, float) and math.isnan(v) else v)
                        for k, v in rec.items()
                    }
            return
        with self.output.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)

    def to_frame(self) -> pd.DataFrame:
        """One row per audited pair with every analysis and review score (see :data:`COLUMNS`).

        Scores: ``sentiment_score`` in [-1, 1] (higher = more positive); ``intent_score``,
        ``urgency`` and ``cannedness`` in [0, 1] (higher = more certain / urgent / canned);
        empathy levels 0/1/2 (higher = more empathic); ``repeats`` counts near-copies sent to
        other customers. Lists (intents, topics, reasons, warnings) are ``"; "``-joined text.
        """
        pd = _need_pandas()
        frame = pd.DataFrame.from_records(list(self.rows()), columns=list(COLUMNS))
        for name in (
            "cluster",
            "repeats",
            "repeat_customers",
            "emotional_reactions",
            "interpretations",
            "explorations",
        ):
            frame[name] = frame[name].astype("Int64")
        for name in ("complaint", "apology_missing", "personal_data_in_public"):
            frame[name] = frame[name].astype("boolean")
        return frame  # type: ignore[no-any-return]

    def summary(self) -> AuditSummary:
        """Headline figures (a frozen model; ``.model_dump()`` gives plain JSON values)."""
        return self._summary

    def top_complaints(self, n: int = 10) -> pd.DataFrame:
        """Voice of the customer: complaint counts per topic, most frequent first.

        Columns: ``topic``, ``complaints``, ``share`` (of all complaints, in [0, 1]) and up to
        three example ``messages``.
        """
        return _topic_table(
            self._agg.complaint_topics, self._agg.complaint_examples, "complaints", n
        )

    def top_requests(self, n: int = 10) -> pd.DataFrame:
        """Voice of the customer: requests and questions per topic, most frequent first."""
        return _topic_table(self._agg.request_topics, self._agg.request_examples, "requests", n)

    def worst_canned(self) -> list[dict[str, Any]]:
        """The ten most canned replies, most canned first (row, texts, score, reasons)."""
        return [entry[2] for entry in sorted(self._agg.worst, key=lambda e: (-e[0], -e[1]))]

    def complaints_without_apology(self) -> list[dict[str, Any]]:
        """The first ten complaints whose reply neither apologised nor acknowledged."""
        return list(self._agg.no_apology_examples)

    def personal_data_leaks(self) -> list[dict[str, Any]]:
        """The first ten public replies that exposed personal data."""
        return list(self._agg.leak_examples)

    def clusters_frame(self) -> pd.DataFrame:
        """The clusters as a DataFrame, largest first."""
        frame: pd.DataFrame = _need_pandas().DataFrame(
            [c.model_dump() for c in self.clusters], columns=list(Cluster.model_fields)
        )
        return frame

    def to_csv(self, path: str | Path) -> Path:
        """Write :meth:`to_frame` to a CSV file; returns the path."""
        path = Path(path)
        self.to_frame().to_csv(path, index=False)
        return path

    def to_parquet(self, path: str | Path) -> Path:
        """Write :meth:`to_frame` to a Parquet file (needs ``pyarrow``); returns the path.

        Raises:
            MissingExtraError: ``pyarrow`` is not installed.
        """
        try:
            importlib.import_module("pyarrow")
        except ImportError as exc:
            raise MissingExtraError("pyarrow", "dask") from exc
        path = Path(path)
        self.to_frame().to_parquet(path, index=False)
        return path

    def to_html(self, path: str | Path | None = None) -> str:
        """A standalone HTML report: charts as embedded PNG, every customer text escaped.

        The page loads nothing from the network. Returns the HTML; also writes it when
        ``path`` is given.
        """
        page = (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<title>Reply audit</title><style>"
            + _CSS
            + "</style></head><body>"
            + self._body(charts=True)
            + "</body></html>\n"
        )
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def _repr_html_(self) -> str:
        return (
            "<div class='er-audit'><style>"
            + _CSS
            + "</style>"
            + self._body(charts=True, limit=5)
            + "</div>"
        )

    def _body(self, *, charts: bool, limit: int = _WORST) -> str:
        s = self._summary
        e = html.escape
        parts = ["<h1>Reply audit</h1>"]
        facts = [
            ("Pairs audited", f"{s.pairs:,}" + (f" ({s.invalid} not scored)" if s.invalid else "")),
            ("Canned replies (high)", _pct(s.canned_rate)),
            ("Mean canned-ness (0-1, higher = more canned)", _num(s.mean_cannedness)),
            ("Replies re-sent to other customers", _pct(s.repeated_rate)),
            ("Near-duplicate clusters", f"{s.clusters} (largest: {s.largest_cluster})"),
            (
                "Complaints without apology or acknowledgement",
                f"{s.complaints_without_apology} of {s.complaints} "
                f"({_pct(s.complaint_no_apology_rate)})",
            ),
            (
                "Public replies exposing personal data",
                f"{s.public_personal_data} of {s.public_replies} "
                f"({_pct(s.public_personal_data_rate)})",
            ),
            (
                "Median / p90 response time",
                f"{_dur(s.median_response_seconds)} / {_dur(s.p90_response_seconds)}",
            ),
        ]
        parts.append(
            "<table class='facts'>"
            + "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts)
            + "</table>"
        )
        if charts and s.scored:
            parts.append(
                "<div class='charts'>"
                + "".join(
                    f"<img alt='{e(alt)}' src='data:image/png;base64,{png}'>"
                    for alt, png in self._charts()
                )
                + "</div>"
            )
        parts.append("<h2>Most canned replies</h2>")
        parts.append(
            _table(
                self.worst_canned()[:limit],
                [
                    ("row", "Row"),
                    ("agent", "Agent"),
                    ("message", "Message"),
                    ("reply", "Reply"),
                    ("cannedness", "Canned-ness"),
                    ("canned_reasons", "Why"),
                ],
            )
        )
        parts.append("<h2>Wording sent again and again</h2>")
        parts.append(
            _table(
                [c.model_dump() for c in self.clusters[:limit]],
                [
                    ("id", "Cluster"),
                    ("size", "Replies"),
                    ("variants", "Variants"),
                    ("customers", "Customers"),
                    ("similarity", "Similarity"),
                    ("representative", "Representative"),
                    ("examples", "Variation"),
                ],
            )
        )
        parts.append("<h2>Complaints without apology or acknowledgement</h2>")
        parts.append(
            _table(
                self.complaints_without_apology()[:limit],
                [("row", "Row"), ("message", "Message"), ("reply", "Reply")],
            )
        )
        parts.append("<h2>Public replies exposing personal data</h2>")
        parts.append(
            _table(
                self.personal_data_leaks()[:limit],
                [("row", "Row"), ("reply", "Reply"), ("warning_messages", "Warning")],
            )
        )
        parts.append("<h2>Voice of the customer: complaints by topic</h2>")
        parts.append(
            _table(
                _records(self.top_complaints(limit)),
                [
                    ("topic", "Topic"),
                    ("complaints", "Complaints"),
                    ("share", "Share"),
                    ("examples", "Examples"),
                ],
            )
        )
        parts.append("<h2>Voice of the customer: requests and questions by topic</h2>")
        parts.append(
            _table(
                _records(self.top_requests(limit)),
                [
                    ("topic", "Topic"),
                    ("requests", "Requests"),
                    ("share", "Share"),
                    ("examples", "Examples"),
                ],
            )
        )
        if s.by_agent:
            parts.append("<h2>By agent</h2>")
            parts.append(
                _table(
                    [{"agent": k, **v.model_dump()} for k, v in s.by_agent.items()],
                    [
                        ("agent", "Agent"),
                        ("pairs", "Pairs"),
                        ("canned_rate", "Canned rate"),
                        ("mean_cannedness", "Mean canned-ness"),
                        ("complaints_without_apology", "Complaints w/o apology"),
                        ("personal_data_in_public", "Personal data in public"),
                        ("median_response_seconds", "Median response (s)"),
                    ],
                )
            )
        return "\n".join(parts)

    def _charts(self) -> list[tuple[str, str]]:
        try:
            from matplotlib.figure import Figure
        except ImportError as exc:
            raise MissingExtraError("matplotlib", "audit") from exc
        s = self._summary
        charts = []
        fig = Figure(figsize=(4.2, 2.8), dpi=90)
        ax = fig.subplots()
        levels = ["low", "medium", "high"]
        ax.bar(
            levels,
            [s.canned_levels.get(x, 0) for x in levels],
            color=["#4c9f70", "#e0a33b", "#c8553d"],
        )
        ax.set_title("Canned-ness level of replies")
        ax.set_ylabel("replies")
        charts.append(("Canned-ness levels", _png(fig)))
        for title, counts in (("Intents of messages", s.intents), ("Topics", s.topics)):
            if counts:
                fig = Figure(figsize=(4.2, 2.8), dpi=90)
                ax = fig.subplots()
                items = list(counts.items())[:8][::-1]
                ax.barh([k for k, _ in items], [v for _, v in items], color="#5b7db1")
                ax.set_title(title)
                fig.tight_layout()
                charts.append((title, _png(fig)))
        agents = [(k, v.canned_rate or 0.0) for k, v in s.by_agent.items() if v.scored][:12]
        if len(agents) > 1:
            fig = Figure(figsize=(4.2, 2.8), dpi=90)
            ax = fig.subplots()
            ax.barh([k for k, _ in agents][::-1], [v for _, v in agents][::-1], color="#c8553d")
            ax.set_xlim(0, 1)
            ax.set_title("Canned rate per agent")
            fig.tight_layout()
            charts.append(("Canned rate per agent", _png(fig)))
        if len(self._agg.times) > 1:
            fig = Figure(figsize=(4.2, 2.8), dpi=90)
            ax = fig.subplots()
            ax.hist([t / 60 for t in self._agg.times], bins=20, color="#5b7db1")
            ax.set_title("Response time (minutes)")
            charts.append(("Response time", _png(fig)))
        return charts


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in rec.items()} for rec in frame.to_dict("records")]


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1%}"


def _num(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}"


def _dur(v: float | None) -> str:
    if v is None:
        return "n/a"
    if v < 120:
        return f"{v:.0f} s"
    if v < 7200:
        return f"{v / 60:.0f} min"
    return f"{v / 3600:.1f} h"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.2f}"
    if isinstance(value, list):
        return "<br>".join(html.escape(str(v)) for v in value)
    return html.escape(str(value))


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    if not rows:
        return "<p class='none'>None found.</p>"
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(r.get(key))}</td>" for key, _ in columns) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    ".er-audit table,body table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}"
    "th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}.charts img{margin:4px;border:1px solid #eee}"
    ".none{color:#666}"
)
