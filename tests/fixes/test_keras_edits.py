"""Fixes written into Keras 3, tf.keras and Keras 1/2 programs: each program seeds one mistake; its
fix must give the expected source (every other line, comment included, byte-identical), re-check
clean of the rule with no new error or warning, and offer nothing more for the rule. The last
tests are programs whose fix must not be written (``None``)."""

from __future__ import annotations

import pytest

from nnadvisor.rulebase import RuleBase
from tests.fixes.test_python_edits import assert_fix, assert_no_fix, synthetic

# --- a layer's activation argument --------------------------------------------------------------

SEQUENTIAL = """import keras
from keras import layers

# Fashion-MNIST, integer labels, logits into the loss.
model = keras.Sequential(
    [
        keras.Input(shape=(28, 28)),
        layers.Flatten(),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),  # the classes
    ]
)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
"""


def test_a_softmax_keyword_before_a_from_logits_loss_is_removed(rulebase: RuleBase) -> None:
    assert_fix(SEQUENTIAL, rulebase, "NNA103", SEQUENTIAL.replace('layers.Dense(10, activation="softmax"),', "layers.Dense(10),"))


def test_a_softmax_layer_ending_the_list_is_removed_with_its_line(rulebase: RuleBase) -> None:
    text = SEQUENTIAL.replace('        layers.Dense(10, activation="softmax"),  # the classes\n', "        layers.Dense(10),\n        layers.Softmax(),  # the classes\n")
    assert_fix(text, rulebase, "NNA103", text.replace("        layers.Softmax(),  # the classes\n", ""))


def test_an_activation_layer_ending_an_inline_list_is_removed(rulebase: RuleBase) -> None:
    text = SEQUENTIAL.replace('        layers.Dense(10, activation="softmax"),  # the classes\n', '        layers.Dense(10), layers.Activation("softmax"),\n')
    assert_fix(text, rulebase, "NNA103", text.replace(' layers.Activation("softmax"),', ""))


def test_a_functional_activation_object_is_removed(rulebase: RuleBase) -> None:
    text = """import tensorflow as tf

N_GESTURES = 6
inputs = tf.keras.Input(shape=(64,))
x = tf.keras.layers.Dense(128, activation=tf.nn.relu)(inputs)
outputs = tf.keras.layers.Dense(N_GESTURES, activation=tf.nn.softmax)(x)
model = tf.keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
"""
    assert_fix(text, rulebase, "NNA103", text.replace("Dense(N_GESTURES, activation=tf.nn.softmax)", "Dense(N_GESTURES)"))


SIGMOID_FIVE = """from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(12,)),
    layers.Dense(32, activation='relu'),
    layers.Dense(5, activation='sigmoid'),
])
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
"""


def test_an_activation_string_is_replaced_in_its_quotes(rulebase: RuleBase) -> None:
    assert_fix(SIGMOID_FIVE, rulebase, "NNA106", SIGMOID_FIVE.replace("layers.Dense(5, activation='sigmoid')", "layers.Dense(5, activation='softmax')"))


SPAM = """import numpy as np
from keras.models import Sequential
from keras.layers import Dense

model = Sequential()
model.add(Dense(32, input_dim=57, activation="relu"))
model.add(Dense(1, "softmax"))  # spam or not
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
"""


def test_a_positional_activation_is_replaced(rulebase: RuleBase) -> None:
    assert_fix(SPAM, rulebase, "NNA201", SPAM.replace('Dense(1, "softmax")', 'Dense(1, "sigmoid")'))


def test_an_activation_is_given_to_a_bare_output_layer(rulebase: RuleBase) -> None:
    text = SPAM.replace('model.add(Dense(1, "softmax"))', "model.add(Dense(1))")
    assert_fix(text, rulebase, "NNA102", text.replace("model.add(Dense(1))", 'model.add(Dense(1, activation="sigmoid"))'))


def test_a_hidden_layer_without_activation_gets_relu(rulebase: RuleBase) -> None:
    text = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(16,)),
    layers.Dense(64),
    layers.Dense(64, activation="relu"),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
