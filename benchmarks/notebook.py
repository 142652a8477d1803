#!/usr/bin/env python3
"""A notebook against the same code as one ``.py`` file, in the same run.

budgets.md: checking a notebook costs at most 1.2x checking the same code as one ``.py`` file.

Notebooks are generated deterministically (``--seed``) in three sizes (``small``: 12 code cells,
``medium``: 60, ``large``: 240), the way notebooks are written: markdown between the code, an
imports cell with ``!pip install`` and ``%matplotlib inline``, data cells, model classes, training
loops (some under ``%%time``), evaluation and plotting cells, and outputs as Jupyter writes them
(stream text, and a base64 PNG of about 40 KB for each plotting cell: the bytes a notebook file
carries that a ``.py`` file does not). Some models carry the mistakes the rules report. The ``.py``
file is the same code: the program the notebook reader builds from the cells (IPython lines
blank), so both inputs hold exactly the same Python.

Three figures per size, each a median (of interleaved rounds where two inputs are compared: each
round runs every command once, so that drift in machine load hits all of them alike, and which of
the two goes first alternates from round to round):

- ``in process``: ``nnadvisor.lint.check_bytes`` on the notebook's bytes against the ``.py``
  file's bytes (what ``check --no-cache`` does per file, without the process around it; the
  stricter figure, and the one the budget is judged on);
- ``the notebook reader alone``: ``notebook.parse`` and the remapping of the findings, the work a
  notebook adds to its code's check, as a share of the ``.py`` check (the steadiest figure on a
  loaded machine: it does not depend on two noisy timings of the same check);
- ``process``: ``nnadvisor check --no-cache FILE`` in a fresh process each (start-up included),
  with bytecode caching on (budgets.md) under a private ``PYTHONPYCACHEPREFIX`` and a private
  ``NNADVISOR_CACHE_DIR`` whose rule-base cache is primed first.

Also checks, untimed, that both inputs give the same findings (rule and column; the notebook's in
cells). The exit status is 0 whatever the figures: it is a measuring tool.

usage: python benchmarks/notebook.py [--rounds 21] [--process-rounds 11] [--seed 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGET = 1.2
SIZES = {"small": 12, "medium": 60, "large": 240}


def _png(rng: random.Random, size: int = 40_000) -> str:
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + rng.randbytes(size)).decode()


def _model_cell(rng: random.Random, k: int) -> tuple[str, int]:
    width = rng.choice([32, 64, 128, 256])
    depth = rng.randint(1, 4)
    out = rng.choice([1, 2, 5, 10])
    act = rng.choice(["nn.ReLU()", "nn.GELU()", "nn.Tanh()", "nn.LeakyReLU(0.1)"])
    head = rng.choice(["", "", "", "nn.Softmax(dim=1)", "nn.Sigmoid()"])
    body = [f"nn.Linear({20 if i == 0 else width}, {width}), {act}" for i in range(depth)]
    layers = ",\n            ".join(body + [f"nn.Linear({width}, {out})"] + ([head] if head else []))
    return (
        f"class Net{k}(nn.Module):\n"
        f'    """Model {k}: {depth} hidden layers of {width}."""\n\n'
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.layers = nn.Sequential(\n"
        f"            {layers},\n"
        "        )\n"
        "        self.dropout = nn.Dropout(0.1)\n\n"
        "    def forward(self, x):\n"
        "        x = self.dropout(x)\n"
        "        return self.layers(x)\n\n\n"
        f"model{k} = Net{k}()\n"
        f"print(sum(p.numel() for p in model{k}.parameters()))"
    ), out


def _train_cell(rng: random.Random, k: int, out: int) -> str:
    loss = "nn.CrossEntropyLoss()" if out > 1 else rng.choice(["nn.BCEWithLogitsLoss()", "nn.MSELoss()"])
    target = f"torch.randint(0, {out}, (64,))" if out > 1 else "torch.rand(64, 1)"
    opt = rng.choice(["torch.optim.Adam({p}, lr=1e-3)", "torch.optim.SGD({p}, lr=0.05, momentum=0.9)", "torch.optim.AdamW({p}, lr=3e-4, weight_decay=0.01)"])
    timed = "%%time\n" if rng.random() < 0.3 else ""
    return (
        f"{timed}criterion{k} = {loss}\n"
        f"optimizer{k} = {opt.format(p=f'model{k}.parameters()')}\n"
        f"history{k} = []\n"
        "for epoch in range(3):\n"
        f"    for step in range(10):\n"
        f"        xb, yb = torch.randn(64, 20), {target}\n"
        f"        optimizer{k}.zero_grad()\n"
        f"        loss = criterion{k}(model{k}(xb), yb)\n"
        "        loss.backward()\n"
        f"        optimizer{k}.step()\n"
        f"        history{k}.append(loss.item())\n"
        f'    print(f"epoch {{epoch}}: {{history{k}[-1]:.4f}}")'
    )


def _plot_cell(k: int) -> str:
    return (
        "fig, ax = plt.subplots(figsize=(6, 3))\n"
        f"ax.plot(history{k}, label='model {k}')\n"
        "ax.set_xlabel('step')\n"
        "ax.legend()\n"
        "plt.show()"
    )


def make_notebook(code_cells: int, rng: random.Random) -> dict[str, object]:
    cells: list[dict[str, object]] = []

    def add(kind: str, source: str, outputs: list[dict[str, object]] | None = None) -> None:
        lines = source.split("\n")
        cell: dict[str, object] = {"cell_type": kind, "id": f"c{len(cells):04d}", "metadata": {}, "source": [line + "\n" for line in lines[:-1]] + [lines[-1]]}
        if kind == "code":
            cell["execution_count"] = len(cells)
            cell["outputs"] = outputs or []
        cells.append(cell)

    add("markdown", "# Experiments\nSeveral small models on synthetic data.")
    add("code", "!pip install -q torch matplotlib\n%matplotlib inline\nimport torch\nfrom torch import nn\nimport matplotlib.pyplot as plt\ntorch.manual_seed(0)")
    add("code", "x = torch.randn(512, 20)\ny = (x[:, 0] > 0).long()\nprint(x.shape, y.float().mean())", [{"name": "stdout", "output_type": "stream", "text": ["torch.Size([512, 20]) tensor(0.5020)\n"]}])
    k = 0
    while sum(1 for c in cells if c["cell_type"] == "code") < code_cells:
        add("markdown", f"## Model {k}\nA variant with other widths and another optimizer.")
        source, out = _model_cell(rng, k)
        add("code", source, [{"name": "stdout", "output_type": "stream", "text": [f"{rng.randint(1000, 90000)}\n"]}])
        add("code", _train_cell(rng, k, out), [{"name": "stdout", "output_type": "stream", "text": [f"epoch {e}: 0.{rng.randint(1000, 9999)}\n" for e in range(3)]}])
        add(
            "code",
            _plot_cell(k),
            [{"data": {"image/png": _png(rng), "text/plain": ["<Figure size 600x300 with 1 Axes>"]}, "metadata": {}, "output_type": "display_data"}],
        )
        k += 1
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}, "language_info": {"name": "python", "version": "3.11.7"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _reader_alone(files: dict[str, tuple[Path, Path]], rounds: int) -> dict[str, float]:
    """The notebook reader's own work (parse the JSON, build the program, locate the findings in
    cells and in the file), median over ``rounds``: what the notebook adds to the .py check."""
    from nnadvisor.lint import check_bytes
    from nnadvisor.readers import notebook
    from nnadvisor.rulebase import load_rulebase

    rulebase = load_rulebase()
    out = {}
    for size, (nb, py) in files.items():
        raw = nb.read_bytes()
        findings = check_bytes(py.read_bytes(), "m.py", rulebase, "python")
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            notebook.parse(raw).remap(findings)
            times.append(time.perf_counter() - start)
        out[size] = statistics.median(times)
    return out


def _in_process(files: dict[str, tuple[Path, Path]], rounds: int) -> dict[str, tuple[float, float, float, float]]:
    from nnadvisor.lint import check_bytes
    from nnadvisor.rulebase import load_rulebase

    rulebase = load_rulebase()
    data = {size: (nb.read_bytes(), py.read_bytes()) for size, (nb, py) in files.items()}
    times: dict[tuple[str, str], list[float]] = {(size, kind): [] for size in files for kind in ("nb", "py")}
    for size, (nb_raw, py_raw) in data.items():  # warm-up, and the untimed agreement check
        nb_found = check_bytes(nb_raw, "m.ipynb", rulebase, "notebook")
        py_found = check_bytes(py_raw, "m.py", rulebase, "python")
        same = [(f.rule_id, f.column) for f in nb_found] == [(f.rule_id, f.column) for f in py_found]
        codes = sorted({f.rule_id for f in nb_found})
        print(f"  {size}: {len(nb_found)} findings ({', '.join(codes)}); same as the .py file: {'yes' if same else 'NO'}")
    for n in range(rounds):
        for size, (nb_raw, py_raw) in data.items():
            pair = [("nb", nb_raw, "m.ipynb", "notebook"), ("py", py_raw, "m.py", "python")]
            for kind, raw, name, fmt in pair if n % 2 else pair[::-1]:  # alternating which goes first
                start = time.perf_counter()
                check_bytes(raw, name, rulebase, fmt)
                times[(size, kind)].append(time.perf_counter() - start)
    return {
        size: (statistics.median(times[(size, "nb")]), statistics.median(times[(size, "py")]), min(times[(size, "nb")]), min(times[(size, "py")]))
        for size in files
    }


def _processes(files: dict[str, tuple[Path, Path]], rounds: int, work: Path) -> dict[str, tuple[float, float]]:
    env = {**os.environ, "NNADVISOR_CACHE_DIR": str(work / "cache"), "PYTHONPYCACHEPREFIX": str(work / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    exe = [sys.executable, "-m", "nnadvisor"]

    def run(path: Path) -> float:
        start = time.perf_counter()
        subprocess.run([*exe, "check", "--no-cache", str(path)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        return time.perf_counter() - start

    for nb, py in files.values():  # primes the rule-base cache and the bytecode
        run(nb)
        run(py)
    times: dict[tuple[str, str], list[float]] = {(size, kind): [] for size in files for kind in ("nb", "py")}
    for n in range(rounds):
        for size, (nb, py) in files.items():
            for kind, path in ((("nb", nb), ("py", py)) if n % 2 else (("py", py), ("nb", nb))):
                times[(size, kind)].append(run(path))
    return {size: (statistics.median(times[(size, "nb")]), statistics.median(times[(size, "py")])) for size in files}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=21, help="in-process rounds")
    ap.add_argument("--process-rounds", type=int, default=11, help="rounds of fresh processes")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    a = ap.parse_args()
    from nnadvisor.readers import notebook

    work = Path(tempfile.mkdtemp(prefix="nnadvisor-nb-bench-"))
    out = a.keep or work
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[Path, Path]] = {}
    rng = random.Random(a.seed)
    print(f"load average {os.getloadavg()[0]:.2f}; generated (seed {a.seed}):")
    for size, n in SIZES.items():
        nb_path, py_path = out / f"{size}.ipynb", out / f"{size}.py"
        nb_path.write_text(json.dumps(make_notebook(n, rng), indent=1, sort_keys=True, ensure_ascii=False) + "\n")  # as Jupyter writes
        program = notebook.parse(nb_path.read_bytes()).program()
        py_path.write_text(program)
        files[size] = (nb_path, py_path)
        cells = len(json.loads(nb_path.read_text())["cells"])
        print(f"  {size}: {cells} cells, notebook {nb_path.stat().st_size / 1024:.0f} KiB, the same code as .py {py_path.stat().st_size / 1024:.0f} KiB ({program.count(chr(10))} lines)")
    try:
        print("agreement:")
        inproc = _in_process(files, a.rounds)
        print(f"in process (lint.check_bytes, median of {a.rounds} interleaved rounds):")
        for size, (nb_t, py_t, nb_min, py_min) in inproc.items():
            ratio = nb_t / py_t
            print(
                f"  {size:<7} notebook {nb_t * 1000:8.2f} ms   .py {py_t * 1000:8.2f} ms   ratio {ratio:.3f}x   {'PASS' if ratio <= BUDGET else 'FAIL'} (budget {BUDGET}x)"
                f"   [fastest runs: {nb_min * 1000:.2f} / {py_min * 1000:.2f} ms = {nb_min / py_min:.3f}x]"
            )
        alone = _reader_alone(files, a.rounds)
        print(f"the notebook reader alone (parse, program, locating the findings; median of {a.rounds}):")
        for size, t in alone.items():
            print(f"  {size:<7} {t * 1000:8.2f} ms = {t / inproc[size][1] * 100:.1f}% of checking the .py file (so at most {1 + t / inproc[size][1]:.3f}x)")
        procs = _processes(files, a.process_rounds, work)
        print(f"process (nnadvisor check --no-cache FILE, median of {a.process_rounds} interleaved rounds):")
        for size, (nb_t, py_t) in procs.items():
            ratio = nb_t / py_t
            print(f"  {size:<7} notebook {nb_t * 1000:8.1f} ms   .py {py_t * 1000:8.1f} ms   ratio {ratio:.3f}x   {'PASS' if ratio <= BUDGET else 'FAIL'} (budget {BUDGET}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
