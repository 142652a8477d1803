"""The config format's validation without pydantic's models (records, the cached core schema, and
the pure-Python reading of it) agrees with pydantic-core on the same schema.

The pure-Python path may give up on anything; whatever it accepts, pydantic-core must accept with
the same result (types included: ``1`` for a float field is ``1.0``). Inputs are generated from
the record declarations themselves, so every field, spelling and union branch is reached, and
mixed with junk; realistic inputs (every rule example, every reader fixture) must not only agree
but be accepted by the fast path, or the start-up saving would silently be lost.
"""

from __future__ import annotations

import json
import math
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from pydantic_core import SchemaValidator, ValidationError

from nnadvisor import config_schema, readers, records
from nnadvisor.config import ActivationSpec, Layer, LossSpec, ModelConfig, OptimizerSpec
from nnadvisor.core_validator import GiveUp, compile_schema
from nnadvisor.lint import check_bytes
from nnadvisor.records import REQUIRED, Record
from nnadvisor.rulebase import RuleBase, load_rulebase, rule_models
from nnadvisor.source import read_bytes
from nnadvisor.validation import validate_config
from tests.conftest import examples

RECORDS: tuple[type[Record], ...] = (ModelConfig, Layer, ActivationSpec, LossSpec, OptimizerSpec)
VOCAB = load_rulebase(use_cache=False).vocabulary
FIXTURES = Path(__file__).parent / "fixtures"


def _schemas() -> dict[type[Record], dict[str, Any]]:
    document, family = config_schema._document(ModelConfig)
    return {cls: config_schema._decode(document["core"][cls.__name__], family) for cls in RECORDS}


