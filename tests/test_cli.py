"""The command line: human and JSON output, JSON Lines batches, exit codes, --help."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from empathic_reply.cli import main

MESSAGE = "My order #84412 was supposed to arrive Monday and it still hasn't come"


def test_draft_prints_a_human_readable_draft(capsys):
    assert main(["draft", MESSAGE, "--name", "Sam"]) == 0
    out = capsys.readouterr().out
    first_line = out.splitlines()[0]
    assert "Sam" in first_line
    assert "84412" not in first_line  # public by default: no order number echoed
    assert "Analysis of the message:" in out
    assert "canned-ness" in out


def test_draft_json_is_a_draft(capsys):
    from empathic_reply.models import Draft

    assert main(["draft", MESSAGE, "--json", "--channel", "private"]) == 0
    draft = Draft.model_validate_json(capsys.readouterr().out)
    assert draft.channel == "private"
    assert draft.analysis.intent == "complaint"


def test_review_json(capsys):
    from empathic_reply.models import Review

    assert (
        main(["review", "We apologize for any inconvenience.", "--message", MESSAGE, "--json"]) == 0
    )
    review = Review.model_validate_json(capsys.readouterr().out)
    assert review.cannedness.level in {"medium", "high"}


def test_analyze_human_readable(capsys):
    assert main(["analyze", "Still waiting on my refund, 3 weeks now"]) == 0
    out = capsys.readouterr().out
    assert "negative" in out
    assert "duration='3 weeks'" in out


def test_text_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("thank you so much!"))
    assert main(["analyze", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intent"] == "thanks"


def test_batch_reads_and_writes_json_lines_in_order(monkeypatch, capsys):
    lines = [
        {"id": "a", "message": MESSAGE, "name": "Sam"},
        {"id": "b", "message": "thanks, all sorted now!", "channel": "private"},
        {"id": "c", "message": "Where is my parcel?"},
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(json.dumps(x) for x in lines)))
    assert main(["batch", "draft"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    assert all(o["text"] for o in out)
    assert out[1]["channel"] == "private"


def test_batch_reports_bad_lines_and_continues(monkeypatch, capsys):
    stdin = "\n".join(
        [
            "not json",
            json.dumps({"id": 7, "message": None}),
            json.dumps({"message": "ok then", "channel": "carrier-pigeon"}),
            json.dumps(["a list"]),
            json.dumps({"reply": "Sorry about the wait on your order!", "message": MESSAGE}),
        ]
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(["batch", "review"]) == 1
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 5
    assert out[0]["line"] == 1
    assert "JSONDecodeError" in out[0]["error"]
    assert out[1]["id"] == 7
    assert "must be a str" in out[1]["error"]
    assert "channel must be one of" in out[2]["error"]
    assert "JSON object" in out[3]["error"]
    assert "cannedness" in out[4]


@pytest.mark.parametrize("argv", [[], ["draft"], ["draft", "x", "--channel", "fax"], ["nope"]])
def test_bad_usage_exits_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["draft"], ["review"], ["analyze"], ["batch"]])
def test_help_everywhere(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    assert "usage: empathic-reply" in capsys.readouterr().out


def test_entry_point_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "empathic_reply", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("empathic-reply ")
