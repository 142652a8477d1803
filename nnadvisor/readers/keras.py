"""Keras models: Keras 3 ``model.to_json()``, ``.keras`` archives, legacy tf.keras / Keras 2 JSON.

Read as data, never deserialised by Keras. Accepted shapes (the top level of the document):

- Keras 3 (``to_json()``, ``config.json`` of a ``.keras`` archive): ``class_name`` + ``config``
  (+ ``compile_config`` with ``loss``, ``optimizer`` once compiled);
- Keras 2 / tf.keras ``to_json()``: ``class_name`` + ``config`` (``batch_input_shape``,
  LeakyReLU ``alpha``, optimizer ``lr``); the HDF5 attributes ``model_config`` +
  ``training_config`` (``loss``, ``optimizer_config``) as one JSON object; TensorFlow.js
  ``model.json`` (the same under ``modelTopology``).

Sequential models are read in order; functional models are traced backwards from each entry of
``output_layers`` through ``inbound_nodes`` (the ``layers`` list is not in call order), following
the longest branch where branches merge. Each output head is one result, checked with its own loss
when the loss is a per-output mapping or list. Every location is a line (and column) of the
user's JSON (of ``config.json`` inside an archive).
"""

from __future__ import annotations

import json
import re
from typing import Any

from nnadvisor.readers import PACK_MAGIC, ZIP_MAGIC, ReadResult
from nnadvisor.readers._model import INTERNAL_ERROR, START, UNKNOWN, Assembly, Entry, Part, integer, number
from nnadvisor.source import Document, Location, Problem, SourceError, escape_pointer_token, read_bytes
from nnadvisor.vocabulary import Vocabulary

_MODELS = {"Sequential", "Functional", "Model"}
_DENSE = {"Dense", "QuantizedDense"}
_CONV = re.compile(r"^(Separable|Depthwise)?Conv(olution)?[123]D(Transpose)?$|^Deconvolution[123]D$")
_RECURRENT = {
    "SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru", "CuDNNLSTM": "lstm", "CuDNNGRU": "gru",
    "ConvLSTM1D": "lstm", "ConvLSTM2D": "lstm", "ConvLSTM3D": "lstm",
    "SimpleRNNCell": "rnn", "LSTMCell": "lstm", "GRUCell": "gru",
}  # fmt: skip
_DROPOUT = {
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout",
    "AlphaDropout", "GaussianNoise", "ActivityRegularization",
}  # fmt: skip
_BATCHNORM = {"BatchNormalization", "SyncBatchNormalization"}
_LAYERNORM = {"LayerNormalization", "GroupNormalization", "UnitNormalization", "RMSNormalization"}
_POOLING = re.compile(r"^(Global)?(Max|Average|Avg)Pool(ing)?[123]D$")
_ATTENTION = {"MultiHeadAttention", "Attention", "AdditiveAttention", "GroupedQueryAttention", "GroupQueryAttention"}
_SHAPE = {
    "Flatten", "Reshape", "Permute", "RepeatVector", "Masking", "Identity", "InputSpec",
    "Cropping1D", "Cropping2D", "Cropping3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    "UpSampling1D", "UpSampling2D", "UpSampling3D",
}  # fmt: skip
_MERGE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}
_ACTIVATION_LAYERS = {"ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU"}
_OPTIMIZER_PARAMS = {
    "learning_rate": "learning_rate", "lr": "learning_rate", "momentum": "momentum", "beta_1": "beta_1",
    "beta_2": "beta_2", "epsilon": "epsilon", "rho": "rho", "weight_decay": "weight_decay",
    "clipnorm": "clipnorm", "clipvalue": "clipvalue", "global_clipnorm": "global_clipnorm",
    "initial_accumulator_value": "initial_accumulator_value",
}  # fmt: skip
_OPTIMIZER_FLAGS = ("nesterov", "amsgrad", "centered")
_LOSS_PARAMS = ("from_logits", "label_smoothing", "delta", "axis", "alpha", "gamma")


