"""Topic detection: what a message is about, as rules with evidence."""

from __future__ import annotations

from empathic_reply._labels import TOPIC_LABELS
from empathic_reply._rules import Prepared, RuleSet
from empathic_reply._trusted import trusted
from empathic_reply.models import Topic

__all__ = ["TOPIC_LABELS", "TopicDetector"]

"""The shipped topic vocabulary; user rules may add labels of their own."""

_MIN_SCORE = 0.3


class TopicDetector:
    """Find topics with the rules of ``data/analysis/topics.yaml`` (plus user rules).

    Args:
        rules: The topic rules (already merged with any user rules).
    """

    def __init__(self, *, rules: RuleSet) -> None:
        self.rules = rules

    def detect(self, text: str | Prepared) -> list[Topic]:
        """Topics of ``text``, most likely first.

        Args:
            text: The message, or the message prepared by :meth:`RuleSet.prepare`.

        Returns:
            Topics with a score in [0, 1] (higher is surer; noisy-or of every matching rule)
            of at least 0.3, each with the matched spans as evidence.
        """
        return [
            trusted(Topic, label=item.label, score=round(item.score, 4), evidence=item.evidence())
            for item in self.rules.scores(text)
            if item.score >= _MIN_SCORE
        ]
