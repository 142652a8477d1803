"""The rule-base and results caches change speed only, never results."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from nnadvisor.findings import Finding
from nnadvisor.resources import rules_dir
from nnadvisor.result_cache import KEEP_DAYS, ResultCache
from nnadvisor.rulebase import load_rulebase
from tests.conftest import CliRunner

BAD = "layers:\n  - {type: dense, units: 3, activation: softmax}\nloss: mse\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("NNADVISOR_CACHE_DIR", str(directory))
    return directory


def test_cached_results_equal_fresh_results(cli: CliRunner, tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "m.yaml"
    config.write_text(BAD)
    fresh = cli("check", "--no-cache", "--format", "json", str(config))
    assert not (cache / "results-v2").exists()
    first = cli("check", "--format", "json", str(config))
    second = cli("check", "--format", "json", str(config))
    assert fresh.out == first.out == second.out and second.code == 1
    assert list((cache / "results-v2").rglob("*.json"))


def test_same_content_under_another_name_reports_that_name(cli: CliRunner, tmp_path: Path, cache: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(BAD)
    b.write_text(BAD)
    cli("check", str(a))
    doc = json.loads(cli("check", "--format", "json", str(b)).out)
    assert {f["file"] for f in doc["findings"]} == {str(b)}


def test_edited_file_misses(cli: CliRunner, tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "m.yaml"
    config.write_text(BAD)
    assert cli("check", str(config)).code == 1
    config.write_text(BAD.replace("loss: mse", "loss: categorical_crossentropy"))
    assert cli("check", str(config)).code == 0


def test_corrupt_cache_entries_are_ignored(cli: CliRunner, tmp_path: Path, cache: Path) -> None:
    config = tmp_path / "m.yaml"
    config.write_text(BAD)
    expected = cli("check", "--format", "json", str(config)).out
    for entry in cache.rglob("*.json"):
        entry.write_text("{not json")
    assert cli("check", "--format", "json", str(config)).out == expected


def test_edited_rule_invalidates_the_rule_base(tmp_path: Path, cache: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    before = load_rulebase(root)
    rule = root / "lint" / "NNA101-softmax-with-regression-loss.yaml"
    rule.write_text(rule.read_text().replace("severity: error", "severity: warning", 1))
    after = load_rulebase(root)
    assert before.fingerprint != after.fingerprint
    assert {r["id"]: r["severity"] for r in after.rules}["NNA101"] == "warning"
    assert load_rulebase(root, use_cache=False).rules == after.rules


def test_invalid_rule_is_a_usage_error_with_file_and_line(cli: CliRunner, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    rule = root / "lint" / "NNA101-softmax-with-regression-loss.yaml"
    rule.write_text(rule.read_text().replace("path: loss.family", "path: loss.familly"))
    monkeypatch.setattr("nnadvisor.rulebase.rules_dir", lambda: root)
    config = tmp_path / "m.yaml"
    config.write_text(BAD)
    result = cli("check", str(config))
    assert result.code == 2
    assert "NNA101-softmax-with-regression-loss.yaml:" in result.err
    assert "unknown path 'loss.familly'" in result.err and "did you mean 'loss.family'" in result.err


def test_many_files_share_a_few_shard_files(cli: CliRunner, tmp_path: Path, cache: Path) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    for i in range(40):
        (configs / f"m{i}.yaml").write_text(BAD + f"# variant {i}\n")
    first = cli("check", "--format", "json", str(configs))
    shards = list((cache / "results-v2").rglob("*.json"))
    assert 0 < len(shards) <= 40 and all(len(p.stem) == 2 for p in shards)
    assert sum(len(json.loads(p.read_text())) for p in shards) == 40
    assert cli("check", "--format", "json", str(configs)).out == first.out


def _k(content: bytes) -> str:
    return ResultCache.key(content, "nnadvisor", "m.yaml")


def _finding(file: str = "x.yaml") -> Finding:
    return Finding(rule_id="NNA101", name="n", severity="error", file=file, line=1, column=1, pointer="", message="m")


def test_two_processes_writing_one_shard_keep_both_entries(tmp_path: Path) -> None:
    one, two = ResultCache(tmp_path, "fp"), ResultCache(tmp_path, "fp")
    # Find two contents whose keys fall in the same shard.
    contents = [f"c{i}".encode() for i in range(600)]
    by_shard: dict[str, list[bytes]] = {}
    for c in contents:
        by_shard.setdefault(_k(c)[:2], []).append(c)
    a, b = next(v for v in by_shard.values() if len(v) >= 2)[:2]
    assert one.get(_k(a), "m.yaml") is None and two.get(_k(b), "m.yaml") is None
    one.put(_k(a), [_finding()])
    two.put(_k(b), [])
    one.flush()
    two.flush()  # read what `one` wrote, merged its own entry in
    fresh = ResultCache(tmp_path, "fp")
    assert fresh.get(_k(a), "other.yaml") == [_finding("other.yaml")]
    assert fresh.get(_k(b), "m.yaml") == []


def test_entries_unused_for_keep_days_are_pruned_and_used_ones_kept(tmp_path: Path) -> None:
    candidates = [f"c{i}".encode() for i in range(3000)]
    contents = [c for c in candidates if _k(c)[:2] == _k(candidates[0])[:2]]  # all in one shard
    assert len(contents) >= 4
    old = ResultCache(tmp_path, "fp")
    old.today -= KEEP_DAYS + 1
    for c in contents[:-1]:
        old.put(_k(c), [])
    old.flush()
    now = ResultCache(tmp_path, "fp")
    assert now.get(_k(contents[0]), "m.yaml") == []  # a hit refreshes the entry
    now.put(_k(contents[-1]), [])  # a change makes the shard be written (and pruned)
    now.flush()
    later = ResultCache(tmp_path, "fp")
    assert later.get(_k(contents[0]), "m.yaml") == [] and later.get(_k(contents[-1]), "m.yaml") == []
    assert [later.get(_k(c), "m.yaml") for c in contents[1:-1]] == [None] * (len(contents) - 2)


def test_caches_of_rule_bases_unused_for_keep_days_are_removed(tmp_path: Path) -> None:
    stale, recent = tmp_path / "results-v2" / "old-fp", tmp_path / "results-v2" / "recent-fp"
    for d in (stale, recent):
        d.mkdir(parents=True)
        (d / "00.json").write_text("{}")
    long_ago = time.time() - (KEEP_DAYS + 1) * 86400
    os.utime(stale, (long_ago, long_ago))
    cache = ResultCache(tmp_path, "fp")
    cache.put(_k(b"x"), [])
    cache.flush()
    assert not stale.exists() and recent.exists() and cache.directory.exists()


def _write_entries(directory: str, start: int, count: int) -> None:
    cache = ResultCache(Path(directory), "fp")
    for i in range(start, start + count):
        key = _k(f"entry {i}".encode())
        cache.get(key, "m.yaml")  # reads its shard, as a run does before it writes
        cache.put(key, [])
    cache.flush()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to start the writers together")
def test_concurrent_runs_lose_no_entries(tmp_path: Path) -> None:
    """8 runs filling an empty cache at once (the issue saw 251 of 12,000 entries lost): the
    shards are merged and replaced under a lock, so every entry is there afterwards."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write_entries, args=(str(tmp_path), n * 1500, 1500)) for n in range(8)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
        assert w.exitcode == 0
    fresh = ResultCache(tmp_path, "fp")
    missing = [i for i in range(12_000) if fresh.get(_k(f"entry {i}".encode()), "m.yaml") is None]
    assert missing == []
