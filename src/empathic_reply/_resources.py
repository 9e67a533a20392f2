"""Package data access through :mod:`importlib.resources` (works from wheels and zips)."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

__all__ = ["data_text", "list_data", "load_yaml"]

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


@lru_cache(maxsize=64)
def load_yaml(*parts: str) -> Any:
    """Parse a YAML file shipped in ``empathic_reply/data`` (cached; validate before use)."""
    return yaml.safe_load(data_text(*parts))


def list_data(*parts: str) -> list[str]:
    """Names of the files in a folder of ``empathic_reply/data``, sorted."""
    resource = files(_PACKAGE)
    for part in parts:
        resource = resource.joinpath(part)
    return sorted(entry.name for entry in resource.iterdir() if entry.is_file())
