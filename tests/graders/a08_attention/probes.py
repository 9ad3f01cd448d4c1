"""Sandbox-side helpers of 08_attention: they run next to the student's code and return plain data.

They hold no expected value: the tests judge what they return, in the grading process. The models that the
grader needs to test a function on its own (``train_seq2seq``, ``forecast``) are built here, small, so that a
mistake in ``build_seq2seq`` never costs those checks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.expect import expect_true, numeric_array
from autograder.checks.figures import describe_figure
from autograder.checks.keras_model import describe_keras_model
from autograder.checks.qcm import read_answers
from autograder.grading.spec import Submission


def _numpy(value: Any) -> np.ndarray:
    import keras

    return numeric_array(keras.ops.convert_to_numpy(value)).astype(np.float64)


def _pair(found: Any, what: str) -> tuple[Any, Any]:
    expect_true(isinstance(found, (tuple, list)) and len(found) == 2,
                f"{what} doit renvoyer un couple (sortie, poids), pas {type(found).__name__}.")
    return found[0], found[1]


# ------------------------------------------------------------------------------------------------ attention


def attention(sub: Submission, queries: np.ndarray, keys: np.ndarray, values: np.ndarray,
              mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """``scaled_dot_product_attention(queries, keys, values[, mask])``: its output and weights, float64."""
    function = sub.function("scaled_dot_product_attention")
    found = function(queries, keys, values) if mask is None else function(queries, keys, values, mask)
    output, weights = _pair(found, "scaled_dot_product_attention")
    return {"output": _numpy(output), "weights": _numpy(weights)}


# ---------------------------------------------------------------------------------------------------- layer


def _layer(sub: Submission, **kwargs: Any) -> Any:
    import keras

    layer = sub.function("TemporalAttention")(**kwargs)
    expect_true(isinstance(layer, keras.layers.Layer),
                f"TemporalAttention doit être une couche Keras (classe dérivée de layers.Layer), pas "
                f"{type(layer).__name__}.")
    return layer


def layer_outputs(sub: Submission, x: np.ndarray, weights: dict[str, np.ndarray] | None = None,
                  **kwargs: Any) -> dict[str, Any]:
    """``TemporalAttention(**kwargs)`` called on ``x``: context, weights, its weights' shapes; with ``weights``
    (``{"W": (d, 1), "b": (T, 1)}``), each weight of that shape is set to that value before the call."""
    import keras

    layer = _layer(sub, **kwargs)
    layer.build(x.shape)
    shapes = [list(w.shape) for w in layer.weights]
    if weights is not None:
        wanted = {tuple(value.shape): value for value in weights.values()}
        for variable in layer.weights:
            if tuple(variable.shape) in wanted:
                variable.assign(wanted[tuple(variable.shape)])
    context, attention_weights = _pair(layer(keras.ops.convert_to_tensor(x)), "TemporalAttention.call")
    return {"context": _numpy(context), "weights": _numpy(attention_weights), "shapes": shapes,
            "trainable": int(sum(int(np.prod(w.shape)) for w in layer.trainable_weights))}


# --------------------------------------------------------------------------------------------------- marker


def marker_models(sub: Submission) -> tuple[Any, Any]:
    """``build_marker_model()``'s ``(model, attention_model)``, checked to be two Keras models."""
    import keras

    found = sub.function("build_marker_model")()
    expect_true(isinstance(found, (tuple, list)) and len(found) == 2 and all(isinstance(m, keras.Model)
                                                                           for m in found),
                "build_marker_model doit renvoyer le couple (model, attention_model) de deux modèles Keras.")
    return found[0], found[1]


def marker_model(sub: Submission, tokens: np.ndarray) -> dict[str, Any]:
    """``build_marker_model()`` described; both models' outputs for ``tokens`` (the weights must be shared)."""
    model, attention_model = marker_models(sub)
    model.predict(tokens, verbose=0)  # builds a subclassed model too
    described = describe_keras_model(model)
    embedding = [layer.get_config() for layer in model.layers if type(layer).__name__ == "Embedding"]
    described["embedding"] = [[c.get("input_dim"), c.get("output_dim")] for c in embedding]
    described["attention_output_shape"] = list(attention_model.output_shape)
    described["attention_layers"] = sorted({type(layer).__name__ for layer in attention_model.layers}
                                           & {"TemporalAttention"})
    shared = {id(layer) for layer in attention_model.layers} & {id(layer) for layer in model.layers}
    described["shared_layers"] = len(shared)
    described["weights"] = np.asarray(attention_model.predict(tokens, verbose=0), dtype=np.float64)
    return described


# -------------------------------------------------------------------------------------------------- windows


def series(sub: Submission, *args: Any, **kwargs: Any) -> np.ndarray:
    """``make_series(*args, **kwargs)`` as an array (dtype kept)."""
    return numeric_array(sub.function("make_series")(*args, **kwargs))


def windows(sub: Submission, values: np.ndarray, *args: Any) -> dict[str, np.ndarray]:
    """``make_windows(values, *args)``: X and Y (dtypes kept)."""
    found = sub.function("make_windows")(values, *args)
    expect_true(isinstance(found, (tuple, list)) and len(found) == 2,
                f"make_windows doit renvoyer le couple (X, Y), pas {type(found).__name__}.")
    return {"X": numeric_array(found[0]), "Y": numeric_array(found[1])}


