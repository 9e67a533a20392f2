"""The shared rule engine: validation errors that name file/rule/field, matching, scoring."""

from __future__ import annotations

import re

import pytest
from hypothesis import given

from empathic_reply._rules import Rule, RuleSet
from empathic_reply.errors import RuleError
from tests.strategies import hostile_text

DOC = {
    "version": 1,
    "labels": {"complaint": {"kind": "intent"}},
    "rules": [
        {
            "id": "complaint.not_arrived.v1",
            "label": "complaint",
            "patterns": [r"never (arrived|came)", r"still (hasn't|has not) arrived"],
            "context": ["order", "package"],
            "score": 0.6,
            "context_boost": 0.2,
            "exclude": [r"\bif\b[^.]*$"],
        },
        {
            "id": "complaint.again.v1",
            "label": "complaint",
            "patterns": [r"\bagain\b"],
            "score": 0.3,
        },
        {"id": "thanks.v1", "label": "thanks", "patterns": [r"\bthanks?\b"], "score": 0.8},
    ],
}


@pytest.fixture
def rules():
    return RuleSet.from_data(DOC, origin="test.yaml")


def test_match_spans_slice_the_text(rules):
    text = "My package never arrived. Thanks again!"
    for match in rules.find(text):
        assert text[match.start : match.end] == match.text


def test_context_word_raises_the_score(rules):
    near = rules.scores("my package never arrived")[0]
    far = rules.scores("it never arrived")[0]
    assert near.score == pytest.approx(0.8)
    assert far.score == pytest.approx(0.6)


def test_exclude_cancels_a_match(rules):
    assert rules.scores("what if it never arrived") == []


def test_scores_combine_by_noisy_or_and_sort(rules):
    scores = rules.scores("thanks! it never arrived again")
    assert [s.label for s in scores] == ["thanks", "complaint"]  # 0.8 > 0.72
    assert scores[1].score == pytest.approx(1 - (1 - 0.6) * (1 - 0.3))
    assert [e.source for e in scores[1].evidence()] == [
        "complaint.not_arrived.v1",
        "complaint.again.v1",
    ]


def test_case_insensitive_by_default(rules):
    assert rules.scores("NEVER ARRIVED")[0].label == "complaint"


def test_merge_overrides_by_id_and_disables(rules):
    override = RuleSet.from_data(
        {
            "rules": [
                {"id": "thanks.v1", "label": "thanks", "patterns": ["x"], "enabled": False},
                {"id": "praise.v1", "label": "praise", "patterns": [r"\blove\b"], "score": 0.7},
            ]
        }
    )
    merged = rules.merged(override)
    assert [s.label for s in merged.scores("thanks, love it")] == ["praise"]
    assert len(merged) == 3  # the disabled rule no longer runs
    assert len(rules) == 3  # the original is untouched


def test_error_names_file_rule_and_field():
    bad = {
        "rules": [
            {"id": "ok.v1", "label": "x", "patterns": ["a"]},
            {"id": "broken.v1", "label": "x", "patterns": ["a"], "score": 2},
        ]
    }
    with pytest.raises(RuleError, match=r"my_rules\.yaml(.|\n)*rule broken\.v1, field score"):
        RuleSet.from_data(bad, origin="my_rules.yaml")


def test_invalid_regex_is_reported():
    bad = {"rules": [{"id": "re.v1", "label": "x", "patterns": ["(unclosed"]}]}
    with pytest.raises(
        RuleError, match=r"rule re\.v1, field patterns(.|\n)*invalid regular expression"
    ):
        RuleSet.from_data(bad)


def test_unknown_field_is_reported():
    with pytest.raises(RuleError, match="boost"):
        RuleSet.from_data({"rules": [{"id": "a.v1", "label": "x", "patterns": ["a"], "boost": 1}]})


def test_duplicate_ids_are_rejected():
    rule = Rule(id="a.v1", label="x", patterns=["a"])
    with pytest.raises(RuleError, match=r"duplicate rule id 'a\.v1'"):
        RuleSet([rule, rule])


