"""The drafter: analyse -> pick a fitting variant -> rotate -> render -> review -> Draft.

Selection is two steps. First every variant gets a *fit* in [0, 1] (higher fits better):
its intents against the message's intents (weighted by their scores), its topics, emotions
and sentiment band, its formality against the brand voice, and how many of the specifics the
customer gave (their wait, amount, product, date) it can mirror. Variants that cannot be used
are dropped outright: wrong channel, a required variable that is empty, cues (what the body
asserts: "charged twice", "delivered but not here") that the message does not match, a
feeling the body names that the analysis did not find, and an apology when nothing went
wrong (no complaint of at least 0.5 and no clearly negative sentiment, or praise/thanks).
The message's *leading* intents must be served: an escalation threat or a cancellation of
at least 0.5 leads outright; otherwise every intent of at least 0.5 within 0.15 of the top
one leads, with praise preferred to thanks and a request to a question ("Can you add...?").
Only variants listing a leading intent take part, unless none of them fits at all; a
variant whose purpose is a cancellation or an escalation also needs that intent at 0.5.
A message with no intent but a clear topic and trouble words ("the box is soaked") is
treated as a complaint, not asked for context. Then, among the variants whose fit is
within a small band of the best, the drafter *rotates*: a variant this thread or customer
got recently is pushed down hard, one the team used a few drafts ago a little. When every
candidate tried reads canned, it looks further down the ranking (beyond the leading
intent). A stable hash of the message breaks ties, so the same inputs and the same history
always give the same draft (no ``random``).

Times: ``received_at`` and ``now`` may be timezone-aware or naive; naive values are taken to
be UTC. A reply later than one hour in public (four hours in private) opens by owning the
delay, in words that vary with the delay and the message.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, Final, Protocol

from empathic_reply._labels import EMOTION_FAMILIES
from empathic_reply._regex import accelerate
from empathic_reply._rules import Prepared
from empathic_reply._text import check_text
from empathic_reply.errors import RenderError
from empathic_reply.history import HistoryStore, InMemoryHistory
from empathic_reply.models import (
    Alert,
    Alternative,
    Analysis,
    Channel,
    Detail,
    Draft,
    Evidence,
    Review,
)
from empathic_reply.templates import BrandVoice, TemplatePack, Variant, VariantSpec, compile_variant

if TYPE_CHECKING:
    from empathic_reply._rules import RuleSet

__all__ = ["Drafter", "issue_phrase", "sanitize_name", "suggestion_phrase"]


class AnalyzerLike(Protocol):
    """What the drafter needs from an analyser (see :class:`empathic_reply.analysis.Analyzer`)."""

    def analyze(self, text: str) -> Analysis:
        """Analyse one message."""
        ...

    def analyze_many(self, texts: Iterable[str], *, batch_size: int = 256) -> list[Analysis]:
        """Analyse many messages in input order."""
        ...


class ReviewerLike(Protocol):
    """What the drafter needs from a reviewer (see :class:`empathic_reply.review.Reviewer`)."""

    def review(
        self,
        reply: str,
        *,
        message: str | Analysis | None = None,
        channel: Channel | None = None,
        repeats: int | None = None,
    ) -> Review:
        """Review one reply."""
        ...


# -- tuning constants -----------------------------------------------------------------------

# Fit weights (sum to 1, so fit stays in [0, 1]).
_W_INTENT: Final = 0.42
_W_TOPIC: Final = 0.14
_W_EMOTION: Final = 0.11
_W_SENTIMENT: Final = 0.09
_W_FORMALITY: Final = 0.06
_W_SPECIFICS: Final = 0.18
_SECONDARY_INTENT: Final = 0.8
_CUE_BONUS: Final = 0.08  # the message says what the variant is specifically about
# A variant with cues that none match is about something the message never mentions
# ("charged twice" for a dropping connection): it is not a candidate at all.
_POOL_SPREAD: Final = 0.2  # variants within this fit of the best take part in rotation
_POOL_SIZE: Final = 24
_RANK_KEEP: Final = 16  # candidates ranked beyond the pool, for fallbacks and alternatives
_THREAD_PENALTY: Final = 0.4  # same thread/customer got it recently: strong push down
_TEAM_PENALTY: Final = 0.3  # the team used it recently: pushed below fresh fitting ones
_TEAM_WINDOW: Final = 400  # drafts after which a team use no longer counts
_JITTER: Final = 0.03  # hash-based tie-break, so similar messages spread over variants
_MIN_FIT: Final = 0.35  # below this nothing in the pack fits: hand off
_LATE_AFTER: Final = {"public": timedelta(hours=1), "private": timedelta(hours=4)}
_ALTERNATIVES: Final = 3
_SOFT_COMPLAINT: Final = -0.4  # sentiment at or below which an "other" message may be a complaint
_STRONG: Final = 0.5  # an intent or emotion at or above this is present
_TOPIC_CLASH: Final = 0.3  # a variant that fits only a side topic of the message
_LEAD_BAND: Final = 0.15  # intents this close to the top one lead with it
# Intents that lead whenever present: they change what the reply must do.
_OVERRIDING: Final = ("escalation_threat", "cancellation")
# (preferred, other): when both are present the first says more about what is wanted.
_PREFERRED: Final = (("praise", "thanks"), ("request", "question"))
_PREFER_BAND: Final = 0.25  # a preferred intent this close to the top one replaces the other
_APOLOGY_SENTIMENT: Final = -0.4  # sentiment at or below which an apology may fit unasked
_EMOTION_CLASH: Final = 0.08  # a variant for other feelings than the customer's strong one
# Variants whose purpose is one of these praise or thank the customer: see _Meta.upbeat.
_UPBEAT: Final = frozenset({"praise", "thanks"})
_REVIEW_TRIES: Final = 6  # candidates reviewed before settling for a canned-sounding one

_HANDOFF_RULES: Final = {
    "version": 1,
    "rules": [
        {
            "id": "handoff.safety.v1",
            "label": "safety",
            "patterns": [
                r"\b(?:caught|on) fire\b",
                r"\bsmoke (?:came|coming|pouring)\b",
                r"\b(?:exploded|explosion|electric(?:al)? shock|electrocuted)\b",
                r"\b(?:burn(?:ed|t)|injur(?:ed|y)|hurt) (?:my|me|him|her|our|their)\b",
                r"\b(?:allergic reaction|food poisoning|hospital|ambulance)\b",
                r"\b(?:gas leak|carbon monoxide|unsafe|dangerous)\b",
                r"\b(?:kill myself|suicid\w*|self[- ]harm|end my life)\b",
                r"\b(?:threaten(?:ed|ing)? (?:me|my)|assault(?:ed)?|harass(?:ed|ment))\b",
            ],
            "score": 0.8,
        },
        {
            "id": "handoff.legal.v1",
            "label": "legal",
            "patterns": [
                r"\b(?:lawyer|attorney|solicitor|lawsuit|legal action|small claims)\b",
                r"\b(?:sue|suing) (?:you|them|the company)\b",
                r"\b(?:trading standards|ombudsman|consumer protection|class action)\b",
                r"\b(?:gdpr|data protection|subject access request|chargeback)\b",
                r"\b(?:court|tribunal|fraud(?:ulent)?)\b",
            ],
            "score": 0.8,
        },
    ],
}

_HANDOFF_CODES: Final = frozenset(
    {
        "escalation_threat",
        "safety",
        "legal",
        "very_angry_public",
        "not_english",
        "unintelligible",
        "no_fitting_template",
        "empty_message",
    }
)

_VERY_ANGRY_EMOTIONS: Final = frozenset({"anger", "disgust", "frustration"})

_HANDOFF_MESSAGES: Final = {
    "safety": "The message mentions a safety risk or harm; a person must handle it.",
    "legal": "The message mentions legal action or a regulator; a person must handle it.",
}

# Hand-off holding replies: they never name the situation (the message may be unreadable,
# in another language, or about something only a person should judge).
_HOLDING: Final = {
    "public": (
        "{{ greeting }} thanks for flagging this. Someone from {{ brand }} will look into it "
        "personally; could you send us a DM so we can pick it up there?",
        "{{ greeting }} we've seen your message, and a person from {{ brand }} is taking it on. "
        "A DM with the details will help them get it right.",
        "{{ greeting }} this one needs a proper look from one of our team rather than a quick "
        "answer. Could you DM us so they can follow up with you?",
        "{{ greeting }} one of our team will reply to you personally. If you can, send us a DM "
        "so they have everything they need in one place.",
        "{{ greeting }} we want a real person to answer this properly, so I'll pass it on. "
        "Please drop us a DM and they'll continue the conversation there.",
        "{{ greeting }} thanks for getting in touch. A colleague who can help with this will "
        "follow up; a quick DM lets them reach you directly.",
    ),
    "private": (
        "{{ greeting }} thanks for writing. Someone from {{ brand }} is going to look "
        "at this personally and will come back to you shortly.",
        "{{ greeting }} I'll pass your message to a colleague who can give it the attention "
        "it needs; you'll hear from them directly.",
        "{{ greeting }} a member of the {{ brand }} team will pick this up personally. "
        "Nothing more is needed from you for now.",
        "{{ greeting }} thank you for your message. A colleague will read it in full and reply "
        "to you here.",
    ),
}

# Replies to messages we could not read (another language, no words): a person will answer,
# so these say so and ask for nothing, in public or in private.
_UNREAD: Final = (
    "{{ greeting }} we've got your message, and one of our team will answer it personally "
    "here shortly.",
    "{{ greeting }} a colleague is picking this up and will reply to you directly.",
    "{{ greeting }} we'll pass this to someone on the team who can answer it properly; "
    "they'll be in touch soon.",
    "{{ greeting }} we'd like you to get a proper answer, so a person from {{ brand }} will "
    "follow up with you here.",
    "{{ greeting }} seen. We'll hand this to the right person on our side; expect a reply from "
    "them shortly.",
)

# -- naming the customer's situation -----------------------------------------------------

_ESCAPE: Final = re.compile(r"\\.", re.DOTALL)
_NAMED_GROUP: Final = re.compile(r"\(\?P[<=]")


class _Found:
    """A match on the lowered text, read back from the searched text (same offsets)."""

    __slots__ = ("_match", "_text")

    def __init__(self, match: re.Match[str], text: str) -> None:
        self._match = match
        self._text = text

    def group(self, name: str) -> str | None:
        start, end = self._match.span(name)
        return None if start < 0 else self._text[start:end]

    def groupdict(self) -> dict[str, str | None]:
        return {name: self.group(name) for name in self._match.re.groupindex}

    def span(self, name: str) -> tuple[int, int]:
        return self._match.span(name)


class _Folded:
    """A case-insensitive pattern that runs on the lowered text when that gives the same matches.

    ``re.IGNORECASE`` stops the regex engine from skipping ahead to where a match can start;
    on lowered text the pattern runs case-sensitively, with a first-character look-ahead
    (:func:`empathic_reply._regex.accelerate`): several times faster, the same spans, and the
    groups are read from the unlowered text so the customer's spelling ("WiFi") is kept. The
    text is read as the rule sets read it (:class:`empathic_reply._rules.Prepared`: ’ as ').
    """

    __slots__ = ("exact", "folded")

    def __init__(self, source: str) -> None:
        self.exact = re.compile(source, re.IGNORECASE)
        syntax = _NAMED_GROUP.sub("", _ESCAPE.sub("", source))  # "\S", "(?P<noun>" aren't text
        foldable = not any(c.isupper() for c in syntax)
        self.folded = re.compile(accelerate(source)) if foldable else None

    def search(self, text: str | Prepared) -> re.Match[str] | _Found | None:
        """The first match in ``text`` (’ read as '), as ``re.IGNORECASE`` would find it."""
        prepared = text if isinstance(text, Prepared) else Prepared(text)
        if self.folded is not None and prepared.aligned:
            found = self.folded.search(prepared.lowered)
            return None if found is None else _Found(found, prepared.matched)
        return self.exact.search(prepared.matched)


_NOUN_WORDS: Final = sorted(
    {
        "refund",
        "order",
        "package",
        "parcel",
        "delivery",
        "shipment",
        "flight",
        "booking",
        "reservation",
        "account",
        "bill",
        "invoice",
        "payment",
        "subscription",
        "membership",
        "plan",
        "card",
        "phone",
        "iphone",
        "ipad",
        "laptop",
        "tablet",
        "router",
        "modem",
        "tv",
        "cable",
        "app",
        "internet",
        "wifi",
        "wi-fi",
        "connection",
        "signal",
        "item",
        "purchase",
        "return",
        "exchange",
        "seat",
        "bag",
        "luggage",
        "baggage",
        "password",
        "login",
        "train",
        "ticket",
        "tickets",
        "repair",
        "claim",
        "contract",
        "upgrade",
        "device",
        "game",
        "games",
        "console",
        "xbox",
        "ps4",
        "playstation",
        "download",
        "update",
        "stats",
        "progress",
        "data",
        "balance",
        "points",
        "miles",
        "rewards",
        "voucher",
        "coupon",
        "gift card",
        "discount",
        "trial",
        "premium",
        "playlist",
        "music",
        "battery",
        "screen",
        "charger",
        "headphones",
        "speaker",
        "kindle",
        "prescription",
        "meal",
        "food",
        "room",
        "hotel",
        "rental",
        "email",
        "website",
        "site",
        "store",
        "checkout",
        "cart",
        "code",
        "promo code",
        "pre-order",
        "preorder",
        "order number",
        "phone number",
        "appointment",
        "installation",
        "charge",
        "charges",
        "fee",
        "fees",
        "price",
        "bus",
        "service outage",
        "outage",
        "coverage",
        "network",
        "streaming",
        "stream",
        "tracking",
        "gift",
        "package tracking",
        "delivery date",
        "parcel tracking",
        "replacement",
        "warranty",
    },
    key=lambda word: (-len(word), word),
)
_NOUNS: Final = "(?:" + "|".join(re.escape(word) for word in _NOUN_WORDS) + ")s?"
_STATES: Final = (
    "cancelled|canceled|delayed|late|missing|lost|broken|damaged|wrong|stuck|declined|locked|"
    "hacked|suspended|faulty|overdue|stolen|frozen|blocked|disconnected|rejected|overbooked"
)
_AFTER: Final = (
    r"(?:\s+(?:is|was|has been|have been|got|gets|keeps getting|just got|still)\s+"
    r"(?:still\s+|now\s+|been\s+|being\s+|getting\s+)?(?P<post>" + _STATES + r"))?"
)
# Neutral words a customer puts before the noun ("my *train* ticket", "the *E-Gift* voucher");
# echoing them too makes the reply name their thing, not a category. No judgements here
# ("stupid phone"), so nothing rude can be echoed back.
_MODIFIERS: Final = (
    "new|old|online|mobile|home|monthly|annual|yearly|gift|e-gift|egift|replacement|return|"
    "train|flight|hotel|prime|premium|music|phone|data|credit|debit|store|grocery|food|"
    "xbox|playstation|ps4|ps5|iphone|android|broadband|fibre|fiber|tv|kindle|echo|wifi|"
    "internet|delivery|christmas|birthday|first|second|latest|recent|weekly|student|family|"
    "business|season|rail|bus|contract|sim|insurance|loyalty|rewards?|points|club|app|laptop|"
    "tablet|cable|bank|card|email|e-mail|account|annual|trial|membership|subscription|booking"
)
_OURS: Final = frozenset(
    {
        "app",
        "website",
        "site",
        "store",
        "update",
        "network",
        "outage",
        "service outage",
        "coverage",
        "streaming",
        "stream",
        "checkout",
        "tracking",
        "train",
        "bus",
    }
)
_PRE: Final = rf"(?:(?P<pre>{_STATES})\s+)?(?:(?P<mod>{_MODIFIERS})\s+)?"
# Idioms whose noun is not a thing of theirs ("up your game" is not "the game", "in order to
# make room" is not "your order").
_IDIOM: Final = re.compile(
    r"\b(?:(?:up|raise|lift|step up|raising)\s+(?:your|ur|the|their)\s+game|"
    r"in\s+order\s+(?:to|for|that))\b"
)
_OWN_NP: Final = _Folded(rf"\b(?:my|our)\s+{_PRE}(?P<noun>{_NOUNS})\b" + _AFTER)
_THE_NP: Final = _Folded(rf"\b(?:the|this|that|your|ur|ya)\s+{_PRE}(?P<noun>{_NOUNS})\b" + _AFTER)
_BARE_NP: Final = _Folded(rf"\b{_PRE}(?P<noun>{_NOUNS})\b" + _AFTER)
_PROBLEM: Final = _Folded(
    r"\b(?:not working|doesn'?t work|won'?t (?:even )?(?:open|load|work|connect|start|let)|"
    r"can'?t (?:log|connect|get|access|open|use)|keeps? (?:crashing|dropping|cutting|freezing)|"
    r"crash\w*|down|errors?|broke|cuts? out|drop(?:s|ping)?|slow|freez\w*|glitch\w*|bug\w*|"
    r"issues?|problems?|outage|fail\w*|stopped)\b"
)
# A person asked for is not a thing of theirs to check ("speak to a technician" is not "your
# technician"): the request is to reach one. Job titles are never nouns in ``_NOUN_WORDS``.
_PERSON_ASK: Final = _Folded(
    r"\b(?:speak|talk|chat|get through|be put through)\s+(?:to|with)\s+(?:an?|the|your|ur)?\s*"
    r"(?:(?:real|actual|qualified|proper)\s+)?(?P<who>technician|engineer|specialist|advis[eo]r|"
    r"human|person|representative|agent)s?\b"
)
_LOGIN: Final = _Folded(r"\b(?:log ?in|sign ?in|password|locked out|2fa|verification code)\b")
_LATE: Final = _Folded(
    r"\b(?:late|delay(?:ed)?|still waiting|waiting|hasn'?t (?:arrived|come)|not (?:arrived|here)|"
    r"never (?:arrived|came|showed)|where is)\b"
)
_DOUBLE_CHARGE: Final = _Folded(
    r"\b(?:charged (?:me )?(?:[$£€]?\d[\d.,]* )?twice|double[- ]charged|charged double)\b"
)

# "isn't sorted", "still not fixed", "if you don't resolve this": what the customer is waiting
# for, in their verb, when no thing of theirs is named ("the problem that still isn't sorted").
_UNRESOLVED: Final = _Folded(
    r"\b(?:(?:is|are|was|has|have|had)(?:n'?t| not)(?: been)?|not(?: yet)?(?: been)?|"
    r"never(?: been)?|still not|yet to be)\s+(?:properly\s+|fully\s+|actually\s+)?"
    r"(?P<done>sorted|fixed|resolved|solved|dealt with|addressed)\b|"
    r"\b(?:(?:do|does|did|can|could|will|wo)(?:n'?t| not)|fail(?:s|ed)? to)\s+"
    r"(?:even\s+)?(?P<verb>sort|fix|resolve|solve)\b|\b(?P<un>unresolved|unsolved)\b"
)
_DONE_FORM: Final = {
    "sort": "sorted",
    "fix": "fixed",
    "resolve": "resolved",
    "solve": "solved",
    "unresolved": "resolved",
    "unsolved": "solved",
}

_WORDED_ISSUES: Final = (  # when no noun of the customer's was found
    (frozenset({"delivery"}), _LATE, "the late delivery"),
    (frozenset({"account", "technical"}), _LOGIN, "the login problem"),
    (frozenset({"billing"}), _DOUBLE_CHARGE, "the double charge"),
)

# Words that say something went wrong, for messages no intent was found for
# ("the box is soaked through").
_TROUBLE: Final = _Folded(
    r"\b(?:soaked|wet|damaged|broken|smashed|crushed|ripped|torn|leak\w*|missing|lost|late|"
    r"delayed|never (?:arrived|came|turned up)|not (?:arrived|received|working)|"
    r"(?:hasn'?t|didn'?t|won'?t) (?:arrived|come|work)\w*|wrong|faulty|stolen|left (?:my|it|the)|"
    r"rude|ignored|overcharged|charged)\b"
)

_RELATIVE_DATES: Final = frozenset(
    {
        "today",
        "tonight",
        "tomorrow",
        "yesterday",
        "last night",
        "this morning",
        "this afternoon",
        "this evening",
        "this week",
        "last week",
        "next week",
        "this weekend",
        "last weekend",
        "next weekend",
        "earlier today",
    }
)

_TOPIC_ISSUE: Final = {
    "refund": "your refund",
    "order": "your order",
    "subscription": "your subscription",
    "pricing": "the pricing",
    "service": "how you were treated",
    "billing": "the billing problem",
    "account": "your account",
    "technical": "the technical problem",
    "product_quality": "the faulty item",
    "delivery": "your delivery",
}
_INTENT_ISSUE: Final = {
    "praise": "your kind words",
    "thanks": "your message",
    "question": "your question",
    "request": "what you asked for",
    "cancellation": "the cancellation",
    "feedback": "your feedback",
    "complaint": "what happened",
    "urgent": "this",
    # Someone taking it further has a complaint, and it is theirs: "what happened" names
    # nothing ("look into what happened with you").
    "escalation_threat": "your complaint",
}

# Date roles (see ``models.Detail``) for each date value a template can use.
_INCIDENT_ROLES: Final = frozenset({None, "since", "waited"})
_DEADLINE_ROLES: Final = frozenset({"deadline"})
_PROMISED_ROLES: Final = frozenset({"promised"})
# Values whose presence makes a variant that mirrors them fit better (see ``_fit``).
_SPECIFICS: Final = ("product", "wait", "amount", "date", "deadline", "promised")
_AS_DEADLINE: Final = frozenset({"deadline"})

_ORDER_ID: Final = re.compile(r"^(?:order\s*)?#?[A-Za-z0-9][A-Za-z0-9-]{2,30}$", re.IGNORECASE)
_SAFE_VALUE: Final = re.compile(r"^[\w$£€¥%.,'’&:/ -]{1,40}$", re.UNICODE)
_TEMPLATE_SYNTAX: Final = re.compile(r"[{}%<>\\]")
_LOOKS_LIKE_HANDLE: Final = re.compile(r"(?:^@|@\w|https?:|www\.|\.(?:com|net|org|io)\b|\d)", re.I)
_NAME_OK: Final = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’.-])*$", re.UNICODE)


