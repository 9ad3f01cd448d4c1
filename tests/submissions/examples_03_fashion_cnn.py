"""Example submissions of 03_fashion_cnn and the exact outcome a careful instructor expects."""

from __future__ import annotations

from tests.submissions.variants import Variant, changed

ASSIGNMENT = "03_fashion_cnn"

ENCODE_LABELS = '''

def encode_labels(labels):
    return keras.utils.to_categorical(labels, num_classes=10).astype("float32")
'''

PREPROCESS_IMAGES = '''
def preprocess_images(images):
    return (np.asarray(images, dtype="float32") / 255.0).reshape(-1, 28, 28, 1)
'''

BUILD_AUGMENTATION = '''
def build_augmentation():
    return keras.Sequential([
        layers.RandomRotation(10 / 360, fill_mode="constant"),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
        layers.RandomZoom(0.1, fill_mode="constant"),
    ])
'''

MAKE_AUGMENTED_DATASET = '''

def make_augmented_dataset(images, labels, augmentation, batch_size=128, seed=0):
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images), seed=seed)
    return dataset.batch(batch_size).map(lambda x, y: (augmentation(x, training=True), y))
'''

CLASSIFICATION_REPORT = '''

def classification_summary(y_true, y_pred):
    return classification_report(y_true, y_pred, labels=list(range(10)), target_names=CLASS_NAMES,
                                 output_dict=True, zero_division=0)


def class_f1(report, class_index):
    return float(report[CLASS_NAMES[class_index]]["f1-score"])
'''

