r"""Faster regular-expression scanning: look-aheads that reject most positions cheaply.

CPython's regex engine scans a text quickly, in C, only when a pattern starts with a literal
or a character set; a pattern that starts with ``\b``, an optional group or an alternation of
phrases (``\b(please )?(send|drop) us a dm``, the usual shape of our rules) is instead tried
at every position, branch by branch. :func:`accelerate` works out, from the parsed pattern,
the characters any match can start with and the one- or two-character strings it can start
with, and puts ``(?=[sdp])(?=se|dr|pl)`` in front. At most positions the single character
test fails and the pattern itself is never entered. A match must start that way anyway, so
the matches (their spans and groups) are exactly the same; the tests compare both forms on
every shipped rule. On the shipped rules this cuts the regex time by about a third.

Only case-sensitive patterns are rewritten (our rule sets run case-insensitive rules on the
lowered text, compiled case-sensitively): with ``re.IGNORECASE``, Unicode case folding makes
the sets harder to state safely, so those are left alone. So are patterns the engine already
scans for by itself (a leading literal or character set).
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Any

if sys.version_info >= (3, 11):
    import re._constants as _c
    import re._parser as _p
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _p

__all__ = ["UNFOLDED", "accelerate", "accelerated", "first_characters", "prefixes"]

# Lower-case letters that ``re.IGNORECASE`` equates with another letter that ``str.lower``
# does not turn into them (CPython's ``re._casefix``: "ı" ~ "i", "ſ" ~ "s", "µ" ~ "μ",
# "ς" ~ "σ", Cyrillic "ᲀ" ~ "в", ...), plus the Kelvin sign. A lowered text containing one of
# them may match a case-insensitive pattern differently from the lowered pattern, so it is
# matched the exact, slower way.
UNFOLDED = re.compile(
    "[\u00b5\u0131\u017f\u0345\u0390\u03b0\u03b2\u03b5\u03b8\u03b9\u03ba\u03bc"
    "\u03c0\u03c1\u03c2\u03c3\u03c6\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1\u03f5"
    "\u0432\u0434\u043e\u0441\u0442\u044a\u0463\u1c80-\u1c88\u1e61\u1e9b\u1fbe"
    "\u1fd3\u1fe3\ua64b\ufb05\ufb06\u212a]"
)
"""Matches a character whose presence in a lowered text makes lowered-text matching inexact."""

_MAX_CHARACTERS = 24  # beyond this many possible first characters the look-ahead rarely pays
_MAX_RANGE = 64
_REPEATS = frozenset(
    op
    for op in (
        _c.MAX_REPEAT,
        _c.MIN_REPEAT,
        getattr(_c, "POSSESSIVE_REPEAT", None),
    )
    if op is not None
)
_ZERO_WIDTH = frozenset({_c.AT, _c.ASSERT, _c.ASSERT_NOT})
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)

# (possible first characters, whether the sequence can match the empty string); None: unknown
_First = tuple[set[str], bool] | None


def _sequence(items: Any) -> _First:
    found: set[str] = set()
    for op, av in items:
        one = _one(op, av)
        if one is None:
            return None
        chars, nullable = one
        found |= chars
        if not nullable:
            return found, False
    return found, True


def _one(op: Any, av: Any) -> _First:  # noqa: PLR0911, PLR0912 - one exit per kind of node
    if op is _c.LITERAL:
        return {chr(av)}, False
    if op in _ZERO_WIDTH:
        # \b, ^, look-arounds: consume nothing, so the next item decides. Ignoring what a
        # look-ahead requires only makes the set larger (still safe).
        return set(), True
    if op is _c.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is _c.LITERAL:
                chars.add(chr(value))
            elif kind is _c.RANGE and value[1] - value[0] <= _MAX_RANGE:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:  # negation, categories (\w, \d), wide ranges
                return None
        return chars, False
    if op is _c.SUBPATTERN:
        if av[1] or av[2]:  # inline flags such as (?i:...) change how literals match
            return None
        return _sequence(av[-1])
    if _ATOMIC is not None and op is _ATOMIC:
        return _sequence(av)
    if op is _c.BRANCH:
        chars = set()
        nullable = False
        for alternative in av[1]:
            first = _sequence(alternative)
            if first is None:
                return None
            chars |= first[0]
            nullable = nullable or first[1]
        return chars, nullable
    if op in _REPEATS:
        first = _sequence(av[2])
        if first is None:
            return None
        return first[0], first[1] or av[0] == 0
    return None  # ., \w outside a set, back-references, conditionals...


# Two-character prefixes: (prefix, open) pairs; an open prefix may still grow, a closed one
# is final (it reached _PREFIX_LENGTH, the match may end there, or what follows is unknown:
# a shorter prefix is a weaker but still necessary condition).
_PREFIX_LENGTH = 2
_MAX_PREFIXES = 48
_States = frozenset[tuple[str, bool]]


def _extend(states: _States, chars: set[str]) -> _States | None:
    grown = frozenset(
        (prefix + char, len(prefix) + 1 < _PREFIX_LENGTH) for prefix, _ in states for char in chars
    )
    return grown if len(grown) <= _MAX_PREFIXES else None


def _closed(states: _States) -> _States:
    return frozenset((prefix, False) for prefix, _ in states)


def _prefix_sequence(items: Any, states: _States) -> _States | None:
    done = frozenset(state for state in states if not state[1])
    current = frozenset(state for state in states if state[1])
    for op, av in items:
        if not current:
            break
        following = _prefix_one(op, av, current)
        if following is None:  # unknown: stop growing here
            return done | _closed(current)
        done |= frozenset(state for state in following if not state[1])
        current = frozenset(state for state in following if state[1])
        if len(done) + len(current) > _MAX_PREFIXES:
            return None
    return done | current


def _prefix_one(op: Any, av: Any, states: _States) -> _States | None:  # noqa: PLR0911
    if op is _c.LITERAL:
        return _extend(states, {chr(av)})
    if op in _ZERO_WIDTH:
        return states
    if op is _c.IN:
        first = _one(op, av)
        return None if first is None else _extend(states, first[0])
    if op is _c.SUBPATTERN:
        return None if av[1] or av[2] else _prefix_sequence(av[-1], states)
    if _ATOMIC is not None and op is _ATOMIC:
        return _prefix_sequence(av, states)
    if op is _c.BRANCH:
        union: set[tuple[str, bool]] = set()
        for alternative in av[1]:
            found = _prefix_sequence(alternative, states)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if op in _REPEATS:
        low, high, body = av
        once = _prefix_sequence(body, states)
        if once is None:
            return None
        if high != 1:  # more repetitions may follow: stop growing after the first
            once = _closed(once)
        return once | states if low == 0 else once
    return None


def prefixes(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings of one or two characters, one of which every non-empty match starts with.

    Args:
        pattern: A regular expression (Python syntax).
        flags: The flags it is compiled with.

    Returns:
        The prefixes, or ``None`` when they cannot be stated safely (see
        :func:`first_characters`) or there are too many to be worth testing.
    """
    parsed = _parse(pattern, flags)
    return None if parsed is None or _first_of(parsed) is None else _prefixes_of(parsed)


