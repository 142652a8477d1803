"""Fixing is a fixpoint and idempotent, over generated configs: after ``--fix --unsafe-fixes`` the
text still reads (no NNA000), no finding with an applicable fix remains, and fixing the fixed
text again changes nothing; or the fixes of two rules undo each other, which is said
(:class:`~nnadvisor.fixing.NotConverging`) and the file left as it was."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnadvisor.api import CheckOptions, checker
from nnadvisor.fixing import NotConverging, fix_one
from tests.conftest import examples

ACTIVATIONS = ["softmax", "sigmoid", "linear", "log_softmax", "tanh", "relu", None]
LOSSES = ["mse", "mae", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "CrossEntropyLoss", "BCEWithLogitsLoss", "hinge"]


@st.composite
def configs(draw: st.DrawFn) -> str:
    config: dict[str, object] = {}
    task = draw(st.sampled_from(["binary", "multiclass", "multilabel", "regression", None]))
    if task:
        config["task"] = task
    labels = draw(st.sampled_from(["integer", "one-hot", "binary", None]))
    if labels and task in ("multiclass", "binary"):
        config["labels"] = labels
    layers: list[dict[str, object]] = [{"type": "dense", "units": 16, "activation": draw(st.sampled_from(["relu", "tanh", "sigmoid"]))}]
    out: dict[str, object] = {"type": "dense", "units": draw(st.sampled_from([1, 2, 5]))}
    activation = draw(st.sampled_from(ACTIVATIONS))
    if activation:
        out["activation"] = activation
    layers.append(out)
    if draw(st.booleans()):
        layers.append({"type": draw(st.sampled_from(["softmax", "sigmoid"]))})
    config["layers"] = layers
    loss = draw(st.sampled_from(LOSSES))
    config["loss"] = {"name": loss, "from_logits": draw(st.booleans())} if loss.endswith("crossentropy") and draw(st.booleans()) else loss
    if draw(st.booleans()):
        config["optimizer"] = draw(st.sampled_from(["adam", "sgd", {"name": "sgd", "learning_rate": 0.1}, {"name": "adam", "epsilon": 0}]))
    text = yaml.safe_dump(config, sort_keys=False, default_flow_style=draw(st.sampled_from([False, None])))
    return "# generated\n" + text


RUN = checker(CheckOptions(cache=False, isolated=True))
ALL = frozenset({"safe", "unsafe"})


@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_fix_reaches_a_fixpoint_and_is_idempotent(text: str) -> None:
    raw = text.encode()
    findings = RUN.check_bytes(raw, "nnadvisor", "m.yaml").findings
    try:
        fixed, applied, remaining = fix_one(RUN, raw, "nnadvisor", "m.yaml", findings, ALL)
    except NotConverging as exc:  # rules whose fixes disagree: said, and the file left alone
        assert len(exc.codes) >= 2
        return
    assert fixed.startswith(b"# generated\n"), "the comment was lost"
    assert not any(f.rule_id == "NNA000" for f in remaining), fixed.decode()
    assert not any(f.fix is not None and f.fix.edits for f in remaining), fixed.decode()
    again, applied_again, _ = fix_one(RUN, fixed, "nnadvisor", "m.yaml", remaining, ALL)
    assert again == fixed and applied_again == []
    if applied:
        assert fixed != raw


def _generated_source(kind: str, seed: int) -> str:
    """A PyTorch or Keras program as the source-reader benchmark writes them (classes, training
    scripts, Lightning modules, GANs; Sequential and functional Keras), some with mistakes."""
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        import source_reader
    finally:
        sys.path.pop(0)
    rng = random.Random(seed)
    return (source_reader.torch_file if kind == "torch" else source_reader.keras_file)(rng)[0]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["torch", "keras"]), st.integers(0, 10**6))
def test_fixing_generated_sources_reaches_a_fixpoint_and_is_idempotent(kind: str, seed: int) -> None:
    text = _generated_source(kind, seed)
    raw = text.encode()
    findings = RUN.check_bytes(raw, "python", "train.py").findings
    try:
        fixed, applied, remaining = fix_one(RUN, raw, "python", "train.py", findings, ALL)
    except NotConverging as exc:
        assert len(exc.codes) >= 2
        return
    import ast

    ast.parse(fixed)
    assert not any(f.rule_id == "NNA000" for f in remaining)
    assert not any(f.fix is not None and f.fix.edits for f in remaining), fixed.decode()
    fixed_codes = {(f.rule_id, f.message) for f in applied}
    assert not fixed_codes & {(f.rule_id, f.message) for f in remaining}, "a fixed finding is still reported"
    again, applied_again, _ = fix_one(RUN, fixed, "python", "train.py", remaining, ALL)
    assert again == fixed and applied_again == []
    comments = [line for line in text.splitlines() if line.strip().startswith("#")]
    assert all(c in fixed.decode().splitlines() for c in comments), "a comment line was lost"
