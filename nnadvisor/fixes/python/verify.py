"""Every fix is checked before it is offered: the edited source is read again by the same reader,
and what the rules see of each model in it must be what the patch says, and nothing else.

For the model the patch is for, the facts of the edited source (what rules are evaluated on) must
equal the facts of the patched config. Every other model the file defines or pairs (a GAN's other
network, a second head) must be unchanged, or changed exactly as the patch changes it when the
rules give it the same fix (the same model read in two pairs). A fix that would change something the patch does not say (a criterion
shared with another model, a layer built in a loop, a class two models are made of when only one
of them needs the fix) is not offered.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from nnadvisor.fixes.python.text import Change

if TYPE_CHECKING:
    from nnadvisor.fixes import Patch
    from nnadvisor.fixes.python.knowledge import Knowledge
    from nnadvisor.readers import ReadResult
    from nnadvisor.source import Document

Signature = tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]


def apply_changes(text: str, changes: list[Change]) -> str:
    out: list[str] = []
    at = 0
    for c in sorted(changes):
        out.append(text[at : c.start])
        out.append(c.content)
        at = c.end
    out.append(text[at:])
    return "".join(out)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


KEPT = ("name", "from_logits")
"""What a loss replaced by another does not keep (its other arguments, ``reduction``,
``label_smoothing``, stay when the new loss takes them: a fix changes what it is about)."""


def apply_patch(data: Any, patch: Patch) -> Any:
    """``data`` with the patch's ``add``/``replace`` operations applied (a copy). A key set under a
    loss or optimizer given by name alone makes it a mapping (``adam`` + ``clipnorm`` is
    ``{name: adam, clipnorm: 1.0}``); a loss given a new value keeps its arguments other than its
    name and ``from_logits`` (``{name: MSELoss, reduction: sum}`` made ``CrossEntropyLoss`` is
    ``{name: CrossEntropyLoss, reduction: sum}``). Raises ``ValueError`` for anything else.

    Only the containers on a patched path are copied (``data`` is never changed): a config of
    thousands of layers with a finding on each is patched once per finding."""
    out = _copied(data)
    for op in patch:
        if op.get("path") == "/loss" and isinstance(out, dict) and isinstance(out.get("loss"), dict) and op.get("op") in ("add", "replace"):
            value = op.get("value")
            kept = {k: v for k, v in out["loss"].items() if k not in KEPT}
            out["loss"] = {**kept, **(value if isinstance(value, dict) else {"name": value})}
            continue
        if op.get("op") not in ("add", "replace") or "value" not in op:
            raise ValueError(op.get("op"))
        path = op.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(path)
        tokens = [_unescape(t) for t in path[1:].split("/")]
        parent: Any = out
        for depth, token in enumerate(tokens[:-1]):
            child = parent[int(token)] if isinstance(parent, list) else parent[token]
            child = {"name": child} if isinstance(child, str) and depth + 1 == len(tokens) - 1 else _copied(child)
            if isinstance(parent, list):
                parent[int(token)] = child
            else:
                parent[token] = child
            parent = child
        last = tokens[-1]
        if isinstance(parent, dict):
            parent[last] = copy.deepcopy(op["value"])
        elif isinstance(parent, list) and op["op"] == "replace":
            parent[int(last)] = copy.deepcopy(op["value"])
        else:
            raise ValueError(path)
    return out


def _copied(value: Any) -> Any:
    """A container copied one level deep (what a patch writes into); anything else as it is."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def _normalised(data: Any, unknowns: frozenset[str], know: Knowledge) -> tuple[Any, frozenset[str]]:
    """Without standalone linear activation layers (a removed ``nn.Softmax`` and an activation
    patched to ``linear`` compute the same), the unknown pointers renumbered."""
    layers = data.get("layers") if isinstance(data, dict) else None
    if not isinstance(layers, list):
        return data, unknowns
    keep: list[int] = []
    for i, layer in enumerate(layers):
        standalone = isinstance(layer, dict) and layer.get("type") == "activation"
        if standalone and f"/layers/{i}/activation" not in unknowns and know.canonical("activation", layer.get("activation") or "linear") == "linear":
            continue
        keep.append(i)
    if len(keep) == len(layers):
        return data, unknowns
    moved = {old: new for new, old in enumerate(keep)}
    renamed: set[str] = set()
    for pointer in unknowns:
        parts = pointer.split("/")
        if len(parts) > 2 and parts[1] == "layers" and parts[2].isdigit():
            if int(parts[2]) not in moved:
                continue
            parts[2] = str(moved[int(parts[2])])
        renamed.add("/".join(parts))
    return {**data, "layers": [layers[i] for i in keep]}, frozenset(renamed)


