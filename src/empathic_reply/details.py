"""Details the customer mentioned (ids, amounts, waits, dates, names) and personal data.

Detectors are Presidio-style rules in ``data/analysis/details.yaml`` and
``data/analysis/personal_data.yaml`` run by the shared :class:`~empathic_reply._rules.RuleSet`:
a pattern, context words that raise the score, and a base score. A candidate is kept when its
score reaches ``min_score`` and, where a regular expression cannot decide, a validator in this
module accepts it (Luhn for card numbers, ISO 13616 mod-97 for IBANs, digit counts for phone
numbers, "not a year, price or quantity" for identifiers). Overlapping candidates are
resolved in favour of the longer span, then the higher score, then the more specific kind.

Durations and dates get a ``role`` from the nearest cue around them ("waiting", "for",
"now" -> waited; "would take", "was told", "within" -> promised; "ago", "since" -> since;
"by", "need" -> deadline); :func:`waited_for` picks the wait a reply should acknowledge.
Rules may set ``attrs.role`` themselves (the staff-name rules set ``"staff"``).

Rules carry a ``gate`` (words, substrings, a regex and/or a minimum digit run; see
``personal_data.yaml``) evaluated together once per text, so a message without a long
digit run never runs the card or phone detectors. Gates only skip work: a property test
checks that results equal those of the same rules without gates.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from empathic_reply._rules import Rule, RuleSet
from empathic_reply._text import check_text
from empathic_reply._trusted import trusted
from empathic_reply.errors import RuleError
from empathic_reply.models import Detail

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = [
    "DETAIL_KINDS",
    "PERSONAL_KINDS",
    "DetailExtractor",
    "find_personal_data",
    "redact",
    "waited_for",
]

DETAIL_KINDS: Final = (
    "order_id",
    "ticket_id",
    "account_id",
    "tracking_number",
    "amount",
    "duration",
    "date",
    "time",
    "product",
    "person",
    "email",
    "phone",
    "card_number",
    "iban",
    "address",
    "handle",
    "url",
)
"""Every kind of :class:`~empathic_reply.models.Detail` the shipped rules produce."""

PERSONAL_KINDS: Final = frozenset(
    {
        "email",
        "phone",
        "card_number",
        "iban",
        "order_id",
        "account_id",
        "ticket_id",
        "tracking_number",
        "address",
        "handle",
    }
)
"""Kinds that are personal data: never to be echoed in a public reply."""

# Most specific first: breaks ties between candidates with the same span and score.
_SPECIFICITY: Final = {
    kind: rank
    for rank, kind in enumerate(
        (
            "email",
            "card_number",
            "iban",
            "url",
            "tracking_number",
            "order_id",
            "ticket_id",
            "account_id",
            "phone",
            "address",
            "amount",
            "time",
            "date",
            "duration",
            "handle",
            "product",
            "person",
        )
    )
}

_NER_KINDS: Final = {
    "PERSON": "person",
    "PRODUCT": "product",
    "DATE": "date",
    "TIME": "time",
    "MONEY": "amount",
}
_NER_SCORE: Final = 0.6
_PRODUCT_SCORE: Final = 0.85
_PRODUCT_SOURCE: Final = "detail.product.user.v1"
_RULE_FILES: Final = ("personal_data.yaml", "details.yaml")
_BEFORE_BONUS: Final = 0.1
_NEAR: Final = 14


class _Candidate(NamedTuple):
    start: int
    end: int
    kind: str
    score: float
    order: int
    source: str
    personal: bool


class _Lexicon(NamedTuple):
    not_id_before: frozenset[str]
    not_names: frozenset[str]
    not_street: frozenset[str]
    length_nouns: frozenset[str]
    not_length_after: frozenset[str]
    weight_cues: frozenset[str] = frozenset()
    money_cues: frozenset[str] = frozenset()
    opinion_before: frozenset[str] = frozenset()
    someday_after: frozenset[str] = frozenset()
    future_cues: frozenset[str] = frozenset()
    past_cues: frozenset[str] = frozenset()
    not_past_ed: frozenset[str] = frozenset()


_Validator = Callable[[str, int, int, _Lexicon], "tuple[int, int] | None"]

# -- validators -------------------------------------------------------------------------------

_NON_DIGIT = re.compile(r"\D")
_WORD_AFTER = re.compile(r"\s?([A-Za-z%°]+)")
_YEAR = re.compile(r"(?:19|20)\d\d")
_TIME_LIKE = re.compile(r"\d{1,2}(?::\d\d)?(?:am|pm)?", re.IGNORECASE)
_URL_TRAIL = ".,!?:;'\")]}…*"
_CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|3[068]|35|6(?:011|5|4[4-9]|2)")
_IBAN_LENGTHS: Final = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
    "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26,
}  # fmt: skip
_US_STATES: Final = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
    }
)


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn checksum used by payment cards."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """Whether a compact, upper-case IBAN passes the ISO 13616 mod-97 check."""
    if len(iban) < 15 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    try:
        number = int("".join(str(int(char, 36)) for char in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def _next_word(text: str, end: int) -> str:
    match = _WORD_AFTER.match(text, end)
    return match.group(1).lower() if match else ""


def _check_luhn(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    digits = _NON_DIGIT.sub("", text[start:end])
    if not 13 <= len(digits) <= 19 or not _CARD_PREFIX.match(digits) or len(set(digits)) < 2:
        return None
    return (start, end) if luhn_valid(digits) else None


def _check_iban(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    span = text[start:end]
    compact = span.replace(" ", "").upper()
    wanted = _IBAN_LENGTHS.get(compact[:2])
    lengths = [wanted] if wanted else list(range(min(len(compact), 34), 14, -1))
    for length in lengths:
        if length <= len(compact) and iban_valid(compact[:length]):
            # Map the compact length back to a position in the original span.
            seen = 0
            for offset, char in enumerate(span):
                if char != " ":
                    seen += 1
                if seen == length:
                    return start, start + offset + 1
    return None


def _check_phone(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    span = text[start:end]
    digits = _NON_DIGIT.sub("", span)
    international = span.startswith(("+", "00"))
    if not (8 if international else 7) <= len(digits) <= 15 or len(set(digits)) < 3:
        return None
    if _next_word(text, end) in lexicon.not_id_before:
        return None
    return start, end


def _id_core_ok(core: str, text: str, end: int, lexicon: _Lexicon) -> bool:
    digits = sum(char.isdigit() for char in core)
    if core.isdigit():
        if len(core) < 4 or (len(core) == 4 and _YEAR.fullmatch(core)):
            return False
    elif digits < 5 and not (digits >= 4 and "-" in core):
        return False
    if end < len(text) and text[end] in "%°":
        return False
    return _next_word(text, end) not in lexicon.not_id_before


def _check_id(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    core = text[start:end].lstrip("#").strip()
    return (start, end) if _id_core_ok(core, text, end, lexicon) else None


def _check_postcode_uk(
    text: str, start: int, end: int, lexicon: _Lexicon
) -> tuple[int, int] | None:
    inward = text[end - 2 : end]
    return None if inward in {"GB", "MB", "TB", "KB"} else (start, end)


def _check_zip_us(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    return (start, end) if text[start : start + 2] in _US_STATES else None


def _check_street(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    words = re.findall(r"[^\W\d_][\w'.-]*", text[start:end])
    if not words or any(word.lower().rstrip(".") in lexicon.not_street for word in words[:-1]):
        return None
    return start, end


def _check_email(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    local = text[start:end].split("@", 1)[0]
    return None if local.startswith(".") or local.endswith(".") else (start, end)


def _check_handle(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    name = text[start + 1 : end]
    if (name.isdigit() and len(name) <= 4) or _TIME_LIKE.fullmatch(name):
        return None
    return start, end


def _check_url(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    while end > start and text[end - 1] in _URL_TRAIL:
        if text[end - 1] == ")" and "(" in text[start:end]:
            break
        end -= 1
    return (start, end) if end - start >= 4 else None


_FRACTIONS: Final = frozenset({(24, 7), (10, 10), (5, 5)})


def _check_date(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    parts = [int(part) for part in re.split(r"[/.-]", text[start:end])]
    if len(parts) == 3 and parts[0] > 31:  # ISO year-month-day
        return (start, end) if 1 <= parts[1] <= 12 and 1 <= parts[2] <= 31 else None
    first, second = parts[0], parts[1]
    if len(parts) == 2 and ((first, second) in _FRACTIONS or first <= second <= 4):
        return None  # fractions, ratings and thread counters ("2/3", "3/3") are not dates
    valid = (1 <= first <= 12 and 1 <= second <= 31) or (1 <= first <= 31 and 1 <= second <= 12)
    return (start, end) if valid else None


def _check_name(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    words = text[start:end].split(" ")
    if len(words[0]) < 2 or words[0].lower() in lexicon.not_names:
        return None
    if len(words) > 1 and words[1].lower().rstrip(".") in lexicon.not_names:
        return start, start + len(words[0])
    return start, end


# Longer capitalised words with these endings that start a sentence are verbs or adverbs
# ("Ordered from the shop", "Shopping at the store", "Honestly was great"), not first names
# (mid-sentence, "Ahmed" is capitalised because it is a name).
_NOT_NAME_ENDINGS: Final = ("ed", "ing", "ly")
_SENTENCE_START: Final = re.compile(r"(?:^|[.!?:;\n])[\s\"'(]*$")


def _check_staff_name(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    first = text[start:end].split(" ", maxsplit=1)[0]
    if (
        len(first) > 4
        and first.lower().endswith(_NOT_NAME_ENDINGS)
        and _SENTENCE_START.search(text, max(0, start - 4), start) is not None
    ):
        return None
    return _check_name(text, start, end, lexicon)


def _check_hash_id(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    return _check_id(text, start, end, lexicon)


_QUALIFIER_BEFORE = re.compile(
    r"\b(?:over|more than|almost|nearly|about|around|at least|another|under|less than|"
    r"close to|roughly|like)\s+$",
    re.IGNORECASE,
)


# "one day" / "some day" meaning "someday": it starts the sentence and a new clause follows
# ("One day, people will...", "one day I'll..."), or it ends a clause about the future
# ("it'll pay off one day").
_ONE_DAY: Final = re.compile(r"(?:one|some) day", re.IGNORECASE)
_CLAUSE_START: Final = re.compile(
    r"(?:^|[.!?;:\n]\s*|\b(?:and|but|so|maybe|perhaps|hopefully)\s+)(?:[@#]\w+\s+)*$"
)
_WORD_NEXT: Final = re.compile(r"\s*(,)?\s*([a-z']+)?", re.IGNORECASE)  # comma, word
_FUTURE_BEFORE: Final = re.compile(
    r"\b(?:will|'ll|would|gonna|going to|might|hope)\b", re.IGNORECASE
)
_CLAUSE_END: Final = re.compile(r"\s*(?:[.!?;\n]|$)")


def _is_someday(text: str, start: int, end: int, lexicon: _Lexicon) -> bool:
    """Whether "one day" means someday ("One day, people will...", "it'll pay off one day")."""
    if not _ONE_DAY.fullmatch(text, start, end):
        return False
    before = text[:start]  # only for "one day" / "some day": rare
    after = _WORD_NEXT.match(text, end)
    if (
        _CLAUSE_START.search(before)
        and after is not None
        and (
            (after.group(2) or "").lower() in lexicon.someday_after
            or (after.group(1) and _FUTURE_BEFORE.search(_sentence_after(text, end)))
        )
    ):
        return True  # "One day, people will...", "one day I'll..."
    return bool(_CLAUSE_END.match(text, end) and _FUTURE_BEFORE.search(_clause_before(text, start)))


def _check_duration(text: str, start: int, end: int, lexicon: _Lexicon) -> tuple[int, int] | None:
    if _is_someday(text, start, end, lexicon):
        return None
    qualifier = _QUALIFIER_BEFORE.search(text, max(0, start - 16), start)
    return (qualifier.start(), end) if qualifier else (start, end)


_AMOUNT_UNIT: Final = re.compile(r"([A-Za-z]+)$")
# How far either side of a detail its clause is read for cues (characters, same sentence).
_ROLE_WINDOW: Final = 40
_SENTENCE_AFTER: Final = re.compile(rf"[^.!?;\n]{{0,{_ROLE_WINDOW}}}")


def _sentence_after(text: str, end: int) -> str:
    """The text after ``end`` in the same sentence, at most :data:`_ROLE_WINDOW` long."""
    after = _SENTENCE_AFTER.match(text, end)
    return after.group() if after else ""


def _clause_words(text: str, start: int, end: int) -> set[str]:
    """Words of the clause around ``text[start:end]`` (:data:`_ROLE_WINDOW` either side)."""
    return set(_words_of(_clause_before(text, start))) | set(_words_of(_sentence_after(text, end)))


def _check_amount_word(
    text: str, start: int, end: int, lexicon: _Lexicon
) -> tuple[int, int] | None:
    """Keep "<number> <currency word>" only when it is money.

    Not "50 Cent" (a name), "my 2 cents" (an opinion) or a weight in pounds ("I weigh 135
    pounds", "a 50 pound bag"): "pounds" needs a money word in the clause.
    """
    unit_match = _AMOUNT_UNIT.search(text, start, end)
    unit = unit_match.group(1) if unit_match else ""
    lowered = unit.lower()
    if lowered in {"cent", "cents"}:
        if unit[:1].isupper() and unit[1:].islower():
            return None  # "50 Cent": a name
        before = _words_of(text[max(0, start - 12) : start])
        if lowered == "cents" and before and before[-1] in lexicon.opinion_before:
            return None
        return start, end
    if lowered in {"pound", "pounds"}:
        words = _clause_words(text, start, end)
        if words & lexicon.weight_cues or not words & lexicon.money_cues:
            return None
    return start, end


_VALIDATORS: Final[Mapping[str, _Validator]] = {
    "amount_word": _check_amount_word,
    "duration": _check_duration,
    "staff_name": _check_staff_name,
    "luhn": _check_luhn,
    "iban": _check_iban,
    "phone": _check_phone,
    "id": _check_id,
    "hash_id": _check_hash_id,
    "postcode_uk": _check_postcode_uk,
    "zip_us": _check_zip_us,
    "street": _check_street,
    "email": _check_email,
    "handle": _check_handle,
    "url": _check_url,
    "date": _check_date,
    "name": _check_name,
}

# -- normalisers ------------------------------------------------------------------------------

_NUMBER_WORDS: Final = {
    word: index
    for index, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}
_UNITS: Final = {
    "second": ("s", "sec", "secs", "second", "seconds"),
    "minute": ("min", "mins", "minute", "minutes"),
    "hour": ("h", "hr", "hrs", "hour", "hours"),
    "day": ("d", "day", "days"),
    "week": ("wk", "wks", "week", "weeks"),
    "month": ("mo", "mos", "month", "months"),
    "year": ("yr", "yrs", "year", "years"),
}
_UNIT_OF: Final = {alias: unit for unit, aliases in _UNITS.items() for alias in aliases}
_DURATION = re.compile(
    r"(?P<qual>(?:over|more than|almost|nearly|about|around|at least|another|under|less than|"
    r"close to|roughly|like)\s+)?(?P<qty>[\d.]+|[a-z]+(?: (?:few|couple|whole|full|good|entire)"
    r"(?: of)?)?|couple(?: of)?)\s?-?\s?(?P<unit>[a-z]+)",
    re.IGNORECASE,
)
_CURRENCY_SYMBOLS: Final = {
    "$": "USD", "US$": "USD", "USD$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD",
    "A$": "AUD", "NZ$": "NZD", "R$": "BRL", "HK$": "HKD", "S$": "SGD", "£": "GBP", "€": "EUR",
    "¥": "JPY", "₹": "INR", "₩": "KRW", "₺": "TRY", "₽": "RUB",
}  # fmt: skip
_CURRENCY_WORDS: Final = {
    "dollar": "USD", "dollars": "USD", "bucks": "USD", "euro": "EUR", "euros": "EUR",
    "pound": "GBP", "pounds": "GBP", "quid": "GBP", "rupee": "INR", "rupees": "INR",
    "yen": "JPY", "cent": "USD", "cents": "USD",
}  # fmt: skip
_MULTIPLIERS: Final = {"k": 1_000, "m": 1_000_000, "million": 1_000_000, "bn": 10**9,
                       "billion": 10**9}  # fmt: skip
_AMOUNT = re.compile(
    r"(?P<pre>[A-Z]{0,3}\$|[£€¥₹₩₺₽]|[A-Za-z]{3}(?=\s?\d))?\s?(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"\s?(?P<mult>k|m|bn|million|billion)?\s?(?P<post>[A-Za-z]+)?",
)


def normalise_amount(text: str) -> str | None:
    """Normalise a money amount: ``"$49.99"`` -> ``"49.99 USD"``, ``"£20"`` -> ``"20.00 GBP"``.

    Returns:
        ``"<value with 2 decimals> <ISO 4217 code>"``, or ``None`` without a currency.
    """
    match = _AMOUNT.search(text)
    if match is None:
        return None
    pre, post = match.group("pre") or "", (match.group("post") or "").lower()
    code = _CURRENCY_SYMBOLS.get(pre.upper()) if pre else None
    if code is None and pre and pre.isalpha():
        code = pre.upper()
    if code is None and post:
        code = _CURRENCY_WORDS.get(post, post.upper() if len(post) == 3 else None)
    if code is None:
        return None
    number = match.group("num")
    if "," in number and "." not in number and re.fullmatch(r"\d+,\d{1,2}", number):
        number = number.replace(",", ".")  # "€20,50": decimal comma
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    value *= _MULTIPLIERS.get((match.group("mult") or "").lower(), 1)
    if post in {"cent", "cents"}:
        value /= 100
    return f"{value:.2f} {code}"


def normalise_duration(text: str) -> str | None:
    """Normalise a duration: ``"3wks"`` -> ``"3 weeks"``, ``"three weeks"`` -> ``"3 weeks"``.

    Qualifiers and vague quantities are kept: ``"over a month"``, ``"a few days"``.
    """
    cleaned = " ".join(text.lower().split())
    if cleaned in {"hours", "days", "weeks", "months", "years", "ages"}:
        return cleaned
    match = _DURATION.fullmatch(cleaned)
    if match is None:
        return cleaned
    unit = _UNIT_OF.get(match.group("unit"))
    if unit is None:
        return cleaned
    qty = match.group("qty")
    qual = match.group("qual") or ""
    if qty in _NUMBER_WORDS:
        qty = str(_NUMBER_WORDS[qty])
    elif qty.startswith("couple") or qty in {"few", "a couple"}:
        qty = "a couple of" if "couple" in qty else "a few"
    elif qty == "a couple of":
        pass
    singular = qty in {"1", "a", "an", "1.0"} or qty.startswith(("a whole", "a full", "a good"))
    if qty in {"a", "an"}:
        qty = "an" if unit == "hour" else "a"
    noun = unit if singular else unit + "s"
    return f"{qual}{qty} {noun}"


def normalise_time(text: str) -> str | None:
    """``"3pm"`` -> ``"15:00"``, ``"10:30 am"`` -> ``"10:30"``, ``"noon"`` -> ``"12:00"``."""
    lowered = text.lower()
    named = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
    if lowered in named:
        return named[lowered]
    match = re.match(r"(\d{1,2})(?:[:.](\d\d))?", lowered)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = lowered.replace(".", "")
    if meridiem.endswith("pm") and hour < 12:
        hour += 12
    elif meridiem.endswith("am") and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}" if hour < 24 else None


def _phone_value(text: str) -> str:
    digits = _NON_DIGIT.sub("", text)
    return "+" + digits.removeprefix("00") if text.startswith(("+", "00")) else digits


def _id_value(text: str) -> str:
    return re.sub(r"[\s#]", "", text).upper()


_NORMALISERS: Final[Mapping[str, Callable[[str], str | None]]] = {
    "amount": normalise_amount,
    "duration": normalise_duration,
    "time": normalise_time,
    "email": str.lower,
    "handle": str.lower,
    "phone": _phone_value,
    "card_number": lambda text: _NON_DIGIT.sub("", text),
    "iban": _id_value,
    "order_id": _id_value,
    "ticket_id": _id_value,
    "account_id": _id_value,
    "tracking_number": _id_value,
    "url": lambda text: None,
}


# -- roles of durations and dates ----------------------------------------------------------------
# The nearest cue before a duration or date (in the same sentence, within _ROLE_WINDOW
# characters) or right after it says what it is to the customer; see Detail.role.
# Durations that are not a wait get their own role, so :func:`waited_for` never reads them
# as one: a rate ("£50 a week"), time still to go ("a week away"), the length of a thing
# ("a 2 hour flight"), an age ("my 3 year old") or how long they have been a customer or
# had the product ("a customer for 10 years", "broke after a month").
_AGO_AFTER: Final = re.compile(r"\s*ago\b", re.IGNORECASE)  # "3 weeks ago", "Monday ago"
# Cues right after a duration, tried in order (the first that matches decides).
_DURATION_AFTER: Final = (
    ("age", re.compile(r"\s*-?\s*old\b", re.IGNORECASE)),
    ("since", _AGO_AFTER),
    (
        "tenure",
        re.compile(
            r"\s*(?:of\s+(?:use|usage|using|wear|wearing|ownership|loyalty|membership|"
            r"custom|service)|wear\b|as\s+an?\s+(?:loyal\s+)?(?:customer|member|subscriber|"
            r"client|user)|,?\s*(?:i'?ve|we'?ve|i\s+have|we\s+have)\s+been\s+(?:an?\s+)?"
            r"(?:loyal\s+|happy\s+|regular\s+)?(?:customer|member|subscriber|client|user))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "until",
        re.compile(
            r"\s*(?:away|to\s+go|left|out(?!\s+of\b)|prior|early|in\s+advance|from\s+now|"
            r"ahead|(?:north|south|east|west)\s+of)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "waited",
        re.compile(
            r"\s*(?:now|later|since|late|overdue|delayed|on hold|and (?:still|counting|"
            r"nothing|no)|of waiting|waiting|wait(?:ed)?|in a queue|in the queue|already|"
            r"so far|without)\b",
            re.IGNORECASE,
        ),
    ),
)
# Weak cues ("for", "after", "in", "within", a range "2-") stand for their group only when no
# other cue comes before them in the window: "waiting for 3 weeks" is a wait, "using it for
# 3 weeks" is tenure, "died in 2 days" is tenure, "told it would come in 5 days" a promise.
_DURATION_BEFORE: Final = re.compile(
    r"\b(?:(?P<waited>waited|waiting|wait(?:ed)? for|wait|been|still|already|spent|took|taken|"
    r"taking|on hold|another)|"
    r"(?P<promised>take|takes|told|promised|quoted|said|says|estimated?|expected|supposed to|"
    r"meant to|up to|guaranteed|usually|normally|standard)|"
    r"(?P<tenure>customers?|members?|subscribers?|clients?|users?|loyal|use|used|using|uses|"
    r"had (?:it|this|them|mine|one)|owned|worn|wearing|broke|broken|breaks|died|dead|"
    r"failed|fails|stopped|stops|rusting|rusted|crapped|quit|went out|fell apart|cracked|"
    r"wore out|worn out)|"
    r"(?P<rate>once|twice|thrice|times?|per|every|each)|"
    r"(?P<weak_waited>for(?:\s+(?:the|a|another))?(?:\s+(?:last|past|first))?|after)"
    r"(?=\s*$)|"
    r"(?P<weak_promised>within|w/in|in)(?=\s*$))\b|"
    r"(?P<range>\d\s*(?:-|–|to)\s*$)",
    re.IGNORECASE,
)
# Each weak cue group -> the role it gives when no stronger cue comes before it.
_WEAK_CUES: Final[Mapping[str, str | None]] = {
    "weak_waited": "waited",
    "weak_promised": "promised",
    "range": "promised",
}
# "£50 a week", "3 emails a day", "$500 a month": an amount or a count right before a
# duration of one unit makes it a rate.
_ONE_UNIT: Final = re.compile(r"(?:a|an|one|1)\s?(?:[a-z]+)", re.IGNORECASE)
_RATE_BEFORE: Final = re.compile(
    r"(?:[$£€¥₹]\s?\d[\d,.]*\s*(?:k\b)?|(?<![@\w])\d[\d,.]*\s*(?:[a-z]+\s+){0,2}|"
    r"\b(?:dollars|bucks|pounds|quid|euros|times))\s*$",
    re.IGNORECASE,
)
_SINGULAR_UNITS: Final = frozenset({"second", "minute", "hour", "day", "week", "month", "year"})
_BARE_DURATION: Final = re.compile(r"(\d+(?:\.\d)?|[a-z]+)\s?-?\s?([a-z]+)", re.IGNORECASE)
_NEXT_WORD: Final = re.compile(r"\s?-?\s?([a-z]+)", re.IGNORECASE)
_DATE_BEFORE: Final = re.compile(
    r"\b(?:(?P<since>since|back in|pre-?ordered|ordered|placed|paid|booked(?! for)|bought|sent|"
    r"returned|called|emailed|reported|started|began|opened)|"
    r"(?P<deadline>by|before|until|till|need(?:ed|s)?|must|has to|have to|in time for|"
    r"no later than)|"
    r"(?P<promised>supposed|expected|promised|due|told|said|says|scheduled|estimated|"
    r"guaranteed|booked for|meant|arrive|arriving|come|coming|deliver(?:y)?)|"
    r"(?P<weak>for|delivered))\b",
    re.IGNORECASE,
)
# Date cues that say nothing alone ("a search for December 21st", "delivered today" is when it
# happened): they defer to a stronger cue earlier in the clause ("supposed to be delivered
# Friday", "need it for Friday"), else the date has no role.
_WEAK_DATE_CUES: Final[Mapping[str, str | None]] = {"weak": None}
_SENTENCE_END: Final = re.compile(r"[.!?;\n]")


def _clause_before(text: str, start: int) -> str:
    """The text before ``start`` in the same sentence, at most :data:`_ROLE_WINDOW` long."""
    window = text[max(0, start - _ROLE_WINDOW) : start]
    stops = list(_SENTENCE_END.finditer(window))
    return window[stops[-1].end() :] if stops else window


def _is_length(span: str, text: str, end: int, lexicon: _Lexicon) -> bool:
    """A duration used as a modifier: "a 2 hour flight", "2-day delivery", "1 day shipping"."""
    after = _NEXT_WORD.match(text, end)
    if after is None:
        return False
    following = after.group(1).lower()
    if following in lexicon.length_nouns:
        return True
    if following in lexicon.not_length_after:
        return False
    # Only a bare "<number> <unit>": "more than one hour trying" is not a modifier.
    match = _BARE_DURATION.fullmatch(span)
    if match is None:
        return False
    number, unit = match.group(1).lower(), match.group(2).lower()
    if "-" in span and number[:1].isdigit():
        return True  # "2-day", "24-hour"
    return unit in _SINGULAR_UNITS and number not in {"a", "an", "one", "1"}


def _duration_role(text: str, start: int, end: int, lexicon: _Lexicon) -> str | None:
    for role, after in _DURATION_AFTER:
        if after.match(text, end):
            return role
    window = _clause_before(text, start)
    span = text[start:end]
    if _ONE_UNIT.fullmatch(span) and _RATE_BEFORE.search(window):
        return "rate"
    if _is_length(span, text, end, lexicon):
        return "length"
    cues = list(_DURATION_BEFORE.finditer(window))
    cue_role = _cue_role(cues, _WEAK_CUES)
    if (
        cue_role == "promised"
        and cues[-1].group().lower() == "in"
        and _is_future(window, text, end, lexicon)
    ):
        return "until"
    return cue_role


_CONJUNCTION: Final = re.compile(r",|\b(?:and|but|so|yet|because|cos)\b", re.IGNORECASE)
_IN_BEFORE: Final = re.compile(r"\bin\s+$", re.IGNORECASE)
_TIME_AFTER: Final = re.compile(r"(?:'s|s'|')?\s+time\b", re.IGNORECASE)


def _is_future(window: str, text: str, end: int, lexicon: _Lexicon) -> bool:
    """Whether "in <duration>" is time still to go ("it arrives in 3 days", "I fly in 2 days").

    Only for "in" right before the duration, with a future cue in the clause and no word
    saying it is the time in which something did (not) happen ("in 3 days nobody has
    answered", "3 times in 2 weeks").
    """
    if not _IN_BEFORE.search(window):
        return False
    after = _CONJUNCTION.split(_sentence_after(text, end), maxsplit=1)[0]
    words = set(_words_of(window)) | set(_words_of(after))
    if words & lexicon.past_cues or any(
        len(word) > 3 and word.endswith("ed") and word not in lexicon.not_past_ed for word in words
    ):
        return False
    return bool(_TIME_AFTER.match(text, end) or words & lexicon.future_cues)


def _cue_role(cues: list[re.Match[str]], weak: Mapping[str, str | None]) -> str | None:
    """The nearest cue's role; a weak cue defers to a stronger one earlier in the clause.

    Args:
        cues: The cues before the detail, in order (the last one is the nearest).
        weak: The weak cue groups, each with the role it gives when no stronger cue comes
            before it (``None``: no role).
    """
    if not cues:
        return None
    group = str(cues[-1].lastgroup)
    if group not in weak:
        return group
    for cue in reversed(cues[:-1]):
        if cue.lastgroup not in weak:
            return cue.lastgroup
    return weak[group]


def _role(kind: str, text: str, start: int, end: int, lexicon: _Lexicon) -> str | None:
    """The role of a duration or date from the words around it (``None``: no cue)."""
    if kind == "duration":
        return _duration_role(text, start, end, lexicon)
    if kind != "date":
        return None
    if _AGO_AFTER.match(text, end):
        return "since"
    return _cue_role(list(_DATE_BEFORE.finditer(_clause_before(text, start))), _WEAK_DATE_CUES)


_WAITED_AGO: Final = re.compile(r"(?P<span>.+?)\s+ago", re.IGNORECASE)


def waited_for(details: Sequence[Detail]) -> str:
    """How long the customer has waited, as they would say it, or ``""`` when not said.

    Prefers a duration they have waited ("waiting 2 weeks", "3 weeks now"; role
    ``"waited"``), then the time since a relative date ("three weeks ago" gives
    ``"3 weeks"``), then a duration whose role is unknown. Promised lead times ("was told
    it would take 10 days"), deadlines and durations that are not a wait at all (roles
    ``"rate"``: "£50 a week"; ``"until"``: "a week away"; ``"length"``: "a 2 hour flight";
    ``"age"``: "my 3 year old"; ``"tenure"``: "a customer for 10 years") are never the
    wait. Durations come as their normalised value when it is a plain "<number> <unit>"
    (``"3wks"`` -> ``"3 weeks"``), else as written.

    Args:
        details: The details of one message (as :meth:`DetailExtractor.extract` returns).

    Returns:
        The wait, e.g. ``"3 weeks"``; ``""`` when the message does not say.
    """

    def said(detail: Detail) -> str:
        value = detail.value
        return value if value and re.fullmatch(r"\d+ \w+", value) else detail.text

    durations = [d for d in details if d.kind == "duration"]
    for detail in durations:
        if detail.role == "waited":
            return said(detail)
    for detail in details:
        if detail.kind == "duration" and detail.role == "since":
            return said(detail)  # "about a week ago": the qualifier made it a duration
        if detail.kind == "date" and detail.role == "since":
            match = _WAITED_AGO.fullmatch(detail.text.strip())
            if match is not None and _looks_like_duration(match.group("span")):
                span = match.group("span")
                value = normalise_duration(span)
                return value if value and re.fullmatch(r"\d+ \w+", value) else span
    for detail in durations:
        if detail.role is None:
            return said(detail)
    return ""


def _normalise(kind: str, text: str) -> str | None:
    normaliser = _NORMALISERS.get(kind)
    return normaliser(text) if normaliser is not None else " ".join(text.split())


# -- rules ------------------------------------------------------------------------------------


def _is_detail_rule(rule: Rule) -> bool:
    return rule.id.startswith("detail.") or rule.label in DETAIL_KINDS


def _kind_of(rule: Rule) -> str:
    return str(rule.attrs.get("kind", rule.label))


def _is_personal(rule: Rule) -> bool:
    return bool(rule.attrs.get("personal", _kind_of(rule) in PERSONAL_KINDS))


def _blocks_personal(rule: Rule) -> bool:
    """Rules :func:`find_personal_data` runs: personal ones, and links (ids inside URLs)."""
    return _is_personal(rule) or _kind_of(rule) == "url"


@lru_cache(maxsize=1)
def _default_rules() -> RuleSet:
    rules = RuleSet.from_package("analysis", _RULE_FILES[0])
    for name in _RULE_FILES[1:]:
        rules = rules.merged(RuleSet.from_package("analysis", name))
    return rules


# Digit runs glued to "@" are handles (TWCS anonymises them as @123456); no digit-gated
# rule can start right after "@", so they do not open numeric gates.
_DIGIT_RUNS = re.compile(r"(?<![@\d])\d+")
_DIGIT = re.compile(r"\d")  # every _DIGIT_RUNS match has one
_ASCII_DIGIT = re.compile(r"[0-9]")  # _DIGIT on ASCII text, faster
# Punctuation and digits become spaces, so ``str.split`` yields the words (fast, all in C).
_WORD_TABLE: Final = str.maketrans(
    dict.fromkeys(string.punctuation + string.digits + "‘’“”…–—", " ")
)


_LETTER_RUNS = re.compile(r"[^\W\d_]+")


def _words_of(text: str) -> list[str]:
    """Maximal runs of letters, lower-cased: every whole word a word-boundary regex can match."""
    lowered = text.lower()
    words = lowered.translate(_WORD_TABLE).split()
    if all(map(str.isalpha, words)):
        return words
    return _LETTER_RUNS.findall(lowered)  # emoji, non-ASCII punctuation: the exact way


class _Gate:
    """A cheap pre-check deciding whether a rule runs at all on a text.

    Built from a rule's ``attrs.gate``: ``words`` (lower-case words or phrases, whole words;
    a phrase needs all its words), ``chars`` (substrings), ``regex`` (a search) -- any one
    opens the gate, none given means open -- and ``digits`` (a run of at least that many
    digits is also required). ``tail`` restricts ``regex`` to the last characters.
    ``words: context`` uses the rule's context words.
    """

    __slots__ = ("chars", "digits", "key", "phrases", "regex", "tail", "words")

    def __init__(self, spec: Mapping[str, Any], rule: Rule, min_score: float) -> None:
        raw_words = spec.get("words", ())
        if raw_words == "context":
            # Only a rule that cannot reach min_score without context may skip texts
            # without its context words.
            raw_words = rule.context if rule.score < min_score else ()
        singles: set[str] = set()
        phrases: set[frozenset[str]] = set()
        for item in raw_words:
            parts = _words_of(str(item))
            if len(parts) == 1:
                singles.add(parts[0])
            elif parts:
                phrases.add(frozenset(parts))
        self.words = frozenset(singles)
        self.phrases = tuple(phrases)
        self.chars = tuple(str(char) for char in spec.get("chars", ()))
        regex = spec.get("regex")
        self.regex = re.compile(str(regex)) if regex else None
        self.digits = int(spec.get("digits", 0))
        self.tail = int(spec.get("tail", 0))
        self.key = (self.words, self.phrases, self.chars, regex, self.digits, self.tail)


def _gate(rule: Rule, min_score: float) -> _Gate | None:
    spec = rule.attrs.get("gate")
    if not spec:
        return None
    if not isinstance(spec, Mapping):
        raise RuleError(f"rule {rule.id}: attrs.gate must be a mapping, not {spec!r}")
    return _Gate(spec, rule, min_score)


def _context_before(rule: Rule) -> re.Pattern[str] | None:
    """Context words directly before a match (``"order #123"``) count a little more."""
    if not rule.context:
        return None
    words = "|".join(re.escape(word) for word in rule.context)
    return re.compile(r"\b(?:" + words + r")\b", re.IGNORECASE)


def _word_set(labels: Mapping[str, Mapping[str, Any]], label: str, key: str) -> frozenset[str]:
    words = labels.get(label, {}).get(key, [])
    return frozenset(str(word).lower() for word in words)


class _GateIndex:
    """Every group's gate, evaluated together: each word, substring and regex once per text."""

    def __init__(self, rules: Sequence[Rule], min_score: float) -> None:
        gates = [_gate(rule, min_score) for rule in rules]
        self.ids = [rule.id for rule in rules]
        self.size = len(gates)
        self.always: set[int] = set()
        self.by_word: dict[str, set[int]] = {}
        self.by_char: dict[str, set[int]] = {}
        # Phrases indexed by one of their words: only phrases whose word occurs are tested.
        self.phrases: dict[str, list[tuple[frozenset[str], int]]] = {}
        self.regexes: list[tuple[re.Pattern[str], int, int]] = []
        self.digits = [0] * len(gates)
        for index, gate in enumerate(gates):
            if gate is None:
                self.always.add(index)
                continue
            self.digits[index] = gate.digits
            if not (gate.words or gate.phrases or gate.chars or gate.regex):
                self.always.add(index)
            for word in gate.words:
                self.by_word.setdefault(word, set()).add(index)
            for char in gate.chars:
                self.by_char.setdefault(char, set()).add(index)
            for phrase in gate.phrases:
                self.phrases.setdefault(min(phrase), []).append((phrase, index))
            if gate.regex is not None:
                self.regexes.append((gate.regex, gate.tail, index))
        self.all_words = frozenset(self.by_word)
        self.phrase_words = frozenset(self.phrases)
        # Substrings are tested in C (non-ASCII ones only on non-ASCII text).
        self.ascii_chars = tuple(char for char in self.by_char if char.isascii())
        self.wide_chars = tuple(char for char in self.by_char if not char.isascii())
        self.most_digits = max(self.digits, default=0)

    def open_rules(self, text: str) -> set[str]:
        """Ids of the rules that may match ``text`` (a closed gate never hides a match)."""
        # Most texts have no digit at all: one fast scan (the engine jumps to a digit) saves
        # looking for runs at every position.
        digit = (_ASCII_DIGIT if text.isascii() else _DIGIT).search(text)
        runs = _DIGIT_RUNS.findall(text) if digit else None
        max_digits = max(map(len, runs)) if runs else 0
        opened = set(self.always)
        tokens = set(_words_of(text))
        by_word = self.by_word
        for word in self.all_words.intersection(tokens):
            opened |= by_word[word]
        by_char = self.by_char
        for char in filter(text.__contains__, self.ascii_chars):
            opened |= by_char[char]
        if not text.isascii():
            for char in filter(text.__contains__, self.wide_chars):
                opened |= by_char[char]
        for word in self.phrase_words.intersection(tokens):
            for phrase, index in self.phrases[word]:
                if index not in opened and phrase <= tokens:
                    opened.add(index)
        digits = self.digits
        for regex, tail, index in self.regexes:
            if (
                index not in opened
                and max_digits >= digits[index]
                and regex.search(text.rstrip()[-tail:] if tail else text) is not None
            ):
                opened.add(index)
        ids = self.ids
        if max_digits >= self.most_digits:
            return {ids[i] for i in opened}
        return {ids[i] for i in opened if max_digits >= digits[i]}


class DetailExtractor:
    """Finds details (ids, amounts, durations, dates, products, names, personal data) in text.

    Args:
        rules: Extra or overriding rules (same format as the shipped files); a rule with a
            shipped id replaces it, ``enabled: false`` disables it. Only rules whose id starts
            with ``"detail."`` or whose label is a detail kind are used, so the same user
            :class:`RuleSet` can be shared with the other detectors.
        products: The user's product names, matched case-insensitively on word boundaries;
            the detail's ``value`` is the name as given here.
        min_score: Keep candidates whose rule score (base score, raised by context words) is
            at least this, in [0, 1]; higher keeps fewer, surer details.

    Example:
        >>> DetailExtractor().extract("Order #123456 is 3wks late")[1].value
        '3 weeks'
    """

    def __init__(
        self,
        *,
        rules: RuleSet | None = None,
        products: Sequence[str] = (),
        min_score: float = 0.5,
    ) -> None:
        merged = _default_rules() if rules is None else _default_rules().merged(rules)
        self.rules: RuleSet = merged
        self.min_score = min_score
        labels = merged.labels
        self._lexicon = _Lexicon(
            not_id_before=_word_set(labels, "order_id", "not_id_before"),
            not_names=_word_set(labels, "person", "not_names"),
            not_street=_word_set(labels, "address", "not_street"),
            length_nouns=_word_set(labels, "duration", "length_nouns"),
            not_length_after=_word_set(labels, "duration", "not_length_after"),
            weight_cues=_word_set(labels, "amount", "weight_cues"),
            money_cues=_word_set(labels, "amount", "money_cues"),
            opinion_before=_word_set(labels, "amount", "opinion_before"),
            someday_after=_word_set(labels, "duration", "someday_after"),
            future_cues=_word_set(labels, "duration", "future_cues"),
            past_cues=_word_set(labels, "duration", "past_cues"),
            not_past_ed=_word_set(labels, "duration", "not_past_ed"),
        )
        detail_rules = [r for r in merged.rules if r.enabled and _is_detail_rule(r)]
        personal_rules = [r for r in detail_rules if _blocks_personal(r)]
        self._all = (RuleSet(detail_rules), _GateIndex(detail_rules, min_score))
        self._personal = (RuleSet(personal_rules), _GateIndex(personal_rules, min_score))
        self._order = {rule.id: index for index, rule in enumerate(merged.rules)}
        self._before = {
            rule.id: pattern
            for rule in merged.rules
            if rule.enabled and (pattern := _context_before(rule)) is not None
        }
        self._roles = {
            rule.id: str(rule.attrs["role"])
            for rule in merged.rules
            if rule.enabled and rule.attrs.get("role")
        }
        names = sorted({p.strip() for p in products if p and p.strip()}, key=len, reverse=True)
        self._product_names = {name.lower(): name for name in names}
        self._products = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE
            )
            if names
            else None
        )

    # -- extraction ---------------------------------------------------------------------------

    def extract(self, text: str, doc: Doc | None = None) -> list[Detail]:
        """Every detail in ``text``, ordered by position, without overlaps.

        Args:
            text: The message.
            doc: The message parsed by the analyser's ``nlp``; when that pipeline has a named
                entity recogniser, PERSON, PRODUCT, DATE, TIME and MONEY entities are added
                (rules win over entities on the same span).

        Returns:
            Details with exact character spans (``text[d.start:d.end] == d.text``), a
            normalised ``value`` where one makes sense, ``personal`` set for personal data,
            ``source`` naming the rule (or ``"ner.<LABEL>"``) and ``role`` where the words
            around say it (a duration the customer ``"waited"``, a lead time they were
            ``"promised"``, a ``"since"`` or ``"deadline"`` date, a ``"staff"`` member's
            name; see :class:`~empathic_reply.models.Detail` and :func:`waited_for`).

        Raises:
            TypeError: ``text`` is not a ``str``.
        """
        check_text(text, "text")
        candidates = self._rule_candidates(text, personal_only=False)
        if self._products is not None:
            candidates.extend(
                _Candidate(
                    m.start(), m.end(), "product", _PRODUCT_SCORE, -1, _PRODUCT_SOURCE, False
                )
                for m in self._products.finditer(text)
            )
        # doc.ents first: cheap, and empty without an entity recogniser, whereas doc.text is
        # rebuilt from the tokens on every access.
        if doc is not None and doc.ents and doc.text == text:
            candidates.extend(self._entity_candidates(doc))
        return self._details(text, self._resolve(candidates), values=True)

    def find_personal(self, text: str) -> list[Detail]:
        """Only the personal details of ``text`` (faster than filtering :meth:`extract`).

        Raises:
            TypeError: ``text`` is not a ``str``.
        """
        check_text(text, "text")
        chosen = self._resolve(self._rule_candidates(text, personal_only=True))
        return self._details(text, [c for c in chosen if c.personal], values=True)

    def _rule_candidates(self, text: str, *, personal_only: bool) -> list[_Candidate]:
        candidates: list[_Candidate] = []
        min_score = self.min_score
        lexicon = self._lexicon
        rules, gates = self._personal if personal_only else self._all
        only = gates.open_rules(text)
        if not only:
            return candidates
        for match in rules.find(text, only=only):
            score = match.score
            if score < min_score:
                continue
            rule = match.rule
            start, end = match.start, match.end
            if score > rule.score:
                score += self._before_bonus(rule, text, start)
            check = rule.attrs.get("validator")
            if check:
                validator = _VALIDATORS.get(str(check))
                if validator is not None:
                    span = validator(text, start, end, lexicon)
                    if span is None:
                        continue
                    start, end = span
            kind = _kind_of(rule)
            personal = _is_personal(rule)
            candidates.append(
                _Candidate(start, end, kind, score, self._order[rule.id], rule.id, personal)
            )
        return candidates

    def _before_bonus(self, rule: Rule, text: str, start: int) -> float:
        """Context right before a match ("case 778899") says more than context after it."""
        before = self._before.get(rule.id)
        if before is None:
            return 0.0
        near = before.search(text, max(0, start - _NEAR), start)
        if near is not None:
            return _BEFORE_BONUS
        if before.search(text, max(0, start - rule.window), start) is not None:
            return _BEFORE_BONUS / 2
        return 0.0

    @staticmethod
    def _entity_candidates(doc: Doc) -> list[_Candidate]:
        candidates = []
        for ent in doc.ents:
            kind = _NER_KINDS.get(ent.label_)
            if kind is None:
                continue
            if kind == "date" and _looks_like_duration(ent.text):
                kind = "duration"
            candidates.append(
                _Candidate(
                    ent.start_char,
                    ent.end_char,
                    kind,
                    _NER_SCORE,
                    10_000,
                    f"ner.{ent.label_}",
                    False,
                )
            )
        return candidates

    @staticmethod
    def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
        """Greedy non-overlapping choice: longest, then surest, then most specific."""
        if len(candidates) <= 1:
            return candidates
        ranked = sorted(
            candidates,
            key=lambda c: (c.start - c.end, -c.score, _SPECIFICITY.get(c.kind, 99), c.order),
        )
        chosen: list[_Candidate] = []
        for candidate in ranked:
            if all(candidate.end <= c.start or candidate.start >= c.end for c in chosen):
                chosen.append(candidate)
        chosen.sort(key=lambda c: c.start)
        return chosen

    def _details(self, text: str, chosen: list[_Candidate], *, values: bool) -> list[Detail]:
        details = []
        for c in chosen:
            span = text[c.start : c.end]
            if c.source == _PRODUCT_SOURCE:
                value: str | None = self._product_names.get(span.lower(), span)
            else:
                value = _normalise(c.kind, span) if values else None
            # Fields are built here from validated rules and exact slices: skip re-validation
            # (this runs for every message).
            details.append(
                trusted(
                    Detail,
                    kind=c.kind,
                    text=span,
                    start=c.start,
                    end=c.end,
                    value=value,
                    personal=c.personal,
                    source=c.source,
                    role=self._roles.get(c.source)
                    or _role(c.kind, text, c.start, c.end, self._lexicon),
                )
            )
        return details


