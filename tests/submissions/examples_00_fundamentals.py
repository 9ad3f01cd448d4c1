"""Example submissions of 00_fundamentals and the exact outcome a careful instructor expects."""

from __future__ import annotations

import nbformat

from tests.submissions.variants import Variant

ASSIGNMENT = "00_fundamentals"

ACTIVATIONS_WITHOUT_MAX = '''
def relu(x):
    return torch.clamp(x, min=0)


def sigmoid(x):
    return 1 / (1 + torch.exp(-x))


def softmax(x, dim=-1):
    exps = torch.exp(x)
    return exps / exps.sum(dim=dim, keepdim=True)
'''

WRONG_ANSWERS = {"q06": "a", "q07": "b", "q10": "b", "q13": "a"}


def wrong_quiz(source: str) -> str:
    """The reference answers with four classic confusions (linspace/arange bounds, biases, last batch)."""
    for question, letter in WRONG_ANSWERS.items():
        start = source.index(f'"{question}": "', source.index("### BEGIN SOLUTION"))
        source = source[:start] + f'"{question}": "{letter}"' + source[start + len(question) + 7:]
    return source


def answer_wrongly(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "reponses":
            cell.source = wrong_quiz(cell.source)


VARIANTS = [
    Variant(
        "wrong_softmax_unstable",
        "softmax without subtracting the maximum: exp overflows and large scores give nan.",
        frozenset({"activations_stable"}),
        {"activations": ACTIVATIONS_WITHOUT_MAX},
        messages={"activations_stable": "soustrayez le maximum"},
    ),
    Variant(
        "wrong_convolution_flipped",
        "True (flipped-kernel) convolution instead of the cross-correlation conv2d computes: [[4, 4], [4, 4]].",
        frozenset({"conv_sheet", "conv_random"}),
        {"conv2d_by_hand": '''
def conv2d_by_hand(image, kernel):
    kernel = torch.flip(kernel, dims=(0, 1))
    kh, kw = kernel.shape
    output = torch.zeros(image.shape[0] - kh + 1, image.shape[1] - kw + 1)
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum()
    return output
'''},
        messages={"conv_sheet": "retourné le noyau"},
    ),
    Variant(
        "wrong_descent_no_zero_grad",
        "The sheet's loop without theta.grad.zero_(): gradients accumulate, wrong θ and stopping step.",
        frozenset({"descent_sheet", "descent_stopping", "descent_other_functions"}),
        {"gradient_descent": '''
def gradient_descent(f, theta0=0.2, alpha=0.01, limit=100, epsilon=0.01):
    theta = torch.tensor(float(theta0), requires_grad=True)
    cpt = 1
    yi = f(theta)
    yi.backward()
    dyi = theta.grad
    with torch.no_grad():
        theta -= alpha * dyi
    while abs(dyi) > epsilon and cpt < limit:
        yi = f(theta)
        yi.backward()
        dyi = theta.grad
        with torch.no_grad():
            theta -= alpha * dyi
        cpt += 1
    return theta.item(), cpt
'''},
    ),
    Variant(
        "wrong_loader_no_shuffle",
        "DataLoader without shuffle=True: right batches, always in the data's order.",
        frozenset({"batching_shuffle"}),
        {"make_loader": '''
def make_loader(X, y, batch_size=32):
    return DataLoader(TensorDataset(X, y), batch_size=batch_size)
'''},
    ),
    Variant(
        "wrong_cnn_valid_padding",
        "Conv2D layers without padding='same' (Keras' default 'valid'): other shapes, same parameter count.",
        frozenset({"cnn_layers", "cnn_shapes"}),
        {"build_cnn": '''
def one_hot_labels(y, n_classes=10):
    return to_categorical(y, n_classes)


def build_cnn(n_classes=10):
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(8, (3, 3), strides=3, activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=(2, 2), strides=2, padding="same"),
        layers.Conv2D(16, (3, 3), strides=3, activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=(2, 2), strides=2, padding="same"),
        layers.Flatten(),
        layers.Dense(n_classes, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
'''},
    ),
    Variant(
        "wrong_qcm_answers",
        "Four wrong quiz answers: linspace and arange bounds swapped, Linear's biases forgotten, last batch dropped.",
        frozenset({f"qcm_{question}" for question in WRONG_ANSWERS}),
        edit=answer_wrongly,
        messages={"qcm_q10": "soit 8 paramètres", "qcm_q06": "attendu 'c', obtenu 'a'"},
    ),
]

# --- Correct alternatives: other ways the frameworks allow a good student to write the sheet ---------------

KERAS_FUNCTIONAL_CNN = '''
def one_hot_labels(y, n_classes=10):
    return np.eye(n_classes, dtype="float32")[np.asarray(y)]


def build_cnn(n_classes=10):
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(8, 3, strides=(3, 3), padding="same", activation="relu")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.MaxPool2D(2, padding="same")(x)
    x = layers.Conv2D(16, 3, strides=(3, 3), padding="same", activation=keras.activations.relu)(x)
    x = layers.BatchNormalization()(x)
    x = layers.MaxPool2D(2, padding="same")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(), loss=keras.losses.CategoricalCrossentropy(),
                  metrics=[keras.metrics.CategoricalAccuracy()])
    return model
'''

TORCH_FUNCTIONAL_FORMS = {
    "activations": '''
def relu(x):
    return torch.where(x > 0, x, torch.zeros_like(x))


def sigmoid(x):
    return 0.5 * (1 + torch.tanh(x / 2))


def softmax(x, dim=-1):
    return torch.exp(x - torch.logsumexp(x, dim=dim, keepdim=True))
''',
    "sheet_tensors": '''
def sheet_tensors():
    return {
        "matrix": torch.tensor([[1, 2], [3, 4]], dtype=torch.float32),
        "zeros": torch.zeros((3, 3)),
        "normal": torch.normal(0.0, 1.0, size=(3, 3)),
        "linspace": torch.linspace(0.0, 10.0, steps=5),
        "arange": torch.arange(0, 10, step=2),
    }
''',
    "momentum": '''
def make_optimizer(model):
    return torch.optim.SGD([{"params": model.parameters()}], lr=1e-2, momentum=0.9, nesterov=False)


def train_steps(model, optimizer, X, y, steps):
    losses = []
    for _ in range(steps):
        loss = F.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(loss))
    return losses
''',
    "choose_loss": '''
class UnknownTaskError(ValueError):
    """Tâche pour laquelle aucune perte n'est prévue."""


def choose_loss(task):
    losses = {"regression": F.mse_loss, "binary": F.binary_cross_entropy}
    if task not in losses:
        raise UnknownTaskError(f"tâche inconnue : {task!r}")
    return losses[task]
''',
}

MANUAL_AUTOGRAD = {
    "derivative": '''
def derivative(f, x0):
    x = torch.tensor(x0, dtype=torch.float32, requires_grad=True)
    (gradient,) = torch.autograd.grad(f(x), x)
    return float(gradient)
''',
    "gradient_descent": '''
def gradient_descent(f, theta0=0.2, alpha=0.01, limit=100, epsilon=0.01):
    theta = torch.tensor(float(theta0), requires_grad=True)
    f(theta).backward()
    theta.data -= alpha * theta.grad.data
    cpt = 1
    while abs(theta.grad.item()) > epsilon and cpt < limit:
        theta.grad = None
        f(theta).backward()
        theta.data -= alpha * theta.grad.data
        cpt += 1
    return theta.item(), cpt
''',
    "conv2d_by_hand": '''
def conv2d_by_hand(image, kernel):
    kh, kw = kernel.shape
    windows = image.unfold(0, kh, 1).unfold(1, kw, 1)  # (H - kh + 1, W - kw + 1, kh, kw)
    return (windows * kernel).sum(dim=(-2, -1))
''',
}

WRAPPED_LINEAR_MODEL = {
    "linear_regression": '''
def make_linear_data(n=100, noise=2.0):
    X = torch.linspace(0, 10, n).unsqueeze(1)
    y = 3 * X + noise * torch.randn(n, 1)
    return X, y


def fit_linear_regression(X, y, epochs=100, lr=0.01):
    model = nn.Sequential(nn.Linear(1, 1))
    for _ in range(epochs):
        model.zero_grad()
        loss = F.mse_loss(model(X), y)
        loss.backward()
        with torch.no_grad():
            for parameter in model.parameters():
                parameter -= lr * parameter.grad
    return model
''',
    "make_loader": '''
def make_loader(X, y, batch_size=32):
    return DataLoader(list(zip(X, y)), batch_size=batch_size, shuffle=True)
''',
}

VARIANTS += [
    Variant(
        "valid_keras_functional_api",
        "The sheet's CNN with the functional API (keras.Input + keras.Model), MaxPool2D, integer kernel sizes, "
        "compiled with optimizer, loss and metric objects (CategoricalAccuracy); one-hot labels with numpy.",
        frozenset(),
        {"build_cnn": KERAS_FUNCTIONAL_CNN},
    ),
    Variant(
        "valid_torch_functional_forms",
        "Activations with torch.where, tanh and logsumexp; tensors spelt otherwise; SGD on a parameter group; "
        "F.mse_loss in the loop; choose_loss returning F.mse_loss and F.binary_cross_entropy and raising a "
        "subclass of ValueError.",
        frozenset(),
        TORCH_FUNCTIONAL_FORMS,
    ),
    Variant(
        "valid_manual_autograd",
        "derivative with torch.autograd.grad; the descent updating theta.data and resetting theta.grad to None; "
        "the convolution with Tensor.unfold instead of two loops.",
        frozenset(),
        MANUAL_AUTOGRAD,
    ),
    Variant(
        "valid_wrapped_linear_model",
        "The regression's nn.Linear(1, 1) inside an nn.Sequential, trained by a hand-written SGD loop under "
        "torch.no_grad(); the DataLoader over a list of (x, y) pairs.",
        frozenset(),
        WRAPPED_LINEAR_MODEL,
    ),
]