def _leading(intents: dict[str, float]) -> frozenset[str]:
    """The intents a reply must serve first (empty when none is at least ``_STRONG``)."""
    strong = {label: score for label, score in intents.items() if score >= _STRONG}
    if not strong:
        return frozenset()
    for label in _OVERRIDING:
        if label in strong:
            return frozenset({label})
    top = max(strong.values())
    lead = {label for label, score in strong.items() if score >= top - _LEAD_BAND}
    for preferred, other in _PREFERRED:
        if other in lead and strong.get(preferred, 0.0) >= top - _PREFER_BAND:
            lead.discard(other)
            lead.add(preferred)
    return frozenset(lead)


def sanitize_name(name: str | None) -> str:
    """Make a customer name safe for a greeting, or return "" to use the fallback.

    Strips whitespace, drops anything that looks like an email, a handle, a URL or template
    syntax (or has digits), keeps unicode letters, title-cases an all-lowercase name and
    keeps the first name.

    Raises:
        TypeError: ``name`` is neither ``None`` nor a ``str``.
    """
    if name is None:
        return ""
    name = " ".join(check_text(name, "customer_name").split())
    if not name or len(name) > 60:
        return ""
    if _TEMPLATE_SYNTAX.search(name) or _LOOKS_LIKE_HANDLE.search(name):
        return ""
    if not _NAME_OK.match(name):
        return ""
    first = name.split(" ")[0].strip(".-'’")
    if not first or not _NAME_OK.match(first):
        return ""
    if first.islower():
        first = first.title()
    return first


