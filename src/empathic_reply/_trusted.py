"""Build result models from values that are valid by construction, without re-validating.

Pydantic validation of a small frozen model costs a few microseconds; an analysis builds a
dozen or more of them (every evidence span, intent, emotion, topic...). Where the library
itself computes every field (spans from regex matches, scores clamped to their documented
range, labels from fixed vocabularies), :func:`trusted` builds the model the way
``model_construct`` does, only faster. The results are ordinary model instances: frozen,
comparable, serialisable, and equal to what validation of the same values gives (the tests
check that by validating analysis results again).

Never use it on values that come from a caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["trusted"]

_ModelT = TypeVar("_ModelT", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


def _setter(name: str) -> Callable[[Any, Any], None]:
    """A fast setter of one of BaseModel's slots (its descriptor's ``__set__``)."""
    slot = BaseModel.__dict__.get(name)
    if slot is not None and hasattr(slot, "__set__"):
        setter: Callable[[Any, Any], None] = slot.__set__
        return setter
    return lambda obj, value: _set(obj, name, value)  # pragma: no cover - other pydantic


_set_fields = _setter("__pydantic_fields_set__")
_set_extra = _setter("__pydantic_extra__")
_set_private = _setter("__pydantic_private__")


def trusted(cls: type[_ModelT], /, **values: Any) -> _ModelT:
    """An instance of ``cls`` holding ``values`` as they are, without validation.

    Args:
        cls: A pydantic model class without validators that transform values.
        **values: Every field of ``cls`` (defaults are *not* filled in), in field order,
            each already of the field's type and within its constraints.

    Returns:
        The model instance.
    """
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set_fields(obj, set(values))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj
