"""``nnadvisor rules`` (the catalogue), ``rules --recommend``, ``rules --paths`` and ``rules validate``."""

import sys
from enum import Enum
from typing import Annotated, Any

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


def _paths() -> list[dict[str, Any]]:
    """The fact paths conditions, placeholders and ``at`` may name, from the code: facts.py for
    lint rules (``item.*`` under ``for_each``), problem.py for recommendation rules."""
    from nnadvisor.facts import ITEM_PATHS, PATHS, PathType
    from nnadvisor.problem import PROBLEM_PATHS

    def row(path: str, t: PathType, scope: str) -> dict[str, Any]:
        return {"path": path, "type": t.kind, "values": list(t.choices) if t.choices else None, "meaning": t.doc, "rules": scope}

    rows = [row(path, t, "lint") for path, t in PATHS.items()]
    for for_each, paths in ITEM_PATHS.items():
        rows += [row(f"item.{path}", t, f"lint, for_each: {for_each}") for path, t in paths.items()]
    rows += [row(path, t, "recommend") for path, t in PROBLEM_PATHS.items()]
    return rows


def _paths_text(rows: list[dict[str, Any]]) -> str:
    width = max(len(r["path"]) for r in rows)
    lines: list[str] = []
    for scope in dict.fromkeys(r["rules"] for r in rows):
        title = {"lint": "Lint rules (rules/lint/)", "recommend": "Recommendation rules (rules/recommend/)"}.get(scope, f"Lint rules with {scope[6:]}")
        lines += ([""] if lines else []) + [f"{title}:", f"  {'path':<{width}}  {'type':<6}  values; meaning"]
        for r in (r for r in rows if r["rules"] == scope):
            parts = [" | ".join(r["values"])] if r["values"] else []
            if r["meaning"]:
                parts.append(r["meaning"])
            lines.append(f"  {r['path']:<{width}}  {r['type']:<6}  {'; '.join(parts)}".rstrip())
    return "\n".join(lines) + "\n"


def rules(
    ctx: typer.Context,
    output_format: Annotated[RulesFormat, typer.Option("--format", "-f", help="Output format (markdown: the full catalogue, as docs/rules.md).", case_sensitive=False)] = RulesFormat.text,
    recommend: Annotated[bool, typer.Option("--recommend", help="List the recommendation rules (NNR...) instead.")] = False,
    paths: Annotated[bool, typer.Option("--paths", help="List the fact paths rule conditions can use.")] = False,
    color: ColorOpt = Color.auto,
) -> None:
    """List the lint rules: code, name, severity, category (--recommend: the recommendation rules)."""
    if ctx.invoked_subcommand is not None:
        return
    if recommend and paths:
        fail("--recommend and --paths list different things: give one")
    if paths:
        if output_format is RulesFormat.markdown:
            fail("--paths is listed as text or json")
        if output_format is RulesFormat.json:
            import json

            sys.stdout.write(json.dumps(_paths(), indent=2) + "\n")
        else:
            sys.stdout.write(_paths_text(_paths()))
        return
    if output_format is RulesFormat.markdown:
        from nnadvisor.render.rules_markdown import render as render_markdown
        from nnadvisor.rulebase import recommend_models, rule_models

        sys.stdout.write(render_markdown(rule_models(), recommend_models()))
        return
    base = load_rulebase()
    if recommend:
        listed = base.recommend_data["rules"]
        if output_format is RulesFormat.json:
            import json

            keys = ("id", "name", "priority", "when", "choose", "notes", "demo")
            sys.stdout.write(json.dumps([{k: r.get(k) for k in keys} for r in listed], indent=2) + "\n")
            return
        from nnadvisor.render.rule_text import recommend_table

        sys.stdout.write(recommend_table(listed, color=use_color(color)))
        return
    if output_format is RulesFormat.json:
        import json

        columns = ("id", "name", "severity", "category", "demo")
        sys.stdout.write(json.dumps([{k: r.get(k) for k in columns} for r in base.rules], indent=2) + "\n")
        return
    from nnadvisor.render.rule_text import rules_table

    sys.stdout.write(rules_table(base.rules, color=use_color(color)))


def register(app: typer.Typer, name: str | None) -> None:
    rules_app = typer.Typer(help="List the lint rules (--recommend: recommendation rules, --paths: fact paths), or validate a rule pack.", invoke_without_command=True)
    app.add_typer(rules_app, name="rules")
    rules_app.command("validate")(rules_validate)
    rules_app.callback()(rules)