SCHEMAS = _schemas()
FAST = {cls: compile_schema(schema) for cls, schema in SCHEMAS.items()}
CORE = {cls: SchemaValidator(schema) for cls, schema in SCHEMAS.items()}


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, records field by field (fields set and extras included)."""
    if isinstance(a, Record) or isinstance(b, Record):
        return (
            type(a) is type(b)
            and a.model_fields_set == b.model_fields_set
            and a.__pydantic_extra__ is None
            and b.__pydantic_extra__ is None
            and list(a.__dict__) == list(b.__dict__)
            and all(same(a.__dict__[k], b.__dict__[k]) for k in a.__dict__)
        )
    if isinstance(a, list):
        return type(b) is list and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


def agree(cls: type[Record], data: Any, context: dict[str, Any] | None) -> bool:
    """Assert the fast path and pydantic-core agree on ``data``; whether the fast path accepted it."""
    fast = FAST[cls]
    assert fast is not None, f"{cls.__name__}: the core schema should compile"
    try:
        expected = CORE[cls].validate_python(data, context=context)
    except ValidationError:
        expected = GiveUp
    try:
        got = fast(data, context)
    except GiveUp:
        return False
    assert expected is not GiveUp, f"fast path accepted what pydantic-core rejects: {data!r}"
    assert same(got, expected), f"{data!r}: fast {got!r} != core {expected!r}"
    return True


# --------------------------------------------------------------------------- generated inputs

WORDS = st.sampled_from(
    ["softmax", "sigmoid", "relu", "linear", "tanh", "mse", "adam", "sgd", "dense", "lstm", "activation", "", "x", "1", "yes", "null"]
)
JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**60), 2**60), st.floats(allow_nan=True, allow_infinity=True), WORDS, st.text(max_size=4)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.one_of(WORDS, st.integers(0, 3)), inner, max_size=3)),
    max_leaves=6,
)
RARELY = st.integers(0, 39).map(lambda n: n == 0)
"""About one value in 40 is junk: a generated config is valid about half the time, and the rest
are near misses (one wrong type, one extra key, one value out of range)."""


def _valid(annotation: Any, ge: Any = None, le: Any = None) -> st.SearchStrategy[Any]:
    """Values of the declared type (records, unions, lists, literals, bounds)."""
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return _record(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_valid(a, ge, le) for a in args])
    if origin is list:
        return st.lists(_valid(args[0]), max_size=3)
    if origin is typing.Literal:
        return st.sampled_from(args)
    plain: dict[Any, st.SearchStrategy[Any]] = {
        str: WORDS,
        int: st.integers(-3 if ge is None else ge, 12 if le is None else le),
        float: st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**53), 2**53)),
        bool: st.booleans(),
        type(None): st.none(),
    }
    return plain[annotation]


def _value(annotation: Any, ge: Any = None, le: Any = None) -> st.SearchStrategy[Any]:
    return RARELY.flatmap(lambda junk: JUNK if junk else _valid(annotation, ge, le))


@st.composite
def _record_dict(draw: st.DrawFn, cls: type[Record]) -> Any:
    data: dict[Any, Any] = {}
    for spec in cls.record_fields.values():
        required = spec.default is REQUIRED and spec.default_factory is None
        if (required and not draw(RARELY)) or (not required and draw(st.booleans())):
            data[draw(st.sampled_from(spec.spellings))] = draw(_value(spec.annotation, spec.ge, spec.le))
            if len(spec.spellings) > 1 and draw(RARELY):  # a second spelling of the field: extra
                data.setdefault(spec.spellings[-1], draw(_value(spec.annotation)))
    if cls is OptimizerSpec and draw(st.integers(0, 3)) == 0:
        data["betas"] = draw(st.lists(_value(float), min_size=2, max_size=2) if not draw(RARELY) else JUNK)
        if draw(st.booleans()):
            data["alpha"] = draw(_value(float))
    if cls is Layer and draw(st.integers(0, 3)) == 0:
        data["type"] = draw(st.sampled_from(["softmax", "relu", "sigmoid", "leaky_relu", "bogus"]))  # shorthands
    if draw(RARELY):
        data[draw(st.one_of(WORDS, st.integers(0, 2), st.none(), st.booleans()))] = draw(JUNK)
    return data


def _record(cls: type[Record]) -> st.SearchStrategy[Any]:
    return _record_dict(cls) if cls is ModelConfig else RARELY.flatmap(lambda junk: JUNK if junk else _record_dict(cls))


@settings(max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cls=st.sampled_from(RECORDS), data=st.data(), with_vocabulary=st.booleans())
def test_whatever_the_fast_path_accepts_pydantic_core_accepts_alike(cls: type[Record], data: st.DataObject, with_vocabulary: bool) -> None:
    value = data.draw(_record(cls))
    agree(cls, value, {"vocabulary": VOCAB} if with_vocabulary else None)


class _Str(str):
    pass


class _Int(int):
    pass


TRICKY: list[Any] = [
    None, True, False, 0, 1, -1, 2, 2**53, 2**53 + 1, 2**64, -(2**63), 1.0, 0.5, -0.0, math.nan, math.inf, -math.inf,
    "", "x", "1", "true", "dense", "softmax", "relu", "leaky_relu", "generic", "keras", "regression", "integer", "one-hot",
    "unbounded", "none", [], [1], [1.5], [True], ["x"], [None], [[1]], [{}], [{"type": "dense"}], [{"type": "softmax"}],
    {}, {"name": "relu"}, {"name": 1}, {"name": "x", "alpha": 1}, {"name": "x", "negative_slope": 0.1}, {"type": "dense"},
    (1, 2), b"x", _Str("relu"), _Int(3),
]  # fmt: skip
MINIMAL: dict[type[Record], dict[str, Any]] = {
    ModelConfig: {}, Layer: {"type": "dense"}, ActivationSpec: {"name": "relu"}, LossSpec: {"name": "mse"}, OptimizerSpec: {"name": "adam"},
}  # fmt: skip


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_every_spelling_of_every_field_with_tricky_values(cls: type[Record]) -> None:
    """Each field, under each spelling (and the PyTorch ``betas``/``alpha``), given each value of
    :data:`TRICKY` in an otherwise minimal valid input: the type and bound checks, one by one."""
    keys = [key for spec in cls.record_fields.values() for key in spec.spellings]
    keys += ["betas", "alpha"] if cls is OptimizerSpec else []
    accepted = 0
    for key in keys:
        for value in TRICKY:
            for context in (None, {"vocabulary": VOCAB}):
                accepted += agree(cls, {**MINIMAL[cls], key: value}, context)
    assert accepted > len(keys)  # every field takes some of them


# --------------------------------------------------------------------------- realistic inputs


def _example_configs() -> list[dict[str, Any]]:
    found = []
    for rule in rule_models():
        for example in [*rule.examples.bad, *rule.examples.good]:
            if example.config is not None:
                found.append(example.config)
            elif example.format == "nnadvisor":
                try:
                    doc = read_bytes(example.raw.encode())
                except Exception:  # noqa: BLE001 - parse errors are those examples' point
                    continue
                if isinstance(doc.data, dict):
                    found.append(doc.data)
    return found


def test_rule_examples_take_the_fast_path() -> None:
    configs = _example_configs()
    accepted = [agree(ModelConfig, c, {"vocabulary": VOCAB}) for c in configs]
    valid = [c for c in configs if validate_config(read_bytes(json.dumps(c).encode()), VOCAB)[0] is not None]
    assert len(valid) > 50
    assert sum(accepted) == len(valid), "a valid rule example fell back to pydantic-core"


class _Spy:
    """A record validator that remembers its inputs."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seen: list[tuple[Any, Any]] = []

    def validate_python(self, obj: Any, *, context: Any = None) -> Any:
        self.seen.append((obj, context))
        return self.inner.validate_python(obj, context=context)


