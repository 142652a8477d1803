"""Build real Keras models and save the Keras reader's fixtures (run by hand, not by the tests).

    KERAS_BACKEND=jax python tools/make_keras_fixtures.py [OUTPUT_DIR]

Needs Keras 3 with a backend (``pip install keras jax jaxlib`` gives a CPU one; any backend
works: only the model configs are saved, never trained). Writes, under
``tests/fixtures/keras/`` by default:

- ``<name>.json``: ``model.to_json(indent=2)`` (one key per line, so findings have distinct lines);
- ``compact_<name>.json`` for a few: ``model.to_json()`` as Keras writes it (one line; findings
  differ by column);
- ``<name>.keras``: ``model.save(...)`` archives (a zip with ``config.json``, ``metadata.json`` and
  ``model.weights.h5``).

The committed fixtures were produced by this script with Keras 3.15.1 (JAX 0.10.2 backend). The
tests never import Keras; they read what this script wrote. Legacy tf.keras / Keras 2 fixtures
(``legacy_*.json``) are hand-written from the documented Keras 2 format and are not produced here.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
from keras import layers  # noqa: E402

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "keras"


def mlp(out_units: int, out_activation: str | None = None, hidden: int = 32, inputs: int = 20) -> keras.Sequential:
    stack: list[Any] = [keras.Input((inputs,)), layers.Dense(hidden, activation="relu")]
    stack.append(layers.Dense(out_units, activation=out_activation))
    return keras.Sequential(stack)


def double_softmax() -> keras.Model:
    """Mistake: softmax output into a loss that applies its own softmax (from_logits=True)."""
    m = mlp(10, "softmax")
    m.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer=keras.optimizers.Adam(1e-3))
    return m


def double_softmax_layers() -> keras.Model:
    """Mistake (functional, Activation layer): Dense logits -> Activation('softmax') -> from_logits=True."""
    inp = keras.Input((20,), name="features")
    h = layers.Dense(64, name="hidden")(inp)
    h = layers.LeakyReLU(negative_slope=0.1, name="leaky")(h)
    h = layers.Dropout(0.2, name="drop")(h)
    logits = layers.Dense(5, name="logits")(h)
    probs = layers.Activation("softmax", name="probs")(logits)
    m = keras.Model(inp, probs)
    m.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True), optimizer=keras.optimizers.RMSprop(learning_rate=1e-3))
    return m


def double_sigmoid() -> keras.Model:
    """Mistake: sigmoid output into BinaryCrossentropy(from_logits=True) (Keras's BCEWithLogitsLoss)."""
    m = mlp(1, "sigmoid")
    m.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True), optimizer="adam")
    return m


def logits_bce() -> keras.Model:
    """Mistake: a linear output (logits) into binary_crossentropy, which expects probabilities."""
    m = mlp(1)
    m.compile(loss="binary_crossentropy", optimizer="adam")
    return m


def from_logits_false() -> keras.Model:
    """Mistake: logits into CategoricalCrossentropy() (from_logits defaults to False)."""
    m = mlp(10)
    m.compile(loss=keras.losses.CategoricalCrossentropy(), optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9))
    return m


def single_unit_softmax() -> keras.Model:
    """Mistake: softmax over one unit (always 1.0)."""
    m = mlp(1, "softmax")
    m.compile(loss="binary_crossentropy", optimizer="adam")
    return m


def softmax_mse() -> keras.Model:
    """Mistake: softmax output trained with mean squared error."""
    m = mlp(3, "softmax")
    m.compile(loss="mse", optimizer="adam")
    return m


def softmax_layer_mse() -> keras.Model:
    """Mistake: a Softmax layer object (not an activation string) trained with mse."""
    m = keras.Sequential([keras.Input((20,)), layers.Dense(32), layers.ReLU(), layers.Dense(3), layers.Softmax()])
    m.compile(loss=keras.losses.MeanSquaredError(), optimizer="adam")
    return m


