"""Machine output: plain JSON text, never through a wrapping console."""

from __future__ import annotations

from pydantic import BaseModel


def render(model: BaseModel) -> str:
    return model.model_dump_json(indent=2) + "\n"
