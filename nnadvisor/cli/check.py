"""``nnadvisor check`` (and its alias ``lint``)."""

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from nnadvisor.cli.common import EXIT_FINDINGS, EXIT_USAGE, Color, ColorOpt, fail, resume_gc, use_color

if TYPE_CHECKING:
    from nnadvisor.api import FixOutcome
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
    paths: Annotated[list[str], typer.Argument(metavar="PATH...", help="Config files, directories (searched recursively), or - for stdin.")],
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
    fix: Annotated[bool, typer.Option("--fix", help="Apply the safe fixes to the files, then report what remains.")] = False,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Fixes that change what the model trains (most of them) count too: with --fix, --diff, and the [*] marks.")
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print the fixes as a unified diff instead of writing them (exit 1 if there is any).")] = False,
    fix_only: Annotated[bool, typer.Option("--fix-only", help="Apply the fixes and report only how many were applied (exit 0).")] = False,
    statistics: Annotated[bool, typer.Option("--statistics", help="Print how many findings of each rule instead of the findings (text or json).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print the findings and nothing else: no summary, no notes (errors still go to stderr).")] = False,
    output_file: Annotated[Optional[str], typer.Option("--output-file", "-o", help="Write the report to this file instead of stdout.")] = None,
) -> None:
    """Lint model configs and code for activation, loss and optimizer mistakes."""
    from nnadvisor.api import CheckOptions, UsageError, checker
    from nnadvisor.terms import SEVERITY_RANK

    options = CheckOptions(
        select=_codes(select),
        extend_select=_codes(extend_select),
        ignore=_codes(ignore) if ignore is not None else None,
        fail_on=fail_on.value if fail_on is not None else None,
        fail_on_empty=fail_on_empty,
        output_format=output_format.value if output_format is not None else None,
        input_format=input_format,
        force=force,
        rule_packs=tuple(rule_packs or ()),
        jobs=jobs,
        cache=not no_cache,
        stdin_name=stdin_filename or "-",
    )
    if statistics and (diff or fix_only):
        fail(f"--statistics cannot go with {'--diff' if diff else '--fix-only'}: they print no findings to count")
    try:
        run = checker(options)
    except UsageError as exc:
        fail(str(exc))
    fmt = run.output_format
    resume_gc()
    if fix or diff or fix_only:
        outcome = run.fix_paths(paths, unsafe=unsafe_fixes, write=not diff)
        report, named_skipped = outcome.report, outcome.named_skipped
        for file, codes in outcome.unsettled:
            sys.stderr.write(f"nnadvisor: warning: {file}: not fixed: the fixes of {', '.join(codes)} undo each other here; fix it by hand\n")
        if diff:
            _print_diff(outcome, report)
            _errors_exit(report)
            raise typer.Exit(EXIT_FINDINGS if outcome.files else 0)
        if fix_only:
            count = report.summary.fixed
            sys.stderr.write(f"nnadvisor: fixed {count} finding{'' if count == 1 else 's'} in {len(outcome.files)} file{'' if len(outcome.files) == 1 else 's'}\n")
            _errors_exit(report)
            return
    else:
        progress = _Progress() if sys.stderr.isatty() and fmt in ("text", "concise") and not quiet and output_file is None else None
        report, named_skipped = run.check_paths(paths, progress)
        if progress is not None:
            progress.clear()
    for name in named_skipped if not quiet else ():
        sys.stderr.write(f"nnadvisor: note: {name}: skipped, not a model definition (use --force to check it anyway)\n")
    empty = report.summary.files == 0
    if statistics:
        if fmt not in ("text", "json"):
            fail(f"--statistics writes text or json, not {fmt}")
        from nnadvisor.render.statistics import render as render_statistics

        _write(render_statistics(report, unsafe=unsafe_fixes, as_json=fmt == "json"), output_file)
    elif not (empty and fmt == "text"):  # nothing checked is not "All checks passed"
        columns = _columns() if output_file is None else None
        shown = _render_report(report, fmt, run.rulebase, explain=explain, color=color, skipped=report.summary.skipped, unsafe=unsafe_fixes, quiet=quiet, columns=columns)
        _write(shown, output_file)
    _errors_exit(report)
    if empty and not quiet:
        where = paths[0] if len(paths) == 1 else f"the {len(paths)} paths given"
        skipped = report.summary.skipped
        sys.stderr.write(f"nnadvisor: warning: no model definitions found in {where} ({skipped} file{'' if skipped == 1 else 's'} skipped)\n")
        if run.fail_on_empty:
            raise typer.Exit(EXIT_FINDINGS)
    if not exit_zero and report.worst() >= SEVERITY_RANK[run.fail_on]:
        raise typer.Exit(EXIT_FINDINGS)


class _Progress:
    """``checked 2048 of 6310 files`` on stderr while a long run goes on at a terminal: shown after
    a second, updated at most 5 times a second, erased before the report is printed (never in a
    machine format, a file, a pipe, or under --quiet)."""

    def __init__(self) -> None:
        import time

        self.clock = time.monotonic
        self.start = self.clock()
        self.shown = 0.0

    def __call__(self, read: int, checked: int) -> None:
        now = self.clock()
        if now - self.start < 1.0 or now - self.shown < 0.2:
            return
        self.shown = now
        sys.stderr.write(f"\rnnadvisor: checked {checked} of {read} files read…\x1b[K")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _columns() -> Optional[int]:
    """The terminal's width when stdout is one (text is wrapped there, never in a file or a log)."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def _write(text: str, output_file: Optional[str]) -> None:
    """The report to stdout, or to ``--output-file`` (its directory made, as ruff does)."""
    if output_file is None:
        sys.stdout.write(text)
        return
    from pathlib import Path

    try:
        path = Path(output_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"--output-file {output_file}: cannot write: {exc.strerror or exc}")


def _errors_exit(report: "Report") -> None:
    """Paths that could not be checked (or fixed): one line each on stderr, exit code 2."""
    for error in report.errors:
        sys.stderr.write(f"nnadvisor: error: {error.file}: {error.message}\n")
    if report.errors:
        raise typer.Exit(EXIT_USAGE)


def _print_diff(outcome: "FixOutcome", report: "Report") -> None:
    from nnadvisor.render.fix_diff import render

    sys.stdout.write(render(outcome.files))
    count = sum(len(f.fixed) for f in outcome.files)
    if count:
        sys.stderr.write(f"nnadvisor: would fix {count} finding{'' if count == 1 else 's'} ({len(report.findings)} remaining)\n")
    else:
        sys.stderr.write("nnadvisor: nothing to fix\n")


def _render_report(
    report: "Report", fmt: str, rulebase: "RuleBase", *, explain: bool, color: Color, skipped: int, unsafe: bool, quiet: bool = False, columns: Optional[int] = None
) -> str:
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

        return render_concise(report, color=use_color(color), skipped=skipped, unsafe=unsafe, summary=not quiet)
    from nnadvisor.render.lint_text import render as render_text

    rationales = {r["id"]: r["rationale"] for r in rulebase.rules} if explain else None
    return render_text(report, color=use_color(color), rationales=rationales, skipped=skipped, unsafe=unsafe, columns=columns, summary=not quiet)


def register(app: typer.Typer, name: str | None) -> None:
    if name in (None, "check"):
        app.command("check")(check)
    if name in (None, "lint"):
        app.command("lint", help="Alias of check.")(check)
