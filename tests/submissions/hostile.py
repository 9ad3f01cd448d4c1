"""Hostile and broken submissions of 01_regression, each with its exact expected outcome.

They are graded without the slow ``quality_rmse`` check (see ``tests/test_hostile.py``);
every other check of the assignment runs. Placeholders ``@RESULTS@``, ``@GRADERS@``, ``@PORT@``
and ``@FOLDER@`` are filled in by the test (the results file it writes, the graders' folder, a
loopback port it listens on, the folder holding the whole corpus: the other students' files).
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
MEAN_METRICS = frozenset({"metrics_mse", "metrics_rmse", "metrics_mae"})

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
    Variant("fork_bomb", "Forks without end inside split_data (the process limit stops it; on a busy machine the "
            "request may time out first).", SPLIT, _split_doing("import os\nwhile True:\n    os.fork()")),
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
    # ----- attacks on the code that runs next to the student's code (probes, kit, frameworks)
    Variant("forge_probe_code", "On the untouched notebook, split_data swaps the code of a later test's probe "
            "(found in sys.modules) for one returning the expected model: nothing is gained.", frozenset({"*"}),
            {"split_data": '''
def split_data(X, y, test_size=0.2, random_state=42):
    import sys
    probes = sys.modules["a01_regression.probes"]
    def forged(sub, input_dim):
        return {"class": "Sequential", "layers": [{"type": "Dense", "units": 64, "activation": "relu"},
                {"type": "Dense", "units": 32, "activation": "relu"}, {"type": "Dense", "units": 1,
                "activation": "linear"}], "params": 2689 if input_dim == 8 else 2369, "output_shape": [None, 1],
                "compile": {"optimizer": "adam", "learning_rate": 0.001, "loss": "mse", "metrics": ["mae"]}}
    probes.model.__code__ = forged.__code__
    raise NotImplementedError()
'''}, base="release", messages={"split_shapes": "a01_regression.probes.model modifié"}),
    Variant("hidden_code_in_memory", "Looks for the hidden tests' functions, modules and files in the sandbox: "
            "none is there, so the correct split it returns keeps full marks.", frozenset(),
            _split_doing('''
import gc, sys
found = [name for name in sys.modules if "test_hidden" in name or "test_public" in name or "conftest" in name]
found += [getattr(getattr(o, "__code__", None), "co_filename", "") for o in gc.get_objects()
          if callable(o) and "graders" in getattr(getattr(o, "__code__", None), "co_filename", "")
          and "probes" not in getattr(getattr(o, "__code__", None), "co_filename", "")]
if found:
    raise RuntimeError(f"tests cachés en mémoire : {found[:3]}")
''')),
    Variant("patch_count_params", "build_model patches keras.Model.count_params and returns a one-layer model.",
            MODEL, {"build_model": '''
def build_model(input_dim):
    keras.Model.count_params = lambda self: 2689
    model = keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model
'''}, messages={"model_params": "count_params"}),
    Variant("patch_layer_get_config", "build_model patches keras.layers.Layer.get_config to describe every layer "
            "as Dense(64, relu).", MODEL, {"build_model": '''
def build_model(input_dim):
    keras.layers.Layer.get_config = lambda self: {"units": 64, "activation": "relu", "name": self.name}
    model = keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model
'''}, messages={"model_layers": "get_config"}),
    Variant("patch_axes_legend", "plot_learning_curve draws no legend and patches matplotlib's Axes.get_legend.",
            PLOT, {"plot_learning_curve": '''
def plot_learning_curve(history):
    import matplotlib.axes
    class Legend:
        def get_texts(self):
            return []
    matplotlib.axes.Axes.get_legend = lambda self: Legend()
    figure, ax = plt.subplots()
    ax.plot(history.history["loss"], label="loss")
    ax.plot(history.history["val_loss"], label="val_loss")
    ax.set_xlabel("époque")
    ax.set_ylabel("perte")
    return figure
'''}, messages={"plot_learning_curve": "get_legend"}),
    Variant("patch_torch_module", "compute_metrics imports torch and patches torch.nn.Module.parameters "
            "(a framework no probe of this assignment had imported yet).", METRICS, {"compute_metrics": '''
def compute_metrics(y_true, y_pred):
    import torch
    torch.nn.Module.parameters = lambda self, recurse=True: iter(())
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    mse = np.mean((y_true - y_pred) ** 2)
    return {"mse": mse, "rmse": np.sqrt(mse), "mae": np.mean(np.abs(y_true - y_pred))}
'''}),
    Variant("mutate_helper_default", "build_model changes the default arguments of the kit's figure helper.",
            MODEL, {"build_model": '''
def build_model(input_dim):
    import autograder.checks.figures as figures
    figures.describe_figure.__defaults__ = (True,)
    model = keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(64, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model
'''}, messages={"model_layers": "describe_figure modifié"}),
    Variant("swap_sys_modules_entry", "compute_metrics swaps a kit module in sys.modules for an empty one.",
            METRICS, {"compute_metrics": '''
def compute_metrics(y_true, y_pred):
    import sys, types
    sys.modules["autograder.checks.figures"] = types.ModuleType("autograder.checks.figures")
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    mse = np.mean((y_true - y_pred) ** 2)
    return {"mse": mse, "rmse": np.sqrt(mse), "mae": np.mean(np.abs(y_true - y_pred))}
'''}, messages={"metrics_mse": "remplacé dans sys.modules"}),
    # ----- return values that lie
    Variant("lying_eq_array", "split_data returns zero arrays of the right shapes whose __eq__ always says True: "
            "the judge compares the real values.", frozenset({"split_seeded", "split_partition"}),
            {"split_data": '''
class Liar(np.ndarray):
    def __eq__(self, other):
        return True

def split_data(X, y, test_size=0.2, random_state=42):
    parts = train_test_split(X, y, test_size=test_size, random_state=random_state)
    return tuple(np.zeros_like(part).view(Liar) for part in parts)
'''}),
    Variant("lying_len_list", "split_data returns three arrays in a list whose __len__ says 4.", SPLIT,
            {"split_data": '''
class Four(list):
    def __len__(self):
        return 4

def split_data(X, y, test_size=0.2, random_state=42):
    return Four(train_test_split(X, y, test_size=test_size, random_state=random_state)[:3])
'''}, messages={"split_shapes": "4 tableaux', obtenu 3"}),
    Variant("lying_array_protocol", "compute_metrics returns objects whose __array__ and __float__ give the right "
            "numbers: they are not plain data and never reach the judge.", METRICS, {"compute_metrics": '''
class Number:
    def __init__(self, value):
        self.value = value
    def __float__(self):
        return float(self.value)
    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.value, dtype=dtype)
    def __eq__(self, other):
        return True

def compute_metrics(y_true, y_pred):
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    mse = np.mean((y_true - y_pred) ** 2)
    return {"mse": Number(mse), "rmse": Number(np.sqrt(mse)), "mae": Number(np.mean(np.abs(y_true - y_pred)))}
'''}, messages={"metrics_mse": "impossible à transmettre"}),
    Variant("generator_returned", "split_data returns a generator of the four arrays.", SPLIT,
            {"split_data": '''
def split_data(X, y, test_size=0.2, random_state=42):
    return (part for part in train_test_split(X, y, test_size=test_size, random_state=random_state))
'''}, messages={"split_shapes": "impossible à transmettre"}),
    Variant("huge_nested", "compute_metrics returns a list nested 100 000 deep.", METRICS, {"compute_metrics": '''
def compute_metrics(y_true, y_pred):
    nested = []
    for _ in range(100_000):
        nested = [nested]
    return {"mse": nested, "rmse": nested, "mae": nested}
'''}, messages={"metrics_mse": "impossible à transmettre"}),
    Variant("slow_to_serialise", "On the 50-value sample, compute_metrics returns 10⁸ shared floats, which take "
            "minutes to serialise: that request times out, the other calls are graded.", MEAN_METRICS,
            {"compute_metrics": '''
def compute_metrics(y_true, y_pred):
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    mse = np.mean((y_true - y_pred) ** 2)
    if len(y_true) == 50:
        row = [0.1] * 1000
        return {"mse": [row] * 100_000, "rmse": mse, "mae": mse}
    return {"mse": mse, "rmse": np.sqrt(mse), "mae": np.mean(np.abs(y_true - y_pred))}
'''}),
    # ----- the sandbox's process, threads and neighbours
    Variant("thread_after_return", "split_data starts a thread that patches numpy after split_data has returned: "
            "the process is not reused, the grade is that of the correct split.", frozenset(),
            _split_doing('''
import threading, time
def later():
    time.sleep(1.5)
    np.allclose = lambda *a, **k: True
threading.Thread(target=later, daemon=True).start()
''')),
    Variant("read_other_submission", "In a batch, tries to read another student's notebook next to its own.",
            frozenset(), _split_doing('''
try:
    with open("@FOLDER@/syntax_error.ipynb") as stream:
        raise RuntimeError(stream.read()[:500])
except OSError:
    pass
''')),
    Variant("fake_reply_on_result_fd", "compute_metrics writes a forged answer with the right metrics on the "
            "sandbox's result pipe, then returns wrong ones: every test relying on it is cancelled.", METRICS,
            {"compute_metrics": '''
def compute_metrics(y_true, y_pred):
    import json, os, sys
    frame = sys._getframe(1)
    while frame is not None and "request" not in frame.f_locals:
        frame = frame.f_back
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    errors = y_true - y_pred
    right = {"mse": float(np.mean(errors ** 2)), "rmse": float(np.sqrt(np.mean(errors ** 2))),
             "mae": float(np.mean(np.abs(errors)))}
    forged = {"type": "reply", "id": frame.f_locals["request"]["id"], "value": right}
    os.write(int(os.environ["DLKIT_RESULT_FD"]), (json.dumps(forged) + "\\n").encode())
    return {"mse": 0.0, "rmse": 0.0, "mae": 0.0}
'''}, messages={"metrics_rmse": "falsifiée"}),
]
