"""Example submissions of 01_regression and the exact outcome a careful instructor expects."""

from __future__ import annotations

from tests.submissions.variants import Variant

ASSIGNMENT = "01_regression"

VARIANTS = [
    Variant(
        "wrong_scaler_fit_on_all",
        "StandardScaler fitted on train and test together: leakage, and X_train is not standardised.",
        frozenset({"scale_train_standardized", "scale_no_leakage", "scale_test_transform"}),
        {"scale_features": '''
def scale_features(X_train, X_test):
    scaler = StandardScaler()
    scaler.fit(np.vstack([X_train, X_test]))
    return scaler.transform(X_train), scaler.transform(X_test), scaler
'''},
    ),
    Variant(
        "wrong_missing_relu",
        "The second hidden layer has no activation: wrong architecture, but the network still learns.",
        frozenset({"model_layers"}),
        {"build_model": '''
def build_model(input_dim):
    model = keras.Sequential([
        keras.Input(shape=(input_dim,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(32),
        layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model
'''},
    ),
    Variant(
        "wrong_linear_network",
        "No activation at all: a linear model, wrong architecture and not accurate enough.",
        frozenset({"model_layers", "quality_rmse"}),
        {"build_model": '''
def build_model(input_dim):
    model = keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(64), layers.Dense(32), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model
'''},
    ),
    Variant(
        "wrong_rmse_is_mse",
        "RMSE returned without the square root.",
        frozenset({"metrics_rmse"}),
        {"compute_metrics": '''
def compute_metrics(y_true, y_pred):
    y_true = np.ravel(y_true)
    y_pred = np.ravel(y_pred)
    mse = np.mean((y_true - y_pred) ** 2)
    return {"mse": mse, "rmse": mse, "mae": np.mean(np.abs(y_true - y_pred))}
'''},
    ),
    Variant(
        "wrong_metrics_broadcast",
        "y_pred of shape (n, 1) not flattened: numpy broadcasts to an n x n matrix.",
        frozenset({"metrics_edge_cases"}),
        {"compute_metrics": '''
def compute_metrics(y_true, y_pred):
    errors = y_true - y_pred
    mse = np.mean(errors ** 2)
    return {"mse": mse, "rmse": np.sqrt(mse), "mae": np.mean(np.abs(errors))}
'''},
    ),
    Variant(
        "wrong_split_not_seeded",
        "train_test_split called without random_state: a different split at every run.",
        frozenset({"split_seeded"}),
        {"split_data": '''
def split_data(X, y, test_size=0.2, random_state=42):
    return train_test_split(X, y, test_size=test_size)
'''},
    ),
    Variant(
        "wrong_no_validation",
        "model.fit without validation_split: no val_loss, and all rows used for training.",
        frozenset({"train_history", "train_settings"}),
        {"train_model": '''
def train_model(model, X_train, y_train, epochs=100, batch_size=32):
    return model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
'''},
    ),
    Variant(
        "wrong_plot_without_legend",
        "Both curves drawn, but no labels, legend or axis titles.",
        frozenset({"plot_learning_curve"}),
        {"plot_learning_curve": '''
def plot_learning_curve(history):
    figure = plt.figure()
    plt.plot(history.history["loss"])
    plt.plot(history.history["val_loss"])
    return figure
'''},
    ),
    Variant(
        "valid_functional_objects",
        "Correct, written another way: a functional Keras model (keras.Input + keras.Model) compiled with loss, "
        "optimizer and metric objects; the scaler fitted then applied; metrics from scikit-learn.",
        frozenset(),
        {"scale_features": '''
def scale_features(X_train, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), scaler
''', "build_model": '''
def build_model(input_dim):
    inputs = keras.Input(shape=(input_dim,))
    hidden = layers.Dense(64, activation="relu")(inputs)
    hidden = layers.Dense(32, activation=keras.activations.relu)(hidden)
    outputs = layers.Dense(1)(hidden)
    model = keras.Model(inputs, outputs, name="mlp")
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.MeanSquaredError(),
                  metrics=[keras.metrics.MeanAbsoluteError()])
    return model
''', "compute_metrics": '''
def compute_metrics(y_true, y_pred):
    from sklearn.metrics import mean_absolute_error, mean_squared_error

    y_pred = np.reshape(y_pred, -1)
    mse = mean_squared_error(y_true, y_pred)
    return {"mse": mse, "rmse": mse ** 0.5, "mae": mean_absolute_error(y_true, y_pred)}
'''},
    ),
    Variant(
        "valid_pyplot_and_keywords",
        "Correct, written another way: split with keywords in another order, fit with shuffle and keyword "
        "arguments, the learning curve drawn with pyplot's state machine against explicit epoch numbers.",
        frozenset(),
        {"split_data": '''
def split_data(X, y, test_size=0.2, random_state=42):
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=random_state, shuffle=True,
                                                        test_size=test_size)
    return X_train, X_test, y_train, y_test
''', "train_model": '''
def train_model(model, X_train, y_train, epochs=100, batch_size=32):
    history = model.fit(x=X_train, y=y_train, batch_size=batch_size, epochs=epochs, validation_split=0.2,
                        shuffle=True, verbose=0)
    return history
''', "plot_learning_curve": '''
def plot_learning_curve(history):
    epochs = range(1, len(history.history["loss"]) + 1)
    plt.figure(figsize=(6, 4))
    plt.plot(epochs, history.history["loss"], "o-", label="loss (entraînement)")
    plt.plot(epochs, history.history["val_loss"], "s--", label="val_loss (validation)")
    plt.xlabel("époque")
    plt.ylabel("MSE")
    plt.legend(loc="upper right")
    plt.grid(True)
    return plt.gcf()
'''},
    ),
]