def first_characters(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Every character a non-empty match of ``pattern`` can start with.

    Args:
        pattern: A regular expression (Python syntax).
        flags: The flags it is compiled with.

    Returns:
        The characters, or ``None`` when they cannot be stated safely: the pattern can match
        the empty string, is case-insensitive, or starts with a wildcard or a category.
    """
    parsed = _parse(pattern, flags)
    return None if parsed is None else _first_of(parsed)


def _parse(pattern: str, flags: int) -> Any:
    """The parsed pattern, or ``None`` when it is case-insensitive or does not parse."""
    if flags & re.IGNORECASE:
        return None
    try:
        parsed = _p.parse(pattern, flags)
    except Exception:  # a private parser: any surprise means "don't know"
        return None
    return None if parsed.state.flags & re.IGNORECASE else parsed


def _first_of(parsed: Any) -> frozenset[str] | None:
    """:func:`first_characters` of a parsed pattern."""
    first = _sequence(parsed)
    if first is None or first[1] or not first[0]:
        return None
    return frozenset(first[0])


def _prefixes_of(parsed: Any) -> frozenset[str] | None:
    """:func:`prefixes` of a parsed pattern that cannot match the empty string."""
    found = _prefix_sequence(parsed, frozenset({("", True)}))
    if found is None:
        return None
    result = frozenset(prefix for prefix, _ in found)
    return None if "" in result else result


def accelerate(pattern: str, flags: int = 0) -> str:
    """``pattern`` with a first-character look-ahead in front when that speeds up scanning.

    The result matches exactly what ``pattern`` matches, with the same spans and groups. A
    pattern that already starts with a literal (which the engine scans for by itself), one
    whose first characters are unknown or too many, and a case-insensitive one come back
    unchanged.

    Args:
        pattern: A regular expression (Python syntax).
        flags: The flags it will be compiled with.
    """
    parsed = _parse(pattern, flags)  # once: parsing is most of the cost
    chars = None if parsed is None else _first_of(parsed)
    if chars is None or len(chars) > _MAX_CHARACTERS:
        return pattern
    if _engine_skips(parsed):
        return pattern  # the engine already jumps ahead by itself
    members = "".join(_escape(c) for c in sorted(chars))
    lookahead = f"(?=[{members}])"
    starts = _prefixes_of(parsed)
    if starts is not None and any(len(start) > 1 for start in starts):
        # Then the first two characters: most positions with a right first letter ("s" of
        # "is") fail here, before the pattern's own branches are tried.
        ordered = sorted(starts, key=lambda start: (-len(start), start))
        lookahead += "(?=" + "|".join(re.escape(start) for start in ordered) + ")"
    return f"{lookahead}(?:{pattern})"


def accelerated(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` compiled with :func:`accelerate` (or ``pattern`` itself if unchanged).

    The analysis costs a parse of the pattern, so it is done on first use and kept (for the
    4,096 most recently used patterns): loading rule sets stays fast, and a rule set only pays
    for the rules a text actually reaches.
    """
    return _accelerated(pattern.pattern, pattern.flags) or pattern


@lru_cache(maxsize=4096)
def _accelerated(source: str, flags: int) -> re.Pattern[str] | None:
    faster = accelerate(source, flags)
    return None if faster == source else re.compile(faster, flags)


def _engine_skips(items: Any) -> bool:
    """Whether the engine finds a literal prefix or a first-character set by itself.

    Mirrors CPython's own analysis (``_compile_info``): it looks inside plain groups and
    takes a leading literal, a leading character set, or an alternation whose every branch
    starts with a literal. A look-ahead there would only add work.
    """
    while True:
        if not items:
            return False
        op, av = items[0]
        if op is not _c.SUBPATTERN or av[1] or av[2]:
            break
        items = av[-1]
    if op is _c.LITERAL or op is _c.IN:
        return True
    if op is _c.BRANCH:
        return all(branch and branch[0][0] is _c.LITERAL for branch in av[1])
    return False


def _escape(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char
