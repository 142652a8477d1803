"""robust-regression: mse vs huber vs mae with gross outliers in the training targets.

Linear data ``y = x w + b + 0.1 N(0, 1)`` (10 features, 500 train / 500 clean test) with 15 % of
the training targets shifted by +100 (one-sided gross outliers); a linear model (one Dense
layer), SGD with momentum 0.9 at lr 1e-2, batch 50, 50 epochs. Metric: mse on the clean test set.

Main table: mse vs huber (delta 1.0, the Keras/PyTorch default and the NNA601 fix). Comparison:
the robust losses side by side (huber and mae, which NNA601 offers for heavy outliers). The probe
reports each loss's error relative to the outlier-free error (mse trained on the uncorrupted
targets of the same seed) and the analytic shifts: mse's optimum moves by about
``fraction * size`` (so its error is about that squared), huber's by about
``fraction * delta / (1 - fraction)`` (each outlier pulls with force delta), mae's by nothing
while fewer than half the targets are corrupted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nnadvisor.reference import SGD, Dense, Sequential, get_loss, regression_with_outliers

from ._common import DATA, INIT, fit, fmt, mean, mse, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

FRACTION = 0.15
SIZE = 100.0
DELTA = 1.0
EPOCHS = 50


def _run(loss_name: str, clean: bool = False) -> RunFn:
    def fn(seed: int) -> Run:
        d = regression_with_outliers(
            500, 500, stream(seed, DATA), outlier_fraction=FRACTION, outlier_size=SIZE
        )
        y = d.y_train_clean if clean else d.y_train
        model = Sequential([Dense(10, 1, stream(seed, INIT))])
        loss = get_loss("huber", delta=DELTA) if loss_name == "huber" else get_loss(loss_name)
        h = fit(
            model,
            loss,
            SGD(lr=1e-2, momentum=0.9),
            d.x_train,
            y,
            epochs=EPOCHS,
            seed=seed,
            batch_size=50,
        )
        pred = predict(model, d.x_test)
        return Run(mse(pred, d.y_test), h.loss, {"mean_error": float((pred - d.y_test).mean())})

    return fn


def plan() -> Plan:
    mse_cfg = Config("linear + mse", _run("mse"))
    huber = Config(f"linear + huber (delta {DELTA:g})", _run("huber"), True)
    mae = Config("linear + mae", _run("mae"))
    clean = Config("linear + mse on outlier-free targets (reference)", _run("mse", clean=True))

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        ref = mean(m.values(clean))
        ratios = {c.label: mean(m.values(c)) / ref for c in (mse_cfg, huber, mae)}
        shifts = {c.label: mean(m.detail(c, "mean_error")) for c in (mse_cfg, huber, mae)}
        pred_mse = FRACTION * SIZE
        pred_huber = FRACTION * DELTA / (1.0 - FRACTION)
        notes = [
            f"clean-test error relative to the outlier-free error ({fmt(ref)}): "
            + ", ".join(f"{k} {fmt(v)}x" for k, v in ratios.items()),
            "mean prediction offset on the clean test set: "
            + ", ".join(f"{k} {fmt(v)}" for k, v in shifts.items())
            + f"; predicted: mse {fmt(pred_mse)} (fraction x size), huber {fmt(pred_huber)} "
            "(fraction x delta / (1 - fraction)), mae 0",
        ]
        extra = {
            "outlier_fraction": FRACTION,
            "outlier_size": SIZE,
            "huber_delta": DELTA,
            "outlier_free_test_mse": ref,
            "ratio_to_outlier_free": ratios,
            "mean_offset": shifts,
            "predicted_offset": {"mse": pred_mse, "huber": pred_huber, "mae": 0.0},
        }
        return extra, notes

    return Plan(
        configs=[mse_cfg, huber],
        comparisons=[
            Group("the robust losses NNA601 offers, side by side", [huber, mae], ranked=False),
            Group("reference: the same model trained without outliers", [clean]),
        ],
        probe=probe,
        curve_label="training loss per epoch (mse, huber, mae)",
    )
