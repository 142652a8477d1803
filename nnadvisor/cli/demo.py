"""``nnadvisor demo``: the NumPy demonstrations."""

import sys
from typing import Annotated, Optional

import typer

from nnadvisor.cli.common import Color, ColorOpt, FormatOpt, OutputFormat, fail, print_demos, use_color


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

            sys.stdout.write(render_list(infos, color=use_color(color)))
        return
    try:
        demos.get_scenario(name)
    except demos.UnknownScenarioError as exc:
        fail(str(exc.args[0]) if exc.args else f"no scenario {name!r}")
    if plot is not None:
        from nnadvisor.render.demo_plot import PlotUnavailableError, check_target

        try:
            check_target(plot)  # before the training: a typo in the path costs nothing
        except PlotUnavailableError as exc:
            fail(str(exc))
    print_demos([name], output_format, color, plot)


def register(app: typer.Typer, name: str | None) -> None:
    app.command("demo")(demo)
