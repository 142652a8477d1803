"""Load rule files: parse, validate into :class:`Rule`, then check every path, operand and template.

A malformed rule is a :class:`RuleLoadError` naming the file and line; it is never skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from nnadvisor.engine.conditions import LIST_FACT_OPS, NUMERIC_OPS, OPERATORS, reference
from nnadvisor.engine.compiled import PLACEHOLDER
from nnadvisor.engine.errors import RuleLoadError
from nnadvisor.engine.files import Case, Condition, Fix, InferenceFile, ProblemFile, RecommendRule, Rule, VocabularyFile
from nnadvisor.facts import ACTIVATION, ITEM_PATHS, LOSS, OPTIMIZER, PATHS, PathType
from nnadvisor.source import Document, SourceError, parse
from nnadvisor.validation import problems
from nnadvisor.vocabulary import Vocabulary



@dataclass(frozen=True)
class LoadedRule:
    rule: Rule
    file: Path
    doc: Document


def _types(vocab: Vocabulary) -> dict[PathType, PathType]:
    """Vocabulary-valued paths get their closed set of canonical names."""
    return {
        ACTIVATION: PathType("str", vocab.names("activation"), ACTIVATION.doc),
        LOSS: PathType("str", vocab.names("loss"), LOSS.doc),
        OPTIMIZER: PathType("str", vocab.names("optimizer"), OPTIMIZER.doc),
    }


def known_paths(vocab: Vocabulary, for_each: str | None) -> dict[str, PathType]:
    closed = _types(vocab)
    paths = {p: closed.get(t, t) for p, t in PATHS.items()}
    if for_each is not None:
        paths.update({f"item.{p}": closed.get(t, t) for p, t in ITEM_PATHS[for_each].items()})
    return paths


def _check_operand(leaf: Mapping[str, Any], ptype: PathType) -> str | None:
    """Why ``leaf.value`` does not fit its operator and its path's type, or None."""
    op, path, value = leaf["op"], leaf["path"], leaf.get("value")
    _, shape = OPERATORS[op]
    if shape == "none":
        return None if value is None else f"operator {op!r} takes no value"
    if op in NUMERIC_OPS and ptype.kind not in ("int", "number"):
        return f"operator {op!r} needs a numeric path; {path!r} is {ptype.kind}"
    if op in LIST_FACT_OPS and ptype.kind != "list":
        return f"operator {op!r} needs a list path; {path!r} is {ptype.kind}"
    if op not in LIST_FACT_OPS and ptype.kind == "list":
        return f"path {path!r} is a list: use contains, not_contains or contains_any"
    if shape == "pair":
        if isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value) and value[0] <= value[1]:
            return None
        return f"operator {op!r} needs [low, high] numbers"
    if shape == "list" and not (isinstance(value, list) and value):
        return f"operator {op!r} needs a non-empty list"
    items: list[Any] = value if isinstance(value, list) else [value]
    for item in items:
        problem = _check_scalar(item, ptype, op in NUMERIC_OPS)
        if problem:
            return problem
    return None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_scalar(value: Any, ptype: PathType, numeric: bool) -> str | None:
    if numeric or ptype.kind in ("int", "number"):
        return None if _is_number(value) else f"expected a number, got {value!r}"
    if ptype.kind == "bool":
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if not isinstance(value, str):
        return f"expected a string, got {value!r}"
    if ptype.choices is not None and value not in ptype.choices:
        return f"{value!r} is not one of: {', '.join(ptype.choices)}"
    return None


