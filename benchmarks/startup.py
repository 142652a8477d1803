#!/usr/bin/env python3
"""Cold start-up of nnadvisor's commands against the stack's floor (budgets.md, issue 15).

The floor F is ``python -c "import typer, pydantic, yaml"``. Every command runs in a fresh process;
the commands are interleaved round-robin, so that drift in the machine's load hits all of them
alike, and each figure is the median over ``--runs`` rounds, printed as a ratio to F measured in
the same rounds: wall time (what the budgets are on) and the process's user + system CPU time
(less sensitive to other work on the machine). The load average is printed before and after.

Bytecode caching is on, as in a normal install (budgets.md): these machines set
``PYTHONDONTWRITEBYTECODE=1``, so the children run without it and with ``PYTHONPYCACHEPREFIX`` in a
private directory (nothing is written into the repository or site-packages), and the first,
untimed round compiles everything. nnadvisor runs with a private ``NNADVISOR_CACHE_DIR``: the
untimed round fills the rule-base cache (and the results cache of ``one.yaml``), as the first run
after an install does. Every command runs in that temporary directory, so that no project's
``pyproject.toml`` settings are read (they would be, in a project: a few milliseconds of TOML).

Rows (the issue's table, then the rest of budgets.md's start-up rows):
- ``check one.yaml``, results cached: an unchanged file checked again (CI, pre-commit);
- ``check --no-cache one.yaml`` / ``one.py`` / ``one.keras``: a new or edited file (read,
  validate, derive facts, evaluate the rules), the rule base cached;
- ``recommend --task binary``; ``schema config``;
- yamllint on the same one file, for comparison (from ``bulk.py``'s peers' environment; installed
  there on first use, ``--no-yamllint`` to leave it out);
- ``python -c "import nnadvisor"`` (the Python API's import);
- ``NNADVISOR_NO_CACHE=1 check one.yaml``: nothing cached at all (no budget; what a first run pays).

Then which of NumPy, rich, yaml, pydantic-core, pydantic and pydantic's models each command imported.
``--baseline EXE`` adds a row per nnadvisor command run by another installation's ``nnadvisor``
executable (``--baseline-path DIR`` puts another checkout first on its ``PYTHONPATH``),
interleaved with the others: before and after in one run.

usage: python benchmarks/startup.py [--runs 31] [--baseline EXE [--baseline-path DIR]] [--no-yamllint]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

CONFIG = """task: binary
layers:
  - {type: dense, units: 8, activation: relu}
  - {type: dense, units: 1, activation: sigmoid}
