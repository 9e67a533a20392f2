"""First-character look-ahead: same matches as the original pattern, on every shipped rule."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from empathic_reply._regex import accelerate, first_characters, prefixes
from tests.strategies import hostile_text


@cache
def _shipped_patterns() -> tuple[str, ...]:
    """Every pattern of every shipped rule file, lowered-text form (as the rule sets run them)."""
    found: list[str] = []
    root = resources.files("empathic_reply") / "data"
    for folder in ("analysis", "review"):
        for entry in (root / folder).iterdir():
            if not entry.name.endswith(".yaml"):
                continue
            document = yaml.safe_load(entry.read_text(encoding="utf-8"))
            rules = document.get("rules") if isinstance(document, dict) else None
            for rule in rules or []:
                if isinstance(rule, dict):
                    found.extend(str(p) for p in rule.get("patterns", []))
    return tuple(found)


@cache
def _compiled_pairs() -> tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]:
    """(source, original, accelerated) for every shipped pattern, compiled once."""
    return tuple((p, re.compile(p), re.compile(accelerate(p))) for p in _shipped_patterns())


def _spans(
    pattern: re.Pattern[str], text: str
) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


SAMPLES = [
    "hi sam, could you send us a dm with the order details so we can look into it?",
    "we apologize for any inconvenience. please be advised that as per our policy...",
    "still waiting on my refund, 3 weeks now!! 🙄 #fail @brand",
    "i've been on hold for 2 hours. two. hours. unacceptable",
    "sorry to hear that! ❤️ we're here to help :) thanks for reaching out",
    "",
    "!",
    "dm",
]


def test_shipped_patterns_exist():
    assert len(_shipped_patterns()) > 200


def test_most_shipped_patterns_are_accelerated():
    patterns = _shipped_patterns()
    changed = sum(accelerate(p) != p for p in patterns)
    assert changed > len(patterns) // 3


@pytest.mark.parametrize("text", SAMPLES)
def test_same_matches_on_samples(text):
    for source, original, fast in _compiled_pairs():
        assert _spans(fast, text) == _spans(original, text), source


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(hostile_text, hostile_text.map(str.lower), st.sampled_from(SAMPLES)))
def test_same_matches_on_any_text(text):
    for source, original, fast in _compiled_pairs():
        assert _spans(fast, text) == _spans(original, text), source


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(please )?(send|drop) us", frozenset("psd")),
        (r"(?:a|bc)+x", frozenset("ab")),
        (r"[a-c]x", frozenset("abc")),
        (r"x?y", frozenset("xy")),
        (r"(?<!\w)so\b", frozenset("s")),
    ],
)
def test_first_characters(pattern, expected):
    assert first_characters(pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"a?",  # can match the empty string
        r".x",  # any character
        r"\w+",  # a category
        r"[^a]b",  # a negated set
        r"(?i)abc",  # case-insensitive
        r"(?i:abc)",  # case-insensitive group
    ],
)
def test_unknown_first_characters(pattern):
    assert first_characters(pattern) is None
    assert accelerate(pattern) == pattern


def test_ignorecase_flag_is_left_alone():
    assert first_characters("abc", re.IGNORECASE) is None
    assert accelerate(r"\babc", re.IGNORECASE) == r"\babc"


def test_literal_prefix_is_left_alone():
    # The engine already scans for a literal prefix by itself, even inside a plain group.
    assert accelerate("#sale") == "#sale"
    assert accelerate("(?:#sale)") == "(?:#sale)"


def test_leading_word_boundary_gets_a_lookahead():
    assert accelerate(r"\bso we can") == r"(?=[s])(?=so)(?:\bso we can)"
    assert accelerate(r"\b(a|b-c)") == r"(?=[ab])(?=b\-|a)(?:\b(a|b-c))"
    assert accelerate(r"\b(a|b)") == r"(?=[ab])(?:\b(a|b))"  # one character: no pair test


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(please )?(send|shoot|drop|give) (us|me) a", {"dr", "gi", "pl", "se", "sh"}),
        (r"a?b", {"ab", "b"}),
        (r"a|bc", {"a", "bc"}),
        (r"x\w", {"x"}),  # what follows is unknown: the shorter prefix still holds
        (r"(ab)*c", {"ab", "c"}),
        (r"(a|b)+c", {"a", "b"}),  # more repetitions may follow the first
        (r"[ab]?[cd]", {"ac", "ad", "bc", "bd", "c", "d"}),
    ],
)
def test_prefixes(pattern, expected):
    assert prefixes(pattern) == expected


def test_prefixes_unknown():
    assert prefixes(r"a?") is None  # can match the empty string
    assert prefixes(r"\w+") is None
    # Too many pairs: the prefixes stop at one character.
    assert prefixes("[a-z][a-z][a-z]") == set("abcdefghijklmnopqrstuvwxyz")


def _folded_patterns():
    from empathic_reply import drafting

    return [value for value in vars(drafting).values() if isinstance(value, drafting._Folded)]


def _same_as_ignorecase(folded, text):
    # The typographic apostrophe reads as a plain one.
    exact = folded.exact.search(text.replace("\u2019", "'"))
    found = folded.search(text)
    if exact is None:
        return found is None
    return found is not None and all(
        found.group(name) == exact.group(name) for name in folded.exact.groupindex
    )


def test_drafting_patterns_are_folded():
    patterns = _folded_patterns()
    assert len(patterns) >= 8
    assert all(p.folded is not None for p in patterns)  # all lower-case: all take the fast path


@pytest.mark.parametrize(
    "text",
    [
        "My WiFi keeps dropping",
        "the app keeps crashing",
        "Internet is DOWN again",
        "my flight was cancelled",
        "Straße ſ ı İstanbul: my order is late",  # characters lower() treats specially
        "K-pop order LATE",  # the Kelvin sign folds to k
        "My parcel hasn\u2019t arrived",
    ],
)
def test_folded_search_equals_ignorecase(text):
    for folded in _folded_patterns():
        assert _same_as_ignorecase(folded, text), folded.exact.pattern


@settings(max_examples=100, deadline=None)
@given(text=hostile_text)
def test_folded_search_equals_ignorecase_on_any_text(text):
    for folded in _folded_patterns():
        assert _same_as_ignorecase(folded, text)
