"""The rule base a run uses: vocabulary, inference table and lint rules, validated and compiled.

Validating ~40 YAML files through pydantic costs more than the whole start-up budget of
``check`` (budgets.md), so the validated data is cached as JSON in ``$NNADVISOR_CACHE_DIR`` or
the user cache directory (``NNADVISOR_NO_CACHE=1`` turns it off), under the rule base's
fingerprint: a hash of the nnadvisor version and the content of every rule-base file. Hashing the
content at every start would read every file, so a warm start only stats them: a stamp file
(``rulebase-stamp-<name>.json``) maps the stamp (the path, size and modification time of every
file, and the version) to the fingerprint. An edited, added or removed file changes the stamp;
the content is then hashed again, and only a changed content revalidates (a ``touch`` or a
reinstall of the same files keeps the cache, and the results cache keyed by the fingerprint).
A cache that cannot be read or written only costs time, never changes a result.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnadvisor import __version__
from nnadvisor.engine.compiled import CompiledInference, CompiledRule
from nnadvisor.fingerprint import digest, short, tree_files, tree_stamp
from nnadvisor.resources import rules_dir
from nnadvisor.vocabulary import Vocabulary

if TYPE_CHECKING:
    from nnadvisor.recommender.engine import RecommendBase

CACHE_FORMAT = 3


class _CompiledOnUse:
    """The ``compiled`` field of :class:`RuleBase`: the tuple given to the constructor (rule packs
    give theirs), else the rules compiled when first used. An unchanged file checked again, or a
    ``recommend``, never evaluates a lint rule, and compiling them all is ~2% of that start-up."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: RuleBase | None, owner: type | None = None) -> Any:
        if obj is None:
            return None  # the field's default: compile on first use
        compiled: tuple[CompiledRule, ...] | None = obj.__dict__.get(self.slot)
        if compiled is None:
            compiled = obj.__dict__[self.slot] = tuple(CompiledRule.from_dump(r) for r in obj.rules)
        return compiled

    def __set__(self, obj: RuleBase, value: tuple[CompiledRule, ...] | None) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True)
class RuleBase:
    vocabulary: Vocabulary
    rules: tuple[dict[str, Any], ...]
    """Validated rules as plain data (without examples), in code order."""
    inference: CompiledInference
    fingerprint: str
    """Changes whenever a rule-base file or the nnadvisor version changes."""
    recommend_data: dict[str, Any]
    snippets: dict[str, Any]
    """Keras/PyTorch code templates (rules/recommend/snippets.yaml), as plain data."""
    frameworks: dict[str, Any]
    """What the source readers know of each framework's API (rules/frameworks/*.yaml), as plain data."""
    compiled: tuple[CompiledRule, ...] = _CompiledOnUse()  # type: ignore[assignment]
    """The rules compiled for evaluation (on first use, unless given)."""

    @cached_property
    def recommend(self) -> RecommendBase:
        """The recommendation rules, compiled on first use (``check`` never needs them)."""
        from nnadvisor.recommender.engine import RecommendBase

        return RecommendBase.from_dump(self.recommend_data)

    def rule(self, rule_id: str) -> dict[str, Any] | None:
        return next((r for r in self.rules if r["id"] == rule_id), None)


FALSE_VALUES = frozenset({"", "0", "false", "no", "off"})


def caching_enabled() -> bool:
    """``NNADVISOR_NO_CACHE`` unset or a false value (``0``, ``false``, ``no``, ``off``, empty, in
    any case): caches on; anything else (``1``, ``true``, ``yes``): off."""
    return os.environ.get("NNADVISOR_NO_CACHE", "").strip().lower() in FALSE_VALUES