"""
    assert_fix(text, rulebase, "NNA403", text.replace("    layers.Dense(64),\n", '    layers.Dense(64, activation="relu"),\n'))


def test_a_recurrent_cell_activation(rulebase: RuleBase) -> None:
    text = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(50, 1)),
    layers.SimpleRNN(64, activation="relu"),
    layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.Adam(clipnorm=1.0), loss="mse")
"""
    assert_fix(text, rulebase, "NNA404", text.replace('SimpleRNN(64, activation="relu")', 'SimpleRNN(64, activation="tanh")'))


ADDED = """from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential()
model.add(layers.Dense(64, activation="relu", input_shape=(20,)))
model.add(layers.Dense(3))
model.add(layers.Activation("softmax"))  # probabilities
model.compile(optimizer="sgd", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
"""


def test_an_added_activation_layer_statement_is_deleted(rulebase: RuleBase) -> None:
    assert_fix(ADDED, rulebase, "NNA103", ADDED.replace('model.add(layers.Activation("softmax"))  # probabilities\n', ""))


def test_a_one_unit_softmax_layer_object_becomes_an_activation_layer(rulebase: RuleBase) -> None:
    text = ADDED.replace("layers.Dense(3)", "layers.Dense(1)").replace('layers.Activation("softmax")', "layers.Softmax()").replace(
        "loss=keras.losses.CategoricalCrossentropy(from_logits=True)", 'loss="binary_crossentropy"'
    )
    assert_fix(text, rulebase, "NNA201", text.replace("layers.Softmax()", 'layers.Activation("sigmoid")'))


FUNCTIONAL = """import tensorflow as tf

inputs = tf.keras.Input(shape=(32,))
x = tf.keras.layers.Dense(64, activation="relu")(inputs)
x = tf.keras.layers.Dense(10)(x)
x = tf.keras.layers.Activation("softmax")(x)
model = tf.keras.Model(inputs, x)
model.compile(optimizer="adam", loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))
"""


def test_a_functional_activation_rebinding_line_is_deleted(rulebase: RuleBase) -> None:
    assert_fix(FUNCTIONAL, rulebase, "NNA103", FUNCTIONAL.replace('x = tf.keras.layers.Activation("softmax")(x)\n', ""))


def test_a_functional_output_bound_to_its_own_name(rulebase: RuleBase) -> None:
    text = FUNCTIONAL.replace('x = tf.keras.layers.Activation("softmax")(x)\nmodel = tf.keras.Model(inputs, x)', 'probs = tf.keras.layers.Activation("softmax")(x)\nmodel = tf.keras.Model(inputs, probs)')
    assert_fix(text, rulebase, "NNA103", text.replace('probs = tf.keras.layers.Activation("softmax")(x)', "probs = x"))


SUBCLASSED = """import keras
from keras import layers


class IntentClassifier(keras.Model):
    def __init__(self, n_intents: int = 7) -> None:
        super().__init__()
        self.encoder = layers.Dense(128, activation="relu")
        self.head = layers.Dense(n_intents)
        self.softmax = layers.Softmax()

    def call(self, inputs):
        return self.softmax(self.head(self.encoder(inputs)))


model = IntentClassifier()
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
"""


def test_a_subclassed_model_loses_its_softmax_where_call_uses_it(rulebase: RuleBase) -> None:
    assert_fix(SUBCLASSED, rulebase, "NNA103", SUBCLASSED.replace("return self.softmax(self.head(self.encoder(inputs)))", "return self.head(self.encoder(inputs))"))


def test_a_subclassed_model_head_keyword(rulebase: RuleBase) -> None:
    text = SUBCLASSED.replace("layers.Dense(n_intents)", 'layers.Dense(n_intents, activation="softmax")').replace(
        "        self.softmax = layers.Softmax()\n", ""
    ).replace("return self.softmax(self.head(self.encoder(inputs)))", "return self.head(self.encoder(inputs))")
    assert_fix(text, rulebase, "NNA103", text.replace('layers.Dense(n_intents, activation="softmax")', "layers.Dense(n_intents)"))


