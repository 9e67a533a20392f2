"""VADER's ``polarity_scores`` (and its compound score alone) with the same results, faster.

``vaderSentiment`` (MIT licence, C.J. Hutto) spends most of each call on work that does not
change the scores:

* it rebuilds the text character by character to replace emoji by their descriptions,
  although most messages contain no emoji from its table;
* it lower-cases each word again for every check that reads it, and its negation and idiom
  checks lower-case every word of the text again for each sentiment word and each of the
  three words before it (quadratic in the text length);
* it calls its per-word scorer, and its helpers, through methods for every word, although a
  word outside its lexicon always scores 0;
* it strips punctuation from every word, although a word of letters and digits has none;
* it runs its "but" check and its score summary (punctuation emphasis, rounding) even when
  no word of the text is in its lexicon, where the result is always the same: compound 0.0,
  ``neu`` 1.0 (0.0 for a text without words).

This module re-states VADER's word scoring (``SentiText``, ``sentiment_valence`` and the
booster, negation, idiom and "least" checks it calls) over words lower-cased once, with the
emoji rebuild only for text that holds an emoji of its table, and keeps VADER's own "but"
check and score summary. :func:`fast_analyser` gives ``polarity_scores``;
:func:`fast_compound` gives ``polarity_scores(text)["compound"]`` without computing the
``neg`` / ``neu`` / ``pos`` shares. Both give VADER's exact results (the tests compare them
with ``vaderSentiment`` on hand-written and generated text).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

__all__ = ["fast_analyser", "fast_compound"]

# VADER's polarity_scores of a text none of whose words is in its lexicon (with / without words).
_NO_SENTIMENT: dict[str, float] = {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}
_EMPTY: dict[str, float] = {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}

_Valences = Callable[[str], "tuple[list[float], str, bool]"]


def _valences() -> tuple[Any, _Valences]:  # noqa: PLR0915 - VADER's word scoring, restated
    """A new VADER analyser and its word scoring: text -> (word valences, text, any scored).

    The valences are VADER's ``sentiments`` list after its "but" check and the text is the
    one VADER summarises (emoji replaced by their descriptions, stripped). When no word is in
    the lexicon (the third item is false) the valences are all 0 and the "but" check is
    skipped: it changes nothing then. (No booster word is in VADER's lexicon; were one added,
    it would still score 0, as in VADER.)
    """
    from vaderSentiment import vaderSentiment as vader  # noqa: N813

    analyser: Any = vader.SentimentIntensityAnalyzer()
    lexicon: dict[str, float] = analyser.lexicon
    emojis: dict[str, str] = analyser.emojis
    # Only single characters are looked up by VADER's emoji loop.
    emoji_chars = frozenset(k for k in emojis if len(k) == 1)
    boosters: dict[str, float] = vader.BOOSTER_DICT
    special: dict[str, float] = vader.SPECIAL_CASES
    negations = frozenset(vader.NEGATE)
    n_scalar: float = vader.N_SCALAR
    c_incr: float = vader.C_INCR
    punctuation = string.punctuation
    but_check = vader.SentimentIntensityAnalyzer._but_check

    def without_emoji(text: str) -> str:
        # VADER's emoji loop, verbatim (only run when the text holds one of its emoji).
        parts: list[str] = []
        prev_space = True
        for char in text:
            if char in emojis:
                if not prev_space:
                    parts.append(" ")
                parts.append(emojis[char])
                prev_space = False
            else:
                parts.append(char)
                prev_space = char == " "
        return "".join(parts)

    def strip_word(token: str) -> str:
        # SentiText._strip_punc_if_word; a word of letters and digits has no punctuation.
        if token.isalnum():
            return token
        stripped = token.strip(punctuation)
        return token if len(stripped) <= 2 else stripped

    def negated(lowered: str) -> bool:
        # vader.negated([word]) for one lower-cased word.
        word = lowered.lower()
        return word in negations or "n't" in word

    def negation_check(valence: float, low: list[str], start_i: int, i: int) -> float:
        # SentimentIntensityAnalyzer._negation_check, given the lower-cased words.
        if start_i == 0 and negated(low[i - 1]):
            valence = valence * n_scalar
        if start_i == 1:
            if low[i - 2] == "never" and (low[i - 1] == "so" or low[i - 1] == "this"):
                valence = valence * 1.25
            elif low[i - 2] == "without" and low[i - 1] == "doubt":
                pass
            elif negated(low[i - 2]):
                valence = valence * n_scalar
        if start_i == 2:
            if (low[i - 3] == "never" and (low[i - 2] == "so" or low[i - 2] == "this")) or (
                low[i - 1] == "so" or low[i - 1] == "this"
            ):
                valence = valence * 1.25
            elif low[i - 3] == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
                pass
            elif negated(low[i - 3]):
                valence = valence * n_scalar
        return valence

    # Every word of VADER's multi-word idioms and boosters ("the shit", "kind of").
    idiom_words = frozenset(
        word for key in (*special, *boosters) if " " in key for word in key.split(" ")
    )

    def idioms_check(valence: float, low: list[str], i: int) -> float:
        # SentimentIntensityAnalyzer._special_idioms_check, given the lower-cased words.
        onezero = f"{low[i - 1]} {low[i]}"
        twoonezero = f"{low[i - 2]} {low[i - 1]} {low[i]}"
        twoone = f"{low[i - 2]} {low[i - 1]}"
        threetwoone = f"{low[i - 3]} {low[i - 2]} {low[i - 1]}"
        threetwo = f"{low[i - 3]} {low[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in special:
                valence = special[seq]
                break
        if len(low) - 1 > i:
            zeroone = f"{low[i]} {low[i + 1]}"
            if zeroone in special:
                valence = special[zeroone]
        if len(low) - 1 > i + 1:
            zeroonetwo = f"{low[i]} {low[i + 1]} {low[i + 2]}"
            if zeroonetwo in special:
                valence = special[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in boosters:
                valence = valence + boosters[n_gram]
        return valence

    def word_valence(  # noqa: PLR0912 - one branch per VADER check
        words: list[str], low: list[str], i: int, is_cap_diff: bool, base: float
    ) -> float:
        # SentimentIntensityAnalyzer.sentiment_valence for a lexicon word (``base`` its valence).
        item = words[i]
        lowered = low[i]
        last = len(words) - 1
        valence = base
        if lowered == "no" and i != last and low[i + 1] in lexicon:
            valence = 0.0
        if (
            (i > 0 and low[i - 1] == "no")
            or (i > 1 and low[i - 2] == "no")
            or (i > 2 and low[i - 3] == "no" and low[i - 1] in ("or", "nor"))
        ):
            valence = base * n_scalar
        if is_cap_diff and item.isupper():
            if valence > 0:
                valence += c_incr
            else:
                valence -= c_incr
        for start_i in range(3):
            if i > start_i and low[i - (start_i + 1)] not in lexicon:
                # scalar_inc_dec of the word start_i + 1 before
                before = low[i - (start_i + 1)]
                s = 0.0
                if before in boosters:
                    s = boosters[before]
                    if valence < 0:
                        s *= -1
                    if is_cap_diff and words[i - (start_i + 1)].isupper():
                        if valence > 0:
                            s += c_incr
                        else:
                            s -= c_incr
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = negation_check(valence, low, start_i, i)
                if start_i == 2 and not idiom_words.isdisjoint(low[i - 3 : i + 3]):
                    # (the idioms are made of these words: elsewhere the check is a no-op)
                    valence = idioms_check(valence, low, i)
        # _least_check
        if i > 1 and low[i - 1] not in lexicon and low[i - 1] == "least":
            if low[i - 2] != "at" and low[i - 2] != "very":
                valence = valence * n_scalar
        elif i > 0 and low[i - 1] not in lexicon and low[i - 1] == "least":
            valence = valence * n_scalar
        return valence

    # Words whose own valence VADER uses: lexicon words that are not boosters.
    scored = frozenset(word for word in lexicon if word not in boosters)

    def valences(text: str) -> tuple[list[float], str, bool]:
        # Every emoji of VADER's table is outside ASCII.
        if not text.isascii() and not emoji_chars.isdisjoint(text):
            text = without_emoji(text)
        text = text.strip()
        words = [w if w.isalnum() else strip_word(w) for w in text.split()]
        low = list(map(str.lower, words))
        present = scored.intersection(low)
        if not present:
            return [0] * len(words), text, False
        # VADER scores every word; a booster, "kind" before "of" and a word outside the
        # lexicon score 0 (an int, as in VADER) and the others do not depend on each
        # other's scores, so only the words in ``present`` are scored.
        is_cap_diff = 0 < len(words) - sum(map(str.isupper, words)) < len(words)
        last = len(words) - 1
        sentiments: list[float] = [0] * len(words)
        for i, lowered in enumerate(low):
            if lowered in present and not (lowered == "kind" and i < last and low[i + 1] == "of"):
                sentiments[i] = word_valence(words, low, i, is_cap_diff, lexicon[lowered])
        if "but" in low:  # else VADER's "but" check changes nothing
            sentiments = but_check(words, sentiments)
        return sentiments, text, True

    return analyser, valences


def fast_analyser() -> Callable[[str], dict[str, float]]:
    """A new VADER analyser's ``polarity_scores``, sped up without changing any result."""
    analyser, valences = _valences()
    score_valence = analyser.score_valence

    def polarity_scores(text: str) -> dict[str, float]:
        sentiments, text, scored = valences(text)
        if not scored:
            # Every word scores 0: VADER's summary of such a text is constant.
            return dict(_NO_SENTIMENT if sentiments else _EMPTY)
        result: dict[str, float] = score_valence(sentiments, text)
        return result

    return polarity_scores


def fast_compound() -> Callable[[str], float]:
    """A new VADER analyser's compound score: ``polarity_scores(text)["compound"]``, faster.

    The compound score is in [-1, 1] (negative to positive), rounded to 4 decimals as VADER
    rounds it.
    """
    from vaderSentiment import vaderSentiment as vader  # noqa: N813

    _analyser, valences = _valences()
    normalize: Callable[[float], float] = vader.normalize

    def compound(text: str) -> float:
        sentiments, text, scored = valences(text)
        if not scored:
            return 0.0
        # VADER's score_valence, the compound part only.
        sum_s = float(sum(sentiments))
        if sum_s == 0:
            return round(normalize(sum_s), 4)
        ep_amplifier = min(text.count("!"), 4) * 0.292
        qm_count = text.count("?")
        qm_amplifier: float = 0
        if qm_count > 1:
            qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
        punct_emph_amplifier = ep_amplifier + qm_amplifier
        if sum_s > 0:
            sum_s += punct_emph_amplifier
        elif sum_s < 0:
            sum_s -= punct_emph_amplifier
        return round(normalize(sum_s), 4)

    return compound
