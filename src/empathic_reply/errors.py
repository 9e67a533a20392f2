"""One exception hierarchy: catch :class:`EmpathicReplyError` to catch everything we raise.

Wrong argument *types* raise the built-in :class:`TypeError` (as Python itself does); every
other failure the library can foresee raises a subclass of :class:`EmpathicReplyError`.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "EmpathicReplyError",
    "MissingExtraError",
    "RenderError",
    "RuleError",
    "TemplateError",
]


class EmpathicReplyError(Exception):
    """Base class of every error this library raises on purpose."""


class ConfigError(EmpathicReplyError, ValueError):
    """A configuration value, data file or option is invalid."""


class RuleError(ConfigError):
    """A detector rule file is invalid; the message names the file, rule and field."""


class TemplateError(ConfigError):
    """A template pack is invalid; the message names the file, variant and problem."""


class RenderError(EmpathicReplyError):
    """A template could not be rendered; nothing half-rendered is ever returned."""


class MissingExtraError(EmpathicReplyError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package!r} is not installed; install it with: pip install 'empathic-reply[{extra}]'"
        )
        self.package = package
        self.extra = extra