VARIANTS = [
    Variant(
        "wrong_pixels_not_scaled",
        "Pixels converted to float32 and reshaped, but not divided by 255: values stay in [0, 255].",
        frozenset({"preprocess_images", "preprocess_exact"}),
        {"preprocess": '''
def preprocess_images(images):
    return np.asarray(images, dtype="float32").reshape(-1, 28, 28, 1)
''' + ENCODE_LABELS},
    ),
    Variant(
        "wrong_labels_not_one_hot",
        "Labels left as integers, so the CNN is compiled with the sparse loss instead of categorical "
        "cross-entropy on one-hot labels. The grader trains the CNN with labels in the format of its own loss: "
        "its quality is not penalised a second time.",
        frozenset({"encode_labels", "encode_labels_all_classes", "cnn_compile"}),
        {"preprocess": PREPROCESS_IMAGES + '''

def encode_labels(labels):
    return np.asarray(labels)
''',
         "build_cnn": '''
def build_cnn():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)), layers.Dropout(0.25),
        layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)), layers.Dropout(0.25),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
'''},
    ),
    Variant(
        "wrong_cnn_single_conv_block",
        "The second block (Conv2D 64, MaxPooling, Dropout) is missing: wrong layers and parameter count "
        "(693 962 instead of 225 034).",
        frozenset({"cnn_layers", "cnn_params"}),
        {"build_cnn": '''
def build_cnn():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
'''},
    ),
    Variant(
        "wrong_report_arguments_swapped",
        "classification_report(y_pred, y_true): precision and recall exchanged and support counted on the "
        "predictions. One mistake: the check of precision and recall (y_true first) takes its point; F1, support "
        "and the absent class accept that order.",
        frozenset({"report_precision_recall"}),
        changed(ASSIGNMENT, "evaluation",
                ("classification_report(y_true, y_pred,", "classification_report(y_pred, y_true,")),
        messages={"report_precision_recall": "Précision et rappel sont échangés"},
    ),
    Variant(
        "wrong_validation_augmented",
        "train_model augments the validation images too (make_augmented_dataset on validation_data): the "
        "validation scores no longer measure the model on the real validation images.",
        frozenset({"train_validation_untouched"}),
        changed(ASSIGNMENT, "train_model", (
            "model.fit(dataset, epochs=epochs, validation_data=validation_data,",
            "model.fit(dataset, epochs=epochs,\n                     "
            "validation_data=make_augmented_dataset(*validation_data, augmentation),")),
        messages={"train_validation_untouched": "L'augmentation sert à l'entraînement seulement"},
    ),
    Variant(
        "wrong_augmentation_does_nothing",
        "Augmentation layers left with factors of 0: the images never change.",
        frozenset({"augment_changes_images", "augment_factors"}),
        {"augmentation": '''
def build_augmentation():
    return keras.Sequential([
        layers.RandomRotation(0.0),
        layers.RandomTranslation(0.0, 0.0),
        layers.RandomZoom(0.0),
    ])
''' + MAKE_AUGMENTED_DATASET},
    ),
    Variant(
        "wrong_dataset_labels_misaligned",
        "Images shuffled and augmented in one dataset, labels batched in another, then zipped: "
        "the images no longer match their labels.",
        frozenset({"augmented_dataset_batches"}),
        {"augmentation": BUILD_AUGMENTATION + '''

def make_augmented_dataset(images, labels, augmentation, batch_size=128, seed=0):
    images_ds = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images), seed=seed).batch(batch_size)
    images_ds = images_ds.map(lambda x: augmentation(x, training=True))
    labels_ds = tf.data.Dataset.from_tensor_slices(labels).batch(batch_size)
    return tf.data.Dataset.zip((images_ds, labels_ds))
'''},
    ),
    Variant(
        "wrong_pixels_divided_by_max",
        "Pixels divided by the batch's largest pixel instead of 255: the same as pixel / 255 only for a batch "
        "that holds a 255 (the public test's), wrong for darker batches (the hidden test's, brightest 200 and 120).",
        frozenset({"preprocess_exact"}),
        {"preprocess": '''
def preprocess_images(images):
    images = np.asarray(images, dtype="float32")
    return (images / images.max()).reshape(-1, 28, 28, 1)
''' + ENCODE_LABELS},
        messages={"preprocess_exact": "maximum du lot"},
    ),
    Variant(
        "valid_functional_cnn",
        "Both networks written with the functional API (keras.Input + keras.Model), the separate softmax as "
        "layers.Activation(\"softmax\"): the same models as the reference's Sequential ones.",
        frozenset(),
        {"build_dense_baseline": '''
def build_dense_baseline():
    inputs = keras.Input(shape=(28, 28, 1))
    hidden = layers.Dropout(0.2)(layers.Dense(128, activation="relu")(layers.Flatten()(inputs)))
    outputs = layers.Activation("softmax")(layers.Dense(10)(hidden))
    model = keras.Model(inputs=inputs, outputs=outputs, name="dense")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
         "build_cnn": '''
def build_cnn():
    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
    for filters in (32, 64):
        x = layers.Conv2D(filters, (3, 3), activation="relu")(x)
        x = layers.MaxPooling2D((2, 2))(x)
        x = layers.Dropout(0.25)(x)
    x = layers.Dropout(0.5)(layers.Dense(128, activation="relu")(layers.Flatten()(x)))
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
'''},
    ),
    Variant(
        "valid_compile_objects",
        "Optimizer, loss and metric given as Keras objects (Adam(), SparseCategoricalCrossentropy(), the loss "
        "function categorical_crossentropy, SparseCategoricalAccuracy / CategoricalAccuracy: the accuracy that "
        "\"accuracy\" stands for with each kind of label) and models built with Sequential.add.",
        frozenset(),
        {"build_dense_baseline": '''
def build_dense_baseline():
    model = keras.Sequential([keras.Input(shape=(28, 28, 1))])
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dropout(0.2))
    model.add(layers.Dense(10, activation=None))
    model.add(layers.Softmax())
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model
''',
         "build_cnn": '''
def build_cnn():
    model = keras.Sequential(name="cnn")
    model.add(keras.Input(shape=(28, 28, 1)))
    for filters in (32, 64):
        model.add(layers.Conv2D(filters, kernel_size=3, activation="relu"))
        model.add(layers.MaxPooling2D(pool_size=2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(10, activation="softmax"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss=keras.losses.categorical_crossentropy,
                  metrics=[keras.metrics.CategoricalAccuracy()])
    return model
'''},
    ),
    Variant(
        "valid_tensorflow_ops",
        "Preprocessing, one-hot labels, predicted classes and the confusion matrix written with TensorFlow "
        "operations: they return tensors, not numpy arrays; the augmentation is drawn image by image (map before "
        "batch) and the curves are drawn with plt.plot against epochs numbered from 1.",
        frozenset(),
        {"preprocess": '''
def preprocess_images(images):
    return tf.reshape(tf.cast(images, tf.float32) / 255.0, (-1, 28, 28, 1))


def encode_labels(labels):
    return tf.one_hot(labels, depth=10)
''',
         "augmentation": BUILD_AUGMENTATION + '''

def make_augmented_dataset(images, labels, augmentation, batch_size=128, seed=0):
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images), seed=seed)
    dataset = dataset.map(lambda x, y: (augmentation(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size)
''',
         "evaluation": '''
def predict_classes(model, images):
    return keras.ops.argmax(model(images, training=False), axis=-1)
''' + CLASSIFICATION_REPORT + '''

def confusion(y_true, y_pred):
    return tf.math.confusion_matrix(y_true, y_pred, num_classes=10)
''',
         "plot_accuracy_curves": '''
def plot_accuracy_curves(histories):
    figure = plt.figure(figsize=(8, 4.5))
    for name, history in histories.items():
        epochs = range(1, len(history.history["accuracy"]) + 1)
        plt.plot(epochs, history.history["accuracy"], marker="o", label=f"{name} (entraînement)")
        plt.plot(epochs, history.history["val_accuracy"], linestyle="--", label=f"{name} (validation)")
    plt.xlabel("Époque")
    plt.ylabel("Accuracy")
    plt.legend(loc="lower right")
    plt.grid(True)
    return figure
'''},
    ),
]
