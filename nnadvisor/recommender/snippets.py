"""Ready-to-paste Keras 3 and PyTorch code for a recommendation.

:func:`render_snippets` is pure string templating over the validated content of
``rules/recommend/snippets.yaml`` (the API knowledge lives there; see
:mod:`nnadvisor.recommender.snippet_file`): it imports no numpy, torch, keras or rich, so that
``recommend`` keeps its start-up budget.

Each snippet is a complete small program: a model for the problem's architecture and depth, the
output layer, the loss and the optimizer with their parameters, then ``model.compile`` (Keras)
or a ``train_step(x, y)`` function (PyTorch). A slot the rules left undecided, or a name or
parameter the YAML cannot express, becomes a ``# TODO`` comment rather than a guess.

PyTorch differences from the recommendation as written, by design: a crossentropy-type loss
with ``from_logits`` false after the matching sigmoid/softmax output is written in its logits
form (the activation is folded into the loss, e.g. ``nn.BCEWithLogitsLoss``, and applied at
inference), which is the same model computed stably; ``clipnorm`` becomes a
``clip_grad_norm_`` call in ``train_step``.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from string import Template
from typing import Any

from nnadvisor.recommender.model import Recommendation

_BLOCK = re.compile(r"^([ \t]*)\$\{(\w+)\}[ \t]*$")
CLASS_WEIGHTS = "class-weights"
"""The topic of the recommendation note (NNR320) that puts class weights into the code."""
_INIT_PARAMS = ("initializer", "recurrent_initializer")
_LOSS_FORMS = ("scores", "logits", "probabilities", "log_probabilities")
_PROBLEM_ORDER = (
    "task", "labels", "num_classes", "target_range", "outliers", "imbalance", "architecture", "depth",
    "framework", "samples", "sparse_features", "tuning_budget",
)  # fmt: skip


@lru_cache(maxsize=512)
def _parse(template: str) -> tuple[tuple[str, str] | Template, ...]:
    """Each line of ``template``: (indent, name) for a block placeholder, else a Template."""
    parsed: list[tuple[str, str] | Template] = []
    for line in template.splitlines():
        block = _BLOCK.match(line)
        parsed.append((block.group(1), block.group(2)) if block else Template(line))
    return tuple(parsed)


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with its ``${placeholders}`` replaced from ``values``.

    A placeholder alone on its line is a block: each line of the value is indented like the
    placeholder, and an empty value removes the line. Raises KeyError for a missing value.
    """
    out: list[str] = []
    for line in _parse(template):
        if isinstance(line, Template):
            out.append(line.substitute(values))
        else:
            indent, name = line
            out.extend(indent + part if part.strip() else "" for part in values[name].splitlines())
    return "\n".join(out)


@lru_cache(maxsize=512)
def _names(template: str) -> frozenset[str]:
    return frozenset(Template(template).get_identifiers())


def _py(value: Any) -> str:
    """A parameter value as Python source."""
    return repr(value)


def _tidy(code: str) -> str:
    """Blank lines as PEP 8 has them: two around top-level ``def`` and ``class`` (with their
    leading comments), at most one elsewhere (empty template blocks leave stray ones); no
    trailing spaces; one final newline."""
    lines: list[str] = []
    for line in code.strip("\n").splitlines():
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    two: set[int] = set()
    for i, line in enumerate(lines):
        if line.startswith(("def ", "class ")):
            start = i
            while start > 0 and lines[start - 1].startswith("#"):
                start -= 1
            end = i + 1
            while end < len(lines) and (not lines[end] or lines[end][0].isspace()):
                end += 1
            two.update({start, end})
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in two and out:
            while out and not out[-1]:
                out.pop()
            out += ["", ""]
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def _comment(text: str, prefix: str = "# ") -> str:
    """``text`` as comment lines of at most 99 characters; continuation lines align with the text."""
    indent = "#" + " " * (len(prefix) - 1)
    return "\n".join(textwrap.wrap(" ".join(text.split()), width=99, initial_indent=prefix, subsequent_indent=indent))


def _todo(text: str) -> str:
    return _comment(text, "# TODO: ")


