"""The shape of ``rules/recommend/snippets.yaml``: the Keras and PyTorch API knowledge behind
the code snippets of ``recommend`` (:mod:`nnadvisor.recommender.snippets` assembles them).

Validated when the rule base is built; :func:`load_snippets` returns the plain dict that
``render_snippets`` takes. Besides the field shapes it checks what would otherwise fail while
rendering: every ``${placeholder}`` of a template is one the renderer fills, every parameter a
template names has a default, and every cross-reference (``fold``, ``initializers``) resolves.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from string import Template
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Code = Annotated[str, StringConstraints(min_length=1)]
InitParam = Literal["initializer", "recurrent_initializer"]

SHAPE_KEYS = frozenset(
    {"n_features", "filters", "pools", "timesteps", "seq_features", "width", "heads", "ff_width", "classes_placeholder"}
)
# Shape values derived by the renderer, usable in every architecture template.
DERIVED_SHAPE_KEYS = frozenset({"height", "width_px", "channels", "key_dim"})
SHAPES = SHAPE_KEYS | DERIVED_SHAPE_KEYS
PROGRAM = frozenset({"header", "constants", "model", "todo", "weights", "loss", "optimizer", "x_doc", "y_doc"})
KERAS_PROGRAM = PROGRAM | {"fit_args"}
TORCH_PROGRAM = PROGRAM | {"imports", "clip", "target", "predict"}
WEIGHTS = frozenset({"ratio", "units"})
MODEL = SHAPES | {"stack", "output", "output_comment", "output_module", "units", "flat", "head_in", "forward"}
STACK = SHAPES | {
    "depth", "last", "activation", "initializer", "recurrent_initializer", "activation_layer",
    "hidden_module", "init", "rnn", "ff_activation",
}  # fmt: skip


def placeholders(template: str) -> set[str]:
    """The ``${name}`` placeholders of a template; raises ValueError on a malformed one."""
    t = Template(template)
    if not t.is_valid():
        raise ValueError(f"malformed placeholder in template {template!r} (write $$ for a literal $)")
    return set(t.get_identifiers())


def _only(template: str | None, allowed: Collection[str], where: str) -> None:
    if template is None:
        return
    unknown = placeholders(template) - set(allowed)
    if unknown:
        raise ValueError(f"{where}: unknown placeholder(s) {', '.join(sorted('${' + u + '}' for u in unknown))}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Shapes(_Strict):
    n_features: int = Field(gt=0)
    image: tuple[int, int, int]
    filters: int = Field(gt=0)
    pools: int = Field(ge=0)
    timesteps: int = Field(gt=0)
    seq_features: int = Field(gt=0)
    width: int = Field(gt=0)
    heads: int = Field(gt=0)
    ff_width: int = Field(gt=0)
    classes_placeholder: int = Field(ge=2)

    @model_validator(mode="after")
    def _divisible(self) -> Shapes:
        if self.width % self.heads:
            raise ValueError(f"width {self.width} must be divisible by heads {self.heads} (key_dim = width / heads)")
        return self


class LabelText(_Strict):
    text: Code
    by_task: dict[Literal["regression", "binary", "multiclass", "multilabel"], LabelText] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> LabelText:
        _only(self.text, {"units", "task", "range"}, "labels")
        return self


class KerasActivation(_Strict):
    arg: Code | None = None
    layer: Code | None = None


class TorchActivation(_Strict):
    module: Code | None = None
    transformer: Code | None = None
    rnn: Code | None = None
    apply: Code | None = None


class Activation(_Strict):
    identity: bool = False
    params: dict[str, Any] = Field(default_factory=dict)
    keras: KerasActivation | None = None
    pytorch: TorchActivation | None = None

    @model_validator(mode="after")
    def _check(self) -> Activation:
        names = set(self.params)
        if self.keras is not None:
            _only(self.keras.arg, names, "keras.arg")
            _only(self.keras.layer, names, "keras.layer")
        if self.pytorch is not None:
            _only(self.pytorch.module, names, "pytorch.module")
            _only(self.pytorch.transformer, names, "pytorch.transformer")
            _only(self.pytorch.rnn, names | SHAPES | {"depth"}, "pytorch.rnn")
            _only(self.pytorch.apply, {"x"}, "pytorch.apply")
        return self


class Initializer(_Strict):
    keras: Code
    pytorch: Code

    @model_validator(mode="after")
    def _check(self) -> Initializer:
        _only(self.pytorch, {"weight"}, "pytorch")
        return self


class TorchLossForm(_Strict):
    """``loss_fn = expr``, or ``define``: code defining ``loss_fn(output, target)``."""

    expr: Code | None = None
    define: Code | None = None
    imports: list[Code] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one(self) -> TorchLossForm:
        if (self.expr is None) == (self.define is None):
            raise ValueError("give exactly one of expr and define")
        if self.define is not None and "def loss_fn(" not in self.define:
            raise ValueError("define must define loss_fn(output, target)")
        return self

    @property
    def code(self) -> str:
        return self.expr if self.expr is not None else self.define or ""


class TorchLoss(_Strict):
    scores: TorchLossForm | None = None
    logits: TorchLossForm | None = None
    probabilities: TorchLossForm | None = None
    log_probabilities: TorchLossForm | None = None
    fold: str | None = None
    target: dict[str, Code]

    @model_validator(mode="after")
    def _check(self) -> TorchLoss:
        if "default" not in self.target:
            raise ValueError("target needs a `default` conversion")
        if not any((self.scores, self.logits, self.probabilities, self.log_probabilities)):
            raise ValueError("give at least one form (scores, logits, probabilities, log_probabilities)")
        if self.fold is not None and self.logits is None:
            raise ValueError("fold needs a logits form")
        return self


class Loss(_Strict):
    params: dict[str, Any] = Field(default_factory=dict)
    keras: Code | None = None
    pytorch: TorchLoss | None = None

    @model_validator(mode="after")
    def _check(self) -> Loss:
        names = set(self.params)
        _only(self.keras, names, "keras")
        if self.pytorch is not None:
            for kind in ("scores", "logits", "probabilities", "log_probabilities"):
                form: TorchLossForm | None = getattr(self.pytorch, kind)
                if form is not None:
                    _only(form.code, names, f"pytorch.{kind}")
        return self


class OptimizerCall(_Strict):
    class_: Code = Field(alias="class")
    params: dict[str, str] = Field(default_factory=dict)
    """Recommendation parameter -> the constructor's keyword."""


