"""Shared test configuration: Hypothesis profiles and the shared engine."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Timing varies on shared 2-core CI machines; properties check correctness, not speed.
settings.register_profile(
    "default",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    deadline=None,
    max_examples=5_000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def engine():
    """One real default engine for the whole run (building it loads spaCy and the pack)."""
    from empathic_reply.engine import default_engine

    return default_engine()
