r"""Detectors as data: Presidio-style rules (patterns + context words + a base score).

A rule file is YAML::

    version: 1
    labels:                      # optional metadata per label (e.g. an emotion's family)
      frustration: {family: anger}
    rules:
      - id: complaint.not_arrived.v1     # versioned, unique, cited in evidence
        label: complaint
        patterns: ["never (arrived|came)", "still (hasn't|has not) arrived"]
        context: [order, package, parcel] # nearby words that raise confidence
        score: 0.7                        # base score in [0, 1]
        context_boost: 0.15               # added when a context word is within ``window``
        exclude: ["\\bif\\b"]             # drop the match when this precedes it in ``window``

Every intent, emotion, topic, detail and stock-phrase detector in the library is such a file,
so users can add, override (same ``id``) or disable (``enabled: false``) rules without code.
Scores of several matches for one label combine by noisy-or: ``1 - prod(1 - s_i)``.

Speed: every pattern is parsed once for the literal strings its matches must contain (one of
each of a few sets, e.g. one of "still"/"been" and one of "waiting"/"on hold"; runs of small
alternations are spelled out, so ``(dm|call) me`` needs "dm me" or "call me", not just
" me"). A rule runs only when the lowered text contains them, and then as an alternation of
only those of its patterns that can match. Literals are found through the text's trigrams
(a literal longer than three characters is filed under its rarest trigram, then confirmed
by a substring test). A text searched by several rule sets is prepared once
(:meth:`RuleSet.prepare`): lowered and indexed a single time, and the literals of every rule
set that searches prepared texts are looked up in it in one shared pass (the first rule set
to search it pays; the others reuse the answer). Case-insensitive patterns, exclusions and
context words without upper-case letters run case-sensitively on the lowered text, which
is faster; on its first run, a rule's patterns get look-aheads for the characters a match
can start with (:mod:`empathic_reply._regex`), so the engine rejects most positions at once.
None of this changes any match (the tests compare with running every pattern).

Rules read the typographic apostrophe (’, what phone keyboards type) as a plain one, so
``hasn'?t`` also finds "hasn’t"; offsets and match texts are the customer's own.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from empathic_reply._regex import UNFOLDED, accelerated
from empathic_reply._resources import data_text, load_yaml, parse_yaml
from empathic_reply._trusted import trusted
from empathic_reply.errors import RuleError
from empathic_reply.models import Evidence

if sys.version_info >= (3, 11):
    import re._constants as _sre_constants
    import re._parser as _sre_parser
else:  # pragma: no cover - Python 3.10
    import sre_constants as _sre_constants
    import sre_parse as _sre_parser

__all__ = ["LabelScore", "Match", "Prepared", "Rule", "RuleFile", "RuleSet"]

_MAX_SCORE = 0.99
_SHIPPED = "empathic_reply.shipped"  # validation context key: a file shipped in the package


class Rule(BaseModel):
    """One detector: regular-expression patterns, context words and a base score.

    Attributes:
        id: Unique, versioned id such as ``"intent.complaint.not_arrived.v1"``.
        label: What the rule detects (an intent, emotion, topic, detail kind or signal).
        patterns: Regular expressions (Python syntax); any one matching fires the rule.
        score: Base confidence in [0, 1] of one match.
        context: Words or phrases that, found within ``window`` characters of the match,
            raise the score by ``context_boost``.
        context_boost: Added to ``score`` when a context word is near, in [0, 1].
        exclude: Regular expressions that cancel the match when found within ``window``
            characters *before* it (negation, hypotheticals).
        window: Characters on each side searched for context and exclusions.
        case_sensitive: Match patterns case-sensitively (default: case-insensitive).
        enabled: ``False`` disables a shipped rule when a user file overrides it by id.
        attrs: Free-form metadata for the consumer (e.g. ``{"personal": true}``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    patterns: list[str] = Field(min_length=1)
    score: float = Field(default=0.6, ge=0.0, le=1.0)
    context: list[str] = Field(default_factory=list)
    context_boost: float = Field(default=0.15, ge=0.0, le=1.0)
    exclude: list[str] = Field(default_factory=list)
    window: int = Field(default=40, ge=0, le=500)
    case_sensitive: bool = False
    enabled: bool = True
    attrs: dict[str, Any] = Field(default_factory=dict)

    @field_validator("patterns", "exclude")
    @classmethod
    def _compiles(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if isinstance(info.context, Mapping) and info.context.get(_SHIPPED):
            # The library's own files: the tests compile every pattern of them, so loading
            # them skips that work (most of a cold start's regex parsing).
            return value
        try:
            # Patterns are joined into one alternation (so each must also compile as a group:
            # a global inline flag such as "(?i)" is only valid at the very start).
            re.compile("|".join(f"(?:{pattern})" for pattern in value))
        except re.error as joined:
            for pattern in value:  # name the pattern at fault
                try:
                    re.compile(f"(?:{pattern})")
                except re.error as exc:
                    raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
            raise ValueError(f"the patterns do not combine: {joined}") from None
        return value


class RuleFile(BaseModel):
    """A whole rule file: an optional label table and the rules."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    version: int = 1
    labels: dict[str, dict[str, Any]] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)


class Match(NamedTuple):
    """One rule firing on one span."""

    rule: Rule
    start: int
    end: int
    text: str
    score: float

    def evidence(self) -> Evidence:
        """The match as an :class:`~empathic_reply.models.Evidence`."""
        # Valid by construction (a regex span of the searched text): no re-validation.
        return trusted(
            Evidence, text=self.text, start=self.start, end=self.end, source=self.rule.id
        )


class LabelScore(NamedTuple):
    """Combined score of every match of one label, with the matches as evidence."""

    label: str
    score: float
    matches: list[Match]

    def evidence(self) -> list[Evidence]:
        """Evidence of every match, in order of appearance."""
        return [m.evidence() for m in self.matches]


class _Compiled(NamedTuple):
    rule: Rule
    # The compiled patterns, exclusions and context words are None until the rule first runs
    # (see :meth:`RuleSet._ready`): loading a rule set then costs no regex compilation, and
    # a process only compiles the rules its texts reach. A foldable rule's ``pattern`` (the
    # case-insensitive form) waits until a text that lowering misaligns needs it.
    pattern: re.Pattern[str] | None
    context: re.Pattern[str] | None
    exclude: re.Pattern[str] | None
    # Case-insensitive rules whose patterns have no upper-case letters are also compiled
    # case-sensitively and run on ``text.lower()``: same matches, about twice as fast
    # (``re.IGNORECASE`` defeats the regex engine's literal-prefix scanning).
    folded: re.Pattern[str] | None = None
    # Lower-case three-character strings one of which every match contains (None: no such
    # set). A rule none of whose trigrams occurs in the lower-cased text cannot match and is
    # skipped, which saves most regex scans on short messages.
    needs: frozenset[str] | None = None
    # Per pattern, sets of literal strings a match of that pattern contains one of each
    # (``needs`` holds the trigrams of the first sets): a rule runs only if the lowered
    # text contains a literal of every set of one of its patterns.
    gates: tuple[tuple[frozenset[str], ...], ...] = ()
    foldable: bool = False  # ``folded`` is (or will be) set
    # Whether the patterns are compiled, with look-aheads for the characters a match can
    # start with (:func:`empathic_reply._regex.accelerated`: same matches, found faster).
    ready: bool = False


_SPAN = itemgetter(1, 2)  # a Match's (start, end)
_MAX_SUBSETS = 256  # compiled pattern subsets kept per rule set (then the cache restarts)
_BACKREF = re.compile(r"\\[1-9]|\(\?P=")
_ESCAPE = re.compile(r"\\.", re.DOTALL)


class _Literals:
    """Gate literals of one or more rule sets, indexed to find those a text contains.

    A literal of three characters is present when the text has that trigram. A longer one is
    filed under its rarest trigram (the one fewest literals of the index share when it is
    added, a stand-in for how rare it is in text) and substring-tested only when the text
    has that trigram. Shorter ones are substring-tested, the non-ASCII ones only on non-ASCII
    text. An index is immutable: :meth:`extended` makes a new one, adding only the new
    literals' work.
    """

    __slots__ = (
        "ascii_short",
        "counts",
        "keys",
        "literals",
        "long",
        "long_keys",
        "three",
        "version",
        "wide_short",
    )

    def __init__(self, literals: Iterable[str] = (), version: int = 0) -> None:
        self.literals: frozenset[str] = frozenset()
        self.version = version
        self.counts: Counter[str] = Counter()  # trigram -> literals over three characters with it
        self.long: dict[str, tuple[str, ...]] = {}
        self.three: frozenset[str] = frozenset()
        self.ascii_short: tuple[str, ...] = ()
        self.wide_short: tuple[str, ...] = ()
        self._add(frozenset(literals))

    def extended(self, literals: frozenset[str], version: int) -> _Literals:
        """A new index with ``literals`` added (this one is left as it is)."""
        new = _Literals(version=version)
        new.literals = self.literals
        new.counts = self.counts.copy()
        new.long = dict(self.long)
        new.three = self.three
        new.ascii_short = self.ascii_short
        new.wide_short = self.wide_short
        new._add(literals - self.literals)
        return new

    def _add(self, literals: frozenset[str]) -> None:
        longer = sorted(literal for literal in literals if len(literal) > 3)
        trigrams = [list(map("".join, zip(s, s[1:], s[2:], strict=False))) for s in longer]
        self.counts.update(chain.from_iterable(map(set, trigrams)))  # counted in C
        counts = self.counts
        long = self.long
        for literal, found in zip(longer, trigrams, strict=True):
            key = min(found, key=counts.__getitem__)  # the first of the rarest
            long[key] = (*long.get(key, ()), literal)
        self.literals = self.literals | literals
        self.three = self.three | {x for x in literals if len(x) == 3}
        short = {x for x in literals if len(x) < 3}
        self.ascii_short = tuple(sorted({*self.ascii_short, *(x for x in short if x.isascii())}))
        self.wide_short = tuple(sorted({*self.wide_short, *(x for x in short if not x.isascii())}))
        self.long_keys = frozenset(long)  # trigram hit, then a substring test
        self.keys = self.three | self.long_keys

    def present(self, prepared: Prepared) -> set[str]:
        """The literals that occur in the lowered text."""
        contains = prepared.lowered.__contains__
        hits = self.keys.intersection(prepared.trigrams)  # one pass over the text's trigrams
        # filter/map/chain keep these loops in C: much cheaper than Python for-loops.
        present = set(
            filter(
                contains,
                chain(
                    self.ascii_short,
                    chain.from_iterable(map(self.long.__getitem__, self.long_keys & hits)),
                ),
            )
        )
        present |= self.three & hits
        if self.wide_short and not prepared.ascii:
            present.update(filter(contains, self.wide_short))
        return present


class _Shared:
    """The literals of every rule set that has searched a :class:`Prepared` text, as one index.

    Analysis runs four or five rule sets on one prepared message; with one index their
    literals are looked up in a single pass. The index only grows (a new version holds every
    literal of the previous one), up to ``_MAX_SHARED`` literals; a rule set that would
    exceed that uses its own index.
    """

    def __init__(self) -> None:
        self.index = _Literals(frozenset())
        self._lock = threading.Lock()

    def join(self, literals: frozenset[str]) -> _Literals | None:
        """The current shared index, first extended with ``literals`` if needed."""
        with self._lock:
            index = self.index
            if literals <= index.literals:
                return index
            if len(index.literals | literals) > _MAX_SHARED:
                return None
            self.index = index.extended(literals, index.version + 1)
            return self.index


_MAX_SHARED = 50_000
_SHARED = _Shared()


class Prepared:
    """A text prepared once for many rule sets: its lowered form and its trigrams.

    Build one per message with :meth:`RuleSet.prepare` (or ``Prepared(text)``) and pass it
    to :meth:`RuleSet.find` / :meth:`RuleSet.scores` of every rule set instead of the text:
    the lowered text, the trigram set and the literals every rule set's pre-filter looks for
    are then computed once, not once per rule set.

    Rules see the typographic apostrophe (’, what phone keyboards type) as a plain one ('),
    so a pattern written as "hasn'?t" also finds "hasn’t". The replacement keeps every
    character offset, and match texts are read from the original text.

    Attributes:
        text: The text.
        matched: ``text`` with ’ read as ' (what the patterns search).
        lowered: ``matched.lower()``.
        aligned: Whether ``lowered`` has the same character offsets as ``text`` and matches
            case-insensitive patterns exactly as ``text`` does under ``re.IGNORECASE``
            (pre-filters and lower-case matching are used only then).
        ascii: Whether ``lowered`` is ASCII.
    """

    __slots__ = (
        "_present",
        "_shared",
        "_trigrams",
        "aligned",
        "ascii",
        "lowered",
        "matched",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.matched = matched = text.replace("\u2019", "'") if "\u2019" in text else text
        self.lowered = lowered = matched.lower()
        self.ascii = ascii_ = lowered.isascii()
        self.aligned = ascii_ or (len(lowered) == len(text) and UNFOLDED.search(lowered) is None)
        self._trigrams: frozenset[str] | None = None
        self._shared: _Literals | None = None  # the shared index ``_present`` was found with
        self._present: set[str] = set()

    @property
    def trigrams(self) -> frozenset[str]:
        """Every three-character substring of :attr:`lowered` (computed on first use)."""
        if self._trigrams is None:
            low = self.lowered
            self._trigrams = frozenset(map("".join, zip(low, low[1:], low[2:], strict=False)))
        return self._trigrams

    def _shared_present(self, version: int) -> set[str]:
        """Literals of the shared index (at least at ``version``) that occur in the text."""
        shared = self._shared
        if shared is None or shared.version < version:
            self._shared = shared = _SHARED.index
            self._present = shared.present(self)
        return self._present


def _foldable(patterns: Sequence[str]) -> bool:
    """Whether the patterns match lowered text as they match any text under IGNORECASE."""
    return all(not any(c.isupper() for c in _ESCAPE.sub("", p)) for p in patterns)


def _best(options: Sequence[frozenset[str]]) -> frozenset[str]:
    # The set whose shortest string is longest filters best.
    return max(options, key=lambda strings: (min(map(len, strings)), -len(strings)))


_MAX_EXACT = 64  # most strings spelled out for one run of a pattern (see _exact)
_ZERO_WIDTH = (_sre_constants.AT, _sre_constants.ASSERT, _sre_constants.ASSERT_NOT)


_Memo = dict[int, "set[str] | None"]  # parsed sub-pattern id -> its spelled-out strings


def _exact_item(op: Any, av: Any, memo: _Memo) -> set[str] | None:
    r"""Every string one parsed item can match, lower-cased, when they are few (else None).

    Zero-width items (``\b``, ``^``, lookarounds) match the empty string.
    """
    found: set[str] | None = None
    if op is _sre_constants.LITERAL:
        found = {chr(av).lower()}
    elif op in _ZERO_WIDTH:
        found = {""}
    elif op is _sre_constants.SUBPATTERN:
        found = _exact(av[-1], memo)
    elif op is _sre_constants.IN and all(o is _sre_constants.LITERAL for o, _ in av):
        found = {chr(code).lower() for _, code in av}  # e.g. "🙄|😒" or [$£€]
    elif op is _sre_constants.BRANCH:
        found = _exact_branch(av[1], memo)
    elif op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT) and av[1] <= 2:
        found = _exact_repeat(av[0], av[1], av[2], memo)
    return found


def _exact_branch(alternatives: Any, memo: _Memo) -> set[str] | None:
    if len(alternatives) > _MAX_EXACT:
        return None  # too many to spell out (give up early: nothing wrong in giving up)
    found: set[str] = set()
    for alternative in alternatives:
        strings = _exact(alternative, memo)
        if strings is None:
            return None
        found |= strings
        if len(found) > _MAX_EXACT:
            return None
    return found


def _exact_repeat(low: int, high: int, items: Any, memo: _Memo) -> set[str] | None:
    item = _exact(items, memo)
    if item is None:
        return None
    found: set[str] = set()
    power = {""}
    for count in range(high + 1):
        if count >= low:
            found |= power
        if count < high:
            power = {a + b for a in power for b in item}
            if len(power) > _MAX_EXACT:
                return None
    return found


def _exact(items: Any, memo: _Memo) -> set[str] | None:
    """Every string a parsed (sub)pattern can match, lower-cased, when they are few.

    ``memo`` keeps the answer per sub-pattern of one parse (nested alternations are asked
    about again by :func:`_needs`).
    """
    key = id(items)
    if key in memo:
        return memo[key]
    found: set[str] | None = None
    strings = {""}
    run: list[str] = []  # consecutive literals, joined in one go
    for op, av in items:
        if op is _sre_constants.LITERAL:
            run.append(chr(av).lower())
            continue
        if op in _ZERO_WIDTH:
            continue
        if run:
            tail = "".join(run)
            strings = {a + tail for a in strings}
            run.clear()
        item = _exact_item(op, av, memo)
        if item is None:
            break
        strings = {a + b for a in strings for b in item}
        if len(strings) > _MAX_EXACT:
            break
    else:
        tail = "".join(run)
        found = {a + tail for a in strings}
    memo[key] = found
    return found


def _minimal(strings: set[str]) -> frozenset[str]:
    """``strings`` without those that contain another: a text holding one holds the other."""
    kept: list[str] = []
    for string in sorted(strings, key=len):  # a string can only contain shorter ones
        if not any(shorter in string for shorter in kept):
            kept.append(string)
    return frozenset(kept)


def _needs(items: Any, memo: _Memo | None = None) -> list[frozenset[str]] | None:
    """Sets of literal strings such that every match contains one string of each set.

    Runs of items that match few strings (literals, small alternations, optional parts,
    zero-width assertions) are spelled out: ``(dm|call) me`` needs one of ``"dm me"`` and
    ``"call me"``, which filters better than ``" me"`` alone. ``None`` when no such set is
    known.
    """
    if memo is None:
        memo = {}
    options: list[frozenset[str]] = []
    run: set[str] = {""}

    def flush() -> None:
        if "" not in run:
            options.append(_minimal(run))

    for op, av in items:
        exact = _exact_item(op, av, memo)
        if exact is not None:
            product = {a + b for a in run for b in exact}
            if len(product) <= _MAX_EXACT:
                run = product
            else:
                flush()
                run = exact
            continue
        flush()
        run = {""}
        sub: list[frozenset[str]] | None = None
        if op is _sre_constants.SUBPATTERN:
            sub = _needs(av[-1], memo)
        elif op is _sre_constants.BRANCH:
            alternatives = [_needs(alt, memo) for alt in av[1]]
            if all(alt is not None for alt in alternatives):
                sub = [_minimal(set().union(*(_best(alt) for alt in alternatives if alt)))]
        elif op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT) and av[0] >= 1:
            sub = _needs(av[2], memo)
        if sub:
            options.extend(sub)
    flush()
    return options or None


def _prefilter(
    patterns: Sequence[str],
) -> tuple[frozenset[str] | None, tuple[tuple[frozenset[str], ...], ...]]:
    """``needs`` and ``gates`` of :class:`_Compiled` for these patterns (kept per patterns).

    The same rules are compiled into several sets (merged user rules, the personal-data
    subset of the detail rules...): the analysis is done once per list of patterns.
    """
    return _prefilter_of(tuple(patterns))


@lru_cache(maxsize=4096)
def _prefilter_of(
    patterns: tuple[str, ...],
) -> tuple[frozenset[str] | None, tuple[tuple[frozenset[str], ...], ...]]:
    """``needs`` and ``gates`` of :class:`_Compiled` for these patterns.

    ``gates`` has one entry per pattern: sets of lower-case literal strings of which a
    match of that pattern contains one each, the most selective set first (sets with a
    literal shorter than three characters only when the pattern has no other).
    ``needs`` is the first three characters of every literal of those first sets.
    """
    gates: list[tuple[frozenset[str], ...]] = []
    for pattern in patterns:
        gate = _gate(pattern)
        if gate is None:
            return None, ()
        gates.append(gate)
    needs = frozenset(literal[:3] for gate in gates for literal in gate[0])
    return needs, tuple(gates)


def _gate(pattern: str) -> tuple[frozenset[str], ...] | None:
    """One pattern's gate sets (see :func:`_prefilter_of`); ``None``: no filter is known.

    Read from the shipped table when the pattern is in it (parsing every pattern of the
    shipped rules is most of the cost of loading them), else worked out from the pattern.
    """
    stored = _stored_gates().get(pattern, _UNKNOWN)
    if stored is not _UNKNOWN:
        return None if stored is None else tuple(frozenset(strings) for strings in stored)
    return compute_gate(pattern)


def compute_gate(pattern: str) -> tuple[frozenset[str], ...] | None:
    """Work out one pattern's gate sets from its parsed form (see :func:`_gate`)."""
    try:
        found = _needs(_sre_parser.parse(pattern, re.IGNORECASE))
    except Exception:  # the private parser may change between versions: no filter then
        return None
    if found is None:
        return None
    long = [s for s in found if min(map(len, s)) >= 3]
    if not long:
        return (_best(found),)
    best = _best(long)
    rest = set(long) - {best}
    return (best, *sorted(rest, key=lambda s: (len(s), sorted(s))))


_UNKNOWN: Any = object()
GATES_FILE = ("rules_gates.json",)
"""Where the shipped table of gate sets lives (made by ``scripts/build_rule_gates.py``)."""


@lru_cache(maxsize=1)
def _stored_gates() -> dict[str, list[list[str]] | None]:
    """The shipped table: pattern -> its gate sets (each a sorted list), or ``None``.

    Gate sets are necessary conditions of the pattern's own syntax, so an entry can only be
    missing (then it is worked out), never wrong for its pattern. A missing or unreadable
    table just means slower loading.
    """
    try:
        table = json.loads(data_text(*GATES_FILE))
    except (OSError, ValueError):
        return {}
    return table if isinstance(table, dict) else {}


def _alternation(parts: Sequence[str], flags: int) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), flags)


def _words(parts: Sequence[str], flags: int) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in parts) + r")\b", flags)