@dataclass
class _Notes:
    """The TODO comments of one snippet (shown at the top of the loss/optimizer section)."""

    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> str:
        line = _todo(text)
        if line not in self.lines:
            self.lines.append(line)
        return line

    def block(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class _Problem:
    """What the templates need from the recommendation, computed once."""

    rec: Recommendation
    facts: dict[str, Any]
    task: str
    labels: str | None
    architecture: str
    depth: int
    units: str
    needs_k: bool
    shapes: dict[str, str]
    weighted: bool = False
    """A recommendation note says to weight the classes (topic class-weights): the code does."""

    @classmethod
    def of(cls, rec: Recommendation, templates: dict[str, Any]) -> _Problem:
        facts = rec.problem.facts
        task = str(facts.get("task", "regression"))
        architecture = str(facts.get("architecture") or "mlp")
        depth = int(facts.get("depth") or 0)
        units_param = rec.output_activation.params.get("units")
        if units_param is not None:
            units = str(units_param)
        elif task in ("multiclass", "multilabel"):
            units = str(facts["num_classes"]) if facts.get("num_classes") is not None else "K"
        else:
            units = "1"
        raw = templates["shapes"]
        height, width_px, channels = raw["image"]
        shapes = {k: str(v) for k, v in raw.items() if k != "image"}
        shapes.update(height=str(height), width_px=str(width_px), channels=str(channels), key_dim=str(raw["width"] // raw["heads"]))
        labels = facts.get("labels")
        weighted = any(note.topic == CLASS_WEIGHTS for note in rec.notes) and facts.get("imbalance") is not None
        return cls(rec, facts, task, None if labels is None else str(labels), architecture, depth, units, units == "K", shapes, weighted)

    def weight_values(self) -> dict[str, str]:
        return {"ratio": _py(float(self.facts["imbalance"])), "units": self.units}

    def header(self, framework: str) -> str:
        shown = [k for k in _PROBLEM_ORDER if k in self.facts] + [k for k in self.facts if k not in _PROBLEM_ORDER]
        problem = ", ".join(f"{k}={self.facts[k]}" for k in shown)
        lines = [f"# nnadvisor recommendation as {framework} code", _comment(f"problem: {problem}")]
        for slot, choice in self.rec.slots().items():
            label = slot.replace("_", " ")
            if slot == "hidden_activation" and self.depth == 0:
                lines.append("# hidden layers: none (depth 0)")
            elif choice.name is None:
                lines.append(_todo(f"{label}: {choice.rationale}; choose one"))
            else:
                params = ", ".join(f"{k}={_py(v)}" for k, v in choice.params.items())
                lines.append(_comment(f"{label}: {choice.name}" + (f" ({params})" if params else "")))
        return "\n".join(lines)

    def constants(self, arch: dict[str, Any]) -> str:
        lines = []
        if arch.get("constants"):
            lines.append(fill(arch["constants"], self.shapes))
        if self.needs_k:
            lines.append(f"K = {self.shapes['classes_placeholder']}  # number of classes: set this to yours (num_classes was not given)")
        return "\n".join(lines)

    def y_doc(self, templates: dict[str, Any]) -> str:
        if self.labels is None or self.labels not in templates["labels"]:
            return "targets"
        entry = templates["labels"][self.labels]
        text = (entry.get("by_task") or {}).get(self.task, entry)["text"]
        target_range = self.facts.get("target_range")
        shown = templates["target_ranges"].get(target_range, "") if target_range is not None else ""
        return fill(text, {"units": self.units, "task": self.task, "range": shown})

    def stack_values(self) -> dict[str, str]:
        return {**self.shapes, "depth": str(self.depth), "last": str(self.depth - 1)}


def _with_params(entry: dict[str, Any] | None, params: dict[str, Any]) -> dict[str, str]:
    merged = {**((entry or {}).get("params") or {}), **params}
    return {k: _py(v) for k, v in merged.items()}


def _unexpressed(slot: str, name: str, params: dict[str, Any], used: Collection[str], framework: str, notes: _Notes) -> None:
    for key in params:
        if key not in used:
            notes.add(f"{slot} parameter {key}={_py(params[key])} of {name} is not expressed in this {framework} code")


# --- Keras ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _KerasActivation:
    argument: str  # ', activation="relu"' or ""
    layer: str | None  # a separate layer (e.g. LeakyReLU with its slope), or None


def _keras_activation(templates: dict[str, Any], choice_name: str | None, params: dict[str, Any], what: str, notes: _Notes) -> _KerasActivation:
    if choice_name is None:
        return _KerasActivation("", None)  # the header says it is undecided
    entry = templates["activations"].get(choice_name)
    keras = (entry or {}).get("keras") or {}
    values = _with_params(entry, params)
    if keras.get("arg"):
        return _KerasActivation(f", activation={fill(keras['arg'], values)}", None)
    if keras.get("layer"):
        return _KerasActivation("", fill(keras["layer"], values))
    notes.add(f"{what} {choice_name} has no Keras equivalent in snippets.yaml; add it by hand")
    return _KerasActivation("", None)


def _initializers(
    templates: dict[str, Any], params: dict[str, Any], allowed: list[str], notes: _Notes, by_hand: str
) -> list[tuple[str, dict[str, Any]]]:
    """(parameter, initializer entry) for each initializer parameter the architecture can apply;
    the others become notes (``by_hand`` says what to do instead)."""
    found = []
    for key in _INIT_PARAMS:
        value = params.get(key)
        if value is None:
            continue
        init = templates["initializers"].get(value)
        if key not in allowed:
            notes.add(f"hidden activation parameter {key}={_py(value)} does not apply to this architecture")
        elif init is None:
            notes.add(f"initializer {value!r} is not in snippets.yaml; {by_hand}")
        else:
            found.append((key, init))
    return found


def _keras_initializers(templates: dict[str, Any], params: dict[str, Any], allowed: list[str], notes: _Notes) -> dict[str, str]:
    out = {key: "" for key in _INIT_PARAMS}
    for key, init in _initializers(templates, params, allowed, notes, "set the initializer by hand"):
        out[key] = f", {templates['keras']['initializer_keywords'][key]}={init['keras']}"
    return out


def _keras_model(p: _Problem, templates: dict[str, Any], notes: _Notes) -> str:
    arch = templates["keras"]["architectures"][p.architecture]
    rec = p.rec
    values = dict(p.shapes)
    if p.depth > 0:
        hidden = rec.hidden_activation
        act_params = {k: v for k, v in hidden.params.items() if k not in _INIT_PARAMS}
        act = _keras_activation(templates, hidden.name, act_params, "hidden activation", notes)
        stack = arch["stack"]
        used = _names(stack)
        if act.argument and "activation" not in used:
            notes.add(f"this architecture has no place for the hidden activation {hidden.name}")
        layer_line = ""
        if act.layer is not None:
            if "activation_layer" in used:
                layer_line = fill(arch.get("stack_apply") or arch["apply"], {"layer": act.layer})
            else:
                notes.add(f"hidden activation {hidden.name} needs its own layer, which this architecture cannot take")
        inits = _keras_initializers(templates, hidden.params, arch["initializers"], notes)
        if hidden.name is not None:
            _unexpressed("hidden activation", hidden.name, act_params, set(_with_params(templates["activations"].get(hidden.name), {})), "Keras", notes)
        values["stack"] = fill(stack, {**p.stack_values(), "activation": act.argument, "activation_layer": layer_line, **inits})
    else:
        values["stack"] = fill(arch["no_stack"], p.stack_values())
    out = rec.output_activation
    out_params = {k: v for k, v in out.params.items() if k != "units"}
    act = _keras_activation(templates, out.name, out_params, "output activation", notes)
    if out.name is not None:
        _unexpressed("output activation", out.name, out_params, set(_with_params(templates["activations"].get(out.name), {})), "Keras", notes)
    lines = [fill(arch["apply"], {"layer": fill(templates["keras"]["output"], {"units": p.units, "activation": act.argument})})]
    if act.layer is not None:
        lines.append(fill(arch["apply"], {"layer": act.layer}))
    values["output"] = "\n".join(lines)
    if out.name is None:
        values["output_comment"] = "# output layer (TODO: no output activation was recommended, see above)"
    elif rec.loss.params.get("from_logits") is True:
        values["output_comment"] = "# output layer: logits (the loss takes from_logits=True)"
    else:
        values["output_comment"] = "# output layer"
    values.update(output_module="", units=p.units, flat="", head_in="", forward="")
    return fill(arch["model"], values)


def _keras_loss(p: _Problem, templates: dict[str, Any], notes: _Notes) -> str:
    loss = p.rec.loss
    if loss.name is None:
        return "None  # TODO: no loss was recommended (see above)"
    entry = templates["losses"].get(loss.name)
    if entry is None or not entry.get("keras"):
        notes.add(f"Keras has no built-in {loss.name} loss (or snippets.yaml lacks it): write loss(y_true, y_pred) by hand")
        return "None  # TODO: see above"
    _unexpressed("loss", loss.name, loss.params, _names(entry["keras"]), "Keras", notes)
    return fill(entry["keras"], _with_params(entry, loss.params))


def _keras_optimizer(p: _Problem, templates: dict[str, Any], notes: _Notes) -> str:
    opt = p.rec.optimizer
    if opt.name is None:
        return "None  # TODO: no optimizer was recommended (see above)"
    call = (templates["optimizers"].get(opt.name) or {}).get("keras")
    if not call:
        notes.add(f"Keras has no {opt.name} optimizer (or snippets.yaml lacks it)")
        return "None  # TODO: see above"
    clipping = templates["clipping"]["keras"]
    args = []
    for key, value in opt.params.items():
        keyword = call["params"].get(key) or clipping.get(key)
        if keyword is None:
            notes.add(f"optimizer parameter {key}={_py(value)} of {opt.name} is not expressed in this Keras code")
        else:
            args.append(f"{keyword}={_py(value)}")
    return f"{call['class']}({', '.join(args)})"


def _keras(p: _Problem, templates: dict[str, Any]) -> str:
    notes = _Notes()
    arch = templates["keras"]["architectures"][p.architecture]
    model = _keras_model(p, templates, notes)
    loss = _keras_loss(p, templates, notes)
    optimizer = _keras_optimizer(p, templates, notes)
    weights = (templates["class_weights"]["keras"].get(p.task) or {}) if p.weighted else {}
    program = fill(
        templates["keras"]["program"],
        {
            "header": p.header("Keras 3"),
            "constants": p.constants(arch),
            "model": model,
            "todo": notes.block(),
            "weights": fill(weights["define"], p.weight_values()) if weights else "",
            "fit_args": f", {weights['fit']}" if weights.get("fit") else "",
            "loss": loss,
            "optimizer": optimizer,
            "x_doc": fill(arch["x_doc"], p.shapes),
            "y_doc": p.y_doc(templates),
        },
    )
    return _tidy(program)


# --- PyTorch ----------------------------------------------------------------------------------


@dataclass
class _TorchLoss:
    code: str
    imports: list[str]
    target: str
    fold: str | None = None  # the output activation folded into the loss (dropped from the model)
    logits: bool = False  # the model outputs logits
    apply: str | None = None  # logits -> probabilities at inference
    weights: str = ""  # the class weights the loss uses, defined before it
    expr: str | None = None  # the loss as one expression (None: a loss_fn defined in code)


def _imports(lines: list[str]) -> str:
    """Import statements in isort's order: the standard library, a blank line, then torch."""
    unique = list(dict.fromkeys(lines))

    def key(line: str) -> tuple[bool, str]:
        return line.startswith("from "), line.split()[1]

    stdlib = sorted((x for x in unique if x.split()[1].split(".")[0] != "torch"), key=key)
    torch = sorted((x for x in unique if x.split()[1].split(".")[0] == "torch"), key=key)
    return "\n\n".join("\n".join(group) for group in (stdlib, torch) if group)


def _raise_todo(message: str) -> str:
    return f"def loss_fn(output, target):\n    raise NotImplementedError({message!r})"


def _torch_loss(p: _Problem, templates: dict[str, Any], notes: _Notes) -> _TorchLoss:
    loss = p.rec.loss
    if loss.name is None:
        return _TorchLoss(_raise_todo("TODO: no loss was recommended for this problem; choose one"), [], "y")
    entry = templates["losses"].get(loss.name)
    torch_entry = (entry or {}).get("pytorch")
    if entry is None or not torch_entry:
        notes.add(f"no PyTorch form of the {loss.name} loss in snippets.yaml; write loss_fn by hand")
        return _TorchLoss(_raise_todo(f"TODO: write the {loss.name} loss"), [], "y")
    forms = {kind: torch_entry[kind] for kind in _LOSS_FORMS if torch_entry.get(kind)}
    output = p.rec.output_activation.name
    fold = torch_entry.get("fold")
    from_logits = loss.params.get("from_logits")
    kind: str | None
    folded = None
    if "logits" in forms and from_logits is True:
        kind = "logits"
    elif "logits" in forms and fold is not None and output == fold:
        kind, folded = "logits", fold
    elif output == "log_softmax" and "log_probabilities" in forms:
        kind = "log_probabilities"
    elif "probabilities" in forms and from_logits is not True:
        kind = "probabilities"
    elif "scores" in forms:
        kind = "scores"
    else:
        kind = None
    if kind is None:
        notes.add(f"no PyTorch form of {loss.name} for a {output} output in snippets.yaml; write loss_fn by hand")
        return _TorchLoss(_raise_todo(f"TODO: write the {loss.name} loss"), [], "y")
    form = forms[kind]
    values = _with_params(entry, loss.params)
    source = form["expr"] if form.get("expr") else form["define"]
    used = _names(source) | ({"from_logits"} if "logits" in forms else set())
    _unexpressed("loss", loss.name, loss.params, used, "PyTorch", notes)
    code = fill(source, values)
    weights = ""
    weighted = (templates["class_weights"]["pytorch"].get(loss.name) or {}).get(kind) if p.weighted else None
    if weighted is not None and form.get("expr"):
        weights = fill(weighted["define"], p.weight_values())
        code = fill(weighted["expr"], p.weight_values())
    expr = code if form.get("expr") else None
    if form.get("expr"):
        code = f"loss_fn = {code}"
    targets = torch_entry["target"]
    target = targets.get(p.labels or "", targets["default"])
    apply = None
    if kind == "logits" and fold is not None:
        apply = (templates["activations"][fold]["pytorch"] or {}).get("apply")
    return _TorchLoss(code, list(form.get("imports") or []), target, folded, kind == "logits", apply, weights, expr)


def _torch_module(templates: dict[str, Any], name: str | None, params: dict[str, Any], what: str, notes: _Notes) -> str | None:
    """``nn`` module source for an activation, "" for the identity, None when there is none."""
    if name is None:
        return None
    entry = templates["activations"].get(name)
    if entry is not None and entry.get("identity"):
        return ""
    module = ((entry or {}).get("pytorch") or {}).get("module")
    if not module:
        notes.add(f"{what} {name} has no nn module in snippets.yaml; apply it in forward() by hand")
        return None
    return fill(module, _with_params(entry, params))


def _torch_init(templates: dict[str, Any], arch: dict[str, Any], params: dict[str, Any], notes: _Notes) -> str:
    by_param: dict[str, str] = arch.get("init_by_param") or {}
    allowed = list(by_param) or list(arch.get("initializers") or [])
    calls = [
        (key, fill(init["pytorch"], {"weight": arch["weight"]}))
        for key, init in _initializers(templates, params, allowed, notes, "initialise the weights by hand")
    ]
    if not calls:
        return ""
    if by_param:
        cases = "\n".join(fill(arch["init_case"], {"prefix": by_param[key], "init": call}) for key, call in calls)
        return fill(arch["init_loop"], {"cases": cases})
    return "\n".join(call for _, call in calls)


def _torch_stack(p: _Problem, templates: dict[str, Any], arch: dict[str, Any], notes: _Notes) -> dict[str, str]:
    hidden = p.rec.hidden_activation
    act_params = {k: v for k, v in hidden.params.items() if k not in _INIT_PARAMS}
    entry = templates["activations"].get(hidden.name) if hidden.name else None
    torch_entry = (entry or {}).get("pytorch") or {}
    values = {**p.stack_values(), "init": _torch_init(templates, arch, hidden.params, notes)}
    used = _names(arch["stack"])
    if "rnn" in used:
        rnn = torch_entry.get("rnn")
        if rnn is None:
            if hidden.name is not None:
                notes.add(f"PyTorch's recurrent layers have no {hidden.name} cell: nn.LSTM (tanh) is used instead")
            rnn = arch["default_rnn"]
        values["rnn"] = fill(rnn, {**p.stack_values(), **_with_params(entry, act_params)})
    if "ff_activation" in used:
        transformer = torch_entry.get("transformer")
        if transformer is None:
            module = _torch_module(templates, hidden.name, act_params, "hidden activation", notes)
            transformer = "nn.Identity()" if module == "" else module
        if transformer is None:
            transformer = '"relu"'  # nn.TransformerEncoderLayer's default; the TODO above says why
        values["ff_activation"] = fill(transformer, _with_params(entry, act_params))
    if "hidden_module" in used:
        module = _torch_module(templates, hidden.name, act_params, "hidden activation", notes)
        values["hidden_module"] = f", {module}" if module else ""
    if hidden.name is not None:
        _unexpressed("hidden activation", hidden.name, act_params, set(_with_params(entry, {})), "PyTorch", notes)
    return values


def _torch_model(p: _Problem, templates: dict[str, Any], loss: _TorchLoss, notes: _Notes) -> str:
    arch = templates["pytorch"]["architectures"][p.architecture]
    values = dict(p.shapes)
    if p.depth > 0:
        stack_values = _torch_stack(p, templates, arch, notes)
        values["stack"] = fill(arch["stack"], stack_values)
        values["forward"] = fill(arch["forward"], stack_values) if arch.get("forward") else ""
    else:
        values["stack"] = fill(arch["no_stack"], p.stack_values())
        values["forward"] = fill(arch["no_stack_forward"], p.stack_values()) if arch.get("no_stack_forward") else ""
    out = p.rec.output_activation
    if loss.fold is not None:
        module = ""
        comment = f"# output layer: logits; the {loss.fold} output is folded into the loss (stabler), apply it at inference"
    else:
        out_params = {k: v for k, v in out.params.items() if k != "units"}
        found = _torch_module(templates, out.name, out_params, "output activation", notes)
        module = found or ""
        if out.name is not None:
            _unexpressed("output activation", out.name, out_params, set(_with_params(templates["activations"].get(out.name), {})), "PyTorch", notes)
        if out.name is None:
            comment = "# output layer (TODO: no output activation was recommended, see above)"
        else:
            comment = "# output layer: logits, as the loss expects" if loss.logits else "# output layer"
    values.update(output_module=f", {module}" if module else "", output_comment=comment, units=p.units)
    # cnn: the flattened size after the convolutions; rnn/transformer: the head's input width.
    s = p.shapes
    if p.depth > 0:
        pooled = 2 ** min(p.depth, int(s["pools"]))
        values["flat"] = f"{s['filters']} * {int(s['height']) // pooled} * {int(s['width_px']) // pooled}"
        values["head_in"] = s["width"]
    else:
        values["flat"] = f"{s['channels']} * {s['height']} * {s['width_px']}"
        values["head_in"] = f"{s['timesteps']} * {s['seq_features']}" if p.architecture == "rnn" else s["seq_features"]
    values["output"] = ""
    return fill(arch["model"], values)


def _torch_optimizer(p: _Problem, templates: dict[str, Any], notes: _Notes) -> tuple[str, str]:
    """The optimizer expression and the clipping statement (or "")."""
    opt = p.rec.optimizer
    if opt.name is None:
        return "None  # TODO: no optimizer was recommended (see above)", ""
    call = (templates["optimizers"].get(opt.name) or {}).get("pytorch")
    if not call:
        notes.add(f"torch.optim has no drop-in {opt.name} optimizer (or snippets.yaml lacks it)")
        return "None  # TODO: see above", ""
    clipping = templates["clipping"]["pytorch"]
    args = ["model.parameters()"]
    clips = []
    for key, value in opt.params.items():
        if key in call["params"]:
            args.append(f"{call['params'][key]}={_py(value)}")
        elif key in clipping:
            clips.append(fill(clipping[key], {key: _py(value)}))
        else:
            notes.add(f"optimizer parameter {key}={_py(value)} of {opt.name} is not expressed in this PyTorch code")
    return f"{call['class']}({', '.join(args)})", "\n".join(clips)


def _pytorch(p: _Problem, templates: dict[str, Any]) -> str:
    notes = _Notes()
    arch = templates["pytorch"]["architectures"][p.architecture]
    loss = _torch_loss(p, templates, notes)
    model = _torch_model(p, templates, loss, notes)
    optimizer, clip = _torch_optimizer(p, templates, notes)
    predict = ""
    if loss.apply is not None:
        predict = fill(templates["pytorch"]["predict"], {"apply": fill(loss.apply, {"x": "model(x)"})})
    program = fill(
        templates["pytorch"]["program"],
        {
            "header": p.header("PyTorch"),
            "imports": _imports([*templates["pytorch"]["imports"], *loss.imports]),
            "constants": p.constants(arch),
            "model": model,
            "todo": notes.block(),
            "weights": loss.weights,
            "loss": loss.code,
            "optimizer": optimizer,
            "clip": clip,
            "target": loss.target,
            "x_doc": fill(arch["x_doc"], p.shapes),
            "y_doc": p.y_doc(templates),
            "predict": predict,
        },
    )
    return _tidy(program)


# --- the names a framework's user knows the choices by ------------------------------------------


def _units_text(units: str) -> str:
    return f"{units} unit{'' if units == '1' else 's'}"


def _init_name(templates: dict[str, Any], params: dict[str, Any], framework: str) -> str | None:
    init = templates["initializers"].get(params.get("initializer") or "")
    if init is None:
        return None
    if framework == "keras":
        return f"kernel_initializer={init['keras']}"
    return str(init["pytorch"]).split("(", 1)[0]  # nn.init.kaiming_normal_


def code_names(rec: Recommendation, templates: dict[str, Any], framework: str) -> dict[str, str]:
    """Each decided slot as the ``framework`` (``keras`` or ``pytorch``) code writes it:
    ``nn.BCEWithLogitsLoss()``, ``torch.optim.Adam(lr=0.001)``, ``keras.losses.Huber(delta=1.0)``;
    the same expressions as the snippet. Undecided slots are left out."""
    p = _Problem.of(rec, templates)
    notes = _Notes()  # what the snippet says in its TODO comments; the headline has its own words
    out: dict[str, str] = {}
    output, loss, optimizer, hidden = rec.output_activation, rec.loss, rec.optimizer, rec.hidden_activation
    if framework == "pytorch":
        torch_loss = _torch_loss(p, templates, notes)
        if output.name is not None:
            if torch_loss.logits and (torch_loss.fold is not None or output.name == "linear"):
                out["output_activation"] = f"logits (no activation), {_units_text(p.units)}"
            else:
                module = _torch_module(templates, output.name, {k: v for k, v in output.params.items() if k != "units"}, "", notes)
                out["output_activation"] = f"{module or output.name}, {_units_text(p.units)}"
        if loss.name is not None:
            out["loss"] = torch_loss.expr or f"loss_fn: {loss.name} written out (see the code)"
        if optimizer.name is not None:
            expression, clip = _torch_optimizer(p, templates, notes)
            expression = expression.replace("model.parameters(), ", "").replace("(model.parameters())", "()")
            if clip and "clipnorm" in optimizer.params:
                expression += f", clip_grad_norm_(max_norm={_py(optimizer.params['clipnorm'])})"
            out["optimizer"] = expression
    else:
        if output.name is not None:
            out["output_activation"] = f"{output.name}{' (logits)' if loss.params.get('from_logits') is True else ''}, {_units_text(p.units)}"
        if loss.name is not None:
            out["loss"] = _keras_loss(p, templates, notes)
        if optimizer.name is not None:
            out["optimizer"] = _keras_optimizer(p, templates, notes)
    if hidden.name is not None and p.depth > 0:
        entry = templates["activations"].get(hidden.name) or {}
        act_params = {k: v for k, v in hidden.params.items() if k not in _INIT_PARAMS}
        rnn = ((entry.get("pytorch") or {}).get("rnn") or "nn.LSTM(").split("(", 1)[0]
        if p.architecture == "rnn":
            shown = f"{rnn if framework == 'pytorch' else 'keras.layers.LSTM'} with a {hidden.name} cell"
        elif framework == "pytorch":
            shown = _torch_module(templates, hidden.name, act_params, "", notes) or hidden.name
        else:
            keras = entry.get("keras") or {}
            shown = fill(keras["layer"], _with_params(entry, act_params)) if keras.get("layer") else hidden.name
        init = _init_name(templates, hidden.params, framework)
        out["hidden_activation"] = shown + (f", {init}" if init else "")
    # A name the framework has no form for (the code carries a TODO): the canonical name stays.
    return {slot: text for slot, text in out.items() if not text.startswith("None")}


def render_snippets(rec: Recommendation, templates: dict[str, Any]) -> dict[str, str]:
    """``{"keras": code, "pytorch": code}`` for ``rec``; ``templates`` is the validated
    content of ``rules/recommend/snippets.yaml`` (:func:`~nnadvisor.recommender.snippet_file.load_snippets`)."""
    problem = _Problem.of(rec, templates)
    return {"keras": _keras(problem, templates), "pytorch": _pytorch(problem, templates)}


__all__ = ["code_names", "fill", "render_snippets"]
