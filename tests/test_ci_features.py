"""Selection (--select/--extend-select/--ignore), project settings, per-file ignores and rule packs,
through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnadvisor.selection import Selection
from tests.conftest import CliRunner

# NNA101 (error), NNA108 (warning) and NNA501 (error) on lines 5, 5 and 6; NNA101 supersedes NNA108
# where both are reported (NNA108 shows where NNA101 is not selected).
BAD = "task: multiclass\nnum_classes: 3\nlayers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\noptimizer: {name: sgd, lr: 0}\n"


def codes(cli: CliRunner, *args: str, cwd: Path | None = None) -> list[str]:
    result = cli("check", "--format", "json", *args, cwd=cwd)
    assert result.code in (0, 1), result.err
    return [f["rule_id"] for f in json.loads(result.out)["findings"]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "m.yaml").write_text(BAD)
    return tmp_path


def test_most_specific_prefix_wins() -> None:
    s = Selection(select=("NNA1",), ignore=("NNA108",))
    assert s.enabled("NNA101") and not s.enabled("NNA108") and not s.enabled("NNA501")
    assert not Selection(select=("NNA101",), ignore=("NNA101",)).enabled("NNA101")  # a tie: ignore wins
    assert Selection(select=("NNA108",), ignore=("NNA1",)).enabled("NNA108")
    assert Selection(ignore=("NNA",)).enabled("NNA000")  # unreadable files always report


def test_select_ignore_extend_select(cli: CliRunner, project: Path) -> None:
    m = str(project / "configs" / "m.yaml")
    assert codes(cli, m) == ["NNA101", "NNA501"]
    assert codes(cli, "--select", "NNA1", m) == ["NNA101"]
    assert codes(cli, "--select", "NNA1", "--ignore", "NNA108", m) == ["NNA101"]
    assert codes(cli, "--select", "NNA108", "--extend-select", "NNA5", m) == ["NNA108", "NNA501"]
    assert codes(cli, "--ignore", "NNA101,NNA501", m) == ["NNA108"]


def test_summary_and_exit_code_follow_the_selection(cli: CliRunner, project: Path) -> None:
    result = cli("check", "--format", "json", "--ignore", "NNA101,NNA501", str(project / "configs" / "m.yaml"))
    assert result.code == 0 and json.loads(result.out)["summary"] == {"files": 1, "error": 0, "warning": 1, "info": 0, "skipped": 0, "fixed": 0}


def test_unknown_code_is_a_usage_error(cli: CliRunner, project: Path) -> None:
    result = cli("check", "--select", "NNA9", str(project / "configs" / "m.yaml"))
    assert result.code == 2 and "--select 'NNA9'" in result.err


def test_project_settings_apply_and_flags_win(cli: CliRunner, project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.nnadvisor]\nignore = ["NNA501"]\nfail-on = "warning"\nformat = "json-lines"\n\n'
        '[tool.nnadvisor.per-file-ignores]\n"configs/*.yaml" = ["NNA108"]\n'
    )
    sub = project / "configs"
    result = cli("check", "m.yaml", cwd=sub)  # settings found by walking up
    lines = [json.loads(line)["rule_id"] for line in result.out.splitlines()]
    assert lines == ["NNA101"] and result.code == 1
    assert codes(cli, "--ignore", "NNA108", "m.yaml", cwd=sub) == ["NNA101", "NNA501"]  # flag replaces the setting


def test_per_file_ignores_match_the_file_name(cli: CliRunner, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.nnadvisor.per-file-ignores]\n"m.yaml" = ["NNA1"]\n')
    assert codes(cli, "configs/m.yaml", cwd=project) == ["NNA501"]


def test_fail_on_from_settings(cli: CliRunner, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.nnadvisor]\nignore = ["NNA101", "NNA501"]\nfail-on = "warning"\n')
    assert cli("check", "configs/m.yaml", cwd=project).code == 1
    assert cli("check", "--fail-on", "error", "configs/m.yaml", cwd=project).code == 0


@pytest.mark.parametrize(
    ("toml", "line", "text"),
    [
        ('[tool.nnadvisor]\nselect = ["NNA1"]\nignor = ["NNA108"]\n', 3, "unknown setting 'ignor' in [tool.nnadvisor]; did you mean 'ignore'?"),
        ('[tool.nnadvisor]\nfail-on = "fatal"\n', 2, "setting 'fail-on' must be one of error, warning, info"),
        ('[tool.nnadvisor]\nselect = "NNA1"\n', 2, "must be a list of strings"),
        ('[tool.nnadvisor\nselect = []\n', 1, "invalid TOML"),
    ],
)
def test_bad_settings_name_file_and_line(cli: CliRunner, project: Path, toml: str, line: int, text: str) -> None:
    (project / "pyproject.toml").write_text(toml)
    result = cli("check", "configs/m.yaml", cwd=project)
    assert result.code == 2
    assert f"pyproject.toml:{line}: " in result.err and text in result.err


PACK_RULE = """id: TEAM001
name: no-plain-sgd
severity: warning
category: team
message: this team trains with adam or sgd with momentum, not {optimizer.name} without it
at: [optimizer.name]
when:
  all:
    - {path: optimizer.name, op: equals, value: sgd}
    - any:
        - {path: optimizer.momentum, op: not_exists}
        - {path: optimizer.momentum, op: equals, value: 0}
