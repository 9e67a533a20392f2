"""Package data access through :mod:`importlib.resources` (works from wheels and zips)."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

__all__ = ["data_text", "list_data", "load_yaml", "parse_yaml"]

_PACKAGE = "empathic_reply.data"


def data_text(*parts: str) -> str:
    """Read a text file shipped in ``empathic_reply/data``.

    Args:
        *parts: Path components below the data folder, e.g. ``("analysis", "intents.yaml")``.
    """
    resource = files(_PACKAGE)
    for part in parts:
        resource = resource.joinpath(part)
    return resource.read_text(encoding="utf-8")


# libyaml's C parser, when PyYAML was built with it, reads the shipped rules and templates
# several times faster than the pure-Python one; both accept exactly the same safe subset.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader (C-accelerated when available)."""
    return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader, C or Python


@lru_cache(maxsize=64)
def load_yaml(*parts: str) -> Any:
    """Parse a YAML file shipped in ``empathic_reply/data`` (cached; validate before use)."""
    return parse_yaml(data_text(*parts))


def list_data(*parts: str) -> list[str]:
    """Names of the files in a folder of ``empathic_reply/data``, sorted."""
    resource = files(_PACKAGE)
    for part in parts:
        resource = resource.joinpath(part)
    return sorted(entry.name for entry in resource.iterdir() if entry.is_file())
