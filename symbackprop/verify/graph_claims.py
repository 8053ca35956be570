"""A claimed formula for a graph's derivative, checked: d(output)/d(name) as a student or a text writes it, in
the graph's own names (z, or \\frac{\\partial f}{\\partial q} \\cdot 1, or \\sigma(s)(1 - \\sigma(s)) w_0).

The claim is read by the graph's expression reader (so nothing in it is evaluated as code), with
\\frac{\\partial f}{\\partial q} read as the output's gradient with respect to q. It is right when its
difference from the backward pass's result, both written in the inputs and parameters, cancels to 0, or, for a
graph too large for that, when the two agree to 40 digits at 12 real points; a point where they differ is shown.

>>> from symbackprop.model.graph import Graph
>>> g = Graph.build({"q": "x + y", "f": "q z"}, {"x": -2.0, "y": 5.0, "z": -4.0})
>>> verify_graph_claim(g, r"\\frac{\\partial f}{\\partial x} = z").verdict
'correct'
>>> verify_graph_claim(g, "q", "x").verdict
'incorrect'
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import sympy as sp

from ..base.errors import SpecError
from ..derive.graph_backprop import GraphDerivation, derive_graph
from ..model.graph import Graph
from ..model.graph_functions import relu
from ..model.graph_reading import name_key, read_node
from ..prove.graph_points import DIGITS, GraphPoint, Real, real_point
from ..prove.proof import guarded
from ..prove.real_points import BRANCHES, branch_arguments, provably_one_sided
from ..syntax.errors import ClaimError
from ..syntax.tree import Frac, Node, Scripted, parse, source
from .claim_nodes import after_mark

CORRECT, INCORRECT, UNPARSEABLE = "correct", "incorrect", "unparseable"
POINTS = 12
AGREE = mpmath.mpf(10) ** -(DIGITS - 10)
CANCEL_NODES = 20_000
FLIP_BASES = 6  # random points at which each leaf is pushed over FLIP_VALUES, to turn a branch seen one way only
FLIP_VALUES = tuple(sign * m for m in (0.5, 2.0, 8.0, 32.0, 128.0, 1024.0) for sign in (-1, 1))


@dataclass(frozen=True)
class GraphClaimReport:
    """The verdict on a claimed derivative of a graph, and what the report shows."""

    claim: str
    verdict: str
    output: str = ""
    wrt: str = ""
    read_as: sp.Expr | None = None
    answer: sp.Expr | None = None
    method: str = ""
    point: tuple[tuple[str, float], ...] = ()  # where the claim and the answer differ
    claim_value: float | None = None
    answer_value: float | None = None
    error: str | None = None
    position: int | None = None

    @property
    def exit_status(self) -> int:
        return {CORRECT: 0, INCORRECT: 1, UNPARSEABLE: 2}[self.verdict]


def verify_graph_claim(
    graph: Graph, claim: str, wrt: str | None = None, names: Callable[[str], str | None] | None = None
) -> GraphClaimReport:
    """Decide ``claim`` (LaTeX) as d(output)/d(wrt); ``wrt`` may come from a leading derivative,
    \\frac{\\partial f}{\\partial x} = ... ``names`` reads a quantity written with a layer (a network's
    w_{12}^{(L)}) as the graph's name for it."""
    try:
        parsed = parse(claim)
    except ClaimError as err:
        return GraphClaimReport(claim, UNPARSEABLE, error=err.reason, position=err.position)
    sides = list(parsed.sides)
    key = _keys(names)
    target = _leading(graph, parsed.text, sides[0], key) if len(sides) > 1 else None
    if target is not None:
        sides = sides[1:]
        if wrt is not None and name_key(wrt, "--wrt") != target:
            raise SpecError(f"--wrt {wrt} but the claim's left-hand side is the derivative with respect to {target}")
    if target is None and wrt is None:
        raise SpecError(
            "say which derivative the claim is: give --wrt, or start it with \\frac{\\partial f}{\\partial x} ="
        )
    name = target if target is not None else graph.symbol(str(wrt)).name
    d = derive_graph(graph, name)
    try:
        reads = [_read(graph, d, parsed.text, side, key, names) for side in sides]
    except SpecError as err:
        return GraphClaimReport(claim, UNPARSEABLE, graph.output, name, error=str(err).partition(": ")[2] or str(err))
    answer = d.result
    for read in reads:
        report = _decide(graph, d, claim, name, read, answer)
        if report.verdict != CORRECT:
            return report
    return report