def issue_phrase(analysis: Analysis) -> str:  # noqa: PLR0911 - one exit per fallback level
    """Name the customer's situation in their own terms ("your cancelled flight").

    Prefers the customer's own noun phrase ("my flight was cancelled" -> "your cancelled
    flight"), then the topic and wording ("the late delivery", "the login problem"), then the
    intent ("your question"), and finally "this". Never contains personal data: the phrase
    is built from a fixed vocabulary (plus a product name when one was detected).
    """
    text = Prepared(analysis.text)  # lowered once for every pattern below
    topics = {t.label for t in analysis.topics}
    complaint = analysis.intent_score("complaint") >= 0.5 or analysis.sentiment.label == "negative"
    if topics & {"account", "technical"} and _LOGIN.search(text):
        return "the login problem"
    # The customer's own noun next: saying their word back is what makes them feel heard.
    own = _own_phrase(text, complaint=complaint)
    if own:
        return own
    asked = _PERSON_ASK.search(text)
    if asked is not None:
        who = (asked.group("who") or "").lower()
        return f"access to {'an' if who[:1] in 'aeiou' else 'a'} {who}"
    for needed, pattern, phrase in _WORDED_ISSUES:
        if topics & needed and pattern.search(text):
            return phrase
    product = _safe_value(next((d.text for d in analysis.details if d.kind == "product"), ""))
    if product and topics & {"product_quality", "technical"}:
        return f"the problem with your {product}"
    topic_phrase = next(
        (_TOPIC_ISSUE[t.label] for t in analysis.topics if t.label in _TOPIC_ISSUE), ""
    )
    if topic_phrase:
        return topic_phrase
    if product:
        return f"your {product}"
    unresolved = _UNRESOLVED.search(text)
    if unresolved is not None:
        done = unresolved.group("done") or unresolved.group("verb") or unresolved.group("un")
        done = (done or "").lower()
        return f"the problem that still isn't {_DONE_FORM.get(done, done)}"
    return _INTENT_ISSUE.get(analysis.intent, "this")


# -- naming what a customer suggests ---------------------------------------------------------

