"""The command line: parse arguments, call the stage that does the work, render, set the exit code.

Imports of anything heavy happen inside the commands that need them, so that ``check`` and
``recommend`` start fast and never import NumPy (budgets.md).
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

# nnadvisor validates only its own small files; pydantic's plugin discovery scans every installed
# distribution's entry points (~10-20 ms of start-up), so it is off unless the user asks for it.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")

import typer  # noqa: E402

from nnadvisor import __version__  # noqa: E402

if TYPE_CHECKING:
    from nnadvisor.rulebase import RuleBase

app = typer.Typer(
    name="nnadvisor",
    help="Recommends and lints a neural network's output activation, loss and optimizer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> NoReturn:
    """A usage or input error: one line on stderr, exit code 2, no traceback."""
    sys.stderr.write(f"nnadvisor: error: {message}\n")
    raise typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"nnadvisor {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Recommends and lints a neural network's output activation, loss and optimizer."""


FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", envvar="NNADVISOR_FORMAT", help="Output format.", case_sensitive=False),
]
ColorOpt = Annotated[Color, typer.Option("--color", help="Colour the text output.", case_sensitive=False)]


def _rulebase() -> RuleBase:
    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.rulebase import load_rulebase

    try:
        return load_rulebase()
    except RuleLoadError as exc:
        fail(f"invalid rule: {exc}")


@app.command("check")
def check(
    paths: Annotated[list[str], typer.Argument(help="Config files, directories (searched recursively), or - for stdin.")],
    output_format: FormatOpt = OutputFormat.text,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Lowest severity that makes the exit code 1.", case_sensitive=False)
    ] = FailOn.error,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even with findings (usage errors still exit 2).")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Add each rule's rationale to the text output.")] = False,
    stdin_filename: Annotated[
        Optional[str], typer.Option("--stdin-filename", help="Name to report for input read from stdin.")
    ] = None,
    color: ColorOpt = Color.auto,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the results cache.")] = False,
) -> None:
    """Lint model configs for activation, loss and optimizer mistakes."""
    from nnadvisor.lint import run_check
    from nnadvisor.result_cache import ResultCache
    from nnadvisor.rulebase import cache_dir, caching_enabled
    from nnadvisor.terms import SEVERITY_RANK

    rulebase = _rulebase()
    cache = ResultCache(cache_dir(), rulebase.fingerprint) if caching_enabled() and not no_cache else None
    report, skipped = run_check(paths, rulebase, stdin_name=stdin_filename or "-", cache=cache)
    if output_format is OutputFormat.json:
        from nnadvisor.render.json_out import render

        sys.stdout.write(render(report))
    else:
        from nnadvisor.render.lint_text import render as render_text
        from nnadvisor.render.style import use_color

        rationales = {r["id"]: r["rationale"] for r in rulebase.rules} if explain else None
        sys.stdout.write(render_text(report, color=use_color(color.value, sys.stdout), rationales=rationales, skipped=skipped))
    for error in report.errors:
        sys.stderr.write(f"nnadvisor: error: {error.file}: {error.message}\n")
    if report.errors:
        raise typer.Exit(EXIT_USAGE)
    if not exit_zero and report.worst() >= SEVERITY_RANK[fail_on.value]:
        raise typer.Exit(EXIT_FINDINGS)


app.command("lint", help="Alias of check.")(check)


@app.command("rules")
def rules(output_format: FormatOpt = OutputFormat.text, color: ColorOpt = Color.auto) -> None:
    """List the lint rules: code, name, severity, category."""
    rows = _rulebase().rules
    if output_format is OutputFormat.json:
        import json

        keys = ("id", "name", "severity", "category", "demo")
        sys.stdout.write(json.dumps([{k: r.get(k) for k in keys} for r in rows], indent=2) + "\n")
        return
    from nnadvisor.render.rule_text import rules_table

    sys.stdout.write(rules_table(rows, color=_color(color)))


def _color(choice: Color) -> bool:
    from nnadvisor.render.style import use_color

    return use_color(choice.value, sys.stdout)


@app.command("explain")
def explain(
    code: Annotated[str, typer.Argument(help="Rule code (NNA101) or name (softmax-with-regression-loss).")],
    output_format: FormatOpt = OutputFormat.text,
    color: ColorOpt = Color.auto,
) -> None:
    """Show one rule: rationale, fix, references and its bad/good examples."""
    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.rulebase import rule_models

    try:
        models = rule_models()
    except RuleLoadError as exc:
        fail(f"invalid rule: {exc}")
    wanted = code.strip()
    match = next((r for r in models if wanted.upper() == r.id or wanted.lower() == r.name), None)
    if match is None:
        import difflib

        names = [r.id for r in models] + [r.name for r in models]
        close = difflib.get_close_matches(wanted, names, n=1)
        fail(f"no rule {code!r}" + (f"; did you mean {close[0]}?" if close else "; `nnadvisor rules` lists them"))
    if output_format is OutputFormat.json:
        from nnadvisor.render.json_out import render

        sys.stdout.write(render(match))
        return
    from nnadvisor.render.rule_text import explain_rule

    sys.stdout.write(explain_rule(match, color=_color(color)))


def main() -> None:
    """Console entry point: no traceback ever reaches the user (NNADVISOR_DEBUG=1 shows it)."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("nnadvisor: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("NNADVISOR_DEBUG"):
            raise
        sys.stderr.write(f"nnadvisor: internal error: {type(exc).__name__}: {exc} (set NNADVISOR_DEBUG=1 for the traceback)\n")
        sys.exit(EXIT_USAGE)
