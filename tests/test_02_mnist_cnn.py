"""Kit tests of what 02_mnist_cnn added: PyTorch model descriptions, confusion matrices, the torchviz
fallback without Graphviz, and single mistakes that the example submissions do not isolate."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.classification import accuracy, confusion_counts, expect_confusion_matrix
from autograder.checks.torch_model import (
    AnyOf,
    describe_torch_model,
    expect_block_shapes,
    expect_operation_shapes,
    expect_param_count,
    expect_torch_layers,
)
from autograder.diagrams import DOT_MISSING, show_graph
from autograder.grading.assignments import describe_assignment
from autograder.grading.runner import run_graders
from autograder.grading.spec import Failure
from autograder.grading.student import KernelBackend, Student
from autograder.pytest_plugin import GradingContext
from autograder.results import TestResult as GradedResult

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional


@pytest.fixture(autouse=True)
def one_thread():
    """One thread, as in the sandbox: faster for these small models, and steady on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class TwoBlocks(nn.Module):
    """A block called twice and a ReLU module reused: the description follows the calls."""

    def __init__(self) -> None:
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(1, 1, kernel_size=3, padding=1), nn.MaxPool2d(2))
        self.relu = nn.ReLU()
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))

    def forward(self, x):
        return self.head(self.relu(self.block(self.relu(self.block(x)))))


