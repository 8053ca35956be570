"""A graph's numbers: the forward value of every node, then the backward pass in numbers, each step's formula
(upstream gradients times local gradients) evaluated through ``formula.lambdified``, as CS231n's circuits show them
in green above each wire and red below it.

>>> from symbackprop.model.graph import Graph
>>> from symbackprop.derive.graph_backprop import derive_graph
>>> g = Graph.build({"q": "x + y", "f": "q z"}, {"x": -2.0, "y": 5.0, "z": -4.0})
>>> numbers = graph_numbers(derive_graph(g, None))
>>> numbers.values["q"], numbers.values["f"], numbers.gradients["x"], numbers.gradients["z"]
(3.0, -12.0, -4.0, 3.0)
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..base.errors import SpecError
from ..derive.graph_backprop import GraphDerivation, Upstream, local_gradient
from ..model.graph import Graph
from .formula import lambdified


@dataclass(frozen=True)
class GraphNumbers:
    """Forward values of every name, and d(output)/d(name) for every name (0 where the output does not depend
    on it); ``local`` holds each step's local gradients at these values, by (node, name)."""

    values: Mapping[str, float]
    gradients: Mapping[str, float]
    local: Mapping[tuple[str, str], float]

    def as_data(self) -> dict[str, dict[str, float | None]]:
        """The JSON layout: {"values": {name: number}, "gradients": {name: number}} (a number that is not finite
        is null)."""
        return {"values": _finite(self.values), "gradients": _finite(self.gradients)}


def _finite(numbers: Mapping[str, float]) -> dict[str, float | None]:
    return {name: (value if math.isfinite(value) else None) for name, value in numbers.items()}


_COMPILED: weakref.WeakKeyDictionary[Graph, dict[sp.Basic, Callable[..., Any]]] = weakref.WeakKeyDictionary()


def _compiled(graph: Graph, expr: sp.Expr, arguments: tuple[sp.Basic, ...]) -> Callable[..., Any]:
    cache = _COMPILED.setdefault(graph, {})
    key = sp.Tuple(expr, *arguments)
    if key not in cache:
        cache[key] = lambdified([expr], arguments)
    return cache[key]


def _value(graph: Graph, expr: sp.Expr, known: Mapping[sp.Basic, float]) -> float:
    if expr.is_Number:
        return float(expr)
    arguments = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
    with np.errstate(all="ignore"):  # an overflow is inf and a 0/0 nan: reported as not finite, not a warning
        # NumPy scalars, not Python floats: 0.0 ** -1 is inf, (-8.0) ** 0.5 nan and 1e308 ** 2 inf, as in
        # PyTorch, where Python would raise or give a complex number
        (out,) = _compiled(graph, expr, arguments)(*(np.float64(known[a]) for a in arguments))
    return float(out) if not np.iscomplexobj(out) else math.nan


def forward_values(graph: Graph, values: Mapping[str, float] | None = None) -> dict[str, float]:
    """Every leaf's number and every node's value, in graph order."""
    given = values if values is not None else graph.values
    if given is None:
        raise SpecError("the graph has no [values]: give every input and parameter a number")
    known: dict[sp.Basic, float] = {graph.symbols[name]: float(given[name]) for name in graph.leaves}
    for node in graph.nodes:
        known[node.symbol] = _value(graph, node.expression, known)
    return {symbol.name: value for symbol, value in known.items()}


def graph_numbers(d: GraphDerivation, values: Mapping[str, float] | None = None) -> GraphNumbers:
    """The forward pass, then each step of the backward pass, at the graph's values (or ``values``)."""
    graph = d.graph
    forward = forward_values(graph, values)
    known: dict[sp.Basic, float] = {graph.symbols[name]: value for name, value in forward.items()}
    gradients = dict.fromkeys(graph.names, 0.0)
    local: dict[tuple[str, str], float] = {}
    for step in d.steps:
        for use in step.uses:
            local[(use.node, use.name)] = _value(graph, use.value, known)
        gradient = _value(graph, step.formula, known)
        known[Upstream(step.name, d.output)] = gradient
        gradients[step.name] = gradient
    return GraphNumbers(forward, gradients, local)


def local_numbers(
    graph: Graph, pairs: list[tuple[str, str]], forward: Mapping[str, float]
) -> dict[tuple[str, str], float]:
    """Local gradients d(node)/d(name) at the forward values, for any (node, name) pairs (claims name any)."""
    known = {graph.symbols[name]: value for name, value in forward.items()}
    out = {}
    for node_name, name in pairs:
        node = graph.node_of[graph.symbols[node_name]]
        out[(node_name, name)] = _value(graph, local_gradient(graph, node, name).value, known)
    return out
