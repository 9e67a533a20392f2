"""Frozen result models: what every public function returns.

Every model here is a frozen pydantic model with ``extra="forbid"``: results can be passed
between threads, cached and compared, and ``model_dump()`` / ``model_dump_json()`` give plain
JSON that a bot in any language can read. Character offsets (``start``/``end``) always index
the text the model was computed from, so ``text[start:end] == evidence.text``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

__all__ = [
    "Alert",
    "Alternative",
    "Analysis",
    "Cannedness",
    "Detail",
    "Draft",
    "EkmanFamily",
    "Emotion",
    "Empathy",
    "Evidence",
    "Intent",
    "Reason",
    "Review",
    "Sentiment",
    "Topic",
]

EkmanFamily = Literal["anger", "disgust", "fear", "joy", "sadness", "surprise"]
"""Ekman's six basic emotion families; every fine-grained emotion belongs to one."""

Channel = Literal["public", "private"]
"""Where a reply is seen: ``public`` (a tweet, a comment) or ``private`` (a DM, a ticket)."""

Severity = Literal["info", "warning", "critical"]


class _Frozen(BaseModel):
    # defer_build: schemas are built on first use, which keeps `import empathic_reply` fast.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        # Computed fields appear in model_dump(); accept them back so JSON round-trips.
        if isinstance(data, dict) and cls.model_computed_fields:
            return {k: v for k, v in data.items() if k not in cls.model_computed_fields}
        return data


class Evidence(_Frozen):
    """A span of text that made a detector fire.

    Attributes:
        text: The matched text, exactly as it appears in the source.
        start: Character offset of the first matched character.
        end: Character offset one past the last matched character.
        source: Versioned id of the rule or signal that matched, e.g.
            ``"intent.complaint.not_arrived.v1"``.
    """

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    source: str


class Alert(_Frozen):
    """A warning a person should read before a reply goes out.

    Attributes:
        code: Stable machine-readable code, e.g. ``"personal_data_in_public"``.
        message: One sentence a person can act on.
        severity: ``"info"`` < ``"warning"`` < ``"critical"``.
        evidence: Spans that triggered the alert, if any.
    """

    code: str
    message: str
    severity: Severity = "warning"
    evidence: list[Evidence] = Field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class Sentiment(_Frozen):
    """Polarity of a message, corrected for customer-support language.

    Attributes:
        label: ``"negative"``, ``"neutral"`` or ``"positive"``.
        score: Polarity in [-1, 1]; -1 is most negative, +1 most positive, 0 neutral.
        raw_score: VADER's compound score in [-1, 1] before our support-domain corrections,
            kept so a person can see what the corrections changed.
        corrections: The support-language cues that moved the score (waiting, non-arrival,
            sarcasm, repeated failure...), each with its span.
    """

    label: Literal["negative", "neutral", "positive"]
    score: float = Field(ge=-1.0, le=1.0)
    raw_score: float = Field(default=0.0, ge=-1.0, le=1.0)
    corrections: list[Evidence] = Field(default_factory=list)


class Intent(_Frozen):
    """One thing the customer wants or does (complain, ask, cancel, thank...).

    Attributes:
        label: Intent name, e.g. ``"complaint"``, ``"question"``, ``"escalation_threat"``.
        score: Confidence in [0, 1]; higher means more certain. 0.5 is the decision threshold.
        evidence: The spans that support the label.
    """

    label: str
    score: float = Field(ge=0.0, le=1.0)
    evidence: list[Evidence] = Field(default_factory=list)


class Emotion(_Frozen):
    """One emotion the customer expresses.

    Attributes:
        label: Fine-grained emotion, e.g. ``"frustration"``, ``"worry"``, ``"gratitude"``.
        score: Intensity/confidence in [0, 1]; higher means stronger or more certain.
        family: The Ekman family the emotion belongs to.
        evidence: The spans that support the label.
    """

    label: str
    score: float = Field(ge=0.0, le=1.0)
    family: EkmanFamily
    evidence: list[Evidence] = Field(default_factory=list)


