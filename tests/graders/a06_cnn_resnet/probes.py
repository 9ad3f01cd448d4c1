"""Sandbox-side helpers of 06_cnn_resnet: they run next to the student's code and return plain data.

They hold no expected value: the tests judge what they return, in the grading process. The residual
block is wrapped by the grader in a model of its own (``keras.Input`` → block), so that its weights can be
set (main-path kernels to zero, normalisation statistics to known values) and its gradient taken.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from a06_cnn_resnet.inputs import IMAGE_SHAPE, NUM_CLASSES
from autograder.checks.expect import expect_true, numbers_or_none, numeric_array
from autograder.checks.figures import describe_figure
from autograder.checks.keras_model import describe_keras_model
from autograder.grading.spec import Submission


def returned_array(sub: Submission, function: str, *args: Any, **kwargs: Any) -> np.ndarray:
    """The student's ``function(*args, **kwargs)`` as a numpy array (a tensor is accepted as well as an array)."""
    return numeric_array(sub.function(function)(*args, **kwargs))


def listed(values: list[np.ndarray]) -> list[Any]:
    """Features handed over as a list of arrays (a list comes back from the codec as a list)."""
    return [np.asarray(v, dtype=np.float32) for v in values]


def returned_scalar(sub: Submission, function: str, *args: Any, **kwargs: Any) -> np.ndarray:
    """The student's ``function(*args, **kwargs)`` for loss functions; layer lists passed as lists."""
    arguments = [listed(a) if isinstance(a, list) else a for a in args]
    keywords = {k: listed(v) if isinstance(v, list) and k != "style_weights" and k != "weights" else v
                for k, v in kwargs.items()}
    return returned_array(sub, function, *arguments, **keywords)


def style_parts(sub: Submission, style_features: list[np.ndarray], generated: list[np.ndarray],
                weights: list[float] | None) -> dict[str, Any]:
    """``style_loss(style_features, generated, weights=weights)``, and the student's ``gram_matrix`` of each
    layer's style and generated features (``[G(style_l), G(generated_l)]``, None where it fails)."""
    gram = sub.namespace.get("gram_matrix")
    grams = [[numbers_or_none(lambda f=f: gram(f)) if callable(gram) else None for f in pair]
             for pair in zip(listed(style_features), listed(generated), strict=True)]
    return {"loss": returned_scalar(sub, "style_loss", style_features, generated, weights=weights), "grams": grams}


def total_parts(sub: Submission, generated: list[np.ndarray], target: np.ndarray, style_targets: list[np.ndarray],
                **weights: Any) -> dict[str, Any]:
    """``total_loss(generated, target, style_targets, **weights)``, and the student's own ``content_loss`` and
    ``style_loss`` of the same features (None where they fail)."""
    generated_, targets_ = listed(generated), listed(style_targets)
    parts = {"content": ("content_loss", (target, generated_[0]), {}),
             "style": ("style_loss", (targets_, generated_[1:], weights.get("style_weights")), {})}
    found = {key: numbers_or_none(lambda name=name, a=a, k=k: sub.function(name)(*a, **k))
             for key, (name, a, k) in parts.items()}
    return {"loss": returned_scalar(sub, "total_loss", generated, target, style_targets, **weights), **found}


def preprocessed(sub: Submission, images: np.ndarray) -> dict[str, Any]:
    """``preprocess_images(images)`` as an array (its dtype kept), and whether ``images`` came back unchanged."""
    copy = images.copy()
    values = returned_array(sub, "preprocess_images", images)
    return {"values": values, "input_unchanged": bool(np.array_equal(images, copy))}


def non_trainable(network: Any) -> int:
    """The number of non-trainable parameters of a Keras model."""
    return sum(int(np.prod(w.shape)) for w in network.non_trainable_weights)


def model(sub: Submission, builder: str) -> dict[str, Any]:
    """The model returned by the student's ``builder()`` (no argument), described, with its non-trainable count."""
    network = sub.function(builder)()
    found = describe_keras_model(network, IMAGE_SHAPE)
    found["non_trainable"] = non_trainable(network)
    return found


