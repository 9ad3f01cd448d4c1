"""Example submissions of 05_improving_networks and the exact outcome a careful instructor expects."""

from __future__ import annotations

from tests.submissions.variants import Variant

ASSIGNMENT = "05_improving_networks"

PREPROCESS_IMAGES = '''
def preprocess_images(images):
    return (np.asarray(images, dtype="float32") / 255.0).reshape(len(images), 784)
'''

LOG_EPOCH_METRICS = '''
def log_epoch_metrics(history):
    for epoch in range(len(history.history["loss"])):
        mlflow.log_metric("training_accuracy", history.history["accuracy"][epoch], step=epoch)
        mlflow.log_metric("validation_accuracy", history.history["val_accuracy"][epoch], step=epoch)
        mlflow.log_metric("training_loss", history.history["loss"][epoch], step=epoch)
        mlflow.log_metric("validation_loss", history.history["val_loss"][epoch], step=epoch)
'''

TRAIN_AND_LOG = '''

def train_and_log(model, name, train, validation, test, epochs, batch_size):
    history = model.fit(train[0], train[1], epochs=epochs, batch_size=batch_size, validation_data=validation,
                        verbose=0)
    mlflow.log_param("optimizer", name)
    mlflow.log_param("epochs", epochs)
    log_epoch_metrics(history)
    loss, accuracy = model.evaluate(test[0], test[1], verbose=0)
    mlflow.log_metric("final_test_accuracy", accuracy)
    mlflow.log_metric("final_test_loss", loss)
    return {"test_accuracy": accuracy, "test_loss": loss}
'''


def tracking(experiment: str, run: str, uri: str = "mlflow.set_tracking_uri(tracking_uri)") -> str:
    """The tracking cell with the experiment's name, a run-name pattern (``{name}``) and the URI statement given."""
    return LOG_EPOCH_METRICS + TRAIN_AND_LOG + f'''

def compare_optimizers(train, validation, test, epochs, tracking_uri, batch_size=128):
    {uri}
    mlflow.set_experiment("{experiment}")
    results = {{}}
    for name in OPTIMIZERS:
        with mlflow.start_run(run_name=f"{run}"):
            results[name] = train_and_log(build_model(make_optimizer(name)), name, train, validation, test,
                                          epochs, batch_size)
    return results
'''


def track_batchnorm(run: str) -> str:
    """A track_batchnorm that trains through train_and_log in a run named ``run``."""
    return f'''

def track_batchnorm(train, validation, test, epochs, tracking_uri, batch_size=128):
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("Batch Normalization Test")
    with mlflow.start_run(run_name="{run}"):
        return train_and_log(build_batchnorm_model(make_optimizer("Adam")), "Adam", train, validation, test,
                             epochs, batch_size)
'''


