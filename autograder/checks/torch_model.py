"""Describe a PyTorch model as plain data (in the sandbox) and compare it to the expected one (outside).

In the sandbox::

    found = describe_torch_model(model, (1, 28, 28))

``found`` holds only lists, numbers and strings. Its ``operations`` are what one forward
pass computes, in order (convolutions, linear layers, activations, pooling, dropout,
reshapes), whether the student wrote modules (``nn.ReLU()``) or functions (``F.relu``,
``x.relu()``), each with its key hyper-parameters and its input and output shapes. ``layers``
lists the leaf modules called, ``blocks`` the shapes of named submodules, ``params`` the
parameter count. In the grading process, :func:`expect_torch_layers`,
:func:`expect_operation_shapes`, :func:`expect_block_shapes` and :func:`expect_param_count`
compare them with the expected architecture and raise
:class:`~autograder.grading.spec.Failure` with "attendu … obtenu …" messages in French.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from autograder.checks.expect import expect_equal, fail

#: Hyper-parameters recorded for each layer, when the layer has the attribute.
LAYER_KEYS = (
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "in_features",
    "out_features",
    "num_features",
    "p",
    "start_dim",
    "end_dim",
    "negative_slope",
    "dim",
)
ARROW = " → "


class AnyOf:
    """An expected hyper-parameter with several correct spellings, e.g. ``AnyOf(1, "same")`` for padding."""

    def __init__(self, *values: Any) -> None:
        self.values = values

    def __eq__(self, other: object) -> bool:
        return any(value == other for value in self.values)

    def __hash__(self) -> int:
        return hash(self.values)

    def __repr__(self) -> str:
        return " ou ".join(repr(value) for value in self.values)


def _plain(value: Any) -> Any:
    """Ints, floats, strings and lists only; a tuple of equal ints (``(3, 3)``) becomes one int."""
    if isinstance(value, tuple | list):
        items = [_plain(v) for v in value]
        if items and all(isinstance(v, int) for v in items) and len(set(items)) == 1:
            return items[0]
        return items
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def _shape(value: Any) -> list[int] | None:
    shape = getattr(value, "shape", None)
    if shape is None and isinstance(value, tuple | list) and value:
        shape = getattr(value[0], "shape", None)
    return [int(n) for n in shape] if shape is not None else None


def describe_layer(module: Any) -> dict[str, Any]:
    """``{"type": class name, <LAYER_KEYS the module has>}``; ``bias`` records whether a bias exists."""
    entry: dict[str, Any] = {"type": type(module).__name__}
    for key in LAYER_KEYS:
        if hasattr(module, key) and not callable(getattr(module, key)):
            entry[key] = _plain(getattr(module, key))
    if "in_features" in entry or "in_channels" in entry:
        entry["bias"] = getattr(module, "bias", None) is not None
    if entry["type"].startswith("MaxPool") or entry["type"].startswith("AvgPool"):
        entry["stride"] = entry.get("stride") or entry.get("kernel_size")  # stride=None means kernel_size
    return entry


#: Functions recorded by the operation trace: torch's name -> (type shown, argument names in order).
#: Modules call these functions too (``nn.ReLU`` calls ``F.relu``), so both styles give the same trace.
_CONV = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")
_POOL = ("input", "kernel_size", "stride", "padding")
OPERATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "conv1d": ("Conv1d", _CONV),
    "conv2d": ("Conv2d", _CONV),
    "conv3d": ("Conv3d", _CONV),
    "linear": ("Linear", ("input", "weight", "bias")),
    "relu": ("ReLU", ("input",)),
    "relu_": ("ReLU", ("input",)),
    "leaky_relu": ("LeakyReLU", ("input", "negative_slope")),
    "gelu": ("GELU", ("input",)),
    "elu": ("ELU", ("input",)),
    "sigmoid": ("Sigmoid", ("input",)),
    "tanh": ("Tanh", ("input",)),
    "softmax": ("Softmax", ("input", "dim")),
    "log_softmax": ("LogSoftmax", ("input", "dim")),
    "max_pool1d": ("MaxPool1d", _POOL),
    "max_pool2d": ("MaxPool2d", _POOL),
    "max_pool3d": ("MaxPool3d", _POOL),
    "avg_pool1d": ("AvgPool1d", _POOL),
    "avg_pool2d": ("AvgPool2d", _POOL),
    "avg_pool3d": ("AvgPool3d", _POOL),
    "adaptive_avg_pool2d": ("AdaptiveAvgPool2d", ("input", "output_size")),
    "adaptive_max_pool2d": ("AdaptiveMaxPool2d", ("input", "output_size")),
    "dropout": ("Dropout", ("input", "p")),
    "dropout1d": ("Dropout", ("input", "p")),
    "dropout2d": ("Dropout2d", ("input", "p")),
    "batch_norm": ("BatchNorm", ("input", "running_mean", "running_var", "weight", "bias")),
    "layer_norm": ("LayerNorm", ("input", "normalized_shape")),
    "flatten": ("Flatten", ("input",)),
    "view": ("Flatten", ("input",)),
    "reshape": ("Flatten", ("input",)),
}
#: Reshapes (``view``, ``reshape``, ``flatten``) are all typed ``Flatten``: leave them out with ``ignore``.
RESHAPES = ("Flatten",)


def describe_operation(name: str, args: tuple, kwargs: dict[str, Any], output: Any) -> dict[str, Any]:
    """``{"type", <hyper-parameters>, "input": shape, "output": shape}`` for one traced call."""
    kind, names = OPERATIONS[name]
    bound = dict(zip(names, args, strict=False))
    bound.update({key: value for key, value in kwargs.items() if key in names})
    entry: dict[str, Any] = {"type": kind}
    weight = bound.get("weight")
    if kind.startswith("Conv") and weight is not None:
        groups = int(bound.get("groups") or 1)
        entry.update(in_channels=int(weight.shape[1]) * groups, out_channels=int(weight.shape[0]),
                     kernel_size=_plain(tuple(int(n) for n in weight.shape[2:])),
                     stride=_plain(bound.get("stride", 1)), padding=_plain(bound.get("padding", 0)),
                     dilation=_plain(bound.get("dilation", 1)), groups=groups,
                     bias=bound.get("bias") is not None)
    elif kind == "Linear" and weight is not None:
        entry.update(in_features=int(weight.shape[1]), out_features=int(weight.shape[0]),
                     bias=bound.get("bias") is not None)
    elif "Pool" in kind and "Adaptive" not in kind:
        kernel = _plain(bound.get("kernel_size"))
        stride = _plain(bound.get("stride"))
        entry.update(kernel_size=kernel, stride=kernel if stride in (None, []) else stride,
                     padding=_plain(bound.get("padding", 0)))
    else:
        for key in names[1:]:
            value = bound.get(key)
            if key in bound and not hasattr(value, "shape"):
                entry[key] = _plain(value)
    entry["input"], entry["output"] = _shape(bound.get("input")), _shape(output)
    return entry


def trace_operations(model: Any, inputs: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Run ``model(inputs)`` and record the :data:`OPERATIONS` it calls, outermost calls only."""
    from torch.overrides import TorchFunctionMode

    operations: list[dict[str, Any]] = []

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
            kwargs = kwargs or {}
            output = func(*args, **kwargs)  # the mode is off inside: nested calls are not recorded
            name = getattr(func, "__name__", "")
            if name in OPERATIONS and args and hasattr(args[0], "shape"):
                operations.append(describe_operation(name, args, kwargs, output))
            return output

    with Recorder():
        output = model(inputs)
    return output, operations