# Verbs that put a thing in the product ("add an option to X" -> "an option to X").
_ADDING: Final = (
    r"(?:(?:add|introduce|bring back|offer|include|implement)|"
    r"(?:have|get|do|make|sell|stock)(?=\s+(?:an?|the|some|more|proper|better|cheaper)\b))"
)
_NOT_A_THING: Final = r"(?!(?:me|it|us|them|this|that|him|her|you|u|to|back|sure|up)\b)"
# What may follow "you should" / "a way to": product moves, not judgements ("fire...").
_PRODUCT_VERBS: Final = (
    r"(?:let|allow|enable|offer|support|show|provide|give|include|introduce|bring|stock|sell|"
    r"extend|create|build|pause|skip|choose|pick|save|"
    r"filter|download|share|keep|switch|see|view|track|edit|hide|mute|"
    r"block|remove|reorder|split|schedule|book|pay|delay|hold|collect|return|swap|merge|link|"
    r"sync|export|import|search|rate|tip|gift|deliver|open|start|restore|undo|"
    r"play|shuffle|repeat|stream|rename|customi[sz]e|personali[sz]e|display|notify|remind|"
    r"ship|post|list|limit|lock|unlock)"
)
_SUGGESTION_END: Final = (
    r"(?=\s*(?:[.?!;:,()\n]|$|\s(?:so|because|cos|cause|as|since|but|though|although|thanks|"
    r"thank you|thx|please|pls|plz|lol|haha|instead of|rather than)\b))"
)
_SUGGESTION_BODY: Final = r"(?P<rest>[^.?!;:,()\n]{3,90}?)" + _SUGGESTION_END
_SUGGESTS: Final = tuple(
    _Folded(source)
    for source in (
        # "please add a dark mode", "can you add an option to...", "bring back the old layout"
        rf"\b(?:add|introduce|bring back|offer|implement)\s+(?P<thing>){_NOT_A_THING}"
        + _SUGGESTION_BODY,
        # "wish you had a dark mode", "i wish you'd let me..."
        rf"\bwish (?:you|u)(?: guys)? (?:had|offered|sold|stocked|(?:would|could|'d) "
        rf"{_ADDING})\s+(?P<thing>){_NOT_A_THING}" + _SUGGESTION_BODY,
        rf"\bwish (?:you|u)(?: guys)?(?: would| could|'d) (?P<way>)(?={_PRODUCT_VERBS}\b)"
        + _SUGGESTION_BODY,
        # "it would be nice if you could add...", "...if I could pause...", "...to be able to..."
        r"\bwould be (?:nice|great|good|handy|helpful|useful|awesome|cool|amazing|brilliant|"
        rf"lovely|ideal|fab|ace) if (?:you|u)(?: guys)? (?:could |would |can |)"
        rf"{_ADDING}\s+(?P<thing>){_NOT_A_THING}" + _SUGGESTION_BODY,
        r"\bwould be (?:nice|great|good|handy|helpful|useful|awesome|cool|amazing|brilliant|"
        rf"lovely|ideal|fab|ace) (?:if (?:you|u|i|we)(?: guys)? (?:could|can) |to (?:be able to )?)"
        rf"(?P<way>)(?={_PRODUCT_VERBS}\b)" + _SUGGESTION_BODY,
        # "you should do a student discount", "you should let us...", "make it possible to..."
        rf"\b(?:you|u)(?: guys)? (?:should|need to) (?:really |definitely |totally |just )?"
        rf"{_ADDING}\s+(?P<thing>){_NOT_A_THING}" + _SUGGESTION_BODY,
        rf"\b(?:you|u)(?: guys)? should (?:really |definitely |totally |just )?"
        rf"(?P<way>)(?={_PRODUCT_VERBS}\b)" + _SUGGESTION_BODY,
        r"\bmake it possible (?:for (?:me|us|people|customers|users) )?to (?P<way>)"
        + _SUGGESTION_BODY,
        # "how about adding a dark mode?", "what if you had a student discount"
        r"\b(?:how|what) about (?:adding|introducing|offering|bringing back)\s+"
        rf"(?P<thing>){_NOT_A_THING}" + _SUGGESTION_BODY,
        r"\bwhat if (?:you|u)(?: guys)? (?:had|offered|sold|stocked|added|introduced)\s+"
        rf"(?P<thing>){_NOT_A_THING}" + _SUGGESTION_BODY,
    )
)
_SUGGESTION_HINT: Final = re.compile(
    r"\b(?:add|introduce|bring back|offer|implement|wish|would be|should|need to|possible|"
    r"how about|what about|what if)\b"
)
# First person becomes second ("pause my deliveries" -> "pause your deliveries"); the
# customer's "you" is us ("send you photos" -> "send us photos").
_FLIP: Final = {
    "i": "you",
    "i'm": "you're",
    "im": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "we're": "you're",
    "our": "your",
    "us": "you",
    "ours": "yours",
    "you": "us",
    "u": "us",
    "your": "our",
    "ur": "our",
    "yours": "ours",
    "you're": "we're",
}
_WORD: Final = re.compile(r"[\w']+|[^\w'\s]+")
_SUGGESTION_OK: Final = re.compile(r"^[^\W\d_][\w' -]*$", re.UNICODE)
_RUDE: Final = re.compile(
    r"\b(?:fuck|shit|crap|damn|bloody|stupid|useless|idiot|rubbish|ridiculous|pathetic|joke|"
    r"hell|sack|fire|bankrupt|die|kill)\w*",
    re.IGNORECASE,
)
_MAX_SUGGESTION_WORDS: Final = 12
_WHERE_TAIL: Final = re.compile(r" (?:to|on|in|into|for) (?:the|our) (?:app|website|site|service)$")


def _lowered(text: str | Prepared) -> str:
    return text.lowered if isinstance(text, Prepared) else text.lower()


def suggestion_phrase(text: str | Prepared) -> str:
    """What the customer suggests, as we would say it back, or "" when nothing clean is found.

    "Can you add an option to pause deliveries while I'm on holiday?" -> "an option to pause
    deliveries while you're on holiday"; "you should let people skip a week" -> "a way to let
    people skip a week"; "wish you had a dark mode" -> "a dark mode". Pronouns are flipped
    (I'm -> you're, my -> your, your -> our). Empty when the phrase is longer than twelve
    words, has digits, symbols or rude words, or when no suggestion pattern matches: the
    variant then uses its own wording. The phrase is only ever a template *value*.
    """
    if _SUGGESTION_HINT.search(_lowered(text)) is None:
        return ""  # the cheap check first: most messages suggest nothing
    prepared = text if isinstance(text, Prepared) else Prepared(text)
    for pattern in _SUGGESTS:
        match = pattern.search(prepared)
        if match is None:
            continue
        rest = (match.group("rest") or "").strip()
        words = _WORD.findall(rest)
        if not words or len(words) > _MAX_SUGGESTION_WORDS:
            return ""
        shouted = rest.isupper()
        flipped = []
        for word in words:
            key = word.lower()
            flipped.append(_FLIP.get(key, key if shouted else word))
        phrase = _WHERE_TAIL.sub("", " ".join(flipped))  # "a dark mode to the app" -> "a dark mode"
        if match.groupdict().get("way") is not None:
            phrase = f"a way to {phrase}"
        if (
            not _SUGGESTION_OK.match(phrase)
            or any(ch.isdigit() for ch in phrase)
            or _RUDE.search(phrase)
        ):
            return ""
        return phrase
    return ""


def _as_written(raw: str) -> str:
    """Keep spellings like "WiFi", "iPhone", "PS4", "E-Gift"; lower-case plain or shouted words."""
    if raw.isupper():
        return raw if any(ch.isdigit() for ch in raw) else raw.lower()
    return raw if raw[1:] != raw[1:].lower() else raw.lower()


def state_of(match: re.Match[str] | _Found) -> str:
    """The state word ("cancelled", "late"...) captured around a noun, or ""."""
    groups = match.groupdict()
    return (groups.get("post") or groups.get("pre") or "").lower()


def _own_phrase(text: str | Prepared, *, complaint: bool) -> str:
    """The customer's own words for the thing at stake, as we would say them back.

    "my flight was cancelled" -> "your cancelled flight"; "the app keeps crashing" ->
    "the problem with the app"; "internet is down again" -> "the problem with the internet";
    "" when no known noun is mentioned.
    """
    for pattern, fixed_owner in ((_OWN_NP, "your"), (_THE_NP, "the"), (_BARE_NP, "")):
        match = pattern.search(text)
        if match is None:
            continue
        written = match.group("noun") or ""  # the group is not optional: always set
        if written.lower() in {"game", "order"}:
            start, end = match.span("noun")
            idiom = _IDIOM.search(_lowered(text), max(0, start - 20), end + 8)
            if idiom is not None and idiom.start() <= start < idiom.end():
                continue  # the next, wider pattern finds the same idiom and gives up too
        noun = _as_written(written)
        noun = {"order number": "order", "wi-fi": "wifi", "preorder": "pre-order"}.get(noun, noun)
        owner = fixed_owner
        if not owner:
            # A bare noun: the customer's own thing ("internet is down") unless it is ours.
            owner = "the" if written.lower().rstrip("s") in _OURS else "your"
        modifier = match.group("mod")
        if modifier and modifier.lower() != noun.lower():
            noun = f"{_as_written(modifier)} {noun}"
        if noun.lower() in {"login", "logins", "password", "passwords"} and not state_of(match):
            return "the login problem"
        state = state_of(match)
        state = "cancelled" if state == "canceled" else state
        if state:
            return f"{owner} {state} {noun}"
        if complaint and _PROBLEM.search(text):
            return f"the problem with {owner} {noun}"
        return f"{owner} {noun}"
    return ""


def _safe_value(value: str | None) -> str:
    if not value:
        return ""
    value = " ".join(value.split())
    if not _SAFE_VALUE.match(value) or _TEMPLATE_SYNTAX.search(value) or "@" in value:
        return ""
    return value


