"""Where the file applies a loss: ``criterion(pred, target)`` for a loss object built anywhere
(a module-level name, ``self.criterion``, a parameter given one), ``nn.XLoss()(pred, y)`` inline,
and functional losses (``F.cross_entropy(pred, y)``). Each application is read with its
prediction argument (never the target) and the loss's own arguments."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from nnadvisor.readers._model import Part
from nnadvisor.readers.python.evaluate import arg, is_number
from nnadvisor.readers.python.index import CallSite
from nnadvisor.readers.python.span import location
from nnadvisor.readers.pytorch.context import Context
from nnadvisor.source import Location


@dataclass(frozen=True, eq=False)
class Application:
    """One call that computes a loss."""

    name: str
    part: Part | None
    """The loss as the config gives it; ``None`` for a loss the reader cannot name (custom)."""
    site: CallSite
    pred: ast.expr | None
    """The prediction argument (what the model output must be right for)."""


def loss_param(key: str, value: Any) -> tuple[bool, Any]:
    """Whether ``value`` is one nnadvisor reads for the loss argument of config key ``key``, and
    the value as read (a one-element ``pos_weight`` list is its number). The source reader and
    the live reader (:mod:`nnadvisor.live.objects`) accept the same values."""
    if key == "pos_weight" and isinstance(value, list) and len(value) == 1:
        value = value[0]
    numbers = isinstance(value, list) and bool(value) and all(is_number(v) for v in value)
    if key == "reduction":
        return isinstance(value, str), value
    if key == "ignore_index":
        return isinstance(value, int) and not isinstance(value, bool), value
    if key == "weight":
        return numbers, value
    return is_number(value) or (key == "pos_weight" and numbers), value


def loss_part(ctx: Context, name: str, call: ast.Call, env: dict[str, Any] | None = None) -> Part:
    """The loss and its arguments (``label_smoothing``, ``pos_weight``, ``delta``...), located."""
    here = location(call)
    spec: dict[str, Any] = {"name": name}
    at: dict[str, Location] = {"": here, "name": here}
    for kw in call.keywords:
        key = ctx.cat.loss_params.get(kw.arg or "")
        if key is None:
            continue
        ok, value = loss_param(key, ctx.ev.literal(kw.value, env))
        if ok:
            spec[key] = value
            at[key] = location(kw.value)
        elif key in ("delta", "label_smoothing"):
            ctx.note(kw.value, f"{kw.arg} of {name} at line {kw.value.lineno} is not a literal: it is unknown")
    return Part(spec if len(spec) > 1 else name, at)


def _written(func: ast.expr) -> str | None:
    """A dotted name as written (``F.cross_entropy``, ``torch.nn.functional.cross_entropy``)."""
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None
    return ".".join([func.id, *reversed(parts)])


def functional_applications(ctx: Context) -> list[Application]:
    """``F.cross_entropy(pred, y)`` and the other loss functions of the catalogue."""
    out: list[Application] = []
    functions = ctx.cat.loss_functions
    for site in ctx.index.calls:
        q = ctx.qual(site.call.func)
        if q is None or q not in functions:
            continue
        name, place = functions[q]
        written = _written(site.call.func) or name  # F.cross_entropy, as the user wrote it (messages name it so)
        part = loss_part(ctx, written, site.call) if q.startswith("torch.") else Part(written, {"": location(site.call)})
        out.append(Application(name, part, site, arg(site.call, place)))
    return out


def constructors(ctx: Context) -> list[CallSite]:
    """Calls that build a loss object of torch.nn (``nn.CrossEntropyLoss(...)``)."""
    cat = ctx.cat
    return [site for site in ctx.index.calls if cat.loss_class(ctx.qual(site.call.func)) is not None]
