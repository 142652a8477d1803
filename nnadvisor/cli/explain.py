"""``nnadvisor explain``: one rule in full."""

import sys
from typing import Annotated

import typer

from nnadvisor.cli.common import Color, ColorOpt, FormatOpt, OutputFormat, fail, print_demos, resume_gc, use_color


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
            resume_gc()
            sys.stdout.write(render({"rule": match.model_dump(mode="json", by_alias=True), "demo": demos.run(match.demo).model_dump(mode="json")}))
        else:
            sys.stdout.write(render(match))
        return
    from nnadvisor.render.rule_text import explain_rule

    sys.stdout.write(explain_rule(match, color=use_color(color)))
    if run_demo:
        assert match.demo is not None
        sys.stdout.write("\n")
        print_demos([match.demo], output_format, color)


def register(app: typer.Typer, name: str | None) -> None:
    app.command("explain")(explain)
