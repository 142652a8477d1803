"""Bad Keras archives and Python sources: NNA000 at a line, never a traceback, never a hang, never
anything executed or extracted; .keras archives are read member by member with caps."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from nnadvisor import readers
from nnadvisor.readers import archive
from nnadvisor.readers._model import INTERNAL_ERROR
from nnadvisor.rulebase import RuleBase
from tests.conftest import CliRunner
from nnadvisor.lint import check_bytes
from tests.readers.conftest import KERAS, PYTORCH, check_path

CONFIG = (KERAS / "good_multiclass.json").read_bytes()


def make_zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def only_nna000(path: Path, rulebase: RuleBase, fmt: str | None = None) -> str:
    findings = check_path(path, rulebase, fmt)
    assert [f.rule_id for f in findings] == ["NNA000"], findings
    return findings[0].message


def test_a_valid_archive_with_weights_is_read_without_the_weights(tmp_path: Path, rulebase: RuleBase, monkeypatch: pytest.MonkeyPatch) -> None:
    weights = b"\x89HDF\r\n\x1a\n" + bytes(8 * 1024 * 1024)  # 8 MiB of "weights", above the 5 MiB cap
    path = make_zip(tmp_path / "big.keras", {"metadata.json": b'{"keras_version": "3.15.1"}', "config.json": CONFIG, "model.weights.h5": weights})
    read_sizes: list[int] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: object, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        handle = real_open(self, name, *args, **kwargs)  # type: ignore[arg-type]
        read_sizes.append(handle._orig_file_size)  # type: ignore[attr-defined]
        return handle

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    assert check_path(path, rulebase) == []
    assert sorted(read_sizes) == sorted([len(CONFIG), len(b'{"keras_version": "3.15.1"}')])
    packed = readers.read_archive(path)
    assert len(packed) < len(CONFIG) + 1024  # the cache keys on the members, not the file


def test_bad_zip(tmp_path: Path, rulebase: RuleBase) -> None:
    path = tmp_path / "broken.keras"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 10)
    assert "zip" in only_nna000(path, rulebase)


def test_truncated_archive(tmp_path: Path, rulebase: RuleBase) -> None:
    good = make_zip(tmp_path / "good.keras", {"config.json": CONFIG})
    cut = tmp_path / "cut.keras"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    only_nna000(cut, rulebase)


def test_missing_config_json(tmp_path: Path, rulebase: RuleBase) -> None:
    path = make_zip(tmp_path / "weights-only.keras", {"model.weights.h5": b"x"})
    assert "no config.json" in only_nna000(path, rulebase)


def test_zip_bomb_is_refused_from_the_directory(tmp_path: Path, rulebase: RuleBase) -> None:
    path = make_zip(tmp_path / "bomb.keras", {"config.json": b" " * (4 * 1024 * 1024)}, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 64 * 1024
    assert "zip bomb" in only_nna000(path, rulebase)


def test_huge_member_is_refused_before_reading(tmp_path: Path, rulebase: RuleBase) -> None:
    path = make_zip(tmp_path / "huge.keras", {"config.json": b"{" + b" " * (archive.MAX_MEMBER + 10) + b"}"})
    assert "uncompressed" in only_nna000(path, rulebase)


def test_lying_sizes_stay_bounded(tmp_path: Path, rulebase: RuleBase) -> None:
    """A member whose header claims 100 bytes but holds 1 MiB: at most the declared size is read."""
    content = b"[" + b"1," * (512 * 1024) + b"1]"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", content)
    data = bytearray(buf.getvalue())
    size = len(content).to_bytes(4, "little")
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size in both headers
        at = data.find(sig)
        assert data[at + offset : at + offset + 4] == size
        data[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    path = tmp_path / "liar.keras"
    path.write_bytes(bytes(data))
    only_nna000(path, rulebase)


def test_too_many_members(tmp_path: Path, rulebase: RuleBase) -> None:
    path = tmp_path / "many.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", CONFIG)
        for i in range(archive.MAX_MEMBERS + 1):
            zf.writestr(f"assets/{i}", b"")
    assert "members" in only_nna000(path, rulebase)


def test_encrypted_member(tmp_path: Path, rulebase: RuleBase) -> None:
    path = make_zip(tmp_path / "enc.keras", {"config.json": CONFIG})
    data = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # general purpose flag: bit 0
        at = data.find(sig)
        data[at + offset] |= 0x1
    path.write_bytes(bytes(data))
    assert "encrypted" in only_nna000(path, rulebase)


def test_nothing_is_extracted(tmp_path: Path, cli: CliRunner) -> None:
    work = tmp_path / "work"
    work.mkdir()
    src = KERAS / "double_softmax.keras"
    before = set(work.rglob("*"))
    cli("check", "--no-cache", str(src), cwd=work)
    assert set(work.rglob("*")) == before


def test_stdin_archive_is_capped(rulebase: RuleBase) -> None:
    members, error = archive.read_bytes(b"PK\x03\x04" + bytes(archive.MAX_MEMBER + 10))
    assert members == {} and error is not None and "stdin" in error


def test_packing_round_trip_and_malformed_packing() -> None:
    packed = archive.pack({"config.json": b"{}", "metadata.json": b"[]"})
    assert archive.unpack(packed) == ({"config.json": b"{}", "metadata.json": b"[]"}, None)
    assert archive.unpack(readers.PACK_MAGIC + b"not json\n")[1] == "malformed archive member packing"


# --- Python sources ------------------------------------------------------------------------------

PYTHON_CASES: dict[str, tuple[bytes, int, str]] = {
    "syntax-error": (b"import torch\nfrom torch import nn\n\nmodel = nn.Sequential(\n    nn.Linear(4, 2)\n\nx = 1\n", 4, "syntax error"),
    "indentation": (b"import torch\ndef f():\nreturn 1\n", 3, "syntax error"),
    "not-utf8": (b"import torch\n# caf\xe9\nmodel = None\n", 2, "not UTF-8"),
    "bad-cookie": (b"# -*- coding: no-such-codec -*-\nimport torch\n", 1, "encoding"),
    "nul-byte": (b"import torch\nx = 1\n\x00\n", 3, "NUL"),
    "deep-nesting": (b"import torch\nx = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", 2, ""),
    "too-large": (b"import torch\n" + b"# padding\n" * 600_000, 1, "larger than"),
}


@pytest.mark.parametrize("name", sorted(PYTHON_CASES))
def test_bad_python_is_nna000_at_its_line(name: str, cli: CliRunner, tmp_path: Path) -> None:
    content, line, text = PYTHON_CASES[name]
    bad = tmp_path / f"{name}.py"
    bad.write_bytes(content)
    start = time.perf_counter()
    result = cli("check", "--no-cache", "--format", "json", str(bad))
    assert time.perf_counter() - start < 10
    assert "Traceback" not in result.err
    doc = json.loads(result.out)
    nna000 = [f for f in doc["findings"] if f["rule_id"] == "NNA000"]
    assert nna000 and nna000[0]["line"] == line, doc["findings"]
    assert text.lower() in nna000[0]["message"].lower()


def test_latin1_cookie_is_honoured(rulebase: RuleBase) -> None:
    source = "# -*- coding: latin-1 -*-\n# modèle\nimport torch\nfrom torch import nn\nmodel = nn.Sequential(nn.Linear(4, 1), nn.Softmax(dim=1))\n"
    result = check_bytes(source.encode("latin-1"), "m.py", rulebase, "pytorch")
    assert "NNA201" in {f.rule_id for f in result}


def test_python_is_detected_by_extension_and_content(rulebase: RuleBase) -> None:
    source = (PYTORCH / "double_softmax_sequential.py").read_bytes()
    assert readers.detect("train.py", source) == "python"
    assert readers.detect("-", source) == "python"
    assert readers.detect("notes.txt", source) == "python"
    assert readers.python_frameworks(source) == ["pytorch"]
    assert readers.looks_like_config(source, "python")
    assert not readers.looks_like_config(b"import os\nprint('hello')\n", "python")


def test_directory_walk_skips_python_without_torch(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "setup.py").write_text("from setuptools import setup\nsetup(name='x')\n")
    (tmp_path / "src" / "model.py").write_bytes((PYTORCH / "softmax_nll.py").read_bytes())
    doc = json.loads(cli("check", "--no-cache", "--format", "json", str(tmp_path / "src")).out)
    assert doc["summary"]["files"] == 1
    assert [f["rule_id"] for f in doc["findings"]] == ["NNA105"]


def test_directory_walk_checks_keras_scripts_and_files_using_both(cli: CliRunner, tmp_path: Path) -> None:
    """A Keras script is checked in a walk (it used to be skipped as not mentioning torch), and a
    file importing both frameworks is read by both readers."""
    keras_script = "from tensorflow import keras\nkmodel = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\nkmodel.compile('adam', 'mse')\n"
    (tmp_path / "train_keras.py").write_text(keras_script)
    (tmp_path / "utils.py").write_text("import os\nprint(os.getcwd())\n")
    both = (PYTORCH / "softmax_nll.py").read_text() + "\n" + keras_script
    (tmp_path / "both.py").write_text(both)
    doc = json.loads(cli("check", "--no-cache", "--format", "json", str(tmp_path)).out)
    assert doc["summary"]["files"] == 2
    found = {(f["file"].rsplit("/", 1)[-1], f["rule_id"]) for f in doc["findings"] if f["severity"] == "error"}
    assert found == {("train_keras.py", "NNA101"), ("both.py", "NNA101"), ("both.py", "NNA105")}
    both_messages = [f["message"] for f in doc["findings"] if f["file"].endswith("both.py") and f["severity"] == "error"]
    assert sorted(m.split("]")[0] for m in both_messages) == ["[Keras", "[PyTorch"]


# --- fuzz: mutated real inputs never raise ------------------------------------------------------


def _mutations(data: bytes, rng: random.Random, n: int) -> list[bytes]:
    out = []
    for _ in range(n):
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            op = rng.random()
            pos = rng.randrange(len(b)) if b else 0
            if op < 0.4 and b:
                del b[pos : pos + rng.randint(1, 40)]
            elif op < 0.7:
                b[pos:pos] = rng.choice([b"(", b")", b"[", b"{", b'"', b":", b"\n", b"    ", b"nn.", b"null", b"softmax"])
            elif b:
                b[pos] = rng.randrange(256)
        out.append(bytes(b))
    return out


@pytest.mark.parametrize("fmt", ["keras", "pytorch"])
def test_mutated_inputs_never_raise(fmt: str, rulebase: RuleBase) -> None:
    rng = random.Random(20240601)
    sources = sorted(KERAS.glob("*.json")) if fmt == "keras" else sorted(PYTORCH.glob("*.py"))
    for source in sources:
        for mutated in _mutations(source.read_bytes(), rng, 25):
            findings = check_bytes(mutated, source.name, rulebase, fmt)
            assert all(f.line >= 1 and f.column >= 1 for f in findings)
            assert not any(INTERNAL_ERROR in f.message for f in findings), mutated


def test_mutated_archives_never_raise(rulebase: RuleBase) -> None:
    rng = random.Random(7)
    data = (KERAS / "multi_output.keras").read_bytes()
    for mutated in _mutations(data, rng, 60):
        assert not any(INTERNAL_ERROR in f.message for f in check_bytes(mutated, "m.keras", rulebase, "keras"))


def test_check_on_yaml_does_not_load_the_framework_readers(tmp_path: Path) -> None:
    """budgets.md: the start-up of ``check`` on an nnadvisor config pays nothing for the readers."""
    (tmp_path / "m.yaml").write_text("layers:\n  - {type: dense, units: 1, activation: sigmoid}\nloss: binary_crossentropy\n")
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "nnadvisor", "check", "--no-cache", "m.yaml"], capture_output=True, text=True, cwd=tmp_path
    )
    modules = {row.rsplit("|", 1)[-1].strip() for row in result.stderr.splitlines() if row.startswith("import time:")}
    assert "nnadvisor.readers" in modules
    assert not modules & {"nnadvisor.readers.keras", "nnadvisor.readers.pytorch", "nnadvisor.readers.archive", "nnadvisor.readers._model"}


def test_check_on_python_never_imports_torch(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "nnadvisor", "check", "--no-cache", str(PYTORCH / "double_softmax_forward.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr[-500:]
    modules = {row.rsplit("|", 1)[-1].strip() for row in result.stderr.splitlines() if row.startswith("import time:")}
    assert "nnadvisor.readers.pytorch" in modules and "torch" not in modules
