"""Jupyter notebooks: code cells read as one program, findings located in cells, bad notebooks.

The notebooks under ``tests/notebooks/`` are written by hand (PyTorch ones, one Keras one); a
comment ``# expect: CODE`` in a cell marks the line where that finding must be reported.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnadvisor import readers
from nnadvisor.lint import check_bytes
from nnadvisor.readers import notebook
from nnadvisor.readers.notebook import Cell, Notebook, python_lines
from nnadvisor.rulebase import RuleBase, load_rulebase
from tests.conftest import CliRunner, examples

HERE = Path(__file__).parent / "notebooks"
TORCH = sorted(p.name for p in HERE.glob("torch_*.ipynb"))
EXPECT = re.compile(r"#\s*expect:\s*(NNA\d+)")


def keras_sources_read() -> bool:
    return any(f != "pytorch" for f in readers.python_frameworks(b"import keras\nfrom keras import layers\n"))


def report(cli: CliRunner, *args: str, cwd: Path | None = None) -> dict[str, Any]:
    result = cli("check", "--format", "json", *args, cwd=cwd)
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def cells_of(path: Path) -> list[dict[str, Any]]:
    doc = json.loads(path.read_text())
    cells: list[dict[str, Any]] = doc["cells"] if "cells" in doc else [c for w in doc["worksheets"] for c in w["cells"]]
    return cells


def expected(path: Path) -> set[tuple[str, int, int]]:
    """(code, cell, line) of every ``# expect: CODE`` in the notebook's cells."""
    out = set()
    for position, cell in enumerate(cells_of(path), start=1):
        source = cell.get("source", cell.get("input", ""))
        text = "".join(source) if isinstance(source, list) else source
        for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
            for code in EXPECT.findall(line):
                out.add((code, position, number))
    return out


# --- findings where the user wrote the code --------------------------------------------------------


@pytest.mark.parametrize("name", [*TORCH, "keras_split_compile.ipynb"])
def test_expected_findings_in_their_cells(cli: CliRunner, name: str) -> None:
    if name.startswith("keras") and not keras_sources_read():
        pytest.skip("needs the Keras-source reader (readers.python_frameworks picks no Keras reader yet)")
    path = HERE / name
    want = expected(path)
    found = report(cli, str(path))["findings"]
    got = {(f["rule_id"], f["cell"], f["line"]) for f in found if f["rule_id"] in {c for c, _, _ in want}}
    assert want <= got, f"missing {want - got}; found {[(f['rule_id'], f.get('cell'), f['line']) for f in found]}"
    serious = {(f["rule_id"], f["cell"], f["line"]) for f in found if f["severity"] in ("error", "warning")}
    assert serious <= want, f"unexpected {serious - want}"


def test_split_mistake_exact_location(cli: CliRunner) -> None:
    """The softmax in cell 4 (line 5) meets CrossEntropyLoss applied in cell 7: reported at the
    softmax, in its cell, with the cell's id and the place in the notebook file."""
    path = HERE / "torch_split_model_and_loss.ipynb"
    (finding,) = report(cli, str(path))["findings"]
    assert finding["rule_id"] == "NNA103"
    assert (finding["cell"], finding["line"], finding["column"], finding["cell_id"]) == (4, 5, 5, "cell-3")
    file_lines = path.read_text().split("\n")
    (at,) = [n for n, line in enumerate(file_lines, start=1) if "nn.Softmax(dim=1),  # expect" in line]
    assert finding["file_line"] == at
    assert finding["file_column"] == file_lines[at - 1].index("nn.Softmax") + 1
    assert list(finding)[:10] == ["rule_id", "name", "severity", "file", "line", "column", "cell", "cell_id", "file_line", "file_column"]


def test_split_softmax_then_loss_in_a_later_cell(cli: CliRunner) -> None:
    """The activation applied in cell 4 is reported where it is handed to the loss, in cell 5;
    sources as single strings, compact JSON (the whole notebook on one line)."""
    path = HERE / "torch_split_softmax_then_loss.ipynb"
    (finding,) = report(cli, str(path))["findings"]
    assert (finding["rule_id"], finding["cell"], finding["line"]) == ("NNA103", 5, 2)
    assert finding["file_line"] == 1