# --- losses -------------------------------------------------------------------------------------

DIGITS = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(64,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])  # one-hot targets
"""


def test_a_string_loss_is_replaced_in_its_quotes(rulebase: RuleBase) -> None:
    assert_fix(DIGITS, rulebase, "NNA101", DIGITS.replace('loss="mse"', 'loss="categorical_crossentropy"'))


def test_a_loss_object_is_replaced(rulebase: RuleBase) -> None:
    text = DIGITS.replace('loss="mse"', "loss=keras.losses.MeanSquaredError(reduction='sum_over_batch_size')")
    assert_fix(text, rulebase, "NNA101", text.replace("keras.losses.MeanSquaredError(", "keras.losses.CategoricalCrossentropy("))


def test_a_loss_function_object_is_replaced(rulebase: RuleBase) -> None:
    text = DIGITS.replace('loss="mse"', "loss=keras.losses.mean_squared_error")
    assert_fix(text, rulebase, "NNA101", text.replace("keras.losses.mean_squared_error", "keras.losses.categorical_crossentropy"))


def test_a_loss_by_position_in_compile(rulebase: RuleBase) -> None:
    text = DIGITS.replace('model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])', 'model.compile("adam", "mse", ["accuracy"])')
    assert_fix(text, rulebase, "NNA101", text.replace('"adam", "mse",', '"adam", "categorical_crossentropy",'))


def test_one_head_of_a_per_output_loss_dict(rulebase: RuleBase) -> None:
    text = """import keras
from keras import layers

inputs = keras.Input(shape=(64,))
h = layers.Dense(64, activation="relu")(inputs)
kind = layers.Dense(4, activation="softmax", name="kind")(h)
price = layers.Dense(1, name="price")(h)
model = keras.Model(inputs=inputs, outputs=[kind, price])
model.compile(optimizer="adam", loss={"kind": "mse", "price": "mse"})
"""
    assert_fix(text, rulebase, "NNA101", text.replace('{"kind": "mse",', '{"kind": "categorical_crossentropy",'))


IMAGES = """import tensorflow as tf

train = tf.keras.utils.image_dataset_from_directory("flowers/", label_mode="categorical", image_size=(64, 64))
model = tf.keras.Sequential([
    tf.keras.Input(shape=(64, 64, 3)),
    tf.keras.layers.Conv2D(16, 3, activation="relu"),
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dense(5),
])
model.compile(
    optimizer="adam",
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
"""


def test_a_loss_class_keeps_from_logits(rulebase: RuleBase) -> None:
    assert_fix(IMAGES, rulebase, "NNA302", IMAGES.replace("SparseCategoricalCrossentropy(from_logits=True)", "CategoricalCrossentropy(from_logits=True)"))


def test_a_label_smoothing_typo(rulebase: RuleBase) -> None:
    text = IMAGES.replace("SparseCategoricalCrossentropy(from_logits=True)", "CategoricalCrossentropy(from_logits=True, label_smoothing=1.0)")
    assert_fix(text, rulebase, "NNA602", text.replace("label_smoothing=1.0", "label_smoothing=0.1"))


def test_keras_1_script_loss_and_activation(rulebase: RuleBase) -> None:
    text = """from keras.models import Sequential
from keras.layers.core import Dense, Activation
from keras.optimizers import SGD

model = Sequential()
model.add(Dense(output_dim=64, input_dim=100, init='uniform'))
model.add(Activation('tanh'))
model.add(Dense(output_dim=10, init='uniform'))
model.add(Activation('softmax'))
sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='mean_squared_error', optimizer=sgd)
"""
    assert_fix(text, rulebase, "NNA101", text.replace("loss='mean_squared_error'", "loss='categorical_crossentropy'"))
    one_unit = text.replace("Dense(output_dim=10, init='uniform')", "Dense(output_dim=1, init='uniform')").replace("'mean_squared_error'", "'binary_crossentropy'")
    assert_fix(one_unit, rulebase, "NNA201", one_unit.replace("model.add(Activation('softmax'))", "model.add(Activation('sigmoid'))"))


def test_a_keras_1_output_dim_layer_gets_an_activation(rulebase: RuleBase) -> None:
    text = """from keras.models import Sequential
