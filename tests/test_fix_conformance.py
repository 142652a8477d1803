"""issue 13's "done when": ``check --fix --unsafe-fixes`` on each bad example of the public
conformance cases leaves a file that ``check`` reports clean of the code it fixed, with comments and
unrelated lines untouched. The cases live outside the repository (``../shared/conformance``); the
test skips, saying so, where they are not there."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import CliRunner

CONFORMANCE = Path(__file__).resolve().parents[2] / "shared" / "conformance"
needs_cases = pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="../shared/conformance is not there")


def _cases(name: str) -> dict[str, dict[str, object]]:
    if not CONFORMANCE.is_dir():
        return {}
    return dict(yaml.safe_load((CONFORMANCE / name).read_text())["cases"])


def _findings(cli: CliRunner, path: Path) -> list[dict[str, object]]:
    return list(json.loads(cli("check", "--no-cache", "--format", "json", str(path)).out)["findings"])


def _fix_and_compare(cli: CliRunner, path: Path) -> tuple[set[str], set[str], list[str]]:
    """(codes fixed, codes reported after, the changed lines of the diff)."""
    before_text = path.read_text()
    before = _findings(cli, path)
    fixable = {str(f["rule_id"]) for f in before if f["fix"] and f["fix"]["edits"]}  # type: ignore[index]
    result = cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(path))
    assert result.code in (0, 1), result.err
    after = {str(f["rule_id"]) for f in _findings(cli, path)}
    changed = [line for line in difflib.unified_diff(before_text.splitlines(), path.read_text().splitlines(), lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return fixable, after, changed


BAD_CONFIGS = {name: case for name, case in _cases("lint-cases.yaml").items() if "expect_any" in case}
BAD_SOURCES = {name: case for name, case in _cases("source-cases.yaml").items() if "expect_any" in case}


@needs_cases
@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_fixing_a_bad_conformance_config_clears_what_it_fixed(cli: CliRunner, tmp_path: Path, name: str) -> None:
    case = BAD_CONFIGS[name]
    path = tmp_path / f"{name}.yaml"
    text = str(case["raw"]) if "raw" in case else "# conformance case, kept as a comment\n" + yaml.safe_dump(case["config"], sort_keys=False)
    path.write_text(text)
    fixable, after, changed = _fix_and_compare(cli, path)
    if not fixable:  # NNA000 (unreadable) and rules without a fix: nothing to apply, nothing written
        assert path.read_text() == text
        assert set(case["expect_any"]) & after  # type: ignore[arg-type]
        return
    assert not (fixable & after), f"{name}: still reported after --fix: {sorted(fixable & after)}"
    assert path.read_text().startswith("# conformance case, kept as a comment\n")
    assert len(changed) <= 4, changed


@needs_cases
@pytest.mark.parametrize("name", sorted(BAD_SOURCES))
def test_fixing_a_bad_conformance_source_clears_what_it_fixed(cli: CliRunner, tmp_path: Path, name: str) -> None:
    source = CONFORMANCE / "sources" / str(BAD_SOURCES[name]["file"])
    path = tmp_path / source.name
    shutil.copy(source, path)
    fixable, after, changed = _fix_and_compare(cli, path)
    if not fixable:
        pytest.skip(f"{name}: no finding offers edits for this source (said in the closing note)")
    assert not (fixable & after), f"{name}: still reported after --fix: {sorted(fixable & after)}"
    comments = [line for line in source.read_text().splitlines() if line.strip().startswith("#")]
    kept = path.read_text().splitlines()
    assert all(c in kept for c in comments), "a comment line was lost"
    assert len(changed) <= 4, changed
