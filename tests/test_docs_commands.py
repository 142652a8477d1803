"""Every shell command in README.md and docs/*.md runs, with the exit code its comment documents
(issue 14, item 10); the docs link only inside the repository, and document what the program has.

Commands are the lines of the ```sh, ```bash and ```console blocks (``$ `` lines in console
blocks); each part that calls ``nnadvisor`` (``pip install . && nnadvisor ...`` runs the second
part) is run through the real entry point in a fresh copy of ``tests/fixtures/docs/``, which holds
the files the docs name. A command exits 0 unless its comment says ``(exit N)``; ``(exit 2
without matplotlib)`` expects 2 only where matplotlib is missing. A line may pipe a file in
(``cat model.yaml | nnadvisor check -``), redirect the output (``> out.sarif``) and set
environment variables (``NNADVISOR_FORMAT=json nnadvisor ...``). Commands that train a
demonstration are marked slow.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CliRunner

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "docs"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```(\w*)\s*$")
_EXIT = re.compile(r"\(exit (\d)( without matplotlib)?")


@dataclass(frozen=True)
class Command:
    doc: str
    line: int
    text: str
    """The nnadvisor part of the line, without its comment."""
    expected: int
    setup: tuple[Command, ...] = ()
    """The earlier commands of its block that write a file (``> binary.yaml``): run first, since
    a later command may read what they wrote."""

    @property
    def slow(self) -> bool:
        words = self.text.split()
        return "--demo" in words or (len(words) > 1 and words[0] == "nnadvisor" and words[1] == "demo" and len(words) > 2 and not words[2].startswith("-"))


def shell_lines(path: Path) -> list[tuple[int, int, str]]:
    """(block number, line number, text) of every command line in the shell blocks of ``path``."""
    out: list[tuple[int, int, str]] = []
    language: str | None = None
    block = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        fence = _FENCE.match(line)
        if fence is not None:
            language = fence.group(1) if language is None else None
            block += 1
            continue
        if language in ("sh", "bash", "shell"):
            if line.strip() and not line.lstrip().startswith("#"):
                out.append((block, number, line))
        elif language == "console" and line.startswith("$ "):
            out.append((block, number, line[2:]))
    return out


def _split_comment(line: str) -> tuple[str, str]:
    """The command and its trailing comment (a ``#`` outside quotes)."""
    quote: str | None = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].strip(), line[i + 1 :].strip()
    return line.strip(), ""


def commands() -> list[Command]:
    found: list[Command] = []
    for path in DOCS:
        writers: dict[int, list[Command]] = {}
        for block, number, line in shell_lines(path):
            command, comment = _split_comment(line)
            exit_code = _EXIT.search(comment)
            expected = 0
            if exit_code is not None:
                needs_plot = exit_code.group(2) is not None
                if not needs_plot or importlib.util.find_spec("matplotlib") is None:
                    expected = int(exit_code.group(1))
            for part in command.split("&&"):
                part = part.strip()
                if re.search(r"(^|\|\s*|^\w+=\S+\s+)nnadvisor\b", part):
                    found.append(Command(str(path.relative_to(ROOT)), number, part, expected, tuple(writers.get(block, ()))))
                    if " > " in part:
                        writers.setdefault(block, []).append(found[-1])
    return found


COMMANDS = commands()


def test_the_docs_have_commands() -> None:
    documents = {c.doc for c in COMMANDS}
    assert {"README.md", "docs/user-guide.md", "docs/rule-format.md"} <= documents
    assert len(COMMANDS) >= 40


def _run(cli: CliRunner, command: Command, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    words = shlex.split(command.text)
    stdin: bytes | None = None
    if "|" in words:  # cat FILE | nnadvisor ...
        bar = words.index("|")
        assert words[0] == "cat" and bar == 2, f"{command.doc}:{command.line}: only `cat FILE | nnadvisor ...` is supported"
        stdin = (cwd / words[1]).read_bytes()
        words = words[bar + 1 :]
    while words and re.match(r"^[A-Z_]+=", words[0]):
        name, _, value = words.pop(0).partition("=")
        monkeypatch.setenv(name, value)
    target: Path | None = None
    if ">" in words:
        at = words.index(">")
        target, words = cwd / words[at + 1], words[:at]
    assert words[0] == "nnadvisor", f"{command.doc}:{command.line}: not an nnadvisor command: {command.text}"
    result = cli(*words[1:], stdin=stdin, cwd=cwd)
    if target is not None:
        target.write_text(result.out)
    return result.code, result.out, result.err


@pytest.mark.parametrize(
    "command",
    [pytest.param(c, id=f"{c.doc}:{c.line}", marks=[pytest.mark.slow] if c.slow else []) for c in COMMANDS],
)
def test_documented_command(command: Command, cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    shutil.copytree(FIXTURES, work)
    for earlier in command.setup:
        assert _run(cli, earlier, work, monkeypatch)[0] == earlier.expected, f"{earlier.doc}:{earlier.line} failed"
    code, _, err = _run(cli, command, work, monkeypatch)
    assert "internal error" not in err and "Traceback" not in err, err
    assert code == command.expected, f"{command.doc}:{command.line}: `{command.text}` exited {code}, the docs say {command.expected}\n{err}"


# --- the docs stand alone and match the program -------------------------------------------------

_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_stay_inside_the_repository(path: Path) -> None:
    text = path.read_text()
    assert "shared/spec" not in text, f"{path.name} points at the specification outside the repository"
    for target in _LINK.findall(text):
        if target.startswith(("http://", "https://", "#", "mailto:")):
            continue
        resolved = (path.parent / target.split("#", 1)[0]).resolve()
        assert resolved.is_relative_to(ROOT), f"{path.name} links outside the repository: {target}"
        assert resolved.exists(), f"{path.name} links to a missing file: {target}"


def test_no_doc_installs_from_a_package_index() -> None:
    for path in DOCS:
        assert not re.search(r"pip install nnadvisor\b", path.read_text()), f"{path.name}: nnadvisor is not on a package index"


def test_rule_format_lists_every_fact_path() -> None:
    from nnadvisor.facts import ITEM_PATHS, PATHS

    documented: set[str] = set()
    for line in (ROOT / "docs" / "rule-format.md").read_text().splitlines():
        if not line.startswith("| `"):
            continue
        prefix = ""
        for token in re.findall(r"`([a-z0-9_.]+)`", line.split("|")[1]):
            if token.startswith("."):
                token = prefix + token
            else:
                prefix = token.rsplit(".", 1)[0]
            documented.add(token)
    expected = set(PATHS) | {f"item.{p}" for paths in ITEM_PATHS.values() for p in paths}
    assert expected <= documented, f"missing from docs/rule-format.md: {sorted(expected - documented)}"


def test_rules_paths_prints_the_documented_paths(cli: CliRunner) -> None:
    from nnadvisor.facts import PATHS

    result = cli("rules", "--paths")
    assert result.code == 0
    for path in PATHS:
        assert f"  {path} " in result.out
