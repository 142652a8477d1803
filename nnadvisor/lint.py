"""``check``: find the files, read each into a config, derive facts, evaluate the rules.

One bad file never stops the others: what cannot be read becomes finding NNA000 at its line;
a path that does not exist or cannot be opened is a :class:`FileError` (exit code 2) and the
remaining files are still checked.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from nnadvisor import readers, suppressions
from nnadvisor.engine.compiled import evaluate
from nnadvisor.findings import FileError, Finding, FixOut, Report, TextEdit
from nnadvisor.fixes import TEXT_FORMATS, Edit, file_edits
from nnadvisor.result_cache import ResultCache
from nnadvisor.rulebase import RuleBase
from nnadvisor.source import MAX_BYTES, Problem

READER_RULE = "NNA000"
NOTE_RULE = "NNA002"
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"})


def check_data(data: dict[str, Any], rulebase: RuleBase, file: str = "<example>") -> list[Finding]:
    """Findings for a config given as data (rule examples, ``recommend --emit config``)."""
    return check_bytes(json.dumps(data).encode(), file, rulebase, "nnadvisor")


def _reader_findings(rule_id: str, problems: list[Problem], file: str, rulebase: RuleBase) -> list[Finding]:
    """Findings a reader reports itself: NNA000 (cannot read) and NNA002 (cannot resolve)."""
    rule = rulebase.rule(rule_id) or {"name": rule_id, "severity": "error"}
    return [
        Finding(
            rule_id=rule_id,
            name=rule["name"],
            severity=rule["severity"],
            file=file,
            line=p.location.line,
            column=p.location.column,
            pointer=p.pointer,
            message=p.message,
        )
        for p in problems
    ]


def check_bytes(raw: bytes, file: str, rulebase: RuleBase, fmt: str, *, suppress: bool = True) -> list[Finding]:
    """Findings for one file's bytes (for a ``.keras`` archive: its packed members).

    A reader returns one result per output head (Keras) or per model output and loss it pairs
    (PyTorch); each is checked on its own and, when there are several, a finding that does not
    hold for every one names it (``[head NAME] ``, ``[Net into CrossEntropyLoss (line 40)] ``).
    A notebook is checked as the program its code cells make, and its findings located in its
    cells (:mod:`nnadvisor.readers.notebook`, which applies the suppressions itself: ``suppress``).
    """
    if fmt == "notebook":
        from nnadvisor.readers.notebook import check

        return check(raw, file, rulebase)
    # The cyclic collector stays off until the file is done, as while it is read: the results
    # keep the source's syntax tree for the fix writers (hundreds of thousands of young objects
    # and no cycles), which a collection would traverse again and again; freed by reference
    # counting when the results go.
    enabled = gc.isenabled()
    gc.disable()
    try:
        results = readers.read(raw, fmt, rulebase, file)
        findings = check_results(results, file, rulebase, _FixWriter(raw, fmt, rulebase, results))
        del results
    finally:
        if enabled:
            gc.enable()
    if suppress and fmt in readers.COMMENTED:
        findings = suppressions.apply(findings, raw, file, known=rule_codes(rulebase) if b"nnadvisor:" in raw else None)
    return findings


def check_results(results: list[readers.ReadResult], file: str, rulebase: RuleBase, fixes: _FixWriter | None = None) -> list[Finding]:
    """Findings for what a reader made of one input (a file, or a live model: then each finding
    names the object it is about, from :attr:`~nnadvisor.readers.ReadResult.objects`)."""
    problems = [p for result in results for p in result.problems]
    if problems and any(result.config is None for result in results):
        return _reader_findings(READER_RULE, problems, file, rulebase)
    from nnadvisor.facts import derive

    per_head: list[tuple[str | None, list[Finding]]] = []
    for result in results:
        assert result.config is not None
        facts = derive(result.config, result.doc, rulebase.vocabulary, result.unknowns)
        rulebase.inference.apply(facts)
        found = evaluate(rulebase.compiled, facts, file, result.doc)
        if fixes is not None:
            fixes.attach(found, result)
        if result.objects:
            _locate_objects(found, result.objects)
        per_head.append((result.label or (f"head {result.head}" if result.head else None), found))
    if fixes is not None:
        fixes.finish()
    findings = _merge_heads(per_head)
    seen: set[tuple[int, int, str]] = set()
    for result in results:  # each note once, located by the objects of the result that made it
        fresh: list[Problem] = []
        for note in result.notes:
            key = (note.location.line, note.location.column, note.message)
            if key not in seen:
                seen.add(key)
                fresh.append(note)
        noted = _reader_findings(NOTE_RULE, fresh, file, rulebase)
        if result.objects:
            _locate_objects(noted, result.objects)
        findings += noted
    findings += _reader_findings(READER_RULE, problems, file, rulebase)  # read all the same (unknown keys)
    findings.sort(key=lambda f: (f.line, f.column, f.rule_id))
    return findings


def _locate_objects(found: list[Finding], objects: dict[str, str]) -> None:
    """Each finding on a live model names the object of its pointer (or of the nearest ancestor)."""
    for f in found:
        pointer = f.pointer
        while pointer not in objects and pointer:
            pointer = pointer.rpartition("/")[0]
        f.object_path = objects.get(pointer)


def rule_codes(rulebase: RuleBase) -> list[str]:
    """The codes of the run's rules (packs included): a suppression naming another is unknown."""
    return [r["id"] for r in rulebase.rules]