class Topic(_Frozen):
    """What the message is about (delivery, billing, account...).

    Attributes:
        label: Topic name, e.g. ``"delivery"``, ``"billing"``, ``"account"``.
        score: Confidence in [0, 1]; higher means more certain.
        evidence: The spans that support the label.
    """

    label: str
    score: float = Field(ge=0.0, le=1.0)
    evidence: list[Evidence] = Field(default_factory=list)


class Detail(_Frozen):
    """A specific the customer mentioned: an order number, an amount, a wait, a name.

    Attributes:
        kind: What it is: ``"order_id"``, ``"ticket_id"``, ``"account_id"``, ``"amount"``,
            ``"duration"``, ``"date"``, ``"product"``, ``"person"``, ``"email"``, ``"phone"``,
            ``"card_number"``, ``"iban"``, ``"address"``, ``"handle"``, ``"url"``...
        text: The text exactly as the customer wrote it.
        start: Character offset of the first character in the message.
        end: Character offset one past the last character.
        value: A normalised value where one makes sense (``"3 weeks"`` for ``"3wks"``,
            ``"49.99 USD"`` for ``"$49.99"``), else ``None``.
        personal: ``True`` when this is personal data that must never appear in a public reply.
        source: Versioned id of the detector that found it.
        role: What the detail is to the customer, when the words around it say so:
            for durations and dates ``"waited"`` (how long they have waited: "waiting 3
            weeks", "3 weeks now"), ``"since"`` (when it started: "3 weeks ago", "since
            Monday"), ``"promised"`` (what they were told: "would take 10 days", "supposed
            to arrive Tuesday") or ``"deadline"`` (when they need it: "by Friday"); durations
            that are not a wait: ``"rate"`` (part of a rate or frequency: "£50 a week", "3
            times in a month"), ``"until"`` (time still to go or how far away: "a week away",
            "2 days left", "a month in advance"), ``"length"`` (the length of a thing or
            plan: "a 2 hour flight", "2-day delivery", "a 12 month contract"), ``"age"``
            ("my 3 year old son") and ``"tenure"`` (how long they have been a customer or
            had the product: "a customer for 10 years", "broke after a month"); for
            people ``"staff"`` (a named staff member: "Tom on the phone was helpful") or
            ``"writer"`` (the message's author: "my name is Tom"). ``None`` when unknown.
    """

    kind: str
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    value: str | None = None
    personal: bool = False
    source: str = ""
    role: str | None = None


class Analysis(_Frozen):
    """Everything the library understood about one inbound message.

    Attributes:
        text: The analysed text (truncated to the documented limit if it was longer).
        language: ISO 639-1 code of the detected language (``"en"``), or ``"unknown"``
            when the text is unintelligible or clearly not English but not identifiable.
            Short texts with no foreign evidence ("ok", "thx!!", emoji) are ``"en"``.
        sentiment: Support-aware polarity.
        emotions: Emotions expressed, strongest first; empty means neutral.
        intents: Intents, most likely first; empty means nothing fits (``intent == "other"``).
        topics: What the message is about, most likely first.
        details: Specifics mentioned, in order of appearance.
        urgency: How urgently a person should look, in [0, 1]; higher is more urgent.
        needs_reply: ``False`` when the message needs no more than a short acknowledgement
            (e.g. it only says thanks).
        truncated: ``True`` when the input exceeded the length limit and was cut.
        warnings: Problems with the input itself (empty, truncated, not English...).
    """

    text: str
    language: str = "en"
    sentiment: Sentiment
    emotions: list[Emotion] = Field(default_factory=list)
    intents: list[Intent] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    details: list[Detail] = Field(default_factory=list)
    urgency: float = Field(default=0.0, ge=0.0, le=1.0)
    needs_reply: bool = True
    truncated: bool = False
    warnings: list[Alert] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def intent(self) -> str:
        """Label of the most likely intent, or ``"other"`` when none reaches 0.5."""
        if self.intents and self.intents[0].score >= 0.5:
            return self.intents[0].label
        return "other"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def emotion(self) -> str:
        """Label of the strongest emotion, or ``"neutral"`` when none was found."""
        return self.emotions[0].label if self.emotions else "neutral"

    def has_intent(self, label: str, *, threshold: float = 0.5) -> bool:
        """Tell whether ``label`` is among the intents with score >= ``threshold``."""
        return any(i.label == label and i.score >= threshold for i in self.intents)

    def intent_score(self, label: str) -> float:
        """Score in [0, 1] of intent ``label``; 0.0 when it was not detected."""
        return next((i.score for i in self.intents if i.label == label), 0.0)