class Optimizer(_Strict):
    keras: OptimizerCall | None = None
    pytorch: OptimizerCall | None = None


class Clipping(_Strict):
    keras: dict[str, str]
    """Recommendation parameter -> Keras optimizer keyword."""
    pytorch: dict[str, Code]
    """Recommendation parameter -> statement between backward() and step()."""

    @model_validator(mode="after")
    def _check(self) -> Clipping:
        for param, statement in self.pytorch.items():
            _only(statement, {param}, f"pytorch.{param}")
        return self


class KerasClassWeights(_Strict):
    """Code before the loss (``define``) and the ``fit`` keyword that uses it (None: no keyword)."""

    define: Code
    fit: Code | None = None

    @model_validator(mode="after")
    def _check(self) -> KerasClassWeights:
        _only(self.define, WEIGHTS, "class_weights.keras.define")
        return self


class TorchClassWeights(_Strict):
    """Code before the loss (``define``) and the loss expression that uses it."""

    define: Code
    expr: Code

    @model_validator(mode="after")
    def _check(self) -> TorchClassWeights:
        _only(self.define, WEIGHTS, "class_weights.pytorch.define")
        _only(self.expr, WEIGHTS, "class_weights.pytorch.expr")
        return self


class ClassWeights(_Strict):
    keras: dict[Literal["binary", "multiclass", "multilabel"], KerasClassWeights] = Field(default_factory=dict)
    """By task."""
    pytorch: dict[str, dict[Literal["scores", "logits", "probabilities", "log_probabilities"], TorchClassWeights]] = Field(default_factory=dict)
    """By canonical loss name, then by the kind of loss form it replaces."""


class KerasArchitecture(_Strict):
    constants: Code | None = None
    x_doc: Code
    initializers: list[InitParam] = Field(default_factory=list)
    apply: Code
    stack_apply: Code | None = None
    model: Code
    stack: Code
    no_stack: Code

    @model_validator(mode="after")
    def _check(self) -> KerasArchitecture:
        _only(self.constants, SHAPES, "constants")
        _only(self.x_doc, SHAPES, "x_doc")
        _only(self.apply, {"layer"}, "apply")
        _only(self.stack_apply, {"layer"}, "stack_apply")
        _only(self.model, MODEL, "model")
        _only(self.stack, STACK, "stack")
        _only(self.no_stack, STACK, "no_stack")
        return self


class KerasSection(_Strict):
    program: Code
    initializer_keywords: dict[InitParam, str]
    architectures: dict[Literal["mlp", "cnn", "rnn", "transformer"], KerasArchitecture]
    output: Code

    @model_validator(mode="after")
    def _check(self) -> KerasSection:
        _only(self.program, KERAS_PROGRAM, "keras.program")
        _only(self.output, {"units", "activation"}, "keras.output")
        for arch in self.architectures.values():
            missing = set(arch.initializers) - set(self.initializer_keywords)
            if missing:
                raise ValueError(f"no keras.initializer_keywords for {', '.join(sorted(missing))}")
        return self


