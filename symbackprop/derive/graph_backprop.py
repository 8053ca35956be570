"""The chain rule on a computation graph, as data: the backward pass a circuit is taught with.

The output's gradient with respect to itself is 1. Going back through the graph, each name's gradient is the sum,
over the nodes that use it, of that node's gradient (the upstream gradient) times the local gradient, the
derivative of the node's own expression with respect to the name. A name used by several nodes sums several
terms: gradients add where the graph forks. Each step refers to the upstream gradients by their symbols
(``Upstream``), so a derivation is as large as the graph's edges, however many paths run through it.

>>> from symbackprop.model.graph import Graph
>>> g = Graph.build({"q": "x + y", "f": "q z"}, {"x": -2.0, "y": 5.0, "z": -4.0})
>>> d = derive_graph(g, "x")
>>> [(step.name, str(step.formula)) for step in d.steps]
[('f', '1'), ('q', 'z*∂f/∂f'), ('x', '∂f/∂q')]
>>> d.result
z
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from ..base.errors import SpecError
from ..base.trees import at_most, fold
from ..model.graph import Graph, GraphNode
from ..model.graph_functions import maxgate, relu, sigmoid

WRITTEN_OUT = 20_000  # nodes of a result written out in the graph's names, past which only its steps are shown


class Upstream(sp.Symbol):
    """∂(output)/∂(name): the gradient a step hands back to the nodes that a name's value came from."""

    output: str

    def __new__(cls, name: str, output: str) -> Upstream:
        symbol = super().__new__(cls, f"∂{output}/∂{name}", real=True)
        symbol.of, symbol.output = name, output
        return symbol

    def __getnewargs_ex__(self) -> tuple[tuple[str, str], dict]:
        return (self.of, self.output), {}

    of: str


@dataclass(frozen=True)
class LocalGradient:
    """d(node's expression)/d(name), worked from the node's own expression, and the rule it follows."""

    node: str
    name: str
    expression: sp.Expr  # the node's expression
    value: sp.Expr  # its derivative with respect to ``name``
    rule: str  # see ``rule_of``


@dataclass(frozen=True)
class BackStep:
    """One name's gradient: the sum over the nodes that use it of upstream gradient times local gradient."""

    name: str
    symbol: sp.Symbol
    uses: tuple[LocalGradient, ...]  # empty for the output: its gradient with respect to itself is 1
    formula: sp.Expr  # sum of Upstream(user) * local value

    @property
    def forks(self) -> bool:
        """Whether gradients from several nodes add here."""
        return len(self.uses) > 1


@dataclass(frozen=True, eq=False)
class GraphDerivation:
    """d(output)/d(wrt) by the backward pass: the steps from the output back to ``wrt`` (every name on a path
    between them), or, for ``wrt`` None, back to every name the output depends on."""

    graph: Graph
    wrt: str | None
    steps: tuple[BackStep, ...]

    @property
    def output(self) -> str:
        return self.graph.output

    @cached_property
    def step_of(self) -> dict[str, BackStep]:
        return {step.name: step for step in self.steps}

    @property
    def adjoints(self) -> dict[sp.Symbol, sp.Expr]:
        """Each upstream gradient's symbol -> its step's formula: the result, written with shared parts."""
        return {Upstream(step.name, self.output): step.formula for step in self.steps}

    def gradient(self, name: str) -> sp.Expr:
        """d(output)/d(name) in the graph's names (its nodes' and leaves' symbols); 0 where it does not depend."""
        key = self.graph.symbol(name).name
        if key not in self.step_of:
            if self.wrt is not None and key != self.wrt:
                raise SpecError(f"this derivation is with respect to {self.wrt}; derive {name} on its own")
            return sp.Integer(0)
        return self.written_out()[key]

    @property
    def result(self) -> sp.Expr:
        """d(output)/d(wrt), in the graph's names."""
        if self.wrt is None:
            raise SpecError("a derivation of every name has one result per name: ask gradient(name)")
        return self.gradient(self.wrt)

    def written_out(self) -> dict[str, sp.Expr]:
        """Every step's gradient with the upstream symbols replaced, each shared part once; a SpecError past
        ``WRITTEN_OUT`` nodes (a graph of many paths: its steps are its derivation)."""
        done: dict[sp.Basic, sp.Basic] = {}
        out: dict[str, sp.Expr] = {}
        for step in self.steps:
            value = fold(step.formula, _rebuild, done)
            if not at_most(value, WRITTEN_OUT):
                raise SpecError(
                    f"d{self.output}/d{step.name} written out in the graph's names passes {WRITTEN_OUT:,} nodes; "
                    "its steps, each upstream gradient times a local one, are the derivation"
                )
            done[Upstream(step.name, self.output)] = value
            out[step.name] = value
        return out


