"""multiclass-loss: softmax + crossentropy vs softmax + mse.

Main table: 10-class teacher data, MLP 20-64-10 (relu), plain SGD at lr 0.1, 5 epochs. The
crossentropy model is trained on logits with the fused loss (the same function as softmax +
categorical crossentropy); the mse model has a softmax output and mse on its probabilities.

Comparisons: the same pair under Adam at lr 1e-2 (where the gap mostly closes) and under SGD from
a confidently wrong start (output weights scaled 10x: about half the test examples then start
wrong with a probability above 0.9, ``confidently_wrong_at_start``).

Probe (exact, no training): the norm of dL/dlogits for one confidently wrong example, K = 10,
logits 0 except the wrong class at ``margin``; crossentropy tends to sqrt(2), softmax + mse to 0.

Further comparisons, for the lint rules about the shape of a multiclass output and its loss:

* NNA205, binary crossentropy on exclusive classes: ten sigmoid units trained with binary
  crossentropy, under SGD lr 0.1 and Adam lr 1e-2. The element-wise mean over N x K outputs
  divides each logit's gradient by K compared with categorical crossentropy's mean over N rows,
  so at the same SGD learning rate it learns more slowly; Adam rescales that away. Recorded next
  to the accuracy: ``binary_accuracy`` (what tf.keras 2 reports for ``metrics=['accuracy']`` with
  binary crossentropy; an all-zero prediction already scores (K - 1) / K) and
  ``row_sum_deviation``, the mean of ``|sum_k p_k - 1|`` (the outputs are not a distribution).
  The probe also feeds integer labels 0..K-1 to one sigmoid unit with binary crossentropy: the
  loss is then unbounded below, and the clip at [1e-7, 1 - 1e-7] is all that stops it.
* NNA203, output units != classes: a softmax over K + 2 units (the two extra classes never
  occur) trains like the K-unit one and only learns to give the extra units almost no
  probability (``extra_probability``). An output narrower than the classes cannot be trained at
  all: the probe records what the reference raises (PyTorch's CrossEntropyLoss likewise raises
  ``IndexError: Target 9 is out of bounds`` for 8 logits).
* NNA111, a regression loss on a classification task: one linear unit regressing the class index
  with mse (prediction rounded to the nearest class), Adam lr 1e-2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import SGD, Adam, get_activation, get_loss, mlp, teacher_classification
from nnadvisor.reference.losses import (
    EPSILON,
    categorical_crossentropy_from_logits,
    mse,
    sparse_categorical_crossentropy_from_logits,
    unfused,
)

from ._common import DATA, INIT, accuracy, binary_accuracy, fit, fmt, mean, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

K = 10
EPOCHS = 5
MARGINS = (0.0, 5.0, 10.0, 20.0)
EXTRA_UNITS = 2
NARROW_UNITS = 8


def _run(loss_name: str, optimizer: str, wrong_start: bool = False) -> RunFn:
    softmax = get_activation("softmax")

    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=K)
        ce = loss_name == "crossentropy"
        model = mlp([20, 64, K], "relu", "linear" if ce else "softmax", stream(seed, INIT))
        if wrong_start:
            model.parametrised_layers()[-1].params[0][...] *= 10.0
        loss = get_loss("categorical_crossentropy_from_logits" if ce else "mse")
        opt = SGD(lr=0.1) if optimizer == "sgd" else Adam(lr=1e-2)
        start = softmax.forward(predict(model, d.x_test)) if ce else predict(model, d.x_test)
        wrong = np.argmax(start, axis=1) != np.argmax(d.y_test, axis=1)
        confidently_wrong = float(np.mean(wrong & (np.max(start, axis=1) > 0.9)))
        h = fit(model, loss, opt, d.x_train, d.y_train, epochs=EPOCHS, seed=seed)
        return Run(
            accuracy(predict(model, d.x_test), d.y_test),
            h.loss,
            {"confidently_wrong_at_start": confidently_wrong},
        )

    return fn


def _optimizer(name: str) -> SGD | Adam:
    return SGD(lr=0.1) if name == "sgd" else Adam(lr=1e-2)


def _run_sigmoid_bce(optimizer: str) -> RunFn:
    """K sigmoid units + binary crossentropy on one-hot rows of exclusive classes (NNA205)."""

    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=K)
        model = mlp([20, 64, K], "relu", "sigmoid", stream(seed, INIT))
        h = fit(
            model,
            get_loss("binary_crossentropy"),
            _optimizer(optimizer),
            d.x_train,
            d.y_train,
            epochs=EPOCHS,
            seed=seed,
        )
        p = predict(model, d.x_test)
        return Run(
            accuracy(p, d.y_test),
            h.loss,
            {
                "binary_accuracy": binary_accuracy(p, d.y_test),
                "row_sum_deviation": float(np.mean(np.abs(np.sum(p, axis=1) - 1.0))),
            },
        )

    return fn


def _run_wide() -> RunFn:
    """A softmax over K + EXTRA_UNITS units for K classes (NNA203), Adam lr 1e-2."""
    softmax = get_activation("softmax")

    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=K)
        units = K + EXTRA_UNITS
        model = mlp([20, 64, units], "relu", "linear", stream(seed, INIT))
        y = np.hstack([d.y_train, np.zeros((d.y_train.shape[0], EXTRA_UNITS))])
        h = fit(
            model,
            get_loss("categorical_crossentropy_from_logits"),
            _optimizer("adam"),
            d.x_train,
            y,
            epochs=EPOCHS,
            seed=seed,
        )
        p = softmax.forward(predict(model, d.x_test))
        return Run(
            accuracy(p[:, :K], d.y_test),
            h.loss,
            {"extra_probability": float(np.mean(np.sum(p[:, K:], axis=1)))},
        )

    return fn


def _run_class_index() -> RunFn:
    """One linear unit regressing the class index with mse (NNA111), Adam lr 1e-2."""

    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=K)
        model = mlp([20, 64, 1], "relu", "linear", stream(seed, INIT))
        index = np.argmax(d.y_train, axis=1).astype(np.float64)[:, None]
        h = fit(
            model, get_loss("mse"), _optimizer("adam"), d.x_train, index, epochs=EPOCHS, seed=seed
        )
        guess = np.clip(np.rint(np.nan_to_num(predict(model, d.x_test))), 0, K - 1).reshape(-1)
        return Run(float(np.mean(guess == np.argmax(d.y_test, axis=1))), h.loss)

    return fn


def integer_labels_in_one_sigmoid(seed: int) -> tuple[float, float]:
    """Integer labels 0..K-1 into one sigmoid unit + binary crossentropy, Adam lr 1e-2.

    Returns the last epoch's training loss and the share of training outputs at the clip.
    """
    d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=K)
    model = mlp([20, 64, 1], "relu", "sigmoid", stream(seed, INIT))
    index = np.argmax(d.y_train, axis=1).astype(np.float64)[:, None]
    h = fit(
        model,
        get_loss("binary_crossentropy"),
        _optimizer("adam"),
        d.x_train,
        index,
        epochs=EPOCHS,
        seed=seed,
    )
    p = predict(model, d.x_train)
    return h.loss[-1], float(np.mean((p <= EPSILON) | (p >= 1.0 - EPSILON)))


def _error_of(fn: Any, *args: Any) -> str:
    try:
        fn(*args)
    except Exception as exc:  # the point is to record what is raised
        return f"{type(exc).__name__}: {str(exc).strip()}"
    return "no error"


def narrow_output_errors() -> dict[str, str]:
    """What the reference raises for 8 logits and labels of 10 classes (NNA203)."""
    z = np.zeros((4, NARROW_UNITS))
    labels = np.array([0.0, 9.0, 3.0, 1.0])
    return {
        "one-hot labels": _error_of(
            categorical_crossentropy_from_logits, z, np.eye(K)[labels.astype(int)]
        ),
        "integer labels": _error_of(sparse_categorical_crossentropy_from_logits, z, labels),
    }


def logit_gradient_norms(margin: float) -> tuple[float, float]:
    """(crossentropy, softmax + mse) norms of dL/dz for one example: true class 0, logits 0
    except class 1 at ``margin`` (confidently wrong when the margin is large)."""
    z = np.zeros((1, K))
    z[0, 1] = margin
    y = np.zeros((1, K))
    y[0, 0] = 1.0
    _, g_ce = categorical_crossentropy_from_logits(z, y)
    _, g_mse = unfused(get_activation("softmax"), mse, z, y)
    return float(np.linalg.norm(g_ce)), float(np.linalg.norm(g_mse))


def plan() -> Plan:
    cce = "softmax + categorical_crossentropy"
    ce_sgd = Config(f"{cce} (SGD lr 0.1)", _run("crossentropy", "sgd"), True)
    mse_sgd = Config("softmax + mse (SGD lr 0.1)", _run("mse", "sgd"))
    ce_adam = Config(f"{cce} (Adam lr 1e-2)", _run("crossentropy", "adam"), True)
    mse_adam = Config("softmax + mse (Adam lr 1e-2)", _run("mse", "adam"))
    ce_wrong = Config(f"{cce} (SGD, wrong start)", _run("crossentropy", "sgd", True), True)
    mse_wrong = Config("softmax + mse (SGD, wrong start)", _run("mse", "sgd", True))
    bce_sgd = Config(
        f"{K} sigmoid units + binary_crossentropy (SGD lr 0.1)", _run_sigmoid_bce("sgd")
    )
    bce_adam = Config(
        f"{K} sigmoid units + binary_crossentropy (Adam lr 1e-2)", _run_sigmoid_bce("adam")
    )
    wide = Config(
        f"softmax over {K + EXTRA_UNITS} units for {K} classes (Adam lr 1e-2)", _run_wide()
    )
    index_mse = Config("1 linear unit + mse on the class index (Adam lr 1e-2)", _run_class_index())

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        norms = {f"{mg:g}": logit_gradient_norms(mg) for mg in MARGINS}
        extra: dict[str, Any] = {
            "logit_gradient_norm": {
                "setup": "one example, 10 classes, logits 0 except a wrong class at the margin",
                "margins": list(MARGINS),
                "crossentropy": [norms[f"{mg:g}"][0] for mg in MARGINS],
                "softmax_mse": [norms[f"{mg:g}"][1] for mg in MARGINS],
                "crossentropy_limit": math.sqrt(2.0),
            },
        }
        parts = ", ".join(
            f"margin {mg:g}: {fmt(norms[f'{mg:g}'][0])} vs {fmt(norms[f'{mg:g}'][1])}"
            for mg in MARGINS
        )
        gap_sgd = mean(m.values(ce_sgd)) - mean(m.values(mse_sgd))
        gap_adam = mean(m.values(ce_adam)) - mean(m.values(mse_adam))
        gap_wrong = mean(m.values(ce_wrong)) - mean(m.values(mse_wrong))
        start_wrong = mean(m.detail(ce_wrong, "confidently_wrong_at_start"))
        extra["accuracy_gap"] = {"sgd": gap_sgd, "adam": gap_adam, "sgd_wrong_start": gap_wrong}
        bin_acc = {c.label: mean(m.detail(c, "binary_accuracy")) for c in (bce_sgd, bce_adam)}
        row_dev = {c.label: mean(m.detail(c, "row_sum_deviation")) for c in (bce_sgd, bce_adam)}
        integer = [integer_labels_in_one_sigmoid(s) for s in seeds]
        int_loss = [v[0] for v in integer]
        int_clipped = mean([v[1] for v in integer])
        extra_prob = m.detail(wide, "extra_probability")
        narrow = narrow_output_errors()
        extra["sigmoid_bce"] = {
            "binary_accuracy": bin_acc,
            "row_sum_deviation": row_dev,
            "all_zero_binary_accuracy": (K - 1) / K,
        }
        extra["integer_labels_one_sigmoid_bce"] = {
            "final_training_loss": int_loss,
            "share_of_outputs_at_clip": int_clipped,
        }
        extra["wide_output_extra_probability"] = extra_prob
        extra["narrow_output_errors"] = narrow
        notes = [
            "gradient norm w.r.t. the logits for one confidently wrong example, crossentropy vs "
            f"softmax + mse: {parts} (crossentropy tends to sqrt(2) = {fmt(math.sqrt(2.0))}, "
            "softmax + mse to 0: a saturated wrong softmax gives mse almost no gradient)",
            f"accuracy gap crossentropy - mse (mean): {fmt(gap_sgd)} under SGD lr 0.1, "
            f"{fmt(gap_adam)} under Adam lr 1e-2 (the gap "
            + ("mostly closes" if abs(gap_adam) < 0.25 * abs(gap_sgd) else "stays")
            + f"), {fmt(gap_wrong)} under SGD from the wrong start (where "
            f"{fmt(start_wrong)} of the test examples start wrong with probability > 0.9)",
            f"NNA205: {K} sigmoid units + binary crossentropy on exclusive classes reach "
            f"{fmt(mean(m.values(bce_adam)))} test accuracy under Adam (softmax + crossentropy "
            f"{fmt(mean(m.values(ce_adam)))}) but {fmt(mean(m.values(bce_sgd)))} under SGD lr "
            f"0.1 ({fmt(mean(m.values(ce_sgd)))}): the mean over {K} outputs divides each "
            f"logit's gradient by {K}; their binary accuracy (tf.keras 2's 'accuracy' for binary "
            f"crossentropy) reads {fmt(bin_acc[bce_sgd.label])} under SGD and "
            f"{fmt(bin_acc[bce_adam.label])} under Adam (an all-zero prediction scores "
            f"{fmt((K - 1) / K)}), and their outputs miss a sum of 1 by "
            f"{fmt(row_dev[bce_sgd.label])} and {fmt(row_dev[bce_adam.label])} on average",
            f"NNA205: integer labels 0-{K - 1} into one sigmoid unit + binary crossentropy: "
            f"final training loss {fmt(mean(int_loss))} (negative: unbounded below until the "
            f"clip), {fmt(int_clipped)} of the training outputs pinned at the clip",
            f"NNA203: a softmax over {K + EXTRA_UNITS} units for {K} classes trains "
            f"({fmt(mean(m.values(wide)))} vs {fmt(mean(m.values(ce_adam)))}) and puts "
            f"{fmt(mean(extra_prob))} of the probability on the never-seen classes; "
            f"{NARROW_UNITS} units for {K} classes cannot train at all, the reference raises: "
            + "; ".join(f"{k}: {v}" for k, v in narrow.items()),
        ]
        return extra, notes

    return Plan(
        configs=[ce_sgd, mse_sgd],
        comparisons=[
            Group("same losses under Adam at lr 1e-2 (when the gap closes)", [ce_adam, mse_adam]),
            Group(
                "same losses under SGD from a confidently wrong start (output weights x10)",
                [ce_wrong, mse_wrong],
            ),
            Group(
                "binary crossentropy on exclusive classes under SGD lr 0.1 (NNA205)",
                [ce_sgd, bce_sgd],
            ),
            Group(
                "binary crossentropy on exclusive classes under Adam lr 1e-2 (NNA205; no ranking "
                "claimed: the accuracy gap closes)",
                [ce_adam, bce_adam],
                ranked=False,
            ),
            Group(
                f"output wider than the classes, {K + EXTRA_UNITS} units for {K} (NNA203; no "
                "ranking claimed)",
                [ce_adam, wide],
                ranked=False,
            ),
            Group(
                "regressing the class index with mse instead of crossentropy (NNA111)",
                [ce_adam, index_mse],
            ),
        ],
        probe=probe,
        curve_label="training loss per epoch (crossentropy and mse)",
    )