from keras.layers import Dense

model = Sequential()
model.add(Dense(output_dim=12, input_dim=8, activation='relu'))
model.add(Dense(output_dim=1))
model.compile(loss='binary_crossentropy', optimizer='adam')
"""
    assert_fix(text, rulebase, "NNA102", text.replace("Dense(output_dim=1)", "Dense(output_dim=1, activation='sigmoid')"))


# --- optimizers ---------------------------------------------------------------------------------

DEEP = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(3, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="categorical_crossentropy")
"""


def test_sgd_gets_momentum(rulebase: RuleBase) -> None:
    assert_fix(DEEP, rulebase, "NNA504", DEEP.replace("SGD(learning_rate=0.01)", "SGD(learning_rate=0.01, momentum=0.9)"))


def test_keras_2_sgd_with_lr_gets_momentum(rulebase: RuleBase) -> None:
    text = DEEP.replace("import keras\nfrom keras import layers\n", "import keras\nfrom keras import layers\nfrom keras.optimizers import SGD\n").replace(
        "keras.optimizers.SGD(learning_rate=0.01)", "SGD(lr=0.01)"
    )
    assert_fix(text, rulebase, "NNA504", text.replace("SGD(lr=0.01)", "SGD(lr=0.01, momentum=0.9)"))


RNN = """import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(None, 8)), layers.LSTM(32), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
"""


def test_a_string_optimizer_becomes_an_object_to_take_clipnorm(rulebase: RuleBase) -> None:
    assert_fix(RNN, rulebase, "NNA503", RNN.replace('optimizer="adam"', "optimizer=keras.optimizers.Adam(clipnorm=1.0)"))


@pytest.mark.parametrize(
    ("imports", "spelt"),
    [
        ("import tensorflow as tf\nfrom tensorflow.keras import layers\n", "tf.keras.optimizers.RMSprop(clipnorm=1.0)"),
        ("from tensorflow.keras import layers, optimizers\n", "optimizers.RMSprop(clipnorm=1.0)"),
        ("from keras import layers\nfrom keras.optimizers import RMSprop\n", "RMSprop(clipnorm=1.0)"),
    ],
)
def test_an_optimizer_object_is_spelt_with_what_the_file_imports(rulebase: RuleBase, imports: str, spelt: str) -> None:
    text = RNN.replace("import keras\nfrom keras import layers\n", imports).replace('optimizer="adam"', 'optimizer="rmsprop"')
    if "tf." in spelt:
        text = text.replace("keras.Sequential", "tf.keras.Sequential").replace("keras.Input", "tf.keras.Input")
    else:
        text = text.replace("keras.Sequential([keras.Input(shape=(None, 8)), ", "Sequential([Input(shape=(None, 8)), ")
        text = text.replace("from ", "from keras import Input, Sequential\nfrom ", 1) if "tensorflow" not in imports else text.replace(
            "from tensorflow.keras import layers, optimizers\n", "from tensorflow.keras import Input, Sequential, layers, optimizers\n"
        )
    assert_fix(text, rulebase, "NNA503", text.replace('optimizer="rmsprop"', f"optimizer={spelt}"))


def test_an_optimizer_object_gets_clipnorm(rulebase: RuleBase) -> None:
    text = RNN.replace('optimizer="adam"', "optimizer=keras.optimizers.RMSprop(learning_rate=1e-3)")
    assert_fix(text, rulebase, "NNA503", text.replace("RMSprop(learning_rate=1e-3)", "RMSprop(learning_rate=1e-3, clipnorm=1.0)"))


# --- what is not fixed --------------------------------------------------------------------------