class Reason(_Frozen):
    """Why a reply scored as canned: one signal, what it matched and how much it weighed.

    Attributes:
        signal: Signal id, e.g. ``"stock_phrase"``, ``"generic"``, ``"no_mirroring"``.
        weight: Contribution of this signal to the canned-ness score, in [0, 1].
        message: One sentence saying what is wrong.
        text: The matched text in the reply, if the signal has a span.
        start: Character offset of the match in the reply, if any.
        end: Character offset one past the match, if any.
    """

    signal: str
    weight: float = Field(ge=0.0, le=1.0)
    message: str
    text: str | None = None
    start: int | None = None
    end: int | None = None


class Cannedness(_Frozen):
    """How generic, hollow or robotic a reply reads.

    Attributes:
        score: Canned-ness in [0, 1]; higher means more canned. 0 reads as written for
            this one customer, 1 as a pasted form letter.
        level: ``"low"`` (score < 0.35), ``"medium"`` (0.35 <= score < 0.6) or
            ``"high"`` (score >= 0.6).
        reasons: The signals behind the score, heaviest first.
        suggestions: Concrete edits a person can make.
    """

    score: float = Field(ge=0.0, le=1.0)
    level: Literal["low", "medium", "high"]
    reasons: list[Reason] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)


class Empathy(_Frozen):
    """Empathy of a reply along EPITOME's three communication mechanisms.

    Each level is 0 (none), 1 (weak) or 2 (strong); higher is more empathic.

    Attributes:
        emotional_reactions: Expresses warmth, compassion or concern ("I'm so sorry, that
            sounds exhausting").
        interpretations: Shows understanding of what the customer feels or went through
            ("three weeks with no refund would frustrate anyone").
        explorations: Asks about the customer's situation to understand it better
            ("which size did you order?").
        evidence: Spans that support each level; ``source`` names the mechanism.
    """

    emotional_reactions: Literal[0, 1, 2] = 0
    interpretations: Literal[0, 1, 2] = 0
    explorations: Literal[0, 1, 2] = 0
    evidence: list[Evidence] = Field(default_factory=list)


class Review(_Frozen):
    """A review of one reply: canned-ness, empathy and what to fix before sending.

    Attributes:
        text: The reviewed reply.
        channel: ``"public"``, ``"private"`` or ``None`` when unknown.
        cannedness: How canned the reply reads.
        empathy: EPITOME empathy levels.
        warnings: Risks to fix before sending (personal data in public, no apology on a
            complaint, defensive wording, tone mismatch...).
    """

    text: str
    channel: Channel | None = None
    cannedness: Cannedness
    empathy: Empathy
    warnings: list[Alert] = Field(default_factory=list)


class Alternative(_Frozen):
    """Another ranked draft a support tool can offer next to the main one.

    Attributes:
        text: The rendered reply.
        template_id: Versioned id of the template variant used.
        fit: How well the variant fits the analysis, in [0, 1]; higher is better.
    """

    text: str
    template_id: str
    fit: float = Field(ge=0.0, le=1.0)


class Draft(_Frozen):
    """A personalised reply draft with the analysis and review behind it.

    Attributes:
        text: The reply draft.
        template_id: Versioned id of the variant used, e.g. ``"delay.apology.v2"``.
        channel: Channel the draft was written for.
        fit: How well the chosen variant fits the analysis, in [0, 1]; higher is better.
        analysis: Analysis of the inbound message.
        review: Review of ``text``.
        alternatives: The next best drafts, best first.
        needs_human: ``True`` when a person must handle this message; ``warnings`` says why.
        warnings: Reasons for hand-off and anything to check before sending.
    """

    text: str
    template_id: str
    channel: Channel
    fit: float = Field(default=0.0, ge=0.0, le=1.0)
    analysis: Analysis
    review: Review
    alternatives: list[Alternative] = Field(default_factory=list)
    needs_human: bool = False
    warnings: list[Alert] = Field(default_factory=list)
