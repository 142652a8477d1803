"""Shared fixtures: the built-in rule base is loaded once per test session.

Two runs (``.ci/run`` does the second):

- ``python -m pytest``: the default, fast run (under a minute on 2 cores). Tests marked ``slow``
  are deselected, and each property test runs a tenth of its examples (hypothesis profile
  ``fast``).
- ``python -m pytest --slow``: everything, the ``slow`` tests too, every property test at the
  full count written in its ``@settings`` (profile ``full``).

``-m slow`` runs only the slow tests; ``--hypothesis-profile full|fast`` picks the profile alone.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from nnadvisor.rulebase import RuleBase, load_rulebase

# Registered here, loaded in pytest_configure: this module is imported a second time as
# ``tests.conftest`` by the tests that use its helpers, which must not reload the profile.
settings.register_profile("full", max_examples=100)  # hypothesis' own default for a test without a count
settings.register_profile("fast", max_examples=10)


def examples(full: int) -> int:
    """``max_examples`` for a property test whose full count is ``full``: ``full`` itself in the
    ``full`` profile (``--slow``), a tenth of it in the ``fast`` one (the loaded profile's share of 100)."""
    return max(1, full * settings().max_examples // 100)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        help="also run the tests marked slow, and property tests at their full example counts (what .ci/run does)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("full" if config.getoption("--slow") else "fast")


_SLOW_DESELECTED = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without ``--slow`` (or a ``-m`` expression of the user's own) the slow tests are deselected."""
    if config.getoption("--slow") or config.getoption("markexpr"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
        config.stash[_SLOW_DESELECTED] = len(slow)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if n := config.stash.get(_SLOW_DESELECTED, 0):
        terminalreporter.write_line(f"{n} slow tests deselected: python -m pytest --slow runs everything (as .ci/run does)")


@pytest.fixture(scope="session")
def rulebase() -> RuleBase:
    return load_rulebase(use_cache=False)


import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CliResult:
    code: int
    out: str
    err: str


CliRunner = Callable[..., CliResult]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Run the real entry point (``nnadvisor.cli.main``) in-process, as the console script does."""
    from nnadvisor.cli import main

    def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["nnadvisor", *args])
        monkeypatch.setenv("NO_COLOR", "1")
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's rule-base cache."""
    monkeypatch.setenv("NNADVISOR_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "nnadvisor-cache"))