def _format_error(origin: str, document: Any, exc: ValidationError) -> str:
    lines = [f"invalid rule file {origin}:"]
    for error in exc.errors():
        loc = list(error["loc"])
        where = ".".join(str(part) for part in loc)
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            rules = document.get("rules") if isinstance(document, Mapping) else None
            rule = rules[loc[1]] if isinstance(rules, list) and loc[1] < len(rules) else None
            rule_id = rule.get("id") if isinstance(rule, Mapping) else None
            field = ".".join(str(part) for part in loc[2:]) or "(rule)"
            where = f"rule {rule_id or '#' + str(loc[1])!s}, field {field}"
        lines.append(f"  {where}: {error['msg']}")
    return "\n".join(lines)


def _collect(
    compiled: _Compiled,
    found: Iterator[re.Match[str]],
    prepared: Prepared,
    append: Callable[[Match], None],
    lowered_filters: tuple[re.Pattern[str] | None, re.Pattern[str] | None] = (None, None),
) -> None:
    """Append the rule's matches among ``found`` that no exclusion cancels, scored.

    ``lowered_filters`` are the rule's exclusion and context patterns compiled for the
    lowered text (``None``: search the text with the case-insensitive ones); used only when
    ``prepared`` is aligned.
    """
    text, lowered = prepared.text, prepared.lowered
    rule = compiled.rule
    exclude, context = compiled.exclude, compiled.context
    exclude_in = context_in = prepared.matched
    if prepared.aligned:
        exclude_low, context_low = lowered_filters
        if exclude_low is not None:
            exclude, exclude_in = exclude_low, lowered
        if context_low is not None:
            context, context_in = context_low, lowered
    for m in found:
        start, end = m.span()
        if start == end:
            continue
        if exclude is not None and exclude.search(exclude_in, max(0, start - rule.window), start):
            continue
        score = rule.score
        if context is not None and context.search(
            context_in, max(0, start - rule.window), min(len(text), end + rule.window)
        ):
            score = min(_MAX_SCORE, score + rule.context_boost)
        append(Match(rule, start, end, text[start:end], score))