def _float32(value: float) -> float:
    """Keras stores optimizer hyper-parameters as float32: 0.0010000000474974513 is 0.001."""
    return float(f"{value:.7g}")


def _class(value: Any) -> str | None:
    """``class_name`` of a serialised object, without a registration prefix (``Custom>Adam``)."""
    if not isinstance(value, dict) or not isinstance(value.get("class_name"), str):
        return None
    name: str = value["class_name"]
    return name.rsplit(">", 1)[-1] if ">" in name else name


def read(raw: bytes, vocab: Vocabulary, name: str = "-") -> list[ReadResult]:
    text = raw
    if raw.startswith(PACK_MAGIC) or raw[:4] in ZIP_MAGIC:
        from nnadvisor.readers import archive

        members, error = archive.unpack(raw) if raw.startswith(PACK_MAGIC) else archive.read_bytes(raw)
        if error is not None:
            return [ReadResult(problems=[Problem("", START, f"cannot read the .keras archive: {error}")])]
        text = members.get("config.json", b"")
        where = "config.json (in the archive)"
    else:
        where = "the file"
    try:
        doc = read_bytes(text)
    except SourceError as exc:
        return [ReadResult(problems=[Problem("", Location(exc.line, exc.column), f"{where}: {exc.message}")])]
    data = doc.data
    if text.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        try:  # exact numbers (YAML 1.1 reads JSON's 1e-07 as a string); same structure as doc.data
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = doc.data
    try:
        return _Reader(data, doc, vocab).read()
    except RecursionError:
        return [ReadResult(problems=[Problem("", START, "the Keras model is nested too deeply to analyse")])]
    except Exception as exc:  # a reader bug must not stop the other files: report it at the file
        return [ReadResult(problems=[Problem("", START, f"{INTERNAL_ERROR} ({exc.__class__.__name__}: {exc})")])]


