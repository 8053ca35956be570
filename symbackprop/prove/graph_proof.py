"""Proofs of a graph's gradients, each against a computation that does not use the backward pass.

Small graphs: the gradient, written out in the inputs and parameters, minus sympy.diff of the output written out
the same way, cancels to 0. Larger ones: forward mode through the graph (``graph_points``), node by node from the
inputs, at random points of the identity test, every function's value an unknown per argument value; all the
gradients at once, as the derivative along a random direction. A graph with a power that is not an integer
(x^{1/2}), or a difference the exact points find, goes to real points to 50 digits, where a difference is a
number that can be shown.

>>> from symbackprop.model.graph import Graph
>>> from symbackprop.derive.graph_backprop import derive_graph
>>> g = Graph.build({"q": "x + y", "f": "q z"}, {"x": -2.0, "y": 5.0, "z": -4.0})
>>> prove_graph(derive_graph(g, "x")).verdict
'proven'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import sympy as sp

from ..base.trees import tree_size
from ..derive.graph_backprop import GraphDerivation
from ..model.graph import Graph
from ..model.graph_functions import maxgate
from .graph_points import DIGITS, Exact, GraphPoint, NotExact, Real, backward_values, real_point
from .proof import (
    DISPROVEN,
    GRAPH_UNKNOWNS,
    PROVEN,
    RANDOM,
    SYMBOLIC,
    UNDECIDED,
    Part,
    Proof,
    by_points,
    guarded,
    points_within,
    ran_past,
)
from .random_identity import Unknowns

SYMBOLIC_NODES = 3_000  # the output written out in its inputs, at most, for sympy.diff and cancelling
SYMBOLIC_DEPTH = 100  # and its depth: SymPy recurses through a long chain of nodes written out, past Python's stack
REAL_POINTS = 12
AGREE = mpmath.mpf(10) ** -(DIGITS - 10)


def prove_graph(d: GraphDerivation) -> Proof:
    """The derivation's gradients (d.wrt's, or every input's and parameter's) against an independent computation."""
    if d.wrt is not None and d.wrt not in d.step_of:
        return _unreached(d)
    if d.wrt is not None and d.wrt not in d.graph.leaves:
        return _at_node(d)
    names = [d.wrt] if d.wrt is not None else [leaf for leaf in d.graph.leaves if leaf in d.step_of]
    if not names:
        return Proof(PROVEN, SYMBOLIC, f"{d.output} depends on none of its inputs: every gradient is 0")
    what = _what(d, names)
    symbolic = _symbolic(d, names, what)
    if symbolic is not None and symbolic.verdict == PROVEN:
        return _proof(symbolic)
    exact = _exact(d, names, what)
    if exact is not None and exact.verdict == PROVEN:
        return _proof(exact)
    real = _real(d, names, what)
    if real.verdict == PROVEN and exact is not None and exact.verdict == DISPROVEN:
        return _proof(Part(UNDECIDED, RANDOM, f"{exact.words}; yet at real points they agree: {real.words}"))
    return _proof(real)


def _unreached(d: GraphDerivation) -> Proof:
    """d.wrt on no path to the output: 0, by the graph's edges and by the output written out without it."""
    graph, name = d.graph, d.wrt
    assert name is not None
    if graph.symbols[name] in graph.depends_on(graph.output):
        return Proof(
            DISPROVEN, SYMBOLIC, f"the backward pass found no path from {name} to {graph.output}, yet one exists"
        )
    return Proof(
        PROVEN,
        SYMBOLIC,
        f"{graph.output} does not depend on {name}: no path leads from it, so d{graph.output}/d{name} = 0",
    )


def _at_node(d: GraphDerivation) -> Proof:
    """d output / d node: the node's value made an input of its own (the graph cut there, as the backward pass
    treats it: what feeds the node held still), then proven as an input's gradient is."""
    graph, name = d.graph, d.wrt
    assert name is not None
    if name == graph.output:
        return Proof(PROVEN, SYMBOLIC, f"d{name}/d{name} = 1: the output's gradient with respect to itself")
    cut = graph.cut(name)
    return prove_graph(GraphDerivation(cut, name, d.steps))


def _proof(part: Part) -> Proof:
    return Proof(part.verdict, part.method, part.words)


def _what(d: GraphDerivation, names: list[str]) -> str:
    tie = TIE_RULE if any(node.expression.has(maxgate) for node in d.graph.nodes) else ""
    if len(names) == 1:
        return f"d{d.output}/d{names[0]} by the backward pass{tie}"
    return (
        f"the gradients of {d.output} with respect to its {len(names)} inputs and parameters, by the backward pass"
        f"{tie},"
    )


# A max pool's gate is differentiated on both sides by its own rule (as ReLU's is): SymPy's Max gives the same
# derivative wherever its inputs differ, and at a tie splits it, which neither PyTorch nor the engine does.
TIE_RULE = (
    " (each max pool gate's derivative is SymPy's Max's where its inputs differ; at a tie the first input takes "
    "the gradient, as PyTorch does)"
)