loss: binary_crossentropy
optimizer: adam
"""

PYTORCH = '''"""A small classifier: the model returns logits for CrossEntropyLoss."""

import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, features: int = 20, num_classes: int = 4) -> None:
        super().__init__()
        self.hidden = nn.Linear(features, 64)
        self.act = nn.ReLU()
        self.out = nn.Linear(64, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.act(self.hidden(x)))


model = Classifier()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
'''

KERAS_CONFIG = """{"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": [
 {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 20], "name": "input_layer"}},
 {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 64, "activation": "relu"}},
 {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense_1", "units": 10, "activation": "softmax"}}]},
 "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.001}},
 "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}}
"""

FLOOR = "floor F: import typer, pydantic, yaml"


@dataclass
class Row:
    name: str
    cmd: list[str]
    budget: float | None = None
    env: dict[str, str] = field(default_factory=dict)
    probe: bool = False
    """Report what this command imports."""
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """User + system CPU seconds of the process: less sensitive than wall time to other work
    on the machine (the budget is on wall time; both are printed)."""


def nnadvisor_exe() -> str:
    local = Path(sys.executable).parent / "nnadvisor"
    exe = str(local) if local.exists() else (shutil.which("nnadvisor") or "")
    if not exe:
        sys.exit("nnadvisor is not installed (pip install -e .)")
    return exe


def yamllint_exe() -> str | None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bulk  # the peers' environment of the bulk benchmark

    return str(bulk.ensure_peers(bulk.default_venv())["yamllint"])


def make_inputs(tmp: Path) -> dict[str, Path]:
    files = {"yaml": tmp / "one.yaml", "py": tmp / "one.py", "keras": tmp / "one.keras"}
    files["yaml"].write_text(CONFIG)
    files["py"].write_text(PYTORCH)
    with zipfile.ZipFile(files["keras"], "w") as z:
        z.writestr("metadata.json", '{"keras_version": "3.6.0"}')
        z.writestr("config.json", KERAS_CONFIG)
    return files


def interpreter(exe: str) -> str:
    """The Python of a console script (its ``#!`` line)."""
    with open(exe, "rb") as f:
        first = f.readline()
    return first[2:].decode().strip() if first.startswith(b"#!") else sys.executable


def nnadvisor_rows(exe: str, files: dict[str, Path], label: str, env: dict[str, str]) -> list[Row]:
    py = interpreter(exe)
    return [
        Row(f"check one.yaml, results cached{label}", [exe, "check", str(files["yaml"])], 0.8, env, probe=True),
        Row(f"check --no-cache one.yaml{label}", [exe, "check", "--no-cache", str(files["yaml"])], 1.0, env, probe=True),
        Row(f"check --no-cache one.py{label}", [exe, "check", "--no-cache", str(files["py"])], 1.0, env, probe=True),
        Row(f"check --no-cache one.keras{label}", [exe, "check", "--no-cache", str(files["keras"])], 1.0, env, probe=True),
        Row(f"recommend --task binary{label}", [exe, "recommend", "--task", "binary"], 0.8, env, probe=True),
        Row(f"schema config{label}", [exe, "schema", "config"], 1.2, env),
        Row(f"python -c 'import nnadvisor'{label}", [py, "-c", "import nnadvisor"], 0.5, env),
        Row(f"NNADVISOR_NO_CACHE=1 check one.yaml{label}", [exe, "check", str(files["yaml"])], None, {**env, "NNADVISOR_NO_CACHE": "1"}),
    ]


PROBE = """
import sys
from nnadvisor.cli import main
sys.argv = ["nnadvisor", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("MODULES", *sorted(sys.modules), file=sys.stderr)
"""


def imported(row: Row, base_env: dict[str, str], cwd: Path) -> set[str]:
    """Modules in ``sys.modules`` after the command (``-X importtime`` misses what
    ``importlib.import_module`` loads, as pydantic's lazy attributes are)."""
    cmd = [interpreter(row.cmd[0]), "-c", PROBE, *row.cmd[1:]]
    err = subprocess.run(cmd, capture_output=True, text=True, env={**base_env, **row.env}, cwd=cwd).stderr
    listed = [line for line in err.splitlines() if line.startswith("MODULES ")]
    return set(listed[-1].split()[1:]) if listed else set()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=31, help="timed rounds (default 31)")
    ap.add_argument("--baseline", help="also run this nnadvisor executable (another installation)")
    ap.add_argument("--baseline-path", type=Path, help="PYTHONPATH of the baseline (another checkout's directory)")
    ap.add_argument("--no-yamllint", action="store_true", help="leave out the yamllint row")
    args = ap.parse_args()
    exe = nnadvisor_exe()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = make_inputs(tmp)
        base_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "NNADVISOR_NO_CACHE")}
        base_env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        rows = [Row(FLOOR, [sys.executable, "-c", "import typer, pydantic, yaml"])]
        rows += nnadvisor_rows(exe, files, "", {"NNADVISOR_CACHE_DIR": str(tmp / "cache")})
        if args.baseline:
            env = {"NNADVISOR_CACHE_DIR": str(tmp / "cache-baseline")}
            if args.baseline_path:
                env["PYTHONPATH"] = str(args.baseline_path.resolve())
            rows += nnadvisor_rows(args.baseline, files, " [baseline]", env)
        if not args.no_yamllint:
            yamllint = yamllint_exe()
            if yamllint:
                rows.append(Row("yamllint one.yaml (for comparison)", [yamllint, "-d", "relaxed", str(files["yaml"])]))
        print(f"load average before: {load()}  ({os.cpu_count()} CPUs; {args.runs} interleaved rounds)", flush=True)
        for row in rows:  # untimed: compile bytecode, fill the caches, warm the OS file cache
            for _ in range(2):
                subprocess.run(row.cmd, capture_output=True, env={**base_env, **row.env}, cwd=tmp)
        for _ in range(args.runs):
            for row in rows:
                env = {**base_env, **row.env}
                start = time.perf_counter()
                child = subprocess.Popen(row.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp)
                _, _, usage = os.wait4(child.pid, 0)
                row.times.append(time.perf_counter() - start)
                row.cpu.append(usage.ru_utime + usage.ru_stime)
        print(f"load average after:  {load()}")
        floor, floor_cpu = statistics.median(rows[0].times), statistics.median(rows[0].cpu)
        print(f"\n{'command':<52} {'wall ms':>8} {'x F':>5} {'cpu ms':>7} {'x F':>5}  budget (wall)")
        for row in rows:
            med, cpu = statistics.median(row.times), statistics.median(row.cpu)
            verdict = "" if row.budget is None else f"{row.budget:4.1f}x {'PASS' if med / floor <= row.budget else 'FAIL'}"
            print(f"{row.name:<52} {med * 1000:8.1f} {med / floor:5.2f} {cpu * 1000:7.1f} {cpu / floor_cpu:5.2f}  {verdict}")
        print()
        for row in rows:
            if row.probe:
                mods = imported(row, base_env, tmp)
                probes = ("numpy", "rich", "yaml", "pydantic_core", "pydantic", "pydantic.main")
                seen = [m for m in probes if m in mods]
                print(f"{row.name}: imports {', '.join(seen) if seen else 'none'} of {', '.join(probes)}")


if __name__ == "__main__":
    main()