def _personal_finder() -> _Finder:
    try:
        from empathic_reply.details import find_personal_data
    except ImportError:  # pragma: no cover - the details module ships with the library
        return _fallback_personal
    return find_personal_data


class _Finder(Protocol):
    def __call__(self, text: str) -> list[Detail]: ...


_FALLBACK_PERSONAL: Final = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d ()-]{7,}\d|#\d{4,}|\b\d{6,}\b|(?<!\w)@\w{2,}"
)


def _fallback_personal(text: str) -> list[Detail]:
    return [
        Detail(kind="personal", text=m.group(), start=m.start(), end=m.end(), personal=True)
        for m in _FALLBACK_PERSONAL.finditer(text)
    ]


def _sentence_start(text: str) -> str:
    """Capitalise the first letter, leaving names like "iPhone" or "eBay" as written."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=4096)
def _cue_pattern(cues: tuple[str, ...]) -> tuple[re.Pattern[str], bool]:
    """One compiled pattern per distinct list of cues (shared by the variants that use it).

    Returns the pattern and whether it is meant for the lower-cased message: a pattern with
    no upper-case letter (outside escapes such as "backslash S") matches the lower-cased
    text exactly as it would match the original case-insensitively, about 3x faster.
    """
    source = "|".join(f"(?:{c})" for c in cues)
    if re.search(r"[A-Z]", re.sub(r"\\.", "", source)):
        return re.compile(source, re.IGNORECASE), False
    return re.compile(source), True


def _stable(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _span(delay: timedelta) -> str:
    hours = delay.total_seconds() / 3600
    if hours < 2:
        return "over an hour"
    if hours < 24:
        return f"{int(hours)} hours"
    days = int(hours // 24)
    if days == 1:
        return "a day"
    if days < 14:
        return f"{days} days"
    return f"{days // 7} weeks"


_LATE_SENTENCES: Final = (
    "sorry it took us {span} to get back to you.",
    "sorry for the slow reply; {span} is longer than you should have waited.",
    "you've been waiting {span} for this reply, and I'm sorry about that.",
    "apologies for going quiet on you for {span}.",
    "I'm sorry this answer has taken {span}.",
    "sorry for the wait on our side; {span} is too long.",
    "thanks for bearing with us, and sorry it took {span} to answer.",
)
# When the body apologises already, own the delay without a second "sorry".
_LATE_SENTENCES_NO_SORRY: Final = (
    "we took {span} to get back to you, and that's on us.",
    "{span} is far too long to wait for an answer, and that's on us.",
    "this reply has taken us {span}, which is longer than it should have.",
    "thanks for waiting {span} for us to get back to you.",
    "it's taken {span} to reach your message, and that's not the standard we aim for.",
)


@dataclass(frozen=True)
class _Candidate:
    variant: Variant
    fit: float


@dataclass(frozen=True)
class _Meta:
    variant: Variant
    channel: str
    apology: bool
    requires: tuple[str, ...]
    intents: tuple[str, ...]
    topics: tuple[str, ...]
    emotions: tuple[str, ...]
    families: frozenset[str]
    sentiment: frozenset[str]
    formality: float
    optional_used: frozenset[str]
    cues: re.Pattern[str] | None
    cues_lower: bool
    weighted_intents: tuple[tuple[str, float], ...] = ()
    emotion_required: bool = False
    # The variant's id, and its purpose when that is an intent the message must show
    # (escalation, cancellation): precomputed for the selection loop.
    id: str = ""
    overriding: str | None = None
    # The body praises or thanks ("nice one!", "shows us what to keep doing"): never for a
    # negative or critical message, however far down the ranking the drafter looks.
    upbeat: bool = False


def _best_score(scores: dict[str, float], labels: tuple[str, ...]) -> float:
    """The highest score of ``labels`` in ``scores`` (scores are >= 0); -1.0 if none is there."""
    best = -1.0
    for label in labels:
        score = scores.get(label)
        if score is not None and score > best:
            best = score
    return best


@dataclass(frozen=True)
class _Bucket:
    """The variants for one (intent, channel), also grouped by the topics they are for."""

    metas: tuple[_Meta, ...]
    untopical: tuple[_Meta, ...]  # variants for any topic
    by_topic: dict[str, tuple[_Meta, ...]]

    @classmethod
    def of(cls, metas: Sequence[_Meta]) -> _Bucket:
        by_topic: dict[str, list[_Meta]] = {}
        for meta in metas:
            for topic in meta.topics:
                by_topic.setdefault(topic, []).append(meta)
        return cls(
            metas=tuple(metas),
            untopical=tuple(m for m in metas if not m.topics),
            by_topic={topic: tuple(group) for topic, group in by_topic.items()},
        )


@dataclass(frozen=True)
class _Context:
    analysis: Analysis
    channel: Channel
    values: dict[str, str]
    available: frozenset[str]
    intents: dict[str, float]
    topics: dict[str, float]
    emotions: dict[str, float]
    families: frozenset[str]
    no_apology: bool
    strong_topic: bool
    greetings: tuple[str, ...]
    lowered: str
    lead: frozenset[str] = frozenset()
    strongest_emotion: float = 0.0
    top_topic: float = 0.0  # the strongest topic's score (0.0 without topics)
    critical: bool = False  # negative sentiment, a complaint or a threat: no upbeat variant


_FAMILY: Final = EMOTION_FAMILIES


class Drafter:
    """Drafts personalised acknowledgements from a template pack.

    Args:
        analyzer: Analyses messages (``analyze`` / ``analyze_many``).
        reviewer: Reviews the chosen draft (canned-ness, empathy, risks).
        templates: The template pack (default: the shipped pack).
        history: Rotation history (default: a new :class:`InMemoryHistory`).
        voice: Brand voice (default: :class:`BrandVoice` defaults).
        personal_data: Finds personal data in a text (default:
            :func:`empathic_reply.details.find_personal_data`); public drafts in which it
            finds anything are never returned.
    """

    def __init__(
        self,
        *,
        analyzer: AnalyzerLike,
        reviewer: ReviewerLike,
        templates: TemplatePack | None = None,
        history: HistoryStore | None = None,
        voice: BrandVoice | None = None,
        personal_data: Callable[[str], list[Detail]] | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.reviewer = reviewer
        self.templates = templates if templates is not None else TemplatePack.default()
        self.history: HistoryStore = history if history is not None else InMemoryHistory()
        self.voice = voice or BrandVoice()
        self._find_personal = personal_data or _personal_finder()
        self._handoff: RuleSet | None = None
        self._meta_cache: tuple[TemplatePack, BrandVoice, dict[tuple[str, str], _Bucket]] | None = (
            None
        )
        self._holding = {
            channel: [
                compile_variant(
                    VariantSpec(
                        id=f"builtin.holding.{channel}.v{number}",
                        intents=["other"],
                        channel=channel,
                        body=body,
                    ),
                    "<builtin>",
                )
                for number, body in enumerate(bodies, start=1)
            ]
            for channel, bodies in _HOLDING.items()
        }
        self._unread = [
            compile_variant(
                VariantSpec(id=f"builtin.handoff.unread.v{number}", intents=["other"], body=body),
                "<builtin>",
            )
            for number, body in enumerate(_UNREAD, start=1)
        ]

    # -- public API ---------------------------------------------------------------------

    def draft(
        self,
        message: str,
        *,
        customer_name: str | None = None,
        channel: Channel = "public",
        thread_id: str | None = None,
        customer_id: str | None = None,
        received_at: datetime | None = None,
        now: datetime | None = None,
    ) -> Draft:
        """Draft a reply to one message.

        Args:
            message: The inbound message.
            customer_name: The customer's name (sanitised; a greeting fallback is used
                when missing or unusable).
            channel: ``"public"`` or ``"private"``; public drafts never contain personal data.
            thread_id: Conversation id for rotation (strong: no repeats in a thread).
            customer_id: Customer id for rotation (strong: no repeats for a customer).
            received_at: When the message arrived (naive = UTC).
            now: The current time (naive = UTC; default: the clock).

        Returns:
            The :class:`~empathic_reply.models.Draft`; ``fit`` is in [0, 1], higher fits
            better; ``needs_human`` with ``warnings`` says when a person must take over.

        Raises:
            TypeError: ``message`` or ``customer_name`` has the wrong type.
            ValueError: ``channel`` is neither "public" nor "private".
        """
        check_text(message, "message")
        self._check_channel(channel)
        analysis = self.analyzer.analyze(message)
        return self.draft_from_analysis(
            analysis,
            customer_name=customer_name,
            channel=channel,
            thread_id=thread_id,
            customer_id=customer_id,
            received_at=received_at,
            now=now,
        )

    def draft_many(
        self,
        messages: Iterable[str],
        *,
        channel: Channel = "public",
        customer_names: Sequence[str | None] | None = None,
        batch_size: int = 256,
    ) -> list[Draft]:
        """Draft replies to many messages (analysed in batches), in input order.

        Raises:
            TypeError: A message is not a ``str``.
            ValueError: ``customer_names`` has a different length than ``messages``.
        """
        self._check_channel(channel)
        texts = list(messages)
        for position, text in enumerate(texts):
            check_text(text, f"messages[{position}]")
        names: Sequence[str | None] = (
            customer_names if customer_names is not None else [None] * len(texts)
        )
        if len(names) != len(texts):
            raise ValueError(f"customer_names has {len(names)} items but messages has {len(texts)}")
        analyses = self.analyzer.analyze_many(texts, batch_size=batch_size)
        return [
            self.draft_from_analysis(analysis, customer_name=name, channel=channel)
            for analysis, name in zip(analyses, names, strict=True)
        ]

    def draft_from_analysis(
        self,
        analysis: Analysis,
        *,
        customer_name: str | None = None,
        channel: Channel = "public",
        thread_id: str | None = None,
        customer_id: str | None = None,
        received_at: datetime | None = None,
        now: datetime | None = None,
    ) -> Draft:
        """Draft from an existing analysis (same options as :meth:`draft`)."""
        self._check_channel(channel)
        name = sanitize_name(customer_name)
        current = _utc(now) if now is not None else datetime.now(timezone.utc)
        alerts = self._handoff_alerts(analysis, channel)
        hold = any(a.code in {"empty_message", "not_english", "unintelligible"} for a in alerts)
        context = self._context(analysis, channel, name, hold=hold)
        ranked = self._rank(context)
        if not ranked or ranked[0].fit < _MIN_FIT:
            alerts.append(
                Alert(
                    code="no_fitting_template",
                    message="No variant in the pack fits this message well; write this reply.",
                )
            )
        key = (analysis.text, thread_id or "", customer_id or "")
        ordered, team = (
            ([], {}) if hold else self._rotate(ranked, context, key, thread_id, customer_id)
        )

        late = None
        if received_at is not None and analysis.needs_reply:
            late = self._late_sentence(_utc(received_at), current, channel, key)

        chosen, review, rendered = self._choose(ordered, context, late, team, key)
        if review is not None and review.cannedness.level == "high" and not hold:
            # Everything tried reads canned (rare): look further down the ranking, beyond the
            # leading intent if need be; a less direct variant beats a form letter.
            wider = replace(context, lead=frozenset())
            ordered, team = self._rotate(self._rank(wider), wider, key, thread_id, customer_id)
            retry = self._choose(ordered, wider, late, team, key, tries=3 * _REVIEW_TRIES)
            if retry[1] is not None and retry[1].cannedness.level != "high":
                chosen, review, rendered = retry
        if chosen is None:
            choices = self._unread if hold else self._holding[channel]
            held = self.history.team_recency([h.id for h in choices])
            # Least recently used first; the message's hash breaks ties.
            holding = min(
                choices,
                key=lambda h: (-held.get(h.id, 10**9), _stable("holding", h.id, *key)),
            )
            greeting = self._greeting(holding, context, held, key)
            text = self._finish(holding, context, late, greeting=greeting) or self._finish(
                holding, self._context(analysis, channel, ""), None
            )
            if text is None:  # pragma: no cover - the holding body has no customer values
                raise RenderError("the built-in holding reply could not be rendered")
            chosen = (holding, 0.0, text)
            review = self.reviewer.review(text, message=analysis, channel=channel)
        assert review is not None
        variant, fit, text = chosen
        self.history.record(variant.id, thread_id, customer_id, current)
        return Draft(
            text=text,
            template_id=variant.id,
            channel=channel,
            fit=round(min(1.0, max(0.0, fit)), 4),
            analysis=analysis,
            review=review,
            alternatives=[
                Alternative(text=t, template_id=v.id, fit=round(min(1.0, max(0.0, f)), 4))
                for v, f, t in rendered[:_ALTERNATIVES]
            ],
            needs_human=any(a.code in _HANDOFF_CODES for a in alerts),
            warnings=alerts,
        )

    # -- building blocks ----------------------------------------------------------------

    def _greeting(
        self, variant: Variant, context: _Context, team: dict[str, int], key: tuple[str, str, str]
    ) -> str:
        """The voice's greeting, or another of the same register when the team used it lately.

        Deterministic: with a store that counts uses (``team_uses``), the n-th use of a
        variant gets the n-th greeting; otherwise an alternative is picked by a hash of the
        variant, the message and its ids.
        """
        greetings = context.greetings
        ago = team.get(variant.id)
        if ago is None or ago > _TEAM_WINDOW or len(greetings) < 2:
            return greetings[0]
        counter = getattr(self.history, "team_uses", None)
        if callable(counter):
            # Cycle: the n-th use of a variant gets the n-th greeting.
            uses = counter([variant.id]).get(variant.id, 0)
            if isinstance(uses, int):
                return greetings[uses % len(greetings)]
        return greetings[1 + _stable("greeting", variant.id, *key) % (len(greetings) - 1)]

    def _choose(
        self,
        ordered: list[_Candidate],
        context: _Context,
        late: tuple[str, str] | None,
        team: dict[str, int],
        key: tuple[str, str, str],
        *,
        tries: int = _REVIEW_TRIES,
    ) -> tuple[tuple[Variant, float, str] | None, Review | None, list[tuple[Variant, float, str]]]:
        # Render lazily, best first; review candidates in order and keep the first one our
        # own review does not rate "high" on canned-ness (else the first one).
        seen_texts: set[str] = set()
        remaining = iter(ordered)

        def next_rendered(*, check: bool = True) -> tuple[Variant, float, str] | None:
            for candidate in remaining:
                greeting = self._greeting(candidate.variant, context, team, key)
                text = self._finish(
                    candidate.variant, context, late, greeting=greeting, check_personal=check
                )
                if text is not None and text not in seen_texts:
                    seen_texts.add(text)
                    return candidate.variant, candidate.fit, text
            return None

        chosen: tuple[Variant, float, str] | None = None
        review: Review | None = None
        passed_over: list[tuple[tuple[Variant, float, str], Review]] = []
        for _ in range(tries):
            item = next_rendered()
            if item is None:
                break
            candidate_review = self.reviewer.review(
                item[2], message=context.analysis, channel=context.channel
            )
            if candidate_review.cannedness.level != "high":
                chosen, review = item, candidate_review
                break
            passed_over.append((item, candidate_review))
        if chosen is None and passed_over:
            # Every candidate tried reads canned: send the least canned one (first on ties).
            least = min(
                range(len(passed_over)),
                key=lambda i: (passed_over[i][1].cannedness.score, i),
            )
            chosen, review = passed_over.pop(least)
        rendered = [item for item, _ in passed_over]
        public = context.channel == "public"
        while len(rendered) < _ALTERNATIVES:
            batch: list[tuple[Variant, float, str]] = []
            while len(rendered) + len(batch) < _ALTERNATIVES:
                item = next_rendered(check=not public)
                if item is None:
                    break
                batch.append(item)
            if not batch:
                break
            # Alternatives are public texts too: one scan over all of them, and a scan per
            # text only when that one finds something.
            if public and self._find_personal("\n\n".join(t for _, _, t in batch)):
                batch = [item for item in batch if not self._find_personal(item[2])]
            rendered.extend(batch)
        return chosen, review, rendered

    @staticmethod
    def _check_channel(channel: str) -> None:
        if channel not in ("public", "private"):
            raise ValueError(f"channel must be 'public' or 'private', not {channel!r}")

    def _values(self, analysis: Analysis, channel: Channel, name: str) -> dict[str, str]:
        public = channel == "public"
        from empathic_reply.details import waited_for  # lazy, like _personal_finder

        def first(kind: str, roles: frozenset[str | None] | None = None) -> str:
            # ``roles``: only details with one of these roles (None: any role).
            for detail in analysis.details:
                if detail.kind != kind or (public and detail.personal):
                    continue
                if roles is not None and detail.role not in roles:
                    continue
                raw = detail.text
                if kind == "duration" and detail.value and re.match(r"^\d+ \w+$", detail.value):
                    raw = detail.value
                value = _safe_value(raw)
                if kind == "date" and value.lower() in _RELATIVE_DATES:
                    value = value.lower()  # "sorry today went...", not "sorry Today went..."
                if value and public and self._find_personal(value):
                    continue
                if value:
                    return value
            return ""

        order = "your order"
        if not public:
            order_id = next((d.text for d in analysis.details if d.kind == "order_id"), "")
            if _ORDER_ID.match(order_id):
                order = order_id if order_id.lower().startswith("order") else f"order {order_id}"
        values = {
            "greeting": self.voice.greet(name),
            "issue": issue_phrase(analysis),
            "order": order,
            "brand": self.voice.brand_name or "the team",
            "channel": channel,
            "name": name,
            "product": first("product"),
            "wait": _safe_value(waited_for(analysis.details)),  # the wait, not a promise
            "amount": first("amount"),
            # When something happened; a date they need it by or were promised is not that
            # ("sorry Friday went the way it did" to "sort it by Friday or I sue").
            "date": first("date", _INCIDENT_ROLES),
            "deadline": first("date", _DEADLINE_ROLES),
            # Told "by Friday" and it is past: the promise variants (which also need a promise
            # cue) take a deadline date when no date was tagged as the promised one.
            "promised": first("date", _PROMISED_ROLES) or first("date", _DEADLINE_ROLES),
            "suggestion": suggestion_phrase(analysis.text)
            if max(analysis.intent_score("request"), analysis.intent_score("feedback")) >= 0.3
            else "",
            "agent": self.voice.agent_name,
        }
        if values["suggestion"] and public and self._find_personal(values["suggestion"]):
            values["suggestion"] = ""  # never echo personal data in public
        return values

    def _context(
        self, analysis: Analysis, channel: Channel, name: str, *, hold: bool = False
    ) -> _Context:
        values = self._values(analysis, channel, name)
        if hold:
            # We could not read the message: name nothing rather than guess.
            values["issue"] = "this"
        intents = {i.label: i.score for i in analysis.intents}
        primary = analysis.intent
        if primary == "other":
            strong_topic = any(t.score >= _STRONG for t in analysis.topics)
            if (
                not hold
                and strong_topic
                and (analysis.sentiment.label == "negative" or _TROUBLE.search(analysis.text))
            ):
                # No intent was found, but the topic and the wording show what went wrong
                # ("the driver left my parcel in the rain"): answer that, don't ask for context.
                intents["complaint"] = max(intents.get("complaint", 0.0), 0.55)
                intents["other"] = max(intents.get("other", 0.0), 0.3)
            else:
                intents["other"] = max(intents.get("other", 0.0), 0.6)
                if analysis.sentiment.score <= _SOFT_COMPLAINT and values["issue"] != "this":
                    # No intent stood out, but the message is clearly unhappy about something
                    # we can name ("Cuts out every 20 minutes"): complaint bodies may fit too.
                    intents["complaint"] = max(intents.get("complaint", 0.0), 0.45)
        grievance = any(
            intents.get(label, 0.0) >= _STRONG for label in ("complaint", "escalation_threat")
        )
        positive_only = primary in _UPBEAT and not grievance
        # An apology needs something to have gone wrong: a complaint, a threat, or a clearly
        # unhappy message; never a plain question, request or thanks.
        wronged = grievance or analysis.sentiment.score <= _APOLOGY_SENTIMENT
        emotions = {e.label: e.score for e in analysis.emotions}
        topics = {t.label: t.score for t in analysis.topics}
        return _Context(
            analysis=analysis,
            channel=channel,
            values=values,
            available=frozenset(
                k
                for k in _SPECIFICS
                if values[k] and not (k == "promised" and values[k] == values["deadline"])
            ),
            intents=intents,
            topics=topics,
            emotions=emotions,
            families=frozenset(e.family for e in analysis.emotions),
            no_apology=positive_only or not wronged,
            strong_topic=any(t.score >= _STRONG for t in analysis.topics),
            lead=_leading(intents),
            strongest_emotion=max(emotions.values(), default=0.0),
            top_topic=max(topics.values(), default=0.0),
            critical=grievance or analysis.sentiment.label == "negative",
            greetings=self.voice.greetings(name),
            lowered=analysis.text.lower(),
        )

    def _metas(self) -> dict[tuple[str, str], _Bucket]:
        # Precomputed per pack and voice: selection then touches only plain tuples.
        cached = self._meta_cache
        if cached is not None and cached[0] is self.templates and cached[1] is self.voice:
            return cached[2]
        # Keyed by (intent, channel): a variant for the other channel is never even looked at.
        index: dict[tuple[str, str], list[_Meta]] = {}
        for variant in self.templates.variants:
            spec = variant.spec
            if spec.formality == self.voice.formality:
                formality = 1.0
            elif "neutral" in (spec.formality, self.voice.formality):
                formality = 0.5
            else:
                formality = 0.0
            cue_pattern, cues_lower = _cue_pattern(tuple(spec.cues)) if spec.cues else (None, False)
            meta = _Meta(
                variant=variant,
                channel=spec.channel,
                apology=spec.apology,
                requires=tuple(spec.requires),
                intents=tuple(spec.intents),
                topics=tuple(spec.topics),
                emotions=tuple(spec.emotions),
                families=frozenset(_FAMILY[e] for e in spec.emotions),
                sentiment=frozenset(spec.sentiment),
                formality=formality,
                # A promised date that is only a "by Friday" date is the deadline value too.
                optional_used=variant.optional_used
                | (_AS_DEADLINE if "promised" in variant.optional_used else frozenset()),
                cues=cue_pattern,
                cues_lower=cues_lower,
                weighted_intents=tuple(
                    (label, 1.0 if position == 0 else _SECONDARY_INTENT)
                    for position, label in enumerate(spec.intents)
                ),
                emotion_required=spec.emotion_required,
                id=variant.id,
                overriding=spec.intents[0] if spec.intents[0] in _OVERRIDING else None,
                upbeat=spec.intents[0] in _UPBEAT,
            )
            channels = ("public", "private") if spec.channel == "any" else (spec.channel,)
            for label in spec.intents:
                for channel in channels:
                    index.setdefault((label, channel), []).append(meta)
        buckets = {key: _Bucket.of(metas) for key, metas in index.items()}
        self._meta_cache = (self.templates, self.voice, buckets)
        return buckets

    @staticmethod
    def _fit(  # noqa: PLR0911, PLR0912 - one exit and one branch per signal
        meta: _Meta, ctx: _Context
    ) -> float | None:
        """The variant's fit in [0, 1] assuming its cues (if any) match; None: unusable."""
        if meta.channel not in ("any", ctx.channel):
            return None
        if meta.apology and ctx.no_apology:
            return None
        if meta.upbeat and ctx.critical:
            return None  # "thanks for telling us what's working" to "improve your service"
        intents = ctx.intents
        purpose = meta.overriding
        if purpose is not None and intents.get(purpose, 0.0) < _STRONG:
            return None  # a cancellation or escalation reply to someone who did neither
        values = ctx.values
        for required in meta.requires:
            if not values[required]:
                return None
        # The first listed intent is the variant's purpose; the others are secondary fits.
        intent = 0.0
        for label, weight in meta.weighted_intents:
            score = intents.get(label, 0.0) * weight
            intent = score if score > intent else intent  # max() costs a call per variant
        if intent <= 0.0:
            return None
        clash = 0.0
        if meta.topics:
            topics = ctx.topics
            best_hit = _best_score(topics, meta.topics)
            if best_hit < 0.0:
                if ctx.strong_topic:
                    return None  # a body about deliveries would name the wrong situation
                topic = 0.0 if topics else 0.25
            elif best_hit + 0.05 < ctx.top_topic:
                # It fits only a side topic ("order" in a refund message): a body about the
                # delivery would talk past what the message is mainly about.
                topic = 0.25
                clash = _TOPIC_CLASH
            else:
                topic = 0.5 + 0.5 * best_hit
        else:
            topic = 0.5
        if meta.emotions:
            emotions = ctx.emotions
            best_hit = _best_score(emotions, meta.emotions)
            if meta.emotion_required and max(best_hit, 0.0) < _STRONG:
                return None  # "no wonder you're confused" to someone who is not
            if best_hit >= 0.0:
                emotion = 0.5 + 0.5 * best_hit
            elif meta.families & ctx.families:
                emotion = 0.45
            else:
                emotion = 0.0 if emotions else 0.2
                if ctx.strongest_emotion >= _STRONG + 0.1:
                    clash += _EMOTION_CLASH  # written for anger, and the customer is worried
        else:
            emotion = 0.5
        if meta.sentiment:
            sentiment = 1.0 if ctx.analysis.sentiment.label in meta.sentiment else 0.0
        else:
            sentiment = 0.5
        available = ctx.available
        specifics = len(meta.optional_used & available) / len(available) if available else 0.5
        fit = (
            _W_INTENT * intent
            + _W_TOPIC * topic
            + _W_EMOTION * emotion
            + _W_SENTIMENT * sentiment
            + _W_FORMALITY * meta.formality
            + _W_SPECIFICS * specifics
            - clash
        )
        if meta.cues is not None:
            fit += _CUE_BONUS  # only kept by _rank when a cue matches
        return min(1.0, max(0.0, fit))

    def _rank(self, ctx: _Context) -> list[_Candidate]:
        """Usable variants, best fit first (ties by id): the rotation pool and a few more.

        At least ``_RANK_KEEP`` candidates are kept when that many are usable. Cues are the
        costly part (a regular expression over the message), so they are checked lazily,
        best first, only until the list is long enough: a variant whose cues do not match is
        dropped, and its fit is what it would be if they did match.
        """
        index = self._metas()
        seen: set[str] = set()
        upper: list[tuple[float, str, _Meta]] = []
        fit_of = self._fit
        # With a strong topic, a variant written for other topics cannot fit (see _fit):
        # look only at those for the message's topics and those for any topic.
        topical = ctx.strong_topic
        for label, score in ctx.intents.items():
            if score <= 0.0:
                continue
            bucket = index.get((label, ctx.channel))
            if bucket is None:
                continue
            metas: Iterable[_Meta] = (
                chain(bucket.untopical, *(bucket.by_topic.get(t, ()) for t in ctx.topics))
                if topical
                else bucket.metas
            )
            for meta in metas:
                variant_id = meta.id
                if variant_id in seen:
                    continue
                seen.add(variant_id)
                fit = fit_of(meta, ctx)
                if fit is not None:
                    upper.append((-fit, variant_id, meta))
        upper.sort(key=lambda item: (item[0], item[1]))
        cue_hits: dict[re.Pattern[str], bool] = {}
        if ctx.lead:
            # The leading intents decide what the reply must do: only variants written for
            # one of them, unless none of those fits at all.
            leading = [item for item in upper if ctx.lead.intersection(item[2].intents)]
            scored = self._keep(leading, ctx, cue_hits)
            if scored and scored[0].fit >= _MIN_FIT:
                return scored
        return self._keep(upper, ctx, cue_hits)

    @staticmethod
    def _keep(
        upper: list[tuple[float, str, _Meta]],
        ctx: _Context,
        cue_hits: dict[re.Pattern[str], bool],
    ) -> list[_Candidate]:
        scored: list[_Candidate] = []
        for negative_fit, _, meta in upper:
            fit = -negative_fit
            if scored and len(scored) >= _RANK_KEEP and fit < scored[0].fit - _POOL_SPREAD:
                break
            cues = meta.cues
            if cues is not None:
                # Variants share cue patterns: each distinct one is searched once per message.
                hit = cue_hits.get(cues)
                if hit is None:
                    text = ctx.lowered if meta.cues_lower else ctx.analysis.text
                    hit = cue_hits[cues] = cues.search(text) is not None
                if not hit:
                    continue
            scored.append(_Candidate(meta.variant, fit))
        return scored

    def _rotate(
        self,
        ranked: list[_Candidate],
        ctx: _Context,
        key: tuple[str, str, str],
        thread_id: str | None,
        customer_id: str | None,
    ) -> tuple[list[_Candidate], dict[str, int]]:
        if not ranked:
            return [], {}
        best = ranked[0].fit
        floor = max(_MIN_FIT, best - _POOL_SPREAD) if best >= _MIN_FIT else best - _POOL_SPREAD
        pool = [c for c in ranked if c.fit >= floor][:_POOL_SIZE]
        rest = ranked[len(pool) :]
        if ctx.available:
            # The customer gave a specific (their wait, amount, product, date): rotate only
            # among variants that mirror one, when there are any.
            mirroring = [c for c in pool if c.variant.optional_used & ctx.available]
            if mirroring:
                rest = [c for c in pool if c not in mirroring] + rest
                pool = mirroring
        recent: list[str] = []
        if thread_id is not None or customer_id is not None:
            recent = self.history.recent(thread_id=thread_id, customer_id=customer_id, limit=20)
        position = {tid: i for i, tid in enumerate(recent)}
        team = self.history.team_recency([c.variant.id for c in pool])
        # Team rotation is relative to the pool: the variant the team used most recently is
        # pushed down by _TEAM_PENALTY, the least recently used one by a fraction of it, and
        # one not used within _TEAM_WINDOW drafts not at all. Because the penalty exceeds the
        # pool's spread of fit, the pool is used in turn, whatever the traffic mix.
        used = sorted((ago, tid) for tid, ago in team.items() if ago <= _TEAM_WINDOW)
        team_penalty = {
            tid: _TEAM_PENALTY * (1.0 - rank / len(used)) for rank, (_, tid) in enumerate(used)
        }

        def score(candidate: _Candidate) -> float:
            tid = candidate.variant.id
            value = candidate.fit - team_penalty.get(tid, 0.0)
            if tid in position:
                value -= _THREAD_PENALTY * (1.0 - position[tid] / 40)
            jitter = (_stable(tid, *key) % 10_000) / 10_000 * _JITTER
            return value + jitter

        pool.sort(key=lambda c: (-score(c), c.variant.id))
        # Anything this thread or customer already got goes behind every fresh variant that
        # still fits; a poorly fitting variant is worse than a repeat.
        fresh = [c for c in pool if c.variant.id not in position]
        fresh += [c for c in rest if c.variant.id not in position and c.fit >= _MIN_FIT]
        seen = {c.variant.id for c in fresh}
        return fresh + [c for c in pool + rest if c.variant.id not in seen], team

    def _finish(
        self,
        variant: Variant,
        ctx: _Context,
        late: tuple[str, str] | None,
        *,
        greeting: str | None = None,
        check_personal: bool = True,
    ) -> str | None:
        values = ctx.values
        swap = greeting is not None and not greeting.endswith(",")
        if greeting and not swap and greeting != values["greeting"]:
            values = {**values, "greeting": greeting}
        try:
            body = variant.render(values, voice=self.voice)
        except RenderError:
            return None
        if swap and greeting is not None and body.startswith(values["greeting"] + " "):
            # "Hi!" or no greeting at all: the body's first word now starts a sentence.
            rest = _sentence_start(body[len(values["greeting"]) + 1 :])
            body = f"{greeting} {rest}" if greeting else rest
            values = {**values, "greeting": greeting}
        if late:
            sentence = late[1] if variant.spec.apology else late[0]
            greeting = values["greeting"]
            if greeting and body.startswith(greeting):
                rest = _sentence_start(body[len(greeting) :].lstrip())
                if not greeting.endswith(","):
                    sentence = _sentence_start(sentence)
                body = f"{greeting} {sentence} {rest}"
            else:
                body = f"{sentence[:1].upper()}{sentence[1:]} {body}"
        if check_personal and ctx.channel == "public" and self._find_personal(body):
            return None
        signature = self.voice.signature()
        return f"{body}\n{signature}" if signature else body

    def _late_sentence(
        self, received_at: datetime, now: datetime, channel: Channel, key: tuple[str, str, str]
    ) -> tuple[str, str] | None:
        delay = now - received_at
        if delay <= _LATE_AFTER[channel]:
            return None
        span = _span(delay)
        seed = _stable("late", *key)
        plain = _LATE_SENTENCES[seed % len(_LATE_SENTENCES)].format(span=span)
        no_sorry = _LATE_SENTENCES_NO_SORRY[seed % len(_LATE_SENTENCES_NO_SORRY)].format(span=span)
        # Both forms travel together; the body decides which one fits (see _finish).
        return plain, no_sorry

    def _handoff_rules(self) -> RuleSet:
        if self._handoff is None:
            from empathic_reply._rules import RuleSet

            self._handoff = RuleSet.from_data(_HANDOFF_RULES, origin="drafting handoff rules")
        return self._handoff

    def _handoff_alerts(self, analysis: Analysis, channel: Channel) -> list[Alert]:
        text = analysis.text
        alerts: list[Alert] = []
        codes: set[str] = set()

        def add(
            code: str, message: str, severity: str = "warning", evidence: Sequence[Evidence] = ()
        ) -> None:
            if code not in codes:
                codes.add(code)
                alerts.append(
                    Alert(code=code, message=message, severity=severity, evidence=list(evidence))
                )

        if not text.strip():
            add("empty_message", "The message is empty; there is nothing to reply to yet.", "info")
            return alerts
        for warning in analysis.warnings:
            if warning.code in _HANDOFF_CODES and warning.code not in codes:
                codes.add(warning.code)
                alerts.append(warning)
        if analysis.language not in ("en", "unknown"):
            add(
                "not_english",
                f"The message looks like language {analysis.language!r}; a person should reply.",
            )
        words = re.findall(r"[^\W\d_]{2,}", text)
        if not words or (
            analysis.language == "unknown" and len(words) < 2 and not analysis.intents
        ):
            add("unintelligible", "The message has no words we can read; a person should look.")
        if analysis.has_intent("escalation_threat"):
            intent = next(i for i in analysis.intents if i.label == "escalation_threat")
            add(
                "escalation_threat",
                "The customer threatens to escalate or leave; a person should handle this.",
                "critical",
                intent.evidence,
            )
        for label_score in self._handoff_rules().scores(text):
            if label_score.score >= 0.5:
                message = _HANDOFF_MESSAGES[label_score.label]
                add(label_score.label, message, "critical", label_score.evidence())
        if channel == "public":
            anger = max(
                (e.score for e in analysis.emotions if e.label in _VERY_ANGRY_EMOTIONS),
                default=0.0,
            )
            sentiment = analysis.sentiment.score
            # Extreme negativity counts as anger unless the strongest feeling is worry or
            # sadness: a frightened customer needs care, not an "angry customer" hand-off.
            dominant = analysis.emotions[0].family if analysis.emotions else None
            if (anger >= 0.75 and sentiment <= -0.5) or (
                sentiment <= -0.85 and dominant not in {"fear", "sadness"}
            ):
                add(
                    "very_angry_public",
                    "A very angry customer in public; a person should reply and take it private.",
                )
        return alerts