def _symbolic(d: GraphDerivation, names: list[str], what: str) -> Part | None:
    """Written out in the inputs and parameters, against sympy.diff of the output; None for a graph too large."""
    graph = d.graph
    output_symbol = graph.symbols[graph.output]
    if graph.composed_size(output_symbol) > SYMBOLIC_NODES or _composed_depth(graph, output_symbol) > SYMBOLIC_DEPTH:
        return None
    output = graph.composed(graph.symbols[graph.output])

    def cancels() -> bool:
        for name in names:
            mine = graph.composed(d.gradient(name))
            if tree_size(mine) > 4 * SYMBOLIC_NODES:
                return False
            difference = mine - sp.diff(output, graph.symbols[name])
            if difference != 0 and sp.expand(difference) != 0 and sp.cancel(sp.together(difference)) != 0:
                return False
        return True

    try:
        done = guarded(cancels)
    except Exception:  # SpecError from written_out: a graph of many paths, for the points below
        return None
    if not done:
        return None
    against = "sympy.diff of " + graph.output + " written in its inputs and parameters"
    return Part(PROVEN, SYMBOLIC, f"{what} equals {against}: the difference cancels to 0")


def _composed_depth(graph: Graph, expr: sp.Expr) -> int:
    """The depth of ``graph.composed(expr)``'s tree, counted node by node without building it."""
    depths: dict[sp.Basic, int] = {}

    def depth(e: sp.Basic) -> int:
        if e in depths:
            return depths[e]
        return 1 + max((depth(a) for a in e.args), default=0)

    for node in graph.nodes:
        depths[node.symbol] = depth(node.expression)
    return depth(expr)


def _exact(d: GraphDerivation, names: list[str], what: str) -> Part | None:
    """Forward mode at the identity test's random points; None for a graph exact points cannot evaluate."""
    graph = d.graph

    def evaluate(unknowns: Unknowns) -> tuple[Any, Any]:
        numbers = Exact(unknowns)
        along = _along(graph, names, numbers.direction, lambda s: numbers.number(sp.Integer(1)), numbers)
        point = GraphPoint(graph, numbers, along)
        return _compare(point, d, names, along)

    try:
        outcome = points_within(evaluate)
    except NotExact:
        return None
    against = _against(names, graph)
    return by_points(what, outcome, "forward mode never runs the backward pass", against, unknowns=GRAPH_UNKNOWNS)


def _real(d: GraphDerivation, names: list[str], what: str) -> Part:
    """Forward mode at real points to 50 digits, the spec's own values first."""
    graph = d.graph
    done: list[str] = []

    def run() -> Part:
        tried = 0
        with mpmath.workdps(DIGITS):
            for seed in range(4 * REAL_POINTS):
                if len(done) == REAL_POINTS:
                    break
                tried += 1
                found = _at_real_point(graph, d, names, seed)
                if found is None:
                    continue
                mine, theirs, point = found
                if abs(mine - theirs) > AGREE * max(1, abs(theirs)):
                    return Part(
                        DISPROVEN,
                        RANDOM,
                        f"{what} differs from {_against(names, graph)}: {point}, "
                        f"the backward pass gives {mpmath.nstr(mine, 12)} and forward mode "
                        f"{mpmath.nstr(theirs, 12)}",
                    )
                done.append(point)
        if len(done) < REAL_POINTS:
            return Part(UNDECIDED, RANDOM, f"{what}: only {len(done)} of {tried} real points had every value defined")
        return Part(
            PROVEN,
            RANDOM,
            f"{what} equals {_against(names, graph)} to {DIGITS - 10} digits at "
            f"{REAL_POINTS} real points computed to {DIGITS} (evidence, not a proof of every point)",
        )

    part = guarded(run)
    return part if part is not None else Part(UNDECIDED, RANDOM, f"{what}: the comparison {ran_past()}")


def _at_real_point(graph: Graph, d: GraphDerivation, names: list[str], seed: int) -> tuple[Any, Any, str] | None:
    leaves, directions = real_point(graph, seed, scale=2.0)
    numbers = Real(leaves, directions)
    along = _along(graph, names, directions.__getitem__, lambda s: mpmath.mpf(1), numbers)
    try:
        mine, theirs = _compare(GraphPoint(graph, numbers, along), d, names, along)
    except (ZeroDivisionError, ValueError, OverflowError, MemoryError):  # MemoryError: mpmath's exp of e^(10^702)
        return None  # a point where a value is not defined or not representable: another point is drawn
    shown = ", ".join(f"{s.name} = {mpmath.nstr(v, 6)}" for s, v in list(leaves.items())[:6])
    return mine, theirs, f"at {shown}"


def _along(
    graph: Graph, names: list[str], direction: Callable[[sp.Symbol], Any], one: Callable[[sp.Symbol], Any], numbers: Any
) -> Callable[[sp.Symbol], Any]:
    """The direction forward mode differentiates along: the one name's, or a random direction for several."""
    zero = numbers.number(sp.Integer(0))
    if len(names) == 1:
        target = graph.symbols[names[0]]
        return lambda s: one(s) if s == target else zero
    chosen = {graph.symbols[n] for n in names}
    return lambda s: direction(s) if s in chosen else zero


def _compare(point: GraphPoint, d: GraphDerivation, names: list[str], along: Callable[[sp.Symbol], Any]) -> tuple:
    """(the backward pass's gradients along the direction, forward mode's derivative of the output along it)."""
    back = backward_values(point, d)
    mine = None
    for name in names:
        term = along(d.graph.symbols[name]) * back[name]
        mine = term if mine is None else mine + term
    return mine, point.slope(d.graph.symbols[d.output])


def _against(names: list[str], graph: Graph) -> str:
    if len(names) == 1:
        return f"the derivative of {graph.output} by forward mode through the graph, node by node from its inputs"
    return (
        f"the derivative of {graph.output} along a random direction of its inputs, by forward mode through the "
        "graph node by node"
    )
