"""What ``evaluate`` prints for a spec of [[layer]] tables: the batch, the mean cost, and per layer its parameters
and their gradients by torch.nn's names and shapes (``--json``: nested lists a user loads with load_state_dict).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..model.layers.layer_graph import LayeredSpec, layer_gradients
from ..numeric.graph_numbers import GraphNumbers


def layered_numbers(spec: LayeredSpec, numbers: GraphNumbers, as_json: bool) -> str:
    """{"x", "y", "cost", "layers": [{"layer", "kind", "parameters", "gradients"}, ...]} as JSON, or as text."""
    assert spec.stack is not None and spec.numbers is not None
    layers = layer_gradients(spec, numbers.gradients)
    data: dict[str, Any] = {
        "x": spec.numbers.x.tolist(),
        "y": spec.numbers.y.tolist(),
        "cost": numbers.values[spec.graph.output],
        "layers": layers,
    }
    if spec.numbers.drawn:
        data = {"seed": spec.stack.seed, **data}
    if as_json:
        return json.dumps(data, indent=2) + "\n"
    batch = spec.numbers.batch
    lines = []
    if spec.numbers.drawn:
        lines += [f"the spec gives no [values]: {batch} samples and every parameter drawn (seed {spec.stack.seed})", ""]
    lines += [f"mean cost C = {data['cost']:.10g} over {batch} sample{'s' * (batch != 1)}", ""]
    for layer, entry in zip(spec.stack.layers, layers, strict=True):
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
