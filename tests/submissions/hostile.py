"""Hostile and broken submissions of 01_regression, each with its exact expected outcome.

They are graded without the slow ``quality_rmse`` check (see ``tests/test_hostile.py``);
every other check of the assignment runs. Placeholders ``@RESULTS@`` and ``@PORT@`` are
filled in by the test (the results file it writes, a loopback port it listens on).
"""

from __future__ import annotations

import nbformat

from tests.submissions.variants import Variant

ASSIGNMENT = "01_regression"
SPLIT = frozenset({"split_shapes", "split_seeded", "split_partition"})
SCALE = frozenset({"scale_train_standardized", "scale_no_leakage", "scale_test_transform"})
MODEL = frozenset({"model_layers", "model_params", "model_compile"})
METRICS = frozenset({"metrics_mse", "metrics_rmse", "metrics_mae", "metrics_edge_cases"})
PLOT = frozenset({"plot_learning_curve"})

CORRECT_SPLIT = '''
    return train_test_split(X, y, test_size=test_size, random_state=random_state)
'''
WRONG_RMSE = '''
def compute_metrics(y_true, y_pred):
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    mse = np.mean((y_true - y_pred) ** 2)
    return {"mse": mse, "rmse": mse, "mae": np.mean(np.abs(y_true - y_pred))}
'''


def _split_doing(prelude: str) -> dict[str, str]:
    """split_data that first runs ``prelude`` (indented code), then returns the correct split."""
    body = "\n".join("    " + line for line in prelude.strip("\n").splitlines())
    return {"split_data": f"def split_data(X, y, test_size=0.2, random_state=42):\n{body}\n{CORRECT_SPLIT}"}


def _drop(*grade_ids: str):
    def edit(notebook: nbformat.NotebookNode) -> None:
        notebook.cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in grade_ids]

    return edit


def _append_cell(source: str):
    def edit(notebook: nbformat.NotebookNode) -> None:
        notebook.cells.append(nbformat.v4.new_code_cell(source.strip("\n")))

    return edit


def _kernel(name: str):
    def edit(notebook: nbformat.NotebookNode) -> None:
        notebook.metadata["kernelspec"] = {"name": name, "display_name": name, "language": name}

    return edit