def test_an_activation_from_a_variable_is_not_edited(rulebase: RuleBase) -> None:
    text = SEQUENTIAL.replace("from keras import layers\n", 'from keras import layers\n\nOUTPUT_ACTIVATION = "softmax"\n').replace(
        'activation="softmax"', "activation=OUTPUT_ACTIVATION"
    )
    assert_no_fix(text, rulebase, "NNA103")


def test_a_loss_from_a_variable_is_not_edited(rulebase: RuleBase) -> None:
    text = DIGITS.replace("import keras\n", 'import keras\n\nLOSS = "mse"\n').replace('loss="mse"', "loss=LOSS")
    assert_no_fix(text, rulebase, "NNA101")


def test_a_loss_from_a_config_dict_is_not_edited(rulebase: RuleBase) -> None:
    text = DIGITS.replace("import keras\n", 'import keras\n\nconfig = {"loss": "mse", "epochs": 3}\n').replace('loss="mse"', 'loss=config["loss"]')
    assert synthetic(text, rulebase, [{"op": "add", "path": "/loss", "value": "categorical_crossentropy"}]) is None


def test_layers_built_in_a_loop_are_not_edited(rulebase: RuleBase) -> None:
    text = """import keras
from keras import layers

model = keras.Sequential()
model.add(keras.Input(shape=(16,)))
for width in [64, 32]:
    model.add(layers.Dense(width))
model.add(layers.Dense(1))
model.compile(optimizer="adam", loss="mse")
"""
    assert_no_fix(text, rulebase, "NNA403")


def test_a_string_optimizer_nothing_imported_can_spell_is_not_edited(rulebase: RuleBase) -> None:
    text = """from keras.layers import Dense, SimpleRNN
from keras.models import Sequential

model = Sequential()
model.add(SimpleRNN(50, input_shape=(30, 1)))
model.add(Dense(1))
model.compile(optimizer='adam', loss='mse')
"""
    assert_no_fix(text, rulebase, "NNA503")


def test_a_loss_object_with_an_argument_the_new_loss_does_not_take_is_not_edited(rulebase: RuleBase) -> None:
    text = IMAGES.replace("SparseCategoricalCrossentropy(from_logits=True)", "SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)")
    assert_no_fix(text, rulebase, "NNA302")


# --- more shapes --------------------------------------------------------------------------------


def test_an_activation_inside_a_time_distributed_wrapper(rulebase: RuleBase) -> None:
    text = """import keras
from keras import layers

tagger = keras.Sequential([
    keras.Input(shape=(20, 8)),
    layers.LSTM(32, return_sequences=True),
    layers.TimeDistributed(layers.Dense(5, activation="softmax")),
])
tagger.compile(optimizer=keras.optimizers.Adam(clipnorm=1.0), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
"""
    assert_fix(text, rulebase, "NNA103", text.replace('layers.Dense(5, activation="softmax")', "layers.Dense(5)"))


def test_a_lambda_softmax_layer_ending_the_list(rulebase: RuleBase) -> None:
    text = """import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([
    keras.Input(shape=(20,)),
    keras.layers.Dense(5),
    keras.layers.Lambda(lambda t: tf.nn.softmax(t)),
])
model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
"""
    assert_fix(text, rulebase, "NNA103", text.replace("    keras.layers.Lambda(lambda t: tf.nn.softmax(t)),\n", ""))


def test_an_activation_function_in_call(rulebase: RuleBase) -> None:
    text = """import tensorflow as tf


class Scorer(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.d1 = tf.keras.layers.Dense(32, activation="relu")
        self.d2 = tf.keras.layers.Dense(4)

    def call(self, x):
        return tf.nn.softmax(self.d2(self.d1(x)), axis=-1)


model = Scorer()
model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
"""
    assert_fix(text, rulebase, "NNA103", text.replace("return tf.nn.softmax(self.d2(self.d1(x)), axis=-1)", "return self.d2(self.d1(x))"))


def test_a_functional_activation_function_is_renamed(rulebase: RuleBase) -> None:
    text = """import keras
from keras import layers

inputs = keras.Input(shape=(16,))
h = layers.Dense(32, activation="relu")(inputs)
logits = layers.Dense(1)(h)
outputs = keras.activations.softmax(logits)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="binary_crossentropy")
"""
    assert_fix(text, rulebase, "NNA201", text.replace("keras.activations.softmax(logits)", "keras.activations.sigmoid(logits)"))


