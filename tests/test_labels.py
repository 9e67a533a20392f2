"""One vocabulary: the shipped rule files and template validation agree with `_labels`."""

from __future__ import annotations

from empathic_reply._labels import EMOTION_FAMILIES, INTENT_LABELS, TOPIC_LABELS
from empathic_reply._resources import load_yaml
from empathic_reply.templates import EMOTIONS, INTENTS, TOPICS


def test_emotion_rule_file_agrees_with_the_families():
    table = load_yaml("analysis", "emotions.yaml")["labels"]
    assert {label: meta["family"] for label, meta in table.items()} == dict(EMOTION_FAMILIES)


def test_every_shipped_rule_label_is_in_the_vocabulary():
    intents = {r["label"] for r in load_yaml("analysis", "intents.yaml")["rules"]}
    topics = {r["label"] for r in load_yaml("analysis", "topics.yaml")["rules"]}
    assert intents <= set(INTENT_LABELS)
    assert topics <= set(TOPIC_LABELS)


def test_template_validation_uses_the_same_vocabulary():
    assert {*INTENT_LABELS, "other"} == INTENTS
    assert set(TOPIC_LABELS) == TOPICS
    assert set(EMOTION_FAMILIES) == EMOTIONS
