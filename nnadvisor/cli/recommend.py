"""``nnadvisor recommend``: a problem description in, a recommendation (or a config) out."""

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from nnadvisor.cli.common import Color, ColorOpt, FormatOpt, OutputFormat, fail, print_demos, resume_gc, use_color
from nnadvisor.terms import Architecture, Framework, LabelFormat, Outliers, Task, TargetRange, TuningBudget


def _choices(name: str, literal: object) -> type[Enum]:
    """An Enum of a ``Literal``'s values, for typer's choice parsing and help."""
    from nnadvisor.terms import values

    return Enum(name, [(v.replace("-", "_"), v) for v in values(literal)], type=str)  # type: ignore[return-value]


TaskChoice = _choices("TaskChoice", Task)
LabelsChoice = _choices("LabelsChoice", LabelFormat)
RangeChoice = _choices("RangeChoice", TargetRange)
OutliersChoice = _choices("OutliersChoice", Outliers)
ArchitectureChoice = _choices("ArchitectureChoice", Architecture)
FrameworkChoice = _choices("FrameworkChoice", Framework)
BudgetChoice = _choices("BudgetChoice", TuningBudget)


class Emit(str, Enum):
    config = "config"
    keras = "keras"
    pytorch = "pytorch"


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
    emit: Annotated[Optional[Emit], typer.Option("--emit", help="Print only a model config (YAML; JSON with --format json) or the Keras or PyTorch code.", case_sensitive=False)] = None,
    output_format: FormatOpt = OutputFormat.text,
    no_code: Annotated[bool, typer.Option("--no-code", help="Leave the Keras and PyTorch code out of the text output.")] = False,
    run_demo: Annotated[bool, typer.Option("--demo", help="Also run the NumPy demonstrations behind the rules that fired.")] = False,
    color: ColorOpt = Color.auto,
) -> None:
    """Recommend the output activation, loss, optimizer and hidden activation for a problem."""
    from nnadvisor.api import UsageError, advise

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
    if emit is not None and run_demo:
        fail(f"--demo cannot go with --emit {emit.value}: --emit prints only the {emit.value} {'config' if emit is Emit.config else 'code'}")
    if emit is not None and emit is not Emit.config and output_format is OutputFormat.json:
        fail(f"--emit {emit.value} prints Python code: --format json goes with --emit config (or without --emit)")
    try:
        rec, rulebase = advise(given, snippets=emit is not Emit.config)
    except UsageError as exc:
        fail(str(exc))
    if emit is Emit.config:
        from nnadvisor.recommender.emit import EmitError, to_json, to_yaml

        try:
            sys.stdout.write(to_json(rec) if output_format is OutputFormat.json else to_yaml(rec))
        except EmitError as exc:
            fail(str(exc))
        return
    from nnadvisor.recommender.snippets import code_names

    if emit is not None:
        sys.stdout.write(rec.snippets[emit.value])
        return
    if output_format is OutputFormat.json:
        from nnadvisor.render.json_out import render

        data = rec.to_dict()
        if run_demo:
            from nnadvisor import demos

            resume_gc()
            data["demo_results"] = [demos.run(name).model_dump(mode="json") for name in rec.demos]
        sys.stdout.write(render(data))
        return
    from nnadvisor.render.recommend_text import render as render_text

    framework = rec.problem.facts.get("framework")
    names = code_names(rec, rulebase.snippets, framework) if framework in ("keras", "pytorch") else None
    sys.stdout.write(render_text(rec, color=use_color(color), code=not no_code, names=names))
    if run_demo and rec.demos:
        sys.stdout.write("\n")
        print_demos(rec.demos, output_format, color)


def register(app: typer.Typer, name: str | None) -> None:
    app.command("recommend")(recommend)