VARIANTS = [
    Variant("syntax_error", "A cell that does not parse.", SPLIT,
            {"split_data": "def split_data(X, y, test_size=0.2, random_state=42)\n    return X"},
            messages={"split_shapes": "erreur de syntaxe"}),
    Variant("not_json", "The file is not JSON.", frozenset({"*"}), transform=lambda text: text[: len(text) // 2],
            messages={"*": "n'est pas un notebook valide"}),
    Variant("not_a_notebook", "Valid JSON, but no notebook.", frozenset({"*"}),
            transform=lambda text: '{"cells": "none", "hello": 1}', messages={"*": "notebook"}),
    Variant("wrong_kernel", "Declares an R kernel; the code is correct Python.", frozenset(), edit=_kernel("ir"),
            notices=("Noyau inattendu",)),
    Variant("deleted_cells", "The scale_features cell and its test cell were deleted.", SCALE,
            edit=_drop("scale_features", "test_scale"), messages={"scale_no_leakage": "introuvable"}),
    Variant("duplicated_cells", "build_model defined twice; the later, wrong copy is the one that counts.",
            frozenset({"model_layers"}),
            edit=_append_cell('''
def build_model(input_dim):
    model = keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="tanh"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model
''')),
    Variant("exception", "compute_metrics raises.", METRICS,
            {"compute_metrics": "def compute_metrics(y_true, y_pred):\n    raise ValueError('pas encore fini')"},
            messages={"metrics_mse": "ValueError: pas encore fini"}),
    Variant("infinite_loop", "plot_learning_curve never returns.", PLOT,
            {"plot_learning_curve": "def plot_learning_curve(history):\n    while True:\n        pass"},
            messages={"plot_learning_curve": "Temps limite"}),
    Variant("infinite_loop_ignoring_alarm", "Ignores SIGALRM, then loops: the grading process kills it.", PLOT,
            {"plot_learning_curve": '''
def plot_learning_curve(history):
    import signal
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    while True:
        pass
'''}, messages={"plot_learning_curve": "temps limite"}),
    Variant("memory_bomb", "Allocates far more memory than allowed.", SCALE,
            {"scale_features": "def scale_features(X_train, X_test):\n    hog = [0] * 10**11\n    return hog"},
            messages={"scale_no_leakage": "MemoryError"}),
    Variant("fork_bomb", "Forks without end inside split_data.", SPLIT,
            _split_doing("import os\nwhile True:\n    os.fork()"), messages={"split_shapes": "Error"}),
    Variant("huge_output", "Prints 50 MB; the output is truncated, grading goes on.", frozenset(),
            _split_doing("print('x' * 50_000_000)"), notices=("tronquée",)),
    Variant("sys_exit", "compute_metrics calls sys.exit().", METRICS,
            {"compute_metrics": "def compute_metrics(y_true, y_pred):\n    import sys\n    sys.exit(0)"},
            messages={"metrics_mse": "sys.exit()"}),
    Variant("os_exit", "compute_metrics kills its process; the sandbox restarts for the other checks.", METRICS,
            {"compute_metrics": "def compute_metrics(y_true, y_pred):\n    import os\n    os._exit(0)"},
            messages={"metrics_mse": "os._exit"}),
    Variant("recursion", "split_data calls itself forever.", SPLIT,
            {"split_data": "def split_data(X, y, test_size=0.2, random_state=42):\n    return split_data(X, y)"},
            messages={"split_shapes": "RecursionError"}),
    Variant("patch_numpy_top_level", "Top-level monkeypatching of numpy (never executed), wrong RMSE.",
            frozenset({"metrics_rmse"}),
            {"compute_metrics": "np.allclose = lambda *a, **k: True\n" + WRONG_RMSE}),
    Variant("patch_numpy_in_function", "compute_metrics patches numpy while it runs.", METRICS,
            {"compute_metrics": '''
def compute_metrics(y_true, y_pred):
    np.allclose = lambda *a, **k: True
    return {"mse": 0.0, "rmse": 0.0, "mae": 0.0}
'''}, messages={"metrics_mse": "numpy.allclose modifié"}, notices=("Modification",)),
    Variant("patch_kit", "build_model replaces the kit's model description with the expected one.", MODEL,
            {"build_model": '''
def build_model(input_dim):
    import autograder.checks.keras_model as described
    real = described.describe_keras_model
    def fake(model, input_shape=None):
        found = real(model, input_shape)
        found["layers"] = [{"type": "Dense", "units": u, "activation": a}
                           for u, a in ((64, "relu"), (32, "relu"), (1, "linear"))]
        found["params"] = 2689
        return found
    described.describe_keras_model = fake
    model = keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model
'''}, messages={"model_layers": "keras_model.describe_keras_model modifié"}),
    Variant("patch_pytest", "Imports and patches pytest (not used by the judge), wrong RMSE.",
            frozenset({"metrics_rmse"}),
            {"compute_metrics": "import pytest\npytest.approx = lambda *a, **k: True\n" + WRONG_RMSE}),
    Variant("fake_passed_output", "Prints fake success lines and a fake results.json, wrong RMSE.",
            frozenset({"metrics_rmse"}),
            {"compute_metrics": WRONG_RMSE.replace(
                "    mse =", "    print('✔ RMSE comparée à numpy : 1/1')\n"
                "    print('{\"score\": 21, \"max_score\": 21}')\n    mse =")}),
    Variant("write_results_file", "Tries to overwrite the results file and the graders.", frozenset(),
            _split_doing('''
for target in ("@RESULTS@", "@GRADERS@/a01_regression/test_hidden.py"):
    try:
        with open(target, "w") as stream:
            stream.write('{"score": 21, "max_score": 21, "tests": []}')
    except OSError:
        pass
''')),
    Variant("read_hidden_tests", "Tries to read the hidden tests and show them in its feedback.", SPLIT,
            {"split_data": '''
def split_data(X, y, test_size=0.2, random_state=42):
    with open("@GRADERS@/a01_regression/test_hidden.py") as stream:
        raise RuntimeError(stream.read()[:2000])
'''}, messages={"split_shapes": "FileNotFoundError"}),
    Variant("network_access", "Tries to reach a server on the grading machine.", frozenset(),
            _split_doing('''
import socket
try:
    socket.create_connection(("127.0.0.1", @PORT@), timeout=2).sendall(b"leak")
except OSError:
    pass
''')),
]
