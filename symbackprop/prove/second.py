"""The proof of a second derivative: against sympy.diff applied twice to the composed cost, every activation an
arbitrary function, or, for a composed cost too large to cancel, second-order forward-mode dual numbers at random
points (a randomized identity test)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..base.trees import tree_size
from ..derive.second import SecondDerivation
from ..model.network import Network
from ..model.symbols import ActivationSecondBase
from .element import atomize
from .points import Point
from .proof import (
    PROVEN,
    SYMBOLIC,
    UNDECIDED,
    Part,
    Proof,
    by_points,
    combine,
    guarded,
    points_within,
    ran_past,
    text_printer,
    too_large,
)
from .random_identity import Outcome, Unknowns
from .tape import recorded

SYMBOLIC_NODES = 1_000  # nodes of composed cost above which cancelling twice is not tried (docs/limits.md)


def check(d2: SecondDerivation) -> Proof:
    """Prove the result against the second derivative of the composed cost, every activation an arbitrary
    function: symbolically (sympy.diff twice, the difference cancelled) when the composed cost has at most
    SYMBOLIC_NODES nodes, else by a randomized identity test against second-order forward-mode dual numbers."""
    net = d2.first.network
    nodes = tree_size(net.composed_cost())
    what, against = (
        "the second derivative",
        (
            "the second derivative of the composed cost, computed independently by second-order forward-mode dual "
            "numbers (g, g' and g'' independent unknowns at each argument)"
        ),
    )
    if nodes > SYMBOLIC_NODES:
        why = f"{too_large(nodes, 0, SYMBOLIC_NODES, 0)}, so sympy.diff twice is not cancelled symbolically"
        return combine([by_points(what, _second_outcome(d2), why, against, text_printer(net))])
    zero = guarded(lambda: _vanishes(d2))
    if zero:
        return combine(
            [
                Part(
                    PROVEN,
                    SYMBOLIC,
                    f"{what} equals sympy.diff applied twice to the composed cost: their difference cancels to 0",
                )
            ]
        )
    if zero is None:
        return combine(
            [
                Part(
                    UNDECIDED,
                    SYMBOLIC,
                    f"{what}: cancelling its difference from sympy.diff applied twice "
                    f"(a composed cost of {nodes:,} nodes) {ran_past()}",
                )
            ]
        )
    why = "cancelling the difference from sympy.diff applied twice did not reach 0"
    return combine([by_points(what, _second_outcome(d2), why, against, text_printer(net))])


def _vanishes(d2: SecondDerivation) -> bool:
    """The result minus sympy.diff twice of the composed cost (every activation generic) cancels to 0."""
    net = d2.first.network
    oracle = atomize(sp.diff(net.composed_cost(), d2.first.symbol, d2.second_symbol))
    difference = net.compose(_generic_seconds(net, d2.result)) - oracle
    return sp.expand(difference) == 0 or sp.cancel(sp.together(difference)) == 0


def _second_outcome(d2: SecondDerivation) -> Outcome:
    """The result against the mixed second derivative of the composed cost by forward mode, at random points."""
    net = d2.first.network
    mapping, cost = net.forward_map(None, False), net.cost_definition()

    def evaluate(unknowns: Unknowns) -> tuple[Any, Any]:
        point = Point(unknowns, mapping, net.compose, (d2.first.symbol, d2.second_symbol))
        derivative = point.jet(cost)[3]  # first: the result's values then reuse the forward pass's
        return point.value(d2.result), derivative

    return points_within(recorded(evaluate))  # the walk once, its arithmetic at every point


def _generic_seconds(net: Network, expr: sp.Expr) -> sp.Expr:
    """g''^(l)(u) as one applied function g_l_prime2(u), the name atomize gives SymPy's second derivatives."""
    return expr.replace(
        lambda e: isinstance(e, ActivationSecondBase),
        lambda e: sp.Function(f"g_{int(e.args[0])}_prime2")(e.args[1]),
    )
