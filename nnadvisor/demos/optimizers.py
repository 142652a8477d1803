"""optimizers: library defaults on a 2-hidden-layer MLP.

Teacher-network 10-class data (1000 / 1000), MLP 20-64-64-10 (relu, He init), crossentropy from
logits, batch 32, 8 epochs, every optimizer at its library default hyperparameters.

Main table (Keras defaults): plain SGD (lr 1e-2) vs SGD with momentum 0.9 (the NNA504 fix).
Comparisons: momentum, Adam (lr 1e-3) and RMSprop (lr 1e-3, rho 0.9) at Keras defaults, which
the claim calls close without ranking them; and SGD, momentum and Adam at PyTorch defaults,
where SGD's default lr is 1e-3, a tenth of Keras' 1e-2.
"""

from __future__ import annotations

from nnadvisor.reference import get_loss, make_optimizer, mlp, teacher_classification
from nnadvisor.reference.optimizers import Convention

from ._common import DATA, INIT, accuracy, fit, predict, stream
from ._runner import Config, Group, Plan, Run, RunFn

EPOCHS = 8


def _run(name: str, convention: Convention, **hyper: float) -> RunFn:
    def fn(seed: int) -> Run:
        d = teacher_classification(1000, 1000, stream(seed, DATA), "multiclass", n_outputs=10)
        model = mlp(
            [20, 64, 64, 10], "relu", "linear", stream(seed, INIT), kernel_init="he_uniform"
        )
        h = fit(
            model,
            get_loss("categorical_crossentropy_from_logits"),
            make_optimizer(name, convention, **hyper),
            d.x_train,
            d.y_train,
            epochs=EPOCHS,
            seed=seed,
        )
        return Run(accuracy(predict(model, d.x_test), d.y_test), h.loss)

    return fn


def plan() -> Plan:
    sgd = Config("SGD (Keras default, lr 1e-2)", _run("sgd", "keras"))
    momentum = Config("SGD momentum 0.9 (lr 1e-2)", _run("sgd", "keras", momentum=0.9), True)
    adam = Config("Adam (Keras default)", _run("adam", "keras"))
    rmsprop = Config("RMSprop (Keras default)", _run("rmsprop", "keras"))
    t_sgd = Config("SGD (PyTorch default, lr 1e-3)", _run("sgd", "torch"))
    t_mom = Config("SGD momentum 0.9 (lr 1e-3)", _run("sgd", "torch", momentum=0.9))
    t_adam = Config("Adam (PyTorch default)", _run("adam", "torch"))
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
        ],
        curve_label="training loss (crossentropy) per epoch",
        curves_comparable=True,
    )
