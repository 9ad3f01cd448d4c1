"""Describe a PyTorch model as plain data (in the sandbox) and compare it to the expected one (outside).

In the sandbox::

    found = describe_torch_model(model, (1, 28, 28), blocks=("conv1", "conv2", "fc1", "fc2"))

``found`` holds only lists, numbers and strings: the layers in the order one forward pass
*calls* them (a module called twice appears twice), their key hyper-parameters, the input
and output shapes of each layer and of the named blocks, and the parameter count. In the
grading process, :func:`expect_torch_layers`, :func:`expect_block_shapes` and
:func:`expect_param_count` compare it with the expected architecture and raise
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
        "layers": [{"type", <hyper-parameters>, "input": shape, "output": shape}],
        "blocks": {name: {"input": shape, "output": shape} | None}}``; ``layers`` lists the
        leaf modules in the order the forward pass calls them.
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
            output = model(torch.zeros((batch, *input_shape)))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return {
        "class": type(model).__name__,
        "params": count_parameters(model),
        "trainable": count_parameters(model, trainable_only=True),
        "output_shape": _shape(output),
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
    ignore: Iterable[str] = (),
    hint: str = "",
) -> None:
    """Same layer types in the same call order, with the expected value for each key given.

    Args:
        found: output of :func:`describe_torch_model`.
        expected: ``[{"type": "Conv2d", "in_channels": 1, "out_channels": 16, "kernel_size": 3}, ...]``;
            only the keys given are compared.
        ignore: layer types left out of the comparison on both sides (``"Flatten"``, ``"Identity"``:
            parameter-free modules a student may or may not use).
        hint: appended to a type-sequence failure.
    """
    skipped = set(ignore)
    layers = [layer for layer in found["layers"] if layer["type"] not in skipped]
    wanted = [layer for layer in expected if layer["type"] not in skipped]
    types_found, types_expected = [layer["type"] for layer in layers], [layer["type"] for layer in wanted]
    if types_found != types_expected:
        position = next((i for i, (a, b) in enumerate(zip(types_expected, types_found, strict=False)) if a != b),
                        min(len(types_expected), len(types_found)))
        fail(f"Couches appelées par forward, dans l'ordre (première différence en position {position + 1})",
             ARROW.join(types_expected), ARROW.join(types_found), hint)
    for position, (want, got) in enumerate(zip(wanted, layers, strict=True), start=1):
        for key, value in want.items():
            if key != "type" and not value == got.get(key):
                fail(f"Couche {position} ({want['type']}), paramètre `{key}`", value, got.get(key))


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
