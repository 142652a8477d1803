"""PyTorch source files, read statically with :mod:`ast`: never imported, never executed.

What is read (see docs/readers.md for the full list and what is left unresolved):

- the model: an ``nn.Module`` subclass (its layers from ``__init__``, their order and the output
  activation from the path ``forward`` returns, functional activations included), or an
  ``nn.Sequential(...)`` expression; with several, the one passed to the optimizer (else the last
  defined);
- the criterion: ``nn.XLoss(...)`` objects and ``F.cross_entropy(...)``-style calls, with what is
  applied to the model output between the model and the loss (``F.log_softmax(out)``,
  ``torch.sigmoid(out)``);
- the optimizer: ``torch.optim.X(..., lr=...)``; gradient clipping: ``clip_grad_norm_``,
  ``clip_grad_value_`` (and Lightning's ``Trainer(gradient_clip_val=...)``).

Arguments are read when they are literals, simple module-level constants, or (for a model class
instantiated in the file) the literal arguments of that instantiation. Anything computed at run
time is left unknown and reported as a NOTE (finding NNA002) with its line, never guessed.
"""

from __future__ import annotations

import ast
import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Union

from nnadvisor.readers import ReadResult
from nnadvisor.readers._model import INTERNAL_ERROR, START, Assembly, Entry, Part
from nnadvisor.source import MAX_BYTES, Location, Problem, SourceError, decode
from nnadvisor.vocabulary import Vocabulary

_DEFAULT_ALIASES = {"nn": "torch.nn", "F": "torch.nn.functional", "optim": "torch.optim", "torch": "torch"}
_MODULE_BASES = {
    "torch.nn.Module", "torch.nn.Sequential", "torch.nn.modules.module.Module",
    "lightning.LightningModule", "lightning.pytorch.LightningModule", "pytorch_lightning.LightningModule",
    "lightning.pytorch.core.LightningModule", "pytorch_lightning.core.LightningModule",
}  # fmt: skip
_ACTIVATION_MODULES = {
    "ReLU", "ReLU6", "RReLU", "LeakyReLU", "PReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish",
    "Softplus", "Sigmoid", "Hardsigmoid", "Tanh", "Softmax", "Softmax2d", "LogSoftmax", "Softmin",
    "Hardswish", "Hardtanh", "Softsign", "Tanhshrink", "LogSigmoid", "Threshold", "GLU",
    "Hardshrink", "Softshrink",
}  # fmt: skip
_FUNCTIONAL_ACTIVATIONS = {
    "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus",
    "sigmoid", "hardsigmoid", "tanh", "softmax", "log_softmax", "softsign", "hardtanh",
    "hardswish", "logsigmoid", "softmin", "glu", "prelu", "rrelu", "threshold", "tanhshrink",
}  # fmt: skip
_TORCH_ACTIVATIONS = {"relu", "sigmoid", "tanh", "softmax", "log_softmax", "selu", "celu", "rrelu", "special.expit", "special.log_softmax", "special.softmax"}
_ACTIVATION_METHODS = {"relu", "sigmoid", "tanh", "softmax", "log_softmax", "relu_", "sigmoid_", "tanh_"}
_PASSTHROUGH_METHODS = {
    "view", "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "contiguous",
    "float", "double", "half", "to", "type_as", "clone", "view_as", "reshape_as", "cpu", "cuda",
    "squeeze_", "unsqueeze_", "t", "mT",
}  # fmt: skip
_PASSTHROUGH_FUNCTIONS = {
    "torch.flatten", "torch.reshape", "torch.squeeze", "torch.unsqueeze", "torch.transpose", "torch.permute",
    "torch.nn.functional.dropout", "torch.nn.functional.dropout1d", "torch.nn.functional.dropout2d",
    "torch.nn.functional.dropout3d", "torch.nn.functional.alpha_dropout", "torch.nn.functional.max_pool1d",
    "torch.nn.functional.max_pool2d", "torch.nn.functional.max_pool3d", "torch.nn.functional.avg_pool1d",
    "torch.nn.functional.avg_pool2d", "torch.nn.functional.avg_pool3d", "torch.nn.functional.adaptive_avg_pool1d",
    "torch.nn.functional.adaptive_avg_pool2d", "torch.nn.functional.adaptive_max_pool1d",
    "torch.nn.functional.adaptive_max_pool2d", "torch.nn.functional.pad",
}  # fmt: skip
_MERGE_FUNCTIONS = {"torch.cat", "torch.concat", "torch.stack", "torch.add", "torch.mul", "torch.matmul", "torch.bmm", "torch.einsum", "torch.sum", "torch.mean"}
_FUNCTIONAL_LOSSES = {
    "cross_entropy": "CrossEntropyLoss", "nll_loss": "NLLLoss", "binary_cross_entropy": "BCELoss",
    "binary_cross_entropy_with_logits": "BCEWithLogitsLoss", "mse_loss": "MSELoss", "l1_loss": "L1Loss",
    "smooth_l1_loss": "SmoothL1Loss", "huber_loss": "HuberLoss", "kl_div": "KLDivLoss",
    "poisson_nll_loss": "PoissonNLLLoss", "hinge_embedding_loss": "HingeEmbeddingLoss",
    "cosine_embedding_loss": "CosineEmbeddingLoss", "multilabel_soft_margin_loss": "MultiLabelSoftMarginLoss",
    "soft_margin_loss": "SoftMarginLoss", "margin_ranking_loss": "MarginRankingLoss", "ctc_loss": "CTCLoss",
    "gaussian_nll_loss": "GaussianNLLLoss", "triplet_margin_loss": "TripletMarginLoss",
}  # fmt: skip
_LOSS_PARAMS = {"label_smoothing": "label_smoothing", "reduction": "reduction", "ignore_index": "ignore_index", "pos_weight": "pos_weight", "weight": "weight", "delta": "delta", "beta": "delta"}
_OPTIMIZER_POSITIONAL = {
    "SGD": ("lr", "momentum", "dampening", "weight_decay", "nesterov"),
    "Adam": ("lr", "betas", "eps", "weight_decay", "amsgrad"),
    "AdamW": ("lr", "betas", "eps", "weight_decay", "amsgrad"),
    "NAdam": ("lr", "betas", "eps", "weight_decay"),
    "Adamax": ("lr", "betas", "eps", "weight_decay"),
    "RMSprop": ("lr", "alpha", "eps", "weight_decay", "momentum", "centered"),
    "Adagrad": ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
    "Adadelta": ("lr", "rho", "eps", "weight_decay"),
}
_OPTIMIZER_KEYS = {
    "lr": "learning_rate", "momentum": "momentum", "betas": "betas", "eps": "epsilon", "weight_decay": "weight_decay",
    "nesterov": "nesterov", "alpha": "rho", "rho": "rho", "amsgrad": "amsgrad", "dampening": "dampening",
    "centered": "centered", "initial_accumulator_value": "initial_accumulator_value",
    "decoupled_weight_decay": "decoupled_weight_decay",
}  # fmt: skip
_CRITERION_NAMES = {"criterion", "loss_fn", "loss_func", "loss_function", "lossfn", "objective", "criteria", "loss_module"}
_TRAINING_WORDS = ("train", "step", "fit", "loss", "main")
_EVAL_WORDS = ("test", "eval", "valid", "predict", "infer")
_MAX_DEPTH = 12
_WRAPPERS = {
    "torch.compile", "torch.nn.DataParallel", "torch.nn.parallel.DataParallel",
    "torch.nn.parallel.DistributedDataParallel", "torch.nn.parallel.distributed.DistributedDataParallel",
}  # fmt: skip


class _No:
    """No literal value."""


NO = _No()


@dataclass
class Leaf:
    """A module whose layers are known."""

    entries: list[Entry]


@dataclass
class Seq:
    """``nn.Sequential`` / ``nn.ModuleList``: children in order."""

    items: list[Spec]


@dataclass
class Sub:
    """An instance of a model class defined in the file."""

    cls: str
    call: ast.Call | None


@dataclass
class Opaque:
    """A module the reader cannot see into (custom, external, computed)."""

    what: str
    node: ast.AST


@dataclass
class LossMod:
    part: Part
    node: ast.Call


Spec = Union[Leaf, Seq, Sub, Opaque, LossMod]
Step = Union[Spec, Entry]
Trace = list[Step]


def _loc(node: ast.AST) -> Location:
    return Location(getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)


