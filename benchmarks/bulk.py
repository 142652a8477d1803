#!/usr/bin/env python3
"""`nnadvisor check DIR` over 10,000 generated configs, side by side with yamllint and check-jsonschema.

budgets.md: `check` over a directory of 10,000 small configs is at least 10x faster than
`yamllint -d relaxed DIR` and at least 5x faster than `check-jsonschema --schemafile <nnadvisor's
own config schema>` on the same files, with a peak memory of at most 80 MiB.

What it does (run by hand; never by the test suite; exits 0 whatever it measures):

- Creates (or reuses) a virtual environment for the peers outside the repository
  (``$XDG_CACHE_HOME/nnadvisor-bench/venv``, default ``~/.cache/nnadvisor-bench/venv``, or
  ``--venv``) and pip-installs ``yamllint`` and ``check-jsonschema`` into it from PyPI.
- Generates ``--files`` (10,000) small nnadvisor-format YAML configs in a temporary directory,
  deterministically from ``--seed``: mostly valid (block and flow style, comments, framework
  spellings), some with the mistakes the rules catch, a few that are not valid configs (NNA000).
- Writes ``nnadvisor schema config`` to ``schema.json`` next to the configs.
- Times every command in a fresh process, round-robin over ``--runs`` rounds (interleaved so
  that drift in machine load hits all of them alike) after one warm-up round, and reports the
  median wall time, the CPU time (``os.wait4``) and the peak memory of each, sampled every 20 ms
  over the process tree (``check`` forks worker processes on large inputs): the summed PSS, which
  splits the pages the workers share with the parent between them (the budget's figure), and the
  summed RSS, which counts them once per process (an upper bound).

nnadvisor runs in three cache states, all with a private ``NNADVISOR_CACHE_DIR`` (the user's
cache is never touched; the rule-base cache in it is primed once, so every state starts from
a validated rule base as after any first use):

- ``--no-cache``: every file is read, parsed, validated and evaluated: the honest first run,
  and the figure the budgets are judged on (with the default ``--jobs``, and again with
  ``--jobs 1``, one process);
- ``cache filling``: a plain ``check`` with a fresh, empty results cache (a new directory each
  round): the first run with the cache on, e.g. CI without a persisted cache (parses everything
  and writes 10,000 cache entries into 256 shard files);
- ``cache warm``: a plain ``check`` right after the filling run (every file a cache hit).

Each is run with the default text output and with ``--format json``, stdout to /dev/null.
check-jsonschema takes files, not a directory: every file is passed by its relative name on one
command line (10,000 names of 12 bytes are ~120 KiB, far under ARG_MAX); if the command line would
exceed half of ARG_MAX it is split into chunks run one after another and their times added.

Also checks, once, that the runs agree with what was generated: number of files checked, that
every file generated invalid got NNA000 and no valid one did, and where check-jsonschema (the
schema) and nnadvisor (the reader) disagree on validity.

``--profile`` adds a cProfile of ``check --no-cache`` over the same files (top functions by
cumulative and by own time, in microseconds per file).

usage: python benchmarks/bulk.py [--files 10000] [--runs 5] [--seed 20240611] [--keep DIR]
                                 [--venv PATH] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

YAMLLINT_BUDGET = 10.0
CJS_BUDGET = 5.0
MEMORY_BUDGET_MIB = 80.0
PEERS = ("yamllint", "check-jsonschema")
MiB = 1024 * 1024


# --------------------------------------------------------------------------- peers' environment


def default_venv() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nnadvisor-bench" / "venv"


def ensure_peers(venv: Path) -> dict[str, Path]:
    """The peers' executables, installing them into ``venv`` when missing."""
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    exes = {name: bindir / name for name in PEERS}
    if all(p.exists() for p in exes.values()):
        return exes
    if not (bindir / "python").exists():
        print(f"creating {venv}", flush=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    print(f"installing {', '.join(PEERS)} into {venv}", flush=True)
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", *PEERS], check=True)
    return exes


def peer_versions(exes: dict[str, Path]) -> str:
    out = []
    for name, exe in exes.items():
        r = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
        out.append((r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr) else name)
    return "; ".join(out)


def nnadvisor_exe() -> str:
    local = Path(sys.executable).parent / "nnadvisor"
    exe = str(local) if local.exists() else shutil.which("nnadvisor")
    if not exe:
        sys.exit("nnadvisor is not installed (pip install -e .)")
    return exe


# --------------------------------------------------------------------------- the configs


HIDDEN_ACTS = ["relu", "relu", "relu", "gelu", "elu", "silu", "leaky_relu", "tanh", "selu", "ReLU", "GELU", "swish", "mish"]
OPTIMIZERS = ["adam", "adam", "adamw", "sgd", "rmsprop", "nadam", "Adam", "AdamW", "SGD", "RMSprop"]
LRS = [0.001, 0.001, 0.0003, 0.0001, 0.01, 0.003, 0.0005]


@dataclass
class Gen:
    """One generated config: its text, and whether it was generated as not a valid config."""

    text: str
    invalid: bool = False
    kind: str = "clean"


@dataclass
class Emitter:
    """A tiny YAML emitter with per-mapping style choices, for variety nnadvisor users write."""

    rng: random.Random
    lines: list[str] = field(default_factory=list)

    @staticmethod
    def scalar(v: object) -> str:
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            s = f"{v:.10f}".rstrip("0")
            return s + "0" if s.endswith(".") else s  # always with a dot: a float in YAML 1.1 and 1.2
        if isinstance(v, list):
            return "[" + ", ".join(Emitter.scalar(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k}: {Emitter.scalar(x)}" for k, x in v.items()) + "}"
        return str(v)

    def top(self, key: str, value: object) -> None:
        if isinstance(value, dict) and self.rng.random() < 0.5:
            self.lines.append(f"{key}:")
            self.lines.extend(f"  {k}: {self.scalar(x)}" for k, x in value.items())
        else:
            self.lines.append(f"{key}: {self.scalar(value)}")

    def layers(self, layers: list[dict[str, object]]) -> None:
        style = self.rng.choice(["flow-items", "flow-items", "block", "inline"])
        if style == "inline":
            self.lines.append(f"layers: {self.scalar(layers)}")
            return
        self.lines.append("layers:")
        for layer in layers:
            if style == "block":
                items = list(layer.items())
                k, v = items[0]
                self.lines.append(f"  - {k}: {self.scalar(v)}")
                self.lines.extend(f"    {k}: {self.scalar(v)}" for k, v in items[1:])
            else:
                self.lines.append(f"  - {self.scalar(layer)}")


def hidden_layers(rng: random.Random, recurrent: bool = False, act: str | None = None) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    if recurrent:
        out.append({"type": rng.choice(["lstm", "gru"]), "units": rng.choice([32, 64, 128])})
    elif rng.random() < 0.2:
        out.append({"type": "conv", "filters": rng.choice([16, 32, 64]), "kernel_size": 3, "activation": act or "relu"})
        out.append({"type": "pooling"})
        out.append({"type": "flatten"})
    for _ in range(rng.randint(1, 3)):
        out.append({"type": "dense", "units": rng.choice([16, 32, 64, 128, 256]), "activation": act or rng.choice(HIDDEN_ACTS)})
        if rng.random() < 0.3:
            out.append({"type": rng.choice(["dropout", "batchnorm", "layernorm"]), **({"rate": 0.2} if rng.random() < 0.5 else {})})
    for layer in out:
        if layer["type"] in ("batchnorm", "layernorm"):
            layer.pop("rate", None)
    return out


def optimizer(rng: random.Random, mistake: str | None = None) -> object:
    name = rng.choice(OPTIMIZERS)
    if mistake == "sgd-no-momentum":
        return {"name": "sgd", "learning_rate": 0.01}
    if mistake == "lr":
        return {"name": "adam", "learning_rate": rng.choice([5.0, 0.0, 10.0])}
    if rng.random() < 0.3:
        return name
    opt: dict[str, object] = {"name": name}
    opt["lr" if rng.random() < 0.3 else "learning_rate"] = rng.choice(LRS)
    if name.lower() == "sgd":
        opt["momentum"] = 0.9
        if rng.random() < 0.3:
            opt["nesterov"] = True
    elif name.lower().startswith("adam") and rng.random() < 0.3:
        if rng.random() < 0.5:
            opt["betas"] = [0.9, 0.999]  # the PyTorch spelling
        else:
            opt["beta_1"] = 0.9
    if rng.random() < 0.15:
        opt["clipnorm"] = 1.0
    return opt


def valid_model(rng: random.Random) -> dict[str, object]:
    """A config with no mistake the rules know of (in principle; the rules decide)."""
    task = rng.choice(["binary", "multiclass", "multiclass", "multilabel", "regression"])
    framework = rng.choice([None, None, "keras", "pytorch"])
    recurrent = rng.random() < 0.1
    layers = hidden_layers(rng, recurrent)
    m: dict[str, object] = {}
    if framework:
        m["framework"] = framework
    if rng.random() < 0.8:
        m["task"] = task
    n = rng.choice([3, 5, 10, 100])
    if task == "binary":
        layers.append({"type": "dense", "units": 1, "activation": "sigmoid"})
        loss: object = "binary_crossentropy"
        m["labels"] = "binary" if rng.random() < 0.5 else None
    elif task == "multiclass":
        m["num_classes"] = n
        if framework == "pytorch":
            layers.append({"type": "dense", "units": n})
            loss = "CrossEntropyLoss"
        else:
            layers.append({"type": "dense", "units": n, "activation": "softmax"})
            loss = rng.choice(["sparse_categorical_crossentropy", "categorical_crossentropy"])
            m["labels"] = "integer" if loss.startswith("sparse") else "one-hot"
    elif task == "multilabel":
        m["num_classes"] = n
        layers.append({"type": "dense", "units": n, "activation": "sigmoid"})
        loss = "binary_crossentropy"
    else:
        layers.append({"type": "dense", "units": 1})
        loss = rng.choice(["mse", "mae", {"name": "huber", "delta": 1.0}])
        if rng.random() < 0.3:
            m["outliers"] = "none"
    m = {k: v for k, v in m.items() if v is not None}
    m["layers"] = layers
    m["loss"] = loss
    m["optimizer"] = optimizer(rng, None)
    if recurrent and isinstance(m["optimizer"], dict):
        m["optimizer"]["clipnorm"] = 1.0
    elif recurrent:
        m["optimizer"] = {"name": m["optimizer"], "clipnorm": 1.0}
    return m


MISTAKES = [
    "softmax-mse", "double-softmax", "one-unit-softmax", "sigmoid-cce", "softmax-bce", "lr",
    "rnn-relu", "sgd-no-momentum", "typo", "hidden-softmax", "hinge-probs", "mse-binary",
]


def mistaken_model(rng: random.Random) -> tuple[dict[str, object], str]:
    kind = rng.choice(MISTAKES)
    m = valid_model(rng)
    layers: list[dict[str, object]] = m["layers"]  # type: ignore[assignment]
    if kind == "softmax-mse":
        m.update(task="multiclass", num_classes=3)
        layers[-1] = {"type": "dense", "units": 3, "activation": "softmax"}
        m["loss"] = rng.choice(["mse", "MSELoss", "mean_squared_error"])
    elif kind == "double-softmax":
        m.update(framework="pytorch", task="multiclass", num_classes=5)
        layers[-1] = {"type": "dense", "units": 5}
        layers.append({"type": "softmax"})
        m["loss"] = "CrossEntropyLoss"
    elif kind == "one-unit-softmax":
        layers[-1] = {"type": "dense", "units": 1, "activation": "softmax"}
        m["loss"] = "binary_crossentropy"
    elif kind == "sigmoid-cce":
        layers[-1] = {"type": "dense", "units": 4, "activation": "sigmoid"}
        m["loss"] = "categorical_crossentropy"
    elif kind == "softmax-bce":
        layers[-1] = {"type": "dense", "units": 4, "activation": "softmax"}
        m["loss"] = "binary_crossentropy"
    elif kind == "lr":
        m["optimizer"] = optimizer(rng, "lr")
    elif kind == "rnn-relu":
        m["layers"] = [{"type": "rnn", "units": 64, "activation": "relu"}, {"type": "dense", "units": 1}]
        m["loss"] = "mse"
        m["task"] = "regression"
        m.pop("num_classes", None), m.pop("labels", None)
        m["optimizer"] = "adam"
    elif kind == "sgd-no-momentum":
        m["optimizer"] = optimizer(rng, "sgd-no-momentum")
    elif kind == "typo":
        layers[0]["activation"] = rng.choice(["rleu", "relu6x", "gleu", "tahn"])
        if rng.random() < 0.5:
            m["optimizer"] = rng.choice(["adamm", "sdg", "rmsprob"])
    elif kind == "hidden-softmax":
        layers[0]["activation"] = "softmax" if layers[0]["type"] == "dense" else layers[0].get("activation")
    elif kind == "hinge-probs":
        layers[-1] = {"type": "dense", "units": 1, "activation": "sigmoid"}
        m["loss"] = "hinge"
    elif kind == "mse-binary":
        m.update(task="binary")
        m.pop("num_classes", None)
        layers[-1] = {"type": "dense", "units": 1, "activation": "sigmoid"}
        m["loss"] = "mse"
    return m, kind


INVALID = ["unknown-key", "bad-type", "duplicate-key", "syntax", "negative-units", "bad-enum", "version"]


def emit(rng: random.Random, m: dict[str, object]) -> str:
    e = Emitter(rng)
    if rng.random() < 0.3:
        e.lines.append(f"# generated config {rng.randrange(10**6)}: {rng.choice(['baseline', 'ablation', 'sweep'])}")
    for key, value in m.items():
        if key == "layers":
            e.layers(value)  # type: ignore[arg-type]
        else:
            e.top(key, value)
    return "\n".join(e.lines) + "\n"


def invalid_config(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(INVALID)
    m = valid_model(rng)
    layers: list[dict[str, object]] = m["layers"]  # type: ignore[assignment]
    if kind == "unknown-key":
        layer = layers[rng.randrange(len(layers))]
        if "activation" in layer:
            layer["activaton"] = layer.pop("activation")
        else:
            layer["unitz"] = 8
    elif kind == "bad-type":
        layers[0]["units"] = rng.choice(["many", "[64, 64]", "{n: 3}"])
    elif kind == "negative-units":
        layers[0]["units"] = -8
    elif kind == "bad-enum":
        m["task"] = rng.choice(["classification", "segmentation"])
    elif kind == "version":
        m = {"version": 2, **m}
    text = emit(rng, m)
    if kind == "duplicate-key":
        text += "loss: mse\n" if "\nloss:" in "\n" + text else "layers: []\n"
    elif kind == "syntax":
        text = text.replace("layers:", "layers: [{type: dense, units: 8", 1)
    return text, kind


def generate(directory: Path, n: int, seed: int) -> list[tuple[str, Gen]]:
    rng = random.Random(seed)
    out: list[tuple[str, Gen]] = []
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        r = rng.random()
        if r < 0.62:
            gen = Gen(emit(rng, valid_model(rng)))
        elif r < 0.92:
            m, kind = mistaken_model(rng)
            gen = Gen(emit(rng, m), kind=kind)
        else:
            text, kind = invalid_config(rng)
            gen = Gen(text, invalid=True, kind=kind)
        name = f"c{i:05d}.yaml"
        (directory / name).write_text(gen.text, encoding="utf-8")
        out.append((name, gen))
    return out


# --------------------------------------------------------------------------- measuring




@dataclass
class Sample:
    seconds: float
    maxrss_kib: int
    returncode: int
    cpu: float = 0.0
    """user + system CPU seconds of the command (its own and its waited-for children's)."""
    pss_kib: int = 0
    """peak summed PSS of the process tree (RSS where PSS cannot be read)."""


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc/*/stat (empty where /proc is missing)."""
    parent_of: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    parent_of[int(entry)] = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree = [root]
    for pid in tree:  # grows while iterating: breadth first
        tree.extend(child for child, ppid in parent_of.items() if ppid == pid)
    return tree


def _memory_kib(pids: list[int]) -> tuple[int, int]:
    """(summed RSS, summed PSS) of ``pids``. ``check --jobs`` forks workers that share most of their
    pages with the parent: the RSS sum counts those pages once per process (an upper bound), the
    PSS sum splits each shared page between its sharers (the memory the run really occupies)."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return rss, pss


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Wall time, CPU time and peak memory of one command, stdout and stderr to /dev/null.

    Memory is sampled every 20 ms over the process tree (the sampler costs well under 1% of a
    CPU): the peak of the summed RSS (at least getrusage's maximum RSS) and of the summed PSS."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0, 0]
    finished = threading.Event()

    def sample() -> None:
        while not finished.wait(0.02):
            rss, pss = _memory_kib(_tree(proc.pid))
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    finished.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = max(usage.ru_maxrss, peak[0])  # KiB on Linux
    return Sample(wall, rss, proc.returncode, usage.ru_utime + usage.ru_stime, peak[1] or rss)


def chunks(names: list[str], fixed: list[str]) -> list[list[str]]:
    """Split ``names`` so that each command line stays under half of ARG_MAX (with the environment)."""
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        arg_max = 131072
    limit = arg_max // 2 - sum(len(k) + len(v) + 2 for k, v in os.environ.items()) - sum(len(a) + 1 for a in fixed)
    out: list[list[str]] = [[]]
    size = 0
    for name in names:
        if size + len(name) + 1 > limit and out[-1]:
            out.append([])
            size = 0
        out[-1].append(name)
        size += len(name) + 1
    return out


@dataclass
class Bench:
    name: str
    cmds: list[list[str]]
    env: dict[str, str] | None = None
    before: object = None  # callable run before each timed run (not timed)
    samples: list[Sample] = field(default_factory=list)

    def run(self, cwd: Path) -> Sample:
        if callable(self.before):
            self.before()
        parts = [run_measured(cmd, cwd, self.env) for cmd in self.cmds]
        sample = Sample(
            sum(p.seconds for p in parts),
            max(p.maxrss_kib for p in parts),
            max(p.returncode for p in parts),
            sum(p.cpu for p in parts),
            max(p.pss_kib for p in parts),
        )
        self.samples.append(sample)
        return sample

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu_median(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def peak_mib(self) -> float:
        """Peak memory: summed PSS of the process tree."""
        return max(s.pss_kib for s in self.samples) / 1024

    @property
    def peak_rss_mib(self) -> float:
        return max(s.maxrss_kib for s in self.samples) / 1024


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def loadavg() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "load average unknown"


# --------------------------------------------------------------------------- agreement checks


def agreement(generated: list[tuple[str, Gen]], nna: Path, exes: dict[str, Path], configs: Path, schema: Path, env: dict[str, str]) -> None:
    """What the runs say about the generated files, once (not timed)."""
    r = subprocess.run([nna, "check", "--no-cache", "--format", "json", "."], cwd=configs, env=env, capture_output=True, text=True)
    report = json.loads(r.stdout)
    by_rule: dict[str, int] = {}
    nna000: set[str] = set()
    for f in report["findings"]:
        by_rule[f["rule_id"]] = by_rule.get(f["rule_id"], 0) + 1
        if f["rule_id"] == "NNA000":
            nna000.add(Path(f["file"]).name)
    s = report["summary"]
    print(f"nnadvisor: {s['files']} files checked (exit {r.returncode}); findings {s['error']} error, "
          f"{s['warning']} warning, {s['info']} info; errors {len(report['errors'])}")
    print("  by rule: " + ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items())))
    invalid = {name for name, g in generated if g.invalid}
    kinds = {name: g.kind for name, g in generated}
    missed = sorted(invalid - nna000)
    extra = sorted(nna000 - invalid)
    print(f"  generated invalid: {len(invalid)}; NNA000 on {len(nna000)} files; "
          f"invalid without NNA000: {len(missed)}; NNA000 on files generated valid: {len(extra)}")
    for name in (missed + extra)[:6]:
        print(f"    {name} ({kinds[name]})")
    # check-jsonschema's verdict per file, from its JSON output.
    failed: set[str] = set()
    for part in chunks([n for n, _ in generated], [str(exes["check-jsonschema"]), "--schemafile", str(schema), "-o", "json"]):
        c = subprocess.run(
            [str(exes["check-jsonschema"]), "--schemafile", str(schema), "-o", "json", *part],
            cwd=configs, capture_output=True, text=True,
        )
        try:
            out = json.loads(c.stdout)
        except json.JSONDecodeError:
            print(f"  check-jsonschema -o json did not print JSON (exit {c.returncode}): {c.stderr[:200]!r}")
            return
        for err in out.get("errors", []):
            failed.add(Path(err.get("filename", "")).name)
        for err in out.get("parse_errors", []):
            failed.add(Path(err.get("filename", "")).name)
    only_schema = sorted(failed - nna000)
    only_nna = sorted(nna000 - failed)
    print(f"  check-jsonschema rejects {len(failed)} files; rejected by the schema but not by nnadvisor: "
          f"{len(only_schema)}; NNA000 but accepted by the schema: {len(only_nna)}")
    for label, names in (("schema only", only_schema), ("nnadvisor only", only_nna)):
        seen: dict[str, str] = {}
        for name in names:
            seen.setdefault(kinds[name], name)
        if seen:
            print(f"    {label}, by generated kind: " + ", ".join(f"{k} (e.g. {v})" for k, v in seen.items()))


# --------------------------------------------------------------------------- profile


def profile(nna: str, configs: Path, env: dict[str, str], n: int, top: int = 25) -> None:
    import pstats

    prof = Path(tempfile.gettempdir()) / "nnadvisor-bulk.prof"
    script = (
        "import sys, cProfile; from nnadvisor.cli import main; sys.argv=['nnadvisor','check','--no-cache','--jobs','1','.'];"
        f"cProfile.run('main()', {str(prof)!r})"
    )
    subprocess.run([sys.executable, "-c", script], cwd=configs, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not prof.exists():
        print("profile: failed to run")
        return
    st = pstats.Stats(str(prof))
    rows = []
    for (filename, line, func), (cc, nc, tt, ct, _) in st.stats.items():  # type: ignore[attr-defined]
        rows.append((ct, tt, nc, f"{Path(filename).name}:{line}({func})"))
    total = max(r[0] for r in rows)  # the whole of main()
    print(f"\ncProfile of check --no-cache over {n} files: {total:.2f} s under the profiler ({total / n * 1e6:.0f} us/file)")
    for title, key in (("by cumulative time", 0), ("by own time", 1)):
        print(f"  top {top} {title}:   cum%   own%   cum us/file  own us/file      calls  function")
        for ct, tt, nc, name in sorted(rows, key=lambda r: r[key], reverse=True)[:top]:
            print(f"  {100 * ct / total:6.1f} {100 * tt / total:6.1f} {ct / n * 1e6:13.1f} {tt / n * 1e6:12.1f} {nc:10d}  {name}")
    print(f"  (the profiler inflates cheap Python calls: compare shares, not absolute times; raw profile: {prof})")


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5, help="timed rounds (after one warm-up round)")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--venv", type=Path, default=default_venv())
    ap.add_argument("--keep", type=Path, help="generate into (and keep) this directory instead of a temporary one")
    ap.add_argument("--profile", action="store_true", help="also profile check --no-cache with cProfile")
    ap.add_argument("--no-agreement", action="store_true", help="skip the (untimed) agreement checks")
    args = ap.parse_args()

    nna = nnadvisor_exe()
    exes = ensure_peers(args.venv)
    tmp_ctx = tempfile.TemporaryDirectory(prefix="nnadvisor-bulk-") if args.keep is None else None
    root = Path(tmp_ctx.name) if tmp_ctx else args.keep
    root.mkdir(parents=True, exist_ok=True)
    try:
        configs = root / "configs"
        if configs.exists():
            shutil.rmtree(configs)
        t0 = time.perf_counter()
        generated = generate(configs, args.files, args.seed)
        size = sum((configs / n).stat().st_size for n, _ in generated)
        print(f"generated {len(generated)} configs ({size / len(generated):.0f} bytes each on average, "
              f"{sum(g.invalid for _, g in generated)} not valid) in {configs} in {time.perf_counter() - t0:.1f} s")

        cache = root / "nnadvisor-cache"
        env = {**os.environ, "NNADVISOR_CACHE_DIR": str(cache), "NO_COLOR": "1"}
        env.pop("NNADVISOR_NO_CACHE", None)
        env.pop("NNADVISOR_FORMAT", None)
        schema = root / "schema.json"
        with schema.open("w") as f:
            subprocess.run([nna, "schema", "config"], stdout=f, check=True, env=env)

        # Prime the rule-base cache (validated once, as after any first use of nnadvisor).
        subprocess.run([nna, "check", "--no-cache", generated[0][0]], cwd=configs, env=env, stdout=subprocess.DEVNULL)
        primed = sorted(cache.glob("rulebase-*.json"))

        # The cache-filling run of each round gets a fresh cache directory holding only the primed
        # rule base (deleting the previous round's 10,000 entries right before a timed run would
        # bill the file system's deferred work to it); the warm runs reuse that directory.
        cached_env = dict(env)
        rounds = iter(range(10**6))
        for stale in root.glob("nnadvisor-cache-*"):  # left by an earlier run with --keep
            shutil.rmtree(stale)

        def fresh_results_cache() -> None:
            fresh = root / f"nnadvisor-cache-{next(rounds)}"
            fresh.mkdir()
            for f in primed:
                shutil.copy2(f, fresh / f.name)
            cached_env["NNADVISOR_CACHE_DIR"] = str(fresh)

        names = [n for n, _ in generated]
        cjs_fixed = [str(exes["check-jsonschema"]), "--schemafile", str(schema)]
        cjs_chunks = chunks(names, cjs_fixed)
        yl = [str(exes["yamllint"]), "-d", "relaxed", "."]
        benches = [
            Bench("yamllint -d relaxed DIR", [yl]),
            Bench("check-jsonschema --schemafile schema.json FILES", [cjs_fixed + part for part in cjs_chunks]),
            Bench("nnadvisor check --no-cache DIR", [[nna, "check", "--no-cache", "."]], env),
            Bench("nnadvisor check --no-cache --jobs 1 DIR", [[nna, "check", "--no-cache", "--jobs", "1", "."]], env),
            Bench("nnadvisor check --no-cache --format json DIR", [[nna, "check", "--no-cache", "--format", "json", "."]], env),
            Bench("nnadvisor check DIR (cache filling)", [[nna, "check", "."]], cached_env, before=fresh_results_cache),
            Bench("nnadvisor check DIR (cache warm)", [[nna, "check", "."]], cached_env),
            Bench("nnadvisor check --format json DIR (cache warm)", [[nna, "check", "--format", "json", "."]], cached_env),
        ]
        print(f"check-jsonschema: {len(cjs_chunks)} invocation(s) "
              f"({sum(len(n) + 1 for n in names) / 1024:.0f} KiB of file names; ARG_MAX {os.sysconf('SC_ARG_MAX') // 1024} KiB)")
        print(f"peers: {peer_versions(exes)} (venv {args.venv})")
        print(f"nnadvisor: {nna}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs; before: {loadavg()}")
        print("peak memory: summed PSS (and RSS) of the process tree, sampled every 20 ms; "
              f"{args.runs} timed rounds after 1 warm-up round, commands interleaved round-robin", flush=True)

        for b in benches:  # warm-up: OS file cache, .pyc files; not counted
            b.run(configs)
            b.samples.clear()
        for i in range(args.runs):
            for b in benches:
                b.run(configs)
            print(f"  round {i + 1}/{args.runs} done ({loadavg()})", flush=True)

        bad = [(b.name, s.returncode) for b in benches for s in b.samples if s.returncode not in (0, 1)]
        yl_med = benches[0].median
        cjs_med = benches[1].median
        print(f"\n{'command':<48} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7} {'PSS MiB':>8} {'RSS MiB':>8} {'yamllint/x':>11} {'cjs/x':>7}")
        for b in benches:
            secs = [s.seconds for s in b.samples]
            print(f"{b.name:<48} {b.median:9.2f} {min(secs):7.2f} {max(secs):7.2f} {b.cpu_median:7.2f} {b.peak_mib:8.1f} "
                  f"{b.peak_rss_mib:8.1f} {yl_med / b.median:11.1f} {cjs_med / b.median:7.1f}")
        print("(median s: wall; cpu s: median user+system CPU; PSS/RSS MiB: peak summed over the process tree, "
              "RSS counting shared pages once per process; ratios: peer median wall / this median wall)")
        per_file = benches[2].median / len(generated) * 1e6
        print(f"(nnadvisor --no-cache: {per_file:.0f} us per file including start-up; after: {loadavg()})")
        if bad:
            print(f"WARNING: unexpected exit codes (crash or usage error): {bad[:5]}")

        cold = benches[2]
        nna_benches = [b for b in benches if b.name.startswith("nnadvisor")]
        peak = max(b.peak_mib for b in nna_benches)
        print("\nbudgets (judged on the honest first run, check --no-cache; the warm-cache figure in brackets):")
        warm = benches[6]
        print(f"  >= {YAMLLINT_BUDGET:.0f}x faster than yamllint -d relaxed: {yl_med / cold.median:5.1f}x  "
              f"{verdict(yl_med / cold.median >= YAMLLINT_BUDGET)}   [warm {yl_med / warm.median:.1f}x "
              f"{verdict(yl_med / warm.median >= YAMLLINT_BUDGET)}]")
        print(f"  >= {CJS_BUDGET:.0f}x faster than check-jsonschema:       {cjs_med / cold.median:5.1f}x  "
              f"{verdict(cjs_med / cold.median >= CJS_BUDGET)}   [warm {cjs_med / warm.median:.1f}x "
              f"{verdict(cjs_med / warm.median >= CJS_BUDGET)}]")
        single = benches[3]
        print(f"  (one process, --jobs 1: {yl_med / single.median:.1f}x yamllint, {cjs_med / single.median:.1f}x check-jsonschema, "
              f"{single.peak_mib:.1f} MiB)")
        print(f"  peak memory (PSS) <= {MEMORY_BUDGET_MIB:.0f} MiB (max over every nnadvisor run): {peak:5.1f} MiB  "
              f"{verdict(peak <= MEMORY_BUDGET_MIB)}   [--no-cache {cold.peak_mib:.1f} MiB; "
              f"summed RSS at most {max(b.peak_rss_mib for b in nna_benches):.1f} MiB]")

        if not args.no_agreement:
            print("\nagreement (untimed):")
            agreement(generated, Path(nna), exes, configs, schema, env)
        if args.profile:
            profile(nna, configs, env, len(generated))
    finally:
        if tmp_ctx:
            tmp_ctx.cleanup()


if __name__ == "__main__":
    main()
