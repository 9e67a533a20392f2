"""VADER's ``polarity_scores`` with the same results, minus two avoidable costs.

``vaderSentiment`` (MIT licence, C.J. Hutto) spends a large share of each call on work that
does not change the scores of most texts:

* it rebuilds the text character by character to replace emoji by their descriptions,
  although most messages contain no emoji from its table;
* its negation check lower-cases every word of the text again for each sentiment word and
  each of the three words before it (quadratic in the text length);
* it calls its per-word scorer for every word, although a word outside its lexicon always
  scores 0.

:func:`fast_analyser` returns a ``SentimentIntensityAnalyzer`` subclass that skips the
rebuild when no character of the text is in the emoji table, lower-cases the words once
per call and scores words outside the lexicon 0 directly. Everything else is VADER's own
code, so the scores are identical (the tests compare both on hand-written and generated
text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["fast_analyser"]

_MAX_WORDS = 50_000  # remembered negation verdicts (words) before the memo starts again


def fast_analyser() -> Callable[[str], dict[str, float]]:
    """A new VADER analyser's ``polarity_scores``, sped up without changing any result."""
    from vaderSentiment import vaderSentiment as vader  # noqa: N813

    base: Any = vader.SentimentIntensityAnalyzer

    class _Fast(base):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            # Only single characters are looked up by VADER's emoji loop.
            self._emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)
            self._lowered: tuple[object, list[str]] = (None, [])

        def polarity_scores(self, text: str) -> dict[str, float]:
            if not self._emoji_chars.isdisjoint(text):
                scores: dict[str, float] = super().polarity_scores(text)
                return scores
            # The rest is VADER's polarity_scores after its emoji loop, which would have
            # copied the text unchanged.
            text = text.strip()
            sentitext = vader.SentiText(text)
            sentiments: list[float] = []
            words_and_emoticons = sentitext.words_and_emoticons
            lexicon = self.lexicon
            boosters = vader.BOOSTER_DICT
            for i, item in enumerate(words_and_emoticons):
                valence = 0
                lowered = item.lower()
                if lowered in boosters:
                    sentiments.append(valence)
                    continue
                if (
                    i < len(words_and_emoticons) - 1
                    and lowered == "kind"
                    and words_and_emoticons[i + 1].lower() == "of"
                ):
                    sentiments.append(valence)
                    continue
                if lowered not in lexicon:
                    # sentiment_valence appends the valence unchanged for such a word
                    sentiments.append(valence)
                    continue
                sentiments = self.sentiment_valence(valence, sentitext, item, i, sentiments)
            sentiments = self._but_check(words_and_emoticons, sentiments)
            result: dict[str, float] = self.score_valence(sentiments, text)
            return result

        def _negation_check(
            self, valence: float, words_and_emoticons: list[str], start_i: int, i: int
        ) -> float:
            # VADER lower-cases the whole word list on every call; keep the last one. The
            # slot is one tuple, read and replaced atomically, so threads cannot mix lists.
            seen, lowered = self._lowered
            if seen is not words_and_emoticons:
                lowered = [str(w).lower() for w in words_and_emoticons]
                self._lowered = (words_and_emoticons, lowered)
            return _negation(valence, lowered, start_i, i)

    negations: dict[str, bool] = {}

    def negated(word: str) -> bool:
        # vader.negated([word]) for one lower-cased word, remembered (bounded).
        found = negations.get(word)
        if found is None:
            if len(negations) >= _MAX_WORDS:
                negations.clear()
            found = negations[word] = bool(vader.negated([word]))
        return found

    def _negation(valence: float, lowered: list[str], start_i: int, i: int) -> float:
        # VADER's _negation_check, given the lower-cased words.
        scalar = vader.N_SCALAR
        if start_i == 0 and negated(lowered[i - (start_i + 1)]):
            valence = valence * scalar
        if start_i == 1:
            if lowered[i - 2] == "never" and (lowered[i - 1] == "so" or lowered[i - 1] == "this"):
                valence = valence * 1.25
            elif lowered[i - 2] == "without" and lowered[i - 1] == "doubt":
                pass
            elif negated(lowered[i - (start_i + 1)]):
                valence = valence * scalar
        if start_i == 2:
            if (
                lowered[i - 3] == "never" and (lowered[i - 2] == "so" or lowered[i - 2] == "this")
            ) or (lowered[i - 1] == "so" or lowered[i - 1] == "this"):
                valence = valence * 1.25
            elif lowered[i - 3] == "without" and (
                lowered[i - 2] == "doubt" or lowered[i - 1] == "doubt"
            ):
                pass
            elif negated(lowered[i - (start_i + 1)]):
                valence = valence * scalar
        return valence

    analyser: Callable[[str], dict[str, float]] = _Fast().polarity_scores
    return analyser
