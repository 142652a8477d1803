"""optimizers: library defaults on a 2-hidden-layer MLP.

Teacher-network 10-class data (1000 / 1000), MLP 20-64-64-10 (relu, He init), crossentropy from
logits, batch 32, 8 epochs, every optimizer at its library default hyperparameters.

Main table (Keras defaults): plain SGD (lr 1e-2) vs SGD with momentum 0.9 (the NNA504 fix).
Comparisons: momentum, Adam (lr 1e-3) and RMSprop (lr 1e-3, rho 0.9) at Keras defaults, which
the claim calls close without ranking them; and SGD, momentum and Adam at PyTorch defaults,
where SGD's default lr is 1e-3, a tenth of Keras' 1e-2.

NNA502 (decay rates outside [0, 1), epsilon <= 0), trained where a framework accepts the value
(checked against PyTorch 2.x: ``torch.optim.SGD`` rejects only negative momentum, ``Adam``
rejects betas outside [0, 1) and negative eps but accepts eps = 0; Keras' SGD accepts momentum
up to 1): SGD momentum 1.0 and 1.2 at lr 1e-2, and Adam with eps = 0 (PyTorch's update form).
A run whose loss becomes non-finite stops (``diverged``); its non-finite scores count as wrong
predictions. The probe runs the betas on a copy of the same model for a few steps: beta_2 = 1
under Keras' update form (step factor sqrt(1 - beta_2^t) = 0, so nothing moves) and beta_1 = 1
(the bias correction 1 - beta_1^t is 0 and the reference's step divides by it), and counts the
weights whose first gradient is exactly zero, which eps = 0 turns into 0 / 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnadvisor.reference import get_loss, make_optimizer, mlp, teacher_classification
from nnadvisor.reference.optimizers import Convention

from ._common import DATA, INIT, SHUFFLE, accuracy, fit, fmt, mean, predict, stream
from ._runner import Config, Group, Measured, Plan, Run, RunFn

EPOCHS = 8
PROBE_STEPS = 20


def _model(seed: int) -> Any:
    return mlp([20, 64, 64, 10], "relu", "linear", stream(seed, INIT), kernel_init="he_uniform")


def _run(name: str, convention: Convention, **hyper: float) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=10)
        model = _model(seed)
        h = fit(
            model,
            get_loss("categorical_crossentropy_from_logits"),
            make_optimizer(name, convention, **hyper),
            d.x_train,
            d.y_train,
            epochs=EPOCHS,
            seed=seed,
        )
        return Run(
            accuracy(predict(model, d.x_test), d.y_test),
            h.loss,
            {"diverged": float(h.diverged), "steps": float(h.steps)},
        )

    return fn


def _probe_betas(seed: int) -> dict[str, Any]:
    """A few full steps with beta_2 = 1 (Keras form) and beta_1 = 1, and the zero gradients."""
    d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=10)
    loss = get_loss("categorical_crossentropy_from_logits")
    batch = stream(seed, SHUFFLE).permutation(d.x_train.shape[0])[:32]
    model = _model(seed)
    model.loss_and_grads(d.x_train[batch], d.y_train[batch], loss)
    zero_grads = int(sum(int(np.sum(g == 0.0)) for g in model.grads))
    start = [w.copy() for w in model.params]
    opt = make_optimizer("adam", "keras", beta2=1.0)
    for _ in range(PROBE_STEPS):
        model.loss_and_grads(d.x_train[batch], d.y_train[batch], loss)
        opt.step(model.params, model.grads)
    moved = max(float(np.max(np.abs(w - w0))) for w, w0 in zip(model.params, start))
    model = _model(seed)
    model.loss_and_grads(d.x_train[batch], d.y_train[batch], loss)
    try:
        make_optimizer("adam", "keras", beta1=1.0).step(model.params, model.grads)
        beta1 = "no error"
    except Exception as exc:  # the point is to record what is raised
        beta1 = f"{type(exc).__name__}: {exc}"
    return {"zero_gradient_weights": zero_grads, "beta2_1_max_change": moved, "beta1_1": beta1}


def plan() -> Plan:
    sgd = Config("SGD (Keras default, lr 1e-2)", _run("sgd", "keras"))
    momentum = Config("SGD momentum 0.9 (lr 1e-2)", _run("sgd", "keras", momentum=0.9), True)
    adam = Config("Adam (Keras default)", _run("adam", "keras"))
    rmsprop = Config("RMSprop (Keras default)", _run("rmsprop", "keras"))
    t_sgd = Config("SGD (PyTorch default, lr 1e-3)", _run("sgd", "torch"))
    t_mom = Config("SGD momentum 0.9 (lr 1e-3)", _run("sgd", "torch", momentum=0.9))
    t_adam = Config("Adam (PyTorch default)", _run("adam", "torch"))
    mom1 = Config("SGD momentum 1.0 (lr 1e-2)", _run("sgd", "keras", momentum=1.0))
    mom12 = Config("SGD momentum 1.2 (lr 1e-2)", _run("sgd", "keras", momentum=1.2))
    eps0 = Config("Adam eps 0 (PyTorch form)", _run("adam", "torch", eps=0.0))

    def probe(seeds: Sequence[int], m: Measured) -> tuple[dict[str, Any], list[str]]:
        betas = [_probe_betas(s) for s in seeds]
        diverged = {c.label: sum(m.detail(c, "diverged")) for c in (mom1, mom12, eps0)}
        first = [r.curve[:3] for r in m.runs(mom12)]
        rising = sum(1 for r in m.runs(mom1) if r.curve[-1] > min(r.curve))
        steps = m.detail(eps0, "steps")
        n = len(seeds)
        notes = [
            "at Keras' SGD lr 1e-2 momentum 0.9 is ahead of Adam and RMSprop at their defaults "
            f"({fmt(mean(m.values(momentum)))} vs {fmt(mean(m.values(adam)))} and "
            f"{fmt(mean(m.values(rmsprop)))}); at PyTorch's SGD default lr 1e-3 it lags Adam "
            f"({fmt(mean(m.values(t_mom)))} vs {fmt(mean(m.values(t_adam)))})",
            f"NNA502: momentum 1.0 never forgets a gradient: its training loss rose again after "
            f"its minimum on {rising}/{n} seeds (test accuracy {fmt(mean(m.values(mom1)))} vs "
            f"{fmt(mean(m.values(momentum)))} at 0.9); momentum 1.2 grows the velocity "
            f"geometrically (training loss of the first epochs, seed {seeds[0]}: "
            + ", ".join(fmt(v) for v in first[0])
            + f"; diverged to a non-finite loss on {int(diverged[mom12.label])}/{n} seeds, test "
            f"accuracy {fmt(mean(m.values(mom12)))})",
            f"NNA502: Adam with eps 0 stopped with a non-finite loss on "
            f"{int(diverged[eps0.label])}/{n} seeds after {fmt(max(steps))} step(s): "
            f"{min(b['zero_gradient_weights'] for b in betas)}-"
            f"{max(b['zero_gradient_weights'] for b in betas)} weights per seed have an exactly "
            "zero first gradient (the weights and biases of relu units inactive on the whole "
            "first batch), and m / (sqrt(v) + 0) is then 0 / 0, not a number",
            f"NNA502: beta_2 = 1 under Keras' update form moves no weight in {PROBE_STEPS} steps "
            f"(largest change {fmt(max(b['beta2_1_max_change'] for b in betas))}); beta_1 = 1: "
            f"{betas[0]['beta1_1']} (1 - beta_1^t = 0); PyTorch rejects both with ValueError",
        ]
        extra = {
            "invalid_parameters": {
                "diverged_runs": diverged,
                "momentum_1_loss_rose_again": rising,
                "zero_first_gradient_weights": [b["zero_gradient_weights"] for b in betas],
                "beta2_1_keras_max_weight_change": [b["beta2_1_max_change"] for b in betas],
                "beta1_1": betas[0]["beta1_1"],
            }
        }
        return extra, notes

    return Plan(
        configs=[sgd, momentum],
        comparisons=[
            Group(
                "momentum, Adam, RMSprop at Keras defaults (no ranking claimed)",
                [momentum, adam, rmsprop],
                ranked=False,
            ),
            Group(
                "the same optimizers at PyTorch defaults (no ranking claimed)",
                [t_sgd, t_mom, t_adam],
                ranked=False,
            ),
            Group(
                "optimizer parameters outside their domain (NNA502)",
                [momentum, mom1, mom12, eps0],
            ),
        ],
        probe=probe,
        curve_label="training loss (crossentropy) per epoch",
        curves_comparable=True,
        seed_counts=("diverged",),
    )
