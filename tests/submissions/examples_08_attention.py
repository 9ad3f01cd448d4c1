"""Example submissions of 08_attention and the exact outcome a careful instructor expects."""

from __future__ import annotations

from tests.submissions.variants import Variant

ASSIGNMENT = "08_attention"


def attention(scores: str = "ops.matmul(queries, ops.swapaxes(keys, -1, -2)) / ops.sqrt(d_k)",
              masking: str = "scores = ops.where(ops.cast(mask, \"bool\"), scores, -1e9)", axis: int = -1) -> str:
    """The attention cell with the scores expression, the masking statement and the softmax axis given."""
    return f'''
def scaled_dot_product_attention(queries, keys, values, mask=None):
    queries = ops.convert_to_tensor(queries, dtype="float32")
    keys = ops.convert_to_tensor(keys, dtype="float32")
    values = ops.convert_to_tensor(values, dtype="float32")
    d_k = ops.cast(ops.shape(keys)[-1], "float32")
    scores = {scores}
    if mask is not None:
        {masking}
    weights = ops.softmax(scores, axis={axis})
    return ops.matmul(weights, values), weights
'''


def layer(softmax_axis: int = 1, config: str = '{**super().get_config(), "use_bias": self.use_bias}') -> str:
    """The TemporalAttention cell with the softmax axis and get_config's value given."""
    return f'''
class TemporalAttention(layers.Layer):
    def __init__(self, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.use_bias = use_bias

    def build(self, input_shape):
        self.W = self.add_weight(name="W", shape=(input_shape[-1], 1), initializer="glorot_uniform")
        if self.use_bias:
            self.b = self.add_weight(name="b", shape=(input_shape[1], 1), initializer="zeros")

    def call(self, inputs):
        scores = ops.matmul(inputs, self.W)
        if self.use_bias:
            scores = scores + self.b
        weights = ops.softmax(ops.tanh(scores), axis={softmax_axis})
        return ops.sum(inputs * weights, axis=1), ops.squeeze(weights, axis=-1)

    def get_config(self):
        return {config}
'''


WINDOWS_LEAKY_SPLIT = '''
def make_series(n=2000, seed=0):
    t = np.arange(n)
    noise = np.random.default_rng(seed).normal(size=n)
    return (0.5 * np.sin(t / 20) + 0.3 * np.sin(t / 10) + 0.2 * t / 2000 + 0.1 * noise).astype("float32")


def make_windows(series, input_len=50, output_len=10):
    X, Y = [], []
    for i in range(len(series) - input_len - output_len + 1):
        X.append(series[i:i + input_len])
        Y.append(series[i + input_len:i + input_len + output_len])
    return np.array(X, dtype="float32")[..., None], np.array(Y, dtype="float32")[..., None]


def split_windows(X, Y, train_fraction=0.8):
    n_train = int(train_fraction * len(X))
    return (X[:n_train], Y[:n_train]), (X[n_train:], Y[n_train:])
'''

TEACHER_SHIFTED_LEFT = '''
def teacher_forcing_inputs(Y):
    inputs = np.zeros_like(Y, dtype="float32")
    inputs[:, :-1] = Y[:, 1:]
    return inputs
'''

SEQ2SEQ_UNIDIRECTIONAL = '''
def build_seq2seq(input_len=50, output_len=10, latent_dim=64):
    encoder_inputs = keras.Input(shape=(input_len, 1))
    decoder_inputs = keras.Input(shape=(output_len, 1))
    encoded, state_h, state_c = layers.LSTM(latent_dim, return_sequences=True, return_state=True)(encoder_inputs)
    decoded = layers.LSTM(latent_dim, return_sequences=True)(decoder_inputs, initial_state=[state_h, state_c])
    context = layers.Attention()([decoded, encoded])
    outputs = layers.Dense(1)(layers.Concatenate()([decoded, context]))
    model = keras.Model([encoder_inputs, decoder_inputs], outputs)
    model.compile(optimizer="adam", loss="mse")
    return model
'''


