"""Example submissions of 07_segmentation and the exact outcome a careful instructor expects."""

from __future__ import annotations

from tests.submissions.variants import Variant, changed

ASSIGNMENT = "07_segmentation"

DISCS_UNCLIPPED_ANYWHERE = '''
def make_discs(n, size=128, seed=0):
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size]
    images = np.zeros((n, size, size, 1), dtype="float32")
    masks = np.zeros((n, size, size, 1), dtype="float32")
    for k in range(n):
        cy, cx = rng.uniform(0, size, size=2)
        radius = rng.uniform(10, 25)
        disc = (rows - cy) ** 2 + (cols - cx) ** 2 <= radius ** 2
        masks[k, :, :, 0] = disc
        images[k, :, :, 0] = disc + rng.normal(0.0, 0.1, size=(size, size))
    return images, masks
'''


def metrics(dice: str, loss: str = "1.0 - dice_coefficient(y_true, y_pred)",
            iou: str = "(intersection + SMOOTH) / (union + SMOOTH)") -> str:
    """The metrics cell with the Dice body ``dice`` (after flattening), the loss and IoU expressions given."""
    return f'''
def flat(y):
    return ops.reshape(ops.cast(y, "float32"), (-1,))


def dice_coefficient(y_true, y_pred):
{dice}


def dice_loss(y_true, y_pred):
    return {loss}


def iou(y_true, y_pred):
    y_true, y_pred = flat(y_true), flat(y_pred)
    intersection = ops.sum(y_true * y_pred)
    union = ops.sum(y_true) + ops.sum(y_pred) - intersection
    return {iou}
'''


DICE_WHOLE_BATCH = '''    y_true, y_pred = flat(y_true), flat(y_pred)
    return (2.0 * ops.sum(y_true * y_pred) + SMOOTH) / (ops.sum(y_true) + ops.sum(y_pred) + SMOOTH)'''
DICE_PER_IMAGE = '''    y_true, y_pred = ops.cast(y_true, "float32"), ops.cast(y_pred, "float32")
    axes = (1, 2, 3)
    per_image = (2.0 * ops.sum(y_true * y_pred, axis=axes) + SMOOTH) / (
        ops.sum(y_true, axis=axes) + ops.sum(y_pred, axis=axes) + SMOOTH)
    return ops.mean(per_image)'''

CONV_BLOCK_RELU_FIRST = '''
def conv_block(inputs, filters):
    x = inputs
    for _ in range(2):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.BatchNormalization()(x)
    return x


def build_unet(input_shape=(128, 128, 1)):
    inputs = keras.Input(input_shape)
    encoder, x = [], inputs
    for filters in [8, 16, 32]:
        x = conv_block(x, filters)
        encoder.append(x)
        x = layers.MaxPooling2D((2, 2))(x)
    x = conv_block(x, 128)
    for up, filters in [(128, 32), (64, 16), (32, 8)]:
        x = layers.Conv2DTranspose(up, (2, 2), strides=(2, 2))(x)
        x = conv_block(layers.concatenate([encoder.pop(), x]), filters)
    return keras.Model(inputs=inputs, outputs=layers.Conv2D(1, (1, 1), activation="sigmoid")(x))
'''

TRAIN_WITHOUT_BATCH_SIZE = '''
def train_unet(model, x_train, y_train, x_val, y_val, epochs=10, batch_size=4):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=dice_loss,
                  metrics=[dice_coefficient, iou])
    return model.fit(x_train, y_train, epochs=epochs, validation_data=(x_val, y_val), verbose=0)
'''

PREDICT_TRAINING_MODE = '''
def predict_masks(model, images, threshold=0.5):
    import tensorflow as tf

    probabilities = model(images, training=True)
    return tf.cast(probabilities > threshold, tf.float32).numpy()


def plot_segmentation(images, masks, predictions):
    figure, axes = plt.subplots(len(images), 3, figsize=(9, 3 * len(images)), squeeze=False)
    for row in range(len(images)):
        for column, (picture, title) in enumerate(((images, "Entrée"), (masks, "Masque vrai"),
                                                   (predictions, "Prédiction"))):
            axes[row, column].imshow(picture[row, :, :, 0], cmap="gray")
            axes[row, column].set_title(title)
    return figure
'''

PLOT_PREDICTION_BEFORE_MASK = '''
def predict_masks(model, images, threshold=0.5):
    return (model.predict(images, verbose=0) > threshold).astype("float32")


def plot_segmentation(images, masks, predictions):
    figure, axes = plt.subplots(len(images), 3, squeeze=False)
    for row in range(len(images)):
        for column, (picture, title) in enumerate(((images, "Entrée"), (predictions, "Prédiction"),
                                                   (masks, "Masque vrai"))):
            axes[row, column].imshow(picture[row, :, :, 0], cmap="gray")
            axes[row, column].set_title(title)
    return figure
'''

