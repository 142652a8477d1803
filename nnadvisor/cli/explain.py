"""``nnadvisor explain``: one rule in full (a lint rule, or a recommendation rule NNR...)."""

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nnadvisor.cli.common import Color, ColorOpt, FormatOpt, OutputFormat, fail, load_rulebase, print_demos, resume_gc, use_color

if TYPE_CHECKING:
    from nnadvisor.findings import Finding


def _find(wanted: str, models: list[Any]) -> Any:
    return next((r for r in models if wanted.upper() == r.id or wanted.lower() == r.name), None)


def _example_finding(rule: Any) -> "Finding | None":
    """What ``rule`` reports on its first bad example, evaluated on its own (so that no other
    rule supersedes it): the message and fix with the example's values in place of the templates."""
    from dataclasses import replace

    from nnadvisor.engine.compiled import CompiledRule
    from nnadvisor.lint import check_bytes, check_data

    base = load_rulebase()
    data = base.rule(rule.id)
    if data is None or not rule.examples.bad:
        return None
    solo = replace(base, compiled=(CompiledRule.from_dump(data),))
    example = rule.examples.bad[0]
    if example.config is not None:
        findings = check_data(example.config, solo)
    else:
        findings = check_bytes(example.raw.encode(), "<example>", solo, example.format)
    return next((f for f in findings if f.rule_id == rule.id), None)


def explain(
    code: Annotated[str, typer.Argument(help="Rule code (NNA101, NNR120) or name (softmax-with-regression-loss).")],
    output_format: FormatOpt = OutputFormat.text,
    run_demo: Annotated[bool, typer.Option("--demo", help="Also run the rule's NumPy demonstration.")] = False,
    color: ColorOpt = Color.auto,
) -> None:
    """Show one rule: rationale, fix, references and its examples (lint rules NNA..., recommendation rules NNR...)."""
    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.rulebase import recommend_models, rule_models

    wanted = code.strip()
    try:
        models = rule_models()
        match = _find(wanted, models)
        recommend = recommend_models() if match is None else []
    except RuleLoadError as exc:
        fail(f"invalid rule: {exc}")
    if match is None:
        match = _find(wanted, recommend)
    if match is None:
        import difflib

        names = [r.id for r in [*models, *recommend]] + [r.name for r in [*models, *recommend]]
        close = difflib.get_close_matches(wanted.upper() if wanted[:1].isalpha() and wanted[-1:].isdigit() else wanted, names, n=1)
        fail(f"no rule {code!r}" + (f"; did you mean {close[0]}?" if close else "; `nnadvisor rules` and `nnadvisor rules --recommend` list them"))
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
    from nnadvisor.render.rule_text import explain_recommend_rule, explain_rule

    if match in recommend:
        sys.stdout.write(explain_recommend_rule(match, color=use_color(color)))
    else:
        sys.stdout.write(explain_rule(match, color=use_color(color), example=_example_finding(match)))
    if run_demo:
        assert match.demo is not None
        sys.stdout.write("\n")
        print_demos([match.demo], output_format, color)


def register(app: typer.Typer, name: str | None) -> None:
    app.command("explain")(explain)