def read(raw: bytes, vocab: Vocabulary, name: str = "-") -> list[ReadResult]:
    def problem(line: int, column: int, message: str) -> list[ReadResult]:
        return [ReadResult(problems=[Problem("", Location(max(line, 1), max(column, 1)), message)])]

    if len(raw) > MAX_BYTES:
        return problem(1, 1, f"file is larger than {MAX_BYTES:,} bytes; Python sources are refused beyond that")
    nul = raw.find(b"\x00")
    if nul >= 0:
        return problem(raw.count(b"\n", 0, nul) + 1, nul - (raw.rfind(b"\n", 0, nul) + 1) + 1, "binary content (NUL byte): not Python source")
    try:
        text = _decode(raw)
    except SourceError as exc:
        return problem(exc.line, exc.column, exc.message)
    try:
        tree = ast.parse(text, filename=name)
    except SyntaxError as exc:
        return problem(exc.lineno or 1, exc.offset or 1, f"Python syntax error: {exc.msg}")
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return problem(1, 1, f"cannot parse the Python source: {exc.__class__.__name__}")
    try:
        return [_Reader(tree, vocab).read()]
    except RecursionError:
        return problem(1, 1, "the Python source is nested too deeply to analyse")
    except Exception as exc:  # a reader bug must not stop the other files: report it at the file
        return problem(1, 1, f"{INTERNAL_ERROR} ({exc.__class__.__name__}: {exc})")


def _decode(raw: bytes) -> str:
    """UTF-8 (the default), or the encoding a PEP 263 coding cookie declares."""
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        raise SourceError(f"Python encoding declaration: {exc.msg if hasattr(exc, 'msg') else exc}") from None
    if encoding in ("utf-8", "utf-8-sig"):
        return decode(raw)
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        start = getattr(exc, "start", 0)
        raise SourceError(f"the file is not valid {encoding} text", raw.count(b"\n", 0, start) + 1) from None


@dataclass
class _Class:
    node: ast.ClassDef
    methods: dict[str, ast.FunctionDef]
    modules: dict[str, Spec] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    seq_init: list[Spec] | None = None
    sequential: bool = False
    defaults_used: list[str] = field(default_factory=list)


@dataclass
class _Loss:
    name: str
    part: Part
    node: ast.Call
    func: ast.AST | None
    inputs: list[ast.expr]
    conditional: bool


