"""Example submissions of 06_cnn_resnet and the exact outcome a careful instructor expects.

Wrong submissions change one or two lines of the reference's cells (read from the solution notebook, so that
each variant differs from the reference by its mistakes only); correct alternatives are written in full.
"""

from __future__ import annotations

import functools

from tests.submissions import variants
from tests.submissions.variants import Variant

ASSIGNMENT = "06_cnn_resnet"
changed = functools.partial(variants.changed, ASSIGNMENT)


VALID_FUNCTIONAL = '''
def build_cnn():
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(filters=32, kernel_size=3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Conv2D(filters=64, kernel_size=3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(512, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="cnn_de_base")
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.CategoricalCrossentropy(),
                  metrics=[keras.metrics.CategoricalAccuracy()])
    return model
'''

VALID_STYLE = '''
def gram_matrix(features):
    height, width = ops.shape(features)[1], ops.shape(features)[2]
    return ops.einsum("bijc,bijd->bcd", features, features) / float(height * width)


def content_loss(content_features, generated_features):
    return ops.mean((generated_features - content_features) ** 2)


def style_loss(style_features, generated_features, weights=None):
    count = len(style_features)
    weights = [1 / count for _ in range(count)] if weights is None else list(weights)
    losses = [ops.mean(ops.square(gram_matrix(g) - gram_matrix(s))) for s, g in zip(style_features, generated_features)]
    return sum(w * loss for w, loss in zip(weights, losses))


def total_loss(generated_outputs, content_target, style_targets, content_weight=1.0, style_weight=1e-2,
               style_weights=None):
    content, *styles = generated_outputs
    return (content_weight * content_loss(content_target, content)
            + style_weight * style_loss(style_targets, styles, weights=style_weights))
'''

VALID_VGG = '''
def build_feature_extractor(input_shape=(224, 224, 3), weights=None):
    base = keras.applications.vgg16.VGG16(weights=weights, include_top=False, input_shape=input_shape)
    for layer in base.layers:
        layer.trainable = False
    names = [CONTENT_LAYER] + list(STYLE_LAYERS)
    return keras.Model(inputs=base.inputs, outputs=[base.get_layer(n).output for n in names])


def preprocess_vgg(images):
    return keras.applications.vgg16.preprocess_input(np.array(images, dtype="float32"))


def deprocess_vgg(x):
    rgb = (np.asarray(x, dtype="float32") + np.array(VGG_MEANS_BGR, dtype="float32"))[..., ::-1]
    return np.clip(rgb, 0, 255).astype("float32")
'''

VALID_DETECTION = '''
def build_detection_head(input_shape=IMAGE_SHAPE, num_classes=NUM_CLASSES):
    inputs = keras.Input(input_shape)
    features = layers.Flatten()(layers.MaxPooling2D(4)(layers.Conv2D(8, 3, activation="relu")(inputs)))
    features = layers.Dense(32, activation="relu")(features)
    return keras.Model(inputs, [layers.Dense(num_classes, activation="softmax")(features),
                                layers.Dense(4, activation="sigmoid")(features)])


def detection_loss(class_true, class_pred, box_true, box_pred, box_weight=1.0):
    classification = keras.losses.CategoricalCrossentropy()(class_true, class_pred)
    regression = keras.losses.MeanSquaredError()(box_true, box_pred)
    return classification + box_weight * regression
'''

VALID_PLOTS = '''
def plot_history(history):
    figure = plt.figure(figsize=(10, 4))
    epochs = range(1, len(history.history["loss"]) + 1)
    for position, (key, title) in enumerate((("accuracy", "accuracy"), ("loss", "perte")), start=1):
        ax = figure.add_subplot(1, 2, position)
        ax.plot(epochs, history.history[key], "o-", label=f"{title} (entraînement)")
        ax.plot(epochs, history.history["val_" + key], "s--", label=f"{title} (validation)")
        ax.set(xlabel="époque", ylabel=title)
        ax.legend(loc="best")
    return figure
'''