CONV3D_SAME_FILTERS = '''
def build_conv3d_model(input_shape=(32, 32, 32, 1), filters_start=16, kernel_size=3):
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv3D(filters_start, kernel_size, activation="relu", padding="same"),
        layers.MaxPooling3D(2),
        layers.Conv3D(filters_start, kernel_size, activation="relu", padding="same"),
        layers.MaxPooling3D(2),
        layers.Flatten(),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
'''

TRACKING_RANDOM_METRICS = '''
def track_conv3d(train, validation, epochs, tracking_uri, batch_size=8):
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("3D_Volumetric_Analysis")
    with mlflow.start_run(run_name="Conv3D_Baseline"):
        model = build_conv3d_model()
        mlflow.log_text(model.to_json(), "architecture.json")
        mlflow.log_params({"optimizer": "adam", "filters_start": 16, "input_shape": (32, 32, 32, 1),
                           "kernel_size": 3})
        model.fit(*train, epochs=epochs, batch_size=batch_size, verbose=0)
        scores = {"val_loss": float(np.random.uniform(0.1, 0.5)), "val_accuracy": float(np.random.uniform(0.8, 1.0))}
        mlflow.log_metrics(scores)
    return model, scores
'''

VARIANTS = [
    Variant(
        "wrong_discs_unclipped_centres_anywhere_dice_smooth_1",
        "make_discs draws the centres anywhere in the image (no 20-pixel margin) and never clips the noisy image "
        "to [0, 1]: the noise level, the shapes and the seeding are right. The Dice coefficient smooths with 1 "
        "instead of 1e-6; the loss, 1 − that Dice, and its gradient keep their points: the mistake costs the "
        "Dice checks only.",
        frozenset({"discs_noise", "discs_geometry", "dice_values", "metrics_whole_batch_dice_coefficient",
                   "metrics_empty_masks"}),
        {"make_discs": DISCS_UNCLIPPED_ANYWHERE, "metrics": metrics(DICE_WHOLE_BATCH.replace("SMOOTH", "1.0"))},
    ),
    Variant(
        "wrong_dice_mean_per_image",
        "The Dice coefficient is computed per image and averaged over the batch instead of over the whole "
        "flattened batch: the same on one image, different on a batch of masks of different sizes (the loss, "
        "1 − Dice, follows).",
        frozenset({"metrics_whole_batch_dice_coefficient"}),
        {"metrics": metrics(DICE_PER_IMAGE)},
    ),
    Variant(
        "wrong_iou_unsmoothed_and_negative_dice_loss",
        "Two independent slips: IoU without the smoothing (0 / 0 = NaN on two empty masks), and the loss written "
        "as −Dice instead of 1 − Dice (same gradient, so training and its gradient check still pass, but the "
        "values are not the Dice loss).",
        frozenset({"metrics_empty_masks", "dice_loss_values"}),
        {"metrics": metrics(DICE_WHOLE_BATCH, loss="-dice_coefficient(y_true, y_pred)",
                            iou="intersection / union")},
    ),
    Variant(
        "wrong_conv_block_relu_before_batchnorm",
        "conv_block puts the ReLU inside the convolution (Conv2D(activation=\"relu\") → BatchNormalization) "
        "instead of Conv2D → BatchNormalization → ReLU: same parameters, shapes and skips, the U-Net still "
        "learns the discs; only the block's layer order is wrong. The U-Net itself is written another valid way "
        "(a loop, layers.concatenate with the order [skip, upsampled], tuples for sizes, no padding argument on "
        "the transposed convolutions), which costs nothing.",
        frozenset({"conv_block_layers"}),
        {"unet": CONV_BLOCK_RELU_FIRST},
    ),
    Variant(
        "wrong_batch_size_ignored_and_training_mode_predictions",
        "Three independent slips: train_unet never passes batch_size to fit (Keras' 32 is used), and predict_masks "
        "calls the model in training mode (BatchNormalization then uses the batch's statistics, not the learned "
        "moving ones) and thresholds with TensorFlow (tf.cast: right values, but tied to one backend).",
        frozenset({"train_budget", "predict_inference_mode", "backend_portable"}),
        {"train_unet": TRAIN_WITHOUT_BATCH_SIZE, "predict_masks": PREDICT_TRAINING_MODE},
        messages={"backend_portable": "tf.cast"},
    ),
    Variant(
        "wrong_fit_on_masks_and_threshold_inclusive",
        "Two independent slips in the reference: train_unet fits the masks as inputs and the images as targets "
        "(same shapes: compilation, steps and history are right), and predict_masks keeps the probabilities ≥ the "
        "threshold where the statement says > (only a probability of exactly 0.5 tells them apart).",
        frozenset({"train_inputs_and_targets", "predict_threshold"}),
        {**changed(ASSIGNMENT, "train_unet", ("model.fit(x_train, y_train,", "model.fit(y_train, x_train,")),
         **changed(ASSIGNMENT, "predict_masks", ("(probabilities) > threshold", "(probabilities) >= threshold"))},
        messages={"train_inputs_and_targets": "pas les masques"},
    ),
    Variant(
        "wrong_tracking_default_experiment",
        "track_conv3d logs the right run (name, parameters, architecture, measured metrics) but never calls "
        "mlflow.set_experiment, so the run lands in « Default »: one point for where it is, its content judged "
        "there.",
        frozenset({"conv3d_run"}),
        changed(ASSIGNMENT, "tracking", ('    mlflow.set_experiment("3D_Volumetric_Analysis")\n', "")),
        messages={"conv3d_run": "dans l'expérience « Default »"},
    ),
    Variant(
        "wrong_figure_order_and_conv3d_filters",
        "Two independent slips: the figure shows the prediction before the true mask, and the second Conv3D "
        "keeps filters_start filters instead of twice as many (the tracked run still logs that model's own "
        "architecture and real metrics).",
        frozenset({"segmentation_figure", "conv3d_layers", "conv3d_arguments"}),
        {"predict_masks": PLOT_PREDICTION_BEFORE_MASK, "conv3d": CONV3D_SAME_FILTERS},
    ),
    Variant(
        "wrong_random_metrics_like_the_repository",
        "track_conv3d logs random numbers as validation metrics, as the original repository did: the run, its "
        "parameters and its architecture are right.",
        frozenset({"conv3d_real_metrics"}),
        {"tracking": TRACKING_RANDOM_METRICS},
    ),
    Variant(
        "valid_other_spellings",
        "Written the other ways Keras, numpy and MLflow allow: integer centres and radii from a legacy "
        "RandomState, masks from np.hypot; metrics summed without reshaping; compile with \"adam\"; np.where "
        "thresholds; the figure drawn with plt.subplot; a functional Conv3D model; MLflow with log_param, "
        "log_dict, explicit start and end of the run, and the validation metrics read from the history's last "
        "epoch.",
        frozenset(),
        {"make_discs": '''
def make_discs(n, size=128, seed=0):
    state = np.random.RandomState(seed)
    ys, xs = np.indices((size, size))
    images, masks = [], []
    for _ in range(n):
        cy, cx = state.randint(20, size - 20 + 1, size=2)
        radius = state.randint(10, 26)
        mask = (np.hypot(ys - cy, xs - cx) <= radius).astype(np.float32)
        masks.append(mask[..., None])
        images.append(np.clip(mask + state.normal(0, 0.1, mask.shape), 0, 1)[..., None])
    return np.array(images, dtype=np.float32), np.array(masks, dtype=np.float32)
''',
         "metrics": '''
def dice_coefficient(y_true, y_pred):
    y_true = ops.cast(y_true, y_pred.dtype)
    return (2 * ops.sum(y_true * y_pred) + SMOOTH) / (ops.sum(y_true) + ops.sum(y_pred) + SMOOTH)


def dice_loss(y_true, y_pred):
    return 1 - dice_coefficient(y_true, y_pred)


def iou(y_true, y_pred):
    y_true = ops.cast(y_true, y_pred.dtype)
    inter = ops.sum(ops.multiply(y_true, y_pred))
    return (inter + SMOOTH) / (ops.sum(y_true) + ops.sum(y_pred) - inter + SMOOTH)
''',
         "train_unet": '''
def train_unet(model, x_train, y_train, x_val, y_val, epochs=10, batch_size=4):
    model.compile("adam", dice_loss, metrics=[dice_coefficient, iou])
    history = model.fit(x_train, y_train, batch_size, epochs, verbose=0, validation_data=(x_val, y_val))
    return history
''',
         "predict_masks": '''
def predict_masks(model, images, threshold=0.5):
    return np.where(model.predict(images, verbose=0) > threshold, 1.0, 0.0).astype(np.float32)


def plot_segmentation(images, masks, predictions):
    figure = plt.figure(figsize=(8, 3 * len(images)))
    for i in range(len(images)):
        for j, (name, array) in enumerate([("image", images), ("vérité", masks), ("prédiction", predictions)]):
            plt.subplot(len(images), 3, 3 * i + j + 1)
            plt.imshow(np.squeeze(array[i]), cmap="viridis")
            if i == 0:
                plt.title(name)
    return figure
''',
         "conv3d": '''
def build_conv3d_model(input_shape=(32, 32, 32, 1), filters_start=16, kernel_size=3):
    inputs = keras.Input(shape=input_shape)
    x = layers.MaxPooling3D((2, 2, 2))(layers.Conv3D(filters_start, kernel_size, padding="same",
                                                     activation="relu")(inputs))
    x = layers.MaxPooling3D((2, 2, 2))(layers.Conv3D(filters_start * 2, kernel_size, padding="same",
                                                     activation="relu")(x))
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(layers.Flatten()(x)))
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy(),
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return model
''',
         "tracking": '''
def track_conv3d(train, validation, epochs, tracking_uri, batch_size=8):
    mlflow.set_tracking_uri(tracking_uri)
    experiment = mlflow.set_experiment("3D_Volumetric_Analysis")
    mlflow.start_run(experiment_id=experiment.experiment_id, run_name="Conv3D_Baseline")
    model = build_conv3d_model()
    mlflow.log_dict(json.loads(model.to_json()), "architecture.json")
    mlflow.log_param("optimizer", "Adam")
    mlflow.log_param("filters_start", 16)
    mlflow.log_param("input_shape", [32, 32, 32, 1])
    mlflow.log_param("kernel_size", (3, 3, 3))
    history = model.fit(train[0], train[1], epochs=epochs, batch_size=batch_size, validation_data=validation,
                        verbose=0)
    scores = {"val_loss": history.history["val_loss"][-1], "val_accuracy": history.history["val_accuracy"][-1]}
    mlflow.log_metric("val_loss", scores["val_loss"])
    mlflow.log_metric("val_accuracy", scores["val_accuracy"])
    mlflow.end_run()
    return model, scores
'''},
    ),
    Variant(
        "valid_vectorised_and_evaluate_dict",
        "Discs drawn all at once with numpy broadcasting; the figure through plt.subplots and axes.flat with "
        "squeezed images; train_unet with keyword arguments; track_conv3d with string parameters and "
        "evaluate(return_dict=True).",
        frozenset(),
        {"make_discs": '''
def make_discs(n, size=128, seed=0):
    generator = np.random.default_rng(seed)
    centres = generator.uniform(20, size - 20, size=(n, 2))
    radii = generator.uniform(10, 25, size=n)
    grid = np.arange(size, dtype=np.float64)
    distance = ((grid[None, :, None] - centres[:, 0, None, None]) ** 2
                + (grid[None, None, :] - centres[:, 1, None, None]) ** 2)
    masks = (distance <= radii[:, None, None] ** 2)[..., np.newaxis].astype(np.float32)
    noise = generator.normal(scale=0.1, size=masks.shape)
    return np.clip(masks + noise, 0.0, 1.0).astype(np.float32), masks
''',
         "train_unet": '''
def train_unet(model, x_train, y_train, x_val, y_val, epochs=10, batch_size=4):
    model.compile(loss=dice_loss, optimizer=keras.optimizers.Adam(0.001), metrics=[dice_coefficient, iou])
    return model.fit(x=x_train, y=y_train, batch_size=batch_size, epochs=epochs, validation_data=(x_val, y_val),
                     verbose=0)
''',
         "predict_masks": '''
def predict_masks(model, images, threshold=0.5):
    probabilities = model.predict(images, batch_size=16, verbose=0)
    return (probabilities > threshold).astype(np.float32)


def plot_segmentation(images, masks, predictions):
    figure, axes = plt.subplots(nrows=len(images), ncols=3, squeeze=False)
    titles = ["Image", "Masque", "Prédiction"]
    for k, ax in enumerate(axes.flat):
        row, column = divmod(k, 3)
        ax.imshow([images, masks, predictions][column][row].squeeze())
        ax.set_title(titles[column])
        ax.set_xticks([])
        ax.set_yticks([])
    return figure
''',
         "tracking": '''
def track_conv3d(train, validation, epochs, tracking_uri, batch_size=8):
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("3D_Volumetric_Analysis")
    with mlflow.start_run(run_name="Conv3D_Baseline") as run:
        model = build_conv3d_model(filters_start=16, kernel_size=3)
        mlflow.log_params({"optimizer": "adam", "filters_start": "16", "input_shape": "32x32x32x1",
                           "kernel_size": "3"})
        mlflow.log_text(model.to_json(indent=2), "architecture.json")
        model.fit(train[0], train[1], batch_size=batch_size, epochs=epochs, verbose=0)
        evaluation = model.evaluate(validation[0], validation[1], return_dict=True, verbose=0)
        scores = {"val_loss": evaluation["loss"], "val_accuracy": evaluation["accuracy"]}
        mlflow.log_metrics(scores, run_id=run.info.run_id)
    return model, scores
'''},
    ),
]
