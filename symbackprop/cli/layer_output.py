"""What ``evaluate`` prints for a spec of [[layer]] tables: the batch, the mean cost, and per layer its parameters
and their gradients by torch.nn's names and shapes (``--json``: nested lists a user loads with load_state_dict).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..codegen.layer_modules import stack_gradient_function
from ..model.graph import MAX_LEAVES
from ..model.layers.layer_graph import ArrayStack, LayeredSpec, layer_gradients
from ..model.layers.numbers import StackNumbers
from ..model.layers.stack import LayerStack, graph_size
from ..numeric.graph_numbers import GraphNumbers


def layered_numbers(spec: LayeredSpec, numbers: GraphNumbers, as_json: bool) -> str:
    """{"x", "y", "cost", "layers": [{"layer", "kind", "parameters", "gradients"}, ...]} as JSON, or as text."""
    assert spec.stack is not None and spec.numbers is not None
    layers = layer_gradients(spec, numbers.gradients)
    return _printed(spec.stack, spec.numbers, numbers.values[spec.graph.output], layers, as_json, None)


def array_numbers(arrays: ArrayStack, as_json: bool, limit: int) -> str:
    """The same numbers for a stack whose graph would pass ``limit`` nodes (or the graph's limits), computed by the
    generated vectorised NumPy module (``codegen``'s) in float64, and a note saying so (``note`` in the JSON)."""
    stack, numbers = arrays.stack, arrays.numbers
    cost, gradients = stack_gradient_function(stack)(numbers.x, numbers.y, numbers.parameters, numbers.masks)
    layers = []
    for layer in stack.layers:
        given = numbers.parameters.get(layer.number, {})
        entry: dict[str, Any] = {"layer": layer.number, "kind": layer.kind}
        entry["parameters"] = {name: array.tolist() for name, array in given.items()}
        entry["gradients"] = {name: gradients[layer.number][name].tolist() for name in given}
        if layer.number in numbers.masks:
            entry["mask"] = numbers.masks[layer.number].tolist()
        layers.append(entry)
    nodes, leaves = graph_size(stack)
    if nodes > limit or leaves <= MAX_LEAVES:
        size = f"about {nodes:,} nodes, more than the {limit:,} evaluate derives one by one"
    else:
        size = f"about {leaves:,} inputs and parameters, past the {MAX_LEAVES:,} a graph may have"
    note = (
        f"the stack's graph would have {size}: these numbers come from the vectorised NumPy pass codegen writes "
        "(whole arrays, float64), not from a derivation"
    )
    return _printed(stack, numbers, cost, layers, as_json, note)


def _printed(
    stack: LayerStack, numbers: StackNumbers, cost: float, layers: list[dict[str, Any]], as_json: bool, note: str | None
) -> str:
    data: dict[str, Any] = {"x": numbers.x.tolist(), "y": numbers.y.tolist(), "cost": cost, "layers": layers}
    if numbers.drawn:
        data = {"seed": stack.seed, **data}
    if note is not None:
        data = {"note": note, **data}
    if as_json:
        return json.dumps(data, indent=2) + "\n"
    batch = numbers.batch
    lines = [note, ""] if note is not None else []
    if numbers.drawn:
        lines += [f"the spec gives no [values]: {batch} samples and every parameter drawn (seed {stack.seed})", ""]
    lines += [f"mean cost C = {data['cost']:.10g} over {batch} sample{'s' * (batch != 1)}", ""]
    for layer, entry in zip(stack.layers, layers, strict=True):
        shape = " x ".join(map(str, layer.shape_out))
        lines.append(f"layer {layer.number} ({layer.kind}): output {shape}")
        for name, value in entry["parameters"].items():
            lines.append(f"  {name} {list(np.shape(value))}")
            lines += [f"    {row}" for row in _rows(value)]
            lines.append(f"  dC/d{name}")
            lines += [f"    {row}" for row in _rows(entry["gradients"][name])]
    return "\n".join(lines) + "\n"


def _rows(value: Any) -> list[str]:
    """A tensor as rows of its last dimension, each with its leading indices."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 1:
        return [_row(array)]
    flat = array.reshape(-1, array.shape[-1])
    prefixes = np.ndindex(*array.shape[:-1])
    return [f"{list(prefix)}: {_row(row)}" for prefix, row in zip(prefixes, flat, strict=True)]


def _row(row: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.10g}" for v in row) + "]"