class Functional(nn.Module):
    """The same computation as TwoBlocks, with functions instead of modules where possible."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, kernel_size=3, padding=1)
        self.linear = nn.Linear(4, 3)

    def forward(self, x):
        x = F.max_pool2d(self.conv(x), 2).relu()
        x = torch.relu(F.max_pool2d(self.conv(x), kernel_size=2, stride=2))
        return self.linear(x.view(x.size(0), -1))


CALLS = ["Conv2d", "MaxPool2d", "ReLU", "Conv2d", "MaxPool2d", "ReLU", "Flatten", "Linear"]


def test_describe_torch_model_lists_layers_and_operations_in_call_order_with_shapes():
    found = describe_torch_model(TwoBlocks(), (1, 8, 8), blocks=("block", "head", "absent"))
    assert [layer["type"] for layer in found["layers"]] == CALLS
    assert [op["type"] for op in found["operations"]] == CALLS
    conv = found["layers"][0]
    assert (conv["kernel_size"], conv["padding"], conv["stride"], conv["bias"]) == (3, 1, 1, True)
    assert found["layers"][1]["stride"] == 2  # MaxPool2d(2): stride defaults to the kernel size
    assert found["layers"][1]["output"] == [2, 1, 4, 4]
    assert found["blocks"]["block"] == {"input": [2, 1, 8, 8], "output": [2, 1, 4, 4]}  # its first call
    assert found["blocks"]["absent"] is None
    assert found["params"] == found["trainable"] == 10 + 15
    assert found["output_shape"] == [2, 3]


def test_operations_are_the_same_for_modules_and_functions():
    modules = describe_torch_model(TwoBlocks(), (1, 8, 8))["operations"]
    functions = describe_torch_model(Functional(), (1, 8, 8))["operations"]
    assert functions == modules
    assert modules[0] == {"type": "Conv2d", "in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 1,
                          "padding": 1, "dilation": 1, "groups": 1, "bias": True, "input": [2, 1, 8, 8],
                          "output": [2, 1, 8, 8]}
    assert modules[4] == {"type": "MaxPool2d", "kernel_size": 2, "stride": 2, "padding": 0, "input": [2, 1, 4, 4],
                          "output": [2, 1, 2, 2]}
    assert modules[-1]["in_features"] == 4 and modules[-1]["out_features"] == 3


def test_describe_torch_model_restores_the_training_mode():
    model = TwoBlocks()
    describe_torch_model(model, (1, 8, 8))
    assert model.training
    model.eval()
    describe_torch_model(model, (1, 8, 8))
    assert not model.training


def test_expect_torch_layers_reports_the_first_difference_in_french():
    found = describe_torch_model(nn.Sequential(nn.Conv2d(1, 4, 3, padding="same"), nn.ReLU(), nn.Flatten(),
                                               nn.Linear(4 * 5 * 5, 2), nn.Softmax(dim=1)), (1, 5, 5))
    expected = [{"type": "Conv2d", "out_channels": 4, "padding": AnyOf(1, "same")}, {"type": "ReLU"},
                {"type": "Linear", "in_features": 100}, {"type": "Softmax", "dim": 1}]
    expect_torch_layers(found, expected)  # reshapes are left out by default
    with pytest.raises(Failure, match=r"position 2.*attendu 'Conv2d → MaxPool2d → Linear → Softmax'"):
        expect_torch_layers(found, [expected[0], {"type": "MaxPool2d"}, *expected[2:]])
    with pytest.raises(Failure, match=r"Couche 1 \(Conv2d\), paramètre `out_channels` : attendu 8, obtenu 4"):
        expect_torch_layers(found, [{**expected[0], "out_channels": 8}, *expected[1:]])
    with pytest.raises(Failure, match=r"position 3.*Flatten"):
        expect_torch_layers(found, expected, ignore=())  # a reshape counts when not ignored
    with pytest.raises(Failure, match=r"position 4"):
        expect_torch_layers(found, expected[:3])  # an extra softmax at the end


def test_expect_shapes_and_param_count():
    found = describe_torch_model(TwoBlocks(), (1, 8, 8), blocks=("block", "absent"))
    expect_operation_shapes(found, [("MaxPool2d", 1, "output", (1, 4, 4)), ("MaxPool2d", 2, "output", (1, 2, 2)),
                                    ("Linear", 1, "input", (4,))])
    with pytest.raises(Failure, match=r"sortie de la 2e opération MaxPool2d.*attendu \[1, 3, 3\], obtenu \[1, 2, 2\]"):
        expect_operation_shapes(found, [("MaxPool2d", 2, "output", (1, 3, 3))])
    with pytest.raises(Failure, match=r"Nombre d'opérations MaxPool2d dans forward : attendu 'au moins 3', obtenu 2"):
        expect_operation_shapes(found, [("MaxPool2d", 3, "output", (1, 1, 1))])
    expect_block_shapes(found, {"block": (1, 4, 4)})
    expect_block_shapes(found, {"block": (1, 8, 8)}, side="input")
    with pytest.raises(Failure, match=r"sortie de `self.block`.*attendu \[2, 4, 4\], obtenu \[1, 4, 4\]"):
        expect_block_shapes(found, {"block": (2, 4, 4)})
    with pytest.raises(Failure, match=r"Bloc `self\.absent`"):
        expect_block_shapes(found, {"absent": (1,)})
    with pytest.raises(Failure, match=r"Nombre de paramètres du modèle : attendu 24, obtenu 25"):
        expect_param_count(found, 24)


def test_confusion_matrix_checks():
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 0])
    y_pred = np.array([0, 1, 1, 1, 2, 2, 0, 0])
    expected = confusion_counts(y_true, y_pred, 4)
    assert expected.tolist() == [[2, 1, 0, 0], [0, 2, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
    expect_confusion_matrix(expected, y_true, y_pred, 4)
    with pytest.raises(Failure, match="transposée"):
        expect_confusion_matrix(expected.T, y_true, y_pred, 4)
    with pytest.raises(Failure, match=r"Forme.*même pour une classe jamais prédite"):
        expect_confusion_matrix(expected[:3, :3], y_true, y_pred, 4)
    with pytest.raises(Failure, match="entiers"):
        expect_confusion_matrix(expected / expected.sum(axis=1, keepdims=True).clip(1), y_true, y_pred, 4)
    with pytest.raises(Failure, match="Diagonale"):
        expect_confusion_matrix(expected + np.eye(4, dtype=int) - np.roll(np.eye(4, dtype=int), 1, axis=1),
                                y_true, y_pred, 4)
    assert accuracy(y_true, y_pred) == pytest.approx(5 / 8)
    with pytest.raises(Failure, match="Nombre de prédictions"):
        accuracy(y_true, y_pred[:-1])


# ------------------------------------------------------------------------------------------- torchviz


def _graph():
    from torchviz import make_dot

    model = nn.Sequential(nn.Linear(3, 2))
    return make_dot(model(torch.zeros(1, 3)), params=dict(model.named_parameters()))


def test_show_graph_explains_in_french_when_dot_is_missing(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` anywhere
    assert show_graph(_graph()) is None
    printed = capsys.readouterr().out
    assert printed.strip() == DOT_MISSING
    assert "introuvable" in printed and "apt install graphviz" in printed and "graphe.source" in printed


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _fake_dot(folder: Path, exit_code: int = 0) -> None:
    script = folder / "dot"
    script.write_text(f"#!{sys.executable}\nimport sys\nsource = sys.stdin.buffer.read()\n"
                      f"assert b'digraph' in source and '-Tpng' in sys.argv\n"
                      f"sys.stdout.buffer.write({PNG!r})\nsys.exit({exit_code})\n")
    script.chmod(0o755)


def test_show_graph_draws_with_dot_when_present(monkeypatch, tmp_path):
    _fake_dot(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    image = show_graph(_graph())
    assert type(image).__name__ == "Image" and image.data == PNG


def test_show_graph_reports_a_failing_dot(monkeypatch, capsys, tmp_path):
    _fake_dot(tmp_path, exit_code=3)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert show_graph(_graph()) is None
    assert "Graphviz n'a pas pu dessiner le graphe" in capsys.readouterr().out


# ------------------------------------------------------------------- single mistakes, graded in this process


def _grade(namespace: dict, *names: str) -> dict[str, GradedResult]:
    """The results of some of 02_mnist_cnn's tests (public and hidden) on ``namespace``, graded in this process.

    The grader files run as in a notebook's graded cell (:class:`KernelBackend`): the same probes and
    tests as under ``autograder grade``, the answers through the same codec, without a sandbox.
    """
    assignment = describe_assignment("02_mnist_cnn")
    student = Student(KernelBackend(namespace, assignment.package))
    context = GradingContext(student, None, assignment.tasks, only=frozenset(names))
    run_graders(assignment, context)
    assert not context.problems
    results = {result.name: result for result in context.ordered()}
    assert set(results) == set(names)
    assert not [r.message for r in results.values() if r.status.value == "grader_error"]
    return results


def _outcome(name: str, namespace: dict) -> str:
    """``passed`` or the feedback of one test."""
    result = _grade(namespace, name)[name]
    return "passed" if result.passed else result.message


def test_graph_check_passes_without_dot_and_fails_a_function_that_renders(tmp_path):
    """The graded function must only build the graph: rendering inside it fails, whatever the machine."""
    from torchviz import make_dot

    def builds(model, x):
        return make_dot(model(x), params=dict(model.named_parameters()))

    def renders(model, x):
        graph = builds(model, x)
        graph.render(str(tmp_path / "graphe"), format="png")
        return graph

    graphs = ("graph_built", "graph_parameters")
    assert {r.status.value for r in _grade({"computation_graph": builds}, *graphs).values()} == {"passed"}
    rendered = _grade({"computation_graph": renders}, *graphs)
    assert all(r.status.value == "error" and "dot" in r.message for r in rendered.values())
    unnamed = _grade({"computation_graph": lambda model, x: make_dot(model(x))}, *graphs)
    assert unnamed["graph_built"].passed
    assert "params=dict" in unnamed["graph_parameters"].message


def _evaluate(eval_mode: bool, no_grad: bool):
    import contextlib

    def evaluate(model, loader):
        if eval_mode:
            model.eval()
        predictions, correct = [], 0
        with torch.no_grad() if no_grad else contextlib.nullcontext():
            for images, labels in loader:
                predicted = model(images).argmax(dim=1)
                correct += int((predicted == labels).sum())
                predictions.append(predicted)
        return correct / len(loader.dataset), torch.cat(predictions).numpy()

    return evaluate


EVALUATE_CHECKS = ("evaluate_accuracy", "evaluate_predictions", "evaluate_eval_mode", "evaluate_no_grad")


@pytest.mark.parametrize(("eval_mode", "no_grad", "fails"), [
    (True, True, set()),
    (False, True, {"evaluate_eval_mode"}),
    (True, False, {"evaluate_no_grad"}),
])
def test_evaluate_mode_checks_are_independent(eval_mode, no_grad, fails):
    results = _grade({"evaluate": _evaluate(eval_mode, no_grad)}, *EVALUATE_CHECKS)
    assert {name for name, result in results.items() if not result.passed} == fails, results
    for name in fails:
        assert "model.eval()" in results[name].message or "torch.no_grad()" in results[name].message


def test_evaluate_under_inference_mode_or_returning_tensors_gets_the_points():
    """torch.inference_mode() disables gradients too; an accuracy tensor and a predictions tensor are numbers."""

    def evaluate(model, loader):
        model.eval()
        with torch.inference_mode():
            batches = [(model(x).argmax(dim=1), y) for x, y in loader]
        predictions, labels = torch.cat([p for p, _ in batches]), torch.cat([y for _, y in batches])
        return (predictions == labels).float().mean(), predictions

    results = _grade({"evaluate": evaluate}, *EVALUATE_CHECKS)
    assert {name: r.message for name, r in results.items() if not r.passed} == {}


def test_evaluate_averaging_batch_accuracies_is_caught():
    def evaluate(model, loader):
        model.eval()
        with torch.no_grad():
            batches = [(model(x).argmax(dim=1), y) for x, y in loader]
        scores = [float((p == y).float().mean()) for p, y in batches]
        return sum(scores) / len(scores), torch.cat([p for p, _ in batches]).numpy()

    outcome = _outcome("evaluate_accuracy", {"evaluate": evaluate})
    assert "attendu 0.78, obtenu 0.8" in outcome and "pas par le nombre de lots" in outcome


def test_evaluate_returning_one_value_fails_with_a_message():
    outcome = _outcome("evaluate_predictions", {"evaluate": lambda model, loader: 0.5})
    assert "deux valeurs" in outcome


@pytest.mark.parametrize(("returned", "hint"), [("sum", "somme"), ("last", "dernier lot")])
def test_train_loss_sum_or_last_batch_gets_a_hint(returned, hint):
    def train_one_epoch(model, loader, optimizer, loss_fn):
        model.train()
        losses = []
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return sum(losses) if returned == "sum" else losses[-1]

    results = _grade({"train_one_epoch": train_one_epoch}, "train_mean_loss", "train_updates")
    assert hint in results["train_mean_loss"].message
    assert results["train_updates"].passed


TRAIN_CHECKS = ("train_mean_loss", "train_updates", "train_sets_train_mode", "train_reference_cnn")


@pytest.mark.parametrize(("mistake", "fails", "message"), [
    ("none", set(), ""),
    ("no_train_mode", {"train_sets_train_mode"}, "model.train()"),
    ("no_step", {"train_updates", "train_reference_cnn"}, "optimizer.step()"),
    ("no_item", {"train_mean_loss"}, "loss.item()"),  # loss tensors summed: every batch's graph kept alive
])
def test_each_training_mistake_changes_what_is_observed(mistake, fails, message):
    def train_one_epoch(model, loader, optimizer, loss_fn):
        if mistake != "no_train_mode":
            model.train()
        total = 0.0
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            if mistake != "no_step":
                optimizer.step()
            total += loss if mistake == "no_item" else loss.item()
        return total / len(loader)

    results = _grade({"train_one_epoch": train_one_epoch}, *TRAIN_CHECKS)
    assert {name for name, result in results.items() if not result.passed} == fails, results
    assert all(message in results[name].message for name in fails if name != "train_reference_cnn")


def test_functional_style_gets_the_model_points():
    """F.relu, F.max_pool2d and view instead of modules: the same computation, the same points."""

    class FunctionalCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = nn.Conv2d(1, 16, 3, padding=1)
            self.second = nn.Conv2d(16, 32, 3, padding="same")
            self.hidden = nn.Linear(1568, 128)
            self.out = nn.Linear(128, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.first(x)), 2)
            x = F.max_pool2d(self.second(x).relu(), 2)
            return self.out(torch.relu(self.hidden(x.view(x.size(0), -1))))

    results = _grade({"MnistCNN": FunctionalCNN}, "model_layers", "model_shapes", "model_params")
    assert {name: r.message for name, r in results.items() if not r.passed} == {}


def test_a_subclass_of_sequential_gets_the_model_points():
    """``class MnistCNN(nn.Sequential)``: no forward of its own, the same computation."""

    class SequentialCNN(nn.Sequential):
        def __init__(self):
            super().__init__(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(1568, 128), nn.ReLU(), nn.Linear(128, 10))

    names = ("model_layers", "model_shapes", "model_params", "model_initial_loss", "model_one_step")
    results = _grade({"MnistCNN": SequentialCNN}, *names)
    assert {name: r.message for name, r in results.items() if not r.passed} == {}


def test_softmax_output_cannot_overfit():
    """CrossEntropyLoss applied to probabilities: the loss stays near ln 10 at first but cannot go to 0."""

    class Softmax(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
            self.conv2 = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
            self.fc1 = nn.Sequential(nn.Linear(1568, 128), nn.ReLU())
            self.fc2 = nn.Sequential(nn.Linear(128, 10), nn.Softmax(dim=1))

        def forward(self, x):
            return self.fc2(self.fc1(torch.flatten(self.conv2(self.conv1(x)), 1)))

    results = _grade({"MnistCNN": Softmax}, "model_layers", "model_initial_loss", "model_overfit")
    assert "sans softmax final" in results["model_layers"].message
    assert results["model_initial_loss"].passed
    assert "lot de 32 images" in results["model_overfit"].message


def test_a_forward_without_gradients_fails_the_one_step_check_with_a_message():
    class Detached(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(784, 10)

        def forward(self, x):
            return self.linear(x.flatten(1)).detach()

    assert "ne dépend pas de ses paramètres" in _outcome("model_one_step", {"MnistCNN": Detached})


def test_transforms_v2_gets_the_transform_point_and_a_pil_image_does_not():
    """v2 returns a tv_tensors.Image (a Tensor subclass): the same values, the same point."""
    from torchvision import transforms
    from torchvision.transforms import v2

    def with_v2():
        return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize((0.1307,), (0.3081,))])

    assert _outcome("data_transform", {"build_transform": with_v2}) == "passed"
    outcome = _outcome("data_transform", {"build_transform": lambda: transforms.Compose([])})
    assert "ToTensor" in outcome and "'Image'" in outcome
    unnormalised = _outcome("data_transform", {"build_transform": lambda: transforms.ToTensor()})
    assert "Normalize((0.1307,), (0.3081,))" in unnormalised
