"""Property: whatever config ``check`` is given, no exception escapes, the exit code is 0, 1 or 2,
and the JSON output parses. Configs are generated from the format's vocabulary and then mutated."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnadvisor.rulebase import load_rulebase
from tests.conftest import CliRunner, examples

VOCAB = load_rulebase(use_cache=False).vocabulary
WORDS = st.sampled_from(
    list(VOCAB.names("activation")) + list(VOCAB.names("loss")) + list(VOCAB.names("optimizer"))
    + ["CrossEntropyLoss", "BCEWithLogitsLoss", "NLLLoss", "Softmax", "rleu", "", "null", "dense", "lstm"]
)
NUMBERS = st.one_of(st.integers(-5, 20), st.floats(allow_nan=True, allow_infinity=True), st.just(0))
SCALARS = st.one_of(WORDS, NUMBERS, st.booleans(), st.none(), st.text(max_size=8))
LAYER_TYPES = st.sampled_from(["dense", "conv", "rnn", "lstm", "gru", "dropout", "activation", "softmax", "sigmoid", "attention", "embedding", "other", "bogus"])

layer = st.fixed_dictionaries(
    {"type": LAYER_TYPES},
    optional={
        "units": st.one_of(st.integers(0, 12), SCALARS),
        "activation": st.one_of(WORDS, SCALARS, st.fixed_dictionaries({"name": WORDS}, optional={"alpha": NUMBERS})),
        "rate": NUMBERS,
        "recurrent_activation": WORDS,
    },
)
spec = st.one_of(
    WORDS,
    st.fixed_dictionaries({"name": WORDS}, optional={"from_logits": st.booleans(), "delta": NUMBERS, "label_smoothing": NUMBERS}),
)
optimizer = st.one_of(
    WORDS,
    st.fixed_dictionaries(
        {"name": WORDS},
        optional={"lr": NUMBERS, "momentum": NUMBERS, "betas": st.lists(NUMBERS, max_size=3), "eps": NUMBERS, "clipnorm": NUMBERS, "weight_decay": NUMBERS},
    ),
)
config = st.fixed_dictionaries(
    {},
    optional={
        "framework": st.sampled_from(["keras", "pytorch", "generic", "jax"]),
        "task": st.sampled_from(["regression", "binary", "multiclass", "multilabel", "ranking"]),
        "labels": st.sampled_from(["integer", "one-hot", "binary", "signed", "probabilities", "continuous"]),
        "num_classes": st.one_of(st.integers(-1, 12), SCALARS),
        "target_range": st.sampled_from(["unbounded", "unit-interval", "non-negative", "symmetric-unit"]),
        "outliers": st.sampled_from(["none", "some", "heavy"]),
        "layers": st.lists(layer, max_size=6),
        "loss": spec,
        "optimizer": optimizer,
        "extra": SCALARS,
    },
)


def _text(data: dict[str, Any], as_json: bool) -> bytes:
    return (json.dumps(data) if as_json else yaml.safe_dump(data)).encode()


def _assert_well_behaved(cli: CliRunner, raw: bytes) -> None:
    result = cli("check", "--format", "json", "-", stdin=raw)
    assert result.code in (0, 1, 2), result
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    doc = json.loads(result.out)
    assert doc["summary"]["files"] == 1
    for finding in doc["findings"]:
        assert finding["line"] >= 1 and finding["column"] >= 1


PROFILE = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROFILE
@given(data=config, as_json=st.booleans())
def test_generated_configs(cli: CliRunner, data: dict[str, Any], as_json: bool) -> None:
    _assert_well_behaved(cli, _text(data, as_json))


@PROFILE
@given(data=config, cut=st.integers(0, 400), flips=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=4))
def test_mutated_configs(cli: CliRunner, data: dict[str, Any], cut: int, flips: list[tuple[int, int]]) -> None:
    raw = bytearray(_text(data, False))
    for pos, byte in flips:
        if raw:
            raw[pos % len(raw)] = byte
    _assert_well_behaved(cli, bytes(raw[: max(cut, 1)]))