def _hint(path: str, paths: dict[str, PathType]) -> str:
    import difflib

    close = difflib.get_close_matches(path, list(paths), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _located_leaves(cond: Mapping[str, Any], pointer: str) -> list[tuple[str, Mapping[str, Any]]]:
    for key in ("all", "any"):
        if key in cond:
            return [pair for i, c in enumerate(cond[key]) for pair in _located_leaves(c, f"{pointer}/{key}/{i}")]
    if "not" in cond:
        return _located_leaves(cond["not"], f"{pointer}/not")
    return [(pointer, cond)]


def condition_problem(cond: Condition | Mapping[str, Any], paths: dict[str, PathType], pointer: str = "") -> tuple[str, str] | None:
    """Why ``cond`` cannot be evaluated against facts of ``paths``, and the pointer of the leaf."""
    data = cond.model_dump(by_alias=True) if not isinstance(cond, Mapping) else cond
    for where, leaf in _located_leaves(data, pointer):
        problem = _leaf_problem(leaf, paths)
        if problem:
            return problem, where
    return None


def _leaf_problem(leaf: Mapping[str, Any], paths: dict[str, PathType]) -> str | None:
    path, op = leaf["path"], leaf["op"]
    ptype = paths.get(path)
    if ptype is None:
        return f"unknown path {path!r} in condition{_hint(path, paths)}"
    ref = reference(leaf.get("value"))
    if ref is None:
        problem = _check_operand(leaf, ptype)
        return f"condition on {path!r}: {problem}" if problem else None
    rtype = paths.get(ref)
    if rtype is None:
        return f"unknown path {ref!r} in ref{_hint(ref, paths)}"
    compatible = rtype.kind == ptype.kind or {rtype.kind, ptype.kind} <= {"int", "number"}
    if OPERATORS[op][1] != "scalar" or not compatible:
        return f"condition on {path!r}: cannot compare a {ptype.kind} with {ref!r} ({rtype.kind}) using {op!r}"
    return None


class _Checker:
    def __init__(self, loaded: LoadedRule, vocab: Vocabulary) -> None:
        self.rule = loaded.rule
        self.file = loaded.file
        self.doc = loaded.doc
        self.paths = known_paths(vocab, self.rule.for_each)

    def fail(self, pointer: str, message: str) -> RuleLoadError:
        return RuleLoadError(self.file, self.doc.locate(pointer).line, message)

    def condition(self, cond: Condition, pointer: str) -> None:
        found = condition_problem(cond, self.paths, pointer)
        if found:
            raise self.fail(found[1], found[0])

    def _hint(self, path: str) -> str:
        return _hint(path, self.paths)

    def text(self, text: str | None, pointer: str) -> None:
        for path in PLACEHOLDER.findall(text or ""):
            if path not in self.paths:
                raise self.fail(pointer, f"unknown placeholder {{{path}}}{self._hint(path)}")

    def at(self, at: list[str] | None, pointer: str) -> None:
        for path in at or []:
            if path not in self.paths:
                raise self.fail(pointer, f"`at` names unknown path {path!r}{self._hint(path)}")

    def fix(self, fix: Fix | None, pointer: str) -> None:
        if fix is None:
            return
        self.text(fix.description, f"{pointer}/description")
        for i, op in enumerate(fix.patch):
            where = f"{pointer}/patch/{i}"
            if op.path.startswith("@"):
                fact = op.path[1:].split("/", 1)[0]
                if fact not in self.paths:
                    raise self.fail(where, f"patch path names unknown fact {fact!r}")
            elif not op.path.startswith("/"):
                raise self.fail(where, "a patch path is a JSON pointer (/loss) or @fact.path")
            if op.op in ("add", "replace", "test") and op.value is None:
                raise self.fail(where, f"patch operation {op.op!r} needs a value")

    def case(self, case: Case, pointer: str) -> None:
        self.condition(case.when, f"{pointer}/when")
        self.text(case.message, f"{pointer}/message")
        self.at(case.at, f"{pointer}/at")
        self.fix(case.fix, f"{pointer}/fix")

    def run(self) -> None:
        rule = self.rule
        stem = self.file.stem
        if stem != f"{rule.id}-{rule.name}" and stem != rule.id:
            raise self.fail("/id", f"file name should be {rule.id}-{rule.name}.yaml (is {self.file.name})")
        if rule.when is not None:
            self.condition(rule.when, "/when")
        for i, case in enumerate(rule.cases):
            self.case(case, f"/cases/{i}")
        self.text(rule.message, "/message")
        self.at(rule.at, "/at")
        self.fix(rule.fix, "/fix")
        if rule.id in rule.supersedes:
            raise self.fail(f"/supersedes/{rule.supersedes.index(rule.id)}", f"{rule.id} cannot supersede itself")


M = TypeVar("M", bound=BaseModel)


def read_validated(path: Path, model: type[M]) -> tuple[M, Document]:
    """``path`` parsed and validated into ``model``; any problem is a RuleLoadError at its line."""
    try:
        doc = parse(path.read_text(encoding="utf-8"))
    except SourceError as exc:
        raise RuleLoadError(path, exc.line, exc.message) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleLoadError(path, 1, f"cannot read: {exc}") from None
    if not isinstance(doc.data, dict):
        raise RuleLoadError(path, 1, f"expected a mapping ({', '.join(model.model_fields)})")
    try:
        return model.model_validate(doc.data), doc
    except ValidationError as exc:
        first = problems(exc, doc, model)[0]
        raise RuleLoadError(path, first.location.line, first.message) from None


def load_vocabulary_file(path: Path) -> Vocabulary:
    return Vocabulary(read_validated(path, VocabularyFile)[0].model_dump(mode="json"))


def load_inference_file(path: Path, vocab: Vocabulary) -> dict[str, Any]:
    """The validated inference table as plain data (see CompiledInference)."""
    inference, doc = read_validated(path, InferenceFile)
    paths = known_paths(vocab, None)
    for i, entry in enumerate(inference.task):
        found = condition_problem(entry.when, paths, f"/task/{i}/when")
        if found:
            raise RuleLoadError(path, doc.locate(found[1]).line, found[0])
    return inference.model_dump(mode="json", by_alias=True)


def load_rule_file(path: Path, vocab: Vocabulary) -> LoadedRule:
    rule, doc = read_validated(path, Rule)
    loaded = LoadedRule(rule, path, doc)
    _Checker(loaded, vocab).run()
    return loaded


def load_rule_dir(directory: Path, vocab: Vocabulary) -> list[LoadedRule]:
    """Every ``*.yaml`` rule under ``directory`` (sorted), ids unique."""
    loaded: list[LoadedRule] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        item = load_rule_file(path, vocab)
        if item.rule.id in seen:
            raise RuleLoadError(path, item.doc.locate("/id").line, f"rule id {item.rule.id} is also defined in {seen[item.rule.id]}")
        seen[item.rule.id] = path
        loaded.append(item)
    _check_supersedes(loaded, set(seen))
    return loaded


def _check_supersedes(loaded: list[LoadedRule], known: set[str]) -> None:
    """Every ``supersedes`` names another rule of the set, and no two rules supersede each
    other (directly or through others): that would drop both findings."""
    graph = {item.rule.id: item.rule.supersedes for item in loaded}
    for item in loaded:
        for i, other in enumerate(item.rule.supersedes):
            where = item.doc.locate(f"/supersedes/{i}").line
            if other == item.rule.id:
                raise RuleLoadError(item.file, where, f"{other} cannot supersede itself")
            if other not in known:
                raise RuleLoadError(item.file, where, f"supersedes unknown rule {other}")
            reach, stack = set(), [other]
            while stack:
                current = stack.pop()
                if current == item.rule.id:
                    raise RuleLoadError(item.file, where, f"{item.rule.id} and {other} supersede each other")
                if current not in reach:
                    reach.add(current)
                    stack.extend(graph.get(current, ()))


# --- recommendation rules -------------------------------------------------------------------


def _check_recommend_rule(loaded: LoadedRecommendRule, vocab: Vocabulary, paths: dict[str, PathType]) -> None:
    from nnadvisor.engine.files import SLOT_KIND

    rule, doc, file = loaded.rule, loaded.doc, loaded.file

    def fail(pointer: str, message: str) -> RuleLoadError:
        return RuleLoadError(file, doc.locate(pointer).line, message)

    if file.stem != f"{rule.id}-{rule.name}":
        raise fail("/id", f"file name should be {rule.id}-{rule.name}.yaml (is {file.name})")
    if rule.when is not None:
        found = condition_problem(rule.when, paths, "/when")
        if found:
            raise fail(found[1], found[0])

    def name_ok(slot: str, name: str, pointer: str) -> None:
        kind = SLOT_KIND[slot]
        if name not in vocab.names(kind):  # type: ignore[arg-type]
            close = vocab.suggest(kind, name)  # type: ignore[arg-type]
            raise fail(pointer, f"{name!r} is not a canonical {kind} name" + (f" (did you mean {close[0]}?)" if close else ""))

    def params_ok(params: dict[str, Any], pointer: str) -> None:
        for key, value in params.items():
            ref = reference(value)
            if ref is not None and ref not in paths:
                raise fail(f"{pointer}/{key}", f"unknown path {ref!r} in ref{_hint(ref, paths)}")

    for slot, choice in rule.choose.items():
        if choice.name is not None:
            name_ok(slot, choice.name, f"/choose/{slot}/name")
        params_ok(choice.params, f"/choose/{slot}/params")
    for i, alt in enumerate(rule.alternatives):
        name_ok(alt.slot, alt.name, f"/alternatives/{i}/name")
        params_ok(alt.params, f"/alternatives/{i}/params")
    for i, note in enumerate(rule.notes):
        for path in PLACEHOLDER.findall(note.text):
            if path not in paths:
                raise fail(f"/notes/{i}/text", f"unknown placeholder {{{path}}}{_hint(path, paths)}")
    for i, example in enumerate(rule.examples):
        for slot, name in example.expect.items():
            name_ok(slot, name, f"/examples/{i}/expect/{slot}")


@dataclass(frozen=True)
class LoadedRecommendRule:
    rule: RecommendRule
    file: Path
    doc: Document


def load_recommend_dir(directory: Path, vocab: Vocabulary) -> list[LoadedRecommendRule]:
    """Every ``NNR*.yaml`` recommendation rule under ``directory`` (sorted), ids unique."""
    from nnadvisor.problem import PROBLEM_PATHS

    loaded: list[LoadedRecommendRule] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("NNR*.yaml")):
        rule, doc = read_validated(path, RecommendRule)
        item = LoadedRecommendRule(rule, path, doc)
        _check_recommend_rule(item, vocab, PROBLEM_PATHS)
        if rule.id in seen:
            raise RuleLoadError(path, doc.locate("/id").line, f"rule id {rule.id} is also defined in {seen[rule.id]}")
        seen[rule.id] = path
        loaded.append(item)
    return loaded