def test_a_tf1_dense_activation_keyword(rulebase: RuleBase) -> None:
    text = """import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
x = tf.placeholder(tf.float32, [None, 784])
y = tf.placeholder(tf.int64, [None])
h = tf.layers.dense(x, 128, activation=tf.nn.relu)
out = tf.layers.dense(h, 10, activation=tf.nn.softmax)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=out))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
"""
    assert_fix(text, rulebase, "NNA103", text.replace("tf.layers.dense(h, 10, activation=tf.nn.softmax)", "tf.layers.dense(h, 10)"))


TRAIN_STEP = """import numpy as np
import tensorflow as tf
from tensorflow import keras

NUM_CLASSES = 4


class TopicModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(64, activation="relu")
        self.logits = keras.layers.Dense(NUM_CLASSES)
        self.loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def call(self, x):
        return self.logits(self.hidden(x))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = self.loss_fn(y, self(x, training=True))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


y_train = keras.utils.to_categorical(np.random.randint(0, NUM_CLASSES, size=(64,)), NUM_CLASSES)
model = TopicModel()
model.compile(optimizer="adam")
"""


def test_a_loss_object_applied_in_train_step_is_located_and_fixed(rulebase: RuleBase) -> None:
    """The loss a train_step applies is reported at its constructor (it was at line 1: the reader
    read it under one pointer and recorded its locations under another)."""
    finding = assert_fix(TRAIN_STEP, rulebase, "NNA302", TRAIN_STEP.replace("SparseCategoricalCrossentropy(from_logits=True)", "CategoricalCrossentropy(from_logits=True)"))
    assert finding[0].start_line == 13
    from tests.fixes.test_python_edits import the_finding

    assert (the_finding(TRAIN_STEP, rulebase, "NNA302").line, the_finding(TRAIN_STEP, rulebase, "NNA302").column) == (13, 24)


def test_an_activation_layer_given_a_variable_is_not_edited(rulebase: RuleBase) -> None:
    text = """from keras.models import Sequential
from keras.layers import Activation, Dense

FINAL = 'softmax'
model = Sequential()
model.add(Dense(12, input_dim=8, activation='relu'))
model.add(Dense(1))
model.add(Activation(FINAL))
model.compile(loss='binary_crossentropy', optimizer='adam')
"""
    assert_no_fix(text, rulebase, "NNA201")
    assert_fix(text.replace("Activation(FINAL)", "Activation('softmax')"), rulebase, "NNA201", text.replace("Activation(FINAL)", "Activation('sigmoid')"))


BINARY = """import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(30,)), layers.Dense(16, activation="relu"), layers.Dense(1)])
model.compile(optimizer="adam", loss="binary_crossentropy")
"""
LOGITS = [{"op": "add", "path": "/loss", "value": {"name": "binary_crossentropy", "from_logits": True}}]


def _patched(text: str, rulebase: RuleBase, patch: list[dict[str, object]]) -> str | None:
    from nnadvisor.fixes.apply import apply_edits

    found = synthetic(text, rulebase, patch)
    return None if found is None else apply_edits(text, found)


@pytest.mark.parametrize(
    ("loss", "expected"),
    [
        ('"binary_crossentropy"', "keras.losses.BinaryCrossentropy(from_logits=True)"),
        ("keras.losses.BinaryCrossentropy()", "keras.losses.BinaryCrossentropy(from_logits=True)"),
        ("keras.losses.BinaryCrossentropy(from_logits=False)", "keras.losses.BinaryCrossentropy(from_logits=True)"),
        ("keras.losses.BinaryCrossentropy(False, 0.1)", "keras.losses.BinaryCrossentropy(True, 0.1)"),
        ("keras.losses.binary_crossentropy", "keras.losses.BinaryCrossentropy(from_logits=True)"),
        ('"mse"', "keras.losses.BinaryCrossentropy(from_logits=True)"),
    ],
)
def test_from_logits_is_set_on_the_loss(rulebase: RuleBase, loss: str, expected: str) -> None:
    text = BINARY.replace('loss="binary_crossentropy"', f"loss={loss}")
    assert _patched(text, rulebase, LOGITS) == BINARY.replace('loss="binary_crossentropy"', f"loss={expected}")


