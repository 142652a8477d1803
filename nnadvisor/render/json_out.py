"""Machine output: plain JSON text, never through a wrapping console."""

from __future__ import annotations

import json
from typing import Any


def render(data: Any) -> str:
    """``data``: a pydantic model, an object with ``to_dict()``, or plain JSON data."""
    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json")
    elif hasattr(data, "to_dict"):
        data = data.to_dict()
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
