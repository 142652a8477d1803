"""``nnadvisor check`` (and its alias ``lint``)."""

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from nnadvisor.cli.common import EXIT_FINDINGS, EXIT_USAGE, Color, ColorOpt, fail, load_rulebase, resume_gc, use_color

if TYPE_CHECKING:
    from nnadvisor.findings import Report
    from nnadvisor.rulebase import RuleBase


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class CheckFormat(str, Enum):
    text = "text"
    concise = "concise"
    json = "json"
    json_lines = "json-lines"
    sarif = "sarif"
    github = "github"


def _codes(values: Optional[list[str]]) -> list[str]:
    """Repeatable and comma-separated: ``--select NNA1,NNA2 --select NNA5``."""
    return [code for value in values or [] for code in value.split(",") if code.strip()]


def check(
    paths: Annotated[list[str], typer.Argument(help="Config files, directories (searched recursively), or - for stdin.")],
    output_format: Annotated[
        Optional[CheckFormat],
        typer.Option("--format", "-f", envvar="NNADVISOR_FORMAT", help="Output format (default: text, or the project setting).", case_sensitive=False),
    ] = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only these codes or prefixes (comma-separated, repeatable).")] = None,
    extend_select: Annotated[Optional[list[str]], typer.Option("--extend-select", help="Add codes or prefixes to the selection.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Leave out these codes or prefixes.")] = None,
    fail_on: Annotated[
        Optional[FailOn], typer.Option("--fail-on", help="Lowest severity that makes the exit code 1 (default: error).", case_sensitive=False)
    ] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even with findings (usage errors still exit 2).")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Add each rule's rationale to the text output.")] = False,
    stdin_filename: Annotated[
        Optional[str], typer.Option("--stdin-filename", help="Name to report for input read from stdin.")
    ] = None,
    input_format: Annotated[
        Optional[str], typer.Option("--input-format", help="Read every input in this format instead of detecting it.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Check every file given by name, even one that does not look like a model definition.")
    ] = False,
    fail_on_empty: Annotated[
        Optional[bool],
        typer.Option("--fail-on-empty/--no-fail-on-empty", help="Exit 1 when no model definition was found, even with --exit-zero (default: exit 0 with a warning).", show_default=False),
    ] = None,
    color: ColorOpt = Color.auto,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the results cache.")] = False,
    rule_packs: Annotated[Optional[list[str]], typer.Option("--rules", help="Add a rule pack directory (repeatable).")] = None,
    jobs: Annotated[
        Optional[int],
        typer.Option("--jobs", "-j", min=1, help="Processes for large inputs (default: usable CPUs, at most 4; 1 = no parallelism)."),
    ] = None,
) -> None:
    """Lint model configs for activation, loss and optimizer mistakes."""
    from pathlib import Path

    from nnadvisor import selection as sel
    from nnadvisor import settings as project
    from nnadvisor.lint import run_check
    from nnadvisor.readers import FORMATS
    from nnadvisor.result_cache import ResultCache
    from nnadvisor.rulebase import cache_dir, caching_enabled
    from nnadvisor.terms import SEVERITY_RANK

    if input_format is not None and input_format not in FORMATS:
        fail(f"--input-format {input_format!r}: expected one of {', '.join(FORMATS)}")
    try:
        settings = project.load()
    except project.SettingsError as exc:
        fail(str(exc))
    rulebase = load_rulebase()
    packs = [Path(d) for d in rule_packs or []] or list(settings.rules)
    if packs:
        from nnadvisor.engine.errors import RuleLoadError
        from nnadvisor.packs import with_packs

        try:
            rulebase = with_packs(rulebase, packs)
        except RuleLoadError as exc:
            fail(f"invalid rule: {exc}")
    known = [r["id"] for r in rulebase.rules]
    try:
        chosen = sel.Selection(
            select=sel.check_codes(_codes(select) or settings.select or ["ALL"], known, "--select")
            + sel.check_codes(_codes(extend_select) or settings.extend_select, known, "--extend-select"),
            ignore=sel.check_codes(_codes(ignore) if ignore is not None else settings.ignore, known, "--ignore"),
            per_file_ignores={g: sel.check_codes(c, known, "per-file-ignores") for g, c in settings.per_file_ignores.items()},
            root=settings.file.parent if settings.file else None,
        )
    except sel.SelectionError as exc:
        fail(str(exc))
    fmt = output_format.value if output_format is not None else (settings.format or "text")
    threshold = fail_on.value if fail_on is not None else (settings.fail_on or "error")
    cache = ResultCache(cache_dir(), rulebase.fingerprint) if caching_enabled() and not no_cache else None
    from nnadvisor.parallel import default_jobs

    processes = jobs or settings.jobs or default_jobs()
    resume_gc()
    report, named_skipped = run_check(
        paths, rulebase, fmt=input_format, stdin_name=stdin_filename or "-", cache=cache, jobs=processes, force=force
    )
    report = sel.apply(report, chosen)
    for name in named_skipped:
        sys.stderr.write(f"nnadvisor: note: {name}: skipped, not a model definition (use --force to check it anyway)\n")
    empty = report.summary.files == 0
    if not (empty and fmt == "text"):  # nothing checked is not "All checks passed"
        sys.stdout.write(_render_report(report, fmt, rulebase, explain=explain, color=color, skipped=report.summary.skipped))
    for error in report.errors:
        sys.stderr.write(f"nnadvisor: error: {error.file}: {error.message}\n")
    if report.errors:
        raise typer.Exit(EXIT_USAGE)
    if empty:
        where = paths[0] if len(paths) == 1 else f"the {len(paths)} paths given"
        skipped = report.summary.skipped
        sys.stderr.write(f"nnadvisor: warning: no model definitions found in {where} ({skipped} file{'' if skipped == 1 else 's'} skipped)\n")
        if fail_on_empty if fail_on_empty is not None else settings.fail_on_empty:
            raise typer.Exit(EXIT_FINDINGS)
    if not exit_zero and report.worst() >= SEVERITY_RANK[threshold]:
        raise typer.Exit(EXIT_FINDINGS)


def _render_report(report: "Report", fmt: str, rulebase: "RuleBase", *, explain: bool, color: Color, skipped: int) -> str:
    if fmt == "json":
        from nnadvisor.render.json_out import render

        return render(report)
    if fmt == "json-lines":
        from nnadvisor.render.json_lines import render as render_lines

        return render_lines(report)
    if fmt == "sarif":
        from nnadvisor.render.sarif import render as render_sarif

        return render_sarif(report, rulebase.rules)
    if fmt == "github":
        from nnadvisor.render.github import render as render_github

        return render_github(report)
    if fmt == "concise":
        from nnadvisor.render.concise import render as render_concise

        return render_concise(report, color=use_color(color), skipped=skipped)
    from nnadvisor.render.lint_text import render as render_text

    rationales = {r["id"]: r["rationale"] for r in rulebase.rules} if explain else None
    return render_text(report, color=use_color(color), rationales=rationales, skipped=skipped)


def register(app: typer.Typer, name: str | None) -> None:
    if name in (None, "check"):
        app.command("check")(check)
    if name in (None, "lint"):
        app.command("lint", help="Alias of check.")(check)
