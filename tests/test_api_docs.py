"""Every Python example in docs/api.md runs, and prints what the page says it prints (the ``# ``
comment lines right after a ``print``)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).parent.parent / "docs" / "api.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)


def _expected(block: str) -> list[str]:
    lines = block.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("print("):
            for following in lines[i + 1 :]:
                if not following.startswith("# "):
                    break
                out.append(following[2:])
    return out


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_api_doc_example_runs(block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for framework in ("torch", "keras"):
        if f"import {framework}" in block:
            pytest.importorskip(framework)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, str(DOC), "exec"), {"__name__": "__docs__"})
    assert printed.getvalue().splitlines() == _expected(block)
