"""Sandbox-side helpers of 07_segmentation: they run next to the student's code and return plain data.

They hold no expected value: the tests judge what they return, in the grading process. Models the
grader needs to test a function on its own (``train_unet``, ``predict_masks``) are built here, small and
with known weights, so that a mistake in the U-Net never costs those checks.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from autograder.checks.expect import expect_true, numbers_or_none, numeric_array
from autograder.checks.figures import describe_figure
from autograder.checks.keras_model import canonical, describe_keras_model
from autograder.checks.mlflow_store import fresh_tracking, tracking_uri
from autograder.grading.spec import Submission

GRAPH_KEYS = ("filters", "kernel_size", "strides", "padding", "activation", "pool_size")


def discs(sub: Submission, n: int, size: int | None, seed: int, masks_only: bool = False) -> dict[str, np.ndarray]:
    """``make_discs(n, size=size, seed=seed)`` (``size`` left to its default when None), dtypes kept; with
    ``masks_only``, the masks alone, as uint8 (one pixel > 0.5: 1), a smaller answer for many images."""
    kwargs = {"seed": seed} if size is None else {"size": size, "seed": seed}
    found = sub.function("make_discs")(n, **kwargs)
    expect_true(isinstance(found, (tuple, list)) and len(found) == 2,
                f"make_discs doit renvoyer un couple (images, masks), pas {type(found).__name__}.")
    if masks_only:
        return {"masks": (numeric_array(found[1]) > 0.5).astype(np.uint8)}
    return {"images": numeric_array(found[0]), "masks": numeric_array(found[1])}


def metric(sub: Submission, name: str, y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """The student's metric or loss ``name`` on Keras tensors (as Keras calls it): its shape and its values."""
    import keras

    found = sub.function(name)(keras.ops.convert_to_tensor(y_true), keras.ops.convert_to_tensor(y_pred))
    values = numeric_array(keras.ops.convert_to_numpy(found)).astype(np.float64)
    return {"shape": list(values.shape), "values": values.reshape(-1).tolist() or [float("nan")]}


