"""Language flagging without a network or a downloaded model.

The library drafts English replies, so the question asked here is narrow: *is this message
clearly not English, or not language at all?* The answer comes from a compact profile file
(``data/analysis/language.yaml``) written for this project:

* text mostly in a non-Latin script (Cyrillic, Arabic, CJK...) gets that script's language;
* otherwise function words are counted per language (plus a bonus for characteristic letters
  such as ``ñ`` or ``ß``); a foreign language wins only when its evidence clearly beats the
  English evidence;
* text with no known words whose tokens look unpronounceable (``"asdkjh qwpoeiru"``) and long
  text with almost no English words are ``"unknown"``.

Short English texts ("ok", "thx!!", "@AmazonHelp ???", emoji only) carry no foreign evidence
and stay ``"en"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from empathic_reply._resources import load_yaml

__all__ = ["LanguageGuess", "LanguageIdentifier"]

_STRIP = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+|\S+@\S+\.\w+")
_STRIPPABLE = re.compile(r"[@#]|http|www\.")  # every _STRIP match contains one
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")  # _WORD on lowered ASCII text
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_REPEATS = re.compile(r"(.)\1{2,}")
_VOWELS = frozenset("aeiouyàáâãäåèéêëìíîïòóôõöùúûüÿæœ")


class _Profile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    words: list[str]
    letters: str = ""


class _Script(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str
    ranges: list[tuple[int, int]]


class _LanguageFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = 1
    english: list[str]
    ignore: list[str] = Field(default_factory=list)
    languages: dict[str, _Profile]
    scripts: list[_Script] = Field(default_factory=list)
    rare_bigrams: list[str] = Field(default_factory=list)
    plausible_short: list[str] = Field(default_factory=list)


class LanguageGuess(NamedTuple):
    """Result of :meth:`LanguageIdentifier.identify`.

    Attributes:
        language: ISO 639-1 code (``"en"``, ``"es"``...) or ``"unknown"``.
        confidence: How sure the guess is, in [0, 1]; higher is surer. Texts too short to
            tell are ``"en"`` with a low confidence.
        reason: Short machine-readable reason: ``"english"``, ``"too_short"``, ``"words"``,
            ``"script"``, ``"gibberish"`` or ``"no_english"``.
    """

    language: str
    confidence: float
    reason: str


class LanguageIdentifier:
    """Tell English from other languages and from gibberish, using a shipped profile file.

    Args:
        profile: A parsed profile document (same shape as ``language.yaml``); default: the
            shipped one.
    """

    def __init__(self, *, profile: Mapping[str, Any] | None = None) -> None:
        parsed = _LanguageFile.model_validate(
            profile if profile is not None else load_yaml("analysis", "language.yaml")
        )
        self._english = frozenset(w.lower() for w in parsed.english)
        shared = self._english | {w.lower() for w in parsed.ignore}
        self._languages = {
            code: (frozenset(w.lower() for w in p.words) - shared, frozenset(p.letters))
            for code, p in parsed.languages.items()
        }
        # word -> languages it is evidence for, so each word is looked up once
        self._index: dict[str, list[str]] = {}
        for code, (vocabulary, _letters) in self._languages.items():
            for word in vocabulary:
                self._index.setdefault(word, []).append(code)
        self._letters = {
            code: re.compile("[" + re.escape("".join(sorted(letters))) + "]")
            for code, (_vocabulary, letters) in self._languages.items()
            if letters
        }
        self._scripts = [
            (
                script.language,
                re.compile(
                    "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in script.ranges) + "]"
                ),
            )
            for script in parsed.scripts
        ]
        self._rare = frozenset(parsed.rare_bigrams)
        self._plausible = frozenset(parsed.plausible_short)

    def identify(self, text: str) -> LanguageGuess:  # noqa: PLR0911, PLR0912 - one return per verdict
        """Guess the language of ``text``.

        Args:
            text: Any text (already clipped to the analysis limit).

        Returns:
            The guess; ``language`` is ``"en"`` unless there is clear evidence otherwise.
        """
        # Only URLs, handles, hashtags and emails are stripped: skip the scan without them.
        cleaned = _STRIP.sub(" ", text) if _STRIPPABLE.search(text) else text
        script = self._script(cleaned)
        if script is not None:
            return script
        if cleaned.isascii():  # same words, found faster: lowered first, ASCII letters only
            words = _ASCII_WORD.findall(cleaned.lower())
        else:
            words = [w.lower() for w in _WORD.findall(cleaned)]
        if not words:
            return LanguageGuess("en", 0.0, "too_short")
        english = sum(map(self._english.__contains__, words))
        hits: dict[str, float] = {}
        index = self._index
        for word in filter(index.__contains__, words):
            for code in index[word]:
                hits[code] = hits.get(code, 0.0) + 1.0
        if not cleaned.isascii():
            lowered = cleaned.lower()
            for code, letters in self._letters.items():
                found = len(letters.findall(lowered))
                if found:
                    hits[code] = hits.get(code, 0.0) + 1.5 * min(2, found)
        best_code, best = "", 0.0
        for code in self._languages:  # file order breaks ties
            if hits.get(code, 0.0) > best:
                best_code, best = code, hits[code]
        if best >= 2 and best > 1.2 * english + 0.5:
            return LanguageGuess(best_code, min(1.0, best / (best + english + 1)), "words")
        if best >= len(words) and english == 0 and len(words) <= 2:
            return LanguageGuess(best_code, 0.5, "words")
        if english == 0 and best == 0:
            odd = [w for w in words if self._implausible(w)]
            if odd and sum(len(w) for w in odd) >= 6 and 2 * len(odd) >= len(words):
                return LanguageGuess("unknown", 0.7, "gibberish")
        if len(words) >= 8 and english == 0 and best < 2:
            return LanguageGuess("unknown", 0.5, "no_english")
        if english == 0 and len(words) <= 3:
            return LanguageGuess("en", 0.2, "too_short")
        return LanguageGuess("en", min(1.0, (english + 1) / (english + best + 2)), "english")

    def _script(self, text: str) -> LanguageGuess | None:
        if text.isascii():
            return None
        counts: dict[str, int] = {}
        for language, letters in self._scripts:
            found = len(letters.findall(text))
            if found:
                counts[language] = counts.get(language, 0) + found
        latin = len(_LATIN.findall(text))
        if not counts:
            return None
        # Kana mixed with Han is Japanese.
        if "ja" in counts and "zh" in counts:
            counts["ja"] += counts.pop("zh")
        language, n = max(counts.items(), key=lambda item: item[1])
        if n >= 2 and n > latin:
            return LanguageGuess(language, min(1.0, n / (n + latin)), "script")
        return None

    def _implausible(self, word: str) -> bool:
        word = _REPEATS.sub(r"\1\1", word)  # "soooo", "shitttt": emphasis, not gibberish
        if word in self._plausible or not word.isascii() or len(word) < 3:
            return False
        if any(word[i : i + 2] in self._rare for i in range(len(word) - 1)):
            return True
        run = 0
        for ch in word:
            run = 0 if ch in _VOWELS else run + 1
            if run >= 4:
                return True
        return len(word) >= 4 and not any(ch in _VOWELS for ch in word)