rationale: Team convention.
references: [team wiki]
examples:
  bad:
    - config: {layers: [{type: dense, units: 1}], loss: mse, optimizer: sgd}
  good:
    - config: {layers: [{type: dense, units: 1}], loss: mse, optimizer: {name: sgd, momentum: 0.9}}
"""


def test_rule_pack_adds_rules_and_overrides_severity(cli: CliRunner, project: Path) -> None:
    pack = project / "team-rules"
    pack.mkdir()
    (pack / "TEAM001-no-plain-sgd.yaml").write_text(PACK_RULE)
    (pack / "overrides.yaml").write_text("severity:\n  NNA108: error\n")
    result = cli("check", "--format", "json", "--rules", str(pack), str(project / "configs" / "m.yaml"))
    found = {f["rule_id"]: f["severity"] for f in json.loads(result.out)["findings"]}
    assert found == {"NNA101": "error", "NNA501": "error", "TEAM001": "warning"}  # NNA108 superseded by NNA101
    assert cli("rules", "validate", str(pack)).out == "1 rule pack valid\n"
    assert codes(cli, "--rules", str(pack), "--select", "TEAM", str(project / "configs" / "m.yaml")) == ["TEAM001"]


def test_rule_pack_from_settings(cli: CliRunner, project: Path) -> None:
    pack = project / "team-rules"
    pack.mkdir()
    (pack / "TEAM001-no-plain-sgd.yaml").write_text(PACK_RULE)
    (project / "pyproject.toml").write_text('[tool.nnadvisor]\nrules = ["team-rules"]\n')
    assert "TEAM001" in codes(cli, "configs/m.yaml", cwd=project)


@pytest.mark.parametrize(
    ("mutate", "text"),
    [
        (lambda s: s.replace("value: sgd}", "value: sgdd}"), "'sgdd' is not one of"),
        (lambda s: s.replace("optimizer: {name: sgd, momentum: 0.9}", "optimizer: sgd"), "TEAM001 fires on its own good example 0"),
        (lambda s: s.replace("id: TEAM001", "id: NNA101").replace("TEAM001", "NNA101"), "already defined"),
    ],
)
def test_invalid_rule_pack_is_rejected_with_file_and_line(cli: CliRunner, project: Path, mutate, text: str) -> None:  # type: ignore[no-untyped-def]
    pack = project / "team-rules"
    pack.mkdir()
    rule = mutate(PACK_RULE)
    name = "NNA101-no-plain-sgd.yaml" if "id: NNA101" in rule else "TEAM001-no-plain-sgd.yaml"
    (pack / name).write_text(rule)
    for args in (["rules", "validate", str(pack)], ["check", "--rules", str(pack), str(project / "configs" / "m.yaml")]):
        result = cli(*args)
        assert result.code == 2, args
        assert f"{name}:" in result.err and text in result.err


def test_overrides_of_unknown_rules_are_rejected(cli: CliRunner, project: Path) -> None:
    pack = project / "team-rules"
    pack.mkdir()
    (pack / "overrides.yaml").write_text("severity:\n  NNA999: error\n")
    result = cli("rules", "validate", str(pack))
    assert result.code == 2 and "overrides.yaml:2: NNA999 is not a built-in rule" in result.err


def test_format_environment_variable_is_for_check_only(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNADVISOR_FORMAT", "sarif")
    assert cli("recommend", "--task", "binary", "--no-code").code == 0
    assert cli("rules").code == 0