def count_parameters(model: Any, trainable_only: bool = False) -> int:
    """Number of scalar parameters (each shared tensor counted once)."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only))


def describe_torch_model(
    model: Any,
    input_shape: Sequence[int],
    blocks: Iterable[str] = (),
    batch: int = 2,
) -> dict[str, Any]:
    """Plain-data summary of a ``torch.nn.Module`` (runs in the sandbox).

    One forward pass on zeros of shape ``(batch, *input_shape)``, without gradients; the
    model's train/eval mode is restored afterwards.

    Args:
        model: the module.
        input_shape: shape of one example, e.g. ``(1, 28, 28)``.
        blocks: dotted names of submodules whose input and output shapes are recorded,
            e.g. ``("conv1", "fc1")``; a block the model lacks is reported as missing.
        batch: examples in the forward pass (shapes keep the batch dimension).

    Returns:
        ``{"class": str, "params": int, "trainable": int, "output_shape": list[int],
        "operations": [{"type", <hyper-parameters>, "input": shape, "output": shape}],
        "layers": [{"type", <hyper-parameters>, "input": shape, "output": shape}],
        "blocks": {name: {"input": shape, "output": shape} | None}}``. ``operations`` follows
        the computation (see :data:`OPERATIONS`), ``layers`` the leaf modules called; both are
        in call order (a module called twice appears twice). Shapes keep the batch dimension.
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"un torch.nn.Module était attendu, pas {type(model).__name__}")
    modules = dict(model.named_modules())
    layers: list[dict[str, Any]] = []
    shapes: dict[str, dict[str, Any] | None] = {name: None for name in blocks}
    handles = []

    def record_layer(module: Any, args: tuple, output: Any) -> None:
        layers.append({**describe_layer(module), "input": _shape(args), "output": _shape(output)})

    def record_block(name: str):
        def hook(module: Any, args: tuple, output: Any) -> None:
            if shapes[name] is None:  # the first call: a block reused later keeps its first shapes
                shapes[name] = {"input": _shape(args), "output": _shape(output)}

        return hook

    for module in modules.values():
        if not list(module.children()):
            handles.append(module.register_forward_hook(record_layer))
    for name in shapes:
        if name in modules:
            handles.append(modules[name].register_forward_hook(record_block(name)))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            output, operations = trace_operations(model, torch.zeros((batch, *input_shape)))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return {
        "class": type(model).__name__,
        "params": count_parameters(model),
        "trainable": count_parameters(model, trainable_only=True),
        "output_shape": _shape(output),
        "operations": operations,
        "layers": layers,
        "blocks": shapes,
    }


