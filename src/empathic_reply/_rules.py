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
each of a few sets, e.g. one of "still"/"been" and one of "waiting"/"on hold"). A rule runs
only when the lowered text contains them (found through the text's trigrams, then confirmed
by substring tests), and then as an alternation of only those of its patterns that can
match. A text searched by several rule sets is prepared once (:meth:`RuleSet.prepare`):
lowered and indexed a single time. None of this changes any match (the tests compare with
running every pattern).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Container, Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from empathic_reply._resources import load_yaml, parse_yaml
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
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                # Patterns are joined into one alternation, so each must also compile as a
                # group: a global inline flag such as "(?i)" is only valid at the very start.
                re.compile(f"(?:{pattern})")
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
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
    pattern: re.Pattern[str]
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


_MAX_SUBSETS = 256  # compiled pattern subsets kept per rule set (then the cache restarts)
_BACKREF = re.compile(r"\\[1-9]|\(\?P=")
_ESCAPE = re.compile(r"\\.", re.DOTALL)
# Characters that ``re.IGNORECASE`` equates with an ASCII letter but that ``str.lower``
# leaves alone ("ı" ~ "i", "ſ" ~ "s"): text containing them is matched the slow, exact way.
_UNFOLDED = re.compile("[\u0131\u017f]")


class Prepared:
    """A text prepared once for many rule sets: its lowered form and its trigrams.

    Build one per message with :meth:`RuleSet.prepare` (or ``Prepared(text)``) and pass it
    to :meth:`RuleSet.find` / :meth:`RuleSet.scores` of every rule set instead of the text:
    the lowered text and the trigram set are then computed once, not once per rule set.

    Attributes:
        text: The text.
        lowered: ``text.lower()``.
        aligned: Whether ``lowered`` has the same character offsets as ``text`` and matches
            case-insensitive patterns exactly as ``text`` does under ``re.IGNORECASE``
            (pre-filters and lower-case matching are used only then).
    """

    __slots__ = ("_trigrams", "aligned", "lowered", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = text.lower()
        self.aligned = len(self.lowered) == len(text) and (
            text.isascii() or _UNFOLDED.search(text) is None
        )
        self._trigrams: frozenset[str] | None = None

    @property
    def trigrams(self) -> frozenset[str]:
        """Every three-character substring of :attr:`lowered` (computed on first use)."""
        if self._trigrams is None:
            low = self.lowered
            self._trigrams = frozenset([low[i : i + 3] for i in range(len(low) - 2)])
        return self._trigrams


def _foldable(patterns: Sequence[str]) -> bool:
    """Whether the patterns match lowered text as they match any text under IGNORECASE."""
    return all(not any(c.isupper() for c in _ESCAPE.sub("", p)) for p in patterns)


def _best(options: Sequence[frozenset[str]]) -> frozenset[str]:
    # The set whose shortest string is longest filters best.
    return max(options, key=lambda strings: (min(map(len, strings)), -len(strings)))


def _needs(items: Any) -> list[frozenset[str]] | None:
    """Sets of literal strings such that every match contains one string of each set.

    ``None`` when no such set is known.
    """
    options: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            options.append(frozenset({"".join(run)}))
        run.clear()

    for op, av in items:
        if op is _sre_constants.LITERAL:
            run.append(chr(av).lower())
            continue
        if op is _sre_constants.AT:  # zero-width (\b, ^, $): keeps the literal run
            continue
        flush()
        sub: list[frozenset[str]] | None = None
        if op is _sre_constants.SUBPATTERN:
            sub = _needs(av[-1])
        elif op is _sre_constants.BRANCH:
            alternatives = [_needs(alt) for alt in av[1]]
            if all(alt is not None for alt in alternatives):
                sub = [frozenset().union(*(_best(alt) for alt in alternatives if alt))]
        elif op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT) and av[0] >= 1:
            sub = _needs(av[2])
        elif op is _sre_constants.IN and all(o is _sre_constants.LITERAL for o, _ in av):
            sub = [frozenset(chr(code).lower() for _, code in av)]  # e.g. "🙄|😒" or [$£€]
        if sub:
            options.extend(sub)
    flush()
    return options or None