class _Reader:
    def __init__(self, tree: ast.Module, vocab: Vocabulary) -> None:
        self.tree = tree
        self.vocab = vocab
        self.asm = Assembly("pytorch", vocab)
        self.parents: dict[ast.AST, ast.AST] = {}
        self.aliases: dict[str, str] = {}
        self.torch_at: Location | None = None
        self.classes: dict[str, ast.ClassDef] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        self._calls: list[ast.Call] = []
        self.assigns: list[ast.Assign] = []
        todo: deque[ast.AST] = deque([tree])
        while todo:  # one pass over the tree: parents, imports, definitions, calls, assignments
            node = todo.popleft()
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
                todo.append(child)
            if isinstance(node, ast.Call):
                self._calls.append(node)
            elif isinstance(node, ast.Assign):
                self.assigns.append(node)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.aliases[a.asname] = a.name
                    else:
                        top = a.name.split(".")[0]
                        self.aliases[top] = top
                    if a.name.split(".")[0] == "torch" and self.torch_at is None:
                        self.torch_at = _loc(node)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                if node.module.split(".")[0] == "torch" and self.torch_at is None:
                    self.torch_at = _loc(node)
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
            elif isinstance(node, ast.FunctionDef) and isinstance(self.parents.get(node), ast.Module):
                self.functions[node.name] = node
        self.consts: dict[str, Any] = {}
        self.consts = self._constants(tree.body)
        self.module_classes = self._module_classes()
        self.infos: dict[tuple[str, int], _Class] = {}
        self.active: list[str] = []
        self.loss_reported = False

    # --- names and literals ------------------------------------------------------------------

    def qual(self, node: ast.AST) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.aliases.get(node.id) or _DEFAULT_ALIASES.get(node.id) or node.id
        return ".".join([base, *reversed(parts)])

    def torch_nn(self, node: ast.AST) -> str | None:
        """``X`` when ``node`` names ``torch.nn.X`` (a class)."""
        q = self.qual(node)
        if q and q.startswith("torch.nn.") and q.count(".") == 2:
            return q[len("torch.nn.") :]
        return None

    def _constants(self, body: list[ast.stmt]) -> dict[str, Any]:
        consts: dict[str, Any] = {}
        ambiguous: set[str] = set()

        def visit(stmts: list[ast.stmt]) -> None:
            for stmt in stmts:
                if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    for t in targets:
                        if isinstance(t, ast.Name):
                            value = self.literal(stmt.value, consts)
                            if t.id in consts and consts[t.id] != value:
                                ambiguous.add(t.id)
                            consts[t.id] = value
                elif isinstance(stmt, ast.If):
                    visit(stmt.body)
                    visit(stmt.orelse)

        visit(body)
        return {k: v for k, v in consts.items() if k not in ambiguous and v is not NO}

    def literal(self, node: ast.AST | None, scope: dict[str, Any] | None = None, depth: int = 0) -> Any:
        """The value of a literal expression (numbers, strings, bools, tuples, simple arithmetic,
        names bound in ``scope`` or module-level constants); :data:`NO` otherwise."""
        if node is None or depth > 20:
            return NO
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, (int, float, str, bool, type(None))) else NO
        if isinstance(node, ast.Name):
            if scope is not None and node.id in scope:
                return scope[node.id]
            return self.consts.get(node.id, NO)
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [self.literal(e, scope, depth + 1) for e in node.elts]
            return NO if any(i is NO for i in items) else items
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.literal(node.operand, scope, depth + 1)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return -v if isinstance(node.op, ast.USub) else v
            return NO
        if isinstance(node, ast.BinOp):
            a, b = self.literal(node.left, scope, depth + 1), self.literal(node.right, scope, depth + 1)
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b)):
                return NO
            try:
                if isinstance(node.op, ast.Add):
                    return a + b
                if isinstance(node.op, ast.Sub):
                    return a - b
                if isinstance(node.op, ast.Mult):
                    return a * b if abs(a) < 1e12 and abs(b) < 1e12 else NO
                if isinstance(node.op, ast.Div):
                    return a / b
                if isinstance(node.op, ast.FloorDiv):
                    return a // b
                if isinstance(node.op, ast.Pow) and abs(b) <= 64 and abs(a) < 1e6:
                    return a**b
            except (ZeroDivisionError, OverflowError):
                return NO
            return NO
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            q = self.qual(node.func)
            if q in ("torch.tensor", "torch.Tensor", "torch.FloatTensor", "float", "int"):
                v = self.literal(node.args[0], scope, depth + 1)
                if q == "int" and isinstance(v, (int, float)) and not isinstance(v, bool):
                    return int(v)
                if q == "float" and isinstance(v, (int, float)) and not isinstance(v, bool):
                    return float(v)
                return v
        return NO

    # --- classes -----------------------------------------------------------------------------

    def _module_classes(self) -> set[str]:
        found: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, cls in self.classes.items():
                if name in found:
                    continue
                for base in cls.bases:
                    q = self.qual(base)
                    if q in _MODULE_BASES or (isinstance(base, ast.Name) and base.id in found):
                        found.add(name)
                        changed = True
                        break
        return found

    def _bases_in_file(self, cls: ast.ClassDef) -> list[ast.ClassDef]:
        """The class and its module-class bases defined in the file, in lookup order."""
        order: list[ast.ClassDef] = []
        todo = [cls]
        while todo and len(order) < 16:
            c = todo.pop(0)
            if c in order:
                continue
            order.append(c)
            todo += [self.classes[b.id] for b in c.bases if isinstance(b, ast.Name) and b.id in self.module_classes]
        return order

    def _is_sequential(self, cls: ast.ClassDef) -> bool:
        return any(self.qual(b) == "torch.nn.Sequential" for c in self._bases_in_file(cls) for b in c.bases)

    def info(self, name: str, call: ast.Call | None) -> _Class:
        key = (name, id(call))
        if key in self.infos:
            return self.infos[key]
        cls = self.classes[name]
        methods: dict[str, ast.FunctionDef] = {}
        for c in reversed(self._bases_in_file(cls)):
            for stmt in c.body:
                if isinstance(stmt, ast.FunctionDef):
                    methods[stmt.name] = stmt
        info = _Class(cls, methods, sequential=self._is_sequential(cls))
        self.infos[key] = info
        init = methods.get("__init__")
        if init is not None:
            scope = self._bind(init, call, info)
            self._run_init(info, init.body, scope)
        return info

    def _bind(self, func: ast.FunctionDef, call: ast.Call | None, info: _Class) -> dict[str, Any]:
        """Parameters of ``__init__`` bound to the literal arguments of ``call`` (else their defaults)."""
        args = func.args
        params = [a.arg for a in args.posonlyargs + args.args][1:]
        defaults: dict[str, ast.expr] = {}
        positional = args.posonlyargs + args.args
        for a, d in zip(positional[len(positional) - len(args.defaults) :], args.defaults):
            defaults[a.arg] = d
        for a, kd in zip(args.kwonlyargs, args.kw_defaults):
            if kd is not None:
                defaults[a.arg] = kd
        scope: dict[str, Any] = {p: NO for p in params + [a.arg for a in args.kwonlyargs]}
        given: dict[str, ast.expr] = {}
        if call is not None:
            for p, arg in zip(params, call.args):
                if not isinstance(arg, ast.Starred):
                    given[p] = arg
            for kw in call.keywords:
                if kw.arg is not None:
                    given[kw.arg] = kw.value
        for p in scope:
            if p in given:
                scope[p] = self.literal(given[p])
            elif p in defaults:
                scope[p] = self.literal(defaults[p])
                if call is None and scope[p] is not NO:
                    info.defaults_used.append(f"{p}={scope[p]!r}")
        return scope

    def _run_init(self, info: _Class, body: list[ast.stmt], scope: dict[str, Any]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    self._assign_init(info, t, stmt.value, scope)
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and isinstance(scope.get(stmt.target.id), list):
                more = self._specs(stmt.value, scope)
                if more is None:
                    scope[stmt.target.id] = NO
                else:
                    scope[stmt.target.id] = [*scope[stmt.target.id], *more]
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                self._init_call(info, stmt.value, scope)
            elif isinstance(stmt, ast.If):
                test = self._test(stmt.test, scope, info)
                if test is True:
                    self._run_init(info, stmt.body, scope)
                elif test is False:
                    self._run_init(info, stmt.orelse, scope)
                else:
                    self._branches_init(info, stmt, scope)
            elif isinstance(stmt, (ast.With, ast.Try)):
                self._run_init(info, stmt.body, scope)
            elif isinstance(stmt, (ast.For, ast.While, ast.AsyncFor)):
                self._loop_init(info, stmt, scope)

    def _branches_init(self, info: _Class, stmt: ast.If, scope: dict[str, Any]) -> None:
        before_modules = dict(info.modules)
        before_scope = dict(scope)
        self._run_init(info, stmt.body, scope)
        after_body, scope_body = dict(info.modules), dict(scope)
        info.modules = dict(before_modules)
        scope.clear()
        scope.update(before_scope)
        self._run_init(info, stmt.orelse, scope)
        for attr in set(after_body) | set(info.modules):
            a, b = after_body.get(attr), info.modules.get(attr)
            if a is not None and b is not None and self._sig_spec(a) != self._sig_spec(b):
                info.modules[attr] = Opaque(f"self.{attr} (set differently in the branches of the if at line {stmt.lineno})", stmt)
                self.asm.note(_loc(stmt), f"self.{attr} depends on a condition that is not resolved statically (line {stmt.lineno})")
            elif b is None and a is not None:
                info.modules[attr] = a
        for k, v in scope_body.items():
            if k not in scope:
                scope[k] = v
            elif scope[k] is not v and scope[k] != v:
                scope[k] = NO

    def _loop_init(self, info: _Class, stmt: ast.stmt, scope: dict[str, Any]) -> None:
        touched: set[str] = set()
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                        touched.add(f"self.{t.attr}")
                        info.modules[t.attr] = Opaque(f"self.{t.attr} (built in the loop at line {stmt.lineno})", stmt)
                    elif isinstance(t, ast.Name):
                        touched.add(t.id)
                        scope[t.id] = self._built_in_loop(scope.get(t.id), stmt)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                recv = node.func.value
                if node.func.attr in ("append", "extend", "add_module", "insert") and isinstance(recv, ast.Name) and recv.id != "self":
                    touched.add(recv.id)
                    scope[recv.id] = self._built_in_loop(scope.get(recv.id), stmt)
                elif node.func.attr == "add_module" and isinstance(recv, ast.Name) and recv.id == "self":
                    touched.add("self.add_module")
                elif node.func.attr in ("append", "extend") and isinstance(recv, ast.Attribute):
                    touched.add(f"self.{recv.attr}")
                    info.modules[recv.attr] = Opaque(f"self.{recv.attr} (built in the loop at line {stmt.lineno})", stmt)
        if touched:
            self.asm.note(_loc(stmt), f"layers built in the loop at line {stmt.lineno} ({', '.join(sorted(touched))}) are not resolved statically")

    def _built_in_loop(self, value: Any, stmt: ast.stmt) -> Any:
        """A list of modules extended in a loop: one opaque entry stands for what the loop adds."""
        if isinstance(value, list):
            return [*value, Opaque(f"the layers built in the loop at line {stmt.lineno}", stmt)]
        return NO

    def _assign_init(self, info: _Class, target: ast.expr, value: ast.expr, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            lit = self.literal(value, scope)
            if lit is not NO:
                info.attrs[target.attr] = lit
                return
            spec = self._spec(value, scope, module_only=True)
            if spec is not None:
                info.modules[target.attr] = spec
            return
        if isinstance(target, ast.Name):
            if isinstance(value, (ast.List, ast.Tuple)):
                specs = self._specs(value, scope)
                scope[target.id] = specs if specs is not None else NO
                return
            lit = self.literal(value, scope)
            if lit is not NO:
                scope[target.id] = lit
                return
            spec = self._spec(value, scope, module_only=True)
            scope[target.id] = spec if spec is not None else NO

    def _init_call(self, info: _Class, call: ast.Call, scope: dict[str, Any]) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call):
            if isinstance(func.value.func, ast.Name) and func.value.func.id == "super" and info.sequential:
                items: list[Spec] = []
                for a in call.args:
                    more = self._specs_arg(a, scope)
                    if more is None:
                        items.append(Opaque("an argument of super().__init__", a))
                    else:
                        items += more
                info.seq_init = items
            return
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            recv = func.value.id
            if recv == "self" and func.attr == "add_module" and len(call.args) >= 2:
                key = self.literal(call.args[0], scope)
                spec = self._spec(call.args[1], scope)
                if isinstance(key, str) and spec is not None:
                    info.modules[key] = spec
                    if info.sequential:
                        info.seq_init = [*(info.seq_init or []), spec]
            elif func.attr in ("append", "extend") and isinstance(scope.get(recv), list) and call.args:
                more = self._specs(call.args[0], scope) if func.attr == "extend" else self._specs_arg(call.args[0], scope)
                scope[recv] = NO if more is None else [*scope[recv], *more]
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):
            owner = func.value
            if isinstance(owner.value, ast.Name) and owner.value.id == "self" and func.attr in ("append", "extend"):
                current = info.modules.get(owner.attr)
                if isinstance(current, Seq) and call.args:
                    more = self._specs(call.args[0], scope) if func.attr == "extend" else self._specs_arg(call.args[0], scope)
                    info.modules[owner.attr] = Seq([*current.items, *more]) if more is not None else Opaque(f"self.{owner.attr}", call)

    def _test(self, test: ast.expr, scope: dict[str, Any], info: _Class | None) -> bool | None:
        """A condition's value when it is static (literals, bound parameters, ``self.training``)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self._test(test.operand, scope, info)
            return None if inner is None else not inner
        if isinstance(test, ast.Attribute) and isinstance(test.value, ast.Name) and test.value.id == "self":
            if test.attr == "training":
                return True  # the training output is what the loss sees
            if info is not None and test.attr in info.attrs:
                return bool(info.attrs[test.attr])
            return None
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            a, b = self._value(test.left, scope, info), self._value(test.comparators[0], scope, info)
            if a is NO or b is NO:
                return None
            op = test.ops[0]
            try:
                if isinstance(op, ast.Eq):
                    return bool(a == b)
                if isinstance(op, ast.NotEq):
                    return bool(a != b)
                if isinstance(op, ast.Gt):
                    return bool(a > b)
                if isinstance(op, ast.GtE):
                    return bool(a >= b)
                if isinstance(op, ast.Lt):
                    return bool(a < b)
                if isinstance(op, ast.LtE):
                    return bool(a <= b)
                if isinstance(op, ast.Is):
                    return a is b
                if isinstance(op, ast.IsNot):
                    return a is not b
            except TypeError:
                return None
            return None
        v = self._value(test, scope, info)
        return None if v is NO else bool(v)

    def _value(self, node: ast.expr, scope: dict[str, Any], info: _Class | None) -> Any:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" and info is not None:
            return info.attrs.get(node.attr, NO)
        return self.literal(node, scope)

    # --- module specs ------------------------------------------------------------------------

    def _specs_arg(self, node: ast.expr, scope: dict[str, Any]) -> list[Spec] | None:
        """One argument of ``nn.Sequential(...)``: a module, or ``*name`` of a list of modules."""
        if isinstance(node, ast.Starred):
            return self._specs(node.value, scope)
        spec = self._spec(node, scope)
        return None if spec is None else [spec]

    def _specs(self, node: ast.expr, scope: dict[str, Any]) -> list[Spec] | None:
        """A list of modules: a list/tuple literal, or a name bound to one."""
        if isinstance(node, (ast.List, ast.Tuple)):
            out: list[Spec] = []
            for e in node.elts:
                more = self._specs_arg(e, scope)
                if more is None:
                    return None
                out += more
            return out
        if isinstance(node, ast.Name) and isinstance(scope.get(node.id), list):
            value: list[Any] = scope[node.id]
            if all(isinstance(v, (Leaf, Seq, Sub, Opaque, LossMod)) for v in value):
                return list(value)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            self.asm.note(_loc(node), f"layers built by the comprehension at line {node.lineno} are not resolved statically")
            return [Opaque(f"the layers of the comprehension at line {node.lineno}", node)]
        return None

    def _spec(self, node: ast.expr, scope: dict[str, Any], module_only: bool = False) -> Spec | None:
        """What module an expression builds; ``None`` when it is not a module at all."""
        if isinstance(node, ast.Name):
            v = scope.get(node.id)
            if isinstance(v, (Leaf, Seq, Sub, Opaque, LossMod)):
                return v
            if isinstance(v, list) and v and all(isinstance(i, (Leaf, Seq, Sub, Opaque, LossMod)) for i in v):
                return Seq(list(v))
            return None
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("to", "cuda", "cpu", "float", "double", "half", "train", "requires_grad_"):
            inner = self._spec(func.value, scope, module_only)
            if inner is not None:
                return inner
        nn_name = self.torch_nn(func)
        if nn_name is not None:
            return self._torch_module(nn_name, node, scope)
        if isinstance(func, ast.Name) and func.id in self.module_classes:
            return Sub(func.id, node)
        q = self.qual(func)
        if q is None:
            return Opaque("a module built at run time", node) if not module_only else None
        if q.startswith("torch.") or q in ("list", "dict", "tuple", "int", "float", "str", "len", "range", "super", "getattr", "setattr"):
            if q == "getattr":
                return Opaque("a module chosen by getattr", node)
            return None
        if q in self.functions:
            return Opaque(f"the module returned by {q}()", node)
        return Opaque(q, node)

    def _arg(self, call: ast.Call, index: int, *names: str) -> ast.expr | None:
        for kw in call.keywords:
            if kw.arg in names:
                return kw.value
        if 0 <= index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
            return call.args[index]
        return None

    def _torch_module(self, name: str, call: ast.Call, scope: dict[str, Any]) -> Spec:
        here = _loc(call)
        at: dict[str, Location] = {"": here, "type": here}
        layer: dict[str, Any] = {"name": name}

        def units(index: int, *names: str) -> None:
            node = self._arg(call, index, *names)
            value = self.literal(node, scope)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                layer["units"] = value
                at["units"] = _loc(node) if node is not None else here
            elif node is not None:
                at["units"] = _loc(node)

        if name == "Sequential":
            items: list[Spec] = []
            if len(call.args) == 1 and isinstance(call.args[0], ast.Call) and self.qual(call.args[0].func) in (
                "collections.OrderedDict", "OrderedDict", "dict",
            ):  # fmt: skip
                pairs = call.args[0].args[0] if call.args[0].args else None
                if isinstance(pairs, (ast.List, ast.Tuple)):
                    for p in pairs.elts:
                        if isinstance(p, ast.Tuple) and len(p.elts) == 2:
                            s = self._spec(p.elts[1], scope)
                            items.append(s if s is not None else Opaque("a Sequential entry", p))
                    return Seq(items)
                return Opaque("nn.Sequential(OrderedDict(...)) built at run time", call)
            for a in call.args:
                more = self._specs_arg(a, scope)
                items += more if more is not None else [Opaque(f"an argument of nn.Sequential at line {a.lineno}", a)]
            return Seq(items)
        if name == "ModuleList":
            if not call.args:
                return Seq([])
            more = self._specs(call.args[0], scope)
            return Seq(more) if more is not None else Opaque(f"nn.ModuleList at line {call.lineno}", call)
        if name.endswith("Loss"):
            return LossMod(self._loss_part(name, call, scope), call)
        if name in _ACTIVATION_MODULES:
            layer = {"type": "activation", "activation": self._activation(name, call, scope, at, positional_alpha=name == "LeakyReLU")}
            at["activation"] = here
            return Leaf([Entry(layer, at)])
        if name in ("Linear", "Bilinear", "LazyLinear"):
            layer["type"] = "dense"
            units({"Linear": 1, "Bilinear": 2, "LazyLinear": 0}[name], "out_features")
        elif name.startswith(("Conv", "LazyConv")) and name[-2:] in ("1d", "2d", "3d"):
            layer["type"] = "conv"
            units(0 if name.startswith("Lazy") else 1, "out_channels")
        elif name in ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"):
            layer["type"] = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}[name.replace("Cell", "")]
            units(1, "hidden_size")
            if layer["type"] == "rnn":
                node = self._arg(call, 3, "nonlinearity")
                value = self.literal(node, scope)
                if node is None:
                    layer["activation"] = "tanh"
                elif isinstance(value, str):
                    layer["activation"] = value
                    at["activation"] = _loc(node)
                else:
                    layer["activation"] = "unresolved:nonlinearity"
                    at["activation"] = _loc(node)
                    self.asm.note(_loc(node), f"nonlinearity of nn.{name} at line {node.lineno} is not a literal: the cell activation is unknown")
            bidi = self.literal(self._arg(call, -1, "bidirectional"), scope)
            if bidi is True:
                layer["bidirectional"] = True
        elif name in ("Embedding", "EmbeddingBag"):
            layer["type"] = "embedding"
            for index, key in ((0, "input_dim"), (1, "output_dim")):
                v = self.literal(self._arg(call, index, "num_embeddings" if index == 0 else "embedding_dim"), scope)
                if isinstance(v, int) and not isinstance(v, bool):
                    layer[key] = v
        elif "Dropout" in name:
            layer["type"] = "dropout"
            p = self.literal(self._arg(call, 0, "p"), scope)
            if isinstance(p, (int, float)) and not isinstance(p, bool):
                layer["rate"] = float(p)
        elif name.startswith(("BatchNorm", "SyncBatchNorm", "LazyBatchNorm")):
            layer["type"] = "batchnorm"
        elif name in ("LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm") or name.startswith("InstanceNorm"):
            layer["type"] = "layernorm"
        elif name in ("Flatten", "Unflatten", "Identity"):
            layer["type"] = "flatten"
        elif "Pool" in name:
            layer["type"] = "pooling"
        elif name == "MultiheadAttention":
            layer["type"] = "attention"
            heads = self.literal(self._arg(call, 1, "num_heads"), scope)
            if isinstance(heads, int) and not isinstance(heads, bool):
                layer["num_heads"] = heads
        else:
            return Leaf([Entry({"type": "other", "name": name}, at, opaque=f"nn.{name}")])
        return Leaf([Entry(layer, at)])

    def _activation(self, name: str, call: ast.Call, scope: dict[str, Any], at: dict[str, Location], positional_alpha: bool) -> Any:
        """An activation module or function call as an activation value (``{name, alpha}`` for leaky_relu)."""
        base = name.rstrip("_")
        if base.lower() in ("leakyrelu", "leaky_relu"):
            node = self._arg(call, 0 if positional_alpha else 1, "negative_slope")
            alpha = self.literal(node, scope)
            if isinstance(alpha, (int, float)) and not isinstance(alpha, bool):
                if node is not None:
                    at["activation/alpha"] = _loc(node)
                return {"name": "leaky_relu", "alpha": float(alpha)}
            return "leaky_relu"
        if base == "expit":
            return "sigmoid"
        return base

    # --- forward -----------------------------------------------------------------------------

    def class_entries(self, name: str, call: ast.Call | None) -> list[Entry]:
        """The layers of a model class along the path its ``forward`` returns."""
        if name in self.active or len(self.active) >= _MAX_DEPTH:
            cls = self.classes[name]
            return [Entry({"type": "other", "name": name}, {"": _loc(cls)}, opaque=f"{name} (recursive)")]
        self.active.append(name)
        try:
            info = self.info(name, call)
            forward = info.methods.get("forward")
            if forward is None:
                if info.sequential:
                    return self.flatten(list(info.seq_init or []))
                init_order: Trace = list(info.modules.values())
                self.asm.note(_loc(info.node), f"{name} has no forward(): its layers are taken in __init__ order and its output is not resolved")
                return self.flatten([*init_order, Opaque(f"{name} (no forward())", info.node)])
            trace = self.forward_trace(info, forward)
            if trace is None:
                self.asm.note(_loc(forward), f"the output of {name}.forward() (line {forward.lineno}) is not resolved statically: its layers are taken in __init__ order")
                return self.flatten([*info.modules.values(), Opaque(f"{name}.forward()", forward)])
            return self.flatten(trace)
        finally:
            self.active.pop()

    def flatten(self, trace: Trace) -> list[Entry]:
        out: list[Entry] = []
        for step in trace:
            if isinstance(step, Entry):
                out.append(Entry(dict(step.layer), dict(step.at), step.opaque, step.merge))
            elif isinstance(step, Leaf):
                out += [Entry(dict(e.layer), dict(e.at), e.opaque, e.merge) for e in step.entries]
            elif isinstance(step, Seq):
                out += self.flatten(list(step.items))
            elif isinstance(step, Sub):
                out += self.class_entries(step.cls, step.call)
            elif isinstance(step, Opaque):
                out.append(Entry({"type": "other", "name": step.what[:60]}, {"": _loc(step.node)}, opaque=step.what))
        return out

    def forward_trace(self, info: _Class, func: ast.FunctionDef, env: dict[str, Trace | None] | None = None, depth: int = 0) -> Trace | None:
        if env is None:
            env = {a.arg: [] for a in func.args.args[1:] + func.args.posonlyargs + func.args.kwonlyargs}
        mods: dict[str, Spec] = {}
        returns: list[tuple[Trace | None, ast.AST]] = []
        self._run(func.body, env, mods, returns, info, depth)
        if not returns:
            return None
        first = returns[0][0]
        if all(self._sig(t) == self._sig(first) for t, _ in returns):
            return first
        lines = ", ".join(str(getattr(n, "lineno", "?")) for _, n in returns)
        self.asm.note(_loc(func), f"{func.name}() returns along several paths (lines {lines}) that differ: the output activation is unknown")
        base = next((t for t, _ in returns if t is not None), [])
        return [*base, Opaque(f"one of several return paths of {func.name}()", func)]

    def _run(
        self,
        body: list[ast.stmt],
        env: dict[str, Trace | None],
        mods: dict[str, Spec],
        returns: list[tuple[Trace | None, ast.AST]],
        info: _Class,
        depth: int,
    ) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                trace = self.trace(stmt.value, env, mods, info, depth)
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        env[t.id] = trace
                    elif isinstance(t, (ast.Tuple, ast.List)):
                        for i, e in enumerate(t.elts):
                            if isinstance(e, ast.Name):
                                env[e.id] = trace if i == 0 else None
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                a, b = env.get(stmt.target.id), self.trace(stmt.value, env, mods, info, depth)
                env[stmt.target.id] = self._merge([a, b], stmt)
            elif isinstance(stmt, ast.Return) and stmt.value is not None:
                value = stmt.value
                if isinstance(value, ast.Tuple) and value.elts:
                    self.asm.note(_loc(stmt), f"forward returns a tuple at line {stmt.lineno}: its first element is taken as the output")
                    value = value.elts[0]
                returns.append((self.trace(value, env, mods, info, depth), stmt))
                return
            elif isinstance(stmt, ast.If):
                test = self._test(stmt.test, {}, info)
                if test is True:
                    self._run(stmt.body, env, mods, returns, info, depth)
                elif test is False:
                    self._run(stmt.orelse, env, mods, returns, info, depth)
                else:
                    other = dict(env)
                    self._run(stmt.body, env, mods, returns, info, depth)
                    self._run(stmt.orelse, other, mods, returns, info, depth)
                    for k in set(env) | set(other):
                        if self._sig(env.get(k)) != self._sig(other.get(k)):
                            base = env.get(k) or other.get(k) or []
                            env[k] = [*base, Opaque(f"a value set differently in the branches of the if at line {stmt.lineno}", stmt)]
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                items = self._loop_items(stmt, info)
                if items is not None and isinstance(stmt.target, ast.Name):
                    for spec in items:
                        mods[stmt.target.id] = spec
                        self._run(stmt.body, env, mods, returns, info, depth)
                    mods.pop(stmt.target.id, None)
                else:
                    self.asm.note(_loc(stmt), f"the loop at line {stmt.lineno} in {info.node.name}.forward() is read as a single pass")
                    self._run(stmt.body, env, mods, returns, info, depth)
            elif isinstance(stmt, ast.While):
                self.asm.note(_loc(stmt), f"the loop at line {stmt.lineno} in {info.node.name}.forward() is read as a single pass")
                self._run(stmt.body, env, mods, returns, info, depth)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                self._run(stmt.body, env, mods, returns, info, depth)
            elif isinstance(stmt, ast.Try):
                self._run(stmt.body, env, mods, returns, info, depth)
                self._run(stmt.finalbody, env, mods, returns, info, depth)

    def _loop_items(self, stmt: ast.For | ast.AsyncFor, info: _Class) -> list[Spec] | None:
        it = stmt.iter
        if isinstance(it, ast.Attribute) and isinstance(it.value, ast.Name) and it.value.id == "self":
            spec = info.modules.get(it.attr)
            if isinstance(spec, Seq):
                return list(spec.items)
            if isinstance(spec, Opaque):
                return [spec]  # reported where it is built
        return None

    def _merge(self, traces: list[Trace | None], node: ast.AST) -> Trace | None:
        known = [t for t in traces if t is not None]
        if not known:
            return None
        longest = max(known, key=len)
        return [*longest, Entry({"type": "other", "name": "merge"}, {"": _loc(node)}, merge=True, opaque="an arithmetic combination of values")]

    def trace(self, node: ast.expr, env: dict[str, Trace | None], mods: dict[str, Spec], info: _Class, depth: int) -> Trace | None:
        """How a value in ``forward`` was computed from the input: the modules and activations applied."""
        if isinstance(node, ast.Name):
            t = env.get(node.id)
            return list(t) if t is not None else None
        if isinstance(node, ast.Subscript):
            return self.trace(node.value, env, mods, info, depth)
        if isinstance(node, ast.Starred):
            return self.trace(node.value, env, mods, info, depth)
        if isinstance(node, ast.BinOp):
            return self._merge([self.trace(node.left, env, mods, info, depth), self.trace(node.right, env, mods, info, depth)], node)
        if isinstance(node, ast.UnaryOp):
            return self._merge([self.trace(node.operand, env, mods, info, depth)], node)
        if isinstance(node, ast.IfExp):
            test = self._test(node.test, {}, info)
            if test is not None:
                return self.trace(node.body if test else node.orelse, env, mods, info, depth)
            a, b = self.trace(node.body, env, mods, info, depth), self.trace(node.orelse, env, mods, info, depth)
            if self._sig(a) == self._sig(b):
                return a
            return [*(a or b or []), Opaque(f"a conditional expression at line {node.lineno}", node)]
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        first = node.args[0] if node.args else None

        def through(step: Step | None, source: ast.expr | None = first) -> Trace | None:
            base = self.trace(source, env, mods, info, depth) if source is not None else None
            if step is None:
                return base
            return [*(base or []), step]

        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            attr = func.attr
            if attr in info.modules:
                spec = info.modules[attr]
                return through(spec) if not isinstance(spec, LossMod) else None
            method = info.methods.get(attr)
            if method is not None and attr != "forward" and depth < 6:
                sub_env: dict[str, Trace | None] = {}
                params = [a.arg for a in method.args.args[1:]]
                for p, arg in zip(params, node.args):
                    sub_env[p] = self.trace(arg, env, mods, info, depth)
                return self.forward_trace(info, method, sub_env, depth + 1)
            return through(Opaque(f"self.{attr}", node))
        if isinstance(func, ast.Name) and func.id in mods:
            return through(mods[func.id])
        q = self.qual(func)
        if q is not None:
            fname = q.rsplit(".", 1)[-1]
            if (q.startswith("torch.nn.functional.") and fname.rstrip("_") in _FUNCTIONAL_ACTIVATIONS) or (
                q.startswith("torch.") and q[len("torch.") :].rstrip("_") in _TORCH_ACTIVATIONS
            ):
                return through(self._act_entry(fname, node))
            if q in _PASSTHROUGH_FUNCTIONS:
                return through(None)
            if q in _MERGE_FUNCTIONS:
                parts: list[Trace | None] = []
                for arg in node.args:
                    if isinstance(arg, (ast.List, ast.Tuple)):
                        parts += [self.trace(e, env, mods, info, depth) for e in arg.elts]
                    else:
                        parts.append(self.trace(arg, env, mods, info, depth))
                if q in ("torch.sum", "torch.mean") and len(parts) == 1:
                    return parts[0]
                return self._merge(parts, node)
            if q == "torch.log":
                base = self.trace(first, env, mods, info, depth) if first is not None else None
                return self._log_of(base, node)
        if isinstance(func, ast.Attribute):
            method_name = func.attr
            if method_name in _ACTIVATION_METHODS:
                return through(self._act_entry(method_name, node), func.value)
            if method_name in _PASSTHROUGH_METHODS or method_name in ("mean", "sum", "max", "min"):
                return through(None, func.value)
            if method_name == "log":
                return self._log_of(self.trace(func.value, env, mods, info, depth), node)
        # Anything else applied to a traced value: opaque.
        for arg in [*node.args, *(kw.value for kw in node.keywords)]:
            t = self.trace(arg, env, mods, info, depth)
            if t is not None:
                return [*t, Opaque(f"{q or 'a call'}() at line {node.lineno}", node)]
        if isinstance(func, ast.Attribute):
            t = self.trace(func.value, env, mods, info, depth)
            if t is not None:
                return [*t, Opaque(f".{func.attr}() at line {node.lineno}", node)]
        return None

    def _act_entry(self, fname: str, call: ast.Call) -> Entry:
        here = _loc(call)
        at = {"": here, "type": here, "activation": here}
        value = self._activation(fname.replace("special.", ""), call, {}, at, positional_alpha=False)
        return Entry({"type": "activation", "activation": value}, at)

    def _log_of(self, base: Trace | None, node: ast.Call) -> Trace | None:
        """``torch.log(softmax(x))`` is log_softmax; a log of anything else is opaque."""
        if base and isinstance(base[-1], Entry) and base[-1].layer.get("activation") == "softmax":
            here = _loc(node)
            return [*base[:-1], Entry({"type": "activation", "activation": "log_softmax"}, {"": here, "type": here, "activation": here})]
        if base is None:
            return None
        return [*base, Opaque(f"torch.log at line {node.lineno}", node)]

    def _sig(self, trace: Trace | None) -> Any:
        if trace is None:
            return None
        out = []
        for step in trace:
            if isinstance(step, Entry):
                if step.layer.get("type") in ("dropout", "flatten", "pooling"):
                    continue
                out.append(("entry", step.layer.get("type"), repr(step.layer.get("activation")), step.layer.get("units"), step.opaque))
            else:
                out.append(self._sig_spec(step))
        return tuple(out)

    def _sig_spec(self, spec: Spec) -> Any:
        if isinstance(spec, Leaf):
            return ("leaf", tuple((e.layer.get("type"), repr(e.layer.get("activation")), e.layer.get("units")) for e in spec.entries))
        if isinstance(spec, Seq):
            return ("seq", tuple(self._sig_spec(s) for s in spec.items))
        if isinstance(spec, Sub):
            return ("sub", spec.cls, id(spec.call))
        if isinstance(spec, Opaque):
            return ("opaque", id(spec.node))
        return ("loss", id(spec.node))

    # --- the whole file ----------------------------------------------------------------------

    def read(self) -> ReadResult:
        optimizers = self.optimizers()
        entries, model_found = self.model(optimizers)
        loss, extra = self.criterion()
        entries += extra
        optimizer = self.optimizer(optimizers)
        self.clipping(optimizer)
        if not model_found and loss is None and optimizer is None:
            self.asm.note(START, "no PyTorch model (nn.Module subclass or nn.Sequential), criterion or optimizer found: nothing was checked")
        elif not model_found:
            self.asm.note(
                self.torch_at or START,
                "no model (nn.Module subclass or nn.Sequential) found in this file: only the loss and the optimizer are checked",
            )
        elif model_found and loss is None and not self.loss_reported:
            self.asm.note(self.torch_at or START, "no criterion (nn.XLoss or F.cross_entropy-style call) found in this file: the loss is unknown")
        return self.asm.result(entries, loss, optimizer, framework_at=self.torch_at or START)

    def enclosing(self, node: ast.AST, kinds: tuple[type, ...] = (ast.FunctionDef, ast.AsyncFunctionDef)) -> ast.AST | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, kinds):
            current = self.parents.get(current)
        return current

    def calls(self) -> Iterator[ast.Call]:
        yield from self._calls

    # --- the model ---------------------------------------------------------------------------

    def model(self, optimizers: list[ast.Call]) -> tuple[list[Entry], bool]:
        chosen = self._model_of_optimizer(optimizers)
        candidates = self._candidates()
        if chosen is None:
            if not candidates:
                return [], False
            chosen = candidates[-1]
            if len(candidates) > 1:
                names = ", ".join(self._describe(c) for c in candidates)
                self.asm.note(_loc(chosen[1]), f"{len(candidates)} models in this file ({names}): {self._describe(chosen)} is checked (the last defined)")
        elif len(candidates) > 1:
            self.asm.note(_loc(chosen[1]), f"{len(candidates)} models in this file: {self._describe(chosen)} is checked (it is passed to the optimizer)")
        kind, node, scope = chosen
        if kind == "class":
            assert isinstance(node, ast.ClassDef)
            call = self._instantiation(node.name)
            entries = self.class_entries(node.name, call)
            used = self.infos[(node.name, id(call))].defaults_used if (node.name, id(call)) in self.infos else []
            if call is None and used:
                self.asm.note(
                    _loc(node),
                    f"{node.name} is not instantiated in this file: the defaults of its __init__ parameters are used ({', '.join(used)})",
                )
            return entries, True
        assert isinstance(node, ast.Call)
        spec = self._spec(node, scope)
        if isinstance(spec, Sub):
            return self.class_entries(spec.cls, spec.call), True
        return self.flatten([spec] if spec is not None else []), True

    def _describe(self, candidate: tuple[str, ast.AST, dict[str, Any]]) -> str:
        kind, node, _ = candidate
        if isinstance(node, ast.ClassDef):
            return node.name
        return f"the nn.Sequential at line {getattr(node, 'lineno', '?')}"

    def _instantiation(self, cls: str) -> ast.Call | None:
        for call in self.calls():
            if isinstance(call.func, ast.Name) and call.func.id == cls:
                owner = self.enclosing(call, (ast.ClassDef,))
                if owner is None or not (isinstance(owner, ast.ClassDef) and owner.name in self.module_classes):
                    return call
        return None

    def _candidates(self) -> list[tuple[str, ast.AST, dict[str, Any]]]:
        used: set[str] = set()
        for name in self.module_classes:
            cls = self.classes[name]
            for node in ast.walk(cls):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.module_classes and node.func.id != name:
                    used.add(node.func.id)
        criteria = {self._criterion_class(c) for c in self.calls()} - {None}
        out: list[tuple[str, ast.AST, dict[str, Any]]] = []
        for name in self.module_classes:
            cls = self.classes[name]
            if name in used or name in criteria or "Loss" in name or "Criterion" in name:
                continue
            has_layers = any(
                isinstance(n, ast.Call) and (self.torch_nn(n.func) or (isinstance(n.func, ast.Name) and n.func.id in self.module_classes))
                for n in ast.walk(cls)
            )
            if has_layers:
                out.append(("class", cls, {}))
        for call in self.calls():
            if self.torch_nn(call.func) == "Sequential":
                owner = self.enclosing(call, (ast.ClassDef,))
                if owner is not None or isinstance(self.parents.get(call), ast.Call):
                    continue  # inside a model class, or nested in another Sequential
                out.append(("seq", call, self._scope_at(call)))
        out.sort(key=lambda c: getattr(c[1], "lineno", 0))
        return out

    def _criterion_class(self, call: ast.Call) -> str | None:
        parent = self.parents.get(call)
        if isinstance(call.func, ast.Name) and call.func.id in self.module_classes and isinstance(parent, ast.Assign):
            for t in parent.targets:
                tname = t.id if isinstance(t, ast.Name) else (t.attr if isinstance(t, ast.Attribute) else "")
                if tname.lower() in _CRITERION_NAMES or "loss" in tname.lower():
                    return call.func.id
        return None

    def _scope_at(self, node: ast.AST) -> dict[str, Any]:
        """Literal and module bindings of the function (or module) around ``node``, before it."""
        owner = self.enclosing(node)
        body = owner.body if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)) else self.tree.body
        scope: dict[str, Any] = {}
        line = getattr(node, "lineno", 0)

        def visit(stmts: list[ast.stmt]) -> None:
            for stmt in stmts:
                if getattr(stmt, "lineno", 0) >= line:
                    return
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    name = stmt.targets[0].id
                    if isinstance(stmt.value, (ast.List, ast.Tuple)):
                        specs = self._specs(stmt.value, scope)
                        scope[name] = specs if specs is not None else NO
                    else:
                        lit = self.literal(stmt.value, scope)
                        scope[name] = lit if lit is not NO else (self._spec(stmt.value, scope, module_only=True) or NO)
                elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and isinstance(scope.get(stmt.target.id), list):
                    more = self._specs(stmt.value, scope)
                    scope[stmt.target.id] = NO if more is None else [*scope[stmt.target.id], *more]
                elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute):
                    recv = stmt.value.func.value
                    if isinstance(recv, ast.Name) and isinstance(scope.get(recv.id), list) and stmt.value.args:
                        if stmt.value.func.attr == "append":
                            more = self._specs_arg(stmt.value.args[0], scope)
                        elif stmt.value.func.attr == "extend":
                            more = self._specs(stmt.value.args[0], scope)
                        else:
                            more = None
                        scope[recv.id] = NO if more is None else [*scope[recv.id], *more]
                elif isinstance(stmt, (ast.For, ast.While, ast.AsyncFor)):
                    touched: set[str] = set()
                    for n in ast.walk(stmt):
                        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name):
                            if n.func.attr in ("append", "extend", "insert") and n.func.value.id in scope:
                                touched.add(n.func.value.id)
                        elif isinstance(n, (ast.Assign, ast.AugAssign)):
                            for t in n.targets if isinstance(n, ast.Assign) else [n.target]:
                                if isinstance(t, ast.Name) and t.id in scope:
                                    touched.add(t.id)
                    for name in sorted(touched):
                        if isinstance(scope.get(name), list):
                            self.asm.note(_loc(stmt), f"layers built in the loop at line {stmt.lineno} ({name}) are not resolved statically")
                        scope[name] = self._built_in_loop(scope.get(name), stmt)
                elif isinstance(stmt, ast.If) and isinstance(self.parents.get(stmt), ast.Module):
                    visit(stmt.body)

        visit(body)
        return scope

    def _model_of_optimizer(self, optimizers: list[ast.Call]) -> tuple[str, ast.AST, dict[str, Any]] | None:
        for opt in optimizers:
            params = opt.args[0] if opt.args else next((k.value for k in opt.keywords if k.arg == "params"), None)
            if params is None:
                continue
            for node in ast.walk(params):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("parameters", "named_parameters")):
                    continue
                recv = node.func.value
                while isinstance(recv, ast.Attribute) and not (isinstance(recv.value, ast.Name) and recv.value.id == "self"):
                    recv = recv.value
                if isinstance(recv, ast.Name) and recv.id == "self":
                    owner = self.enclosing(opt, (ast.ClassDef,))
                    if isinstance(owner, ast.ClassDef) and owner.name in self.module_classes:
                        return ("class", owner, {})
                if isinstance(recv, ast.Attribute) and isinstance(recv.value, ast.Name) and recv.value.id == "self":
                    owner = self.enclosing(opt, (ast.ClassDef,))
                    if isinstance(owner, ast.ClassDef) and owner.name in self.module_classes:
                        info = self.info(owner.name, None)
                        spec = info.modules.get(recv.attr)
                        if isinstance(spec, Sub):
                            return ("class", self.classes[spec.cls], {})
                        if spec is not None:
                            return ("class", owner, {})
                if isinstance(recv, ast.Name):
                    found = self._definition(recv.id, opt, 0)
                    if found is not None:
                        return found
        return None

    def _definition(self, name: str, near: ast.AST, depth: int) -> tuple[str, ast.AST, dict[str, Any]] | None:
        """What model a name is bound to: ``Net(...)``, ``nn.Sequential(...)``, ``build()``."""
        if depth > 4:
            return None
        owner = self.enclosing(near)
        scopes: list[ast.AST] = [owner] if owner is not None else []
        scopes.append(self.tree)
        for scope_node in scopes:
            best: ast.Assign | None = None
            for node in ast.walk(scope_node):
                if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                    if best is None or (node.lineno <= getattr(near, "lineno", 0) and node.lineno > best.lineno):
                        best = node
            if best is not None:
                return self._model_value(best.value, best, depth)
        return None

    def _model_value(self, value: ast.expr, where: ast.AST, depth: int) -> tuple[str, ast.AST, dict[str, Any]] | None:
        while isinstance(value, ast.Call):
            if isinstance(value.func, ast.Attribute) and value.func.attr in ("to", "cuda", "cpu", "float", "double", "train"):
                value = value.func.value
            elif self.qual(value.func) in _WRAPPERS and value.args:
                value = value.args[0]
            else:
                break
        if isinstance(value, ast.Call):
            if isinstance(value.func, ast.Name) and value.func.id in self.module_classes:
                return ("class", self.classes[value.func.id], {})
            if self.torch_nn(value.func) == "Sequential":
                return ("seq", value, self._scope_at(value))
            if isinstance(value.func, ast.Name) and value.func.id in self.functions:
                fn = self.functions[value.func.id]
                for node in ast.walk(fn):
                    if isinstance(node, ast.Return) and node.value is not None:
                        if isinstance(node.value, ast.Name):
                            return self._definition(node.value.id, node, depth + 1)
                        return self._model_value(node.value, node, depth + 1)
        if isinstance(value, ast.Name):
            return self._definition(value.id, where, depth + 1)
        return None

    # --- the criterion -----------------------------------------------------------------------

    def _loss_part(self, name: str, call: ast.Call, scope: dict[str, Any]) -> Part:
        here = _loc(call)
        spec: dict[str, Any] = {"name": name}
        at: dict[str, Location] = {"": here, "name": here}
        for kw in call.keywords:
            if kw.arg not in _LOSS_PARAMS:
                continue
            key = _LOSS_PARAMS[kw.arg]
            value = self.literal(kw.value, scope)
            if key in ("pos_weight", "weight") and isinstance(value, list) and len(value) == 1 and key == "pos_weight":
                value = value[0]
            ok = (
                isinstance(value, str) if key == "reduction"
                else isinstance(value, int) and not isinstance(value, bool) if key == "ignore_index"
                else isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) if key == "weight"
                else (isinstance(value, (int, float)) and not isinstance(value, bool))
                or (key == "pos_weight" and isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value))
            )  # fmt: skip
            if ok:
                spec[key] = value
                at[key] = _loc(kw.value)
            elif key in ("delta", "label_smoothing"):
                self.asm.note(_loc(kw.value), f"{kw.arg} of {name} at line {kw.value.lineno} is not a literal: it is unknown")
        return Part(spec if len(spec) > 1 else name, at)

    def _losses(self) -> list[_Loss]:
        found: list[_Loss] = []
        for call in self.calls():
            q = self.qual(call.func)
            nn_name = self.torch_nn(call.func)
            if nn_name is not None and nn_name.endswith("Loss"):
                part = self._loss_part(nn_name, call, self._scope_at(call))
                found.append(_Loss(nn_name, part, call, self._criterion_ref(call), [], self._conditional(call)))
            elif q and q.startswith("torch.nn.functional.") and q.rsplit(".", 1)[-1] in _FUNCTIONAL_LOSSES:
                name = _FUNCTIONAL_LOSSES[q.rsplit(".", 1)[-1]]
                part = self._loss_part(name, call, self._scope_at(call))
                inp = self._arg(call, 0, "input")
                found.append(_Loss(name, part, call, None, [inp] if inp is not None else [], self._conditional(call)))
            elif q in ("torchvision.ops.sigmoid_focal_loss", "torchvision.ops.focal_loss.sigmoid_focal_loss"):
                inp = self._arg(call, 0, "inputs")
                found.append(_Loss("sigmoid_focal_loss", Part("sigmoid_focal_loss", {"": _loc(call)}), call, None, [inp] if inp is not None else [], self._conditional(call)))
        for loss in found:
            if loss.func is not None:
                loss.inputs = self._criterion_inputs(loss.func, loss.node)
        return found

    def _conditional(self, call: ast.Call) -> bool:
        node: ast.AST = call
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, ast.stmt):
            if isinstance(parent, (ast.IfExp, ast.Dict, ast.List, ast.Tuple, ast.BoolOp, ast.Lambda)):
                return True
            node, parent = parent, self.parents.get(parent)
        return False

    def _criterion_ref(self, call: ast.Call) -> ast.AST | None:
        """What the loss object is bound to (a name or ``self.attr``), or the call itself when it is
        called inline (``nn.CrossEntropyLoss()(out, y)``)."""
        node: ast.AST = call
        parent = self.parents.get(call)
        while isinstance(parent, ast.Attribute) and parent.attr in ("to", "cuda", "cpu", "double", "float"):
            grand = self.parents.get(parent)
            if not (isinstance(grand, ast.Call) and grand.func is parent):
                break
            node, parent = grand, self.parents.get(grand)
        if isinstance(parent, ast.Call) and parent.func is node:
            return parent
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return targets[0]
        return None

    def _criterion_inputs(self, ref: ast.AST, created: ast.Call) -> list[ast.expr]:
        if isinstance(ref, ast.Call):
            return [ref.args[0]] if ref.args else []
        out: list[ast.expr] = []
        for call in self.calls():
            f = call.func
            same = (isinstance(ref, ast.Name) and isinstance(f, ast.Name) and f.id == ref.id) or (
                isinstance(ref, ast.Attribute) and isinstance(f, ast.Attribute) and f.attr == ref.attr
                and isinstance(f.value, ast.Name) and isinstance(ref.value, ast.Name) and f.value.id == ref.value.id
            )  # fmt: skip
            if same and call.args:
                out.append(call.args[0])
        return out

    def criterion(self) -> tuple[Part | None, list[Entry]]:
        """The loss, and the activations applied to the model output before it (outside the model)."""
        loss_classes = {self._criterion_class(c) for c in self.calls()} - {None}
        losses = [loss for loss in self._losses() if not self._inside_loss_class(loss.node, loss_classes)]
        plain = [loss for loss in losses if not loss.conditional]
        for loss in losses:
            if loss.conditional:
                self.loss_reported = True
                self.asm.note(_loc(loss.node), f"{loss.name} at line {loss.node.lineno} is chosen by a condition or from a collection: the loss is unknown")
        if self._criterion_variables():
            return None, []  # the criterion is custom or computed: built-in losses elsewhere are not it
        if not plain or len(plain) < len(losses):
            return None, []
        distinct = self._distinct(plain)
        if len(distinct) > 1:
            training = [loss for loss in plain if self._context(loss.node) == "train"]
            if training and len(self._distinct(training)) == 1:
                plain = training
            else:
                lines = ", ".join(f"{loss.name} (line {loss.node.lineno})" for loss in plain)
                self.loss_reported = True
                self.asm.note(_loc(plain[0].node), f"several losses in this file ({lines}): the loss is unknown")
                return None, []
        uses = [(inp, loss) for loss in plain for inp in loss.inputs]
        extras: list[tuple[Any, list[Entry]]] = []
        for inp, loss in uses:
            steps = self._loss_input(inp, 0)
            extras.append((self._sig(list(steps)) if steps is not None else "unknown", steps or []))
            if steps is None:
                self.asm.note(_loc(inp), f"what is fed into {loss.name} at line {inp.lineno} is not resolved statically: the output activation is unknown")
        main = plain[0]
        if not extras:
            return main.part, []
        if len({sig for sig, _ in extras}) > 1:
            self.asm.note(_loc(main.node), f"{main.name} receives differently transformed model outputs: the output activation is unknown")
            return main.part, [Entry({"type": "other", "name": "loss input"}, {"": _loc(main.node)}, opaque="the input of the loss")]
        sig, steps = extras[0]
        if sig == "unknown":
            return main.part, [Entry({"type": "other", "name": "loss input"}, {"": _loc(uses[0][0])}, opaque="the input of the loss")]
        return main.part, steps

    def _distinct(self, losses: list[_Loss]) -> set[Any]:
        out = set()
        for loss in losses:
            resolved = self.vocab.resolve("loss", loss.name)
            out.add((resolved.canonical if resolved else loss.name, repr(resolved.params if resolved else {})))
        return out

    def _context(self, node: ast.AST) -> str:
        owner = self.enclosing(node)
        name = owner.name.lower() if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)) else "main"
        if any(w in name for w in _EVAL_WORDS):
            return "eval"
        if any(w in name for w in _TRAINING_WORDS) or name == "__init__":
            return "train"
        return "other"

    def _inside_loss_class(self, node: ast.AST, loss_classes: set[str | None]) -> bool:
        """A built-in loss used inside a custom loss class is that class's business, not the criterion."""
        owner = self.enclosing(node, (ast.ClassDef,))
        return isinstance(owner, ast.ClassDef) and (owner.name in loss_classes or "Loss" in owner.name or "Criterion" in owner.name)

    def _criterion_variables(self) -> bool:
        """``criterion = <not a built-in loss>``: a custom class or a loss chosen at run time (noted)."""
        found = False
        for node in self.assigns:
            for t in node.targets:
                tname = t.id if isinstance(t, ast.Name) else (t.attr if isinstance(t, ast.Attribute) else "")
                if tname.lower() not in _CRITERION_NAMES:
                    continue
                value = node.value
                if isinstance(value, ast.Call) and self.torch_nn(value.func) and (self.torch_nn(value.func) or "").endswith("Loss"):
                    continue
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in self.classes:
                    what = f"the custom class {value.func.id}"
                else:
                    what = "a value computed at run time"
                if any(isinstance(n, ast.Call) and (self.torch_nn(n.func) or "").endswith("Loss") for n in ast.walk(value)):
                    continue  # conditional built-in losses are reported where they are built
                self.loss_reported = True
                found = True
                self.asm.note(_loc(node), f"{tname} at line {node.lineno} is {what}, not a built-in loss: the loss is unknown")
        return found

    def _loss_input(self, node: ast.expr, depth: int) -> list[Entry] | None:
        """Activations applied to the model output before the loss; ``None`` when not resolved."""
        if depth > 8:
            return None
        if isinstance(node, ast.Name):
            func = self.enclosing(node)
            best: ast.Assign | None = None
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for n in ast.walk(func):
                    if isinstance(n, ast.Assign) and n.lineno < node.lineno and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets):
                        if best is None or n.lineno > best.lineno:
                            best = n
            if best is None:
                return []
            return self._loss_input(best.value, depth + 1)
        if isinstance(node, ast.Subscript):
            return self._loss_input(node.value, depth + 1)
        if isinstance(node, ast.Attribute):
            return []
        if not isinstance(node, ast.Call):
            return []
        func = node.func
        first = node.args[0] if node.args else None
        q = self.qual(func)
        if q is not None:
            fname = q.rsplit(".", 1)[-1]
            if (q.startswith("torch.nn.functional.") and fname.rstrip("_") in _FUNCTIONAL_ACTIVATIONS) or (
                q.startswith("torch.") and q[len("torch.") :].rstrip("_") in _TORCH_ACTIVATIONS
            ):
                inner = self._loss_input(first, depth + 1) if first is not None else []
                return None if inner is None else [*inner, self._act_entry(fname, node)]
            if q in _PASSTHROUGH_FUNCTIONS:
                return self._loss_input(first, depth + 1) if first is not None else []
            if q == "torch.log":
                inner = self._loss_input(first, depth + 1) if first is not None else []
                if inner and inner[-1].layer.get("activation") == "softmax":
                    here = _loc(node)
                    return [*inner[:-1], Entry({"type": "activation", "activation": "log_softmax"}, {"": here, "type": here, "activation": here})]
                return None
            if q.startswith("torch."):
                return None
            if isinstance(func, ast.Name) and func.id in self.functions:
                return None
        if isinstance(func, ast.Attribute):
            if func.attr in _ACTIVATION_METHODS:
                inner = self._loss_input(func.value, depth + 1)
                return None if inner is None else [*inner, self._act_entry(func.attr, node)]
            if func.attr in _PASSTHROUGH_METHODS:
                return self._loss_input(func.value, depth + 1)
        return []  # a call of the model (model(x), self(x), self.net(x)): the boundary

    # --- optimizer and clipping --------------------------------------------------------------

    def optimizers(self) -> list[ast.Call]:
        out = []
        for call in self.calls():
            q = self.qual(call.func)
            if q and q.startswith("torch.optim.") and q.count(".") == 2 and q.rsplit(".", 1)[-1][:1].isupper():
                out.append(call)
        return out

    def optimizer(self, calls: list[ast.Call]) -> Part | None:
        if not calls:
            return None
        parts = [self._optimizer_part(c) for c in calls]
        if len({repr(p.value) for p in parts}) > 1:
            lines = ", ".join(str(c.lineno) for c in calls)
            self.asm.note(_loc(calls[0]), f"several different optimizers in this file (lines {lines}): the optimizer is unknown")
            return None
        return parts[0]

    def _optimizer_part(self, call: ast.Call) -> Part:
        q = self.qual(call.func) or ""
        name = q.rsplit(".", 1)[-1]
        here = _loc(call)
        scope = self._scope_at(call)
        spec: dict[str, Any] = {"name": name}
        at: dict[str, Location] = {"": here, "name": here}
        given: dict[str, ast.expr] = {}
        for key, arg in zip(_OPTIMIZER_POSITIONAL.get(name, ("lr",)), call.args[1:]):
            if isinstance(arg, ast.Starred):
                break
            given[key] = arg
        for kw in call.keywords:
            if kw.arg is not None:
                given[kw.arg] = kw.value
        for key, node in given.items():
            target = _OPTIMIZER_KEYS.get(key)
            if target is None:
                continue
            value = self.literal(node, scope)
            if key == "betas":
                ok = isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            elif target in ("nesterov", "amsgrad", "centered", "decoupled_weight_decay"):
                ok = isinstance(value, bool)
            else:
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if ok:
                if key == "betas":
                    spec["beta_1"], spec["beta_2"] = float(value[0]), float(value[1])
                    at["beta_1"] = at["beta_2"] = at["betas"] = _loc(node)
                else:
                    spec[target] = value
                    at[target] = _loc(node)
                    if key != target:
                        at[key] = _loc(node)
            else:
                self.asm.note(_loc(node), f"{key} of {name} at line {node.lineno} is not a literal: it is unknown")
        return Part(spec, at)

    def clipping(self, optimizer: Part | None) -> None:
        for call in self.calls():
            f = call.func
            fname = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
            q = self.qual(f) or ""
            if fname == "Trainer" and ("lightning" in q):
                node = self._arg(call, -1, "gradient_clip_val")
                if node is None:
                    continue
                algorithm = self.literal(self._arg(call, -1, "gradient_clip_algorithm"))
                key = "clipvalue" if algorithm == "value" else "clipnorm"
            elif fname in ("clip_grad_norm_", "clip_grad_norm", "clip_grad_value_"):
                key = "clipvalue" if fname == "clip_grad_value_" else "clipnorm"
                node = self._arg(call, 1, "clip_value" if key == "clipvalue" else "max_norm")
            else:
                continue
            if optimizer is None or not isinstance(optimizer.value, (dict, str)):
                self.asm.note(_loc(call), f"gradient clipping at line {call.lineno}, but no optimizer is found to attach it to")
                return
            if isinstance(optimizer.value, str):
                optimizer.value = {"name": optimizer.value}
            value = self.literal(node, self._scope_at(call)) if node is not None else NO
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                optimizer.value[key] = float(value)
            else:
                optimizer.value[key] = float("nan")
                self.asm.note(_loc(call), f"gradient clipping at line {call.lineno} has a non-literal threshold: clipping is present, its value unknown")
            optimizer.at[key] = _loc(call)
            return