class _FixWriter:
    """Writes each finding's fix patch as edits of the file's text (:mod:`nnadvisor.fixes`); the
    text is decoded once, and only when a finding has a patch."""


    def __init__(self, raw: bytes, fmt: str, rulebase: RuleBase, results: list[readers.ReadResult]) -> None:
        self.raw = raw
        self.fmt = fmt
        self.rulebase = rulebase
        self.results = results
        """All the reader made of the file: a source fix is verified against them."""
        self.pending: list[tuple[Finding, readers.ReadResult]] = []

    def attach(self, found: list[Finding], result: readers.ReadResult) -> None:
        """Note the findings of one result whose fixes have a patch (written by :meth:`finish`)."""
        for f in found:
            if f.fix is not None and f.fix.patch:
                self.pending.append((f, result))

    def finish(self) -> None:
        """Every noted fix as edits, all of a file's together (a source is read again once to
        verify them, not once per fix). A patch is a JSON Patch on an nnadvisor config: on other
        files only the edits apply."""
        if not self.pending:
            return
        if self.fmt not in TEXT_FORMATS:
            found: list[list[Edit] | None] = [None] * len(self.pending)
        else:
            text = _decoded(self.raw, self.fmt)
            fixes = [(r.doc, f.fix.patch if f.fix else [], r.config.framework if r.config else None) for f, r in self.pending]
            found = file_edits(self.fmt, text, fixes, self.rulebase, self.results)
        for (f, _), edits in zip(self.pending, found):
            fix = f.fix
            assert fix is not None
            f.fix = FixOut(fix.description, fix.patch if self.fmt == "nnadvisor" else [], fix.applicability, [TextEdit.of(e) for e in edits or ()])
        self.pending = []


def _decoded(raw: bytes, fmt: str) -> str:
    """The text the reader read (the locations are in it)."""
    if fmt == "nnadvisor":
        from nnadvisor.source import decode

        return decode(raw)
    from nnadvisor.readers.python.source import decode_source

    return decode_source(raw)


