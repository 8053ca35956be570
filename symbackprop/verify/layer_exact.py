"""Every entry of a layer claim decided at once, exactly: the randomized identity test modulo p = 2^61 - 1, as the
engine's proofs and its claims on large networks are decided, with the bound on the chance of error stated.

At each of 13 random points every leaf of the layer graph (inputs, targets, parameters) is a random residue
modulo p, the forward pass is worked out node by node, and each function (tanh, exp, a max, a step, an indicator)
is an unknown residue per argument value: what holds then holds for every function alike, so for the true ones. A
square root (a batch or layer norm's sqrt(sigma^2 + eps)) is adjoined as a letter of its own (``surds``). The
entries are combined with a random unknown weight each, sum_e r_e (claim_e - answer_e): if any entry differs,
this does as a rational function too, one degree higher. The degree bound d comes from the same arithmetic on
degrees, so a wrong claim agrees at every point with probability at most (d/p)^13.

Where the points find a difference, the differing entry goes to real points (``graph_claims.decide``) for a
counterexample in numbers. A claim that is right only because of what a max or an indicator is (max pooling's
routing, 1[X = Y] dL/dY) differs as a claim about arbitrary functions: real points decide it, and the verdict says
precisely that it is evidence at those points, not a proof.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..model.graph import Graph
from ..prove.field_network import stated
from ..prove.graph_points import Exact, GraphPoint, NotExact
from ..prove.random_identity import POINTS, Outcome, Unknowns, identity_test
from .surds import NoRoot, Roots, Surd


@dataclass(frozen=True)
class Exactly:
    """The identity test's outcome on every entry at once: ``equal`` with ``method`` (its bound in words) and
    ``bound`` (short), or the entries that differ at the point found (their positions in the list given)."""

    equal: bool
    method: str = ""
    bound: str = ""
    differing: tuple[int, ...] = ()
    trusted: bool = True  # a difference found is one of the claim (not of two roots that coincide)


class SurdExact(Exact):
    """``Exact`` with every value a ``Surd``, so that a power x^{k/2} is t^k for t a square root of x."""

    def __init__(self, unknowns: Unknowns) -> None:
        super().__init__(unknowns)
        self.roots = Roots()

    def wrap(self, c: Any) -> Surd:
        return Surd.of(c, self.roots)

    def number(self, e: sp.Rational) -> Any:
        return self.wrap(super().number(e))

    def leaf(self, symbol: sp.Symbol) -> Any:
        return self.wrap(super().leaf(symbol))

    def direction(self, symbol: sp.Symbol) -> Any:
        return self.wrap(super().direction(symbol))

    def constant(self, e: sp.Basic) -> Any:
        return self.wrap(super().constant(e))

    def apply(self, e: sp.Basic, args: tuple[Any, ...]) -> Any:
        return self.wrap(super().apply(e, args))

    def power(self, base: Any, e: sp.Pow) -> Any:
        exponent = sp.Rational(e.exp)
        if exponent.q == 1:
            return base ** int(exponent)
        if exponent.q != 2:
            raise NotExact(f"{e} has an exponent that is neither whole nor a half")
        return self.roots.root(sp.srepr(e.base), base) ** int(exponent.p)


def has_roots(graph: Graph, expressions: Sequence[sp.Expr]) -> bool:
    """Whether a power that is not whole appears in the graph's nodes or in the expressions."""
    everything = [node.expression for node in graph.nodes] + list(expressions)
    return any(not p.exp.is_Integer for e in everything for p in sp.sympify(e).atoms(sp.Pow))


def decide_exactly(graph: Graph, pairs: Sequence[tuple[sp.Expr, sp.Expr]]) -> Exactly | None:
    """Whether each (claim, answer) pair, in the graph's names, is equal as functions of the graph's leaves; None
    where exact points cannot evaluate them (a power such as x^{1/3})."""
    surds = has_roots(graph, [e for pair in pairs for e in pair])
    last: dict[str, Any] = {}

    def evaluate(unknowns: Unknowns) -> tuple[Any, Any]:
        numbers: Exact = SurdExact(unknowns) if surds else Exact(unknowns)
        zero = numbers.number(sp.Integer(0))
        point = GraphPoint(graph, numbers, lambda s: zero)
        values = [(point.value(mine), point.value(theirs)) for mine, theirs in pairs]
        weights = [_weight(numbers, unknowns, n) for n in range(len(pairs))] if len(pairs) > 1 else [None]
        mine = _combined(weights, [v[0] for v in values])
        theirs = _combined(weights, [v[1] for v in values])
        last.update(values=values, collided=isinstance(numbers, SurdExact) and numbers.roots.collided)
        return mine, theirs

    try:
        outcome = identity_test(evaluate, POINTS)
    except (NotExact, NoRoot):
        return None
    functions = any(node.expression.atoms(sp.Function) for node in graph.nodes)
    return _outcome(outcome, last, len(pairs), functions)


def _weight(numbers: Exact, unknowns: Unknowns, n: int) -> Any:
    value = unknowns.unknown(("entry weight", n))
    return numbers.wrap(value) if isinstance(numbers, SurdExact) else value


def _combined(weights: list[Any], values: list[Any]) -> Any:
    total = None
    for w, v in zip(weights, values, strict=True):
        term = v if w is None else w * v
        total = term if total is None else total + term
    return total


def _outcome(outcome: Outcome, last: dict[str, Any], count: int, functions: bool) -> Exactly | None:
    if outcome.verdict == "proven":
        together = f"all {count} entries at once, each weighted by a random unknown: " if count > 1 else ""
        arbitrary = (
            "with each function (tanh, exp, a max, a step) an arbitrary one per argument value, so for the true ones: "
            if functions
            else ""
        )
        return Exactly(
            True,
            f"{together}{arbitrary}{stated(outcome)}",
            _short(outcome),
        )
    if outcome.verdict == "disproven":
        differing = tuple(n for n, (mine, theirs) in enumerate(last["values"]) if mine != theirs)
        return Exactly(False, differing=differing, trusted=not (last["collided"] or outcome.witness is None))
    return None  # undecided: too many points where a division was by 0


def _short(outcome: Outcome) -> str:
    chance = "0" if outcome.degree <= 0 else f"10^{outcome.exponent}"
    return f"({outcome.degree:,}/p)^{outcome.points} with p = 2^61 - 1, below {chance}"
