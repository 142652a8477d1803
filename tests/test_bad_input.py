"""Bad input becomes NNA000 at a line (or exit 2), never a traceback, and never stops other files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from nnadvisor.source import MAX_BYTES, MAX_DEPTH, MAX_NODES
from tests.conftest import CliRunner

GOOD = "layers:\n  - {type: dense, units: 1}\nloss: mse\noptimizer: adam\n"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
)

CASES: dict[str, tuple[bytes, int, str]] = {
    # name: (file content, expected line, expected text in the message)
    "truncated": (b"layers:\n  - {type: dense, units: 3\n", 3, "invalid YAML"),
    "binary-junk": (bytes(range(256)) * 4, 1, "binary content"),
    "not-utf8": (b"task: binary\nloss: \xff\xfe\n", 2, "not UTF-8"),
    "list-not-mapping": (b"- just\n- a list\n", 1, "expected a mapping"),
    "empty": (b"", 1, "the document is empty"),
    "string-for-number": (b"layers:\n  - {type: dense, units: many}\n", 2, "valid integer"),
    "quoted-number": (b'layers:\n  - {type: dense, units: "64"}\n', 2, "valid integer"),
    "quoted-learning-rate": (b'layers: []\noptimizer: {name: adam, lr: "0.001"}\n', 2, "valid number"),
    "string-for-bool": (b"layers: []\nloss: {name: bce, from_logits: 'yes'}\n", 2, "valid boolean"),
    "list-for-mapping": (b"layers:\n  - [dense, 3]\n", 2, "Layer"),
    "unknown-key": (b"layers: []\nlosss: mse\n", 2, "unknown key 'losss'"),
    "unknown-layer-type": (b"layers:\n  - {type: convolution2d, units: 3}\n", 2, "Input should be"),
    "duplicate-key": (b"loss: mse\noptimizer: adam\nloss: mae\n", 3, "duplicate key 'loss' (the first is on line 1)"),
    "python-tag": (b"loss: !!python/object/apply:os.system [echo hacked]\n", 1, "not allowed"),
    "custom-tag": (b"loss: !mytag mse\n", 1, "not allowed"),
    "deep-nesting": (b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", 1, f"deeper than {MAX_DEPTH}"),
    "alias-bomb": (BOMB.encode(), 6, f"more than {MAX_NODES:,} values"),
    "two-documents": (b"loss: mse\n---\nloss: mae\n", 2, "more than one YAML document"),
    "tab-indent": (b"layers:\n\t- {type: dense}\n", 2, "invalid YAML"),
    "negative-units": (b"layers:\n  - {type: dense, units: -3}\n", 2, "greater than or equal to 0"),
    "bad-betas": (b"optimizer: {name: adam, betas: 0.9}\n", 1, "betas must be a list of two numbers"),
    "json-trailing-comma": (b'{"loss": "mse",}\n', 1, "invalid JSON"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_nna000_at_its_line(name: str, cli: CliRunner, tmp_path: Path) -> None:
    content, line, text = CASES[name]
    bad = tmp_path / (f"{name}.json" if name.startswith("json") else f"{name}.yaml")
    bad.write_bytes(content)
    good = tmp_path / "zz-good.yaml"
    good.write_text(GOOD)
    start = time.perf_counter()
    result = cli("check", "--force", "--format", "json", str(bad), str(good))  # not skipped for its shape
    assert time.perf_counter() - start < 10, "bad input must not hang"
    doc = json.loads(result.out)
    assert result.code == 1
    assert "Traceback" not in result.err
    nna000 = [f for f in doc["findings"] if f["rule_id"] == "NNA000"]
    assert nna000, doc
    assert all(f["file"] == str(bad) for f in nna000)
    assert nna000[0]["line"] == line, nna000
    assert any(text in f["message"] for f in nna000), [f["message"] for f in nna000]
    assert doc["summary"]["files"] == 2  # the good file was still checked


def test_huge_file_is_refused_without_loading(cli: CliRunner, tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:
        f.seek(100 * 1024 * 1024)
        f.write(b"\n")
    start = time.perf_counter()
    doc = json.loads(cli("check", "--force", "--format", "json", str(huge)).out)
    assert time.perf_counter() - start < 5
    (finding,) = doc["findings"]
    assert finding["rule_id"] == "NNA000" and f"larger than {MAX_BYTES:,} bytes" in finding["message"]


def test_python_tag_is_never_executed(cli: CliRunner, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    bad = tmp_path / "evil.yaml"
    bad.write_text(f"loss: !!python/object/apply:os.system ['touch {marker}']\n")
    cli("check", str(bad))
    assert not marker.exists()


def test_unreadable_directory_entry_reports_and_continues(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()  # a directory with a config extension, given explicitly
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    result = cli("check", "--format", "json", str(tmp_path / "dir.yaml" / "missing.yaml"), str(good))
    assert result.code == 2
    assert json.loads(result.out)["summary"]["files"] == 1


@pytest.mark.parametrize("keys", [("1", "1.0"), ("1", "true"), ("0", "false"), ("1", "0x1")])
def test_equal_keys_spelt_differently_are_duplicates(keys: tuple[str, str], cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"layers: []\nloss: mse\n{keys[0]}: a\n{keys[1]}: b\n")
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    result = cli("check", "--format", "json", str(bad), str(good))
    doc = json.loads(result.out)
    assert result.code == 1 and doc["summary"]["files"] == 2
    (finding,) = doc["findings"]
    assert finding["rule_id"] == "NNA000" and finding["line"] == 4 and "duplicate key" in finding["message"]


def test_a_file_at_exactly_the_size_cap_boundary(cli: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# padding\n" * (MAX_BYTES // 10) + b"layers: []\n")
    doc = json.loads(cli("check", "--force", "--format", "json", str(big)).out)
    assert doc["findings"][0]["rule_id"] == "NNA000" and "larger than" in doc["findings"][0]["message"]
    small = tmp_path / "small.yaml"
    small.write_bytes(b"# padding\n" * 20000 + GOOD.encode())  # 200 KB: several reads
    assert json.loads(cli("check", "--format", "json", str(small)).out)["findings"] == []


def test_exponent_without_a_dot_is_a_number(cli: CliRunner, tmp_path: Path) -> None:
    """YAML 1.1 would read `1e-3` as a string; configs mean the number (as YAML 1.2 and JSON do)."""
    path = tmp_path / "m.yaml"
    path.write_text("layers:\n  - {type: dense, units: 1}\nloss: mse\noptimizer: {name: adam, lr: 1e-3}\n")
    assert json.loads(cli("check", "--format", "json", str(path)).out)["findings"] == []
    path.write_text("layers:\n  - {type: dense, units: 1}\nloss: mse\noptimizer: {name: adam, lr: 5e-1}\n")
    (finding,) = json.loads(cli("check", "--format", "json", str(path)).out)["findings"]
    assert finding["rule_id"] == "NNA501" and "0.5" in finding["message"]
