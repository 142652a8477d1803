"""Trainer: determinism, learning, history contents, clipping and divergence."""

from __future__ import annotations

import numpy as np

from nnadvisor.reference import data as D
from nnadvisor.reference import losses as L
from nnadvisor.reference import metrics as M
from nnadvisor.reference.clipping import Clip
from nnadvisor.reference.layers import Dense, SimpleRNN
from nnadvisor.reference.model import Sequential, mlp
from nnadvisor.reference.optimizers import SGD, Adam
from nnadvisor.reference.train import History, train


def _blob_run(seed: int, loss: str, output: str, epochs: int = 2) -> History:
    d = D.blobs(600, 300, seed)
    model = mlp([20, 32, 10], "relu", output, np.random.default_rng(seed))
    return train(
        model, L.LOSSES[loss], SGD(lr=0.1), d.x_train, d.y_train,
        epochs=epochs, batch_size=32, rng=seed, metric=M.accuracy,
        x_test=d.x_test, y_test=d.y_test,
    )


def test_training_is_deterministic_bit_for_bit() -> None:
    a = _blob_run(3, "categorical_crossentropy_from_logits", "linear")
    b = _blob_run(3, "categorical_crossentropy_from_logits", "linear")
    assert a == b
    c = _blob_run(4, "categorical_crossentropy_from_logits", "linear")
    assert a.loss != c.loss


def test_history_shapes_and_learning() -> None:
    h = _blob_run(0, "categorical_crossentropy_from_logits", "linear", epochs=3)
    assert len(h.loss) == len(h.metric) == len(h.grad_norms) == len(h.clipped_steps) == 3
    assert all(len(g) == 2 for g in h.grad_norms)
    assert h.steps == 3 * 19  # ceil(600 / 32) per epoch
    assert h.metric_at_start is not None and h.metric_at_start < 0.5
    assert h.metric[-1] > 0.95
    assert h.loss[-1] < h.loss[0]
    assert not h.diverged


def test_probability_clip_can_stall_softmax_crossentropy_where_fused_learns() -> None:
    # Same seed, same weights, same batches: only the loss path differs. Examples whose true
    # class probability falls below 1e-7 get exactly zero gradient through the Keras-style clip.
    clipped = _blob_run(0, "categorical_crossentropy", "softmax", epochs=3)
    fused = _blob_run(0, "categorical_crossentropy_from_logits", "linear", epochs=3)
    assert fused.metric[-1] == 1.0
    assert clipped.metric[-1] < 0.9
    assert clipped.loss[-1] > 1.0  # stuck: the clipped examples contribute -log(1e-7) each


def test_softmax_mse_lags_crossentropy_under_sgd() -> None:
    # the spec's headline: after one epoch of SGD, crossentropy is far ahead of softmax + mse
    ce = [_blob_run(s, "categorical_crossentropy", "softmax", epochs=1).metric[-1] for s in range(3)]
    se = [_blob_run(s, "mse", "softmax", epochs=1).metric[-1] for s in range(3)]
    assert min(ce) > max(se)


def test_clipping_counts_and_bounds_the_step() -> None:
    d = D.adding_problem(64, 16, 0, length=8)
    rng = np.random.default_rng(0)
    model = Sequential([SimpleRNN(2, 8, rng), Dense(8, 1, rng)])
    model.params[1][...] *= 3.0  # scale the recurrent matrix up: exploding regime
    start = model.get_weights()
    h = train(model, L.LOSSES["mse"], SGD(lr=0.01), d.x_train, d.y_train, epochs=1,
              batch_size=64, clip=Clip("global_norm", 1e-3))
    assert h.clipped_steps == [1]
    moved = np.sqrt(sum(float(np.sum((p - s) ** 2)) for p, s in zip(model.params, start)))
    assert moved <= 0.01 * 1e-3 * (1 + 1e-9)


def test_divergence_stops_training() -> None:
    x = np.ones((4, 1))
    y = np.ones((4, 1))
    model = mlp([1, 1], "relu", "linear", np.random.default_rng(0))
    h = train(model, L.LOSSES["mse"], SGD(lr=1e3), x, y, epochs=200, batch_size=4)
    assert h.diverged and len(h.loss) < 200


def test_metrics() -> None:
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert M.accuracy(scores, np.array([[0, 1], [1, 0], [1, 0]], dtype=float)) == 2 / 3
    assert M.accuracy(scores, np.array([1.0, 0.0, 0.0])) == 2 / 3
    p = np.array([[0.9, 0.2], [0.4, 0.6]])
    y = np.array([[1.0, 0.0], [1.0, 1.0]])
    assert M.binary_accuracy(p, y) == 0.75
    assert M.exact_match(p, y) == 0.5
    assert M.logit_binary_accuracy(np.array([-1.0, 2.0]), np.array([0.0, 1.0])) == 1.0
    assert M.log_loss(np.array([0.5]), np.array([1.0])) == np.log(2.0)
    assert M.METRICS["mse"] == (M.mse, False)


def test_adam_solves_the_adding_problem_better_than_the_constant_baseline() -> None:
    d = D.adding_problem(800, 200, 1, length=10)
    rng = np.random.default_rng(1)
    model = Sequential([SimpleRNN(2, 16, rng), Dense(16, 1, rng)])
    h = train(model, L.LOSSES["mse"], Adam(lr=1e-2), d.x_train, d.y_train, epochs=15,
              batch_size=32, rng=1, metric=M.mse, x_test=d.x_test, y_test=d.y_test)
    assert h.metric[-1] < 0.05  # the constant predictor scores 1/6