class _Reader:
    def __init__(self, data: Any, doc: Document, vocab: Vocabulary) -> None:
        self.data = data
        self.doc = doc
        self.vocab = vocab
        self.asm = Assembly("keras", vocab)
        self.depth = 0

    def loc(self, pointer: str) -> Location:
        return self.doc.locate(pointer)

    def problem(self, pointer: str, message: str) -> list[ReadResult]:
        return [ReadResult(problems=[Problem("", self.loc(pointer), message)])]

    # --- the document ------------------------------------------------------------------------

    def read(self) -> list[ReadResult]:
        top, base = self.data, ""
        if isinstance(top, dict) and isinstance(top.get("modelTopology"), dict):
            top, base = top["modelTopology"], "/modelTopology"
        if not isinstance(top, dict):
            return self.problem("", "not a Keras model: expected a JSON object with class_name and config")
        compile_config: Any = None
        compile_ptr = ""
        if "model_config" in top:
            model, model_ptr = top["model_config"], f"{base}/model_config"
            if isinstance(model, str):
                try:
                    model = json.loads(model)
                except ValueError:
                    return self.problem(model_ptr, "model_config is a string that is not JSON")
            training = top.get("training_config")
            if isinstance(training, str):
                try:
                    training = json.loads(training)
                except ValueError:
                    training = None
            if isinstance(training, dict):
                compile_config, compile_ptr = training, f"{base}/training_config"
        elif "class_name" in top and "config" in top:
            model, model_ptr = top, base
            for key in ("compile_config", "training_config"):
                if isinstance(top.get(key), dict):
                    compile_config, compile_ptr = top[key], f"{base}/{key}"
                    break
        else:
            return self.problem(base, "not a Keras model: the top level has no class_name and config (model.to_json()), nor model_config")
        if not isinstance(model, dict) or _class(model) is None:
            return self.problem(model_ptr, "not a Keras model: the model has no class_name")
        heads = self.heads(model, model_ptr)
        if not compile_config:
            self.asm.note(self.loc(model_ptr + "/class_name"), "the model is not compiled (no compile_config): the loss and the optimizer are unknown")
            losses: dict[str | None, Part | None] = {}
            optimizer = None
        else:
            losses = self.losses(compile_config, compile_ptr, [h for h, _ in heads])
            opt_key = "optimizer" if "optimizer" in compile_config else "optimizer_config"
            optimizer = self.optimizer(compile_config.get(opt_key), f"{compile_ptr}/{opt_key}")
        several = len(heads) > 1
        framework_at = self.loc(model_ptr + "/class_name")
        results = []
        for head, entries in heads:
            loss = losses.get(head, losses.get(None))
            results.append(self.asm.result(entries, loss, optimizer, head=head if several else None, framework_at=framework_at))
        return results

    # --- model structure ---------------------------------------------------------------------

    def heads(self, model: dict[str, Any], ptr: str) -> list[tuple[str | None, list[Entry]]]:
        """(head name, entries from input to output) per output of the model."""
        kind = _class(model)
        config = model.get("config")
        if kind == "Sequential" or (isinstance(config, list)):
            return [(None, self.sequential(config, f"{ptr}/config"))]
        if isinstance(config, dict) and "output_layers" in config and isinstance(config.get("layers"), list):
            return self.functional(config, f"{ptr}/config")
        if isinstance(config, dict) and isinstance(config.get("layers"), list):
            return [(None, self.sequential(config, f"{ptr}/config"))]
        self.asm.note(
            self.loc(f"{ptr}/class_name"),
            f"model class {kind} is not a Sequential or functional model (a subclassed model?): its layers are not "
            "in the file, only its loss and optimizer are checked",
        )
        return [(None, [])]

    def sequential(self, config: Any, ptr: str) -> list[Entry]:
        if isinstance(config, list):
            layers, lptr = config, ptr
        elif isinstance(config, dict) and isinstance(config.get("layers"), list):
            layers, lptr = config["layers"], f"{ptr}/layers"
        else:
            return []
        entries: list[Entry] = []
        for i, layer in enumerate(layers):
            entries += self.layer(layer, f"{lptr}/{i}")
        return entries

    def functional(self, config: dict[str, Any], ptr: str) -> list[tuple[str | None, list[Entry]]]:
        layers: list[Any] = config["layers"]
        by_name: dict[str, int] = {}
        for i, layer in enumerate(layers):
            if isinstance(layer, dict):
                lname = layer.get("name")
                if not isinstance(lname, str) and isinstance(layer.get("config"), dict):
                    lname = layer["config"].get("name")
                if isinstance(lname, str):
                    by_name.setdefault(lname, i)
        outputs = _tensor_refs_list(config.get("output_layers"))
        if not outputs:
            self.asm.note(self.loc(f"{ptr}/output_layers"), "the functional model lists no output_layers: its layers are not read")
            return [(None, [])]
        inbound = {name: _inbound(layers[i]) for name, i in by_name.items()}
        heads: list[tuple[str | None, list[Entry]]] = []
        for head, (lname, node) in outputs:
            names = _longest_path(lname, node, inbound)
            entries: list[Entry] = []
            for step in names:
                at = by_name.get(step)
                if at is None:
                    continue
                entries += self.layer(layers[at], f"{ptr}/layers/{at}")
            heads.append((head or lname, entries))
        return heads

    def layer(self, layer: Any, ptr: str, bidirectional: bool = False) -> list[Entry]:
        """Entries of one serialised layer (none for input layers; several for nested models)."""
        kind = _class(layer)
        if kind is None:
            return []
        config = layer.get("config")
        if not isinstance(config, dict):
            config = {}
        cptr = f"{ptr}/config"
        here = self.loc(f"{ptr}/class_name")
        at: dict[str, Location] = {"": here, "type": here}
        name = config.get("name") if isinstance(config.get("name"), str) else None
        if kind in ("InputLayer", "Input"):
            return []
        if kind in _MODELS or (isinstance(config.get("layers"), list) and "output_layers" in config):
            if self.depth >= 16:
                return [Entry({"type": "other", "name": kind}, at, opaque=f"nested model {kind}")]
            self.depth += 1
            try:
                heads = self.heads(layer, ptr)
            finally:
                self.depth -= 1
            return heads[0][1] if heads else []
        if kind in ("TimeDistributed", "Bidirectional") and isinstance(config.get("layer"), dict):
            return self.layer(config["layer"], f"{cptr}/layer", bidirectional or kind == "Bidirectional")
        if kind == "RNN" and isinstance(config.get("cell"), dict):
            cell = config["cell"]
            inner = self.layer(cell, f"{cptr}/cell", bidirectional)
            for e in inner:
                e.at[""] = here
            return inner
        out: dict[str, Any] = {"name": name} if name else {}
        if kind in _DENSE or _CONV.match(kind) or kind in _RECURRENT:
            out["type"] = "dense" if kind in _DENSE else ("conv" if _CONV.match(kind) else _RECURRENT[kind])
            for key in ("units", "filters"):
                units = integer(config.get(key))
                if units is not None:
                    out["units"] = units
                    at["units"] = self.loc(f"{cptr}/{key}")
                    break
            if "activation" in config or kind not in _RECURRENT:
                self.activation_into(out, at, "activation", config.get("activation"), f"{cptr}/activation", here)
            if kind in _RECURRENT:
                if "recurrent_activation" in config:
                    self.activation_into(out, at, "recurrent_activation", config.get("recurrent_activation"), f"{cptr}/recurrent_activation", here)
                if isinstance(config.get("return_sequences"), bool):
                    out["return_sequences"] = config["return_sequences"]
                if bidirectional:
                    out["bidirectional"] = True
            return [Entry(out, at)]
        if kind == "Embedding":
            out["type"] = "embedding"
            for key in ("input_dim", "output_dim"):
                if integer(config.get(key)) is not None:
                    out[key] = config[key]
            return [Entry(out, at)]
        if kind in _DROPOUT:
            out["type"] = "dropout"
            rate = number(config.get("rate"))
            if rate is not None:
                out["rate"] = rate
            return [Entry(out, at)]
        for names, typ in ((_BATCHNORM, "batchnorm"), (_LAYERNORM, "layernorm"), (_ATTENTION, "attention")):
            if kind in names:
                out["type"] = typ
                if typ == "attention" and integer(config.get("num_heads")) is not None:
                    out["num_heads"] = config["num_heads"]
                return [Entry(out, at)]
        if _POOLING.match(kind):
            out["type"] = "pooling"
            return [Entry(out, at)]
        if kind in _SHAPE:
            out["type"] = "flatten"
            return [Entry(out, at)]
        if kind in _MERGE:
            return [Entry({"type": "other", "name": kind}, at, merge=True, opaque=f"a {kind} merge")]
        if kind == "Activation":
            act: dict[str, Any] = {"type": "activation"}
            self.activation_into(act, at, "activation", config.get("activation"), f"{cptr}/activation", here)
            return [Entry(act, at)]
        if kind in _ACTIVATION_LAYERS or self.vocab.resolve("activation", kind) is not None:
            act = {"type": "activation", "activation": self.activation_layer(kind, config, cptr, at)}
            at.setdefault("activation", here)
            return [Entry(act, at)]
        # Anything else: an opaque layer, with its units when the config says them.
        other: dict[str, Any] = {"type": "other", "name": kind}
        units = integer(config.get("units"))
        if units is not None:
            other["units"] = units
            at["units"] = self.loc(f"{cptr}/units")
            if "activation" in config:
                self.activation_into(other, at, "activation", config.get("activation"), f"{cptr}/activation", here)
        what = "a Lambda layer" if kind == "Lambda" else f"layer {kind}"
        return [Entry(other, at, opaque=what)]

    def activation_layer(self, kind: str, config: dict[str, Any], cptr: str, at: dict[str, Location]) -> Any:
        """An activation layer (``LeakyReLU``, ``ReLU``, ``Softmax``, ...) as an activation value."""
        if kind in ("LeakyReLU", "ReLU", "ELU"):
            alpha = next((number(config[k]) for k in ("negative_slope", "alpha") if k in config), None)
            key = next((k for k in ("negative_slope", "alpha") if k in config), None)
            if kind == "ReLU":
                if number(config.get("max_value")) == 6.0:
                    return "relu6"
                if alpha:
                    if key:
                        at["activation/alpha"] = self.loc(f"{cptr}/{key}")
                    return {"name": "leaky_relu", "alpha": alpha}
                return "relu"
            if alpha is not None:
                if key:
                    at["activation/alpha"] = self.loc(f"{cptr}/{key}")
                return {"name": "leaky_relu" if kind == "LeakyReLU" else "elu", "alpha": _float32(alpha)}
            return "leaky_relu" if kind == "LeakyReLU" else "elu"
        if kind == "ThresholdedReLU":
            return "thresholded_relu"
        resolved = self.vocab.resolve("activation", kind)
        return resolved.canonical if resolved else kind

    def activation_into(self, out: dict[str, Any], at: dict[str, Location], key: str, value: Any, ptr: str, here: Location) -> None:
        """Set ``out[key]`` from a serialised activation: a string, a function, or a layer object."""
        loc = self.loc(ptr) if ptr in self.doc.locations else here
        at[key] = loc
        if value is None:
            out[key] = "linear"
            return
        if isinstance(value, str):
            out[key] = value.rsplit(">", 1)[-1] if value.startswith("keras>") else value
            return
        kind = _class(value)
        if kind is None:
            out[key] = UNKNOWN
            self.asm.note(loc, f"activation at line {loc.line} is not a name or a serialised object: it is treated as unknown")
            return
        config = value.get("config")
        if kind == "function" and isinstance(config, str):
            out[key] = config
            at[key] = self.loc(f"{ptr}/config")
            return
        if kind in _ACTIVATION_LAYERS or kind == "Activation" or self.vocab.resolve("activation", kind) is not None:
            cfg = config if isinstance(config, dict) else {}
            if kind == "Activation":
                self.activation_into(out, at, key, cfg.get("activation"), f"{ptr}/config/activation", loc)
                return
            sub: dict[str, Location] = {}
            out[key] = self.activation_layer(kind, cfg, f"{ptr}/config", sub)
            if "activation/alpha" in sub:
                at[f"{key}/alpha"] = sub["activation/alpha"]
            if isinstance(out[key], dict):
                at[f"{key}/name"] = self.loc(f"{ptr}/class_name")
            return
        out[key] = kind

    # --- compile configuration ---------------------------------------------------------------

    def losses(self, compile_config: dict[str, Any], ptr: str, heads: list[str | None]) -> dict[str | None, Part | None]:
        """The loss of each head (key ``None``: the loss of every head)."""
        value = compile_config.get("loss")
        lptr = f"{ptr}/loss"
        if value is None:
            self.asm.note(self.loc(ptr), "the model is compiled without a loss: the loss is unknown")
            return {}
        if isinstance(value, list) and len(heads) > 1:
            out: dict[str | None, Part | None] = {}
            for i, head in enumerate(heads):
                out[head] = self.loss(value[i], f"{lptr}/{i}") if i < len(value) else None
            if len(value) != len(heads):
                self.asm.note(self.loc(lptr), f"{len(value)} losses for {len(heads)} outputs: outputs without a loss are not checked for it")
            return out
        if isinstance(value, list) and len(value) == 1:
            return {None: self.loss(value[0], f"{lptr}/0")}
        if isinstance(value, dict) and _class(value) is None:
            out = {}
            named = {h for h in heads if h is not None}
            for key, item in value.items():
                if heads == [None] and len(value) == 1:
                    return {None: self.loss(item, f"{lptr}/{escape_pointer_token(str(key))}")}
                if key not in named:
                    self.asm.note(self.loc(f"{lptr}/{escape_pointer_token(str(key))}"), f"loss for '{key}', which is not an output of the model")
                    continue
                out[key] = self.loss(item, f"{lptr}/{escape_pointer_token(str(key))}")
            for head in heads:
                if head not in out and head is not None:
                    self.asm.note(self.loc(lptr), f"output '{head}' has no loss in the per-output loss mapping: its loss is unknown")
            return out
        return {None: self.loss(value, lptr)}

    def loss(self, value: Any, ptr: str) -> Part | None:
        here = self.loc(ptr)
        if isinstance(value, str):
            return Part(value, {"": here})
        kind = _class(value)
        if kind is None:
            self.asm.note(here, f"loss at line {here.line} is neither a name nor a serialised loss: it is unknown")
            return None
        config = value.get("config")
        if kind == "function" and isinstance(config, str):
            return Part(config, {"": self.loc(f"{ptr}/config")})
        spec: dict[str, Any] = {"name": kind}
        at = {"": here, "name": self.loc(f"{ptr}/class_name")}
        if isinstance(config, dict):
            for key in _LOSS_PARAMS:
                v = config.get(key)
                ok = isinstance(v, bool) if key == "from_logits" else (integer(v) is not None if key == "axis" else number(v) is not None)
                if ok:
                    spec[key] = v
                    at[key] = self.loc(f"{ptr}/config/{key}")
        return Part(spec, at)

    def optimizer(self, value: Any, ptr: str) -> Part | None:
        here = self.loc(ptr)
        if value is None:
            self.asm.note(here, "the model is compiled without an optimizer: it is unknown")
            return None
        if isinstance(value, str):
            return Part(value, {"": here})
        kind = _class(value)
        config = value.get("config") if isinstance(value, dict) else None
        if kind == "LossScaleOptimizer" and isinstance(config, dict):
            inner_key = next((k for k in ("inner_optimizer", "optimizer") if isinstance(config.get(k), dict)), None)
            if inner_key:
                return self.optimizer(config[inner_key], f"{ptr}/config/{inner_key}")
        if kind is None or not isinstance(config, dict):
            self.asm.note(here, f"optimizer at line {here.line} is not a serialised optimizer: it is unknown")
            return None
        spec: dict[str, Any] = {"name": kind}
        at = {"": here, "name": self.loc(f"{ptr}/class_name")}
        cptr = f"{ptr}/config"
        for key, target in _OPTIMIZER_PARAMS.items():
            if key not in config or target in spec:
                continue
            v = config[key]
            if v is None:
                continue
            n = number(v)
            if n is None and target == "learning_rate" and _class(v) is not None:
                schedule = v.get("config") if isinstance(v.get("config"), dict) else {}
                n = number(schedule.get("initial_learning_rate"))
                where = self.loc(f"{cptr}/{key}")
                if n is None:
                    self.asm.note(where, f"learning rate schedule {_class(v)} (line {where.line}) has no initial_learning_rate: the learning rate is unknown")
                    continue
                self.asm.note(where, f"learning rate schedule {_class(v)} (line {where.line}): its initial_learning_rate {n:g} is checked")
                spec[target] = _float32(n)
                at[target] = self.loc(f"{cptr}/{key}/config/initial_learning_rate")
                continue
            if n is None:
                where = self.loc(f"{cptr}/{key}")
                self.asm.note(where, f"optimizer {key} at line {where.line} is not a number: it is unknown")
                continue
            spec[target] = _float32(n)
            at[target] = self.loc(f"{cptr}/{key}")
        for key in _OPTIMIZER_FLAGS:
            if isinstance(config.get(key), bool):
                spec[key] = config[key]
                at[key] = self.loc(f"{cptr}/{key}")
        return Part(spec, at)


