"""Template packs: human-written reply variants, validated at load and rendered in a sandbox.

A pack is a set of YAML files (see the team's pack format)::

    version: 1
    variants:
      - id: delivery.late.apology.v1      # <situation>.<move>[.<more>].v<N>, unique in the pack
        intents: [complaint]              # required, non-empty
        topics: [delivery]                # optional
        emotions: [frustration]           # optional
        sentiment: [negative]             # optional: negative / neutral / positive
        channel: any                      # public | private | any
        formality: neutral                # casual | neutral | formal
        apology: true                     # the body apologises (never used for praise/thanks)
        requires: [wait]                  # optional variables the body uses unguarded
        body: >-
          {{ greeting }} waiting {{ wait }} for {{ issue }} isn't okay, and I'm sorry.

Optional extra metadata accepted on a variant: ``cues`` (regular expressions, matched
case-insensitively against the customer's message: a variant about something specific, e.g.
"delivered but not here", is only picked when one matches), ``emotion_required`` (``true``
when the body names a feeling, "no wonder you're confused": the variant is only picked when
the analysis found one of its ``emotions`` with a score of at least 0.5), ``notes``
(free text for pack authors) and ``enabled`` (``false`` disables a shipped variant from a user
pack, by id).

Everything is checked when a pack is loaded, not when a customer is waiting: metadata by
pydantic, variables by :func:`jinja2.meta.find_undeclared_variables`, template syntax by
compiling each body once. A body may only use the documented variables, ``if``/``else``
blocks and filters: attribute access, subscripts and calls are rejected at load, and every
body is rendered in an :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with
:class:`~jinja2.StrictUndefined` as a second line of defence. Customer text only ever reaches
a template as a *value*, never as template source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

import jinja2
import yaml
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from empathic_reply._labels import EMOTION_FAMILIES, INTENT_LABELS, TOPIC_LABELS
from empathic_reply._resources import data_text, list_data, parse_yaml
from empathic_reply.errors import RenderError, TemplateError

__all__ = [
    "ALWAYS_VARIABLES",
    "EMOTIONS",
    "INTENTS",
    "OPTIONAL_VARIABLES",
    "TOPICS",
    "BrandVoice",
    "TemplatePack",
    "Variant",
    "VariantSpec",
    "strip_emoji",
]

INTENTS: Final = frozenset((*INTENT_LABELS, "other"))
"""Intent labels a variant may list (the shared vocabulary plus ``other``)."""

TOPICS: Final = frozenset(TOPIC_LABELS)
"""Topic labels a variant may list."""

EMOTIONS: Final = frozenset(EMOTION_FAMILIES)
"""Emotion labels a variant may list."""

ALWAYS_VARIABLES: Final = frozenset({"greeting", "issue", "order", "brand", "channel"})
"""Variables that are always non-empty strings."""

OPTIONAL_VARIABLES: Final = frozenset(
    {"name", "product", "wait", "amount", "date", "deadline", "promised", "agent", "suggestion"}
)
"""Variables that may be empty: guard them with ``{% if x %}`` or list them in ``requires``."""

_ID = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*\.v[0-9]+$")

_GROUP = "templates"

_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27bf"  # misc symbols and dingbats
    "\u2b00-\u2bff"  # arrows and stars used as emoji
    "\ufe0f\u200d"  # variation selector and zero-width joiner
    "]+"
)

_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([,.!?;:])")
_EMPTY_GREETING = re.compile(r"^(?:hi|hey|hello|dear)\s*,", re.IGNORECASE)


def strip_emoji(text: str) -> str:
    """Remove emoji (and the joiners that glue them) from ``text``, tidying spaces."""
    cleaned = _EMOJI.sub("", text)
    cleaned = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", cleaned))
    return "\n".join(line.strip() for line in cleaned.splitlines()).strip()


class BrandVoice(BaseModel):
    """How a team sounds: who signs, how formal, emoji or not.

    Attributes:
        sign_off: Closing line added after every draft, e.g. ``"– Ana at Acme"``. Empty: a
            sign-off is built from ``agent_name`` (``"– Ana"``) or left out.
        agent_name: The agent's name, available to templates as ``agent``.
        brand_name: The brand, available to templates as ``brand`` (default ``"the team"``).
        formality: Preferred register; variants of the same register fit slightly better.
        emoji: When ``False``, emoji are stripped from every rendered body.
        greeting: Greeting style: ``"hi"`` ("Hi Sam,"), ``"hey"`` ("Hey Sam,"),
            ``"hello"`` ("Hello Sam,") or ``"dear"`` ("Dear Sam,"; "Hello there," without a
            name).
        vary_greeting: When ``True`` (default), a variant the team used recently is sent with
            another greeting of the same register ("Hey Sam," / "Sam," after "Hi Sam,"), so
            the public timeline doesn't show the same opening line twice. ``False`` always
            uses ``greeting``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sign_off: str = Field(default="", max_length=120)
    agent_name: str = Field(default="", max_length=60)
    brand_name: str = Field(default="", max_length=60)
    formality: Literal["casual", "neutral", "formal"] = "neutral"
    emoji: bool = True
    greeting: Literal["hi", "hey", "hello", "dear"] = "hi"
    vary_greeting: bool = True

    @field_validator("sign_off", "agent_name", "brand_name")
    @classmethod
    def _no_template_syntax(cls, value: str) -> str:
        value = value.strip()
        if any(token in value for token in ("{{", "{%", "{#")):
            raise ValueError("must not contain template syntax")
        return value

    def signature(self) -> str:
        """The sign-off line to append to drafts ("" for none)."""
        if self.sign_off:
            return self.sign_off
        return f"– {self.agent_name}" if self.agent_name else ""

    def greet(self, name: str) -> str:
        """The greeting for ``name`` (already sanitised; "" for unknown), never "Hi ,"."""
        return self.greetings(name)[0]

    def greetings(self, name: str) -> tuple[str, ...]:
        """Greetings for ``name`` ("" for unknown): the voice's own first, then alternatives.

        The alternatives keep the register: casual and neutral voices rotate between "Hi",
        "Hey", "Hello", the bare name, an exclamation ("Hi!": the body's first word is then
        capitalised) and ``""`` (no greeting: the reply opens with the body's first sentence);
        a formal voice only between "Hello" and its own. The first item always ends with a
        comma; no item is ever "Hi ," or a bare "Hello,".
        """
        return _greetings(self.greeting, self.formality, self.vary_greeting, name)


