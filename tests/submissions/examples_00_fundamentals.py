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