def _rebuild(e: sp.Basic, args: list[sp.Basic]) -> sp.Basic:
    return e.func(*args) if args != list(e.args) else e


_LOCAL: weakref.WeakKeyDictionary[Graph, dict[tuple[str, str], LocalGradient]] = weakref.WeakKeyDictionary()


def local_gradient(graph: Graph, node: GraphNode, name: str) -> LocalGradient:
    """d(node)/d(name) of the node's own expression (cached per graph: every derivation of it shares them)."""
    cache = _LOCAL.setdefault(graph, {})
    key = (node.name, name)
    if key not in cache:
        symbol = graph.symbols[name]
        cache[key] = LocalGradient(
            node.name, name, node.expression, sp.diff(node.expression, symbol), rule_of(node.expression, symbol)
        )
    return cache[key]


def derive_graph(graph: Graph, wrt: str | None) -> GraphDerivation:
    """The backward pass from the graph's output to ``wrt`` (a name as written), or to every name for None."""
    output = graph.symbols[graph.output]
    target = graph.symbol(wrt).name if wrt is not None else None
    reaches_output = graph.depends_on(graph.output)
    wanted = reaches_output & _reached_from(graph, target) if target is not None else reaches_output
    order = [node.symbol for node in reversed(graph.nodes)] + [graph.symbols[leaf] for leaf in graph.leaves]
    steps = []
    for symbol in order:
        if symbol not in wanted:
            continue
        if symbol == output:
            steps.append(BackStep(symbol.name, symbol, (), sp.Integer(1)))
            continue
        uses = tuple(
            local_gradient(graph, user, symbol.name) for user in graph.consumers[symbol] if user.symbol in wanted
        )
        formula = sp.Add(*(Upstream(use.node, graph.output) * use.value for use in uses))
        steps.append(BackStep(symbol.name, symbol, uses, formula))
    return GraphDerivation(graph, target, tuple(steps))


def _reached_from(graph: Graph, name: str) -> frozenset[sp.Symbol]:
    """``name`` and every node whose value depends on it."""
    seen = {graph.symbols[name]}
    for node in graph.nodes:
        if seen.intersection(node.inputs):
            seen.add(node.symbol)
    return frozenset(seen)


def rule_of(expression: sp.Expr, name: sp.Symbol) -> str:
    """What kind of node the local gradient is taken of, as a lesson names it: "add" (the gradient passes
    through unchanged), "multiply" (the other factors), "max"/"min" (routed to the chosen input),
    "max_first" (a max pool's gate: to the larger input, at a tie to the first, as PyTorch does), "relu",
    "sigmoid", "tanh", "exp", "log", "abs", "power", "divide", "scale" (a term c x of a sum: c), or "expression"
    for any other."""
    if isinstance(expression, sp.Add) and all(term == name or not term.has(name) for term in expression.args):
        return "add"
    if isinstance(expression, sp.Mul):
        if any(isinstance(f, sp.Pow) and f.exp.is_negative and f.has(name) for f in expression.args):
            return "divide"
        if all(f == name or not f.has(name) for f in expression.args):
            return "multiply"
    if isinstance(expression, sp.Pow) and expression.base == name:
        return "divide" if expression.exp == -1 else "power"
    kinds = {sp.Max: "max", sp.Min: "min", relu: "relu", sigmoid: "sigmoid", sp.tanh: "tanh", sp.exp: "exp"}
    kinds |= {sp.log: "log", sp.Abs: "abs", maxgate: "max_first"}
    kind = kinds.get(type(expression))
    if kind is not None and name in expression.args:
        return kind
    return "expression"