def inference(forecast_body: str, evaluated: str = "forecast(model, X, Y.shape[1])") -> str:
    """The inference cell with forecast's body and evaluate_forecast's prediction expression given."""
    return f'''
def forecast(model, encoder_inputs, output_len=10):
{forecast_body}


def evaluate_forecast(model, X, Y):
    predictions = {evaluated}
    persistence = np.repeat(X[:, -1:, :], Y.shape[1], axis=1)
    return {{"forecast": predictions, "mse": float(np.mean((predictions - Y) ** 2)),
            "persistence_mse": float(np.mean((persistence - Y) ** 2))}}
'''


STEP_BY_STEP = '''    decoder_inputs = np.zeros((len(encoder_inputs), output_len, 1), dtype="float32")
    for step in range(output_len):
        predictions = model.predict([encoder_inputs, decoder_inputs], verbose=0)
        if step + 1 < output_len:
            decoder_inputs[:, step + 1] = predictions[:, step]
    return predictions'''
ONE_SHOT = '''    zeros = np.zeros((len(encoder_inputs), output_len, 1), "float32")
    return model.predict([encoder_inputs, zeros], verbose=0)'''

FIGURE_SAME_STEPS = '''
def plot_forecast(inputs, target, prediction):
    figure = plt.figure()
    plt.plot(np.ravel(inputs), label="entrée")
    plt.plot(np.ravel(target), label="vraie suite")
    plt.plot(np.ravel(prediction), label="prévision")
    plt.xlabel("pas")
    plt.ylabel("valeur")
    plt.legend()
    return figure
'''

SHORT_ARTICLE = """
## Analyse de l'article

TAP encode les images d'une vidéo dans un espace latent et prédit les latents suivants avec un modèle récurrent,
puis les décode. C'est moins coûteux que de prédire les pixels. Sur de longues vidéos, les objets dérivent et
changent d'aspect : le modèle oublie ce qu'il a vu il y a longtemps et ses erreurs s'accumulent.

## Méthode proposée

Nous proposons d'ajouter une mémoire des latents passés que le modèle relit à chaque pas grâce à un mécanisme
d'attention. Le modèle calcule une requête à partir de son état, la compare aux latents de la mémoire, et combine
les latents les plus proches pour prédire l'image suivante. On pourrait aussi utiliser un Transformer.

## Évaluation prévue

Nous utiliserons Moving MNIST avec le MSE par image et un score de consistance des chiffres, et comparerons
notre modèle à TAP sur des horizons de 10, 30 et 90 images.

## Limites attendues

La mémoire a une taille finie et l'attention a un coût ; les données sont simples.

## Références

- Vaswani et al., Attention Is All You Need.
- Srivastava et al., Unsupervised Learning of Video Representations using LSTMs.
"""

