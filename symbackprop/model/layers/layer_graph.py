"""A layer stack as one computation graph: the mean cost over the batch, C = (1/n) sum_n C_n (+ the L2 term
R = (lambda/2n) sum w^2 over the weights), every element of every layer a node, every input, target and parameter
a leaf with its number.

>>> spec = layered_spec({"input": 2, "cost": "sse", "batch": 1, "seed": 3,
...                      "layer": [{"kind": "dense", "size": 1, "activation": "tanh"}]})
>>> [node.name for node in spec.graph.nodes]
['z^{(1)}_{0,0}', 'a^{(1)}_{0,0}', 'C_0', 'C']
>>> spec.parameters[1]["weight"].shape
(1, 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ...base.errors import SpecError
from ..costs import cost as cost_entry
from ..graph import Graph
from ..graph_spec import GraphSpec
from . import basic, conv, normalisation, pooling, recurrent
from .numbers import StackNumbers, stack_numbers
from .stack import Layer, LayerStack, decayed, graph_size, read_stack, with_samples
from .wiring import Wiring, element_name

LETTERS = {"weight": "W", "bias": "b", "weight_ih_l0": "W", "weight_hh_l0": "U", "bias_ih_l0": "b", "bias_hh_l0": "c"}
NORM_LETTERS = {"weight": "\\gamma", "bias": "\\beta"}


@dataclass(frozen=True, eq=False)
class LayeredSpec(GraphSpec):
    """A graph spec made from layers: the graph, and what it was made from (the stack, its numbers, and each
    layer's parameters as arrays of the graph's leaves, by torch.nn's names and in its shapes)."""

    stack: LayerStack | None = None
    numbers: StackNumbers | None = None
    parameters: Mapping[int, Mapping[str, np.ndarray]] | None = None
    outputs: Mapping[int, np.ndarray] | None = None  # each layer's output as the graph's names (0: the input)

    def parameter_names(self, number: int, name: str) -> np.ndarray:
        """The graph's names of layer ``number``'s parameter ``name``, in its torch shape."""
        assert self.parameters is not None
        return np.vectorize(lambda s: s.name, otypes=[object])(self.parameters[number][name])


@dataclass(frozen=True, eq=False)
class ArrayStack:
    """A layer stack computed with whole arrays rather than built as a graph (``codegen``'s vectorised module, and
    ``evaluate`` on a stack past the graph's limits): the stack and its numbers."""

    stack: LayerStack
    numbers: StackNumbers

    @property
    def graph_nodes(self) -> int:
        """About how many nodes its graph would have."""
        return graph_size(self.stack)[0]


def array_stack(data: Mapping[str, Any]) -> ArrayStack:
    """Check a spec of [[layer]] tables (parsed TOML) against the arrays' limits, not the graph's, and read or draw
    its numbers."""
    stack = read_stack(data, graph=False)
    numbers = stack_numbers(stack, data.get("values"))
    return ArrayStack(with_samples(stack, numbers.batch), numbers)


def layered_spec(data: Mapping[str, Any]) -> LayeredSpec:
    """Check a spec of [[layer]] tables (parsed TOML) and build its graph."""
    stack = read_stack(data)
    numbers = stack_numbers(stack, data.get("values"))
    graph, parameters, outputs = layer_graph(stack, numbers)
    names = {n: np.vectorize(lambda s: s.name, otypes=[object])(array) for n, array in enumerate(outputs)}
    return LayeredSpec(graph, None, stack.author, None, stack, numbers, parameters, names)


def layer_graph(
    stack: LayerStack, numbers: StackNumbers
) -> tuple[Graph, dict[int, dict[str, np.ndarray]], list[np.ndarray]]:
    """The graph of the mean cost, each layer's parameters as arrays of leaves, and each layer's output as an array
    of symbols (the input first)."""
    w = Wiring()
    h = w.leaf_array("x", None, numbers.x)
    targets = w.leaf_array("y", None, numbers.y)
    parameters: dict[int, dict[str, np.ndarray]] = {}
    for layer in stack.layers:
        letters = NORM_LETTERS if layer.kind in ("batchnorm", "layernorm") else LETTERS
        parameters[layer.number] = {
            name: w.leaf_array(letters[name], layer.number, array)
            for name, array in numbers.parameters.get(layer.number, {}).items()
        }
    outputs = [h]
    for layer in stack.layers:
        try:
            h = _built(w, layer, h, parameters[layer.number], numbers, outputs)
        except RecursionError:
            raise SpecError(f"{layer.label}: too deep an expression to build") from None
        outputs.append(h)
    output = _cost(w, stack, h, targets, parameters)
    return w.graph(output, stack.title), parameters, outputs


def _built(
    w: Wiring,
    layer: Layer,
    h: np.ndarray,
    weights: Mapping[str, np.ndarray],
    numbers: StackNumbers,
    outputs: list[np.ndarray],
) -> np.ndarray:
    kind = layer.kind
    if kind == "dense":
        return basic.dense(w, layer, h, weights)
    if kind == "activation":
        return basic.activation(w, layer, h)
    if kind == "flatten":
        return basic.flatten(h)
    if kind == "dropout":
        return basic.dropout(w, layer, h, numbers.masks[layer.number])
    if kind == "residual":
        return basic.residual(w, layer, h, outputs[layer["from"]])
    if kind in ("conv1d", "conv2d"):
        return conv.convolution(w, layer, h, weights)
    if kind in ("maxpool1d", "maxpool2d", "avgpool2d"):
        return pooling.pool(w, layer, h)
    if kind == "batchnorm":
        return normalisation.batchnorm(w, layer, h, weights)
    if kind == "layernorm":
        return normalisation.layernorm(w, layer, h, weights)
    assert kind == "rnn"
    return recurrent.rnn(w, layer, h, weights)


def _cost(
    w: Wiring, stack: LayerStack, h: np.ndarray, targets: np.ndarray, parameters: Mapping[int, Mapping[str, Any]]
) -> sp.Symbol:
    """C_n per sample (summed over the steps of a [time, size] output), their mean, and the L2 term."""
    entry = cost_entry(stack.cost)
    batch = h.shape[0]
    per_sample = []
    for n in range(batch):
        rows = [(h[n], targets[n])] if h.ndim == 2 else list(zip(h[n], targets[n], strict=True))
        total = sp.Add(*(entry.per_sample(list(a), list(y)) for a, y in rows))
        per_sample.append(w.node(element_name("C", None, (n,)), total))
    mean = sp.Add(*per_sample) / batch
    if stack.l2:
        lam = sp.Rational(repr(stack.l2))
        squares = [
            s**2
            for layer in stack.layers
            for name in decayed(layer)
            for s in np.asarray(parameters[layer.number][name]).ravel()
        ]
        mean += w.node("R", lam / (2 * batch) * sp.Add(*squares))
    return w.node("C", mean)


def layer_gradients(spec: LayeredSpec, gradients: Mapping[str, float]) -> list[dict[str, Any]]:
    """Per layer its number, kind, parameters and gradients (torch.nn's names and shapes, as nested lists), and a
    dropout layer's mask."""
    assert spec.stack is not None and spec.numbers is not None
    out = []
    for layer in spec.stack.layers:
        given = spec.numbers.parameters.get(layer.number, {})
        entry: dict[str, Any] = {"layer": layer.number, "kind": layer.kind}
        entry["parameters"] = {name: array.tolist() for name, array in given.items()}
        entry["gradients"] = {
            name: np.vectorize(lambda key: gradients[key], otypes=[float])(spec.parameter_names(layer.number, name))
            .reshape(array.shape)
            .tolist()
            for name, array in given.items()
        }
        if layer.number in spec.numbers.masks:
            entry["mask"] = spec.numbers.masks[layer.number].tolist()
        out.append(entry)
    return out