def signature(data: Any, unknowns: frozenset[str], know: Knowledge) -> Signature | None:
    """What the rules see of a config: its facts (values, per-item values), without the names
    as written (``CrossEntropyLoss`` and ``categorical_crossentropy`` are the same loss) and
    without layer positions."""
    from nnadvisor.facts import derive
    from nnadvisor.source import Document
    from nnadvisor.validation import validate_config

    data, unknowns = _normalised(data, unknowns, know)
    config, _ = validate_config(Document(data), know.vocab)
    if config is None:
        return None
    facts = derive(config, None, know.vocab, unknowns)
    values = {k: v for k, v in facts.values.items() if not k.endswith(".given")}
    # An item's index is its place in the config's layer list, which an activation written as its
    # own layer (F.relu(self.conv(x))) or as the layer's argument moves: not what rules see of it.
    items = {name: [{k: v for k, v in i.values.items() if k != "index"} for i in found] for name, found in facts.items.items()}
    return values, items


_READS: dict[tuple[str, str], list[ReadResult]] = {}


def read(text: str, framework: str, know: Knowledge) -> list[ReadResult]:
    """The reader's results for a source (the last few sources read are kept: a file with several
    findings is read once, and once per fix)."""
    key = (framework, text)
    found = _READS.get(key)
    if found is None:
        from nnadvisor import readers

        found = readers.read(text.encode("utf-8"), framework, know.rulebase, "-")
        if len(_READS) >= 8:
            _READS.pop(next(iter(_READS)))
        _READS[key] = found
    return found


def verified(text: str, new_text: str, doc: Document, patch: Patch, framework: str, know: Knowledge, before: list[ReadResult] | None = None) -> bool:
    """Whether ``new_text`` computes what the patched config says and changes nothing else;
    ``before``: what the reader made of ``text``, when the caller has it (else it is read)."""
    if before is None:
        before = read(text, framework, know)
    after = read(new_text, framework, know)
    if len(before) != len(after) or any(r.config is None or r.doc is None for r in (*before, *after)):
        return False
    targets = [i for i, r in enumerate(before) if r.doc is not None and r.doc.data == doc.data]
    if not targets:
        return False
    for i, (b, a) in enumerate(zip(before, after)):
        assert b.doc is not None and a.doc is not None
        got = signature(a.doc.data, a.unknowns, know)
        try:
            wanted = signature(apply_patch(b.doc.data, patch), b.unknowns, know)
        except (ValueError, KeyError, IndexError, TypeError):
            wanted = None
        if got is None:
            return False
        if i in targets:
            if got != wanted:
                return False
        elif got != signature(b.doc.data, b.unknowns, know) and (got != wanted or not _needs(b, patch, know)):
            return False
    return True


def verified_together(text: str, new_text: str, fixes: Sequence[tuple[Document, Patch]], framework: str, know: Knowledge, before: list[ReadResult] | None = None) -> bool:
    """Whether ``new_text`` (``text`` with the edits of several fixes) gives each model its config
    with every patch aimed at it applied, in order, and leaves the other models as they were."""
    if before is None:
        before = read(text, framework, know)
    after = read(new_text, framework, know)
    if len(before) != len(after) or any(r.config is None or r.doc is None for r in (*before, *after)):
        return False
    aimed = [False] * len(fixes)
    by_doc: dict[int, list[int]] = {}  # the fixes of each model config, compared once per config
    for i, (doc, _) in enumerate(fixes):
        by_doc.setdefault(id(doc), []).append(i)
    for b, a in zip(before, after):
        assert b.doc is not None and a.doc is not None
        ops: list[Mapping[str, Any]] = []
        for group in by_doc.values():
            if fixes[group[0]][0].data == b.doc.data:
                for i in group:
                    aimed[i] = True
                    ops += fixes[i][1]
        try:
            data = apply_patch(b.doc.data, ops) if ops else b.doc.data
        except (ValueError, KeyError, IndexError, TypeError):
            return False
        got = signature(a.doc.data, a.unknowns, know)
        if got is None or got != signature(data, b.unknowns, know):
            return False
    return all(aimed)


def _needs(result: ReadResult, patch: Patch, know: Knowledge) -> bool:
    """Whether the rules give this model the very fix (a class instantiated twice, a criterion
    shared by two pairs: changing one changes the other, which must need it too)."""
    from nnadvisor.engine.compiled import evaluate
    from nnadvisor.facts import derive

    assert result.config is not None
    rulebase = know.rulebase
    facts = derive(result.config, result.doc, rulebase.vocabulary, result.unknowns)
    rulebase.inference.apply(facts)
    wanted = json.dumps(list(patch), sort_keys=True)
    return any(f.fix is not None and json.dumps(list(f.fix.patch), sort_keys=True) == wanted for f in evaluate(rulebase.compiled, facts, "-", result.doc))