def test_same_findings_as_the_code_in_a_py_file(rulebase: RuleBase) -> None:
    """A notebook reports what its code reports as one .py file (the same rules, messages and
    order), located in cells instead of program lines."""
    for name in TORCH:
        if name == "torch_broken_cell.ipynb":
            continue  # as one .py file, its broken cell stops everything
        raw = (HERE / name).read_bytes()
        program = notebook.parse(raw)
        as_py = [f for f in check_bytes(program.program().encode(), "x.py", rulebase, "python") if f.rule_id != "NNA003"]
        in_nb = [f for f in check_bytes(raw, "x.ipynb", rulebase, "notebook") if f.rule_id != "NNA003"]
        assert [(f.rule_id, f.column) for f in as_py] == [(f.rule_id, f.column) for f in in_nb], name
        for py, nb in zip(as_py, in_nb):
            cell = program.cell_of(py.line)
            assert cell is not None and (nb.cell, nb.line) == (cell.position, py.line - cell.start + 1)


def test_clean_notebook_is_clean(cli: CliRunner) -> None:
    """Magics, shell lines, help syntax, %%bash and %%writefile cells (whose bad model is not run
    in the notebook), a %%capture cell with the training loop: nothing to report."""
    result = cli("check", str(HERE / "torch_clean_magics.ipynb"))
    assert result.code == 0 and "All checks passed (1 file)" in result.out, result.out


def test_conformance_notebooks(cli: CliRunner) -> None:
    conformance = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "sources"
    if not conformance.exists():
        pytest.skip("no ../shared/conformance")
    clean = report(cli, str(conformance / "notebook-torch-clean.ipynb"))
    assert not [f for f in clean["findings"] if f["severity"] != "info"]
    keras = report(cli, str(conformance / "notebook-keras-softmax-mse.ipynb"))
    if keras_sources_read():
        assert {f"{f['cell']}:{f['line']}" for f in keras["findings"] if f["rule_id"] in ("NNA101", "NNA108")} & {"5:4", "6:2"}


# --- the program: IPython syntax blanked, lines kept -------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "program"),
    [
        ("%matplotlib inline\nimport torch", "\nimport torch"),
        ("!pip install torch \\\n    numpy\nx = 1", "\n\nx = 1"),
        ("files = !ls\nx, y = %sx ls\nz = 1", "\n\nz = 1"),
        ("model?\n?model\nnn.Linear??\nx = 1  # why?", "\n\n\nx = 1  # why?"),
        ("for i in range(2):\n    !echo hi\n    x = i", "for i in range(2):\n    pass\n    x = i"),
        ('s = """\n%s items\n!not shell\n"""', 's = """\n%s items\n!not shell\n"""'),
        ("t = (1,\n     % 2)\n%time f()", "t = (1,\n     % 2)\n"),
        ("x = '%d' % 3\n%who", "x = '%d' % 3\n"),
        ("x = 1 + \\\n    2\n!ls", "x = 1 + \\\n    2\n"),
        ("%%bash\necho hi\nls", "\n\n"),
        ("%%writefile m.py\nimport torch", "\n"),
        ("%%timeit\nmodel(x)", "\n"),
        ("%%time\nout = model(x)\n%env A=1", "\nout = model(x)\n"),
        ("\n%%capture log\nfit()", "\n\nfit()"),
        ("# %matplotlib inline\nx = 1", "# %matplotlib inline\nx = 1"),
    ],
)
def test_ipython_syntax_is_blanked_in_place(cell: str, program: str) -> None:
    lines = cell.split("\n")
    out = python_lines(lines)
    assert len(out) == len(lines)
    assert "\n".join(out) == program


def test_cells_join_in_order_with_a_line_map() -> None:
    nb = notebook_bytes([("markdown", "# t"), ("code", "import torch\nx = 1\n"), ("code", ""), ("raw", "r"), ("code", "y = 2")])
    program = notebook.parse(nb)
    assert program.program() == "import torch\nx = 1\ny = 2\n"
    assert [(c.position, c.start, len(c.lines)) for c in program.cells] == [(2, 1, 2), (5, 3, 1)]
    assert program.describe(3) == "1 of cell 5"
    assert program.cell_of(4) is None


