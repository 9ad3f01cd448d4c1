"""Sandbox-side helpers of 03_fashion_cnn: they run next to the student's code and return plain data.

They hold no expected value: the tests judge what they return, in the grading process. Some
bring the grader's own copy of what a function works with (a tiny compiled model for
``train_model``, a model of known predictions for ``predict_classes``, a reference augmentation
for ``make_augmented_dataset``), so that a mistake costs its own points only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from a03_fashion_cnn.inputs import IMAGE_SHAPE, NUM_CLASSES
from autograder.checks.expect import expect_true, numeric_array
from autograder.checks.figures import describe_figure
from autograder.checks.keras_model import describe_keras_model
from autograder.grading.spec import Submission


def returned_array(sub: Submission, function: str, *args: Any) -> np.ndarray:
    """The student's ``function(*args)`` as a numpy array (a tensor is accepted as well as an array)."""
    return numeric_array(sub.function(function)(*args))


def preprocessed(sub: Submission, images: np.ndarray) -> dict[str, Any]:
    """``preprocess_images(images)`` as an array (its dtype kept), and whether ``images`` came back unchanged."""
    copy = images.copy()
    values = returned_array(sub, "preprocess_images", images)
    return {"values": values, "input_unchanged": bool(np.array_equal(images, copy))}


def model(sub: Submission, builder: str) -> dict[str, Any]:
    """The model returned by the student's ``builder()`` (no argument), described, built for 28×28×1 images, with
    its ``input_shape`` (``[None, 28, 28, 1]`` when it declares the right input)."""
    network = sub.function(builder)()
    found = describe_keras_model(network, IMAGE_SHAPE)
    shape = getattr(network, "input_shape", None) if found["params"] is not None else None
    return {**found, "input_shape": [d if d is None else int(d) for d in shape] if isinstance(shape, tuple) else shape}


def augmented(sub: Submission, images: np.ndarray) -> np.ndarray:
    """``build_augmentation()`` applied to ``images`` in training mode."""
    return numeric_array(sub.function("build_augmentation")()(images, training=True)).astype(np.float32)


def reference_augmentation() -> Any:
    """The grader's own augmentation (rotation 10°, shifts and zoom of 10 %)."""
    import keras

    return keras.Sequential([
        keras.layers.RandomRotation(10 / 360, fill_mode="constant"),
        keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
        keras.layers.RandomZoom(0.1, fill_mode="constant"),
    ])


def one_pass(dataset: Any, max_batches: int = 100) -> dict[str, Any]:
    """The batch sizes, images and labels of one pass over a ``tf.data.Dataset`` (or any iterable of pairs)."""
    images, labels, sizes = [], [], []
    for count, batch in enumerate(dataset):
        expect_true(count < max_batches, "Le jeu de données ne s'arrête pas : n'utilisez pas repeat().")
        expect_true(isinstance(batch, (tuple, list)) and len(batch) == 2,
                    "Chaque élément du jeu de données doit être un couple (images, étiquettes).")
        x, y = numeric_array(batch[0]), numeric_array(batch[1])
        sizes.append(len(x))
        images.append(x.astype(np.float32))
        labels.append(y)
    expect_true(bool(sizes), "Le jeu de données ne contient aucun lot : au moins un lot (images, étiquettes) attendu.")
    return {"sizes": sizes, "images": np.concatenate(images), "labels": np.concatenate(labels)}


def dataset_passes(sub: Submission, images: np.ndarray, labels: np.ndarray, batch_size: int,
                   passes: int = 1) -> list[dict[str, Any]]:
    """``passes`` passes over ``make_augmented_dataset(images, labels, <reference augmentation>, batch_size)``."""
    dataset = sub.function("make_augmented_dataset")(images, labels, reference_augmentation(), batch_size=batch_size)
    return [one_pass(dataset) for _ in range(passes)]


def tiny_model() -> Any:
    """A small compiled classifier of 28×28×1 images (one-hot labels) for checking ``train_model``."""
    import keras

    network = keras.Sequential([keras.Input(IMAGE_SHAPE), keras.layers.Flatten(),
                                keras.layers.Dense(NUM_CLASSES, activation="softmax")])
    network.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return network


def _augmentation(kind: str) -> Any:
    """The augmentation handed to ``train_model``: none, the reference one, or one that blacks every image out."""
    import keras

    if kind == "none":
        return None
    if kind == "blackout":
        return keras.Sequential([keras.layers.Rescaling(0.0)])
    return reference_augmentation()


def training(sub: Submission, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray, epochs: int,
             batch_size: int, augmentation: str | None = None) -> dict[str, Any]:
    """``train_model`` on :func:`tiny_model`, validated on ``(x_val, y_val)``.

    Args:
        augmentation: None (the argument is not passed), ``"none"`` (``augmentation=None``),
            ``"reference"`` (:func:`reference_augmentation`) or ``"blackout"`` (every image made black).

    Returns:
        ``{"history": history.history's values, "params": History.params (numbers and strings),
        "changed": whether any weight moved, "moved": largest change of each weight (kernel, bias),
        "val_loss": the trained model's loss on ``(x_val, y_val)`` as given, measured here}``.
    """
    network = tiny_model()
    before = [w.copy() for w in network.get_weights()]
    kwargs = {} if augmentation is None else {"augmentation": _augmentation(augmentation)}
    history = sub.function("train_model")(network, x, y, (x_val, y_val), epochs=epochs, batch_size=batch_size,
                                          **kwargs)
    after = network.get_weights()
    val_loss = network.evaluate(x_val, y_val, batch_size=batch_size, verbose=0, return_dict=True).get("loss")
    values = getattr(history, "history", None)
    return {"history": {str(k): [float(v) for v in series] for k, series in values.items()}
            if isinstance(values, dict) else {},
            "params": {str(k): v for k, v in dict(getattr(history, "params", None) or {}).items()
                       if isinstance(v, (int, float, str))},
            "changed": any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True)),
            "moved": [float(np.abs(b - a).max()) for a, b in zip(before, after, strict=True)],
            "val_loss": float(val_loss)}


def indicator_model() -> Any:
    """Softmax over the first ten pixels: predicts the class where ``inputs.indicator_images`` put its maximum."""
    import keras

    network = keras.Sequential([keras.Input(IMAGE_SHAPE), keras.layers.Flatten(),
                                keras.layers.Dense(NUM_CLASSES, activation="softmax")])
    kernel = np.zeros((28 * 28, NUM_CLASSES), dtype=np.float32)
    kernel[np.arange(NUM_CLASSES), np.arange(NUM_CLASSES)] = 20.0
    network.layers[-1].set_weights([kernel, np.zeros(NUM_CLASSES, dtype=np.float32)])
    return network


def predicted_classes(sub: Submission, images: np.ndarray) -> np.ndarray:
    """``predict_classes(<indicator model>, images)`` as an array (its dtype kept)."""
    return np.asarray(sub.function("predict_classes")(indicator_model(), images))


def fake_history(values: dict[str, list[float]]) -> Any:
    """A ``keras.callbacks.History`` holding ``values``."""
    import keras

    history = keras.callbacks.History()
    history.history = {key: list(series) for key, series in values.items()}
    history.epoch = list(range(len(next(iter(values.values())))))
    return history


def accuracy_curves(sub: Submission, histories: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    """The figure ``plot_accuracy_curves`` draws for ``{name: History holding values}``, described, with its PNG."""
    figure = sub.function("plot_accuracy_curves")({name: fake_history(v) for name, v in histories.items()})
    return describe_figure(figure, png=True)