def cache_dir() -> Path:
    if os.environ.get("NNADVISOR_CACHE_DIR"):
        return Path(os.environ["NNADVISOR_CACHE_DIR"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nnadvisor"


def _stamp(root: Path) -> str:
    """What a warm start looks at: the version and every rule-base file's path, size and mtime."""
    return f"{CACHE_FORMAT}:{__version__}:{root}\n{tree_stamp(str(root), '.yaml')}"


def _fingerprint(root: Path) -> str:
    """The hash of the version and of every rule-base file's path and content."""

    def parts() -> Any:
        yield f"{CACHE_FORMAT}:{__version__}\n".encode()
        for path in tree_files(str(root), ".yaml"):
            content = (root / path).read_bytes()
            yield f"{path}\0{len(content)}\0".encode()
            yield content

    return digest(parts(), 12)


def _read_stamp(path: Path, stamp: str) -> str | None:
    """The fingerprint a stamp file records for ``stamp`` (``None``: no such file, or another stamp)."""
    try:
        with path.open("rb") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    fingerprint = data.get("fingerprint") if isinstance(data, dict) and data.get("stamp") == stamp else None
    return fingerprint if isinstance(fingerprint, str) else None


def _validate(root: Path) -> dict[str, Any]:
    """Validate the rule base from its YAML files (raises RuleLoadError) into plain data."""
    from nnadvisor.engine.loader import (
        load_inference_file,
        load_problem_file,
        load_recommend_dir,
        load_rule_dir,
        load_vocabulary_file,
    )
    from nnadvisor.knowledge.keras_file import load_framework_file as load_keras_file
    from nnadvisor.knowledge.pytorch_file import load_framework_file
    from nnadvisor.recommender.snippet_file import load_snippets

    vocab = load_vocabulary_file(root / "vocabulary.yaml")
    rules = load_rule_dir(root / "lint", vocab)
    recommend = load_recommend_dir(root / "recommend", vocab)
    return {
        "vocabulary": vocab.data,
        "inference": load_inference_file(root / "inference.yaml", vocab),
        "rules": [r.rule.model_dump(mode="json", by_alias=True, exclude={"examples"}) for r in rules],
        "recommend": {
            "problem": load_problem_file(root / "recommend" / "problem.yaml"),
            "rules": [r.rule.model_dump(mode="json", by_alias=True, exclude={"examples"}) for r in recommend],
        },
        "snippets": load_snippets(
            root / "recommend" / "snippets.yaml",
            {kind: vocab.names(kind) for kind in ("activation", "loss", "optimizer")},
        ),
        "frameworks": {
            "pytorch": load_framework_file(root / "frameworks" / "pytorch.yaml"),
            "keras": load_keras_file(root / "frameworks" / "keras.yaml"),
        },
    }


_SHAPE = {"vocabulary": dict, "inference": dict, "rules": list, "recommend": dict, "snippets": dict, "frameworks": dict}


def _read_cache(path: Path) -> dict[str, Any] | None:
    """The cached data, or ``None`` when the file is missing, unreadable or not of the shape this
    version writes (then the rule base is validated again and the file rewritten)."""
    try:
        with path.open("rb") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), t) for k, t in _SHAPE.items()):
        return None
    return data


def write_cache_file(path: Path, data: Any) -> None:
    """Write JSON atomically (readers never see half a file); failing only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def _cached(root: Path) -> tuple[str, dict[str, Any]]:
    """The fingerprint and validated data, from the cache when the stamp or the content is known."""
    directory = cache_dir()
    stamp = _stamp(root)
    stamp_file = directory / f"rulebase-stamp-{short(stamp)}.json"
    known = _read_stamp(stamp_file, stamp)
    data = _read_cache(directory / f"rulebase-{known}.json") if known else None
    if known and data is not None:
        return known, data
    fingerprint = _fingerprint(root)
    cache_file = directory / f"rulebase-{fingerprint}.json"
    data = _read_cache(cache_file)
    if data is None:
        data = _validate(root)
        write_cache_file(cache_file, data)
    write_cache_file(stamp_file, {"stamp": stamp, "fingerprint": fingerprint})
    return fingerprint, data


def load_rulebase(root: Path | None = None, use_cache: bool | None = None) -> RuleBase:
    root = root or rules_dir()
    if use_cache is None:
        use_cache = caching_enabled()
    if use_cache:
        fingerprint, data = _cached(root)
        try:
            return _build(fingerprint, data)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            # A cache file of the right outline but the wrong content (written by hand, by
            # another tool, or damaged): validate again and replace it.
            data = _validate(root)
            write_cache_file(cache_dir() / f"rulebase-{fingerprint}.json", data)
            return _build(fingerprint, data)
    return _build(_fingerprint(root), _validate(root))


def _build(fingerprint: str, data: dict[str, Any]) -> RuleBase:
    rules = tuple(data["rules"])
    if not all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in rules):
        raise ValueError("rules of the wrong shape")
    return RuleBase(
        vocabulary=Vocabulary(data["vocabulary"]),
        rules=rules,
        inference=CompiledInference.from_dump(data["inference"]),
        fingerprint=fingerprint,
        recommend_data=data["recommend"],
        snippets=data["snippets"],
        frameworks=data["frameworks"],
    )


def recommend_models(root: Path | None = None) -> list[Any]:
    """The recommendation rules as validated models, examples included (for the tests)."""
    from nnadvisor.engine.loader import load_recommend_dir, load_vocabulary_file

    root = root or rules_dir()
    return [r.rule for r in load_recommend_dir(root / "recommend", load_vocabulary_file(root / "vocabulary.yaml"))]


def rule_models(root: Path | None = None) -> list[Any]:
    """The lint rules as validated :class:`~nnadvisor.engine.files.Rule` models, examples included.

    For ``explain`` and the tests; ``check`` uses the compiled form of :func:`load_rulebase`.
    """
    from nnadvisor.engine.loader import load_rule_dir, load_vocabulary_file

    root = root or rules_dir()
    return [r.rule for r in load_rule_dir(root / "lint", load_vocabulary_file(root / "vocabulary.yaml"))]
