"""Shared fixtures: the built-in rule base is loaded once per test session."""

from __future__ import annotations

import pytest

from nnadvisor.rulebase import RuleBase, load_rulebase


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
