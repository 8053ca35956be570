"""A computation graph as data: named nodes, each a SymPy expression of earlier nodes and of the graph's
inputs and parameters (its leaves), and the node whose gradient is taken.

Circuits are written this way (q = x + y, f = q z), and so is a dense network (``dense_graph``): a graph is the
one shape the chain rule is told on. Names are keys such as ``x``, ``w_0``, ``x_{12}`` or ``\\alpha``; each has a
real SymPy symbol of the same name.

>>> g = Graph.build({"q": "x + y", "f": "q z"}, {"x": -2.0, "y": 5.0, "z": -4.0}, output="f")
>>> [node.name for node in g.nodes], g.leaves
(['q', 'f'], ('x', 'y', 'z'))
>>> g.composed(g.symbol("f"))
z*(x + y)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from ..base.errors import SpecError
from ..base.trees import count_nodes, fold

# The reader of a graph's text (``graph_reading``, with the syntax tree) is imported where text is read: a network's
# spec, which uses only this module's limits, is read without it (issue 20).

MAX_NODES = 5_000  # nodes of one graph; a 1,000-node graph derives --wrt all in seconds
MAX_LEAVES = 5_000


@dataclass(frozen=True)
class GraphNode:
    """One node: its name, its symbol, its expression (in the symbols of what it uses) and the text it came from."""

    name: str
    symbol: sp.Symbol
    expression: sp.Expr
    text: str = ""

    @property
    def inputs(self) -> tuple[sp.Symbol, ...]:
        """The symbols the expression uses, in the order their names sort."""
        return tuple(sorted(self.expression.free_symbols, key=lambda s: s.name))


@dataclass(frozen=True, eq=False)
class Graph:
    """Nodes in an order where each uses only those before it, the leaves (inputs and parameters), the output,
    and (optionally) a number for every leaf."""

    nodes: tuple[GraphNode, ...]
    leaves: tuple[str, ...]
    output: str
    values: Mapping[str, float] | None = None
    title: str | None = None
    symbols: Mapping[str, sp.Symbol] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        nodes: Mapping[str, str] | Sequence[tuple[str, str]],
        values: Mapping[str, float] | Sequence[str],
        output: str | None = None,
        title: str | None = None,
    ) -> Graph:
        """A graph from its nodes as text (name -> expression) and its leaves: a mapping name -> number, or only
        their names for a graph without numbers. ``output`` is the last node unless named."""
        from .graph_reading import name_key, read_expression

        pairs = list(nodes.items()) if isinstance(nodes, Mapping) else list(nodes)
        if not pairs:
            raise SpecError("[graph]: a graph has at least one node, as f = 'x y'")
        if len(pairs) > MAX_NODES:
            raise SpecError(f"[graph]: {len(pairs):,} nodes; the limit is {MAX_NODES:,}")
        numbers = dict(values) if isinstance(values, Mapping) else None
        leaves = _leaf_keys(list(values.keys()) if isinstance(values, Mapping) else list(values))
        names = [(name_key(name, f"[graph] key {name!r}"), text) for name, text in pairs]
        _no_twice(names, leaves)
        symbols = {key: sp.Symbol(key, real=True) for key in [*leaves, *(n for n, _ in names)]}
        read = {key: read_expression(text, symbols, f"node {key}") for key, text in names}
        order = _ordered([key for key, _ in names], {key: expr.free_symbols for key, expr in read.items()}, symbols)
        if not values:
            raise SpecError("[values]: a graph has at least one input or parameter to differentiate by, as x = 2.0")
        built = tuple(GraphNode(key, symbols[key], read[key], dict(names)[key]) for key in order)
        out = name_key(output, "output") if output is not None else built[-1].name
        if out not in symbols:
            raise SpecError(f"output: {out} is not a node of the graph; the nodes are {', '.join(order)}")
        number_of = {key: numbers[name] for name, key in zip(values, leaves, strict=True)} if numbers else None
        return cls(built, tuple(leaves), out, number_of, title, symbols)

    @classmethod
    def from_expressions(
        cls,
        nodes: Sequence[tuple[sp.Symbol, sp.Expr]],
        leaves: Sequence[sp.Symbol],
        output: sp.Symbol | None = None,
        values: Mapping[str, float] | None = None,
        title: str | None = None,
    ) -> Graph:
        """A graph a builder made (a dense network's, or one written in Python): nodes in order as (symbol,
        SymPy expression), each using only leaves and nodes before it; names are the symbols' names."""
        known = set(leaves)
        for symbol, expression in nodes:
            unknown = sorted(str(s) for s in expression.free_symbols - known)
            if unknown:
                raise SpecError(
                    f"node {symbol.name} uses {', '.join(unknown)}, which is neither a leaf nor a node before it"
                )
            if symbol in known:
                raise SpecError(f"{symbol.name} is defined twice")
            known.add(symbol)
        if not nodes:
            raise SpecError("a graph has at least one node")
        built = tuple(GraphNode(symbol.name, symbol, expression) for symbol, expression in nodes)
        symbols = {s.name: s for s in (*leaves, *(symbol for symbol, _ in nodes))}
        out = output.name if output is not None else built[-1].name
        return cls(built, tuple(s.name for s in leaves), out, dict(values) if values else None, title, symbols)

    def symbol(self, name: str) -> sp.Symbol:
        """The symbol of a node or a leaf, by its name as written (``x_{1}`` or ``x_1``)."""
        from .graph_reading import name_key

        key = name if name in self.symbols else name_key(name, "name")
        if key not in self.symbols:
            raise SpecError(f"{name!r} is neither a node nor a value of this graph; it has {', '.join(self.names)}")
        return self.symbols[key]

    @property
    def names(self) -> tuple[str, ...]:
        """Every name: the leaves, then the nodes in order."""
        return (*self.leaves, *(node.name for node in self.nodes))

    @cached_property
    def definitions(self) -> dict[sp.Symbol, sp.Expr]:
        """Each node's symbol -> its expression."""
        return {node.symbol: node.expression for node in self.nodes}

    @cached_property
    def node_of(self) -> dict[sp.Symbol, GraphNode]:
        return {node.symbol: node for node in self.nodes}

    @cached_property
    def consumers(self) -> dict[sp.Symbol, tuple[GraphNode, ...]]:
        """For each symbol, the nodes whose expressions use it, in graph order: where its gradient comes from."""
        found: dict[sp.Symbol, list[GraphNode]] = {s: [] for s in self.symbols.values()}
        for node in self.nodes:
            for used in node.inputs:
                found[used].append(node)
        return {s: tuple(users) for s, users in found.items()}

    def composed(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` written in the leaves alone: each node it depends on replaced by its expression, once."""
        needed = self._below(expr)
        done: dict[sp.Basic, sp.Basic] = {}
        for node in self.nodes:  # in order: a node's expression uses only nodes already composed
            if node.symbol in needed:
                done[node.symbol] = fold(node.expression, _rebuild, done)
        return fold(expr, _rebuild, done)

    def composed_size(self, expr: sp.Expr) -> int:
        """The nodes of ``composed(expr)`` written out as a tree, counted without building it (SymPy's own
        simplification on the way can only make it smaller)."""
        sizes: dict[sp.Basic, int] = {}  # each subexpression's size, the nodes' symbols standing for theirs
        for node in self.nodes:
            sizes[node.symbol] = count_nodes(node.expression, sizes)
        return count_nodes(expr, sizes)

    def _below(self, expr: sp.Expr) -> set[sp.Basic]:
        """The nodes ``expr`` depends on, directly or through other nodes."""
        seen = set(expr.free_symbols) & set(self.definitions)
        for node in reversed(self.nodes):
            if node.symbol in seen:
                seen.update(s for s in node.inputs if s in self.definitions)
        return seen

    def cut(self, name: str) -> Graph:
        """The graph with the node ``name`` made an input: what its consumers compute from its value, with what
        feeds it held still (the gradient the backward pass gives a node). Without values."""
        symbol = self.symbol(name)
        nodes = [(node.symbol, node.expression) for node in self.nodes if node.symbol != symbol]
        leaves = [self.symbols[leaf] for leaf in self.leaves] + [symbol]
        return Graph.from_expressions(nodes, leaves, self.symbols[self.output], None, self.title)

    def depends_on(self, name: str) -> frozenset[sp.Symbol]:
        """The nodes and leaves the node ``name`` depends on, itself included."""
        seen = {self.symbol(name)}
        for node in reversed(self.nodes):
            if node.symbol in seen:
                seen.update(node.inputs)
        return frozenset(seen)


def _rebuild(e: sp.Basic, args: list[sp.Basic]) -> sp.Basic:
    return e.func(*args) if args != list(e.args) else e


def _leaf_keys(names: list[str]) -> list[str]:
    from .graph_reading import name_key

    if len(names) > MAX_LEAVES:
        raise SpecError(f"[values]: {len(names):,} names; the limit is {MAX_LEAVES:,}")
    return [name_key(name, f"[values] key {name!r}") for name in names]


def _no_twice(nodes: list[tuple[str, str]], leaves: list[str]) -> None:
    seen: set[str] = set()
    for key in leaves:
        if key in seen:
            raise SpecError(f"[values]: {key} is given twice")
        seen.add(key)
    for key, _ in nodes:
        if key in seen:
            where = "in [values] and in [graph]" if key in leaves else "twice in [graph]"
            raise SpecError(f"{key} is defined {where}; each name is one node or one value")
        seen.add(key)


def _ordered(names: list[str], uses: Mapping[str, set[sp.Basic]], symbols: Mapping[str, sp.Symbol]) -> list[str]:
    """The nodes in the order written where that order works, else each after the nodes it uses; a cycle is an
    error naming it. (Depth-first with a stack of its own: a chain written backwards is thousands deep.)"""
    by_symbol = {symbols[name]: name for name in names}
    rank = {name: i for i, name in enumerate(names)}
    placed: list[str] = []
    state: dict[str, int] = {}  # 1: on the path being placed, 2: placed
    for root in names:
        if root in state:
            continue
        path, pending = [root], [_inputs(root, uses, by_symbol, rank)]
        state[root] = 1
        while path:
            other = next((o for o in pending[-1] if state.get(o) != 2), None)
            if other is None:
                state[path[-1]] = 2
                placed.append(path.pop())
                pending.pop()
            elif state.get(other) == 1:
                cycle = " -> ".join([*path[path.index(other) :], other])
                raise SpecError(f"[graph]: the nodes form a cycle, {cycle}; a node uses only nodes before it")
            else:
                state[other] = 1
                path.append(other)
                pending.append(_inputs(other, uses, by_symbol, rank))
    return placed


def _inputs(name: str, uses: Mapping[str, set[sp.Basic]], by_symbol: Mapping[sp.Basic, str], rank: Mapping[str, int]):
    """The nodes ``name`` uses, in the order written, as an iterator the walk above consumes."""
    return iter(sorted((by_symbol[s] for s in uses[name] if s in by_symbol), key=rank.__getitem__))