def test_from_logits_is_removed_when_the_loss_takes_probabilities(rulebase: RuleBase) -> None:
    text = BINARY.replace('loss="binary_crossentropy"', "loss=keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.05)")
    patch = [{"op": "add", "path": "/loss", "value": "binary_crossentropy"}]
    assert _patched(text, rulebase, patch) == text.replace("(from_logits=True, label_smoothing=0.05)", "(label_smoothing=0.05)")


def test_a_string_loss_with_from_logits_is_spelt_with_the_files_imports(rulebase: RuleBase) -> None:
    tf_text = BINARY.replace("import keras\nfrom keras import layers\n", "import tensorflow as tf\nfrom tensorflow.keras import layers\n").replace("keras.", "tf.keras.")
    assert _patched(tf_text, rulebase, LOGITS) == tf_text.replace('loss="binary_crossentropy"', "loss=tf.keras.losses.BinaryCrossentropy(from_logits=True)")
    old = """from keras.models import Sequential
from keras.layers import Dense

model = Sequential()
model.add(Dense(16, input_dim=30, activation='relu'))
model.add(Dense(1))
model.compile(optimizer='adam', loss='binary_crossentropy')
"""
    assert synthetic(old, rulebase, LOGITS) is None  # no import names keras.losses


def test_a_string_sgd_gets_momentum_as_an_object(rulebase: RuleBase) -> None:
    text = DEEP.replace("optimizer=keras.optimizers.SGD(learning_rate=0.01)", 'optimizer="sgd"')
    assert_fix(text, rulebase, "NNA504", text.replace('optimizer="sgd"', "optimizer=keras.optimizers.SGD(momentum=0.9)"))


@pytest.mark.parametrize(
    ("optimizer", "expected"),
    [
        ('"adam"', '"adamw"'),
        ("keras.optimizers.Adam(learning_rate=1e-3)", "keras.optimizers.AdamW(learning_rate=1e-3)"),
        ("keras.optimizers.Adam(1e-3)", "keras.optimizers.AdamW(1e-3)"),
    ],
)
def test_the_optimizer_class_is_replaced(rulebase: RuleBase, optimizer: str, expected: str) -> None:
    text = DEEP.replace("optimizer=keras.optimizers.SGD(learning_rate=0.01)", f"optimizer={optimizer}")
    assert _patched(text, rulebase, [{"op": "add", "path": "/optimizer/name", "value": "adamw"}]) == text.replace(f"optimizer={optimizer}", f"optimizer={expected}")


def test_an_optimizer_whose_positional_arguments_mean_other_things_is_not_renamed(rulebase: RuleBase) -> None:
    text = DEEP.replace("optimizer=keras.optimizers.SGD(learning_rate=0.01)", "optimizer=keras.optimizers.Adam(1e-3, 0.8)")
    assert synthetic(text, rulebase, [{"op": "add", "path": "/optimizer/name", "value": "adamw"}]) is None  # AdamW's second is weight_decay


def test_a_loss_assigned_after_compile(rulebase: RuleBase) -> None:
    text = DIGITS.replace('model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])  # one-hot targets\n', 'model.compile(optimizer="adam", loss="categorical_crossentropy")\nmodel.loss = "mse"\n')
    assert_fix(text, rulebase, "NNA101", text.replace('model.loss = "mse"', 'model.loss = "categorical_crossentropy"'))


def test_a_model_whose_layers_are_indexed_is_not_edited(rulebase: RuleBase) -> None:
    text = ADDED + "\nprobabilities = model.layers[-1].output\n"
    assert_no_fix(text, rulebase, "NNA103")