class RuleSet:
    """A compiled, immutable set of rules that finds matches and scores labels.

    Args:
        rules: The rules; disabled ones are dropped. Ids must be unique.
        labels: Optional metadata per label (e.g. emotion families).

    Raises:
        RuleError: Two rules share an id.
    """

    def __init__(
        self, rules: Iterable[Rule], *, labels: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in self._rules:
                raise RuleError(f"duplicate rule id {rule.id!r}")
            self._rules[rule.id] = rule
        self.labels: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (labels or {}).items()}
        self._compiled = [self._compile(r) for r in self._rules.values() if r.enabled]
        self._index_rules()

    def _index_rules(self) -> None:
        """Index the pre-filters (see :meth:`_candidates`)."""
        self._always: list[int] = []  # rules without a literal filter
        # Patterns are numbered across the set; per pattern, its rule's position and its
        # number in the rule.
        self._owner: list[int] = []
        self._number: list[int] = []
        # literal of a pattern's first gate set -> the patterns that need nothing else
        simple: dict[str, set[int]] = {}
        # literal of a pattern's first gate set -> (pattern, the pattern's other gate sets)
        gated: dict[str, list[tuple[int, tuple[frozenset[str], ...]]]] = {}
        literals: set[str] = set()
        for position, compiled in enumerate(self._compiled):
            if compiled.needs is None:
                self._always.append(position)
                continue
            for number, gate in enumerate(compiled.gates):
                pattern = len(self._owner)
                self._owner.append(position)
                self._number.append(number)
                for literal in gate[0]:
                    if len(gate) == 1:
                        simple.setdefault(literal, set()).add(pattern)
                    else:
                        gated.setdefault(literal, []).append((pattern, gate[1:]))
                for strings in gate:
                    literals.update(strings)
        self._simple = {key: frozenset(value) for key, value in simple.items()}
        self._simple_keys = frozenset(self._simple)
        self._gated = {key: tuple(value) for key, value in gated.items()}
        self._gated_keys = frozenset(self._gated)
        self._literal_set = frozenset(literals)
        self._own: _Literals | None = None  # this set's own index (built on first use)
        # The shared index once this set has joined it (on its first prepared text).
        self._joined: _Literals | None = None
        self._solo = not literals  # nothing to look up
        self._unshared = False  # the shared index was full when this set tried to join
        self._pattern_counts = [len(c.rule.patterns) for c in self._compiled]
        # Rules whose patterns must always run together (numbered back-references).
        self._whole = frozenset(
            position
            for position, compiled in enumerate(self._compiled)
            if any(_BACKREF.search(p) for p in compiled.rule.patterns)
        )
        self._subsets: dict[tuple[int, tuple[int, ...]], re.Pattern[str]] = {}
        self._positions = {c.rule.id: i for i, c in enumerate(self._compiled)}
        # position -> the rule's exclusion and context patterns for lowered text (on first use)
        self._lowered: dict[int, tuple[re.Pattern[str] | None, re.Pattern[str] | None]] = {}

    @staticmethod
    def _compile(rule: Rule) -> _Compiled:
        needs, gates = _prefilter(rule.patterns)
        return _Compiled(
            rule=rule,
            pattern=None,
            context=None,
            exclude=None,
            needs=needs,
            gates=gates,
            foldable=not rule.case_sensitive and _foldable(rule.patterns),
        )

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_data(cls, document: Any, *, origin: str = "<data>") -> RuleSet:
        """Validate a parsed rule file and compile it.

        Args:
            document: The parsed YAML/JSON document.
            origin: Where it came from, used in error messages.

        Raises:
            RuleError: The document is invalid; the message names origin, rule and field.
        """
        return cls._validated(document, origin=origin, shipped=False)

    @classmethod
    def from_package(cls, *parts: str) -> RuleSet:
        """Load a rule file shipped in ``empathic_reply/data``.

        Its patterns are not test-compiled on load (the test suite compiles every shipped
        pattern); everything else is validated as for any file.
        """
        return cls._validated(load_yaml(*parts), origin="/".join(parts), shipped=True)

    @classmethod
    def _validated(cls, document: Any, *, origin: str, shipped: bool) -> RuleSet:
        """``from_data``; ``shipped`` skips test-compiling the patterns (our own files)."""
        try:
            parsed = RuleFile.model_validate(document, context={_SHIPPED: shipped})
        except ValidationError as exc:
            raise RuleError(_format_error(origin, document, exc)) from None
        return cls(parsed.rules, labels=parsed.labels)

    @classmethod
    def from_path(cls, path: str | Path) -> RuleSet:
        """Load a user rule file (YAML)."""
        path = Path(path)
        try:
            document = parse_yaml(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise RuleError(f"cannot read rule file {path}: {exc}") from None
        return cls.from_data(document, origin=str(path))

    def merged(self, other: RuleSet) -> RuleSet:
        """A new set with ``other``'s rules added; a rule with an existing id replaces it."""
        rules = dict(self._rules)
        rules.update(other._rules)
        labels = {**self.labels, **other.labels}
        return RuleSet(rules.values(), labels=labels)

    # -- queries --------------------------------------------------------------------------

    @property
    def rules(self) -> list[Rule]:
        """Every rule, enabled or not, in definition order."""
        return list(self._rules.values())

    def __len__(self) -> int:
        return len(self._compiled)

    @staticmethod
    def prepare(text: str) -> Prepared:
        """Prepare ``text`` once for several rule sets (see :class:`Prepared`)."""
        return Prepared(text)

    def _candidates(
        self, prepared: Prepared, *, shared: bool = True
    ) -> list[tuple[int, tuple[int, ...] | None]]:
        """The rules whose pre-filters pass on ``prepared``, in rule order.

        A rule with literal gates runs only when, for one of its patterns, the lowered text
        contains a literal of each of that pattern's sets (found via the text's trigrams,
        then confirmed by a substring test; literals under three characters are tested as
        substrings directly).

        Args:
            prepared: The text.
            shared: Look the literals up with the shared index, cached on ``prepared`` for
                the next rule set (``False``: with this set's own, smaller index, for a text
                that no other rule set searches).

        Returns:
            ``(position, patterns)`` per rule to run: ``patterns`` are the positions of the
            rule's patterns whose gates pass (the others cannot match anywhere in the text),
            or ``None`` for all of them.
        """
        if not prepared.aligned:
            return [(i, None) for i in range(len(self._compiled))]
        chosen: list[tuple[int, tuple[int, ...] | None]] = [(i, None) for i in self._always]
        if self._solo:
            return chosen
        present = self._present(prepared, shared=shared)
        if not present:
            return chosen
        passing: set[int] = set()
        simple = self._simple
        for literal in present & self._simple_keys:
            passing |= simple[literal]
        gated = self._gated
        for literal in present & self._gated_keys:
            for pattern, rest in gated[literal]:
                if pattern in passing:
                    continue
                for strings in rest:  # the pattern's other sets must hit too
                    if strings.isdisjoint(present):
                        break
                else:
                    passing.add(pattern)
        if not passing:
            return chosen
        self._group(passing, chosen)
        if self._always:
            chosen.sort()
        return chosen

    def _group(self, passing: set[int], chosen: list[tuple[int, tuple[int, ...] | None]]) -> None:
        """Append ``(position, patterns)`` per rule of the ``passing`` patterns to ``chosen``."""
        owner, number = self._owner, self._number
        counts, whole = self._pattern_counts, self._whole
        rule = -1
        numbers: list[int] = []
        for pattern in sorted(passing):
            position = owner[pattern]
            if position != rule:
                if numbers:
                    chosen.append(
                        (rule, None)
                        if len(numbers) == counts[rule] or rule in whole
                        else (rule, tuple(numbers))
                    )
                rule = position
                numbers = []
            numbers.append(number[pattern])
        chosen.append(
            (rule, None)
            if len(numbers) == counts[rule] or rule in whole
            else (rule, tuple(numbers))
        )

    def _present(self, prepared: Prepared, *, shared: bool = True) -> set[str]:
        """Gate literals that occur in the lowered text (a superset of this set's when shared)."""
        if shared and not self._unshared:
            joined = self._joined
            if joined is None:
                joined = self._joined = _SHARED.join(self._literal_set)
                if joined is None:  # the shared index is full
                    self._unshared = True
                    return self._own_index().present(prepared)
            return prepared._shared_present(joined.version)
        return self._own_index().present(prepared)

    def _own_index(self) -> _Literals:
        own = self._own
        if own is None:
            own = self._own = _Literals(self._literal_set)
        return own

    def _lowered_filters(
        self, position: int
    ) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """A rule's exclusions and context words compiled for lowered text, when foldable.

        Without upper-case letters they match the lowered text case-sensitively exactly as
        they match the text under ``re.IGNORECASE`` (see :attr:`Prepared.aligned`), faster.
        Compiled on first use.
        """
        found = self._lowered.get(position)
        if found is None:
            rule = self._compiled[position].rule
            exclude = (
                _alternation(rule.exclude, 0) if rule.exclude and _foldable(rule.exclude) else None
            )
            context = (
                _words(rule.context, 0)
                if rule.context and not any(c.isupper() for c in "".join(rule.context))
                else None
            )
            found = self._lowered[position] = (exclude, context)
        return found

    def _ready(self, position: int) -> _Compiled:
        """Compile a rule's patterns, exclusions and context words (on its first run).

        A foldable rule gets only its lowered-text form here; its case-insensitive form is
        compiled by :meth:`_exact` if a text ever needs it (one that lowering misaligns).
        """
        compiled = self._compiled[position]
        rule = compiled.rule
        every = tuple(range(len(rule.patterns)))
        folded = self._compile_parts(compiled, every, lowered=True) if compiled.foldable else None
        ready = compiled._replace(
            pattern=None if compiled.foldable else self._compile_parts(compiled, every),
            folded=folded,
            context=_words(rule.context, re.IGNORECASE) if rule.context else None,
            exclude=_alternation(rule.exclude, re.IGNORECASE) if rule.exclude else None,
            ready=True,
        )
        self._compiled[position] = ready  # one atomic store: concurrent readers see either
        return ready

    def _exact(self, position: int) -> re.Pattern[str]:
        """A ready rule's patterns for the text as it is (compiled on first need)."""
        compiled = self._compiled[position]
        pattern = compiled.pattern
        if pattern is None:
            pattern = self._compile_parts(compiled, tuple(range(len(compiled.rule.patterns))))
            self._compiled[position] = compiled._replace(pattern=pattern)
        return pattern

    @staticmethod
    def _compile_parts(
        compiled: _Compiled, numbers: tuple[int, ...], *, lowered: bool = False
    ) -> re.Pattern[str]:
        """Some of a rule's patterns as one accelerated alternation.

        ``lowered``: for the lowered text (case-sensitive); otherwise for the text as it is,
        case-insensitive unless the rule says otherwise.
        """
        rule = compiled.rule
        flags = 0 if lowered or rule.case_sensitive else re.IGNORECASE
        return accelerated(_alternation([rule.patterns[n] for n in numbers], flags))

    def _subset(self, position: int, patterns: tuple[int, ...]) -> re.Pattern[str]:
        """The alternation of some of a rule's patterns, for lowered aligned text if foldable.

        Dropping patterns that cannot match anywhere in a text leaves the alternation's
        matches on that text unchanged. Compiled subsets are kept (at most
        ``_MAX_SUBSETS`` per rule set).
        """
        key = (position, patterns)
        found = self._subsets.get(key)
        if found is None:
            compiled = self._compiled[position]
            found = self._compile_parts(compiled, patterns, lowered=compiled.foldable)
            if len(self._subsets) >= _MAX_SUBSETS:
                self._subsets.clear()
            self._subsets[key] = found
        return found

    def _only(self, only: Container[str]) -> list[tuple[int, tuple[int, ...] | None]]:
        """``(position, None)`` of the enabled rules whose ids are in ``only``, in rule order."""
        positions = self._positions
        if isinstance(only, (set, frozenset)):
            return sorted((positions[i], None) for i in only if i in positions)
        return [(i, None) for i, c in enumerate(self._compiled) if c.rule.id in only]

    def find(self, text: str | Prepared, *, only: Container[str] | None = None) -> list[Match]:
        """Every match of every enabled rule, ordered by position then rule order.

        Args:
            text: The text to search, or the text prepared by :meth:`prepare` (faster when
                several rule sets search the same text).
            only: Run only the rules with these ids, skipping the pre-filters (the caller
                has made its own cheap pre-checks); ``None`` runs every enabled rule whose
                pre-filter (literal strings every match must contain) passes.
        """
        if isinstance(text, Prepared):
            prepared, shared = text, True
        else:
            prepared, shared = Prepared(text), False
        text = prepared.text
        lowered = prepared.lowered
        aligned = prepared.aligned
        compiled_rules = self._compiled
        plan: list[tuple[int, tuple[int, ...] | None]]
        plan = self._candidates(prepared, shared=shared) if only is None else self._only(only)
        matches: list[Match] = []
        append = matches.append
        for position, patterns in plan:
            compiled = compiled_rules[position]
            if not compiled.ready:
                compiled = self._ready(position)
            on_lowered = aligned and compiled.foldable
            if patterns is not None:
                pattern = self._subset(position, patterns)
            elif on_lowered and compiled.folded is not None:
                pattern = compiled.folded
            else:
                pattern = compiled.pattern or self._exact(position)
            found = pattern.finditer(lowered if on_lowered else prepared.matched)
            if compiled.exclude is None and compiled.context is None:
                _collect(compiled, found, prepared, append)
            else:
                _collect(compiled, found, prepared, append, self._lowered_filters(position))
        if len(matches) > 1:
            matches.sort(key=_SPAN)
        return matches

    def scores(self, text: str | Prepared) -> list[LabelScore]:
        """Combined score per label (noisy-or of its matches), highest first."""
        return self.combine(self.find(text))

    @staticmethod
    def combine(matches: Iterable[Match]) -> list[LabelScore]:
        """Group matches by label and combine their scores by noisy-or, highest first."""
        by_label: dict[str, list[Match]] = {}
        for match in matches:
            by_label.setdefault(match.rule.label, []).append(match)
        combined = []
        for label, group in by_label.items():
            miss = 1.0
            seen: set[tuple[int, int]] = set()
            for match in group:
                if (match.start, match.end) in seen:
                    continue
                seen.add((match.start, match.end))
                miss *= 1.0 - match.score
            combined.append(LabelScore(label, min(_MAX_SCORE, 1.0 - miss), group))
        combined.sort(key=lambda item: -item.score)
        return combined