@lru_cache(maxsize=1024)
def _greetings(style: str, formality: str, vary: bool, name: str) -> tuple[str, ...]:
    words = {"hi": "Hi", "hey": "Hey", "hello": "Hello", "dear": "Dear"}
    if name:
        own = f"{words[style]} {name},"
        others = (
            [f"Hello {name},", f"Hi {name},"]
            if formality == "formal" or style == "dear"
            else [
                f"Hey {name},",
                f"Hi {name},",
                f"{name},",
                f"Hi {name}!",
                f"Hello {name},",
                f"Hey {name}!",
                "",
            ]
        )
    else:
        own = {"hi": "Hi there,", "hey": "Hey there,"}.get(style, "Hello there,")
        others = (
            ["Hello there,", "Hi there,"]
            if formality == "formal" or style == "dear"
            else ["Hey there,", "Hi there,", "Hi!", "Hello there,", "Hey!", "", "Hello!"]
        )
    if not vary:
        return (own,)
    return (own, *[g for g in others if g != own])


class VariantSpec(BaseModel):
    """Metadata and body of one variant, as written in a pack file (validated at load)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    intents: list[str] = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)
    emotions: list[str] = Field(default_factory=list)
    sentiment: list[Literal["negative", "neutral", "positive"]] = Field(default_factory=list)
    channel: Literal["public", "private", "any"] = "any"
    formality: Literal["casual", "neutral", "formal"] = "neutral"
    apology: bool = False
    requires: list[str] = Field(default_factory=list)
    body: str = Field(min_length=1)
    cues: list[str] = Field(default_factory=list)
    emotion_required: bool = False
    notes: str = ""
    enabled: bool = True

    @model_validator(mode="after")
    def _emotion_named(self) -> VariantSpec:
        if self.emotion_required and not self.emotions:
            raise ValueError("emotion_required needs a non-empty emotions list")
        return self

    @field_validator("cues")
    @classmethod
    def _cues_compile(cls, value: list[str]) -> list[str]:
        for cue in value:
            try:
                re.compile(cue)
            except re.error as exc:
                raise ValueError(f"cue {cue!r} is not a valid regular expression: {exc}") from None
        return value

    @field_validator("id")
    @classmethod
    def _versioned(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(
                "must be dotted lowercase words ending in a version, "
                "e.g. 'delivery.late.apology.v1'"
            )
        return value

    @field_validator("intents")
    @classmethod
    def _known_intents(cls, value: list[str]) -> list[str]:
        return _known(value, INTENTS, "intent")

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: list[str]) -> list[str]:
        return _known(value, TOPICS, "topic")

    @field_validator("emotions")
    @classmethod
    def _known_emotions(cls, value: list[str]) -> list[str]:
        return _known(value, EMOTIONS, "emotion")

    @field_validator("requires")
    @classmethod
    def _known_requires(cls, value: list[str]) -> list[str]:
        return _known(value, OPTIONAL_VARIABLES, "optional variable")


def _known(values: list[str], vocabulary: frozenset[str], what: str) -> list[str]:
    unknown = sorted(set(values) - vocabulary)
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; expected any of {sorted(vocabulary)}")
    return values


class _PackFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    variants: list[dict[str, Any]] = Field(default_factory=list)


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    # No globals (range, cycler, joiner, lipsum, namespace, dict): a body sees only our values.
    env.globals.clear()
    return env


_ENV: Final = _environment()


@dataclass(frozen=True, eq=False)
class Variant:
    """A validated, compiled variant ready to render.

    Attributes:
        spec: The metadata and source body.
        origin: The file it came from (for error messages).
        ast: The parsed (and checked) body.
        variables: Every variable the body uses.
        optional_used: The optional variables the body uses (guarded or required).
        id: The versioned variant id (``spec.id``).
    """

    spec: VariantSpec
    origin: str
    ast: nodes.Template
    variables: frozenset[str]
    optional_used: frozenset[str]
    id: str = ""
    _must_fill: tuple[str, ...] = field(default=(), init=False, repr=False)
    _variable_list: tuple[str, ...] = field(default=(), init=False, repr=False)
    _template: jinja2.Template | None = field(default=None, init=False, repr=False)

    @property
    def template(self) -> jinja2.Template:
        """The compiled body (compiled from :attr:`ast` on first use).

        A pack has hundreds of variants and a draft renders a few: compiling each to Python
        code only when it is first rendered keeps loading the pack fast. The body was fully
        checked when it was parsed.
        """
        template = self._template
        if template is None:
            try:
                template = _ENV.from_string(self.ast)
            except jinja2.TemplateError as exc:  # pragma: no cover - parse already succeeded
                raise TemplateError(f"{self._where()}: {exc}") from None
            object.__setattr__(self, "_template", template)
        return template

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", self.spec.id)
        # Precomputed once: the variables that must be non-empty when this body is rendered.
        must_fill = (ALWAYS_VARIABLES | frozenset(self.spec.requires)) & self.variables
        object.__setattr__(self, "_must_fill", tuple(sorted(must_fill)))
        object.__setattr__(self, "_variable_list", tuple(sorted(self.variables)))

    def render(self, values: Mapping[str, str], *, voice: BrandVoice | None = None) -> str:
        """Render the body with ``values``; the result is checked before it is returned.

        Args:
            values: Every variable of the pack format as a ``str`` (always-variables
                non-empty; optional ones may be ``""``).
            voice: The brand voice; emoji are stripped when ``voice.emoji`` is off.

        Returns:
            Plain text with tidy spacing (no sign-off; the drafter adds it).

        Raises:
            RenderError: A value is missing or not a string, a required variable is empty,
                the sandbox refused an operation, or the output still contains template
                syntax, "None", an empty greeting or doubled spaces.
        """
        where = self._where
        for key in self._variable_list:
            value = values.get(key)
            if not isinstance(value, str):
                raise RenderError(f"{where()}: variable {key!r} must be a str, got {value!r}")
        for key in self._must_fill:
            if not values[key].strip():
                raise RenderError(f"{where()}: variable {key!r} is required but empty")
        try:
            text = self.template.render(values)
        except SecurityError as exc:
            raise RenderError(f"{where()}: blocked by the sandbox: {exc}") from None
        except jinja2.TemplateError as exc:
            raise RenderError(f"{where()}: {exc}") from None
        if voice is not None and not voice.emoji:
            text = strip_emoji(text)
        text = tidy(text)
        problem = render_problem(text, source=self.spec.body)
        if problem:
            raise RenderError(f"{where()}: {problem}: {text!r}")
        return text

    def _where(self) -> str:
        return f"variant {self.id!r} ({self.origin})"


def tidy(text: str) -> str:
    """Collapse doubled spaces left by conditional blocks and trim every line."""
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text))
    lines = [line.strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def render_problem(text: str, *, source: str = "") -> str | None:  # noqa: PLR0911 - one exit per problem
    """Describe what is wrong with a rendered text, or ``None`` when it is clean.

    Args:
        text: The rendered text.
        source: The template source; a literal "None" written by the author is allowed.
    """
    if not text.strip():
        return "empty output"
    for token in ("{{", "}}", "{%", "%}", "{#"):
        if token in text:
            return f"template syntax {token!r} left in the output"
    if "None" in text and len(_NONE.findall(text)) > _nones_in(source):
        return "'None' in the output"
    if _EMPTY_GREETING.match(text):
        return "empty greeting"
    if "  " in text:
        return "doubled space"
    if _SPACE_PUNCT.search(text):
        return "space before punctuation (an empty variable?)"
    return None


_NONE: Final = re.compile(r"\bNone\b")
_SPACE_PUNCT: Final = re.compile(r" [,.!?]")
_BLANK_LINES: Final = re.compile(r"\n{3,}")


@lru_cache(maxsize=4096)
def _nones_in(source: str) -> int:
    return len(_NONE.findall(source))


def _names(node: nodes.Node) -> frozenset[str]:
    found = {n.name for n in node.find_all(nodes.Name)}
    if isinstance(node, nodes.Name):
        found.add(node.name)
    return frozenset(found)


def _unguarded(node: nodes.Node, guarded: frozenset[str]) -> Iterator[str]:
    """Yield optional variables used outside an ``{% if var %}`` (or ``var or ...``) guard."""
    if isinstance(node, nodes.Name) and node.ctx == "load":
        if node.name in OPTIONAL_VARIABLES and node.name not in guarded:
            yield node.name
        return
    if isinstance(node, nodes.If):
        tested = _names(node.test)
        yield from _unguarded(node.test, guarded | tested)
        for child in node.body:
            yield from _unguarded(child, guarded | tested)
        for child in node.elif_:
            yield from _unguarded(child, guarded | tested)
        for child in node.else_:
            yield from _unguarded(child, guarded)
        return
    if isinstance(node, nodes.CondExpr):
        tested = _names(node.test)
        yield from _unguarded(node.test, guarded | tested)
        yield from _unguarded(node.expr1, guarded | tested)
        if node.expr2 is not None:
            yield from _unguarded(node.expr2, guarded)
        return
    if isinstance(node, nodes.Or):
        # `product or "it"`: the left side is its own guard.
        tested = _names(node.left)
        yield from _unguarded(node.left, guarded | tested)
        yield from _unguarded(node.right, guarded)
        return
    for child in node.iter_child_nodes():
        yield from _unguarded(child, guarded)


_ALLOWED_FILTERS: Final = frozenset(
    {"capitalize", "default", "d", "lower", "title", "trim", "upper"}
)

_FORBIDDEN_NODES: Final = (nodes.Getattr, nodes.Getitem, nodes.Call, nodes.Import, nodes.FromImport)


def compile_variant(spec: VariantSpec, origin: str) -> Variant:
    """Compile and statically check one variant.

    Raises:
        TemplateError: Syntax error, unknown or forbidden constructs, or an optional variable
            used unguarded without being listed in ``requires``; the message names the file
            and variant.
    """
    where = f"{origin}: variant {spec.id!r}"
    try:
        ast = _ENV.parse(spec.body)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{where}: template syntax error on line {exc.lineno}: {exc.message}"
        ) from None
    for bad in ast.find_all(_FORBIDDEN_NODES):
        kind = type(bad).__name__.lower()
        raise TemplateError(
            f"{where}: {kind} is not allowed in a body (use plain variables, "
            "if/else blocks and filters only)"
        )
    for stmt in ast.find_all((nodes.Assign, nodes.AssignBlock, nodes.For, nodes.Macro)):
        raise TemplateError(f"{where}: '{type(stmt).__name__.lower()}' is not allowed in a body")
    used = frozenset(meta.find_undeclared_variables(ast))
    unknown = sorted(used - ALWAYS_VARIABLES - OPTIONAL_VARIABLES)
    if unknown:
        raise TemplateError(
            f"{where}: unknown variable(s) {unknown}; known: "
            f"{sorted(ALWAYS_VARIABLES | OPTIONAL_VARIABLES)}"
        )
    missing_required = sorted(set(spec.requires) - used)
    if missing_required:
        raise TemplateError(f"{where}: requires {missing_required} but the body never uses it")
    loose = sorted(set(_unguarded(ast, frozenset(spec.requires))))
    if loose:
        raise TemplateError(
            f"{where}: optional variable(s) {loose} used without a guard; wrap them in "
            "'{% if x %}...{% endif %}' or list them in 'requires'"
        )
    for used_filter in ast.find_all(nodes.Filter):
        if used_filter.name not in _ALLOWED_FILTERS:
            raise TemplateError(
                f"{where}: filter {used_filter.name!r} is not allowed; use one of "
                f"{sorted(_ALLOWED_FILTERS)}"
            )
    return Variant(
        spec=spec,
        origin=origin,
        ast=ast,
        variables=used,
        optional_used=used & OPTIONAL_VARIABLES,
    )


def _format_validation(origin: str, variant_id: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "<variant>"
        message = "missing field" if error["type"] == "missing" else error["msg"]
        problems.append(f"field {field!r}: {message}")
    return f"{origin}: variant {variant_id!r}: " + "; ".join(problems)


def parse_pack(document: Any, *, origin: str) -> list[Variant]:
    """Validate and compile every variant of one parsed pack file.

    Raises:
        TemplateError: The file or a variant is invalid (the message names file, variant and
            problem), or two variants in the file share an id.
    """
    if not isinstance(document, dict):
        raise TemplateError(f"{origin}: expected a mapping with 'version' and 'variants'")
    try:
        pack = _PackFile.model_validate(document)
    except ValidationError as exc:
        raise TemplateError(_format_validation(origin, "<file>", exc)) from None
    variants: list[Variant] = []
    seen: set[str] = set()
    for index, raw in enumerate(pack.variants):
        variant_id = str(raw.get("id", f"#{index + 1}")) if isinstance(raw, dict) else f"#{index}"
        try:
            spec = VariantSpec.model_validate(raw)
        except ValidationError as exc:
            raise TemplateError(_format_validation(origin, variant_id, exc)) from None
        if spec.id in seen:
            raise TemplateError(f"{origin}: variant {spec.id!r}: duplicate id")
        seen.add(spec.id)
        variants.append(compile_variant(spec, origin))
    return variants


def _parse_yaml(text: str, origin: str) -> Any:
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        raise TemplateError(f"{origin}: invalid YAML: {exc}") from None


class TemplatePack:
    """An immutable, validated set of variants, addressable by id.

    Build one with :meth:`default` (the shipped pack), :meth:`from_folder` (a user pack) or
    :meth:`from_variants`; combine with :meth:`merged` and :meth:`disabled`.

    Args:
        variants: Compiled variants; ids must be unique. Disabled specs are dropped.

    Raises:
        TemplateError: Two variants from different files share an id.
    """

    def __init__(self, variants: Iterable[Variant]) -> None:
        self._variants: dict[str, Variant] = {}
        for variant in variants:
            previous = self._variants.get(variant.id)
            if previous is not None:
                raise TemplateError(
                    f"{variant.origin}: variant {variant.id!r}: duplicate id "
                    f"(also in {previous.origin})"
                )
            self._variants[variant.id] = variant
        self._disabled_ids = frozenset(i for i, v in self._variants.items() if not v.spec.enabled)

    # -- construction -----------------------------------------------------------------

    @classmethod
    def default(cls) -> TemplatePack:
        """The shipped pack (every ``*.yaml`` in ``empathic_reply/data/templates``).

        Loaded and compiled once per process; packs are immutable, so it is shared.
        """
        return _default_pack()

    @classmethod
    def _load_default(cls) -> TemplatePack:
        variants: list[Variant] = []
        for name in list_data(_GROUP):
            if name.endswith((".yaml", ".yml")):
                origin = f"{_GROUP}/{name}"
                variants.extend(
                    parse_pack(_parse_yaml(data_text(_GROUP, name), origin), origin=origin)
                )
        return cls(variants)

    @classmethod
    def from_folder(cls, path: str | Path) -> TemplatePack:
        """Load every ``*.yaml``/``*.yml`` file of a folder (sorted by name) as one pack.

        Raises:
            TemplateError: The folder is missing, or a file is invalid.
        """
        folder = Path(path)
        if not folder.is_dir():
            raise TemplateError(f"{folder}: not a folder of template files")
        variants: list[Variant] = []
        for file in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                text = file.read_text(encoding="utf-8")
            except OSError as exc:
                raise TemplateError(f"{file}: cannot read: {exc}") from None
            variants.extend(parse_pack(_parse_yaml(text, str(file)), origin=str(file)))
        return cls(variants)

    @classmethod
    def from_text(cls, text: str, *, origin: str = "<text>") -> TemplatePack:
        """Load a pack from the text of one YAML file (handy in tests and notebooks)."""
        return cls(parse_pack(_parse_yaml(text, origin), origin=origin))

    # -- combination ------------------------------------------------------------------

    def merged(self, other: TemplatePack) -> TemplatePack:
        """A new pack with ``other``'s variants added; a variant with the same id replaces.

        A variant with ``enabled: false`` in ``other`` disables the shipped one.
        """
        combined = dict(self._variants)
        combined.update(other._variants)
        return TemplatePack(combined.values())

    def disabled(self, ids: Iterable[str]) -> TemplatePack:
        """A new pack without the variants whose ids are given (unknown ids are an error).

        Raises:
            TemplateError: An id is not in the pack (a typo would silently do nothing).
        """
        drop = set(ids)
        unknown = sorted(drop - set(self._variants))
        if unknown:
            raise TemplateError(f"cannot disable unknown variant id(s) {unknown}")
        return TemplatePack(v for i, v in self._variants.items() if i not in drop)

    def without(self, *ids: str) -> TemplatePack:
        """Same as :meth:`disabled`, with ids as arguments."""
        return self.disabled(ids)

    # -- queries ----------------------------------------------------------------------

    @property
    def variants(self) -> list[Variant]:
        """The enabled variants, in load order."""
        return [v for i, v in self._variants.items() if i not in self._disabled_ids]

    def __getitem__(self, variant_id: str) -> Variant:
        return self._variants[variant_id]

    def __contains__(self, variant_id: object) -> bool:
        return variant_id in self._variants and variant_id not in self._disabled_ids

    def __len__(self) -> int:
        return len(self._variants) - len(self._disabled_ids)

    def __iter__(self) -> Iterator[Variant]:
        return iter(self.variants)

    def __repr__(self) -> str:
        return f"TemplatePack({len(self)} variants)"


@lru_cache(maxsize=1)
def _default_pack() -> TemplatePack:
    return TemplatePack._load_default()
