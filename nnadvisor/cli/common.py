"""What the commands share: the error exit, the root options, output choices, the rule base.

Annotations here and in the command modules are evaluated (no ``from __future__ import
annotations``): typer inspects every command parameter, and string annotations would be eval'd.
"""

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from nnadvisor import __version__
from nnadvisor.cli import resume_gc

__all__ = ["resume_gc"]  # before long work: checking files, training demonstrations

if TYPE_CHECKING:
    from nnadvisor.rulebase import RuleBase

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
ColorOpt = Annotated[Color, typer.Option("--color", help="Colour the text output.", case_sensitive=False)]


def fail(message: str) -> NoReturn:
    """A usage or input error: one line on stderr, exit code 2, no traceback."""
    sys.stderr.write(f"nnadvisor: error: {message}\n")
    raise typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"nnadvisor {__version__}\n")
        raise typer.Exit()


def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Recommends and lints a neural network's output activation, loss and optimizer."""


def load_rulebase() -> "RuleBase":
    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.rulebase import load_rulebase as load

    try:
        return load()
    except RuleLoadError as exc:
        fail(f"invalid rule: {exc}")


def use_color(choice: Color) -> bool:
    from nnadvisor.render.style import use_color as decide

    return decide(choice.value, sys.stdout)


def print_demos(names: list[str], output_format: OutputFormat, color: Color, plot: Optional[str] = None) -> None:
    """Run demonstration scenarios and print them (JSON: one object, or a list for several)."""
    from nnadvisor import demos

    resume_gc()

    results = [demos.run(name) for name in names]
    if plot:
        from nnadvisor.render.demo_plot import PlotUnavailableError
        from nnadvisor.render.demo_plot import plot as draw

        try:
            for result in results:
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

    sys.stdout.write("\n".join(render_demo(r, color=use_color(color)) for r in results))
