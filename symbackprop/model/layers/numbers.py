"""A layer stack's numbers: the batch of inputs and targets, every layer's parameters (by torch.nn's names and
shapes) and every dropout mask, read from ``[values]`` or drawn from the spec's seed.

The layout of ``[values]``::

    [values]
    x = [[[...]]]            # one sample per row, each of the input's shape
    y = [[...]]              # one target per row, each of the last layer's output shape
    [values.layer.1]         # layer 1's parameters, named as its torch.nn module names them
    weight = [[[[...]]]]
    bias = [0.1, -0.2]

Drawn numbers follow torch.nn's own initialisation where it has one (uniform within 1/sqrt(fan_in)); a norm's
gamma and beta are drawn near 1 and 0 rather than set to them, so that their gradients are not special; targets
are one-hot rows for a cross-entropy, numbers in (0, 1) for the binary one, and normal for the rest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...base.errors import SpecError
from .stack import Layer, LayerStack, parameter_shapes

ALIASES = {"weight_ih": "weight_ih_l0", "weight_hh": "weight_hh_l0", "bias_ih": "bias_ih_l0", "bias_hh": "bias_hh_l0"}


@dataclass(frozen=True, eq=False)
class StackNumbers:
    """x (batch, *input), y (batch, *output), each layer's parameters by name, each dropout layer's mask (batch,
    *its shape), and whether they were drawn (from ``seed``) rather than given."""

    x: np.ndarray
    y: np.ndarray
    parameters: Mapping[int, Mapping[str, np.ndarray]]
    masks: Mapping[int, np.ndarray]
    drawn: bool

    @property
    def batch(self) -> int:
        return int(self.x.shape[0])


def stack_numbers(stack: LayerStack, values: Any) -> StackNumbers:
    """The numbers [values] gives (all of them), or, without a [values] table, numbers drawn from the seed."""
    if values is None:
        return _drawn(stack)
    if not isinstance(values, Mapping):
        raise SpecError("values: a table, as [values] then x = [...], y = [...], and [values.layer.K] tables")
    unknown = sorted(set(values) - {"x", "y", "layer"})
    if unknown:
        raise SpecError(f"[values]: unknown key {unknown[0]!r}; it takes x, y and [values.layer.K] tables")
    for key in ("x", "y"):
        if key not in values:
            raise SpecError(f"[values]: needs {key}, one row per sample")
    x = _array(values["x"], "[values] x", None, stack.input)
    batch = x.shape[0]
    if stack.batch is not None and stack.batch != batch:
        raise SpecError(f"[values] x has {batch} samples; batch = {stack.batch} says otherwise")
    y = _array(values["y"], "[values] y", batch, stack.output_shape)
    tables = values.get("layer", {})
    if not isinstance(tables, Mapping):
        raise SpecError("[values] layer: tables [values.layer.K], one per layer with parameters")
    parameters: dict[int, dict[str, np.ndarray]] = {}
    numbered = {layer.number: layer for layer in stack.layers}
    for key in tables:
        if not key.isdigit() or int(key) not in numbered or not parameter_shapes(numbered[int(key)]):
            having = [str(n) for n, layer in numbered.items() if parameter_shapes(layer)]
            raise SpecError(f"[values.layer.{key}]: no layer {key} with parameters; those with: {', '.join(having)}")
    for layer in stack.layers:
        shapes = parameter_shapes(layer)
        if not shapes:
            continue
        table = tables.get(str(layer.number))
        if not isinstance(table, Mapping):
            raise SpecError(f"[values.layer.{layer.number}]: {layer.label} needs {', '.join(shapes)}")
        table = {ALIASES.get(key, key): value for key, value in table.items()}
        extra = sorted(set(table) - set(shapes))
        if extra:
            raise SpecError(
                f"[values.layer.{layer.number}]: unknown {extra[0]!r}; {layer.label} has {', '.join(shapes)}"
            )
        parameters[layer.number] = {}
        for name, shape in shapes.items():
            if name not in table:
                raise SpecError(f"[values.layer.{layer.number}]: {layer.label} needs {name}, of shape {list(shape)}")
            where = f"[values.layer.{layer.number}] {name}"
            parameters[layer.number][name] = _array(table[name], where, shape[0], shape[1:])
    return StackNumbers(x, y, parameters, _masks(stack, batch, np.random.default_rng(stack.seed)), False)


def _drawn(stack: LayerStack) -> StackNumbers:
    rng = np.random.default_rng(stack.seed)
    batch = stack.batch or 1
    x = rng.standard_normal((batch, *stack.input))
    parameters = {layer.number: _drawn_parameters(layer, rng) for layer in stack.layers if parameter_shapes(layer)}
    y = _drawn_targets(stack, batch, rng)
    return StackNumbers(x, y, parameters, _masks(stack, batch, rng), True)


def _drawn_parameters(layer: Layer, rng: np.random.Generator) -> dict[str, np.ndarray]:
    shapes = parameter_shapes(layer)
    if layer.kind in ("batchnorm", "layernorm"):
        return {"weight": rng.uniform(0.5, 1.5, shapes["weight"]), "bias": rng.uniform(-0.5, 0.5, shapes["bias"])}
    if layer.kind == "rnn":
        bound = 1 / math.sqrt(layer["hidden_size"])
    else:
        weight = shapes["weight"]
        bound = 1 / math.sqrt(math.prod(weight[1:]))
    return {name: rng.uniform(-bound, bound, shape) for name, shape in shapes.items()}


def _drawn_targets(stack: LayerStack, batch: int, rng: np.random.Generator) -> np.ndarray:
    shape = (batch, *stack.output_shape)
    if stack.cost == "cross_entropy":
        classes = rng.integers(0, shape[-1], shape[:-1])
        return np.eye(shape[-1])[classes]
    if stack.cost == "binary_cross_entropy":
        return rng.uniform(0.05, 0.95, shape)
    return rng.standard_normal(shape)


def _masks(stack: LayerStack, batch: int, rng: np.random.Generator) -> dict[int, np.ndarray]:
    """Each dropout layer's mask: the one its table gives, or one drawn (each unit kept with probability 1 - p)."""
    masks = {}
    for layer in stack.layers:
        if layer.kind != "dropout":
            continue
        if layer["mask"] is not None:
            mask = np.array(layer["mask"], dtype=float)
            if mask.shape[0] != batch:
                raise SpecError(f"{layer.label} mask: {mask.shape[0]} rows for a batch of {batch}")
        else:
            mask = (rng.random((batch, *layer.shape_in)) >= layer["p"]).astype(float)
        masks[layer.number] = mask
    return masks


def _array(value: Any, where: str, rows: int | None, shape: tuple[int, ...]) -> np.ndarray:
    """Nested lists of finite numbers: ``rows`` of ``shape`` (any number of rows for None)."""
    want = f"{'' if rows is None else rows} rows of shape {list(shape)}" if shape else f"{rows} numbers"
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise SpecError(f"{where}: nested lists of numbers, {want}") from None
    if array.ndim != len(shape) + 1 or tuple(array.shape[1:]) != tuple(shape) or array.shape[0] == 0:
        raise SpecError(f"{where}: {want}; got shape {list(array.shape)}")
    if rows is not None and array.shape[0] != rows:
        raise SpecError(f"{where}: {want}; got {array.shape[0]}")
    if not np.isfinite(array).all():
        raise SpecError(f"{where}: every number must be finite")
    return array