def load_problem_file(path: Path) -> dict[str, Any]:
    """``rules/recommend/problem.yaml`` validated, as plain data."""
    from nnadvisor.problem import PROBLEM_PATHS

    problem, doc = read_validated(path, ProblemFile)
    for i, default in enumerate(problem.defaults):
        where = f"/defaults/{i}"
        ptype = PROBLEM_PATHS.get(default.field)
        if ptype is None:
            raise RuleLoadError(path, doc.locate(where).line, f"unknown problem field {default.field!r}{_hint(default.field, PROBLEM_PATHS)}")
        bad = _check_scalar(default.value, ptype, False)
        if bad:
            raise RuleLoadError(path, doc.locate(where).line, f"default for {default.field}: {bad}")
        if default.when is not None:
            found = condition_problem(default.when, PROBLEM_PATHS, f"{where}/when")
            if found:
                raise RuleLoadError(path, doc.locate(found[1]).line, found[0])
    for i, check in enumerate(problem.checks):
        found = condition_problem(check.when, PROBLEM_PATHS, f"/checks/{i}/when")
        if found:
            raise RuleLoadError(path, doc.locate(found[1]).line, found[0])
        for placeholder in PLACEHOLDER.findall(check.message):
            if placeholder not in PROBLEM_PATHS:
                raise RuleLoadError(path, doc.locate(f"/checks/{i}/message").line, f"unknown placeholder {{{placeholder}}}")
    return problem.model_dump(mode="json", by_alias=True)