def lstm_relu_no_clip() -> keras.Model:
    """Mistakes: relu as the LSTM cell activation, and no gradient clipping."""
    m = keras.Sequential([keras.Input((30, 8)), layers.LSTM(32, activation="relu"), layers.Dense(1)])
    m.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-3))
    return m


def good_multiclass() -> keras.Model:
    m = mlp(10, "softmax")
    m.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-3))
    return m


def good_logits() -> keras.Model:
    m = mlp(10)
    m.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer=keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=1e-4))
    return m


def good_binary() -> keras.Model:
    m = mlp(1, "sigmoid")
    m.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(learning_rate=3e-4))
    return m


def good_lstm_clipped() -> keras.Model:
    m = keras.Sequential([keras.Input((30, 8)), layers.LSTM(32), layers.Dense(4, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0))
    return m


def good_conv() -> keras.Model:
    m = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    m.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return m


def uncompiled() -> keras.Model:
    return mlp(10, "softmax")


def multi_output() -> keras.Model:
    """Three heads, each with its own loss; only ``flag`` is wrong (sigmoid into from_logits=True)."""
    inp = keras.Input((16,), name="x")
    h = layers.Dense(32, activation="relu", name="trunk")(inp)
    cls = layers.Dense(5, activation="softmax", name="cls")(h)
    reg = layers.Dense(1, name="reg")(h)
    flag = layers.Dense(1, activation="sigmoid", name="flag")(h)
    m = keras.Model(inp, {"cls": cls, "reg": reg, "flag": flag})
    m.compile(
        loss={"cls": "sparse_categorical_crossentropy", "reg": keras.losses.Huber(), "flag": keras.losses.BinaryCrossentropy(from_logits=True)},
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    )
    return m


def branches() -> keras.Model:
    """Two branches concatenated before the head (the graph is traced, not the layers list)."""
    inp = keras.Input((16,), name="x")
    a = layers.Dense(16, activation="relu", name="a1")(inp)
    a = layers.Dense(16, activation="relu", name="a2")(a)
    b = layers.Dense(8, activation="tanh", name="b1")(inp)
    merged = layers.Concatenate(name="merge")([a, b])
    out = layers.Dense(3, activation="softmax", name="out")(merged)
    m = keras.Model(inp, out)
    m.compile(loss="mse", optimizer="adam")
    return m


MODELS: dict[str, Callable[[], keras.Model]] = {
    "double_softmax": double_softmax,
    "double_softmax_layers": double_softmax_layers,
    "double_sigmoid": double_sigmoid,
    "logits_bce": logits_bce,
    "from_logits_false": from_logits_false,
    "single_unit_softmax": single_unit_softmax,
    "softmax_mse": softmax_mse,
    "softmax_layer_mse": softmax_layer_mse,
    "lstm_relu_no_clip": lstm_relu_no_clip,
    "good_multiclass": good_multiclass,
    "good_logits": good_logits,
    "good_binary": good_binary,
    "good_lstm_clipped": good_lstm_clipped,
    "good_conv": good_conv,
    "uncompiled": uncompiled,
    "multi_output": multi_output,
    "branches": branches,
}
COMPACT = ("double_softmax", "good_multiclass", "multi_output")
ARCHIVES = ("double_softmax", "good_multiclass", "multi_output", "uncompiled")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in MODELS.items():
        model = build()
        (OUT / f"{name}.json").write_text(model.to_json(indent=2) + "\n")
        if name in COMPACT:
            (OUT / f"compact_{name}.json").write_text(model.to_json())
        if name in ARCHIVES:
            model.save(OUT / f"{name}.keras")
    # The same functional model with its layers list reversed: the reader must trace the graph
    # from output_layers instead of trusting the order of the list.
    data = json.loads((OUT / "double_softmax_layers.json").read_text())
    data["config"]["layers"].reverse()
    (OUT / "shuffled_double_softmax_layers.json").write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {len(MODELS)} models to {OUT} with Keras {keras.__version__} ({keras.backend.backend()} backend)")


if __name__ == "__main__":
    main()