def layer_sequence(layers: Iterable[dict[str, Any]], ignore: Iterable[str] = ()) -> str:
    """``"Conv2d → ReLU → MaxPool2d"``: the layer types, in order, without the ignored ones."""
    skipped = set(ignore)
    return ARROW.join(layer["type"] for layer in layers if layer["type"] not in skipped)


def expect_torch_layers(
    found: dict[str, Any],
    expected: list[dict[str, Any]],
    ignore: Iterable[str] = RESHAPES,
    hint: str = "",
    source: str = "operations",
) -> None:
    """Same layer types in the same call order, with the expected value for each key given.

    Args:
        found: output of :func:`describe_torch_model`.
        expected: ``[{"type": "Conv2d", "in_channels": 1, "out_channels": 16, "kernel_size": 3}, ...]``;
            only the keys given are compared (:class:`AnyOf` for several correct values).
        ignore: types left out of the comparison on both sides; by default the reshapes
            (``view``, ``reshape``, ``flatten``), which a student may write or not.
        hint: appended to a type-sequence failure.
        source: ``"operations"`` (what forward computes, modules or functions alike) or
            ``"layers"`` (the leaf modules called).
    """
    skipped = set(ignore)
    word = "Opérations calculées" if source == "operations" else "Couches appelées"
    layers = [layer for layer in found[source] if layer["type"] not in skipped]
    wanted = [layer for layer in expected if layer["type"] not in skipped]
    types_found, types_expected = [layer["type"] for layer in layers], [layer["type"] for layer in wanted]
    if types_found != types_expected:
        position = next((i for i, (a, b) in enumerate(zip(types_expected, types_found, strict=False)) if a != b),
                        min(len(types_expected), len(types_found)))
        fail(f"{word} par forward, dans l'ordre (première différence en position {position + 1})",
             ARROW.join(types_expected), ARROW.join(types_found), hint)
    for position, (want, got) in enumerate(zip(wanted, layers, strict=True), start=1):
        for key, value in want.items():
            if key != "type" and not value == got.get(key):
                fail(f"Couche {position} ({want['type']}), paramètre `{key}`", value, got.get(key))


def _ordinal(number: int) -> str:
    return "1re" if number == 1 else f"{number}e"


def expect_operation_shapes(found: dict[str, Any], expected: Iterable[tuple[str, int, str, Sequence[int]]],
                            hint: str = "") -> None:
    """The n-th call of an operation type has the expected input or output shape, batch dimension excluded.

    Args:
        found: output of :func:`describe_torch_model`.
        expected: ``[("MaxPool2d", 1, "output", (16, 14, 14)), ("Linear", 1, "input", (1568,))]``:
            type, call number (from 1), ``"input"`` or ``"output"``, shape.
    """
    for kind, number, side, shape in expected:
        calls = [op for op in found["operations"] if op["type"] == kind]
        what = f"{_ordinal(number)} opération {kind}"
        if len(calls) < number:
            fail(f"Nombre d'opérations {kind} dans forward", f"au moins {number}", len(calls), hint)
        got = calls[number - 1][side]
        word = "sortie" if side == "output" else "entrée"
        expect_equal(f"Forme en {word} de la {what} (sans la dimension du lot)", list(shape),
                     got[1:] if got else got, hint)


def expect_block_shapes(found: dict[str, Any], expected: dict[str, Sequence[int]], side: str = "output",
                        hint: str = "") -> None:
    """Each named block's output (or input) has the expected shape, batch dimension excluded.

    Args:
        found: output of :func:`describe_torch_model` (with these ``blocks``).
        expected: ``{"conv1": (16, 14, 14), "fc1": (128,)}``.
        side: ``"output"`` or ``"input"``.
    """
    word = "sortie" if side == "output" else "entrée"
    for name, shape in expected.items():
        block = found["blocks"].get(name)
        if block is None:
            fail(f"Bloc `self.{name}`", f"un sous-module `{name}` appelé par forward", "absent ou jamais appelé",
                 hint)
        got = block[side]
        expect_equal(f"Forme en {word} de `self.{name}` (sans la dimension du lot)", list(shape),
                     got[1:] if got else got, hint)


def expect_param_count(found: dict[str, Any], expected: int, hint: str = "") -> None:
    """The model has exactly ``expected`` parameters."""
    expect_equal("Nombre de paramètres du modèle", expected, found["params"], hint)