def split(sub: Submission, X: np.ndarray, Y: np.ndarray, *args: Any) -> dict[str, np.ndarray]:
    """``split_windows(X, Y, *args)``: the four arrays."""
    found = sub.function("split_windows")(X, Y, *args)
    expect_true(isinstance(found, (tuple, list)) and len(found) == 2
                and all(isinstance(part, (tuple, list)) and len(part) == 2 for part in found),
                "split_windows doit renvoyer ((X_train, Y_train), (X_val, Y_val)).")
    (x_train, y_train), (x_val, y_val) = found
    return {"X_train": numeric_array(x_train), "Y_train": numeric_array(y_train), "X_val": numeric_array(x_val),
            "Y_val": numeric_array(y_val)}


def teacher(sub: Submission, Y: np.ndarray) -> dict[str, Any]:
    """``teacher_forcing_inputs(Y)`` (dtype kept) and whether ``Y`` was left unchanged."""
    original = Y.copy()
    found = numeric_array(sub.function("teacher_forcing_inputs")(Y))
    return {"inputs": found, "unchanged": bool(np.array_equal(original, Y))}


# -------------------------------------------------------------------------------------------------- seq2seq


def _inputs_of(layer: Any) -> list[str]:
    nodes = getattr(layer, "_inbound_nodes", [])
    return [tensor._keras_history.operation.name for tensor in nodes[0].input_tensors] if nodes else []


def seq2seq_graph(sub: Submission, **kwargs: Any) -> dict[str, Any]:
    """``build_seq2seq(**kwargs)`` described: layers (with the recurrent layers' settings and inputs), shapes,
    parameters and compilation."""
    import keras

    model = sub.function("build_seq2seq")(**kwargs)
    expect_true(isinstance(model, keras.Model), f"build_seq2seq doit renvoyer un modèle Keras, pas "
                                                f"{type(model).__name__}.")
    described = describe_keras_model(model)
    layers = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        # TimeDistributed(Dense(1)) applies the same Dense(1) at each step, as Dense(1) does on a sequence.
        wrapped = layer.layer if isinstance(layer, keras.layers.TimeDistributed) else layer
        entry: dict[str, Any] = {"type": type(wrapped).__name__, "name": layer.name, "inputs": _inputs_of(layer)}
        inner = getattr(layer, "forward_layer", None) if isinstance(layer, keras.layers.Bidirectional) else layer
        if isinstance(inner, keras.layers.RNN) or type(inner).__name__ in ("LSTM", "GRU"):
            config = inner.get_config()
            entry.update({"cell": type(inner).__name__, "units": config.get("units"),
                          "return_sequences": config.get("return_sequences"),
                          "return_state": config.get("return_state")})
        if isinstance(layer, keras.layers.Attention):
            config = layer.get_config()
            entry.update({"use_scale": config.get("use_scale"), "score_mode": config.get("score_mode")})
        layers.append(entry)
    described["graph"] = layers
    described["input_shapes"] = [list(tensor.shape) for tensor in model.inputs]
    return described


