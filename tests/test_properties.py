"""End-to-end properties over the public API: any str in, a valid result out, nothing leaks.

Run at scale as a fuzzing session with ``HYPOTHESIS_PROFILE=fuzz pytest tests/test_properties.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import empathic_reply as er
from empathic_reply.details import find_personal_data
from tests.strategies import hostile_text

CHANNELS = st.sampled_from(["public", "private"])
NAMES = st.one_of(st.none(), st.text(max_size=40), st.sampled_from(["Sam", "{{ 7*7 }}", "ÉLodie"]))


def _spans_ok(text: str, items) -> None:
    for item in items:
        assert text[item.start : item.end] == item.text


@given(hostile_text)
def test_analyze_any_text(text):
    a = er.analyze(text)
    assert -1.0 <= a.sentiment.score <= 1.0
    assert a.intent in {i.label for i in a.intents} | {"other"}
    _spans_ok(a.text, a.details)
    for label in (*a.intents, *a.emotions, *a.topics):
        assert 0.0 <= label.score <= 1.0
        _spans_ok(a.text, label.evidence)


@given(hostile_text, NAMES, CHANNELS)
def test_draft_any_text(message, name, channel):
    d = er.draft(message, customer_name=name, channel=channel)
    assert d.text.strip()
    assert "{{" not in d.text
    assert "{%" not in d.text
    assert "None" not in d.text.split()
    if channel == "public":
        leaked = {p.text for p in find_personal_data(message)} & {
            p.text for p in find_personal_data(d.text)
        }
        assert not leaked, leaked


@given(
    hostile_text, st.one_of(st.none(), hostile_text), st.sampled_from([None, "public", "private"])
)
def test_review_any_text(reply, message, channel):
    r = er.review(reply, message=message, channel=channel)
    assert 0.0 <= r.cannedness.score <= 1.0
    assert r.cannedness.level in {"low", "medium", "high"}
    for reason in r.cannedness.reasons:
        if reason.start is not None and reason.end is not None:
            assert reply[reason.start : reason.end] == reason.text


@pytest.mark.parametrize(
    "payload",
    [
        "{{ 7*7 }}",
        "{% for i in range(3) %}x{% endfor %}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "<script>alert(1)</script>",
    ],
)
def test_customer_text_is_never_evaluated(payload):
    d = er.draft(f"my order is late {payload}", customer_name=payload, channel="private")
    assert "49" not in d.text or "7*7" in d.text  # never evaluated to 49
    assert "uid=" not in d.text
    assert "<class" not in d.text


def test_non_str_input_is_a_type_error_naming_the_argument():
    for call, name in [
        (er.analyze, "text"),
        (er.draft, "message"),
        (er.review, "reply"),
        (er.score_cannedness, "reply"),
    ]:
        for value in (None, b"bytes", 42, 1.5, ["list"]):
            with pytest.raises(TypeError, match=name):
                call(value)


def test_analyze_many_names_the_bad_item():
    with pytest.raises(TypeError, match="1"):
        er.analyze_many(["fine", None, "also fine"])  # type: ignore[list-item]


def test_very_long_text_is_truncated_with_a_warning():
    text = "My parcel never arrived and I am still waiting. " * 2_000
    a = er.analyze(text)
    assert a.truncated
    assert len(a.text) <= er.MAX_CHARS
    assert any(w.code == "truncated" for w in a.warnings)
    assert er.draft(text).text


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_gives_a_neutral_result(text):
    a = er.analyze(text)
    assert a.sentiment.label == "neutral"
    assert a.intent == "other"
    assert a.emotions == []