def test_line_references_in_messages_are_put_in_cell_terms() -> None:
    nb = Notebook("{}", [Cell(2, None, 1, ["a", "b", "c"], 0), Cell(5, "x", 4, ["d", "e"], 0)])
    assert nb._reword("the loss at line 5 is custom") == "the loss at line 2 of cell 5 is custom"
    assert nb._reword("several losses (lines 1, 3)") == "several losses (lines 1, 3 of cell 2)"
    assert nb._reword("optimizers (lines 2, 4): unknown") == "optimizers (lines 2 of cell 2, 1 of cell 5): unknown"
    assert nb._reword("[Net into CrossEntropyLoss (line 4)] x") == "[Net into CrossEntropyLoss (line 1 of cell 5)] x"
    assert nb._reword("line 99 is elsewhere") == "line 99 is elsewhere"


def test_a_cell_that_is_not_python_is_left_out(cli: CliRunner) -> None:
    found = report(cli, str(HERE / "torch_broken_cell.ipynb"))["findings"]
    note = next(f for f in found if f["rule_id"] == "NNA002")
    assert (note["cell"], note["line"], note["cell_id"]) == (3, 2, None)
    assert "cell 3 is not checked" in note["message"]
    assert any(f["rule_id"] == "NNA103" and f["cell"] == 2 for f in found)


def test_a_python_syntax_error_message_is_what_the_core_says(rulebase: RuleBase) -> None:
    """The notebook reader recognises a program that does not parse by the core's wording."""
    (finding,) = check_bytes(b"import torch\nfor i in x\n", "x.py", rulebase, "python")
    assert finding.rule_id == "NNA000" and finding.message.startswith(notebook._SYNTAX)


# --- suppressions, settings, walks, cache, stdin ------------------------------------------------------


def test_suppressions_inside_cells(cli: CliRunner) -> None:
    found = report(cli, str(HERE / "torch_suppressions.ipynb"))["findings"]
    assert not [f for f in found if f["rule_id"] == "NNA103"]  # silenced on its line in cell 2
    unused = {(f["cell"], f["line"]): f["message"] for f in found if f["rule_id"] == "NNA003"}
    assert unused == {
        (2, 5): "unused suppression: NNA501: on the last line of its cell, it applies to no line",
        (3, 2): "unused suppression: NNA502 reported nothing on line 2 of cell 3",
    }