def test_from_path_reads_yaml(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("rules:\n  - id: mine.v1\n    label: praise\n    patterns: ['brilliant']\n")
    assert RuleSet.from_path(path).scores("Brilliant!")[0].label == "praise"


def test_from_path_missing_file_is_a_rule_error(tmp_path):
    with pytest.raises(RuleError, match="cannot read rule file"):
        RuleSet.from_path(tmp_path / "nope.yaml")


@given(hostile_text)
def test_any_text_gives_valid_matches(text):
    rules = RuleSet.from_data(DOC)
    for score in rules.scores(text):
        assert 0.0 <= score.score <= 1.0
        for ev in score.evidence():
            assert text[ev.start : ev.end] == ev.text


def test_global_inline_flag_is_a_clear_rule_error():
    bad = {"rules": [{"id": "flag.v1", "label": "x", "patterns": ["(?i)hello"]}]}
    with pytest.raises(RuleError, match=r"rule flag\.v1, field patterns"):
        RuleSet.from_data(bad, origin="flags.yaml")


# -- pre-filters: the fast path must find exactly what running every pattern finds ----------


def _unfiltered(rules: RuleSet) -> RuleSet:
    """The same rules with every pre-filter off: each rule's whole alternation always runs."""
    plain = RuleSet(rules.rules, labels=rules.labels)
    plain._compiled = [c._replace(needs=None, gates=()) for c in plain._compiled]
    plain._index_rules()
    return plain


MULTI = {
    "rules": [
        {
            "id": "multi.v1",
            "label": "complaint",
            "patterns": [
                r"(?<!\w)(still|been) (waiting|on hold)\b",
                r"\bnever (arrived|came)\b",
                r"(?<!\w)(no|zero) (signal|power)\b",
                r"[$£€]\s?\d+",
            ],
        },
        {"id": "emoji.v1", "label": "sarcasm", "patterns": ["🙄|😒"]},
        {"id": "mark.v1", "label": "question", "patterns": [r"\?"]},
        {"id": "caps.v1", "label": "shout", "patterns": [r"\b[A-Z]{3,}\b"], "case_sensitive": True},
        {"id": "backref.v1", "label": "repeat", "patterns": [r"\b(\w+) \1\b", r"again and again"]},
    ]
}
FILTER_TEXTS = [
    "Still waiting, been on hold, it never arrived! no signal, £ 40 and €5 🙄?",
    "It NEVER came. Zero power. very very bad, again and again",
    "ſtill waiting (long s) and bıll (dotless i)",  # IGNORECASE equates these with s, i
    "İstanbul: never arrived",  # lowers to two characters
    "nothing to see here",
    "",
]


@pytest.mark.parametrize("text", FILTER_TEXTS)
def test_prefilters_change_no_match(text):
    rules = RuleSet.from_data(MULTI)
    assert rules.find(text) == _unfiltered(rules).find(text)


@pytest.mark.parametrize("name", ["intents.yaml", "topics.yaml", "emotions.yaml"])
@pytest.mark.parametrize("text", FILTER_TEXTS)
def test_prefilters_change_no_match_in_shipped_rules(name, text):
    rules = RuleSet.from_package("analysis", name)
    assert rules.find(text) == _unfiltered(rules).find(text)


def test_only_the_patterns_that_can_match_run():
    rules = RuleSet.from_data(MULTI)
    position = next(i for i, c in enumerate(rules._compiled) if c.rule.id == "multi.v1")
    plan = dict(rules._candidates(RuleSet.prepare("it never came")))
    assert plan[position] == (1,)  # one pattern of four: a smaller alternation runs
    ids = {rules._compiled[i].rule.id for i in plan}
    assert ids == {"multi.v1", "caps.v1", "backref.v1"}  # the last two have no literal
    assert rules.find("it never came")[0].text == "never came"


def test_long_s_and_dotless_i_match_like_ignorecase():
    rules = RuleSet.from_data(MULTI)
    assert [m.text for m in rules.find("ſtill waiting")] == ["ſtill waiting"]


def test_prepared_text_is_shared_between_rule_sets():
    text = "Still waiting on my refund 🙄 - WHY??"
    prepared = RuleSet.prepare(text)
    for rules in (RuleSet.from_data(MULTI), RuleSet.from_package("analysis", "intents.yaml")):
        assert rules.find(prepared) == rules.find(text)
        assert rules.scores(prepared) == rules.scores(text)


@given(hostile_text)
def test_prefilters_change_no_match_on_any_text(text):
    for rules in (RuleSet.from_data(MULTI), RuleSet.from_data(DOC)):
        assert rules.find(text) == _unfiltered(rules).find(text)


# -- pre-filters: spelled-out alternations, the shared literal index ------------------------


def test_small_alternations_are_spelled_out_as_literals():
    rules = RuleSet.from_data(
        {"rules": [{"id": "dm.v1", "label": "request", "patterns": [r"(?<!\w)(dm|call) me\b"]}]}
    )
    (gate,) = rules._compiled[0].gates
    assert gate[0] == frozenset({"dm me", "call me"})  # not just " me"
    assert rules._candidates(RuleSet.prepare("tell me more, call my mum")) == []
    assert rules._candidates(RuleSet.prepare("pls DM me")) == [(0, None)]
    assert [m.text for m in rules.find("pls DM me")] == ["DM me"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bnever (arrived|came)\b", {"never arrived", "never came"}),
        (r"(i|we) (need|want)( to)?", {"i need", "i want", "we need", "we want"}),
        (r"[$£€]\s?\d+", {"$", "£", "€"}),  # \s? and \d+ cannot be spelled out
    ],
)
def test_spelled_out_literal_sets(pattern, expected):
    from empathic_reply._rules import _best, _needs, _sre_parser

    assert _best(_needs(_sre_parser.parse(pattern))) == frozenset(expected)


