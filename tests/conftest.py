"""Shared fixtures: the built-in rule base is loaded once per test session."""

from __future__ import annotations

import pytest

from nnadvisor.rulebase import RuleBase, load_rulebase


@pytest.fixture(scope="session")
def rulebase() -> RuleBase:
    return load_rulebase(use_cache=False)