def _prefilter(
    patterns: Sequence[str],
) -> tuple[frozenset[str] | None, tuple[tuple[frozenset[str], ...], ...]]:
    """``needs`` and ``gates`` of :class:`_Compiled` for these patterns.

    ``gates`` has one entry per pattern: sets of lower-case literal strings of which a
    match of that pattern contains one each, the most selective set first (sets with a
    literal shorter than three characters only when the pattern has no other).
    ``needs`` is the first three characters of every literal of those first sets.
    """
    gates: list[tuple[frozenset[str], ...]] = []
    for pattern in patterns:
        try:
            found = _needs(_sre_parser.parse(pattern, re.IGNORECASE))
        except Exception:  # the private parser may change between versions: no filter then
            return None, ()
        if found is None:
            return None, ()
        long = [s for s in found if min(map(len, s)) >= 3]
        if not long:
            gates.append((_best(found),))
            continue
        best = _best(long)
        rest = set(long) - {best}
        gates.append((best, *sorted(rest, key=lambda s: (len(s), sorted(s)))))
    needs = frozenset(literal[:3] for gate in gates for literal in gate[0])
    return needs, tuple(gates)


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
        # literal of a pattern's first gate set -> (rule position, pattern position, the
        # pattern's other gate sets)
        self._by_literal: dict[str, list[tuple[int, int, tuple[frozenset[str], ...]]]] = {}
        long: dict[str, set[str]] = {}  # gate literals over three characters by first trigram
        three: set[str] = set()  # gate literals of exactly three characters
        short: set[str] = set()  # gate literals under three characters
        for position, compiled in enumerate(self._compiled):
            if compiled.needs is None:
                self._always.append(position)
                continue
            for number, gate in enumerate(compiled.gates):
                for literal in gate[0]:
                    self._by_literal.setdefault(literal, []).append((position, number, gate[1:]))
                for literals in gate:
                    for literal in literals:
                        if len(literal) < 3:
                            short.add(literal)
                        elif len(literal) == 3:
                            three.add(literal)
                        else:
                            long.setdefault(literal[:3], set()).add(literal)
        self._short = tuple(sorted(short))  # tested as substrings of every text
        self._three = frozenset(three)  # present when the text has the trigram
        self._long = {key: tuple(sorted(value)) for key, value in long.items()}
        self._long_keys = frozenset(self._long)  # trigram hit, then a substring test
        self._keys = self._three | self._long_keys
        self._leads = frozenset(self._by_literal)
        self._pattern_counts = [len(c.rule.patterns) for c in self._compiled]
        # Rules whose patterns must always run together (numbered back-references).
        self._whole = frozenset(
            position
            for position, compiled in enumerate(self._compiled)
            if any(_BACKREF.search(p) for p in compiled.rule.patterns)
        )
        self._subsets: dict[tuple[int, tuple[int, ...]], re.Pattern[str]] = {}

    @staticmethod
    def _compile(rule: Rule) -> _Compiled:
        flags = 0 if rule.case_sensitive else re.IGNORECASE
        needs, gates = _prefilter(rule.patterns)
        return _Compiled(
            rule=rule,
            pattern=_alternation(rule.patterns, flags),
            context=_words(rule.context, re.IGNORECASE) if rule.context else None,
            exclude=_alternation(rule.exclude, re.IGNORECASE) if rule.exclude else None,
            folded=(
                _alternation(rule.patterns, 0)
                if not rule.case_sensitive and _foldable(rule.patterns)
                else None
            ),
            needs=needs,
            gates=gates,
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
        try:
            parsed = RuleFile.model_validate(document)
        except ValidationError as exc:
            raise RuleError(_format_error(origin, document, exc)) from None
        return cls(parsed.rules, labels=parsed.labels)

    @classmethod
    def from_package(cls, *parts: str) -> RuleSet:
        """Load a rule file shipped in ``empathic_reply/data``."""
        return cls.from_data(load_yaml(*parts), origin="/".join(parts))

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

    def _candidates(self, prepared: Prepared) -> list[tuple[int, tuple[int, ...] | None]]:
        """The rules whose pre-filters pass on ``prepared``, in rule order.

        A rule with literal gates runs only when, for one of its patterns, the lowered text
        contains a literal of each of that pattern's sets (found via the text's trigrams,
        then confirmed by a substring test; literals under three characters are tested as
        substrings directly).

        Returns:
            ``(position, patterns)`` per rule to run: ``patterns`` are the positions of the
            rule's patterns whose gates pass (the others cannot match anywhere in the text),
            or ``None`` for all of them.
        """
        compiled = self._compiled
        if not prepared.aligned:
            return [(i, None) for i in range(len(compiled))]
        chosen: list[tuple[int, tuple[int, ...] | None]] = [(i, None) for i in self._always]
        present = self._present(prepared) if self._by_literal else None
        if not present:
            return chosen
        by_literal = self._by_literal
        passing: dict[int, set[int]] = {}
        for literal in present & self._leads:
            for position, number, rest in by_literal[literal]:
                for literals in rest:  # the pattern's other sets must hit too
                    if literals.isdisjoint(present):
                        break
                else:
                    if position in passing:
                        passing[position].add(number)
                    else:
                        passing[position] = {number}
        counts = self._pattern_counts
        whole = self._whole
        for position, numbers in passing.items():
            if len(numbers) == counts[position] or position in whole:
                chosen.append((position, None))
            else:
                chosen.append((position, tuple(sorted(numbers))))
        chosen.sort()
        return chosen

    def _present(self, prepared: Prepared) -> set[str]:
        """The gate literals that occur in the lowered text."""
        contains = prepared.lowered.__contains__
        hits = self._keys & prepared.trigrams  # one pass over the text's trigrams
        present = set(self._three & hits)
        # filter/map/chain keep these loops in C: much cheaper than Python for-loops.
        present.update(filter(contains, self._short))
        present.update(
            filter(
                contains,
                chain.from_iterable(map(self._long.__getitem__, self._long_keys & hits)),
            )
        )
        return present

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
            rule = compiled.rule
            parts = [rule.patterns[n] for n in patterns]
            if compiled.folded is not None:
                found = _alternation(parts, 0)
            else:
                found = _alternation(parts, 0 if rule.case_sensitive else re.IGNORECASE)
            if len(self._subsets) >= _MAX_SUBSETS:
                self._subsets.clear()
            self._subsets[key] = found
        return found

    def find(self, text: str | Prepared, *, only: Container[str] | None = None) -> list[Match]:
        """Every match of every enabled rule, ordered by position then rule order.

        Args:
            text: The text to search, or the text prepared by :meth:`prepare` (faster when
                several rule sets search the same text).
            only: Run only the rules with these ids, skipping the pre-filters (the caller
                has made its own cheap pre-checks); ``None`` runs every enabled rule whose
                pre-filter (literal strings every match must contain) passes.
        """
        prepared = text if isinstance(text, Prepared) else Prepared(text)
        text = prepared.text
        lowered = prepared.lowered
        aligned = prepared.aligned
        plan: list[tuple[_Compiled, re.Pattern[str] | None]]
        if only is None:
            plan = [
                (self._compiled[i], None if patterns is None else self._subset(i, patterns))
                for i, patterns in self._candidates(prepared)
            ]
        else:
            plan = [(c, None) for c in self._compiled if c.rule.id in only]
        matches: list[Match] = []
        for compiled, subset in plan:
            if aligned and compiled.folded is not None:
                found = (subset or compiled.folded).finditer(lowered)
            else:
                found = (subset or compiled.pattern).finditer(text)
            rule = compiled.rule
            for m in found:
                start, end = m.span()
                if start == end:
                    continue
                if compiled.exclude is not None and compiled.exclude.search(
                    text, max(0, start - rule.window), start
                ):
                    continue
                score = rule.score
                if compiled.context is not None and compiled.context.search(
                    text, max(0, start - rule.window), min(len(text), end + rule.window)
                ):
                    score = min(_MAX_SCORE, score + rule.context_boost)
                matches.append(Match(rule, start, end, text[start:end], score))
        matches.sort(key=lambda match: (match.start, match.end))
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