def _block_model(sub: Submission, shape: tuple[int, ...], filters: int, stride: int) -> Any:
    """``keras.Input(shape)`` → the student's ``residual_block(·, filters, stride)``, as a model."""
    import keras

    inputs = keras.Input(shape=shape)
    outputs = sub.function("residual_block")(inputs, filters, stride)
    expect_true(isinstance(outputs, keras.KerasTensor),
                "residual_block doit renvoyer le tenseur de sortie du bloc (API fonctionnelle), pas "
                f"{type(outputs).__name__}.")
    return keras.Model(inputs, outputs)


def block_shape(sub: Submission, shape: list[int], filters: int, stride: int) -> dict[str, Any]:
    """The output shape of the block on inputs of ``shape``, and the kernel sizes of its convolutions."""
    import keras

    block = _block_model(sub, tuple(shape), filters, stride)
    kernels = [list(layer.kernel_size) for layer in block.layers if isinstance(layer, keras.layers.Conv2D)]
    return {"output_shape": list(block.output_shape), "kernels": kernels}


def zeroed_block(sub: Submission, x: np.ndarray, filters: int, stride: int,
                 diagonals: list[list[float]] | None = None) -> dict[str, Any]:
    """The block's output on ``x`` (inference) with its 3×3 kernels set, biases at zero, and what a 1×1 one holds.

    The 3×3 kernels are zero, or with ``diagonals`` (one list of ``filters`` values per 3×3 convolution, in the
    order the data flows through them) zero but their centre tap, ``diag(d)``: the convolution then multiplies
    channel c by d[c] (inputs and outputs having ``filters`` channels). Every BatchNormalization gets moving
    mean 0, moving variance 4 − ε, γ 1, β 0: it halves what it receives. Returns the output, the 1×1
    convolutions' kernels and biases (kernels at random), the gradient of the output's sum with respect to
    ``x`` (through the shortcut where the main path is zero).
    """
    import keras

    block = _block_model(sub, x.shape[1:], filters, stride)
    projections, centres = [], iter(diagonals or [])
    for layer in block.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel = layer.kernel
            if tuple(layer.kernel_size) == (1, 1):
                projections.append({"kernel": np.asarray(kernel.numpy()), "strides": list(layer.strides),
                                    "bias": np.asarray(layer.bias.numpy()) if layer.use_bias else
                                    np.zeros(layer.filters, np.float32)})
            else:
                values = np.zeros(kernel.shape, dtype="float32")
                centre = next(centres, None)
                if centre is not None and values.shape[2] == values.shape[3] == len(centre):
                    values[values.shape[0] // 2, values.shape[1] // 2] = np.diag(np.asarray(centre, "float32"))
                kernel.assign(values)
                if layer.use_bias:
                    layer.bias.assign(np.zeros(layer.bias.shape, dtype="float32"))
        elif isinstance(layer, keras.layers.BatchNormalization):
            layer.moving_mean.assign(np.zeros(layer.moving_mean.shape, dtype="float32"))
            layer.moving_variance.assign(np.full(layer.moving_variance.shape, 4.0 - layer.epsilon, dtype="float32"))
            if layer.gamma is not None:
                layer.gamma.assign(np.ones(layer.gamma.shape, dtype="float32"))
            if layer.beta is not None:
                layer.beta.assign(np.zeros(layer.beta.shape, dtype="float32"))
    output = numeric_array(block(x, training=False))
    return {"output": output, "projections": projections, "gradient": _input_gradient(block, x)}


def _input_gradient(block: Any, x: np.ndarray) -> np.ndarray:
    """d sum(block(x)) / dx in inference mode, with the backend's own automatic differentiation."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tensor = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            total = tf.reduce_sum(block(tensor, training=False))
        gradient = tape.gradient(total, tensor)
        return np.zeros_like(x) if gradient is None else np.asarray(gradient)
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(lambda v: block(v, training=False).sum())(x))
    import torch

    tensor = torch.tensor(x, requires_grad=True)
    block(tensor, training=False).sum().backward()
    return tensor.grad.detach().cpu().numpy() if tensor.grad is not None else np.zeros_like(x)


def tiny_model() -> Any:
    """A small compiled classifier of 32×32×3 images (one-hot labels) for checking ``train_model``."""
    import keras

    network = keras.Sequential([keras.Input(IMAGE_SHAPE), keras.layers.GlobalAveragePooling2D(),
                                keras.layers.Dense(NUM_CLASSES, activation="softmax")])
    network.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return network


def training(sub: Submission, x: np.ndarray, y: np.ndarray, **kwargs: Any) -> dict[str, Any]:
    """``train_model(<tiny model>, x, y, **kwargs)``: the History's values and params, whether weights moved."""
    network = tiny_model()
    before = [w.copy() for w in network.get_weights()]
    history = sub.function("train_model")(network, x, y, **kwargs)
    values = getattr(history, "history", None)
    return {"history": {str(k): [float(v) for v in series] for k, series in values.items()}
            if isinstance(values, dict) else {},
            "params": {str(k): v for k, v in dict(getattr(history, "params", None) or {}).items()
                       if isinstance(v, (int, float, str))},
            "changed": any(not np.array_equal(a, b) for a, b in zip(before, network.get_weights(), strict=True))}


def evaluation(sub: Submission, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """``evaluate_model(<tiny model with seeded weights>, x, y)`` and that model's predictions for ``x``."""
    network = tiny_model()
    rng = np.random.default_rng(7)
    network.set_weights([rng.normal(scale=2.0, size=w.shape).astype(np.float32) for w in network.get_weights()])
    found = sub.function("evaluate_model")(network, x, y)
    expect_true(isinstance(found, dict), f"evaluate_model doit renvoyer un dictionnaire, pas {type(found).__name__}.")
    return {"returned": {str(k): float(v) for k, v in found.items() if np.size(v) == 1},
            "predictions": np.asarray(network.predict(x, verbose=0), dtype=np.float64)}


def history(values: dict[str, list[float]]) -> Any:
    """A ``keras.callbacks.History`` holding ``values``, as ``model.fit`` returns it."""
    import keras

    made = keras.callbacks.History()
    made.history, made.epoch = {key: list(series) for key, series in values.items()}, list(range(len(values["loss"])))
    return made


def history_figure(sub: Submission, values: dict[str, list[float]]) -> dict[str, Any]:
    """The figure ``plot_history`` draws for a History holding ``values``, described, with its PNG."""
    return describe_figure(sub.function("plot_history")(history(values)), png=True)


def extractor(sub: Submission, shape: list[int]) -> dict[str, Any]:
    """``build_feature_extractor(shape, weights=None)``: the layers producing its outputs, their shapes, frozen."""
    import keras

    network = sub.function("build_feature_extractor")(tuple(shape), weights=None)
    expect_true(isinstance(network, keras.Model),
                f"build_feature_extractor doit renvoyer un keras.Model, pas {type(network).__name__}.")
    outputs = network.outputs if isinstance(network.outputs, (list, tuple)) else [network.outputs]
    return {"layers": [str(t._keras_history[0].name) for t in outputs],
            "shapes": [list(t.shape) for t in outputs],
            "input_shape": list(network.inputs[0].shape),
            "trainable": sum(int(np.prod(w.shape)) for w in network.trainable_weights),
            "params": int(network.count_params())}


def detection_head(sub: Submission, images: np.ndarray, *args: Any) -> dict[str, Any]:
    """``build_detection_head(*args)``: its output shapes and its predictions for ``images``."""
    import keras

    network = sub.function("build_detection_head")(*args)
    expect_true(isinstance(network, keras.Model),
                f"build_detection_head doit renvoyer un keras.Model, pas {type(network).__name__}.")
    outputs = network.outputs if isinstance(network.outputs, (list, tuple)) else [network.outputs]
    predictions = network.predict(images, verbose=0)
    predictions = predictions if isinstance(predictions, (list, tuple)) else [predictions]
    return {"shapes": [list(t.shape) for t in outputs],
            "predictions": [np.asarray(p, dtype=np.float64) for p in predictions]}