@given(hostile_text)
def test_literal_index_finds_exactly_the_literals_a_text_contains(text):
    from empathic_reply._rules import Prepared, _Literals

    literals = frozenset(
        {"a", "?", "🙄", "dm", "the", "you", "never arrived", "thank", "hank yo", "ſt", "wait"}
    )
    prepared = Prepared(text)
    present = _Literals(literals).present(prepared)
    assert present & literals == {lit for lit in literals if lit in prepared.lowered}


@pytest.mark.parametrize("text", FILTER_TEXTS)
def test_shared_index_picks_the_same_rules_as_each_sets_own(text):
    sets = [RuleSet.from_package("analysis", n) for n in ("intents.yaml", "topics.yaml")]
    sets.append(RuleSet.from_data(MULTI))
    prepared = RuleSet.prepare(text)  # one shared look-up for all three sets
    for rules in sets:
        own = rules._candidates(RuleSet.prepare(text), shared=False)
        assert rules._candidates(prepared) == own


def test_typographic_apostrophe_reads_as_plain():
    rules = RuleSet.from_data(
        {
            "rules": [
                {"id": "a.v1", "label": "late", "patterns": [r"hasn'?t arrived"]},
                {
                    "id": "b.v1",
                    "label": "odd",
                    "patterns": [r"Don't"],  # not foldable: the case-insensitive path
                    "context": ["won't"],
                },
            ]
        }
    )
    text = "My parcel hasn\u2019t arrived. DON\u2019T tell me it won\u2019t come"
    found = {m.rule.id: m for m in rules.find(text)}
    assert found["a.v1"].text == "hasn\u2019t arrived"  # the customer's own characters
    assert found["b.v1"].text == "DON\u2019T"
    assert found["b.v1"].score > 0.6  # the context word matched too
    assert rules.find(RuleSet.prepare(text)) == rules.find(text)


def _shipped_rule_documents():
    from importlib import resources

    import yaml

    root = resources.files("empathic_reply") / "data"
    for folder in ("analysis", "review"):
        for entry in sorted((root / folder).iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".yaml"):
                continue
            document = yaml.safe_load(entry.read_text(encoding="utf-8"))
            if isinstance(document, dict) and "rules" in document:
                keep = {k: v for k, v in document.items() if k in ("version", "labels", "rules")}
                yield f"{folder}/{entry.name}", keep


@pytest.mark.parametrize(("origin", "document"), list(_shipped_rule_documents()))
def test_every_shipped_rule_file_passes_full_validation(origin, document):
    # Shipped files skip test-compiling their patterns on load; this is where they are.
    rules = RuleSet.from_data(document, origin=origin)
    assert len(rules) > 0
    for rule in rules.rules:
        re.compile("|".join(f"(?:{p})" for p in rule.patterns))


def test_patterns_that_do_not_combine_are_a_rule_error():
    doc = {"rules": [{"id": "x.v1", "label": "x", "patterns": ["(?P<n>a)", "(?P<n>b)"]}]}
    with pytest.raises(RuleError, match="do not combine"):
        RuleSet.from_data(doc, origin="mine.yaml")


def test_rules_compile_on_first_use():
    rules = RuleSet.from_data(DOC, origin="test.yaml")
    assert not any(c.ready for c in rules._compiled)
    rules.find("my parcel never arrived, thanks")
    ready = {c.rule.id for c in rules._compiled if c.ready}
    assert ready == {"complaint.not_arrived.v1", "thanks.v1"}  # "again" was never reached


def test_shipped_gate_table_is_complete_and_exact():
    # The table only spares parsing at load; it must say exactly what parsing would say.
    # If this fails after editing a rule file, run: python scripts/build_rule_gates.py
    from empathic_reply._rules import _stored_gates, compute_gate
    from empathic_reply.drafting import _HANDOFF_RULES

    patterns = {p for rule in _HANDOFF_RULES["rules"] for p in rule["patterns"]}
    for _, document in _shipped_rule_documents():
        patterns.update(p for rule in document["rules"] for p in rule["patterns"])
    table = _stored_gates()
    assert set(table) == patterns
    for pattern in patterns:
        gate = compute_gate(pattern)
        stored = table[pattern]
        assert stored == (None if gate is None else [sorted(s) for s in gate]), pattern


def test_patterns_outside_the_table_are_worked_out(monkeypatch):
    from empathic_reply import _rules

    monkeypatch.setattr(_rules, "_stored_gates", dict)
    _rules._prefilter_of.cache_clear()
    try:
        rules = RuleSet.from_data(DOC, origin="test.yaml")
        assert [m.rule.id for m in rules.find("it never arrived")] == ["complaint.not_arrived.v1"]
        assert rules._compiled[0].needs  # a filter was worked out from the patterns
    finally:
        _rules._prefilter_of.cache_clear()