def _merge_heads(per_head: list[tuple[str | None, list[Finding]]]) -> list[Finding]:
    """One list: a finding every head has is kept once; the others are prefixed with their head."""
    if len(per_head) == 1:
        return per_head[0][1]
    count: dict[tuple[str, int, int, str, str | None], int] = {}
    for _, found in per_head:
        for key in {(f.rule_id, f.line, f.column, f.message, f.object_path) for f in found}:
            count[key] = count.get(key, 0) + 1
    merged: list[Finding] = []
    emitted: set[tuple[str, int, int, str, str | None]] = set()
    for head, found in per_head:
        for f in found:
            key = (f.rule_id, f.line, f.column, f.message, f.object_path)
            if count[key] == len(per_head):
                if key not in emitted:
                    emitted.add(key)
                    merged.append(f)
                continue
            if head is not None:
                f.message = f"[{head}] {f.message}"
            merged.append(f)
    return merged


class Target(NamedTuple):
    """One input to check: a file path, or ``None`` for stdin (shown under ``display``)."""

    path: str | None
    display: str
    explicit: bool


class Skipped(NamedTuple):
    """A file a directory walk met that is not a regular file (a FIFO, a socket, a device): it
    is counted as skipped and never opened (opening a FIFO would wait for a writer forever)."""

    display: str


_SUFFIXES = tuple(readers.EXTENSIONS)


def _walk(root: str) -> Iterator[Target | FileError | Skipped]:
    """Files under ``root`` with a known extension: each directory's files (sorted by name), then
    its subdirectories in the same order, depth first, without recursion. Hidden and tool
    directories are skipped, symbolic links to directories are not followed (as ``os.walk``), and
    a directory that cannot be listed is reported, not skipped in silence."""
    base = str(Path(root))  # file names as before the walk used os.scandir: "a.yaml", not "./a.yaml"
    pending = ["" if base == "." else base]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory or ".") as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            yield FileError(file=directory or ".", message=f"cannot list directory: {exc.strerror or exc}")
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            path = f"{directory}{os.sep}{name}" if directory else name
            if is_dir:
                if name not in SKIP_DIRS and not name.startswith(".") and not entry.is_symlink():
                    subdirs.append(path)
            elif name.lower().endswith(_SUFFIXES):
                try:  # is_file() needs no system call where the directory entry tells the type
                    regular = entry.is_file() or (entry.is_symlink() and not os.path.exists(path))
                except OSError:
                    regular = True
                # a dangling link is "regular": opening it reports the error, as before
                yield Target(path, path, False) if regular else Skipped(path)
        pending.extend(reversed(subdirs))


def discover(paths: Iterable[str], stdin_name: str = "-") -> Iterator[Target | FileError | Skipped]:
    """Files in the order given; directories walked (sorted) for known extensions. A file met
    twice (``check d d/ok.yaml``, ``check a.yaml ./a.yaml``) is yielded once, the first time."""
    seen: set[str] = set()
    for given in paths:
        if given == "-":
            yield Target(None, stdin_name, True)
            continue
        found: Iterable[Target | FileError | Skipped]
        if os.path.isdir(given):
            found = _walk(given)
        elif os.path.exists(given):
            found = (Target(given, given, True),)
        else:
            found = (FileError(file=given, message="no such file or directory"),)
        for item in found:
            if not isinstance(item, FileError):
                where = os.path.abspath(item.display)
                if where in seen:
                    continue
                seen.add(where)
            yield item


def _read_capped(path: str | None, cap: int = MAX_BYTES) -> bytes:
    """At most one byte more than the reader accepts: a 100 MB file is refused, not loaded.
    Configs are small, so a first 64 KiB read usually is the whole file (asking for the full cap
    at once would allocate 5 MiB per file). Files are read through a bare descriptor: a buffered
    file object costs more than reading a whole config."""
    if path is None:
        read = sys.stdin.buffer.read
        fd = -1
    else:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        read = functools.partial(os.read, fd)
    try:
        chunks: list[bytes] = []
        size, want = 0, 65536
        while size <= cap:
            chunk = read(want)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if len(chunk) < want:
                if fd < 0:
                    break  # a buffered stream returns less only at the end
                want = 65536  # a descriptor may return less before the end (pipes): ask again
            else:
                want = min(1 << 20, cap + 1 - size)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        if fd >= 0:
            os.close(fd)