def _keys(names: Callable[[str], str | None] | None) -> Callable[[str], str]:
    """A name as written to the graph's key for it: the graph's own spelling, or ``names``' reading of it."""

    def key(written: str) -> str:
        found = names(written) if names is not None else None
        return found if found is not None else name_key(written, "the claim's derivative")

    return key


def _leading(graph: Graph, text: str, node: Node, key: Callable[[str], str]) -> str | None:
    """The x of a leading \\frac{\\partial f}{\\partial x}, f the output; None if the side is not one."""
    pair = _derivative(node)
    if pair is None:
        return None
    of, wrt = (key(source(text, part)) for part in pair)
    if of != graph.output:
        raise SpecError(f"the claim is a derivative of {of}; this graph's output is {graph.output}")
    graph.symbol(wrt)
    return wrt


def _derivative(node: Node) -> tuple[Node, Node] | None:
    if not isinstance(node, Frac):
        return None
    of, wrt = after_mark(node.numerator), after_mark(node.denominator)
    return (of, wrt) if of is not None and wrt is not None else None


def _read(
    graph: Graph,
    d: GraphDerivation,
    text: str,
    node: Node,
    key: Callable[[str], str],
    names: Callable[[str], str | None] | None,
) -> sp.Expr:
    """A side of the claim in the graph's names, each \\frac{\\partial f}{\\partial q} read as the gradient."""
    gradients = derive_graph(graph, None)

    def special(part: Node) -> sp.Expr | None:
        if names is not None and isinstance(part, Scripted) and (found := names(source(text, part))) is not None:
            return graph.symbols[found]  # w_{12}^{(L)}: a quantity with its layer, not a power
        pair = _derivative(part)
        if pair is None:
            return None
        of, wrt = (key(source(text, p)) for p in pair)
        if of != graph.output:
            raise SpecError(f"the claim uses a derivative of {of}; only the output {graph.output}'s are known here")
        return gradients.gradient(wrt)

    return read_node(node, text, graph.symbols, "the claim", special)


def _decide(
    graph: Graph, d: GraphDerivation, claim: str, name: str, read: sp.Expr, answer: sp.Expr
) -> GraphClaimReport:
    return decide(graph, claim, name, read, answer)


def decide(
    graph: Graph, claim: str, name: str, read: sp.Expr, answer: sp.Expr, cancel_nodes: int = CANCEL_NODES
) -> GraphClaimReport:
    """The verdict on ``read`` (a claim in the graph's names) as d(output)/d(name), whose value is ``answer``:
    the difference cancels (tried up to ``cancel_nodes`` nodes written in the leaves), or the two agree at real
    points with every branch seen both ways, or a point where they differ."""
    base = GraphClaimReport(claim, CORRECT, graph.output, name, read, answer)
    difference = read - answer
    if graph.composed_size(difference) <= cancel_nodes:
        composed = graph.composed(difference)
        if guarded(lambda: composed == 0 or sp.expand(composed) == 0 or sp.cancel(sp.together(composed)) == 0):
            return _with(base, CORRECT, "the difference, written in the inputs and parameters, cancels to 0")
    return _branches_turned(graph, _at_real_points(graph, base, read, answer), read, answer)


