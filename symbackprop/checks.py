"""Proofs that a derivation is right, and the proofs' honest account of how they were made.

The derivation's result, with the forward definitions substituted, is compared with
``sympy.diff`` of the composed cost, each elementwise activation standing as an undefined
function g_l so the proof holds for every differentiable activation. Each catalogue
activation's own derivative formula is proven separately. Equality is shown by
cancelling the difference to 0, or, when that would cost too much, by exact rational
arithmetic at random points; the Proof says which.
"""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import sympy as sp
from sympy.core.function import AppliedUndef

from .activations import Activation
from .exact_points import RationalPoint

if TYPE_CHECKING:
    from .derivation import Derivation

T = TypeVar("T")

SYMBOLIC_SECONDS = 2.0  # time allowed for cancelling before falling back to rational points
RATIONAL_POINTS = 24


@dataclass(frozen=True)
class Proof:
    """The outcome of a check: truthy when proven; ``method`` and ``statement`` say how."""

    proven: bool
    method: str  # "symbolic" or "rational points"
    statement: str
    activation_facts: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.proven

    def __str__(self) -> str:
        facts = "".join(f"; {fact}" for fact in self.activation_facts)
        return ("proven" if self.proven else "NOT proven") + f" ({self.method}): {self.statement}{facts}"


def prove(d: Derivation) -> Proof:
    """Compare the derivation's result with the derivative of the composed cost.

    First symbolically: sympy.diff of the composed cost, the difference cancelled to 0,
    within SYMBOLIC_SECONDS. Past that (large networks), by forward-mode dual numbers in
    exact rational arithmetic at random points, every activation an arbitrary function.
    """
    net = d.network
    facts = tuple(dict.fromkeys(_activation_fact(net.activation(layer)) for layer in _layers_used(d)))
    facts_hold = all("NOT proven" not in f for f in facts)
    if not _sum_form_agrees(d):
        return Proof(False, "symbolic", "the Σ form printed for the result does not equal the result", facts)
    zero = within(SYMBOLIC_SECONDS, lambda: _symbolic_difference_vanishes(d))
    if zero is not None:
        outcome = "0" if zero else "a nonzero expression"
        statement = (
            f"the chain-rule result equals sympy.diff of the composed cost: their difference cancels to {outcome}"
        )
        return Proof(zero and facts_hold, "symbolic", statement, facts)
    points = _dual_points(d, RATIONAL_POINTS)
    return Proof(
        points == RATIONAL_POINTS and facts_hold,
        "rational points",
        "the chain-rule result equals the derivative of the composed cost, computed independently by "
        f"forward-mode dual numbers, in exact rational arithmetic at {points} of {RATIONAL_POINTS} random points "
        f"with every activation an arbitrary function (sympy.diff took over {SYMBOLIC_SECONDS:g} s)",
        facts,
    )


def _symbolic_difference_vanishes(d: Derivation) -> bool:
    net = d.network
    oracle = sp.diff(net.composed_cost(d.start), d.symbol)
    difference = net.compose(d.result, d.start) - _atomize(oracle)
    return sp.expand(difference) == 0 or sp.cancel(sp.together(difference)) == 0


def _dual_points(d: Derivation, count: int) -> int:
    """At how many random points the result equals the forward-mode derivative of the composed cost."""
    net = d.network
    cost = net.composed_cost(d.start)
    mine = net.compose(d.result, d.start)
    rng = random.Random(20261124)
    agreeing = 0
    for _ in range(count):
        point = RationalPoint(rng, wrt=d.symbol)
        try:
            agreeing += point.dual(cost)[1] == point.value(mine)
        except ZeroDivisionError:
            continue
    return agreeing


def _layers_used(d: Derivation) -> list[int]:
    """The layers whose activation's derivative the result may contain."""
    low = d.target.layer + (1 if d.target.kind == "a" else 0)
    return [layer for layer in range(max(low, 1), d.network.depth + 1)]


def _atomize(expr: sp.Expr) -> sp.Expr:
    """Write every g_l'(e) as one applied function g_l_prime(e), however SymPy wrote it."""

    def prime(derivative: sp.Derivative, point: tuple[sp.Expr, ...]) -> sp.Expr:
        return sp.Function(f"{derivative.expr.func.__name__}_prime")(*point)

    subs = {s: prime(s.expr, s.point) for s in expr.atoms(sp.Subs) if isinstance(s.expr, sp.Derivative)}
    expr = expr.xreplace(subs)
    derivatives = {d: prime(d, d.expr.args) for d in expr.atoms(sp.Derivative) if isinstance(d.expr, AppliedUndef)}
    return expr.xreplace(derivatives)


def _sum_form_agrees(d: Derivation) -> bool:
    """The Σ form a document prints, with its sums carried out, is the result itself.

    Exactly by expansion when that is quick, else at exact random rational points.
    """
    difference = d.sum_form.doit() - d.result
    zero = within(SYMBOLIC_SECONDS, lambda: sp.expand(difference) == 0)
    return zero if zero is not None else _agreeing_points(difference, RATIONAL_POINTS) == RATIONAL_POINTS


class _OutOfTime(Exception):
    pass


def within(seconds: float, work: Callable[[], T]) -> T | None:
    """``work()``, or None if it runs past ``seconds`` (enforced only on the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return work()

    def expire(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return work()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _OutOfTime:  # raised in the work or, at the very end, while disarming
        return None
    finally:
        signal.signal(signal.SIGALRM, previous)


def _agreeing_points(expr: sp.Expr, count: int) -> int:
    """How many random rational points make ``expr`` exactly 0.

    Every symbol gets a random rational and every function application (g_l, g_l', exp, ln)
    a random rational of its own per distinct argument, all in exact ``Fraction``
    arithmetic: the identity is one of rational functions in those generators.
    """
    rng = random.Random(20261124)
    agreeing = 0
    for _ in range(count):
        try:
            agreeing += RationalPoint(rng).value(expr) == 0
        except ZeroDivisionError:
            continue
    return agreeing


@cache
def _activation_fact(act: Activation) -> str:
    """Prove the catalogue's derivative of one activation with sympy.diff of its formula."""
    if act.generic:
        return f"the generic activation {act.name} keeps its derivative symbolic, so the result holds for any g"
    if act.form is None:
        return "softmax's coupled derivative is part of the composed cost, so it is proven with it"
    z = sp.Symbol("z", real=True)
    gap = sp.diff(act.form(z), z) - act.prime(z)
    where = ""
    if isinstance(act.form(z), (sp.Max, sp.Piecewise)):
        sides = (sp.Symbol("p", positive=True), sp.Symbol("n", negative=True))
        zero = all(sp.simplify(gap.subs(z, side)) == 0 for side in sides)
        where = " for z > 0 and for z < 0 (at 0 the derivative is taken as the left one)"
    else:
        zero = sp.simplify(gap) == 0
    verdict = "proven equal" if zero else "NOT proven equal"
    return f"the derivative of {act.name} used here is {verdict} to sympy.diff of its formula{where}"