# --- the functional graph --------------------------------------------------------------------


def _tensor_refs_list(value: Any) -> list[tuple[str | None, tuple[str, int]]]:
    """``output_layers`` as (head key or None, (layer name, node index)): one ref, a list, or a dict."""
    if isinstance(value, dict):
        out: list[tuple[str | None, tuple[str, int]]] = []
        for key, ref in value.items():
            parsed = _ref(ref)
            if parsed:
                out.append((str(key), parsed))
        return out
    if isinstance(value, list):
        single = _ref(value)
        if single:
            return [(None, single)]
        return [(None, r) for r in (_ref(v) for v in value) if r]
    return []


def _ref(value: Any) -> tuple[str, int] | None:
    if isinstance(value, list) and len(value) >= 2 and isinstance(value[0], str) and integer(value[1]) is not None:
        return value[0], int(value[1])
    return None


def _inbound(layer: Any) -> list[list[tuple[str, int]]]:
    """Per call (node) of a layer, the (layer, node) its inputs come from (Keras 3 and Keras 2)."""
    nodes = layer.get("inbound_nodes") if isinstance(layer, dict) else None
    if not isinstance(nodes, list):
        return []
    out: list[list[tuple[str, int]]] = []
    for node in nodes:
        refs: list[tuple[str, int]] = []
        if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}} holding __keras_tensor__
            stack: list[Any] = [node.get("args"), node.get("kwargs")]
            budget = 10_000
            while stack and budget > 0:
                budget -= 1
                item = stack.pop()
                if isinstance(item, dict):
                    cfg = item.get("config")
                    history = cfg.get("keras_history") if item.get("class_name") == "__keras_tensor__" and isinstance(cfg, dict) else None
                    ref = _ref(history)
                    if ref:
                        refs.append(ref)
                    else:
                        stack.extend(reversed(list(item.values())))
                elif isinstance(item, list):
                    stack.extend(reversed(item))
        elif isinstance(node, list):  # Keras 2: [["dense", 0, 0, {}], ...]
            for item in node:
                ref = _ref(item)
                if ref:
                    refs.append(ref)
        out.append(refs)
    return out


