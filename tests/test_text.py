from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from empathic_reply._text import MAX_CHARS, check_text, clip


@pytest.mark.parametrize("value", [None, 3, 2.5, ["a"], {"a": 1}])
def test_check_text_names_the_argument(value):
    with pytest.raises(TypeError, match=r"^reply must be a str, not "):
        check_text(value, "reply")


def test_bytes_get_a_decoding_hint():
    with pytest.raises(TypeError, match="decode bytes first"):
        check_text(b"hello", "message")


def test_check_text_returns_str_unchanged():
    assert check_text("  hi ", "text") == "  hi "


def test_clip_keeps_short_text():
    assert clip("hello") == ("hello", False)


def test_clip_cuts_long_text_at_a_space():
    text = "word " * (MAX_CHARS // 4)
    cut, truncated = clip(text)
    assert truncated
    assert len(cut) <= MAX_CHARS
    assert cut.endswith("word")


def test_clip_cuts_text_without_spaces_at_the_limit():
    cut, truncated = clip("x" * (MAX_CHARS + 10))
    assert truncated
    assert len(cut) == MAX_CHARS


@given(st.text(max_size=MAX_CHARS + 500))
def test_clip_is_a_prefix_within_the_limit(text):
    cut, truncated = clip(text)
    assert text.startswith(cut)
    assert len(cut) <= MAX_CHARS
    assert truncated == (len(text) > MAX_CHARS)