def _at_real_points(graph: Graph, base: GraphClaimReport, read: sp.Expr, answer: sp.Expr) -> GraphClaimReport:
    agreed = 0
    with mpmath.workdps(DIGITS):
        for seed in range(4 * POINTS):
            leaves, _ = real_point(graph, seed, scale=2.0)
            try:
                point = GraphPoint(graph, Real(leaves, {}), lambda s: mpmath.mpf(0))
                mine, theirs = point.value(read), point.value(answer)
            except (ZeroDivisionError, ValueError, OverflowError):
                continue
            if abs(mine - theirs) > AGREE * max(1, abs(theirs)):
                where = tuple((s.name, float(v)) for s, v in leaves.items())
                how = "their values differ at a point" + (" (the spec's values)" if seed == 0 and graph.values else "")
                return _with(base, INCORRECT, how, where, float(mine), float(theirs))
            agreed += 1
            if agreed == POINTS:
                break
    if agreed < POINTS:
        return _with(base, UNPARSEABLE, f"only {agreed} real points had every value defined; not decided")
    return _with(
        base, CORRECT, f"equal to {DIGITS - 10} digits at {POINTS} real points (the difference did not cancel)"
    )


def _branches_turned(graph: Graph, report: GraphClaimReport, read: sp.Expr, answer: sp.Expr) -> GraphClaimReport:
    """A "correct" from real points stands only if every branch (|.|, max, a step, relu) of the difference,
    written in the leaves, was seen going both ways or provably has one way: at random points, each leaf is set in
    turn to values of both signs up to 1024 in size. A point where a branch turns and the two differ makes the claim
    incorrect; a branch still seen one way only leaves it not decided."""
    if report.verdict != CORRECT or graph.composed_size(read - answer) > CANCEL_NODES:
        return report
    branches = [b for b in graph.composed(read - answer).atoms(*BRANCHES, relu) if not provably_one_sided(b, True)]
    seen: dict[sp.Basic, set[int]] = {b: set() for b in branches}
    symbols = [graph.symbols[k] for k in graph.leaves]
    with mpmath.workdps(DIGITS):
        for seed, (symbol, value) in itertools.product(
            range(FLIP_BASES), [(None, 0.0), *itertools.product(symbols, FLIP_VALUES)]
        ):
            if all(len(sides) == 2 for sides in seen.values()):
                return report
            leaves = {**real_point(graph, seed + 1, scale=2.0)[0], **({symbol: mpmath.mpf(value)} if symbol else {})}
            try:
                point = GraphPoint(graph, Real(leaves, {}), lambda s: mpmath.mpf(0))
                signs = {b: {int(mpmath.sign(point.value(a))) for a in branch_arguments(b)} - {0} for b in branches}
                if all(signs[b] <= seen[b] for b in branches):
                    continue  # no branch went a new way here
                mine, theirs = point.value(read), point.value(answer)
            except (ZeroDivisionError, ValueError, OverflowError):
                continue
            if abs(mine - theirs) > AGREE * max(1, abs(theirs)):
                where = tuple((s.name, float(v)) for s, v in leaves.items())
                return _with(
                    report,
                    INCORRECT,
                    "their values differ at a point where a branch turns",
                    where,
                    float(mine),
                    float(theirs),
                )
            for b in branches:
                seen[b] |= signs[b]
    one = sum(len(sides) < 2 for sides in seen.values())
    if not one:
        return report
    why = (
        f"{report.method}, yet {one} of the branches (|.|, max, a step) went the same way at every point, even with "
        "each input pushed over a wide range of both signs; not decided"
    )
    return _with(report, UNPARSEABLE, why)


def _with(base: GraphClaimReport, verdict: str, method: str, point: tuple = (), mine=None, theirs=None):
    return GraphClaimReport(
        base.claim,
        verdict,
        base.output,
        base.wrt,
        base.read_as,
        base.answer,
        method,
        point,
        mine,
        theirs,
        error=method if verdict == UNPARSEABLE else None,
    )
