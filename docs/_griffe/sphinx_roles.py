"""A griffe extension for the API reference: Sphinx roles in docstrings become inline code.

The library's Google-style docstrings sometimes name other objects the Sphinx way
(:class:`~empathic_reply.models.Review`, :func:`audit`, :data:`MAX_CHARS`). mkdocstrings
would show the role markup literally, so this turns each one into inline code showing the
name a reader would type (``Review``, ``audit()``, ``MAX_CHARS``). Docstrings in the source
are left as they are. The ``::`` literal-block marker of reST becomes a plain colon.

Loaded by ``mkdocs.yml`` (``handlers.python.options.extensions``); not shipped in the package.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(class|func|meth|mod|data|attr|exc|obj|const):`(~?)([^`<]+?)`")
_LITERAL_MARKER = re.compile(r"(\S)::\n")


def _replace(match: re.Match[str]) -> str:
    role, tilde, target = match.groups()
    target = target.strip()
    name = target.rsplit(".", 1)[-1] if tilde else target
    if role in ("func", "meth") and not name.endswith(")"):
        name += "()"
    return f"`{name}`"


def clean(text: str) -> str:
    """Docstring text with Sphinx roles as inline code."""
    return _LITERAL_MARKER.sub(r"\1:\n", _ROLE.sub(_replace, text))


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring griffe loads."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Clean the docstring of each object once the tree is built."""
        if obj.docstring is not None:
            obj.docstring.value = clean(obj.docstring.value)
