"""One JSON object per finding per line (for ``jq``, log pipelines and streaming consumers)."""

from __future__ import annotations

import json

from nnadvisor.findings import Report


def render(report: Report) -> str:
    return "".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in report.findings)
