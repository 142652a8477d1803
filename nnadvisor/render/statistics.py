"""``check --statistics``: how many findings of each rule, most frequent first (ruff's
``--statistics``): ``  12  NNA101  [*] softmax-with-regression-loss``, where ``[*]`` says the
rule's findings are all fixable with the fix options given; JSON: a list of objects."""

from __future__ import annotations

import json
from collections import Counter

from nnadvisor.findings import Report
from nnadvisor.render.lint_text import fixable


def counts(report: Report, unsafe: bool = False) -> list[dict[str, object]]:
    by_code = Counter(f.rule_id for f in report.findings)
    names = {f.rule_id: f.name for f in report.findings}
    fixes = Counter(f.rule_id for f in report.findings if fixable(f, unsafe))
    ordered = sorted(by_code, key=lambda code: (-by_code[code], code))
    return [{"code": code, "name": names[code], "count": by_code[code], "fixable": fixes[code]} for code in ordered]


def render(report: Report, *, unsafe: bool = False, as_json: bool = False) -> str:
    rows = counts(report, unsafe)
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return ""
    width = max(len(str(r["count"])) for r in rows)
    return "".join(f"{r['count']:>{width}}  {r['code']}  {'[*] ' if r['fixable'] == r['count'] else '    '}{r['name']}\n" for r in rows)
