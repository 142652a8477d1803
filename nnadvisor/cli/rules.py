"""``nnadvisor rules`` (the catalogue) and ``nnadvisor rules validate``."""

import sys
from enum import Enum
from typing import Annotated

import typer

from nnadvisor.cli.common import Color, ColorOpt, fail, load_rulebase, use_color


class RulesFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def rules_validate(
    directories: Annotated[list[str], typer.Argument(help="Rule pack directories.")],
) -> None:
    """Validate rule packs like the built-in rules, running every example; exit 2 on the first problem."""
    from pathlib import Path

    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.packs import with_packs

    try:
        with_packs(load_rulebase(), [Path(d) for d in directories])
    except RuleLoadError as exc:
        fail(f"invalid rule: {exc}")
    sys.stdout.write(f"{len(directories)} rule pack{'s' if len(directories) != 1 else ''} valid\n")


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
    rows = load_rulebase().rules
    if output_format is RulesFormat.json:
        import json

        keys = ("id", "name", "severity", "category", "demo")
        sys.stdout.write(json.dumps([{k: r.get(k) for k in keys} for r in rows], indent=2) + "\n")
        return
    from nnadvisor.render.rule_text import rules_table

    sys.stdout.write(rules_table(rows, color=use_color(color)))


def register(app: typer.Typer, name: str | None) -> None:
    rules_app = typer.Typer(help="List the lint rules (or validate a rule pack).", invoke_without_command=True)
    app.add_typer(rules_app, name="rules")
    rules_app.command("validate")(rules_validate)
    rules_app.callback()(rules)
