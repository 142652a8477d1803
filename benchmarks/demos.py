"""Budget: every demonstration scenario at most 3 s, all of them together at most 30 s.

Runs each scenario with its default seeds (0..4) in this process, in registry order, and prints
the wall time of each (as the result's ``seconds`` reports it), the verdict, and the total.
Exit status 1 when a budget is exceeded. Run by hand: ``python benchmarks/demos.py [NAME ...]``.

Set ``NNADVISOR_DEMO_THREADS=keep`` to leave NumPy's BLAS thread count alone (by default the
demonstrations run with one BLAS thread, which is faster for their small matrices).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnadvisor import demos  # noqa: E402

PER_SCENARIO = 3.0
TOTAL = 30.0


def main(argv: list[str]) -> int:
    names = argv or [info.name for info in demos.list_scenarios()]
    t0 = time.perf_counter()
    import numpy  # noqa: F401  (import cost is not part of any scenario)

    print(f"numpy import: {time.perf_counter() - t0:.2f} s")
    total = 0.0
    over = []
    width = max(len(n) for n in names)
    for name in names:
        r = demos.run(name)
        total += r.seconds
        flag = "" if r.seconds <= PER_SCENARIO else "  OVER BUDGET"
        if flag:
            over.append(name)
        v = r.verdict
        print(f"{name:<{width}}  {r.seconds:6.2f} s  {v.recommended_wins}/{v.of}{flag}")
    print(f"{'total':<{width}}  {total:6.2f} s  (budget {TOTAL:g} s; each {PER_SCENARIO:g} s)")
    if total > TOTAL:
        over.append("total")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
