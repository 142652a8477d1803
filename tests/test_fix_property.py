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


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
