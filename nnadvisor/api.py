"""The composition root: one place that wires a run, for the command line and the Python API alike.

options (given > ``[tool.nnadvisor]`` in pyproject.toml > defaults) -> rule base and packs ->
readers -> evaluation -> selection -> :class:`~nnadvisor.findings.Report` (and, for ``--fix``,
edits applied and the files checked again). The CLI parses arguments into :class:`CheckOptions`,
calls :func:`checker`, renders and sets the exit code; ``nnadvisor.check(...)`` and friends do
the same minus the rendering. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnadvisor.findings import ALL_FIXES, SAFE_FIXES, Finding, Report

if TYPE_CHECKING:
    from nnadvisor.readers import ReadResult
    from nnadvisor.recommender.model import Recommendation
    from nnadvisor.result_cache import ResultCache
    from nnadvisor.rulebase import RuleBase
    from nnadvisor.selection import Selection
    from nnadvisor.settings import Settings


class UsageError(ValueError):
    """A bad option, setting or rule pack: says what and where (exit code 2 at the command line)."""


@dataclass(frozen=True)
class CheckOptions:
    """What a check is asked to do; ``None`` (or empty) means "the project setting, else the default"."""

    select: Sequence[str] = ()
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] | None = None
    fail_on: str | None = None
    fail_on_empty: bool | None = None
    output_format: str | None = None
    input_format: str | None = None
    force: bool = False
    rule_packs: Sequence[str | Path] = ()
    jobs: int | None = None
    cache: bool = True
    stdin_name: str = "-"
    isolated: bool = False
    """Ignore ``pyproject.toml`` settings (as ruff's ``--isolated``)."""


@dataclass
class FixedFile:
    """A file ``--fix`` changed (or would change, with ``--diff``)."""

    display: str
    before: str
    after: str
    fixed: list[Finding] = field(default_factory=list)
    """The findings the edits fixed."""
    cells: dict[int, tuple[str, str]] | None = None
    """In a notebook: each changed code cell's source before and after (what a diff shows)."""


@dataclass
class FixOutcome:
    report: Report
    """The findings that remain after fixing (of the fixed text; the files are rewritten only when
    asked to write)."""
    files: list[FixedFile]
    named_skipped: list[str]
    unsettled: list[tuple[str, list[str]]] = field(default_factory=list)
    """Files left unfixed because the fixes of these rules undo each other there."""


@dataclass
class Checker:
    """One wired run: rule base, selection and settings resolved once, for any number of inputs."""

    rulebase: RuleBase
    selection: Selection
    settings: Settings
    options: CheckOptions
    cache: ResultCache | None
    jobs: int

    @property
    def output_format(self) -> str:
        return self.options.output_format or self.settings.format or "text"

    @property
    def fail_on(self) -> str:
        return self.options.fail_on or self.settings.fail_on or "error"

    @property
    def fail_on_empty(self) -> bool:
        return self.options.fail_on_empty if self.options.fail_on_empty is not None else self.settings.fail_on_empty

    def check_paths(self, paths: Iterable[str], progress: Callable[[int, int], None] | None = None) -> tuple[Report, list[str]]:
        """The report over files and directories, and the files given by name skipped as not model
        definitions; ``progress(read, checked)`` hears the counts as they grow."""
        from nnadvisor.lint import run_check

        report, skipped = run_check(
            paths,
            self.rulebase,
            fmt=self.options.input_format,
            stdin_name=self.options.stdin_name,
            cache=self.cache,
            jobs=self.jobs,
            force=self.options.force,
            progress=progress,
        )
        return self._reported(report), skipped

    def check_bytes(self, raw: bytes, fmt: str | None, name: str) -> Report:
        """The report for one input held in memory (detected from ``name`` when ``fmt`` is None)."""
        from nnadvisor import readers
        from nnadvisor.lint import check_bytes

        reader = fmt or self.options.input_format or readers.detect(name, raw)
        report = Report()
        report.summary.files = 1
        report.add(check_bytes(raw, name, self.rulebase, reader))
        return self._reported(report)

    def check_results(self, results: list[ReadResult], name: str) -> Report:
        """The report for what a reader made of an input that is not a file (a live model)."""
        from nnadvisor.lint import check_results

        report = Report()
        report.summary.files = 1
        report.add(check_results(results, name, self.rulebase))
        return self._reported(report)

    def _reported(self, report: Report) -> Report:
        """What is reported of the findings: the selected ones, and of two that say the same thing
        at one place, only the more specific (:func:`~nnadvisor.engine.compiled.supersede`: after
        the selection, so that ``--select NNA108`` still shows NNA108 where NNA101 fires too)."""
        from nnadvisor import selection
        from nnadvisor.engine.compiled import supersede

        chosen = selection.apply(report, self.selection)
        kept = supersede(chosen.findings, self.rulebase.compiled)
        return chosen if len(kept) == len(chosen.findings) else chosen.with_findings(kept)

    def fix_paths(self, paths: Iterable[str], *, unsafe: bool = False, write: bool = True) -> FixOutcome:
        """Apply the fixes of the selected findings (``safe`` ones; ``unsafe`` too when asked), check
        the fixed text again, and repeat until nothing more applies; write the files that changed
        (atomically) when ``write``. The report is that of the fixed text."""
        from nnadvisor.fixing import fix_paths

        return fix_paths(self, paths, ALL_FIXES if unsafe else SAFE_FIXES, write)


def checker(options: CheckOptions | None = None) -> Checker:
    """Resolve options against the project settings and load the rule base (and packs) once."""
    from nnadvisor import selection as sel
    from nnadvisor import settings as project
    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.readers import FORMATS
    from nnadvisor.rulebase import cache_dir, caching_enabled, load_rulebase

    options = options or CheckOptions()
    if options.input_format is not None and options.input_format not in FORMATS:
        raise UsageError(f"--input-format {options.input_format!r}: expected one of {', '.join(FORMATS)}")
    try:
        settings = project.Settings() if options.isolated else project.load()
    except project.SettingsError as exc:
        raise UsageError(str(exc)) from None
    try:
        rulebase = load_rulebase()
        packs = [Path(d) for d in options.rule_packs] or list(settings.rules)
        if packs:
            from nnadvisor.packs import with_packs

            rulebase = with_packs(rulebase, packs)
    except RuleLoadError as exc:
        raise UsageError(f"invalid rule: {exc}") from None
    known = [r["id"] for r in rulebase.rules]
    try:
        chosen = sel.Selection(
            select=sel.check_codes(list(options.select) or settings.select or ["ALL"], known, "--select")
            + sel.check_codes(list(options.extend_select) or settings.extend_select, known, "--extend-select"),
            ignore=sel.check_codes(options.ignore if options.ignore is not None else settings.ignore, known, "--ignore"),
            per_file_ignores={g: sel.check_codes(c, known, "per-file-ignores") for g, c in settings.per_file_ignores.items()},
            root=settings.file.parent if settings.file else None,
        )
    except sel.SelectionError as exc:
        raise UsageError(str(exc)) from None
    cache = None
    if options.cache and caching_enabled():
        from nnadvisor.result_cache import ResultCache

        cache = ResultCache(cache_dir(), rulebase.fingerprint)
    from nnadvisor.parallel import default_jobs

    return Checker(rulebase, chosen, settings, options, cache, options.jobs or settings.jobs or default_jobs())


# --- the public functions (re-exported by ``nnadvisor``) ------------------------------------------


def _codes(codes: str | Sequence[str] | None) -> tuple[str, ...]:
    if codes is None:
        return ()
    return (codes,) if isinstance(codes, str) else tuple(codes)


def _options(select: str | Sequence[str] | None, ignore: str | Sequence[str] | None, isolated: bool, cache: bool = False) -> CheckOptions:
    return CheckOptions(select=_codes(select), ignore=_codes(ignore) if ignore is not None else None, isolated=isolated, cache=cache)


def check(
    paths: str | Path | Iterable[str | Path],
    *,
    select: str | Sequence[str] | None = None,
    ignore: str | Sequence[str] | None = None,
    isolated: bool = False,
) -> Report:
    """Check files and directories, as ``nnadvisor check PATH...`` does (same settings, cache and
    findings). Paths that cannot be read are in ``report.errors``."""
    given = [paths] if isinstance(paths, (str, Path)) else list(paths)
    run = checker(_options(select, ignore, isolated, cache=True))
    report, _ = run.check_paths([str(p) for p in given])
    return report


def check_source(
    text: str | bytes,
    format: str | None = None,
    *,
    name: str | None = None,
    select: str | Sequence[str] | None = None,
    ignore: str | Sequence[str] | None = None,
    isolated: bool = False,
) -> Report:
    """Check a file's contents held in memory. ``format`` is a reader (``nnadvisor``, ``keras``,
    ``python``, ``pytorch``, ``notebook``); without it, it is told from ``name`` and the text
    (``name`` defaults to ``<source>.py`` for Python-looking text, else ``<source>.yaml``)."""
    from nnadvisor.readers import FORMATS

    if format is not None and format not in FORMATS:
        raise UsageError(f"format {format!r}: expected one of {', '.join(FORMATS)}")
    raw = text.encode() if isinstance(text, str) else text
    if name is None:
        name = "<source>.py" if format in ("python", "pytorch") else "<source>.ipynb" if format == "notebook" else "<source>.yaml"
    return checker(_options(select, ignore, isolated)).check_bytes(raw, format, name)


def check_config(
    config: Mapping[str, Any],
    *,
    name: str = "<config>",
    select: str | Sequence[str] | None = None,
    ignore: str | Sequence[str] | None = None,
    isolated: bool = False,
) -> Report:
    """Check a model config given as data (the nnadvisor config format)."""
    import json

    try:
        raw = json.dumps(config).encode()
    except (TypeError, ValueError) as exc:
        raise UsageError(f"the config is not plain data (mappings, lists, strings, numbers): {exc}") from None
    return checker(_options(select, ignore, isolated)).check_bytes(raw, "nnadvisor", name)


def check_model(
    model: object,
    loss: object | None = None,
    optimizer: object | None = None,
    *,
    task: str | None = None,
    labels: str | None = None,
    num_classes: int | None = None,
    name: str = "model",
    select: str | Sequence[str] | None = None,
    ignore: str | Sequence[str] | None = None,
    isolated: bool = False,
    **problem: Any,
) -> Report:
    """Check a live Keras model or PyTorch module, with the loss and optimizer objects it trains
    with (a compiled Keras model carries its own). Framework objects are recognised by their
    shape, never imported; findings are located by object path (``model.head.1``).

    ``task``, ``labels``, ``num_classes`` and any other problem key of the config format
    (``outliers="some"``, ``target_range="unit-interval"``) say what the code cannot."""
    from nnadvisor.live import read_live

    run = checker(_options(select, ignore, isolated))
    context = {k: v for k, v in {"task": task, "labels": labels, "num_classes": num_classes, **problem}.items() if v is not None}
    results = read_live(model, loss, optimizer, run.rulebase, context)
    report = run.check_results(results, name)
    for f in report.findings:
        if f.object_path is not None:
            f.object_path = model_path(f.object_path, name, context)
    return report


def model_path(path: str, name: str, context: Mapping[str, Any]) -> str:
    """An object path as the user names it: the model is ``name`` (``model``, ``model.head.1``);
    the loss, the optimizer and the problem keys given are themselves (``loss``, ``loss['cls']``)."""
    from nnadvisor.live.places import ROOT

    if path == ROOT:
        return name
    if path.split("[", 1)[0] in ("loss", "optimizer") or path in context:
        return path
    return f"{name}.{path}"


def recommend(**problem: Any) -> Recommendation:
    """The recommendation for a problem: keywords as the ``nnadvisor recommend`` flags and problem
    files have them (``task`` required; ``labels``, ``num_classes``, ``outliers``, ``depth``,
    ``architecture``, ``framework``, ``imbalance``, ...), with its Keras and PyTorch snippets."""
    return advise(problem)[0]


def advise(problem: Mapping[str, Any], *, snippets: bool = True) -> tuple[Recommendation, RuleBase]:
    """The recommendation for a problem given as data, with its snippets (unless not wanted: a
    config to emit needs none), and the rule base that made it (its snippet tables name the code)."""
    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.recommender.engine import ProblemError
    from nnadvisor.recommender.engine import recommend as run_recommend
    from nnadvisor.rulebase import load_rulebase

    given = {k: v for k, v in problem.items() if v is not None}
    if "task" not in given:
        raise UsageError("task is required (regression, binary, multiclass or multilabel)")
    try:
        rulebase = load_rulebase()
    except RuleLoadError as exc:
        raise UsageError(f"invalid rule: {exc}") from None
    try:
        rec = run_recommend(given, rulebase.recommend)
    except ProblemError as exc:
        raise UsageError(str(exc)) from None
    if snippets:
        from nnadvisor.recommender.snippets import render_snippets

        rec.snippets = render_snippets(rec, rulebase.snippets)
    return rec, rulebase
