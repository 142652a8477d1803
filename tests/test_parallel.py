"""``fork_map`` gives what the plain loop gives, in order, even when a worker fails or dies; and
``check --jobs`` changes speed only, never output."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from nnadvisor.parallel import MIN_ITEMS, fork_map
from tests.conftest import CliRunner

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork_map runs in one process without os.fork")


def _square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


@pytest.mark.parametrize("n", [0, 1, MIN_ITEMS - 1, MIN_ITEMS, 1000, pytest.param(1_100_000, marks=pytest.mark.slow)])  # the last: more chunks of 64 than a pipe holds numbers
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_in_order(n: int, jobs: int) -> None:
    assert [r for r, _ in fork_map(_square, range(n), jobs)] == [x * x for x in range(n)]


def _slow_square(x: int) -> tuple[int, int]:
    time.sleep(0.001)  # long enough for a forked worker to start before the parent is done
    return _square(x)


def test_work_is_shared_between_processes() -> None:
    pids = {pid for _, pid in fork_map(_slow_square, range(MIN_ITEMS + 44), 2)}
    assert os.getpid() in pids and len(pids) == 2


@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_a_failing_worker_loses_nothing(failure: str) -> None:
    parent = os.getpid()

    def flaky(x: int) -> int:
        if os.getpid() != parent:  # every worker fails on its first item
            if failure == "dies":
                os._exit(9)
            raise RuntimeError("worker trouble")
        time.sleep(0.001)
        return x + 1

    n = MIN_ITEMS + 44
    assert fork_map(flaky, range(n), 3) == [x + 1 for x in range(n)]


def test_check_with_jobs_equals_check_without(cli: CliRunner, tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    variants = [
        "task: multiclass\nlayers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\noptimizer: sgd\n",
        "task: binary\nlayers:\n  - {type: dense, units: 1, activation: sigmoid}\nloss: binary_crossentropy\noptimizer: adam\n",
        "layers: [\nloss: mse\n",  # NNA000
        "layers:\n  - {type: dense, units: 4, activation: tahn}\nloss: mse\noptimizer: adam  # nnadvisor: ignore[NNA504]\n",
    ]
    for i in range(2 * MIN_ITEMS):
        (configs / f"m{i:04}.yaml").write_text(variants[i % len(variants)] + f"# {i}\n")
    one = cli("check", "--no-cache", "--format", "json", "--jobs", "1", str(configs))
    two = cli("check", "--no-cache", "--format", "json", "-j", "2", str(configs))
    assert one.code == two.code == 1
    assert one.out == two.out
    assert json.loads(two.out)["summary"]["files"] == 2 * MIN_ITEMS


def test_jobs_setting(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("layers: []\nloss: mse\noptimizer: adam\n")
    (tmp_path / "pyproject.toml").write_text("[tool.nnadvisor]\njobs = 2\n")
    assert cli("check", "m.yaml", cwd=tmp_path).code == 0
    (tmp_path / "pyproject.toml").write_text("[tool.nnadvisor]\njobs = 0\n")
    result = cli("check", "m.yaml", cwd=tmp_path)
    assert result.code == 2 and "pyproject.toml:2: setting 'jobs' must be a whole number of processes" in result.err
    assert cli("check", "--jobs", "0", "m.yaml", cwd=tmp_path).code == 2


def test_jobs_beyond_the_cpus_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from nnadvisor import parallel

    forks = []
    real_fork = os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    monkeypatch.setattr(parallel.os, "fork", counting_fork)
    assert [r for r, _ in fork_map(_square, range(MIN_ITEMS * 4), 64)] == [x * x for x in range(MIN_ITEMS * 4)]
    assert len(forks) == 1  # two processes: the parent and one worker


def test_check_with_many_jobs_gives_the_same_report(cli: CliRunner, tmp_path: Path) -> None:
    for i in range(MIN_ITEMS + 10):
        (tmp_path / f"m{i:04}.yaml").write_text(f"layers:\n  - {{type: dense, units: {i % 4 + 1}, activation: softmax}}\nloss: mse\n")
    one = cli("check", "--no-cache", "--format", "json", "-j", "1", str(tmp_path))
    many = cli("check", "--no-cache", "--format", "json", "-j", "64", str(tmp_path))
    assert one.code == many.code == 1
    assert json.loads(one.out) == json.loads(many.out)
