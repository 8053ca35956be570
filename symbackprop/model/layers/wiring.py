"""The graph a layer stack is built into, as it is made: leaves (inputs, targets, parameters) with their numbers,
and nodes, each one element of one layer's output for one sample; arrays of symbols in the shapes torch.nn uses.

Names are a letter, the layer in a superscript, and the element's indices (the sample first) in the subscript:
``z^{(1)}_{0,1,2,3}`` is sample 0's element (1, 2, 3) of layer 1's output, ``W^{(1)}_{1,0,2,2}`` layer 1's weight
at (1, 0, 2, 2) as torch indexes it. Inputs and targets have no superscript: ``x_{0,0,1,1}``, ``y_{0,2}``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import sympy as sp

from ...base.errors import SpecError
from ..activations import activation
from ..graph import MAX_LEAVES, MAX_NODES, Graph
from ..graph_functions import relu, sigmoid
from ..graph_reading import name_key


def element_name(letter: str, layer: int | None, index: Sequence[int]) -> str:
    """The name of one element: ``z^{(1)}_{0,1}``; without a layer, as a graph spells it (``x_{0,1}``, ``C_0``)."""
    subscript = ",".join(str(i) for i in index)
    if layer is None:
        return name_key(f"{letter}_{{{subscript}}}" if index else letter, "name")
    return f"{letter}^{{({layer})}}_{{{subscript}}}" if index else f"{letter}^{{({layer})}}"


class Wiring:
    """Leaves and nodes in the order they are made; ``graph()`` finishes it."""

    def __init__(self) -> None:
        self.leaves: list[sp.Symbol] = []
        self.values: dict[str, float] = {}
        self.nodes: list[tuple[sp.Symbol, sp.Expr]] = []

    def leaf_array(self, letter: str, layer: int | None, numbers: np.ndarray) -> np.ndarray:
        """One leaf per number, in an array of the numbers' shape."""
        out = np.empty(numbers.shape, dtype=object)
        for index in itertools.product(*(range(n) for n in numbers.shape)):
            symbol = sp.Symbol(element_name(letter, layer, index), real=True)
            self.leaves.append(symbol)
            self.values[symbol.name] = float(numbers[index])
            out[index] = symbol
        if len(self.leaves) > MAX_LEAVES:
            raise SpecError(f"the layers' graph has over {MAX_LEAVES:,} inputs and parameters; make it smaller")
        return out

    def node_array(self, letter: str, layer: int | None, expressions: np.ndarray) -> np.ndarray:
        """One node per expression, named by its place; returns the nodes' symbols in the same shape."""
        out = np.empty(expressions.shape, dtype=object)
        for index in itertools.product(*(range(n) for n in expressions.shape)):
            out[index] = self.node(element_name(letter, layer, index), expressions[index])
        return out

    def node(self, name: str, expression: sp.Expr) -> sp.Symbol:
        symbol = sp.Symbol(name, real=True)
        self.nodes.append((symbol, sp.sympify(expression)))
        if len(self.nodes) > MAX_NODES:
            raise SpecError(f"the layers' graph has over {MAX_NODES:,} nodes; make the input, batch or layers smaller")
        return symbol

    def graph(self, output: sp.Symbol, title: str | None) -> Graph:
        return Graph.from_expressions(self.nodes, self.leaves, output, self.values, title)


def empty(shape: Sequence[int]) -> np.ndarray:
    return np.empty(tuple(shape), dtype=object)


def activated(w: Wiring, layer: int, name: str, h: np.ndarray) -> np.ndarray:
    """The activation ``name`` of every element of ``h``, as SymPy expressions: σ and ReLU as the graph's own
    functions, leaky ReLU as s z + (1 - s) ReLU(z), the rest as the catalogue's. A softmax over the last dimension
    is built of nodes of its own, e_j = exp(z_j) and their sum s, so that a_j = e_j / s: a derivation then shows
    its parts, and no product of exponentials is merged into one (which the proof's exact points cannot follow)."""
    act = activation(name)
    out = empty(h.shape)
    if not act.elementwise:
        exps = w.node_array("e", layer, np.vectorize(sp.exp, otypes=[object])(h))
        for index in itertools.product(*(range(n) for n in h.shape[:-1])):
            total = w.node(element_name("s", layer, index), sp.Add(*exps[index]))
            for j, e in enumerate(exps[index]):
                out[(*index, j)] = e / total
        return out
    assert act.form is not None  # the stack refuses the generic g
    if act.name.startswith("leaky_relu"):
        slope = -act.form(sp.Integer(-1))
        form = lambda z: slope * z + (1 - slope) * relu(z)  # noqa: E731
    else:
        form = {"sigmoid": sigmoid, "relu": relu}.get(act.name, act.form)
    for index in itertools.product(*(range(n) for n in h.shape)):
        out[index] = form(h[index])
    return out
