"""``check --statistics``, ``--quiet``, ``--output-file``, and text wrapped at a terminal's width,
through the real entry point (the wrapping also at the renderer, which is a pure function)."""

from __future__ import annotations

import json
from pathlib import Path

from nnadvisor.findings import Finding, FixOut, Report
from nnadvisor.render.lint_text import render
from tests.conftest import CliRunner

SOFTMAX_MSE = "task: multiclass\nlabels: one-hot\nnum_classes: 3\nlayers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\n"
LOG_SOFTMAX = "framework: pytorch\nlayers:\n  - {type: dense, units: 5, activation: log_softmax}\nloss: CrossEntropyLoss\n"


def _files(tmp_path: Path) -> list[str]:
    (tmp_path / "a.yaml").write_text(SOFTMAX_MSE)
    (tmp_path / "b.yaml").write_text(SOFTMAX_MSE.replace("num_classes: 3", "num_classes: 3  # again"))
    (tmp_path / "c.yaml").write_text(LOG_SOFTMAX)
    return [str(tmp_path / n) for n in ("a.yaml", "b.yaml", "c.yaml")]


def test_statistics_count_each_rule_most_frequent_first(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("check", "--no-cache", "--statistics", *_files(tmp_path))
    assert result.code == 1
    assert result.out.splitlines() == ["2  NNA101      softmax-with-regression-loss", "1  NNA104  [*] redundant-log-softmax"]
    rows = json.loads(cli("check", "--no-cache", "--statistics", "--format", "json", "--unsafe-fixes", *_files(tmp_path)).out)
    assert rows == [
        {"code": "NNA101", "name": "softmax-with-regression-loss", "count": 2, "fixable": 2},
        {"code": "NNA104", "name": "redundant-log-softmax", "count": 1, "fixable": 1},
    ]
    assert cli("check", "--no-cache", "--statistics", "--format", "sarif", *_files(tmp_path)).code == 2
    assert "--statistics cannot go with --diff" in cli("check", "--statistics", "--diff", *_files(tmp_path)).err


def test_quiet_prints_the_findings_and_nothing_else(cli: CliRunner, tmp_path: Path) -> None:
    paths = _files(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("site_name: docs\n")
    result = cli("check", "--no-cache", "-q", *paths, str(tmp_path / "mkdocs.yml"))
    assert result.code == 1 and "NNA101" in result.out
    assert "Found" not in result.out and "fixable" not in result.out
    assert result.err == "", "a note was printed under --quiet"
    concise = cli("check", "--no-cache", "-q", "--format", "concise", paths[2]).out
    assert concise.splitlines() == [f"{paths[2]}:3:29: info NNA104 [*] log_softmax output into CrossEntropyLoss, which applies log_softmax itself: harmless but redundant"]
    clean = tmp_path / "ok.yaml"
    clean.write_text("layers:\n  - {type: dense, units: 1, activation: sigmoid}\nloss: binary_crossentropy\n")
    quiet_clean = cli("check", "--no-cache", "-q", str(clean))
    assert (quiet_clean.code, quiet_clean.out) == (0, "")


def test_output_file_gets_the_report_and_stdout_stays_empty(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "nnadvisor.json"
    result = cli("check", "--no-cache", "--format", "json", "--output-file", str(target), *_files(tmp_path))
    assert result.code == 1 and result.out == ""
    assert json.loads(target.read_text())["summary"]["files"] == 3
    blocked = tmp_path / "file"
    blocked.write_text("")
    refused = cli("check", "--no-cache", "-o", str(blocked / "x.json"), *_files(tmp_path))
    assert refused.code == 2 and f"--output-file {blocked / 'x.json'}: cannot write" in refused.err


def test_text_is_not_wrapped_outside_a_terminal(cli: CliRunner, tmp_path: Path) -> None:
    out = cli("check", "--no-cache", _files(tmp_path)[0]).out
    assert any(len(line) > 100 for line in out.splitlines()), "output to a file or pipe was wrapped"


def test_text_wraps_at_the_width_with_hanging_indents() -> None:
    fix = FixOut("Train the softmax output with categorical crossentropy (sparse_categorical_crossentropy for integer labels).")
    finding = Finding("NNA101", "softmax-with-regression-loss", "error", "m.yaml", 6, 1, pointer="/loss", message="softmax output trained with mse, a regression loss (also NNA108 squared-error-for-classification-output)", fix=fix)
    report = Report()
    report.summary.files = 1
    report.add([finding])
    lines = render(report, columns=60).splitlines()
    assert lines[1].startswith("      6:1  error   NNA101 softmax output")
    assert all(len(line) <= 60 or " " not in line.strip() for line in lines), "a line is longer than the width (only one long word may be)"
    assert lines[2].startswith(" " * 26) and not lines[2].startswith(" " * 27), "the message's continuation hangs under its start"
    fix_lines = [i for i, line in enumerate(lines) if "fix:" in line]
    assert lines[fix_lines[0] + 1] == " " * 24 + "categorical crossentropy", "the fix's continuation hangs under its text"
    assert "squared-error-for-classification-output)" in render(report, columns=60), "a long word was broken"
    assert render(report) == render(report, columns=None)


def test_progress_shows_after_a_second_and_is_erased(capsys: object, monkeypatch: object) -> None:
    import io
    import sys

    import pytest

    from nnadvisor.cli.check import _Progress

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    now = [100.0]
    progress = _Progress()
    progress.clock = lambda: now[0]
    progress.start = 100.0
    progress(10, 0)  # within the first second: nothing
    assert err.getvalue() == ""
    now[0] = 101.5
    progress(2048, 1024)
    progress(2049, 1024)  # within 0.2 s of the last: nothing
    now[0] = 102.0
    progress(4096, 2048)
    progress.clear()
    assert err.getvalue() == "\rnnadvisor: checked 1024 of 2048 files read…\x1b[K\rnnadvisor: checked 2048 of 4096 files read…\x1b[K\r\x1b[K"


def test_no_progress_outside_a_terminal(cli: CliRunner, tmp_path: Path) -> None:
    for i in range(30):
        (tmp_path / f"m{i}.yaml").write_text(SOFTMAX_MSE)
    result = cli("check", "--no-cache", str(tmp_path))
    assert result.err == ""