VARIANTS = [
    Variant(
        "wrong_labels_column_batch_max_sparse_loss",
        "encode_labels indexes np.eye(10) with the (n, 1) column of labels, giving (n, 1, 10); preprocess_images "
        "divides by the batch's largest pixel instead of 255; the CNN is compiled with "
        "sparse_categorical_crossentropy although the labels are one-hot (the grader trains it with integer "
        "labels for the quality check, so only the compilation check fails).",
        frozenset({"encode_labels_column", "preprocess_exact", "cnn_compile"}),
        {**changed("data", ('return np.asarray(images, dtype="float32") / 255.0',
                            'return np.asarray(images, dtype="float32") / np.max(images)'),
                   ('return keras.utils.to_categorical(np.asarray(labels).reshape(-1), NUM_CLASSES).astype("float32")',
                    'return np.eye(NUM_CLASSES, dtype="float32")[np.asarray(labels)]')),
         **changed("build_cnn", ('loss="categorical_crossentropy"', 'loss="sparse_categorical_crossentropy"'))},
    ),
    Variant(
        "wrong_shortcut_without_batchnorm",
        "The projection shortcut is a 1×1 convolution without its BatchNormalization: the block still has the "
        "right shapes, but the mini-ResNet has 256 parameters fewer.",
        frozenset({"block_zero_projection", "resnet_params"}),
        changed("resnet", ("        shortcut = layers.BatchNormalization()(shortcut)\n", "")),
        messages={"resnet_params": "attendu 153098, obtenu 152842"},
    ),
    Variant(
        "wrong_block_relu_before_sum",
        "The residual block's main path has its ReLU after the second BatchNormalization instead of between the "
        "two convolutions: shapes, parameter counts and the zero-kernel checks are unchanged.",
        frozenset({"block_inner_relu"}),
        changed("resnet", ('    y = layers.Activation("relu")(y)\n'
                           '    y = layers.Conv2D(filters, (3, 3), padding="same")(y)\n'
                           '    y = layers.BatchNormalization()(y)\n',
                           '    y = layers.Conv2D(filters, (3, 3), padding="same")(y)\n'
                           '    y = layers.BatchNormalization()(y)\n    y = layers.Activation("relu")(y)\n')),
    ),
    Variant(
        "wrong_resnet_valid_stem_no_relu_linear_output",
        "The mini-ResNet's first convolution uses padding \"valid\" (30×30 maps), has no ReLU after its "
        "BatchNormalization, and the last Dense has no softmax: the parameter count is unchanged.",
        frozenset({"resnet_resolutions", "resnet_stem_relu", "resnet_softmax"}),
        changed("resnet", ('    x = layers.Conv2D(32, (3, 3), padding="same")(inputs)\n'
                           '    x = layers.BatchNormalization()(x)\n'
                           '    x = layers.Activation("relu")(x)\n',
                           '    x = layers.Conv2D(32, (3, 3))(inputs)\n    x = layers.BatchNormalization()(x)\n'),
                ("layers.Dense(NUM_CLASSES, activation=\"softmax\")(x)", "layers.Dense(NUM_CLASSES)(x)")),
    ),
    Variant(
        "wrong_training_fixed_settings_evaluate_swapped",
        "train_model ignores its batch_size and validation_split arguments (64 and 0.1 written in fit); "
        "evaluate_model unpacks model.evaluate as (accuracy, loss).",
        frozenset({"train_settings", "evaluate"}),
        changed("training", ("batch_size=batch_size, validation_split=validation_split",
                             "batch_size=64, validation_split=0.1"),
                ("loss, accuracy = model.evaluate", "accuracy, loss = model.evaluate")),
    ),
    Variant(
        "wrong_vgg_rgb_order_not_frozen",
        "preprocess_vgg subtracts the BGR means from RGB channels (no channel flip); the extractor is not frozen.",
        frozenset({"preprocess_vgg", "extractor_frozen_shapes"}),
        changed("vgg", ("    vgg.trainable = False\n", ""),
                ('return ops.convert_to_numpy(ops.flip(x, axis=-1) - ops.convert_to_tensor(VGG_MEANS_BGR, '
                 'dtype="float32"))',
                 'return ops.convert_to_numpy(x - ops.convert_to_tensor(VGG_MEANS_BGR, dtype="float32"))')),
    ),
    Variant(
        "wrong_total_loss_weights_swapped_tensorflow",
        "total_loss weighs the content loss with style_weight and the style loss with content_weight; gram_matrix and "
        "content_loss are written with TensorFlow (right values, but tied to one backend).",
        frozenset({"total_loss", "backend_portable"}),
        changed("style",
                ("    shape = ops.shape(features)\n    flat = ops.reshape(features, (shape[0], shape[1] * shape[2], "
                 "shape[3]))\n    return ops.matmul(ops.transpose(flat, (0, 2, 1)), flat) / ops.cast(shape[1] * "
                 "shape[2], features.dtype)",
                 "    import tensorflow as tf\n\n    shape = tf.shape(features)\n"
                 "    flat = tf.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))\n"
                 "    return tf.linalg.matmul(flat, flat, transpose_a=True) / tf.cast(shape[1] * shape[2], "
                 "features.dtype)"),
                ("    return ops.mean(ops.square(generated_features - content_features))",
                 "    import tensorflow as tf\n\n"
                 "    return tf.reduce_mean(tf.square(generated_features - content_features))"),
                ("return content_weight * content + style_weight * style",
                 "return style_weight * content + content_weight * style")),
        messages={"backend_portable": "tf.linalg.matmul"},
    ),
    Variant(
        "wrong_detection_linear_box_weight_ignored_gram_hwc",
        "The box output is a linear Dense(4) (values outside [0, 1]); detection_loss adds the box loss without "
        "its weight; gram_matrix divides by H·W·C instead of H·W. The style and total losses, built on that "
        "gram_matrix and right otherwise, keep their points: the mistake costs the two Gram checks only.",
        frozenset({"detection_activations", "detection_loss_weight", "gram_single", "gram_batch_normalisation"}),
        {**changed("detection", ('layers.Dense(4, activation="sigmoid", name="boite")',
                                 'layers.Dense(4, name="boite")'),
                   ("return classification + box_weight * regression", "return classification + regression")),
         **changed("style", ("ops.cast(shape[1] * shape[2], features.dtype)",
                             "ops.cast(shape[1] * shape[2] * shape[3], features.dtype)"))},
    ),
    Variant(
        "valid_functional_cnn_and_library_helpers",
        "Correct alternatives: a functional CNN compiled with loss and metric objects; VGG16 preprocessing with "
        "keras.applications.vgg16.preprocess_input and numpy; Gram matrices with ops.einsum; Keras loss objects "
        "in the detection loss and another small detection backbone.",
        frozenset(),
        {"build_cnn": VALID_FUNCTIONAL, "vgg": VALID_VGG, "style": VALID_STYLE, "detection": VALID_DETECTION},
    ),
    Variant(
        "valid_other_plotting_and_sequential_parts",
        "Correct alternatives: plot_history with plt.figure and add_subplot, epochs from 1; encode_labels with "
        "np.eye on the flattened labels; the residual block with layers.ReLU and its shortcut decided before the "
        "main path; train_model with keyword arguments.",
        frozenset(),
        {"plot_history": VALID_PLOTS, "data": '''
def preprocess_images(images):
    return images.astype(np.float32) / 255


def encode_labels(labels):
    return np.eye(10, dtype=np.float32)[np.ravel(labels).astype(int)]
''', "resnet": '''
def residual_block(x, filters, stride=1):
    if stride == 1 and x.shape[-1] == filters:
        shortcut = x
    else:
        shortcut = layers.BatchNormalization()(layers.Conv2D(filters, 1, strides=stride, padding="same")(x))
    y = layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(filters, 3, strides=stride, padding="same")(x)))
    y = layers.BatchNormalization()(layers.Conv2D(filters, 3, padding="same")(y))
    return layers.ReLU()(layers.Add()([shortcut, y]))


def build_mini_resnet():
    inputs = keras.Input((32, 32, 3))
    x = layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(32, 3, padding="same")(inputs)))
    x = residual_block(x, 32)
    x = residual_block(x, 64, stride=2)
    x = residual_block(x, 64)
    outputs = layers.Dense(10, activation="softmax")(layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model
''', "training": '''
def train_model(model, x, y, epochs=10, batch_size=64, validation_split=0.1):
    history = model.fit(x=x, y=y, batch_size=batch_size, epochs=epochs, verbose=0,
                        validation_split=validation_split)
    return history


def evaluate_model(model, x, y):
    scores = model.evaluate(x, y, verbose=0, return_dict=True)
    return {"loss": float(scores["loss"]), "accuracy": float(scores["accuracy"])}
'''},
    ),
]