def _read_input(target: Target, fmt: str | None) -> tuple[bytes, str]:
    """The bytes to lint and their reader. A zip archive (``.keras``) is not read whole: only its
    ``config.json`` and ``metadata.json`` members, capped, packed together (so the results cache
    keys on exactly them); anything else is read up to the size cap."""
    if target.path is not None:
        archive = readers.archive_format(target.path, fmt)
        if archive is not None:
            return readers.read_archive(target.path), archive
    raw = _read_capped(target.path, readers.max_bytes(target.display, fmt))
    return raw, fmt or readers.detect(target.display, raw)


class _Pending(NamedTuple):
    """A file to check (not found in the results cache)."""

    raw: bytes
    reader: str
    display: str
    key: str
    """Its results-cache key ("" without a cache)."""


BATCH_FILES = 2048
BATCH_BYTES = 32 * 1024 * 1024
"""Files are read ahead in batches (checked in parallel with ``jobs`` > 1); the caps bound the
memory a batch holds."""


def run_check(
    paths: Iterable[str],
    rulebase: RuleBase,
    fmt: str | None = None,
    stdin_name: str = "-",
    cache: ResultCache | None = None,
    jobs: int = 1,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Report, list[str]]:
    """The report over ``paths`` and the files given by name that were skipped as not being model
    definitions (``report.summary.skipped`` counts those and the ones a directory walk skipped).

    A file a walk finds, and a file given by name, is checked only when it looks like a model
    definition (:func:`nnadvisor.readers.looks_like_config`); ``force`` or an explicit ``fmt``
    check every file given by name (stdin is always checked). Files are read, and looked up in
    the results cache, in order; those to check are gathered in batches and checked by ``jobs``
    processes (:func:`nnadvisor.parallel.fork_map`), and their findings join the report in the
    order of the files. ``progress(read, checked)`` is told the counts as they grow (a terminal's
    progress line), at most once per file read and once per batch checked."""
    report = Report()
    named_skipped: list[str] = []
    done = 0
    batch: list[list[Finding] | _Pending] = []
    size = 0
    for target in discover(paths, stdin_name):
        if isinstance(target, FileError):
            report.errors.append(target)
            continue
        if isinstance(target, Skipped):
            report.summary.skipped += 1
            continue
        try:
            raw, reader = _read_input(target, fmt)
        except OSError as exc:
            report.errors.append(FileError(file=target.display, message=exc.strerror or str(exc)))
            continue
        lint_anyway = target.path is None or (target.explicit and (force or fmt is not None))
        if not lint_anyway and not readers.looks_like_config(raw, reader, target.explicit):
            report.summary.skipped += 1
            if target.explicit:
                named_skipped.append(target.display)
            continue
        report.summary.files += 1
        if progress is not None:
            progress(report.summary.files, done)
        key = cache.key(raw, reader, target.display) if cache else ""
        cached = cache.get(key, target.display) if cache else None
        batch.append(cached if cached is not None else _Pending(raw, reader, target.display, key))
        size += len(raw)
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            _check_batch(batch, report, rulebase, cache, jobs)
            done += len(batch)
            if progress is not None:
                progress(report.summary.files, done)
            batch, size = [], 0
    _check_batch(batch, report, rulebase, cache, jobs)
    if cache:
        cache.flush()
    return report, named_skipped


def _check_batch(batch: list[list[Finding] | _Pending], report: Report, rulebase: RuleBase, cache: ResultCache | None, jobs: int) -> None:
    from nnadvisor.parallel import fork_map

    pending = [entry for entry in batch if isinstance(entry, _Pending)]
    checked = iter(fork_map(lambda p: check_bytes(p.raw, p.display, rulebase, p.reader), pending, jobs))
    for entry in batch:
        if isinstance(entry, _Pending):
            findings = next(checked)
            if cache:
                cache.put(entry.key, findings)
        else:
            findings = entry
        report.add(findings)
