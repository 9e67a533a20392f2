"""Input checks shared by every entry point: type errors that name the argument, length limits."""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_CHARS", "check_text", "clip"]

MAX_CHARS: Final = 5_000
"""Longest text analysed, in characters. Longer input is cut here and flagged as truncated.

Support messages are short (a tweet is 280 characters, a long ticket a few thousand); the
limit keeps the cost of one call bounded whatever a client sends.
"""


def check_text(value: object, name: str) -> str:
    """Return ``value`` if it is a ``str``, else raise a ``TypeError`` naming the argument.

    Args:
        value: The argument as received.
        name: The parameter name, used in the error message.

    Raises:
        TypeError: ``value`` is not a ``str`` (``bytes`` included: decode it first).
    """
    if isinstance(value, str):
        return value
    hint = " (decode bytes first, e.g. value.decode('utf-8'))" if isinstance(value, bytes) else ""
    raise TypeError(f"{name} must be a str, not {type(value).__name__}{hint}")


def clip(text: str, limit: int = MAX_CHARS) -> tuple[str, bool]:
    """Cut ``text`` to at most ``limit`` characters, at a space when one is near the limit.

    Returns:
        The (possibly shortened) text and whether it was cut.
    """
    if len(text) <= limit:
        return text, False
    cut = text.rfind(" ", limit - 200, limit)
    return text[: cut if cut > 0 else limit], True