_DURATION_ONLY = re.compile(
    r"(?:(?:over|more than|almost|nearly|about|around|at least|another|under|less than)\s+)?"
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|a couple of|several)"
    r"(?:\s(?:whole|full|good|entire|long))?\s?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|"
    r"months?|years?)",
    re.IGNORECASE,
)


def _looks_like_duration(text: str) -> bool:
    return _DURATION_ONLY.fullmatch(text.strip()) is not None


# -- module functions ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_extractor() -> DetailExtractor:
    return DetailExtractor()


def find_personal_data(text: str) -> list[Detail]:
    """Personal data in ``text``, the details that must never appear in a public reply.

    Emails, phone numbers, card numbers (Luhn-checked), IBANs (mod-97-checked),
    order/account/ticket ids, tracking numbers, addresses and handles.

    Uses one cached default :class:`DetailExtractor`; the whole text is scanned (no length
    limit), so it is safe to call on replies before they go out.

    Args:
        text: Any text (a customer message or a reply).

    Returns:
        Personal details in order of appearance, each with ``personal == True``.

    Raises:
        TypeError: ``text`` is not a ``str``.
    """
    return _default_extractor().find_personal(text)


def redact(text: str, *, placeholder: str = "[{kind}]") -> str:
    """Replace every personal detail in ``text`` by ``placeholder``.

    Redaction is repeated until :func:`find_personal_data` finds nothing in the result (a
    replacement can change the context of its neighbours), at most a few passes.

    Args:
        text: Any text.
        placeholder: Replacement; ``{kind}`` is replaced by the detail kind (e.g.
            ``"[email]"``). Other braces are kept literally.

    Returns:
        The text with personal data replaced; unchanged when there is none.

    Raises:
        TypeError: ``text`` or ``placeholder`` is not a ``str``.
    """
    check_text(text, "text")
    check_text(placeholder, "placeholder")
    for _ in range(6):
        found = find_personal_data(text)
        if not found:
            break
        pieces = []
        last = 0
        for detail in found:
            pieces.append(text[last : detail.start])
            pieces.append(placeholder.replace("{kind}", detail.kind))
            last = detail.end
        pieces.append(text[last:])
        text = "".join(pieces)
    return text
