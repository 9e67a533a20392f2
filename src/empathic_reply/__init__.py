"""empathic_reply: draft, score and audit customer-support replies that read like a person.

Quick start::

    import empathic_reply as er

    a = er.analyze("Still waiting on my refund, 3 weeks now")
    d = er.draft("Still waiting on my refund, 3 weeks now", customer_name="Sam")
    r = er.review("We apologize for any inconvenience.", message="My order never arrived")

Nothing heavy happens at import: the spaCy pipeline, VADER and the template pack are built on
first use by a shared default :class:`Engine`.
"""

import logging as _logging
import typing as _typing

# Load the `audit` and `review` submodules before binding the functions of the same names:
# importing a submodule later would otherwise replace the function attribute with the module.
# Both are light (their heavy imports are lazy).
import empathic_reply.audit
import empathic_reply.review  # noqa: F401
from empathic_reply._api import (
    analyze,
    analyze_many,
    audit,
    draft,
    draft_many,
    review,
    score_cannedness,
)
from empathic_reply._text import MAX_CHARS
from empathic_reply._version import __version__
from empathic_reply.engine import Engine
from empathic_reply.errors import (
    ConfigError,
    EmpathicReplyError,
    MissingExtraError,
    RenderError,
    RuleError,
    TemplateError,
)
from empathic_reply.models import (
    Alert,
    Alternative,
    Analysis,
    Cannedness,
    Detail,
    Draft,
    Emotion,
    Empathy,
    Evidence,
    Intent,
    Reason,
    Review,
    Sentiment,
    Topic,
)

if _typing.TYPE_CHECKING:
    from empathic_reply._rules import RuleSet
    from empathic_reply.audit import AuditReport
    from empathic_reply.history import InMemoryHistory, SQLiteHistory
    from empathic_reply.templates import BrandVoice, TemplatePack

__all__ = [
    "MAX_CHARS",
    "Alert",
    "Alternative",
    "Analysis",
    "AuditReport",
    "BrandVoice",
    "Cannedness",
    "ConfigError",
    "Detail",
    "Draft",
    "Emotion",
    "EmpathicReplyError",
    "Empathy",
    "Engine",
    "Evidence",
    "InMemoryHistory",
    "Intent",
    "MissingExtraError",
    "Reason",
    "RenderError",
    "Review",
    "RuleError",
    "RuleSet",
    "SQLiteHistory",
    "Sentiment",
    "TemplateError",
    "TemplatePack",
    "Topic",
    "__version__",
    "analyze",
    "analyze_many",
    "audit",
    "draft",
    "draft_many",
    "review",
    "score_cannedness",
]

# Names whose modules pull in optional or slower dependencies are imported on first access.
_LAZY = {
    "AuditReport": "empathic_reply.audit",
    "BrandVoice": "empathic_reply.templates",
    "InMemoryHistory": "empathic_reply.history",
    "RuleSet": "empathic_reply._rules",
    "SQLiteHistory": "empathic_reply.history",
    "TemplatePack": "empathic_reply.templates",
}


def __getattr__(name: str) -> _typing.Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'empathic_reply' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


_logging.getLogger(__name__).addHandler(_logging.NullHandler())
