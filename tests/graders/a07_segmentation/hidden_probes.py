"""Hidden-only probes of 07_segmentation: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.grading.spec import Submission

SMOOTH = 1e-6


def grader_dice_loss(y_true: Any, y_pred: Any) -> Any:
    """The grader's own soft Dice loss (keras.ops, whole batch): the student's is judged by its own checks."""
    from keras import ops

    y_true, y_pred = ops.reshape(y_true, (-1,)), ops.reshape(y_pred, (-1,))
    return 1.0 - (2.0 * ops.sum(y_true * y_pred) + SMOOTH) / (ops.sum(y_true) + ops.sum(y_pred) + SMOOTH)


def batchnorm_layers(model: Any) -> list[Any]:
    """Every BatchNormalization layer of ``model``, nested models included."""
    import keras

    found, stack = [], [model]
    while stack:
        layer = stack.pop()
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
        stack += list(getattr(layer, "layers", []))
    return found


def reestimate_batchnorm(model: Any, images: np.ndarray, batch_size: int) -> int:
    """Set each BatchNormalization's moving mean and variance to their averages over ``images`` (precise BN).

    A short training leaves Keras' moving statistics (momentum 0.99) far from the batches' own: in
    inference mode the network would be judged on statistics it never trained with. Forward passes in
    training mode over the training images, with no weight update, make each moving statistic the
    running average of the batch statistics (momentum 1 − 1/k at the k-th batch), as a longer training
    would. Returns the number of BatchNormalization layers.
    """
    layers = batchnorm_layers(model)
    saved = [layer.momentum for layer in layers]
    try:
        for k, start in enumerate(range(0, len(images), batch_size), start=1):
            for layer in layers:
                layer.momentum = 1.0 - 1.0 / k
            model(images[start:start + batch_size], training=True)
    finally:
        for layer, momentum in zip(layers, saved, strict=True):
            layer.momentum = momentum
    return len(layers)


def unet_probabilities(sub: Submission, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                       epochs: int, batch_size: int, learning_rate: float, reestimate_batch: int) -> dict[str, Any]:
    """The student's ``build_unet`` trained by the grader (its Dice loss, Adam, its budget), its batch
    statistics re-estimated (:func:`reestimate_batchnorm`), then its probabilities for ``x_test`` from
    ``model.predict`` (inference mode), as float32."""
    import keras

    model = sub.function("build_unet")(tuple(x_train.shape[1:]))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss=grader_dice_loss,
                  jit_compile=False)
    model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
    count = reestimate_batchnorm(model, x_train, reestimate_batch)
    probabilities = np.asarray(model.predict(x_test, batch_size=100, verbose=0), dtype=np.float32)
    return {"probabilities": probabilities, "batchnorm_layers": count}