class TorchArchitecture(_Strict):
    constants: Code | None = None
    x_doc: Code
    initializers: list[InitParam] = Field(default_factory=list)
    weight: Code
    init_by_param: dict[InitParam, str] = Field(default_factory=dict)
    """Recurrent layers: initialiser parameter -> prefix of the parameter names it initialises."""
    init_loop: Code | None = None
    init_case: Code | None = None
    default_rnn: Code | None = None
    model: Code
    stack: Code
    forward: Code | None = None
    no_stack: Code
    no_stack_forward: Code | None = None

    @model_validator(mode="after")
    def _check(self) -> TorchArchitecture:
        _only(self.constants, SHAPES, "constants")
        _only(self.x_doc, SHAPES, "x_doc")
        _only(self.model, MODEL, "model")
        _only(self.stack, STACK, "stack")
        _only(self.no_stack, STACK, "no_stack")
        _only(self.forward, STACK, "forward")
        _only(self.no_stack_forward, STACK, "no_stack_forward")
        _only(self.init_loop, {"cases"}, "init_loop")
        _only(self.init_case, {"prefix", "init"}, "init_case")
        _only(self.default_rnn, SHAPES | {"depth"}, "default_rnn")
        if self.init_by_param and (self.init_loop is None or self.init_case is None):
            raise ValueError("init_by_param needs init_loop and init_case")
        if ("forward" in placeholders(self.model)) != (self.forward is not None):
            raise ValueError("give `forward` (and `no_stack_forward`) exactly when the model template has ${forward}")
        if (self.forward is None) != (self.no_stack_forward is None):
            raise ValueError("forward and no_stack_forward go together")
        return self


class TorchSection(_Strict):
    imports: list[Code]
    """Always imported; a loss form adds its own ``imports``."""
    program: Code
    predict: Code
    architectures: dict[Literal["mlp", "cnn", "rnn", "transformer"], TorchArchitecture]

    @model_validator(mode="after")
    def _check(self) -> TorchSection:
        _only(self.program, TORCH_PROGRAM, "pytorch.program")
        _only(self.predict, {"apply"}, "pytorch.predict")
        return self


class SnippetFile(_Strict):
    """``rules/recommend/snippets.yaml``."""

    version: Literal[1]
    shapes: Shapes
    labels: dict[Literal["integer", "one-hot", "binary", "signed", "probabilities", "continuous"], LabelText]
    target_ranges: dict[Literal["unbounded", "unit-interval", "non-negative", "symmetric-unit"], str]
    activations: dict[str, Activation]
    initializers: dict[str, Initializer]
    losses: dict[str, Loss]
    optimizers: dict[str, Optimizer]
    clipping: Clipping
    class_weights: ClassWeights = Field(default_factory=ClassWeights)
    keras: KerasSection
    pytorch: TorchSection

    @model_validator(mode="after")
    def _references(self) -> SnippetFile:
        for name, forms in self.class_weights.pytorch.items():
            torch_loss = self.losses[name].pytorch if name in self.losses else None
            for kind in forms:
                if torch_loss is None or getattr(torch_loss, kind) is None:
                    raise ValueError(f"class_weights.pytorch.{name}.{kind}: losses.{name} has no pytorch {kind} form")
        for name, loss in self.losses.items():
            if loss.pytorch is not None and loss.pytorch.fold is not None:
                fold = self.activations.get(loss.pytorch.fold)
                if fold is None:
                    raise ValueError(f"losses.{name}.pytorch.fold: unknown activation {loss.pytorch.fold!r}")
                if fold.pytorch is None or fold.pytorch.apply is None:
                    raise ValueError(f"losses.{name}.pytorch.fold: activation {loss.pytorch.fold!r} needs pytorch.apply")
        return self


def load_snippets(path: Path, known_names: Mapping[str, Collection[str]] | None = None) -> dict[str, Any]:
    """``rules/recommend/snippets.yaml`` parsed and validated, as the plain dict ``render_snippets`` takes.

    ``known_names`` (``{"activation": ..., "loss": ..., "optimizer": ...}``, the vocabulary's
    canonical names) additionally checks that every entry is keyed by a canonical name. Problems
    are :class:`~nnadvisor.engine.errors.RuleLoadError` naming the file and line, like the other
    rule-base files.
    """
    from nnadvisor.engine.errors import RuleLoadError
    from nnadvisor.engine.loader import read_validated

    model, doc = read_validated(path, SnippetFile)
    for kind, section, key in (
        ("activation", model.activations, "activations"),
        ("loss", model.losses, "losses"),
        ("optimizer", model.optimizers, "optimizers"),
    ):
        if known_names is None:
            break
        for name in section:
            if name not in known_names.get(kind, ()):
                raise RuleLoadError(path, doc.locate(f"/{key}/{name}").line, f"{name!r} is not a canonical {kind} name of the vocabulary")
    return model.model_dump(mode="json", by_alias=True)
