"""A corpus of realistic PyTorch / Lightning programs (tests/fixtures/pytorch/corpus/), checked
through the real CLI entry point.

Conventions of a corpus file:

- ``# expect: clean`` on the first line: a correct program; nnadvisor must report no error and no
  warning on it, and no info note other than NNA002 (what it could not resolve);
- otherwise the file seeds one realistic mistake: ``# expect: CODE[, CODE]`` trails the line where
  each finding must be reported, and ``# expect-alt: CODE`` marks another line where a finding of
  that code is accepted instead (never both: one mistake, one finding);
- ``# requires: PACKAGE`` (lightning, torchvision, transformers) names an optional package the
  program needs to *run*; checking it never needs anything, since nnadvisor never imports it.

Each program also runs (its ``__main__`` block trains a step or two on a tiny random batch) where
PyTorch is importable, to prove it is real code.
"""

from __future__ import annotations

import json
import random
import re
import runpy
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.readers.conftest import PYTORCH, markers

CORPUS = PYTORCH / "corpus"
FILES = sorted(CORPUS.glob("*.py"))
CLEAN_HEADER = "# expect: clean"
_ALT = re.compile(r"#\s*expect-alt:\s*([A-Z0-9, ]+)")
_REQUIRES = re.compile(r"^#\s*requires:\s*([A-Za-z0-9_., ]+)$")
_ANY_EXPECT = re.compile(r"#\s*expect(?:-alt)?:")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def is_clean(path: Path) -> bool:
    lines = _lines(path)
    return bool(lines) and lines[0].strip() == CLEAN_HEADER


def alt_markers(path: Path) -> set[tuple[int, str]]:
    """``(line, code)`` for every ``# expect-alt: CODE[, CODE]`` comment."""
    out: set[tuple[int, str]] = set()
    for number, line in enumerate(_lines(path), 1):
        match = _ALT.search(line)
        if match:
            out |= {(number, code.strip()) for code in match.group(1).split(",") if code.strip()}
    return out


def requirements(path: Path) -> list[str]:
    """Optional packages named by ``# requires:`` comments in the file's header (first 5 lines)."""
    out: list[str] = []
    for line in _lines(path)[:5]:
        match = _REQUIRES.match(line.strip())
        if match:
            out += [name.strip() for name in match.group(1).split(",") if name.strip()]
    return out


def _check(cli: CliRunner, path: Path) -> list[dict]:
    result = cli("check", "--no-cache", "--format", "json", str(path))
    assert result.code in (0, 1), (result.code, result.out, result.err)
    payload = json.loads(result.out)
    assert payload["errors"] == [], payload["errors"]
    assert payload["summary"]["files"] == 1, payload["summary"]
    return payload["findings"]


def _describe(findings: list[dict]) -> list[str]:
    return [f"{f['line']}:{f['column']} {f['rule_id']} ({f['severity']}) {f['message']}" for f in findings]


# -- the corpus itself --------------------------------------------------------------------------


def test_corpus_cannot_silently_shrink() -> None:
    clean = [p for p in FILES if is_clean(p)]
    assert len(FILES) >= 45, len(FILES)
    assert len(clean) >= 25, len(clean)
    assert len(FILES) - len(clean) >= 15, len(FILES) - len(clean)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_file_is_well_formed(path: Path) -> None:
    assert not path.name.startswith("test_") and not path.stem.endswith("_test"), "pytest would collect it"
    lines = _lines(path)
    marked = [n for n, line in enumerate(lines, 1) if _ANY_EXPECT.search(line)]
    if is_clean(path):
        assert marked == [1], f"a clean file has no other expect markers: lines {marked}"
        return
    expected = markers(path)
    assert expected, "a file that is not '# expect: clean' must mark at least one finding"
    expected_codes = {code for _, code in expected}
    for line, code in alt_markers(path):
        assert code in expected_codes, f"expect-alt {code} at line {line} has no '# expect: {code}'"
        assert (line, code) not in expected, f"line {line} is both expect and expect-alt for {code}"
    for package in requirements(path):
        assert package in {"lightning", "pytorch_lightning", "torchvision", "transformers"}, package


# -- what nnadvisor reports ---------------------------------------------------------------------


@pytest.mark.parametrize("path", [p for p in FILES if is_clean(p)], ids=lambda p: p.name)
def test_clean_program_has_no_finding(path: Path, cli: CliRunner) -> None:
    findings = _check(cli, path)
    serious = [f for f in findings if f["severity"] in ("error", "warning")]
    assert serious == [], _describe(findings)
    other_notes = [f for f in findings if f["severity"] == "info" and f["rule_id"] != "NNA002"]
    assert other_notes == [], _describe(findings)


def superseded(message: str) -> list[str]:
    """The codes a finding's message names as superseded (``(also NNA103 name and NNA204 name)``)."""
    named = re.search(r"\(also ((?:[A-Z]{2,8}\d{3} [a-z0-9-]+(?: and )?)+)\)$", message)
    return re.findall(r"[A-Z]{2,8}\d{3}", named.group(1)) if named else []


def seeded_problems(path: Path, findings: list[dict]) -> list[str]:
    """What differs between the findings and the file's ``expect`` / ``expect-alt`` markers: each
    expected code exactly once, at its line or at one alternative, and no other error or warning
    (notes only where a marker asks for one). Shared with the Keras-source corpus."""
    expected = markers(path)
    alternatives = alt_markers(path)
    expected_codes = {code for _, code in expected}
    notes_asked_for = expected_codes - {"NNA002"}
    relevant = [f for f in findings if f["severity"] in ("error", "warning") or f["rule_id"] in notes_asked_for]
    got = {(f["line"], f["rule_id"]) for f in relevant}
    # A rule that supersedes another reports the mistake for both and names the other in its
    # message ("... (also NNA103 logits-loss-after-squashing)"): the named code counts as reported.
    got |= {(f["line"], code) for f in relevant for code in superseded(f["message"])}

    problems: list[str] = []
    for line, code in sorted(expected):
        alts = {(alt_line, c) for alt_line, c in alternatives if c == code}
        hits = ({(line, code)} | alts) & got
        if not hits:
            where = f"line {line}" + "".join(f" or {a}" for a, _ in sorted(alts))
            problems.append(f"missing {code} at {where}")
        elif len(hits) > 1:
            problems.append(f"{code} reported more than once: lines {sorted(h[0] for h in hits)}")
    accepted = expected | {(line, code) for line, code in alternatives if code in expected_codes}
    for line, code in sorted(got - accepted):
        problems.append(f"unexpected {code} at line {line}")
    return problems


@pytest.mark.parametrize("path", [p for p in FILES if not is_clean(p)], ids=lambda p: p.name)
def test_seeded_mistake_is_reported_at_its_line(path: Path, cli: CliRunner) -> None:
    findings = _check(cli, path)
    problems = seeded_problems(path, findings)
    assert problems == [], problems + ["findings:"] + _describe(findings)


# -- every program is real code -----------------------------------------------------------------


def _require(name: str) -> None:
    """Skip unless ``name`` imports (a broken install, such as a torchvision wheel built for
    another torch, raises something other than ImportError: that skips too)."""
    try:
        pytest.importorskip(name)
    except pytest.skip.Exception:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to import means "not usable here"
        pytest.skip(f"{name} is installed but cannot be imported: {exc!r}")


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_program_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    for package in requirements(path):
        _require(package)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(path)])
    torch.manual_seed(0)
    random.seed(0)
    runpy.run_path(str(path), run_name="__main__")
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "a corpus program must not write files"