def loss_parts(sub: Submission, y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """``dice_loss`` as :func:`metric` describes it, and the student's own ``dice_coefficient`` value on the same
    masks (None where it fails), to judge the loss on its own step."""
    import keras

    dice = numbers_or_none(lambda: keras.ops.convert_to_numpy(sub.function("dice_coefficient")(
        keras.ops.convert_to_tensor(y_true), keras.ops.convert_to_tensor(y_pred))))
    return {"loss": metric(sub, "dice_loss", y_true, y_pred), "dice": dice}


def _gradient(function: Any, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray | None:
    """The gradient of ``function(y_true, y_pred)`` with respect to ``y_pred`` (TensorFlow's tape, grader side;
    the student's code only sees Keras tensors); None when the result is not connected to ``y_pred``."""
    import tensorflow as tf

    prediction = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        value = function(tf.constant(y_true), prediction)
    gradient = tape.gradient(value, prediction)
    return None if gradient is None else np.asarray(gradient, dtype=np.float64)


def loss_gradient(sub: Submission, y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, np.ndarray | None]:
    """The gradients of ``dice_loss`` and of the student's own ``dice_coefficient`` (None where it fails or is not
    connected) with respect to ``y_pred``."""
    dice = sub.namespace.get("dice_coefficient")
    own = numbers_or_none(lambda: _gradient(dice, y_true, y_pred)) if callable(dice) else None
    return {"loss": _gradient(sub.function("dice_loss"), y_true, y_pred), "dice": own}


def _kind(layer: Any) -> dict[str, Any]:
    """A layer as plain data: its type (``ReLU`` for any ReLU activation layer) and settings."""
    import keras

    config = layer.get_config()
    entry: dict[str, Any] = {"type": type(layer).__name__}
    if isinstance(layer, keras.layers.ReLU) or (isinstance(layer, keras.layers.Activation)
                                                and canonical(config.get("activation")) == "relu"):
        entry["type"] = "ReLU"
    for key in GRAPH_KEYS:
        if key in config:
            value = config[key]
            entry[key] = canonical(value) if key == "activation" else (
                list(value) if isinstance(value, (tuple, list)) else value)
    return entry


def describe_graph(model: Any) -> dict[str, Any]:
    """A functional Keras model's graph: each layer's kind, output shape, and the layers it reads from."""
    import keras

    expect_true(isinstance(model, keras.Model), f"Un modèle Keras était attendu, pas {type(model).__name__}.")
    layers = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        nodes = getattr(layer, "_inbound_nodes", [])
        inputs = [tensor._keras_history.operation.name for tensor in nodes[0].input_tensors] if nodes else []
        output = layer.output
        shape = list(output.shape) if hasattr(output, "shape") else None
        layers.append({**_kind(layer), "name": layer.name, "inputs": inputs, "shape": shape})
    return {"layers": layers, "params": int(model.count_params()), "output_shape": list(model.output_shape),
            "input_shape": list(model.input_shape) if not isinstance(model.input_shape, list) else None}


def block_graph(sub: Submission, input_shape: tuple[int, ...], filters: int) -> dict[str, Any]:
    """``conv_block(keras.Input(input_shape), filters)`` as a model, described."""
    import keras

    inputs = keras.Input(shape=tuple(input_shape))
    outputs = sub.function("conv_block")(inputs, filters)
    expect_true(isinstance(outputs, keras.KerasTensor),
                f"conv_block doit renvoyer le tenseur de sortie, pas {type(outputs).__name__}.")
    return describe_graph(keras.Model(inputs, outputs))


def unet_graph(sub: Submission, input_shape: tuple[int, ...] | None) -> dict[str, Any]:
    """``build_unet(input_shape)`` (its default when None), described."""
    build = sub.function("build_unet")
    return describe_graph(build() if input_shape is None else build(tuple(input_shape)))


def _binary_share_recorder() -> Any:
    """A Keras layer, identity, whose variable ``binary_share`` keeps the largest share of pixels exactly 0 or 1
    in the batches it saw in training (a mask's share is 1; a noisy image's, far below): which array the model was
    trained on. A non-trainable variable assigned in ``call``, as BatchNormalization's statistics: every backend."""
    import keras
    from keras import ops

    class BinaryShareRecorder(keras.layers.Layer):
        def build(self, input_shape: Any) -> None:
            self.binary_share = self.add_weight(shape=(), initializer="zeros", trainable=False, name="binary_share")

        def call(self, inputs: Any, training: bool | None = None) -> Any:
            if training:
                binary = ops.logical_or(ops.equal(inputs, 0.0), ops.equal(inputs, 1.0))
                self.binary_share.assign(ops.maximum(self.binary_share, ops.mean(ops.cast(binary, "float32"))))
            return inputs

    return BinaryShareRecorder(name="binary_share_recorder")


def small_model(size: int) -> Any:
    """The grader's own tiny segmentation model (uncompiled): Conv2D(4, 3×3, relu) → Conv2D(1, 1×1, sigmoid),
    behind a :func:`_binary_share_recorder` of its training inputs."""
    import keras

    return keras.Sequential([keras.Input(shape=(size, size, 1)), _binary_share_recorder(),
                             keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
                             keras.layers.Conv2D(1, 1, activation="sigmoid")])


def trained(sub: Submission, data: list[np.ndarray], **kwargs: Any) -> dict[str, Any]:
    """``train_unet(<the grader's tiny model>, *data, **kwargs)``: the compilation, the steps run, the history."""
    import keras

    model = small_model(data[0].shape[1])
    found = sub.function("train_unet")(model, *data, **kwargs)
    history = found.history if isinstance(found, keras.callbacks.History) else found
    expect_true(isinstance(history, dict),
                f"train_unet doit renvoyer l'objet History de model.fit, pas {type(found).__name__}.")
    compiled = describe_keras_model(model)["compile"]
    return {"compile": compiled, "loss_is_dice_loss": model.compiled and model.loss is sub.value("dice_loss"),
            "steps": int(model.optimizer.iterations.numpy()) if model.compiled else 0,
            "binary_input_share": float(keras.ops.convert_to_numpy(
                model.get_layer("binary_share_recorder").binary_share)),
            "history": {str(key): [float(v) for v in values] for key, values in history.items()}}


def threshold_model(size: int, batchnorm: bool) -> Any:
    """A model whose probability is sigmoid(20·(x − 0.5)) per pixel; with ``batchnorm``, sigmoid(20·(x − 0.3))
    in inference mode (moving mean 0.3, variance 1), and the batch's own statistics in training mode."""
    import keras

    network = keras.Sequential([keras.Input(shape=(size, size, 1)),
                                *([keras.layers.BatchNormalization(epsilon=1e-6)] if batchnorm else []),
                                keras.layers.Conv2D(1, 1, activation="sigmoid")])
    if batchnorm:
        network.layers[0].set_weights([np.ones(1), np.zeros(1), np.full(1, 0.3), np.ones(1)])
    network.layers[-1].set_weights([np.full((1, 1, 1, 1), 20.0), np.full(1, 0.0 if batchnorm else -10.0)])
    return network


def thresholded(sub: Submission, images: np.ndarray, batchnorm: bool, **kwargs: Any) -> np.ndarray:
    """``predict_masks(<a threshold_model>, images, **kwargs)`` as an array (its dtype kept)."""
    return numeric_array(sub.function("predict_masks")(threshold_model(images.shape[1], batchnorm), images,
                                                       **kwargs))


def segmentation_figure(sub: Submission, images: np.ndarray, masks: np.ndarray,
                        predictions: np.ndarray) -> dict[str, Any]:
    """The figure ``plot_segmentation`` draws, described (with the data of every imshow)."""
    return describe_figure(sub.function("plot_segmentation")(images, masks, predictions))


def conv3d_model(sub: Submission, **kwargs: Any) -> dict[str, Any]:
    """``build_conv3d_model(**kwargs)`` described, with its input shape."""
    model = sub.function("build_conv3d_model")(**kwargs)
    found = describe_keras_model(model)
    inputs = getattr(model, "inputs", None) or []
    found["input_shape"] = list(inputs[0].shape) if len(inputs) == 1 else None
    return found


def tracked(sub: Submission, folder: str, train: list[np.ndarray], validation: list[np.ndarray],
            epochs: int) -> dict[str, Any]:
    """``track_conv3d(train, validation, epochs, <URI of folder's store>)``: the scores it returned, and the
    probabilities its returned model gives the validation volumes, that model's ``to_json()`` read and the
    optimisation steps it ran (None where it returned no such thing)."""
    import keras

    with fresh_tracking(folder):
        found = sub.function("track_conv3d")(tuple(train), tuple(validation), epochs, tracking_uri(folder))
    result: dict[str, Any] = {"returned": type(found).__name__, "scores": None, "probabilities": None,
                              "architecture": None, "steps": None}
    if isinstance(found, (tuple, list)) and len(found) == 2 and isinstance(found[1], dict):
        result["scores"] = {str(key): float(value) for key, value in found[1].items()
                            if isinstance(value, (int, float, np.floating, np.integer))}
        if isinstance(found[0], keras.Model):
            optimizer = getattr(found[0], "optimizer", None)
            result["steps"] = int(optimizer.iterations.numpy()) if optimizer is not None else None
            result["probabilities"] = np.asarray(found[0].predict(validation[0], verbose=0), dtype=np.float64)
            result["architecture"] = json.loads(found[0].to_json())
    return result
