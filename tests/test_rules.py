"""The shared rule engine: validation errors that name file/rule/field, matching, scoring."""

from __future__ import annotations

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