def _longest_path(name: str, node: int, inbound: dict[str, list[list[tuple[str, int]]]]) -> list[str]:
    """Layer names from an input to ``(name, node)``, along the longest branch (iterative, cycle-safe)."""

    def inputs(key: tuple[str, int]) -> list[tuple[str, int]]:
        nodes = inbound.get(key[0], [])
        if not nodes:
            return []
        return nodes[key[1]] if 0 <= key[1] < len(nodes) else nodes[0]

    depth: dict[tuple[str, int], int] = {}
    on_stack: set[tuple[str, int]] = set()
    stack: list[tuple[tuple[str, int], bool]] = [((name, node), False)]
    while stack:
        key, done = stack.pop()
        if done:
            on_stack.discard(key)
            depth[key] = 1 + max((depth.get(k, 0) for k in inputs(key)), default=0)
            continue
        if key in depth or key in on_stack:
            continue
        on_stack.add(key)
        stack.append((key, True))
        stack.extend((k, False) for k in inputs(key) if k not in depth and k not in on_stack)
    path: list[str] = []
    current: tuple[str, int] | None = (name, node)
    seen: set[tuple[str, int]] = set()
    while current is not None and current not in seen:
        seen.add(current)
        path.append(current[0])
        candidates = [k for k in inputs(current) if k not in seen]
        current = max(candidates, key=lambda k: depth.get(k, 0)) if candidates else None
    path.reverse()
    return path
