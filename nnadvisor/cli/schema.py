"""``nnadvisor schema``: the JSON Schema of an input or an output document."""

import sys
from enum import Enum
from typing import Annotated

import typer


class SchemaName(str, Enum):
    config = "config"
    problem = "problem"
    report = "report"
    recommendation = "recommendation"


def schema(name: Annotated[SchemaName, typer.Argument(help="Which document.", case_sensitive=False)]) -> None:
    """Print the JSON Schema of an input (config, problem) or an output (report, recommendation)."""
    import json

    if name is SchemaName.config:
        from nnadvisor.config import ModelConfig
        from nnadvisor.config_schema import json_schema

        document = json_schema(ModelConfig)  # cached with the config format's core schema
    else:
        from pydantic import TypeAdapter

        if name is SchemaName.problem:
            from nnadvisor.problem import ProblemDescription as target
        elif name is SchemaName.report:
            from nnadvisor.findings import Report as target  # type: ignore[assignment]
        else:
            from nnadvisor.recommender.model import Recommendation as target  # type: ignore[assignment]
        document = TypeAdapter(target).json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document.setdefault("title", f"nnadvisor {name.value}")
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def register(app: typer.Typer, name: str | None) -> None:
    app.command("schema")(schema)