VARIANTS = [
    Variant(
        "wrong_unscaled_attention_left_shift_and_peeking_inference",
        "Three independent slips: the scores are Q·Kᵀ without the division by √d_k (weights still sum to 1 and "
        "masks still work, but every value differs, most visibly for d_k = 64); teacher_forcing_inputs shifts the "
        "targets to the left (the decoder is given the value it must predict), which train_seq2seq uses "
        "consistently and which costs the helper's checks only; evaluate_forecast predicts with "
        "teacher_forcing_inputs(Y), the true future, as decoder inputs (forecast itself is right).",
        frozenset({"attention_numpy", "attention_mask", "attention_scaling", "attention_keras_heads",
                   "attention_keras_padding_mask", "teacher_forcing", "teacher_forcing_general",
                   "inference_ignores_future"}),
        {"scaled_attention": attention(scores="ops.matmul(queries, ops.swapaxes(keys, -1, -2))"),
         "teacher_forcing": TEACHER_SHIFTED_LEFT,
         "inference": inference(STEP_BY_STEP, evaluated="model.predict([X, teacher_forcing_inputs(Y)], verbose=0)")},
        messages={"attention_scaling": "√d_k", "inference_ignores_future": "révèle le futur"},
    ),
    Variant(
        "wrong_softmax_over_queries_and_config_without_use_bias",
        "Two independent slips: the attention's softmax is taken over the queries' axis (-2) instead of the keys' "
        "(columns sum to 1, rows do not), and TemporalAttention.get_config returns the parent's configuration "
        "without use_bias, so a layer built with use_bias=False comes back from its configuration (or a saved "
        "model) with a bias.",
        frozenset({"attention_numpy", "attention_rows_sum_to_one", "attention_mask", "attention_scaling",
                   "attention_keras_heads", "attention_keras_padding_mask", "layer_config", "layer_saved"}),
        {"scaled_attention": attention(axis=-2), "temporal_attention": layer(config="super().get_config()")},
        messages={"attention_rows_sum_to_one": "axis=-1", "layer_config": "use_bias"},
    ),
    Variant(
        "wrong_mask_ignored_leaky_split_and_short_article",
        "Three independent slips: the attention never applies the mask it receives; split_windows starts the "
        "validation right after the training windows (the seed's 1 552 / 389 split), whose first 59 windows share "
        "points with the training targets; the research article has its five sections but about 250 words, its "
        "method in words only (no equation) and two undated references that omit the TAP article (the provisional "
        "estimates of the equations, the length and the references fail, the sections' one passes).",
        frozenset({"attention_mask", "attention_keras_heads", "attention_keras_padding_mask", "split_sizes",
                   "split_no_overlap", "research_equations", "research_length", "research_references"}),
        {"scaled_attention": attention(masking="pass"), "windows": WINDOWS_LEAKY_SPLIT, "research": SHORT_ARTICLE},
        messages={"split_no_overlap": "Fuite", "attention_mask": "attendu 0", "research_equations": "LaTeX",
                  "research_references": "au moins 3 références"},
    ),
    Variant(
        "wrong_unidirectional_encoder_one_shot_forecast_and_figure_steps",
        "Three independent slips: the encoder is a plain LSTM(64) whose states start a decoder LSTM(64) (33 921 "
        "parameters instead of 100 609, still better than persistence); forecast predicts once with zero decoder "
        "inputs instead of feeding back each step; the figure draws the true and forecast values at steps 0-9 "
        "instead of 50-59.",
        frozenset({"seq2seq_params", "seq2seq_layers", "seq2seq_compile_and_attention", "seq2seq_arguments",
                   "forecast_step_by_step", "forecast_figure_time_axis"}),
        {"seq2seq": SEQ2SEQ_UNIDIRECTIONAL, "inference": inference(ONE_SHOT), "figure": FIGURE_SAME_STEPS},
        messages={"seq2seq_params": "100609"},
    ),
    Variant(
        "valid_other_spellings",
        "Written the other ways Keras and numpy allow: attention with ops.einsum and an additive mask, d_k from the "
        "static shape; TemporalAttention without get_config (Keras 3 records the constructor's arguments itself) "
        "and with ops.einsum; windows from sliding_window_view; the split's start computed from the last training "
        "target; teacher forcing by concatenation; the seq2seq with layers.concatenate and Attention(score_mode="
        "\"dot\"); MLflow with log_param, explicit start and end of the run; the forecast by calling the model; "
        "the figure with plt.subplots.",
        frozenset(),
        {"scaled_attention": '''
def scaled_dot_product_attention(queries, keys, values, mask=None):
    d_k = keys.shape[-1]
    scores = ops.einsum("...qd,...kd->...qk", queries, keys) / (d_k ** 0.5)
    if mask is not None:
        scores = scores + (1.0 - ops.cast(mask, scores.dtype)) * -1e9
    weights = ops.softmax(scores)
    return ops.einsum("...qk,...kv->...qv", weights, values), weights
''',
         "temporal_attention": '''
class TemporalAttention(keras.layers.Layer):
    def __init__(self, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.use_bias = use_bias

    def build(self, input_shape):
        _, steps, features = input_shape
        self.kernel = self.add_weight(shape=(features, 1), initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(steps, 1), initializer="zeros", name="bias") if self.use_bias else None

    def call(self, x):
        e = ops.einsum("btd,do->bto", x, self.kernel)
        if self.bias is not None:
            e = e + self.bias
        alpha = ops.softmax(ops.tanh(e)[..., 0], axis=-1)
        return ops.einsum("bt,btd->bd", alpha, x), alpha
''',
         "windows": '''
def make_series(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, n - 1, n)
    series = 0.5 * np.sin(t / 20) + 0.3 * np.sin(t / 10) + 0.2 * t / 2000
    return np.float32(series + 0.1 * rng.standard_normal(n))


def make_windows(series, input_len=50, output_len=10):
    views = np.lib.stride_tricks.sliding_window_view(np.asarray(series, np.float32), input_len + output_len)
    return views[:, :input_len, None].copy(), views[:, input_len:, None].copy()


def split_windows(X, Y, train_fraction=0.8):
    n_train = int(len(X) * train_fraction)
    last_target = n_train - 1 + X.shape[1] + Y.shape[1] - 1
    first_validation = last_target + 1
    return (X[:n_train], Y[:n_train]), (X[first_validation:], Y[first_validation:])
''',
         "teacher_forcing": '''
def teacher_forcing_inputs(Y):
    Y = np.asarray(Y, np.float32)
    return np.concatenate([np.zeros_like(Y[:, :1]), Y[:, :-1]], axis=1)
''',
         "seq2seq": '''
def build_seq2seq(input_len=50, output_len=10, latent_dim=64):
    enc_in = keras.Input((input_len, 1))
    dec_in = keras.Input((output_len, 1))
    enc_out, h1, c1, h2, c2 = layers.Bidirectional(
        layers.LSTM(latent_dim, return_state=True, return_sequences=True), merge_mode="concat")(enc_in)
    dec_out = layers.LSTM(latent_dim * 2, return_sequences=True)(
        dec_in, initial_state=[layers.concatenate([h1, h2]), layers.concatenate([c1, c2])])
    attended = layers.Attention(score_mode="dot")([dec_out, enc_out, enc_out])
    model = keras.Model(inputs=[enc_in, dec_in], outputs=layers.Dense(1)(layers.concatenate([dec_out, attended])))
    model.compile(keras.optimizers.Adam(), keras.losses.MeanSquaredError())
    return model
''',
         "training": '''
def train_seq2seq(model, train, validation, epochs, tracking_uri, batch_size=64):
    x_train, y_train = train
    x_val, y_val = validation
    mlflow.set_tracking_uri(tracking_uri)
    experiment = mlflow.set_experiment("TimeSeries_Seq2Seq_Attention")
    mlflow.start_run(experiment_id=experiment.experiment_id, run_name="LSTM_CrossAttention_Baseline")
    mlflow.log_param("input_len", int(x_train.shape[1]))
    mlflow.log_param("output_len", int(y_train.shape[1]))
    mlflow.log_param("epochs", epochs)
    mlflow.log_param("batch_size", batch_size)
    history = model.fit(x=[x_train, teacher_forcing_inputs(y_train)], y=y_train, batch_size=batch_size,
                        epochs=epochs, verbose=0, validation_data=([x_val, teacher_forcing_inputs(y_val)], y_val))
    mlflow.log_metric("final_val_loss", history.history["val_loss"][-1])
    mlflow.end_run()
    return history
''',
         "inference": '''
def forecast(model, encoder_inputs, output_len=10):
    decoder = np.zeros((encoder_inputs.shape[0], output_len, 1), np.float32)
    for t in range(output_len):
        step = keras.ops.convert_to_numpy(model([encoder_inputs, decoder], training=False))
        if t < output_len - 1:
            decoder[:, t + 1, 0] = step[:, t, 0]
    return step.astype(np.float32)


def evaluate_forecast(model, X, Y):
    prediction = forecast(model, X, output_len=Y.shape[1])
    naive = np.tile(X[:, -1:, :], (1, Y.shape[1], 1))
    return {"mse": float(((prediction - Y) ** 2).mean()), "persistence_mse": float(((naive - Y) ** 2).mean()),
            "forecast": prediction}
''',
         "figure": '''
def plot_forecast(inputs, target, prediction):
    n_in, n_out = len(inputs), len(target)
    fig, ax = plt.subplots()
    ax.plot(range(n_in), np.squeeze(inputs), "k-", label="historique")
    ax.plot(range(n_in, n_in + n_out), np.squeeze(target), "g-", label="réel")
    ax.plot(range(n_in, n_in + n_out), np.squeeze(prediction), "r--", label="prédit")
    ax.set(xlabel="t", ylabel="x(t)", title="Prévision à 10 pas")
    ax.legend(loc="best")
    return fig
'''},
    ),
    Variant(
        "valid_renormalised_mask_and_wrapped_layers",
        "Other correct choices: attention masked after the softmax (weights multiplied by the mask and "
        "renormalised), keys transposed with ops.moveaxis; TemporalAttention with a squeezed score and get_config "
        "through config.update; the marker model compiled "
        "with loss and metric objects; windows with one loop and np.newaxis; the split's gap computed apart; "
        "teacher forcing with np.pad; the seq2seq with Attention(use_scale=False), named states and "
        "TimeDistributed(Dense(1)); MLflow with log_param and log_metrics; the forecast with predict_on_batch; "
        "the figure with markers for the forecast and fig.gca().",
        frozenset(),
        {"scaled_attention": '''
def scaled_dot_product_attention(queries, keys, values, mask=None):
    q, k, v = (ops.cast(ops.convert_to_tensor(t), "float32") for t in (queries, keys, values))
    scores = ops.matmul(q, ops.moveaxis(k, -1, -2)) / np.sqrt(k.shape[-1])
    weights = ops.softmax(scores, axis=-1)
    if mask is not None:
        weights = weights * ops.cast(mask, "float32")
        weights = weights / ops.sum(weights, axis=-1, keepdims=True)
    return ops.matmul(weights, v), weights
''',
         "temporal_attention": '''
class TemporalAttention(layers.Layer):
    def __init__(self, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.use_bias = use_bias

    def build(self, input_shape):
        self.w = self.add_weight(name="score_kernel", shape=(input_shape[-1], 1))
        self.bias = (self.add_weight(name="score_bias", shape=(input_shape[1], 1), initializer="zeros")
                     if self.use_bias else None)

    def call(self, inputs):
        scores = ops.matmul(inputs, self.w)
        if self.bias is not None:
            scores = scores + self.bias
        scores = ops.squeeze(scores, axis=-1)
        alpha = ops.softmax(ops.tanh(scores), axis=-1)
        context = ops.squeeze(ops.matmul(ops.expand_dims(alpha, 1), inputs), axis=1)
        return context, alpha

    def get_config(self):
        config = super().get_config()
        config.update({"use_bias": self.use_bias})
        return config
''',
         "marker_model": '''
def build_marker_model(length=20, vocab_size=12, n_classes=10):
    tokens = keras.Input(shape=(length,), dtype="int32")
    embedded = layers.Embedding(input_dim=vocab_size, output_dim=16)(tokens)
    features = layers.Conv1D(filters=32, kernel_size=2, padding="causal", activation="relu")(embedded)
    context, attention = TemporalAttention()(features)
    probabilities = layers.Dense(n_classes, activation="softmax")(context)
    model = keras.Model(tokens, probabilities)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model, keras.Model(tokens, attention)
''',
         "windows": '''
def make_series(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    trend = 0.2 * t / 2000
    return np.asarray(0.5 * np.sin(t / 20) + 0.3 * np.sin(t / 10) + trend + 0.1 * rng.normal(size=n), np.float32)


def make_windows(series, input_len=50, output_len=10):
    X, Y = [], []
    for start in range(len(series) - input_len - output_len + 1):
        X.append(series[start:start + input_len])
        Y.append(series[start + input_len:start + input_len + output_len])
    return np.array(X, np.float32)[:, :, np.newaxis], np.array(Y, np.float32)[:, :, np.newaxis]


def split_windows(X, Y, train_fraction=0.8):
    n_train = int(train_fraction * len(X))
    gap = X.shape[1] + Y.shape[1] - 1  # windows whose targets would overlap the last training target
    return (X[:n_train], Y[:n_train]), (X[n_train + gap:], Y[n_train + gap:])
''',
         "teacher_forcing": '''
def teacher_forcing_inputs(Y):
    return np.pad(np.asarray(Y, np.float32)[:, :-1], ((0, 0), (1, 0), (0, 0)))
''',
         "seq2seq": '''
def build_seq2seq(input_len=50, output_len=10, latent_dim=64):
    past = keras.Input(shape=(input_len, 1), name="passe")
    shifted = keras.Input(shape=(output_len, 1), name="decale")
    memory, h_forward, c_forward, h_backward, c_backward = layers.Bidirectional(
        layers.LSTM(latent_dim, return_sequences=True, return_state=True), name="encodeur")(past)
    h = layers.Concatenate(name="etat_h")([h_forward, h_backward])
    c = layers.Concatenate(name="etat_c")([c_forward, c_backward])
    decoded = layers.LSTM(2 * latent_dim, return_sequences=True, name="decodeur")(shifted, initial_state=[h, c])
    context = layers.Attention(use_scale=False, name="cross_attention")([decoded, memory])
    merged = layers.Concatenate(axis=-1, name="fusion")([decoded, context])
    outputs = layers.TimeDistributed(layers.Dense(1), name="sortie")(merged)
    model = keras.Model(inputs=[past, shifted], outputs=outputs)
    model.compile(optimizer=keras.optimizers.Adam(), loss="mean_squared_error")
    return model
''',
         "training": '''
def train_seq2seq(model, train, validation, epochs, tracking_uri, batch_size=64):
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(experiment_name="TimeSeries_Seq2Seq_Attention")
    with mlflow.start_run(run_name="LSTM_CrossAttention_Baseline"):
        for name, value in (("input_len", train[0].shape[1]), ("output_len", train[1].shape[1]),
                            ("epochs", epochs), ("batch_size", batch_size)):
            mlflow.log_param(name, value)
        history = model.fit([train[0], teacher_forcing_inputs(train[1])], train[1], epochs=epochs,
                            batch_size=batch_size, verbose=0,
                            validation_data=([validation[0], teacher_forcing_inputs(validation[1])], validation[1]))
        mlflow.log_metrics({"final_val_loss": history.history["val_loss"][-1]})
    return history
''',
         "inference": '''
def forecast(model, encoder_inputs, output_len=10):
    decoder_inputs = np.zeros((encoder_inputs.shape[0], output_len, 1), np.float32)
    outputs = None
    for step in range(output_len):
        outputs = np.asarray(model.predict_on_batch([encoder_inputs, decoder_inputs]), np.float32)
        if step < output_len - 1:
            decoder_inputs[:, step + 1, :] = outputs[:, step, :]
    return outputs


def evaluate_forecast(model, X, Y):
    predicted = forecast(model, X, output_len=Y.shape[1])
    persistence = np.broadcast_to(X[:, -1:, :], Y.shape)
    return {"forecast": predicted, "mse": float(np.square(predicted - Y).mean()),
            "persistence_mse": float(np.square(persistence - Y).mean())}
''',
         "figure": '''
def plot_forecast(inputs, target, prediction):
    figure = plt.figure(figsize=(8, 3))
    ax = figure.gca()
    history, future = np.ravel(inputs), np.ravel(target)
    steps = np.arange(len(history) + len(future))
    ax.plot(steps[:len(history)], history, color="gray", label="passé")
    ax.plot(steps[len(history):], future, color="green", label="réalité")
    ax.plot(steps[len(history):], np.ravel(prediction), "rx", label="prévision du modèle")
    ax.set_xlabel("temps")
    ax.set_ylabel("x")
    ax.legend()
    return figure
'''},
    ),
]
