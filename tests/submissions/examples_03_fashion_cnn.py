"""Example submissions of 03_fashion_cnn and the exact outcome a careful instructor expects."""

from __future__ import annotations

from tests.submissions.variants import Variant

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
]
