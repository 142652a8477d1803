"""``%load_ext nnadvisor`` and ``%nnadvisor check ...``: names looked up in the notebook's
namespace, paths checked as files. IPython itself is not needed: the extension only calls
``register_magic_function`` and reads ``user_ns``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import nnadvisor
from nnadvisor.magic import run


class _Shell:
    """Just what the extension uses of an IPython shell."""

    def __init__(self) -> None:
        self.user_ns: dict[str, Any] = {}
        self.magics: dict[str, Any] = {}

    def register_magic_function(self, fn: Any, magic_kind: str, magic_name: str) -> None:
        assert magic_kind == "line"
        self.magics[magic_name] = fn


def test_load_ext_registers_the_line_magic_and_checks_a_path(tmp_path: Path) -> None:
    shell = _Shell()
    nnadvisor.load_ipython_extension(shell)
    config = tmp_path / "m.yaml"
    config.write_text("task: multiclass\nlayers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\n")
    report = shell.magics["nnadvisor"](f"check {config}")
    assert [f.rule_id for f in report.findings] == ["NNA101"]


def test_names_are_the_notebook_variables() -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    namespace = {"net": nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1)), "criterion": nn.CrossEntropyLoss()}
    report = run("check net criterion task=multiclass num_classes=3", namespace)
    assert [(f.rule_id, f.object_path) for f in report.findings if f.rule_id == "NNA103"] == [("NNA103", "net.1")]


def test_bad_lines_say_how_to_use_it() -> None:
    with pytest.raises(nnadvisor.UsageError, match="usage: %nnadvisor check"):
        run("", {})
    with pytest.raises(nnadvisor.UsageError, match="problem keys go with a model"):
        run("check models/ task=binary", {})
