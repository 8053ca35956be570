"""Shared test settings: hypothesis profiles for CI and for a longer local run, and ``cmdline``, the one way the
tests run symbackprop's command line."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from .commandline import CommandLine

settings.register_profile(
    "default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("long", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def cmdline() -> CommandLine:
    """The command line (see ``CommandLine``)."""
    return CommandLine()
