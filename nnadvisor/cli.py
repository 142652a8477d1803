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
    from nnadvisor.findings import Report
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
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
ColorOpt = Annotated[Color, typer.Option("--color", help="Colour the text output.", case_sensitive=False)]


def _rulebase() -> RuleBase:
    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.rulebase import load_rulebase

    try:
        return load_rulebase()
    except RuleLoadError as exc:
        fail(f"invalid rule: {exc}")


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    json_lines = "json-lines"
    sarif = "sarif"
    github = "github"


def _codes(values: Optional[list[str]]) -> list[str]:
    """Repeatable and comma-separated: ``--select NNA1,NNA2 --select NNA5``."""
    return [code for value in values or [] for code in value.split(",") if code.strip()]


@app.command("check")
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
    rulebase = _rulebase()
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
    report, skipped = run_check(paths, rulebase, fmt=input_format, stdin_name=stdin_filename or "-", cache=cache, jobs=processes)
    report = sel.apply(report, chosen)
    sys.stdout.write(_render_report(report, fmt, rulebase, explain=explain, color=color, skipped=skipped))
    for error in report.errors:
        sys.stderr.write(f"nnadvisor: error: {error.file}: {error.message}\n")
    if report.errors:
        raise typer.Exit(EXIT_USAGE)
    if not exit_zero and report.worst() >= SEVERITY_RANK[threshold]:
        raise typer.Exit(EXIT_FINDINGS)


def _render_report(report: Report, fmt: str, rulebase: RuleBase, *, explain: bool, color: Color, skipped: int) -> str:
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
    from nnadvisor.render.lint_text import render as render_text

    rationales = {r["id"]: r["rationale"] for r in rulebase.rules} if explain else None
    return render_text(report, color=_color(color), rationales=rationales, skipped=skipped)


app.command("lint", help="Alias of check.")(check)


class RulesFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