VARIANTS = [
    Variant(
        "wrong_validation_from_the_start",
        "The validation set is taken from the start of the training data (x[:6000]) and training from the rest: "
        "sizes are right, contents are not.",
        frozenset({"split_default", "split_validation_size"}),
        {"data": PREPROCESS_IMAGES + '''

def split_train_validation(x, y, validation_size=6000):
    return x[validation_size:], y[validation_size:], x[:validation_size], y[:validation_size]
'''},
    ),
    Variant(
        "wrong_diagnosis_best_epoch",
        "The diagnosis reads the best accuracies of the training (max over epochs) instead of the last epoch: "
        "right whenever accuracies only grow, wrong when the last epoch falls back.",
        frozenset({"diagnosis_last_epoch"}),
        {"diagnose": '''
def diagnose(history):
    train, val = max(history.history["accuracy"]), max(history.history["val_accuracy"])
    if train < 0.90:
        return HIGH_BIAS, f"meilleure accuracy d'entraînement {train:.3f} sous 0.90"
    if train - val > 0.02:
        return HIGH_VARIANCE, f"écart de {train - val:.3f} avec la validation"
    return BALANCED, f"entraînement {train:.3f}, validation {val:.3f}"
'''},
    ),
    Variant(
        "wrong_inclusive_bias_and_l2_factor",
        "Two independent slips, each costing its own check: high bias declared for a training accuracy of 0.90 or "
        "less (<= instead of <: exactly 0.90 is balanced by the rule), and an L2 penalty of 0.01 instead of 0.001, "
        "a stronger regularisation that still narrows the train-validation gap (the quality check passes).",
        frozenset({"diagnosis_bias_boundary", "regularized_l2"}),
        {"diagnose": '''
def diagnose(history):
    train, val = history.history["accuracy"][-1], history.history["val_accuracy"][-1]
    if train <= 0.90:
        return HIGH_BIAS, f"accuracy d'entraînement {train:.3f} trop faible"
    if train - val > 0.02:
        return HIGH_VARIANCE, f"écart de {train - val:.3f} avec la validation"
    return BALANCED, f"entraînement {train:.3f}, validation {val:.3f}"
''',
         "build_regularized_model": '''
def build_regularized_model(optimizer="adam"):
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(512, activation="relu", kernel_regularizer=regularizers.l2(0.01)),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
'''},
    ),
    Variant(
        "wrong_sgd_without_momentum_and_metrics_without_step",
        "Two independent slips: SGD created without momentum (the setting is wrong, and after the grader's short "
        "training plain SGD at 0.01 stays far below the calibrated accuracy, though still behind the adaptive "
        "optimizers), and log_epoch_metrics logging every epoch without step=epoch (all at step 0): only its own "
        "check fails, the runs of compare_optimizers still hold one value per epoch.",
        frozenset({"make_optimizer_sgd", "optimizer_accuracy_SGD", "log_epoch_metrics"}),
        {"make_optimizer": '''
def make_optimizer(name):
    if name == "SGD":
        return keras.optimizers.SGD(learning_rate=0.01)
    if name == "RMSprop":
        return keras.optimizers.RMSprop()
    return keras.optimizers.Adam()
''',
         "tracking": tracking("Optimizer Comparison", "Optimizer_{name}").replace(", step=epoch)", ")")},
    ),
    Variant(
        "wrong_experiment_and_run_names",
        "Experiment \"Optimizers comparison\" and runs named after the optimizer alone (SGD, RMSprop, Adam); "
        "the batch-normalisation run named \"BatchNorm\": parameters and metrics are right.",
        frozenset({"compare_runs", "batchnorm_run"}),
        {"tracking": tracking("Optimizers comparison", "{name}"),
         "batchnorm": '''
def build_batchnorm_model(optimizer="adam"):
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(512, activation="relu"),
                              layers.BatchNormalization(), layers.Dropout(0.2), layers.Dense(10, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''' + track_batchnorm("BatchNorm")},
    ),
    Variant(
        "wrong_tracking_uri_ignored",
        "compare_optimizers writes to its own hard-coded store (sqlite:///mlflow.db) instead of the tracking URI "
        "it receives: the grader finds no run where it asked for them.",
        frozenset({"compare_runs", "compare_params", "compare_final_metrics", "compare_epoch_metrics"}),
        {"tracking": tracking("Optimizer Comparison", "Optimizer_{name}",
                              uri='mlflow.set_tracking_uri("sqlite:///mlflow.db")')},
        messages={"compare_runs": "mlflow.db"},
    ),
    Variant(
        "valid_functional_api_and_names",
        "Models written with the functional API (keras.Input + keras.Model) and the L2 penalty as L1L2(l2=0.001); "
        "make_optimizer returns the names \"rmsprop\" and \"adam\" (Keras builds a new optimizer from a name); "
        "diagnose accepts a History or its dictionary; the curves drawn with plt.subplot.",
        frozenset(),
        {"build_model": '''
def dense_network(optimizer, dropout, regularizer=None, batchnorm=False):
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(512, activation="relu", kernel_regularizer=regularizer)(inputs)
    if batchnorm:
        x = layers.BatchNormalization()(x)
    outputs = layers.Dense(10, activation="softmax")(layers.Dropout(dropout)(x))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model


def build_model(optimizer="adam"):
    return dense_network(optimizer, 0.2)
''',
         "diagnose": '''
def diagnose(history):
    values = history.history if hasattr(history, "history") else history
    train, val = values["accuracy"][-1], values["val_accuracy"][-1]
    if not train >= 0.9:
        return (HIGH_BIAS, "Le modèle sous-apprend : accuracy d'entraînement sous 90 %.")
    if round(train - val, 6) > 0.02:
        return (HIGH_VARIANCE, f"Surapprentissage : {100 * (train - val):.1f} points d'écart.")
    return (BALANCED, "Accuracy d'entraînement élevée et validation proche.")
''',
         "plot_history": '''
def plot_history(history):
    figure = plt.figure(figsize=(12, 4))
    for position, key in enumerate(["accuracy", "loss"], start=1):
        plt.subplot(1, 2, position)
        epochs = np.arange(1, len(history.history[key]) + 1)
        plt.plot(epochs, history.history[key], marker="o", label=f"{key} (entraînement)")
        plt.plot(epochs, history.history["val_" + key], marker="s", label=f"{key} (validation)")
        plt.xlabel("Époque")
        plt.ylabel(key)
        plt.legend()
    return figure
''',
         "build_regularized_model": '''
def build_regularized_model(optimizer="adam"):
    return dense_network(optimizer, 0.5, regularizers.L1L2(l2=0.001))
''',
         "make_optimizer": '''
def make_optimizer(name):
    factories = {"SGD": lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                 "RMSprop": lambda: "rmsprop", "Adam": lambda: "adam"}
    return factories[name]()
''',
         "batchnorm": '''
def build_batchnorm_model(optimizer="adam"):
    return dense_network(optimizer, 0.2, batchnorm=True)
''' + track_batchnorm("Model_With_BatchNorm"),
         "tracking": tracking("Optimizer Comparison", "Optimizer_{name}")},
    ),
    Variant(
        "valid_log_metrics_dict_and_explicit_runs",
        "MLflow written the other ways: mlflow.log_metrics with a dictionary per epoch, log_params and "
        "log_metrics dictionaries, runs started in the experiment set_experiment returned and ended with "
        "mlflow.end_run(); evaluate(return_dict=True); optimizers as objects with explicit default settings.",
        frozenset(),
        {"make_optimizer": '''
def make_optimizer(name):
    if name == "SGD":
        return keras.optimizers.SGD(0.01, momentum=0.9, nesterov=False)
    if name == "RMSprop":
        return keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9)
    if name == "Adam":
        return keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999)
    raise KeyError(name)
''',
         "tracking": '''
def log_epoch_metrics(history):
    h = history.history
    for epoch, values in enumerate(zip(h["accuracy"], h["val_accuracy"], h["loss"], h["val_loss"])):
        names = ("training_accuracy", "validation_accuracy", "training_loss", "validation_loss")
        mlflow.log_metrics(dict(zip(names, map(float, values))), step=epoch)


def compare_optimizers(train, validation, test, epochs, tracking_uri, batch_size=128):
    mlflow.set_tracking_uri(tracking_uri)
    experiment = mlflow.set_experiment(experiment_name="Optimizer Comparison")
    results = {}
    for name in OPTIMIZERS:
        mlflow.start_run(experiment_id=experiment.experiment_id, run_name="Optimizer_" + name)
        model = build_model(optimizer=make_optimizer(name))
        x, y = train
        history = model.fit(x, y, batch_size=batch_size, epochs=epochs, validation_data=validation, verbose=0)
        mlflow.log_params({"optimizer": name, "epochs": epochs})
        log_epoch_metrics(history)
        scores = model.evaluate(test[0], test[1], verbose=0, return_dict=True)
        mlflow.log_metrics({"final_test_accuracy": scores["accuracy"], "final_test_loss": scores["loss"]})
        mlflow.end_run()
        results[name] = {"test_accuracy": scores["accuracy"], "test_loss": scores["loss"]}
    return results
'''},
    ),
]