def test_own_line_suppression_does_not_reach_into_the_next_cell(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.ipynb"
    path.write_bytes(
        notebook_bytes(
            [
                ("code", "import torch\nfrom torch import nn\n# nnadvisor: ignore[NNA103]"),
                ("code", "model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\nloss = nn.CrossEntropyLoss()(model(x), y)"),
            ]
        )
    )
    codes = {(f["rule_id"], f["cell"], f["line"]) for f in report(cli, str(path))["findings"]}
    assert ("NNA103", 2, 1) in codes and ("NNA003", 1, 3) in codes


def test_per_file_ignores_apply_to_notebooks(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "m.ipynb").write_bytes((HERE / "torch_split_model_and_loss.ipynb").read_bytes())
    (tmp_path / "pyproject.toml").write_text('[tool.nnadvisor.per-file-ignores]\n"nb/*.ipynb" = ["NNA103"]\n')
    assert report(cli, "nb/m.ipynb", cwd=tmp_path)["findings"] == []


def test_directory_walk_includes_notebooks(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.ipynb").write_bytes((HERE / "torch_split_model_and_loss.ipynb").read_bytes())
    (tmp_path / "data.ipynb").write_bytes(notebook_bytes([("code", "import pandas as pd\ndf = pd.read_csv('x.csv')")]))
    result = cli("check", str(tmp_path))
    assert result.code == 1
    assert "a.ipynb" in result.out and "data.ipynb" not in result.out
    assert "in 1 file; 1 file skipped (not model configs)" in result.out


def test_cached_findings_keep_their_cells(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.ipynb"
    path.write_bytes((HERE / "torch_split_model_and_loss.ipynb").read_bytes())
    first = cli("check", "--format", "json", str(path)).out
    second = cli("check", "--format", "json", str(path)).out
    assert first == second and '"cell": 4' in second


def test_stdin_notebook_by_name_and_by_content(cli: CliRunner) -> None:
    raw = (HERE / "torch_split_model_and_loss.ipynb").read_bytes()
    for args in (["--stdin-filename", "m.ipynb"], []):
        result = cli("check", "--format", "json", *args, "-", stdin=raw)
        (finding,) = json.loads(result.out)["findings"]
        assert (finding["rule_id"], finding["cell"], finding["line"]) == ("NNA103", 4, 5)


def test_input_format_notebook(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "exported.json"
    path.write_bytes((HERE / "torch_split_model_and_loss.ipynb").read_bytes())
    (finding,) = report(cli, "--input-format", "notebook", str(path))["findings"]
    assert finding["cell"] == 4


def test_reading_a_yaml_config_does_not_import_the_notebook_reader(tmp_path: Path) -> None:
    config = tmp_path / "m.yaml"
    config.write_text("layers: [{type: dense, units: 3, activation: softmax}]\nloss: mse\n")
    code = (
        "import sys\nfrom nnadvisor.cli import main\nsys.argv = ['nnadvisor', 'check', '--no-cache', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nassert 'nnadvisor.readers.notebook' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code, str(config)], check=True, capture_output=True)


# --- notebooks that are not notebooks ------------------------------------------------------------


def notebook_bytes(cells: list[tuple[str, str]], **top: Any) -> bytes:
    return json.dumps(
        {
            "cells": [{"cell_type": kind, "metadata": {}, "source": src, **({"outputs": []} if kind == "code" else {})} for kind, src in cells],
            "metadata": top.pop("metadata", {"language_info": {"name": "python"}}),
            "nbformat": 4,
            "nbformat_minor": 4,
            **top,
        },
        indent=1,
    ).encode()


BAD = {
    "not-json": (b'{\n "cells": [\n  {"cell_type": "code", "source": ["x"],}\n ]\n}\n', 3, "not valid JSON"),
    "empty": (b"", 1, "empty file"),
    "truncated": (b'{\n "cells": [\n  {"cell_type": "code",\n', 4, "not valid JSON"),
    "top-level-list": (b"[1, 2]\n", 1, "top level is not a JSON object"),
    "not-nbformat": (b'{\n "layers": [],\n "loss": "mse"\n}\n', 1, "no 'nbformat' key"),
    "nbformat-2": (b'{\n "cells": [],\n "nbformat": 2\n}\n', 3, "nbformat 2 is not supported"),
    "nbformat-string": (b'{\n "cells": [],\n "nbformat": "4"\n}\n', 3, "not a whole number"),
    "no-cells": (b'{\n "metadata": {},\n "nbformat": 4\n}\n', 1, "no 'cells' key"),
    "cells-not-list": (b'{\n "nbformat": 4,\n "cells": {"a": 1}\n}\n', 3, "'cells' is not a list"),
    "cell-not-object": (b'{\n "nbformat": 4,\n "cells": [\n  "import torch"\n ]\n}\n', 4, "cell 1 is not a JSON object"),
    "source-list-of-numbers": (
        b'{\n "nbformat": 4,\n "cells": [\n  {"cell_type": "markdown", "source": "# hi"},\n  {"cell_type": "code",\n   "source": ["import torch\\n", 3]}\n ]\n}\n',
        6,
        "the source of cell 2 is a list holding something other than strings",
    ),
    "source-object": (b'{\n "nbformat": 4,\n "cells": [\n  {"cell_type": "code",\n   "source": {"a": 1}}\n ]\n}\n', 5, "not a string or a list of strings"),
    "source-number": (b'{\n "nbformat": 4,\n "cells": [\n  {"cell_type": "code", "source": 7}\n ]\n}\n', 4, "not a string or a list of strings"),
    "no-source": (b'{\n "nbformat": 4,\n "cells": [\n  {"cell_type": "code", "outputs": []}\n ]\n}\n', 4, "has no 'source'"),
    "no-cell-type": (b'{\n "nbformat": 4,\n "cells": [\n  {"source": "x = 1"}\n ]\n}\n', 4, "has no cell_type"),
    "not-utf8": (b'{\n "nbformat": 4,\n "cells": [{"cell_type": "code", "source": "x = \xff"}]\n}\n', 3, "not UTF-8"),
    "trailing-data": (b'{"nbformat": 4, "cells": []}\n{"again": 1}\n', 2, "extra data"),
    "deep-nesting": (b'{"nbformat": 4, "cells": [], "metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 1, "not valid JSON"),
    "huge-integer": (b'{"nbformat": 4, "cells": [], "metadata": {"n": ' + b"9" * 5000 + b"}}", 1, "not valid JSON"),
    "worksheets-not-list": (b'{\n "nbformat": 3,\n "worksheets": 1\n}\n', 3, "'worksheets' is not a list"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, "not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_notebooks_are_nna000_at_their_line(cli: CliRunner, tmp_path: Path, name: str) -> None:
    raw, line, message = BAD[name]
    path = tmp_path / f"{name}.ipynb"
    path.write_bytes(raw)
    result = cli("check", "--force", "--format", "json", str(path))  # most would be skipped: no framework import
    assert result.code == 1 and "Traceback" not in result.err
    (finding,) = json.loads(result.out)["findings"]
    assert (finding["rule_id"], finding["line"]) == ("NNA000", line), finding
    assert message in finding["message"]
    assert "cell" not in finding


def test_a_100_mb_notebook_is_refused_without_being_read(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "huge.ipynb"
    with open(path, "wb") as f:
        f.write(b'{"nbformat": 4, "cells": [], "metadata": {"x": "')
        f.truncate(100 * 1024 * 1024)  # sparse: the rest reads as NUL bytes
    (finding,) = report(cli, "--force", str(path))["findings"]
    assert (finding["rule_id"], finding["line"]) == ("NNA000", 1)
    assert "larger than 33,554,432 bytes" in finding["message"]


def test_code_over_the_python_cap_is_refused(rulebase: RuleBase) -> None:
    raw = notebook_bytes([("code", "import torch\n"), ("code", "x = 1\n" * 1_000_000)])
    (finding,) = check_bytes(raw, "m.ipynb", rulebase, "notebook")
    assert finding.rule_id == "NNA000" and "code cells hold more than" in finding.message


def test_a_notebook_of_another_language_is_a_note(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "r.ipynb"
    path.write_bytes(notebook_bytes([("code", "library(torch)\nx <- 1")], metadata={"kernelspec": {"language": "R"}}))
    skipped = cli("check", str(path))  # it imports no framework: not a model definition
    assert skipped.code == 0 and "r.ipynb: skipped, not a model definition" in skipped.err
    result = cli("check", "--force", "--format", "json", str(path))
    assert result.code == 0
    (finding,) = json.loads(result.out)["findings"]
    assert finding["rule_id"] == "NNA002" and "a notebook in R, not Python" in finding["message"]


def test_an_empty_notebook_says_nothing_was_found(rulebase: RuleBase) -> None:
    (finding,) = check_bytes(notebook_bytes([("markdown", "# only prose")]), "m.ipynb", rulebase, "notebook")
    assert (finding.rule_id, finding.line, finding.cell) == ("NNA002", 1, None)


SAMPLE = (HERE / "torch_split_model_and_loss.ipynb").read_bytes()


@pytest.fixture(scope="module")
def fuzz_rulebase() -> Iterator[None]:
    global RULEBASE
    RULEBASE = load_rulebase(use_cache=False)
    yield


RULEBASE: RuleBase | None = None


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_notebooks_never_raise(fuzz_rulebase: None, data: st.DataObject) -> None:
    """Bytes, brackets, quotes, escapes and IPython syntax thrown at a real notebook: never an
    exception, every location at least 1:1."""
    rulebase = RULEBASE
    assert rulebase is not None
    raw = bytearray(SAMPLE)
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
        if action == "flip":
            raw[at] = data.draw(st.sampled_from(b'{}[]",:\\ \n0a%!?#'))
        elif action == "delete":
            del raw[at : at + data.draw(st.integers(1, 40))]
        elif action == "insert":
            raw[at:at] = data.draw(st.sampled_from([b'"x"', b"[", b"}", b"%%bash\\n", b"\\n!ls\\n", b"\\u00e9", b'\\"""', b"null", b"\\r"]))
        else:
            del raw[at:]
        if not raw:
            raw = bytearray(b"{")
    findings = check_bytes(bytes(raw), "m.ipynb", rulebase, "notebook")
    for f in findings:
        assert f.line >= 1 and f.column >= 1
        if f.cell is not None:
            assert f.file_line is not None and f.file_line >= 1 and f.file_column is not None and f.file_column >= 1