rules_app = typer.Typer(help="List the lint rules (or validate a rule pack).", invoke_without_command=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("validate")
def rules_validate(
    directories: Annotated[list[str], typer.Argument(help="Rule pack directories.")],
) -> None:
    """Validate rule packs like the built-in rules, running every example; exit 2 on the first problem."""
    from pathlib import Path

    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.packs import with_packs

    try:
        with_packs(_rulebase(), [Path(d) for d in directories])
    except RuleLoadError as exc:
        fail(f"invalid rule: {exc}")
    sys.stdout.write(f"{len(directories)} rule pack{'s' if len(directories) != 1 else ''} valid\n")


@rules_app.callback()
def rules(
    ctx: typer.Context,
    output_format: Annotated[RulesFormat, typer.Option("--format", "-f", help="Output format (markdown: the full catalogue, as docs/rules.md).", case_sensitive=False)] = RulesFormat.text,
    color: ColorOpt = Color.auto,
) -> None:
    """List the lint rules: code, name, severity, category."""
    if ctx.invoked_subcommand is not None:
        return
    if output_format is RulesFormat.markdown:
        from nnadvisor.render.rules_markdown import render as render_markdown
        from nnadvisor.rulebase import rule_models

        sys.stdout.write(render_markdown(rule_models()))
        return
    rows = _rulebase().rules
    if output_format is RulesFormat.json:
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
    run_demo: Annotated[bool, typer.Option("--demo", help="Also run the rule's NumPy demonstration.")] = False,
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
    if run_demo and not match.demo:
        fail(f"{match.id} has no demonstration")
    if output_format is OutputFormat.json:
        from nnadvisor.render.json_out import render

        if run_demo:
            from nnadvisor import demos

            assert match.demo is not None
            sys.stdout.write(render({"rule": match.model_dump(mode="json", by_alias=True), "demo": demos.run(match.demo).model_dump(mode="json")}))
        else:
            sys.stdout.write(render(match))
        return
    from nnadvisor.render.rule_text import explain_rule

    sys.stdout.write(explain_rule(match, color=_color(color)))
    if run_demo:
        assert match.demo is not None
        sys.stdout.write("\n")
        _print_demos([match.demo], output_format, color)


def _choices(name: str, literal: object) -> type[Enum]:
    """An Enum of a ``Literal``'s values, for typer's choice parsing and help."""
    from nnadvisor.terms import values

    return Enum(name, [(v.replace("-", "_"), v) for v in values(literal)], type=str)  # type: ignore[return-value]


from nnadvisor.terms import Architecture, Framework, LabelFormat, Outliers, Task, TargetRange, TuningBudget  # noqa: E402

TaskChoice = _choices("TaskChoice", Task)
LabelsChoice = _choices("LabelsChoice", LabelFormat)
RangeChoice = _choices("RangeChoice", TargetRange)
OutliersChoice = _choices("OutliersChoice", Outliers)
ArchitectureChoice = _choices("ArchitectureChoice", Architecture)
FrameworkChoice = _choices("FrameworkChoice", Framework)
BudgetChoice = _choices("BudgetChoice", TuningBudget)


class Emit(str, Enum):
    config = "config"


@app.command("recommend")
def recommend(
    task: Annotated[Optional[TaskChoice], typer.Option(help="The task (required unless --problem gives it).", case_sensitive=False)] = None,  # type: ignore[valid-type]
    labels: Annotated[Optional[LabelsChoice], typer.Option(help="Label format.", case_sensitive=False)] = None,  # type: ignore[valid-type]
    num_classes: Annotated[Optional[int], typer.Option(help="Number of classes (classification).")] = None,
    target_range: Annotated[Optional[RangeChoice], typer.Option(help="Range of regression targets.", case_sensitive=False)] = None,  # type: ignore[valid-type]
    outliers: Annotated[Optional[OutliersChoice], typer.Option(help="Gross outliers among regression targets.", case_sensitive=False)] = None,  # type: ignore[valid-type]
    depth: Annotated[Optional[int], typer.Option(min=0, help="Number of hidden layers.")] = None,
    architecture: Annotated[Optional[ArchitectureChoice], typer.Option(help="Network family.", case_sensitive=False)] = None,  # type: ignore[valid-type]
    framework: Annotated[Optional[FrameworkChoice], typer.Option(help="Framework the code is for.", case_sensitive=False)] = None,  # type: ignore[valid-type]
    samples: Annotated[Optional[int], typer.Option(min=1, help="Number of training examples.")] = None,
    sparse_features: Annotated[Optional[bool], typer.Option("--sparse-features/--dense-features", help="Sparse inputs (bag of words, one-hot ids).")] = None,
    tuning_budget: Annotated[Optional[BudgetChoice], typer.Option(help="Time to tune learning-rate schedules by hand.", case_sensitive=False)] = None,  # type: ignore[valid-type]
    imbalance: Annotated[Optional[float], typer.Option(min=1.0, help="Majority/minority class ratio.")] = None,
    problem: Annotated[Optional[str], typer.Option("--problem", help="Problem description file (YAML/JSON); flags override it.")] = None,
    emit: Annotated[Optional[Emit], typer.Option("--emit", help="Print the recommendation as a model config instead.")] = None,
    output_format: FormatOpt = OutputFormat.text,
    no_code: Annotated[bool, typer.Option("--no-code", help="Leave the Keras and PyTorch code out of the text output.")] = False,
    run_demo: Annotated[bool, typer.Option("--demo", help="Also run the NumPy demonstrations behind the rules that fired.")] = False,
    color: ColorOpt = Color.auto,
) -> None:
    """Recommend the output activation, loss, optimizer and hidden activation for a problem."""
    from nnadvisor.recommend.engine import ProblemError
    from nnadvisor.recommend.engine import recommend as run_recommend

    flags = {
        "task": task, "labels": labels, "num_classes": num_classes, "target_range": target_range,
        "outliers": outliers, "depth": depth, "architecture": architecture, "framework": framework,
        "samples": samples, "sparse_features": sparse_features, "tuning_budget": tuning_budget,
        "imbalance": imbalance,
    }  # fmt: skip
    given: dict[str, object] = {}
    if problem:
        from nnadvisor.problem import ProblemFileError, read_problem

        try:
            given = read_problem(sys.stdin.buffer.read() if problem == "-" else None, problem)
        except ProblemFileError as exc:
            fail(str(exc))
    given.update({k: (v.value if isinstance(v, Enum) else v) for k, v in flags.items() if v is not None})
    if "task" not in given:
        fail("--task is required (regression, binary, multiclass or multilabel), or give it in --problem")
    rulebase = _rulebase()
    try:
        rec = run_recommend(given, rulebase.recommend)
    except ProblemError as exc:
        fail(str(exc))
    if emit is Emit.config:
        from nnadvisor.recommend.emit import EmitError, to_yaml

        try:
            sys.stdout.write(to_yaml(rec))
        except EmitError as exc:
            fail(str(exc))
        return
    from nnadvisor.recommend.snippets import render_snippets

    rec.snippets = render_snippets(rec, rulebase.snippets)
    if output_format is OutputFormat.json:
        from nnadvisor.render.json_out import render

        data = rec.to_dict()
        if run_demo:
            from nnadvisor import demos

            data["demo_results"] = [demos.run(name).model_dump(mode="json") for name in rec.demos]
        sys.stdout.write(render(data))
        return
    from nnadvisor.render.recommend_text import render as render_text

    sys.stdout.write(render_text(rec, color=_color(color), code=not no_code))
    if run_demo and rec.demos:
        sys.stdout.write("\n")
        _print_demos(rec.demos, output_format, color)


def _print_demos(names: list[str], output_format: OutputFormat, color: Color, plot: str | None = None) -> None:
    """Run demonstration scenarios and print them (JSON: one object, or a list for several)."""
    from nnadvisor import demos

    results = [demos.run(name) for name in names]
    if plot:
        from nnadvisor.render.demo_plot import PlotUnavailableError
        from nnadvisor.render.demo_plot import plot as draw

        try:
            for i, result in enumerate(results):
                target = plot if len(results) == 1 else plot.replace(".png", f"-{result.scenario}.png")
                draw(result, target)
                sys.stderr.write(f"nnadvisor: wrote {target}\n")
        except PlotUnavailableError as exc:
            fail(str(exc))
    if output_format is OutputFormat.json:
        from nnadvisor.render.json_out import render

        sys.stdout.write(render(results[0] if len(results) == 1 else [r.model_dump(mode="json") for r in results]))
        return
    from nnadvisor.render.demo_text import render_demo

    sys.stdout.write("\n".join(render_demo(r, color=_color(color)) for r in results))


@app.command("demo")
def demo(
    name: Annotated[Optional[str], typer.Argument(help="Scenario to run; without one, list the scenarios.")] = None,
    output_format: FormatOpt = OutputFormat.text,
    plot: Annotated[Optional[str], typer.Option("--plot", help="Also draw the loss curves to this PNG file (needs matplotlib).")] = None,
    color: ColorOpt = Color.auto,
) -> None:
    """Run a NumPy demonstration that backs a piece of advice with numbers."""
    from nnadvisor import demos

    if name is None:
        infos = demos.list_scenarios()
        if output_format is OutputFormat.json:
            import json

            sys.stdout.write(json.dumps([{"name": i.name, "claim": i.claim, "rules": list(i.rules)} for i in infos], indent=2) + "\n")
        else:
            from nnadvisor.render.demo_text import render_list

            sys.stdout.write(render_list(infos, color=_color(color)))
        return
    try:
        demos.get_scenario(name)
    except demos.UnknownScenarioError as exc:
        fail(str(exc.args[0]) if exc.args else f"no scenario {name!r}")
    _print_demos([name], output_format, color, plot)


class SchemaName(str, Enum):
    config = "config"
    problem = "problem"
    report = "report"
    recommendation = "recommendation"


@app.command("schema")
def schema(name: Annotated[SchemaName, typer.Argument(help="Which document.", case_sensitive=False)]) -> None:
    """Print the JSON Schema of an input (config, problem) or an output (report, recommendation)."""
    import json

    from pydantic import TypeAdapter

    from nnadvisor.config import ModelConfig
    from nnadvisor.findings import Report
    from nnadvisor.problem import ProblemDescription
    from nnadvisor.recommend.model import Recommendation

    target = {"config": ModelConfig, "problem": ProblemDescription, "report": Report, "recommendation": Recommendation}[name.value]
    document = TypeAdapter(target).json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document.setdefault("title", f"nnadvisor {name.value}")
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


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
