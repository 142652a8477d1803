"""``%load_ext nnadvisor`` then ``%nnadvisor check model [loss] [optimizer] [task=multiclass ...]``.

Names are looked up in the notebook's namespace (the objects already built there: nothing is
evaluated); an argument that names no variable is a path to check, as ``nnadvisor check`` does.
``key=value`` arguments are problem keys (``task=multiclass labels=integer``). The line returns
the :class:`~nnadvisor.findings.Report`, which Jupyter shows as a table.
"""

from __future__ import annotations

import shlex
from typing import Any

USAGE = "usage: %nnadvisor check MODEL [LOSS] [OPTIMIZER] [key=value ...]  |  %nnadvisor check PATH..."


def register(ipython: Any) -> None:
    def nnadvisor(line: str) -> Any:
        return run(line, ipython.user_ns)

    ipython.register_magic_function(nnadvisor, magic_kind="line", magic_name="nnadvisor")


def run(line: str, namespace: dict[str, Any]) -> Any:
    from nnadvisor import api

    words = shlex.split(line)
    if not words or words[0] != "check" or len(words) == 1:
        raise api.UsageError(USAGE)
    problem: dict[str, Any] = {}
    given: list[str] = []
    for word in words[1:]:
        key, equals, value = word.partition("=")
        if equals and key.isidentifier():
            problem[key] = int(value) if value.isdigit() else value
        else:
            given.append(word)
    if given and all(name in namespace for name in given):
        if len(given) > 3:
            raise api.UsageError(USAGE)
        objects = [namespace[name] for name in given] + [None, None]
        return api.check_model(objects[0], objects[1], objects[2], name=given[0], **problem)
    if problem:
        raise api.UsageError("key=value problem keys go with a model: " + USAGE)
    return api.check(given)
