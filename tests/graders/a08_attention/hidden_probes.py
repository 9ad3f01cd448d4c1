"""Hidden-only probes of 08_attention: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from a08_attention.probes import _layer, _numpy, _pair, grader_forecast, marker_models
from autograder.grading.spec import Submission


def keras_attention(sub: Submission, queries: np.ndarray, keys: np.ndarray, values: np.ndarray,
                    mask: np.ndarray | None) -> dict[str, np.ndarray]:
    """Keras' own scaled dot-product attention on the same tensors: ``keras.ops.dot_product_attention`` for
    (batch, heads, T, d) tensors, ``layers.Attention`` (queries divided by √d_k first, key mask) for
    (batch, T, d) ones; its output (and, for the layer, its weights), float64."""
    import keras
    from keras import ops

    if queries.ndim == 4:
        full = None if mask is None else np.broadcast_to(mask, (*queries.shape[:-1], keys.shape[-2]))
        output = ops.dot_product_attention(*(ops.swapaxes(a, 1, 2) for a in (queries, keys, values)), mask=full)
        return {"output": _numpy(ops.swapaxes(output, 1, 2))}
    key_mask = None if mask is None else np.asarray(mask, dtype=bool).reshape(len(keys), -1)
    output, weights = keras.layers.Attention()([queries / np.sqrt(keys.shape[-1]), values, keys],
                                               mask=[None, key_mask], return_attention_scores=True)
    return {"output": _numpy(output), "weights": _numpy(weights)}


def layer_config(sub: Submission, x: np.ndarray) -> dict[str, Any]:
    """``TemporalAttention(use_bias=False, name="att")``: its config, and a copy made by ``from_config``: its
    weights' shapes and whether it keeps the setting."""
    layer = _layer(sub, use_bias=False, name="att")
    layer.build(x.shape)
    config = layer.get_config()
    copy = type(layer).from_config(config)
    copy.build(x.shape)
    return {"config_keys": sorted(str(key) for key in config), "use_bias": config.get("use_bias", "absente"),
            "name": copy.name, "shapes": [list(w.shape) for w in layer.weights],
            "copy_shapes": [list(w.shape) for w in copy.weights]}


def layer_saved(sub: Submission, folder: str, x: np.ndarray, use_bias: bool) -> dict[str, Any]:
    """A small model with ``TemporalAttention(use_bias=use_bias)``, saved with ``model.save`` in the Keras format
    and reloaded with ``keras.models.load_model(custom_objects=...)``: outputs before and after, or why the
    reload failed."""
    import keras

    cls = sub.function("TemporalAttention")
    inputs = keras.Input(shape=x.shape[1:])
    context, weights = _pair(_layer(sub, use_bias=use_bias)(inputs), "TemporalAttention.call")
    model = keras.Model(inputs, [context, weights])
    for variable in model.weights:  # away from the initial values, so that a reload that re-initialises shows
        variable.assign(np.random.default_rng(5).normal(size=variable.shape).astype(np.float32))
    path = os.path.join(folder, "attention.keras")
    model.save(path)
    before = [np.asarray(a, dtype=np.float64) for a in model.predict(x, verbose=0)]
    try:
        reloaded = keras.models.load_model(path, custom_objects={cls.__name__: cls})
        after = [np.asarray(a, dtype=np.float64) for a in reloaded.predict(x, verbose=0)]
    except Exception as error:  # noqa: BLE001 - the student's layer failed to reload: the test says why
        return {"before": before, "after": None, "error": f"{type(error).__name__}: {str(error)[:300]}"}
    return {"before": before, "after": after, "error": None}


def marker_quality(sub: Submission, train: list[np.ndarray], test_tokens: np.ndarray, epochs: int,
                   batch_size: int, learning_rate: float) -> dict[str, Any]:
    """The student's ``build_marker_model()`` recompiled by the grader (Adam, sparse categorical cross-entropy),
    trained on ``train`` for the grader's budget: its class probabilities and attention weights for the test
    tokens."""
    import keras

    model, attention_model = marker_models(sub)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    model.fit(train[0], train[1], epochs=epochs, batch_size=batch_size, verbose=0)
    return {"probabilities": np.asarray(model.predict(test_tokens, verbose=0), dtype=np.float32),
            "weights": np.asarray(attention_model.predict(test_tokens, verbose=0), dtype=np.float32)}


def seq2seq_quality(sub: Submission, train: list[np.ndarray], x_test: np.ndarray, epochs: int, batch_size: int,
                    learning_rate: float) -> np.ndarray:
    """The student's ``build_seq2seq()`` recompiled by the grader (Adam, MSE), trained with teacher forcing on
    ``train``, then decoded step by step by the grader on ``x_test`` (no teacher forcing), float32."""
    import keras

    model = sub.function("build_seq2seq")()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    x_train, y_train = train
    decoder_inputs = np.zeros_like(y_train)
    decoder_inputs[:, 1:] = y_train[:, :-1]
    model.fit([x_train, decoder_inputs], y_train, epochs=epochs, batch_size=batch_size, verbose=0)
    return grader_forecast(model, x_test, y_train.shape[1]).astype(np.float32)