@pytest.mark.parametrize("path", sorted([*FIXTURES.glob("keras/*"), *FIXTURES.glob("pytorch/*.py")]), ids=lambda p: p.name)
def test_reader_output_takes_the_fast_path(path: Path, rulebase: RuleBase, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(config_schema.validator_for(ModelConfig))
    monkeypatch.setitem(records._VALIDATORS, ModelConfig, spy)
    fmt = readers.detect(path.name, path.read_bytes())
    raw = readers.read_archive(path) if readers.archive_format(path, None) else path.read_bytes()
    check_bytes(raw, path.name, rulebase, fmt)
    for data, context in spy.seen:
        try:
            CORE[ModelConfig].validate_python(data, context=context)
        except ValidationError:
            continue
        assert agree(ModelConfig, data, context), data


# --------------------------------------------------------------------------- the records and the cache


def test_the_json_schema_is_pydantic_s_of_the_derived_model() -> None:
    assert config_schema.json_schema(ModelConfig) == TypeAdapter(config_schema.pydantic_model(ModelConfig)).json_schema()


def test_records_behave_like_the_models_they_stand_for() -> None:
    loss = LossSpec.model_validate({"name": "huber", "beta": 2})
    assert loss.delta == 2.0 and loss.model_fields_set == {"name", "delta"}
    assert loss == LossSpec(name="huber", delta=2.0) and loss != LossSpec(name="huber")
    assert repr(loss).startswith("LossSpec(name='huber', from_logits=None, delta=2.0")
    config = ModelConfig.model_validate({"layers": [{"type": "dense", "units": 1, "activation": {"name": "sigmoid"}}], "loss": loss.model_dump()})
    assert config.model_dump(exclude_none=True) == {
        "framework": "generic",
        "layers": [{"type": "dense", "units": 1, "activation": {"name": "sigmoid"}}],
        "loss": {"name": "huber", "delta": 2.0},
    }
    with pytest.raises(ValidationError):
        LossSpec(name=3)


def test_invalid_configs_get_pydantic_core_s_errors() -> None:
    doc = read_bytes(b"layers:\n  - {type: dense, units: -1, activaton: relu}\noptimizer: {name: adam, betas: [0.9]}\n")
    config, problems = validate_config(doc, VOCAB)
    assert config is None
    messages = [p.message for p in problems]
    assert any("unknown key 'activaton'" in m for m in messages)
    assert any("greater than or equal to 0" in m for m in messages)
    assert any("betas must be a list of two numbers" in m for m in messages)


def test_a_schema_outside_the_subset_compiles_to_none() -> None:
    assert compile_schema({"type": "str", "min_length": 2}) is None
    assert compile_schema({"type": "union", "choices": [{"type": "int"}], "mode": "left_to_right"}) is None
    assert compile_schema({"type": "tuple", "items_schema": []}) is None


def test_the_cached_schema_is_keyed_by_what_it_is_made_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNADVISOR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(config_schema, "_SCHEMAS", {})
    config_schema._document(ModelConfig)
    (written,) = tmp_path.glob("config-schema-*.json")
    document = json.loads(written.read_text())
    module, family = config_schema._family(ModelConfig)
    assert document["stamp"] == config_schema._stamp(module, family)
    assert "pydantic_core" in document["stamp"] and "nnadvisor.config" in document["stamp"] and "'unit-interval'" in document["stamp"]
    assert config_schema._read(written, document["stamp"] + "x") is None  # another stamp: not this file's
    written.write_text("{not json")
    monkeypatch.setattr(config_schema, "_SCHEMAS", {})
    assert config_schema.validator_for(LossSpec).validate_python({"name": "mse"}) == LossSpec(name="mse")


def test_fast_checks_are_bounded_then_pydantic_core_takes_over() -> None:
    validator = config_schema.RecordValidator(SCHEMAS[LossSpec])
    validator.fast_left = 1
    assert validator.validate_python({"name": "mse"}) == LossSpec(name="mse")
    assert validator._core is None
    assert validator.validate_python({"name": "mae"}) == LossSpec(name="mae")
    assert validator._core is not None
