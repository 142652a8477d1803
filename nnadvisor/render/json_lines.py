"""One JSON object per finding per line (for ``jq``, log pipelines and streaming consumers)."""

from __future__ import annotations

import json
from dataclasses import asdict

from nnadvisor.findings import Report


def render(report: Report) -> str:
    return "".join(json.dumps(asdict(f), ensure_ascii=False) + "\n" for f in report.findings)