def tiny_seq2seq(input_len: int, output_len: int) -> Any:
    """The grader's own small seq2seq (Bi-LSTM(4), LSTM(8) from its states, dot-product attention, Dense(1)),
    compiled (Adam 1e-3, MSE)."""
    import keras
    from keras import layers

    encoder_inputs = keras.Input(shape=(input_len, 1))
    decoder_inputs = keras.Input(shape=(output_len, 1))
    encoded, fh, fc, bh, bc = layers.Bidirectional(layers.LSTM(4, return_sequences=True,
                                                               return_state=True))(encoder_inputs)
    decoded = layers.LSTM(8, return_sequences=True)(decoder_inputs, initial_state=[layers.Concatenate()([fh, bh]),
                                                                                   layers.Concatenate()([fc, bc])])
    outputs = layers.Dense(1)(layers.Concatenate()([decoded, layers.Attention()([decoded, encoded])]))
    model = keras.Model([encoder_inputs, decoder_inputs], outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    return model


def recording_model(input_len: int, output_len: int, record: list[np.ndarray]) -> Any:
    """A small model with the seq2seq's inputs and output (dense layers only: it runs eagerly, cheaply) that appends
    the decoder inputs of every training batch to ``record``; compiled (Adam 1e-3, MSE)."""
    import keras
    from keras import layers

    encoder_inputs = keras.Input(shape=(input_len, 1))
    decoder_inputs = keras.Input(shape=(output_len, 1))
    summary = layers.RepeatVector(output_len)(layers.Dense(4, activation="tanh")(layers.Flatten()(encoder_inputs)))
    decoded = layers.Concatenate()([DecoderRecorder(record)(decoder_inputs), summary])
    model = keras.Model([encoder_inputs, decoder_inputs], layers.Dense(1)(layers.Dense(8, activation="tanh")(decoded)))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", run_eagerly=True)
    return model


def _recorder_class() -> type:
    import keras

    class Recorder(keras.layers.Layer):
        """Identity on the decoder inputs that keeps a copy of each training batch."""

        def __init__(self, store: list[np.ndarray], **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.keep = store.append  # a bound method: Keras would wrap a list attribute in a tracked copy

        def call(self, inputs: Any, training: bool | None = None) -> Any:
            if training:
                self.keep(np.asarray(keras.ops.convert_to_numpy(inputs), dtype=np.float64))
            return inputs

    return Recorder


def DecoderRecorder(store: list[np.ndarray]) -> Any:
    """A :func:`_recorder_class` layer appending to ``store``."""
    return _recorder_class()(store)


def grader_forecast(model: Any, encoder_inputs: np.ndarray, output_len: int) -> np.ndarray:
    """The grader's own step-by-step decoding (each prediction fed as the next step's decoder input), float64."""
    decoder_inputs = np.zeros((len(encoder_inputs), output_len, 1), dtype=np.float32)
    predictions = None
    for step in range(output_len):
        predictions = np.asarray(model.predict([encoder_inputs, decoder_inputs], verbose=0, batch_size=256))
        if step + 1 < output_len:
            decoder_inputs[:, step + 1] = predictions[:, step]
    return np.asarray(predictions, dtype=np.float64)


def trained(sub: Submission, folder: str, train: list[np.ndarray], validation: list[np.ndarray], epochs: int,
            batch_size: int) -> dict[str, Any]:
    """``train_seq2seq(<the grader's recording model>, train, validation, epochs, <URI of folder's store>,
    batch_size=batch_size)``: the history, the decoder inputs of every training batch, the optimizer's steps,
    and the trained model's outputs for the validation windows with teacher-forced decoder inputs."""
    import keras

    from autograder.checks.mlflow_store import fresh_tracking, tracking_uri

    record: list[np.ndarray] = []
    model = recording_model(train[0].shape[1], train[1].shape[1], record)
    with fresh_tracking(folder):
        found = sub.function("train_seq2seq")(model, tuple(train), tuple(validation), epochs, tracking_uri(folder),
                                              batch_size=batch_size)
    history = found.history if isinstance(found, keras.callbacks.History) else None
    shifted = np.zeros_like(validation[1])
    shifted[:, 1:] = validation[1][:, :-1]
    decoder_inputs = {"shifted": shifted, "helper": _helper(sub, validation[1])}
    return {"returned": type(found).__name__,
            "history": None if history is None else {str(k): [float(v) for v in vs] for k, vs in history.items()},
            "recorded": np.concatenate(record) if record else np.zeros((0, train[1].shape[1], 1)),
            "helper_train": _helper(sub, train[1]), "steps": int(model.optimizer.iterations.numpy()),
            "validation_outputs": {key: np.asarray(model.predict([validation[0], inputs], verbose=0), dtype=np.float64)
                                   for key, inputs in decoder_inputs.items() if inputs is not None}}


def _helper(sub: Submission, Y: np.ndarray) -> np.ndarray | None:
    """The student's own ``teacher_forcing_inputs(Y)`` as float32, or None where it does not give one of Y's shape
    (train_seq2seq is judged on its use of the helper; the helper has checks of its own)."""
    try:
        found = np.asarray(sub.function("teacher_forcing_inputs")(Y.copy()), dtype=np.float32)
    except Exception:  # noqa: BLE001 - a broken helper is the helper's checks' business
        return None
    return found if found.shape == Y.shape else None


# ------------------------------------------------------------------------------------------------ inference


def inference(sub: Submission, X: np.ndarray, targets: list[np.ndarray]) -> dict[str, Any]:
    """On the grader's tiny model: the grader's step-by-step decoding, ``forecast(model, X, output_len)``, and
    ``evaluate_forecast(model, X, Y)`` for each ``Y`` of ``targets`` (same shape)."""
    output_len = targets[0].shape[1]
    model = tiny_seq2seq(X.shape[1], output_len)
    expected = grader_forecast(model, X, output_len)
    found = numeric_array(sub.function("forecast")(model, X, output_len))
    evaluations = []
    for Y in targets:
        result = sub.function("evaluate_forecast")(model, X, Y)
        expect_true(isinstance(result, dict), f"evaluate_forecast doit renvoyer un dictionnaire, pas "
                                              f"{type(result).__name__}.")
        evaluations.append({str(key): numeric_array(value).astype(np.float64) if key == "forecast"
                            else float(numeric_array(value).reshape(-1)[0]) for key, value in result.items()
                            if key in ("forecast", "mse", "persistence_mse")})
    return {"grader": expected, "forecast": found, "evaluations": evaluations}


def forecast_figure(sub: Submission, inputs: np.ndarray, target: np.ndarray, prediction: np.ndarray
                    ) -> dict[str, Any]:
    """The figure ``plot_forecast`` draws, described."""
    return describe_figure(sub.function("plot_forecast")(inputs, target, prediction))


def quiz_answers(sub: Submission) -> dict[str, str]:
    """The student's quiz answers (letters; the key stays in test_hidden.py)."""
    return read_answers(sub)
