"""Graphs written in Python, in the micrograd spirit: name the inputs, combine them with ordinary operators and
functions, give each intermediate result a name, and say which node is the output.

Each input and node is a real SymPy symbol, so ``x + y``, ``q * z``, ``sp.tanh(n)`` or ``sigmoid(s)`` are the
node's expression as written; a node is recorded in the order it is made, which is an order where each uses
only what came before.

>>> import sympy as sp
>>> g = GraphBuilder("A circuit")
>>> x, y, z = g.inputs(x=-2.0, y=5.0, z=-4.0)
>>> q = g.node("q", x + y)
>>> f = g.node("f", q * z)
>>> graph = g.graph(output=f)
>>> [node.name for node in graph.nodes], graph.leaves, graph.values["z"]
(['q', 'f'], ('x', 'y', 'z'), -4.0)
"""

from __future__ import annotations

import math

import sympy as sp

from ..base.errors import SpecError
from .graph import MAX_LEAVES, MAX_NODES, Graph
from .graph_functions import relu, sigmoid
from .graph_reading import name_key

__all__ = ["GraphBuilder", "relu", "sigmoid"]


class GraphBuilder:
    """Inputs and nodes as they are made; ``graph()`` gives the finished Graph. Inputs are given with a number
    (``input("x", 2.0)``) or all without one (a graph to derive only symbolically)."""

    def __init__(self, title: str | None = None) -> None:
        self.title = title
        self._leaves: list[sp.Symbol] = []
        self._values: dict[str, float] = {}
        self._nodes: list[tuple[sp.Symbol, sp.Expr]] = []
        self._taken: set[str] = set()

    def input(self, name: str, value: float | None = None) -> sp.Symbol:
        """An input or parameter, named as a spec names it (``x``, ``w_0``, ``x_{1}``, ``\\alpha``)."""
        if len(self._leaves) >= MAX_LEAVES:
            raise SpecError(f"a graph has at most {MAX_LEAVES:,} inputs")
        symbol = self._symbol(name)
        if value is not None:
            number = float(value)
            if not math.isfinite(number):
                raise SpecError(f"input {symbol.name}: {value!r} is not a finite number")
            self._values[symbol.name] = number
        self._leaves.append(symbol)
        return symbol

    def inputs(self, *names: str, **values: float) -> tuple[sp.Symbol, ...]:
        """Several inputs at once: names without numbers (``inputs("x", "y")``) or name=number pairs
        (``inputs(x=1.0, y=2.0)``), in the order given."""
        if names and values:
            raise SpecError("give the inputs as names, or as name=number pairs, not both")
        if names:
            return tuple(self.input(name) for name in names)
        return tuple(self.input(name, value) for name, value in values.items())

    def node(self, name: str, expression: sp.Expr | float) -> sp.Symbol:
        """A node computing ``expression`` of the inputs and the nodes made before it; returns its symbol, to use
        in later nodes."""
        if len(self._nodes) >= MAX_NODES:
            raise SpecError(f"a graph has at most {MAX_NODES:,} nodes")
        expr = sp.sympify(expression) if isinstance(expression, (int, float)) else expression
        if not isinstance(expr, sp.Expr):
            raise SpecError(f"node {name}: expected a SymPy expression of the graph's symbols, got {expression!r}")
        known = {*self._leaves, *(symbol for symbol, _ in self._nodes)}
        strangers = sorted(str(s) for s in expr.free_symbols - known)
        if strangers:
            raise SpecError(f"node {name} uses {', '.join(strangers)}, which is not an input or an earlier node here")
        symbol = self._symbol(name)
        self._nodes.append((symbol, expr))
        return symbol

    def graph(self, output: sp.Symbol | str | None = None) -> Graph:
        """The graph, its output ``output`` (the last node when not named)."""
        if self._values and len(self._values) != len(self._leaves):
            missing = [s.name for s in self._leaves if s.name not in self._values]
            raise SpecError(f"every input needs a number when one has: {', '.join(missing)} has none")
        out = self._output(output)
        values = dict(self._values) if self._values else None
        return Graph.from_expressions(self._nodes, self._leaves, out, values, self.title)

    def _output(self, output: sp.Symbol | str | None) -> sp.Symbol | None:
        if output is None:
            return None
        key = output.name if isinstance(output, sp.Symbol) else name_key(output, "output")
        for symbol, _ in self._nodes:
            if symbol.name == key:
                return symbol
        raise SpecError(f"output: {key} is not a node of this graph")

    def _symbol(self, name: str) -> sp.Symbol:
        key = name_key(name, f"name {name!r}")
        if key in self._taken:
            raise SpecError(f"{key} is defined twice")
        self._taken.add(key)
        return sp.Symbol(key, real=True)
