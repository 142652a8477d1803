#!/usr/bin/env python3
"""Cold start-up of `nnadvisor check one.yaml` (and `recommend`) against the stack's floor.

budgets.md: a cold `nnadvisor check one.yaml` costs at most 1.2x `python -c "import typer,
pydantic, yaml"` measured in the same run. Each command runs in a fresh process, interleaved
round-robin so that drift in machine load hits all of them alike; the figure is the median.
Three cache states are measured (docs/decisions.md): results cached (an unchanged file checked
again, the CI/pre-commit case), `--no-cache` (a new or edited file: parse, validate, evaluate),
and NNADVISOR_NO_CACHE=1 (nothing cached at all: the rule base is validated from YAML too).
Also reports whether NumPy (or rich) was imported, from `python -X importtime`.

usage: python benchmarks/startup.py [--runs 31]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """task: binary
layers:
  - {type: dense, units: 8, activation: relu}
  - {type: dense, units: 1, activation: sigmoid}
loss: binary_crossentropy
optimizer: adam
"""


def commands(config: Path) -> dict[str, list[str]]:
    py = sys.executable
    local = Path(sys.executable).parent / "nnadvisor"
    exe = str(local) if local.exists() else (shutil.which("nnadvisor") or "")
    cmds = {
        "floor: import typer, pydantic, yaml": [py, "-c", "import typer, pydantic, yaml"],
        "floor + pydantic.BaseModel": [py, "-c", "import typer, yaml; from pydantic import BaseModel"],
        "nnadvisor check one.yaml (results cached)": [exe, "check", str(config)],
        "nnadvisor check --format json one.yaml (cached)": [exe, "check", "--format", "json", str(config)],
        "nnadvisor check --no-cache one.yaml": [exe, "check", "--no-cache", str(config)],
        "NNADVISOR_NO_CACHE=1 nnadvisor check one.yaml": ["env", "NNADVISOR_NO_CACHE=1", exe, "check", str(config)],
    }
    probe = subprocess.run([exe, "recommend", "--help"], capture_output=True)
    if probe.returncode == 0:
        cmds["nnadvisor recommend --task multiclass"] = [exe, "recommend", "--task", "multiclass", "--labels", "integer", "--num-classes", "10"]
    return cmds


def imported(cmd: list[str]) -> set[str]:
    if cmd[0] == "env":
        cmd = cmd[2:]
    exe = cmd[0]
    if not exe.endswith("python") and not exe.endswith("python3") and "python" not in Path(exe).name:
        cmd = [sys.executable, "-X", "importtime", "-m", "nnadvisor", *cmd[1:]]
    else:
        cmd = [cmd[0], "-X", "importtime", *cmd[1:]]
    err = subprocess.run(cmd, capture_output=True, text=True).stderr
    return {line.rsplit("|", 1)[-1].strip() for line in err.splitlines() if line.startswith("import time:")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=31)
    args = ap.parse_args()
    if not (Path(sys.executable).parent / "nnadvisor").exists() and not shutil.which("nnadvisor"):
        sys.exit("nnadvisor is not installed (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "one.yaml"
        config.write_text(CONFIG)
        cmds = commands(config)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for name, cmd in cmds.items():  # warm the OS file cache once
            subprocess.run(cmd, capture_output=True)
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                start = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - start)
        floor = statistics.median(times["floor: import typer, pydantic, yaml"])
        print(f"{'command':<50} {'median ms':>9} {'x floor':>8}")
        for name, values in times.items():
            med = statistics.median(values)
            print(f"{name:<50} {med * 1000:9.1f} {med / floor:8.2f}")
        for name, cmd in cmds.items():
            if name.startswith("nnadvisor"):
                mods = imported(cmd)
                print(f"{name}: numpy imported: {'numpy' in mods}; rich imported: {'rich' in mods}")


if __name__ == "__main__":
    main()
