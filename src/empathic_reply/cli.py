"""The ``empathic-reply`` command line: draft, review, analyse; one message or JSON Lines.

This is the only module that prints. Exit codes: 0 success, 1 some batch lines failed,
2 bad usage or input (argparse's convention).

Batch mode reads JSON Lines on stdin and writes one JSON object per input line on stdout, in
order, so a bot in any language can pipe into it::

    echo '{"message": "My order never arrived", "name": "Sam"}' | empathic-reply batch draft

Each input line is an object with ``message`` (draft/analyze) or ``reply`` (+ optional
``message``) for review; optional ``name``, ``channel``, ``id``. A line that cannot be handled
yields ``{"line": N, "id": ..., "error": "..."}`` and the exit code becomes 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from empathic_reply._version import __version__

if TYPE_CHECKING:
    from empathic_reply.engine import Engine
    from empathic_reply.models import Analysis, Draft, Review

__all__ = ["main"]

_CHANNELS = ("public", "private")


def _read_arg(value: str) -> str:
    """``-`` means: read the text from standard input."""
    return sys.stdin.read() if value == "-" else value


def _format_analysis(analysis: Analysis) -> list[str]:
    s = analysis.sentiment
    lines = [
        f"  intent     {analysis.intent}"
        + "".join(f", {i.label} {i.score:.2f}" for i in analysis.intents[:4]),
        f"  sentiment  {s.label} ({s.score:+.2f}, VADER alone {s.raw_score:+.2f})",
        "  emotions   "
        + (", ".join(f"{e.label} {e.score:.2f}" for e in analysis.emotions[:4]) or "none"),
        "  topics     " + (", ".join(t.label for t in analysis.topics[:4]) or "none"),
    ]
    if analysis.details:
        details = ", ".join(f"{d.kind}={d.text!r}" for d in analysis.details[:6])
        lines.append(f"  details    {details}")
    lines.append(f"  language   {analysis.language}   urgency {analysis.urgency:.2f}")
    return lines


def _format_review(review: Review) -> list[str]:
    c = review.cannedness
    e = review.empathy
    lines = [
        f"  canned-ness  {c.level} ({c.score:.2f})",
        f"  empathy      emotional reactions {e.emotional_reactions}, "
        f"interpretations {e.interpretations}, explorations {e.explorations}",
    ]
    lines.extend(f"  - {reason.message}" for reason in c.reasons[:5])
    lines.extend(f"  suggestion: {s}" for s in c.suggestions[:3])
    lines.extend(f"  warning: {w}" for w in review.warnings)
    return lines


def _format_draft(draft: Draft) -> str:
    lines = [draft.text, "", f"[{draft.template_id}, {draft.channel}, fit {draft.fit:.2f}]"]
    if draft.needs_human:
        lines.append("NEEDS A PERSON:")
    lines.extend(f"  warning: {w}" for w in draft.warnings)
    lines.append("Analysis of the message:")
    lines.extend(_format_analysis(draft.analysis))
    lines.append("Review of the draft:")
    lines.extend(_format_review(draft.review))
    if draft.alternatives:
        lines.append("Alternatives:")
        lines.extend(f"  ({alt.template_id}) {alt.text}" for alt in draft.alternatives)
    return "\n".join(lines)


def _channel(value: Any) -> Any:
    if value is None or value in _CHANNELS:
        return value
    raise ValueError(f"channel must be one of {', '.join(_CHANNELS)}, not {value!r}")


def _batch_item(engine: Engine, command: str, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise TypeError("each line must be a JSON object")
    # Values are unvalidated JSON; the engine raises TypeError naming a field of the wrong type.
    message: Any = item.get("message")
    if command == "review":
        reply: Any = item.get("reply")
        result: Any = engine.review(reply, message=message, channel=_channel(item.get("channel")))
    elif command == "analyze":
        result = engine.analyze(message)
    else:
        result = engine.draft(
            message,
            customer_name=item.get("name"),
            channel=_channel(item.get("channel")) or "public",
            thread_id=item.get("thread_id"),
            customer_id=item.get("customer_id"),
        )
    dumped: dict[str, Any] = result.model_dump(mode="json")
    if "id" in item:
        dumped = {"id": item["id"], **dumped}
    return dumped


def _run_batch(engine: Engine, command: str, stdin: TextIO, stdout: TextIO) -> int:
    from pydantic import ValidationError

    from empathic_reply.errors import EmpathicReplyError

    failed = 0
    for number, line in enumerate(stdin, start=1):
        if not line.strip():
            continue
        item: Any = None
        try:
            item = json.loads(line)
            out = _batch_item(engine, command, item)
        except (json.JSONDecodeError, TypeError, ValueError, ValidationError) as exc:
            failed += 1
            ident = item.get("id") if isinstance(item, dict) else None
            out = {"line": number, "id": ident, "error": f"{type(exc).__name__}: {exc}"}
        except EmpathicReplyError as exc:
            failed += 1
            out = {"line": number, "error": f"{type(exc).__name__}: {exc}"}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="empathic-reply",
        description="Draft, review and analyse customer-support replies that read like a person.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    draft = commands.add_parser("draft", help="draft a reply to a customer message")
    draft.add_argument("text", metavar="TEXT", help="the customer's message ('-' reads stdin)")
    draft.add_argument("--name", help="the customer's name")
    draft.add_argument("--channel", choices=_CHANNELS, default="public", help="default: public")
    draft.add_argument("--json", action="store_true", help="print the full result as JSON")

    review = commands.add_parser("review", help="score a reply for canned-ness and empathy")
    review.add_argument("reply", metavar="REPLY", help="the reply to review ('-' reads stdin)")
    review.add_argument("--message", help="the customer message the reply answers")
    review.add_argument("--channel", choices=_CHANNELS, help="where the reply is posted")
    review.add_argument("--json", action="store_true", help="print the full result as JSON")

    analyze = commands.add_parser("analyze", help="analyse a customer message")
    analyze.add_argument("text", metavar="TEXT", help="the customer's message ('-' reads stdin)")
    analyze.add_argument("--json", action="store_true", help="print the full result as JSON")

    batch = commands.add_parser(
        "batch",
        help="JSON Lines in (stdin), JSON Lines out (stdout)",
        description="Read one JSON object per line on stdin and write one result per line on "
        'stdout, in order. draft/analyze lines: {"message": ..., "name": ..., "channel": ...}; '
        'review lines: {"reply": ..., "message": ..., "channel": ...}. An "id" is echoed back. '
        "Failed lines give an error object and exit code 1.",
    )
    batch.add_argument("mode", choices=("draft", "review", "analyze"), help="what to do per line")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    from empathic_reply.engine import default_engine

    engine = default_engine()
    if args.command == "batch":
        return _run_batch(engine, args.mode, sys.stdin, sys.stdout)
    if args.command == "draft":
        draft = engine.draft(_read_arg(args.text), customer_name=args.name, channel=args.channel)
        print(draft.model_dump_json(indent=2) if args.json else _format_draft(draft))
    elif args.command == "review":
        message = _read_arg(args.message) if args.message else None
        result = engine.review(_read_arg(args.reply), message=message, channel=args.channel)
        print(result.model_dump_json(indent=2) if args.json else "\n".join(_format_review(result)))
    else:
        analysis = engine.analyze(_read_arg(args.text))
        print(
            analysis.model_dump_json(indent=2)
            if args.json
            else "\n".join(_format_analysis(analysis))
        )
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through the entry point
    sys.exit(main())
