"""The Keras-source reader on focused scripts: each construct read, and what stays unknown."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from nnadvisor import readers
from nnadvisor.findings import Finding
from nnadvisor.rulebase import RuleBase
from tests.readers.conftest import check_text, codes


def check(body: str, rulebase: RuleBase) -> list[Finding]:
    return check_text(textwrap.dedent(body), rulebase, "python", "train.py")


def configs(body: str, rulebase: RuleBase) -> list[dict[str, Any]]:
    results = readers.read(textwrap.dedent(body).encode(), "python", rulebase, "train.py")
    assert all(r.config is not None for r in results), [r.problems for r in results]
    return [r.config.model_dump(exclude_none=True) for r in results if r.config is not None]


def at(findings: list[Finding], code: str) -> int:
    return next(f.line for f in findings if f.rule_id == code)


def notes(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.rule_id == "NNA002"]


def test_sequential_list_with_string_activations(rulebase: RuleBase) -> None:
    body = """
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(64, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="mse")
    """
    (cfg,) = configs(body, rulebase)
    assert [(layer["type"], layer.get("units"), layer.get("activation")) for layer in cfg["layers"]] == [("dense", 64, "relu"), ("dense", 3, "softmax")]
    assert cfg["loss"] == "mse" and cfg["optimizer"] == "adam" and cfg["framework"] == "keras"
    assert "NNA101" in codes(check(body, rulebase))


def test_keras1_add_activation_layers_and_old_spellings(rulebase: RuleBase) -> None:
    body = """
    from keras.models import Sequential
    from keras.layers.core import Dense, Activation
    from keras.layers.convolutional import Convolution2D
    from keras.optimizers import SGD

    model = Sequential()
    model.add(Convolution2D(32, 3, 3, border_mode="same", input_shape=(1, 28, 28)))
    model.add(Activation("relu"))
    model.add(Dense(output_dim=1, init="uniform"))
    model.add(Activation("softmax"))
    sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss="binary_crossentropy", optimizer=sgd)
    """
    (cfg,) = configs(body, rulebase)
    assert [(layer["type"], layer.get("units")) for layer in cfg["layers"]] == [("conv", 32), ("activation", None), ("dense", 1), ("activation", None)]
    assert cfg["optimizer"] == {"name": "SGD", "learning_rate": 0.01, "momentum": 0.9, "nesterov": True}
    findings = check(body, rulebase)
    assert at(findings, "NNA201") == 11  # the Activation('softmax') line


def test_layers_added_in_a_literal_loop_are_unrolled(rulebase: RuleBase) -> None:
    body = """
    from tensorflow import keras

    model = keras.Sequential()
    for width in [64, 32]:
        model.add(keras.layers.Dense(width, activation="relu"))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile("adam", "binary_crossentropy")
    """
    (cfg,) = configs(body, rulebase)
    assert [layer.get("units") for layer in cfg["layers"]] == [64, 32, 1]
    assert cfg["loss"] == "binary_crossentropy" and cfg["optimizer"] == "adam"  # positional compile


def test_functional_heads_each_with_their_loss(rulebase: RuleBase) -> None:
    body = """
    import keras
    from keras import layers

    inputs = keras.Input(shape=(64,))
    x = layers.Dense(128, activation="relu")(inputs)
    kind = layers.Dense(4, activation="softmax", name="kind")(x)
    price = layers.Dense(1, name="price")(x)
    model = keras.Model(inputs=inputs, outputs=[kind, price])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss={"kind": "mse", "price": keras.losses.Huber(delta=2.0)})
    """
    cfgs = configs(body, rulebase)
    assert [c["loss"] for c in cfgs] == ["mse", {"name": "Huber", "delta": 2.0}]
    assert cfgs[0]["optimizer"] == {"name": "Adam", "learning_rate": 0.001}
    findings = check(body, rulebase)
    assert {f.rule_id for f in findings if f.severity == "error"} == {"NNA101"}
    assert all("[head kind]" in f.message for f in findings if f.rule_id == "NNA101")


def test_subclassed_model_reads_call(rulebase: RuleBase) -> None:
    body = """
    import keras
    from keras import layers

    class Net(keras.Model):
        def __init__(self, classes=10):
            super().__init__()
            self.hidden = layers.Dense(32, activation="relu")
            self.out = layers.Dense(classes)
            self.unused = layers.Softmax()

        def call(self, x):
            return keras.activations.softmax(self.out(self.hidden(x)))

    model = Net(classes=5)
    model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    """
    (cfg,) = configs(body, rulebase)
    assert [(layer["type"], layer.get("units")) for layer in cfg["layers"]] == [("dense", 32), ("dense", 5), ("activation", None)]
    assert "NNA103" in codes(check(body, rulebase))


def test_factory_compile_and_defaults(rulebase: RuleBase) -> None:
    body = """
    import keras
    from keras import layers

    def build_model(hidden=64, classes=1):
        model = keras.Sequential([layers.Dense(hidden, activation="relu"), layers.Dense(classes)])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    model = build_model()
    model.fit(x, y)
    """
    (cfg,) = configs(body, rulebase)
    assert [layer.get("units") for layer in cfg["layers"]] == [64, 1]
    assert "NNA102" in codes(check(body, rulebase))


def test_tf1_graph_from_its_loss(rulebase: RuleBase) -> None:
    body = """
    import tensorflow as tf

    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    W = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    h = tf.layers.dense(x, 64, activation=tf.nn.relu)
    pred = tf.nn.softmax(tf.matmul(x, W) + b)
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=pred))
    train = tf.train.AdamOptimizer(1e-3).minimize(cost)
    """
    (cfg,) = configs(body, rulebase)
    assert [(layer["type"], layer.get("units")) for layer in cfg["layers"]] == [("dense", 10), ("activation", None)]
    assert cfg["loss"] == {"name": "CategoricalCrossentropy", "from_logits": True}
    assert cfg["optimizer"] == {"name": "Adam", "learning_rate": 0.001}
    findings = check(body, rulebase)
    assert at(findings, "NNA103") == 9


def test_handwritten_cross_entropy_reads_probabilities(rulebase: RuleBase) -> None:
    body = """
    import tensorflow as tf

    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.float32, [None, 10])
    logits = tf.layers.dense(x, 10)
    cross_entropy = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(logits), axis=[1]))
    """
    assert "NNA102" in codes(check(body, rulebase))  # a linear output into a probability loss


def test_labels_from_the_code(rulebase: RuleBase) -> None:
    base = """
    from tensorflow import keras
    from tensorflow.keras.utils import to_categorical

    (x_train, y_train), _ = keras.datasets.mnist.load_data()
    {extra}
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="{loss}")
    """
    integer = check(base.format(extra="", loss="categorical_crossentropy"), rulebase)
    assert "NNA301" in codes(integer) and any("mnist.load_data()" in m for m in notes(integer))
    encoded = check(base.format(extra="y_train = to_categorical(y_train, 10)", loss="categorical_crossentropy"), rulebase)
    assert codes(encoded) == set() and any("to_categorical" in m for m in notes(encoded))
    sparse = check(base.format(extra="y_train = to_categorical(y_train, 10)", loss="sparse_categorical_crossentropy"), rulebase)
    assert "NNA302" in codes(sparse)


def test_a_training_loop_loss_pairs_with_the_model_it_reads(rulebase: RuleBase) -> None:
    body = """
    import tensorflow as tf
    from tensorflow import keras

    model = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def train_step(x, y):
        with tf.GradientTape() as tape:
            probs = tf.nn.softmax(model(x, training=True))
            loss = loss_fn(y, probs)
        return loss
    """
    assert "NNA103" in codes(check(body, rulebase))


def test_lambda_and_layer_objects_as_activations(rulebase: RuleBase) -> None:
    body = """
    import tensorflow as tf
    from tensorflow import keras
    from tensorflow.keras import layers

    model = keras.Sequential([
        layers.Dense(32, activation=layers.LeakyReLU(0.2)),
        layers.Dense(1),
        layers.Lambda(lambda t: tf.nn.sigmoid(t)),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    opaque = keras.Sequential([layers.Dense(1), layers.Lambda(lambda t: t * 2.0)])
    opaque.compile(optimizer="adam", loss="binary_crossentropy")
    """
    cfgs = configs(body, rulebase)
    assert cfgs[0]["layers"][0]["activation"] == {"name": "leaky_relu", "alpha": 0.2}
    assert cfgs[0]["layers"][-1] == {"type": "activation", "activation": "sigmoid"}
    findings = check(body, rulebase)
    assert "NNA102" not in codes(findings)  # sigmoid by Lambda; the second output is unknown (NNA002)
    assert any("Lambda" in m for m in notes(findings))


def test_recurrent_relu_without_clipping(rulebase: RuleBase) -> None:
    body = """
    from keras.models import Sequential
    from keras.layers import SimpleRNN, Dense, Bidirectional
    from keras.optimizers import Adam

    model = Sequential([Bidirectional(SimpleRNN(32, activation="relu")), Dense(1, activation="sigmoid")])
    model.compile(optimizer=Adam(learning_rate=1e-3), loss="binary_crossentropy")
    clipped = Sequential([SimpleRNN(32), Dense(1, activation="sigmoid")])
    clipped.compile(optimizer=Adam(1e-3, clipnorm=1.0), loss="binary_crossentropy")
    """
    found = {(f.rule_id, f.line) for f in check(body, rulebase) if f.severity != "info"}
    assert ("NNA404", 6) in found and ("NNA503", 7) in found
    assert not any(line == 9 for _, line in found)


@pytest.mark.parametrize("fmt", ["python", "keras"])
def test_detection_and_forced_format(fmt: str, rulebase: RuleBase) -> None:
    body = b"import keras\nmodel = keras.Sequential([keras.layers.Dense(1, activation='softmax')])\nmodel.compile('adam', 'binary_crossentropy')\n"
    assert readers.detect("train.py", body) == "python"
    assert readers.python_frameworks(body) == ["keras-source"]
    assert readers.python_frameworks(b"import torch\nimport tensorflow as tf\n") == ["pytorch", "keras-source"]
    assert "NNA201" in codes(check_text(body.decode(), rulebase, fmt, "train.py"))


def test_nothing_found_is_said(rulebase: RuleBase) -> None:
    findings = check("import tensorflow as tf\nprint(tf.__version__)\n", rulebase)
    assert codes(findings) == set()
    assert any("nothing was checked" in m for m in notes(findings))


def test_model_loss_assigned_after_compile(rulebase: RuleBase) -> None:
    body = """
    import keras

    model = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam")
    model.loss = "mse"
    """
    findings = check(body, rulebase)
    assert at(findings, "NNA101") == 6
    assert not any("without a loss" in m for m in notes(findings))
