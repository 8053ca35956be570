"""Proofs that a derivation is right, and the proofs' honest account of how they were made.

The derivation's result, with the forward definitions substituted, is compared with
``sympy.diff`` of the composed cost, each elementwise activation standing as an undefined
function g_l so the proof holds for every differentiable activation. Each catalogue
activation's own derivative formula is proven separately. Equality is shown by
cancelling the difference to 0, or, when that would cost too much, by exact rational
arithmetic at random points; the Proof says which.
"""

from __future__ import annotations

import contextlib
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import sympy as sp
from sympy.core.function import AppliedUndef

from .activations import Activation
from .bounds import tree_size
from .exact_points import RationalPoint
from .network import generic_prime
from .symbols import ActivationPrimeBase, OrderedProduct

if TYPE_CHECKING:
    from .derivation import Derivation
    from .network import Network
    from .references import Ref

T = TypeVar("T")

SYMBOLIC_SECONDS = 2.0  # time allowed for cancelling before falling back to rational points
SYMBOLIC_NODES = 5_000  # nodes of the composed cost, written out as a tree, above which cancelling is not tried
SYMBOLIC_LAYERS = 10  # layers a derivative runs through, above which cancelling is not tried
RATIONAL_SECONDS = 4.0  # time allowed for the rational points, composing included
RATIONAL_POINTS = 24
ENOUGH_POINTS = 8  # agreeing points that prove the identity when the budget runs out before all of them


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
    exact rational arithmetic at random points, every activation an arbitrary function,
    within RATIONAL_SECONDS; when both run out the Proof says it is not decided.
    """
    net = d.network
    facts = tuple(dict.fromkeys(_activation_fact(net.activation(layer)) for layer in _layers_used(d)))
    facts_hold = all("NOT proven" not in f for f in facts)
    agrees = _sum_form_agrees(d)
    if agrees is None:
        return Proof(False, "rational points", _undecided("the Σ form printed for the result"), facts)
    if not agrees:
        return Proof(False, "symbolic", "the Σ form printed for the result does not equal the result", facts)
    nodes, layers = tree_size(d.network.composed_cost(d.start)), len(_layers_used(d))
    small = nodes <= SYMBOLIC_NODES and layers <= SYMBOLIC_LAYERS
    zero = _symbolic_difference_vanishes(d) if small else None
    if zero is not None:
        outcome = "0" if zero else "a nonzero expression"
        statement = (
            f"the chain-rule result equals sympy.diff of the composed cost: their difference cancels to {outcome}"
        )
        return Proof(zero and facts_hold, "symbolic", statement, facts)
    agreeing, tried = _dual_points(d, RATIONAL_POINTS)
    if tried < min(ENOUGH_POINTS, RATIONAL_POINTS):
        return Proof(False, "rational points", _undecided("the chain-rule result"), facts)
    where = f"at {agreeing} of {RATIONAL_POINTS} random points"
    if tried < RATIONAL_POINTS:
        where = f"at {agreeing} of {tried} random points (all that {RATIONAL_SECONDS:g} s allowed of {RATIONAL_POINTS})"
    return Proof(
        agreeing == tried and facts_hold,
        "rational points",
        "the chain-rule result equals the derivative of the composed cost, computed independently by "
        f"forward-mode dual numbers, in exact rational arithmetic {where} "
        f"with every activation an arbitrary function ({_why_not_symbolic(nodes, layers)})",
        facts,
    )


def _why_not_symbolic(nodes: int, layers: int) -> str:
    if nodes > SYMBOLIC_NODES:
        return (
            f"sympy.diff was not tried: the composed cost written out has {nodes:,} nodes, more than the "
            f"{SYMBOLIC_NODES:,} it cancels within {SYMBOLIC_SECONDS:g} s"
        )
    if layers > SYMBOLIC_LAYERS:
        return (
            f"sympy.diff was not tried: the derivative runs through {layers} layers, more than the "
            f"{SYMBOLIC_LAYERS} it cancels within {SYMBOLIC_SECONDS:g} s"
        )
    return f"sympy.diff took over {SYMBOLIC_SECONDS:g} s"


def _undecided(what: str) -> str:
    return (
        f"not decided within the time budget: {what} could be neither cancelled symbolically in "
        f"{SYMBOLIC_SECONDS:g} s nor checked at {ENOUGH_POINTS} exact rational points in {RATIONAL_SECONDS:g} s; "
        "the general form, --wrt 'w_{jk}^{(l)}', is proven on a smaller network"
    )


def _symbolic_difference_vanishes(d: Derivation) -> bool | None:
    """Whether the difference from sympy.diff cancels to 0; None when that takes over SYMBOLIC_SECONDS."""

    def vanishes() -> bool:
        net = d.network
        oracle = sp.diff(net.composed_cost(d.start), d.symbol)
        difference = composed(net, d.result, d.start) - _atomize(oracle)
        return sp.expand(difference) == 0 or sp.cancel(sp.together(difference)) == 0

    try:
        return within(SYMBOLIC_SECONDS, vanishes)
    except RecursionError:  # nested too deeply for SymPy's recursive algorithms: the points decide
        return None


def _dual_points(d: Derivation, count: int) -> tuple[int, int]:
    """(agreeing, tried): at how many of the random points tried within RATIONAL_SECONDS the result equals
    the forward-mode derivative of the composed cost."""
    net = d.network
    done = [0, 0]

    def run() -> None:
        mapping = net.forward_map(d.start, False)
        cost = net.cost_definition()
        rng = random.Random(20261124)
        for _ in range(count):
            point = ComposedPoint(rng, d.symbol, mapping)
            try:
                same = point.dual(cost)[1] == point.value(d.result)
            except ZeroDivisionError:
                same = False
            done[0] += same
            done[1] += 1

    within(RATIONAL_SECONDS, run)
    return done[0], done[1]


class ComposedPoint(RationalPoint):
    """A random point at which each intermediate quantity (z, a) takes the value of its forward definition.

    The same as evaluating the composed expressions, without building them: a deep network's composed
    result shares subexpressions everywhere, and SymPy spends its time ordering their terms. g'^(l)(u)
    is g_l_prime at u, the derivative ``dual`` gives g_l there.
    """

    def __init__(self, rng: random.Random, wrt: sp.Expr | None, mapping: dict[sp.Expr, sp.Expr]) -> None:
        super().__init__(rng, wrt)
        self.mapping = mapping

    def _compute(self, e: sp.Basic) -> Fraction:
        if e in self.mapping:
            return self.value(self.mapping[e])
        if isinstance(e, ActivationPrimeBase):
            return self.table(f"g_{int(e.args[0])}_prime", (self.value(e.args[1]),))
        return super()._compute(e)

    def _dual(self, e: sp.Basic) -> tuple[Fraction, Fraction]:
        if e in self.mapping:
            return self.dual(self.mapping[e])
        return super()._dual(e)


def composed(net: Network, expr: sp.Expr, start: Ref | None = None) -> sp.Expr:
    """``net.compose(expr, start)`` (every activation generic), each shared subexpression rebuilt once.

    A deep network's result and its forward definitions share subexpressions everywhere; walking them
    as trees, as ``replace`` and ``xreplace`` do, takes time exponential in the depth.
    """
    mapping = net.forward_map(start, False)
    memo: dict[sp.Basic, sp.Basic] = {}

    def rebuild(e: sp.Basic) -> sp.Basic:
        if e in memo:
            return memo[e]
        if e in mapping:
            out = mapping[e]
        elif isinstance(e, ActivationPrimeBase):
            out = generic_prime(int(e.args[0]), rebuild(e.args[1]))
        elif isinstance(e, (sp.Atom, sp.Indexed)) or not e.args:
            out = e
        else:
            out = e.func(*(rebuild(a) for a in e.args))
        memo[e] = out
        return out

    return rebuild(expr)


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


def _sum_form_agrees(d: Derivation) -> bool | None:
    """The Σ form a document prints, with its sums carried out, is the result itself.

    Exactly by expansion when that is quick, else at exact random rational points; None when neither
    finishes within its budget.
    """
    difference = within(RATIONAL_SECONDS, lambda: carried_out(d.sum_form) - d.result)
    if difference is None:
        return None
    zero = within(SYMBOLIC_SECONDS, lambda: sp.expand(difference) == 0)
    if zero is not None:
        return zero
    done = [0, 0]
    within(RATIONAL_SECONDS, lambda: _agreeing_points(difference, RATIONAL_POINTS, done))
    return None if done[1] < min(ENOUGH_POINTS, RATIONAL_POINTS) else done[0] == done[1]


def carried_out(expr: sp.Expr) -> sp.Expr:
    """``expr.doit()`` for the finite Sums of a Σ form: each sum written out term by term, each ordered
    product a Mul.

    SymPy's own ``doit`` looks for a closed form of every nested sum, which takes minutes for a deep network.
    """
    memo: dict[sp.Basic, sp.Basic] = {}

    def out(e: sp.Basic) -> sp.Basic:
        if e not in memo:
            if isinstance(e, sp.Sum):
                body, (index, low, high) = e.function, e.limits[-1]
                inner = sp.Sum(body, *e.limits[:-1]) if len(e.limits) > 1 else body
                memo[e] = sp.Add(*(out(inner.xreplace({index: v})) for v in range(int(low), int(high) + 1)))
            elif isinstance(e, sp.Atom) or not e.args:
                memo[e] = e
            elif isinstance(e, OrderedProduct):  # the order a text tells a product in; its value is the Mul
                memo[e] = sp.Mul(*(out(a) for a in e.args))
            else:
                memo[e] = e.func(*(out(a) for a in e.args))
        return memo[e]

    return out(expr)


class _OutOfTime(BaseException):  # not an Exception: SymPy's own ``except Exception`` must not swallow it
    pass


_deadlines: list[float] = []  # the enclosing budgets' ends, innermost last


def within(seconds: float, work: Callable[[], T]) -> T | None:
    """``work()``, or None if it runs past ``seconds`` (enforced only on the main thread).

    Budgets nest: an inner one never outlasts the one around it, which still expires on time.
    """
    if threading.current_thread() is not threading.main_thread():
        return work()
    now = time.monotonic()
    deadline = min([now + seconds, *_deadlines[-1:]])

    def expire(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    _deadlines.append(deadline)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, max(deadline - now, 1e-6))
            return work()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _OutOfTime:  # raised in the work or, at the very end, while disarming
        return None
    finally:
        _deadlines.pop()
        signal.signal(signal.SIGALRM, previous)
        if _deadlines:  # the enclosing budget's timer, re-armed for what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(_deadlines[-1] - time.monotonic(), 1e-6))


def _agreeing_points(expr: sp.Expr, count: int, done: list[int]) -> None:
    """Count in ``done`` (agreeing, tried) the random rational points that make ``expr`` exactly 0.

    Every symbol gets a random rational and every function application (g_l, g_l', exp, ln)
    a random rational of its own per distinct argument, all in exact ``Fraction``
    arithmetic: the identity is one of rational functions in those generators.
    """
    rng = random.Random(20261124)
    for _ in range(count):
        with contextlib.suppress(ZeroDivisionError):  # a point where the expression is undefined does not agree
            done[0] += RationalPoint(rng).value(expr) == 0
        done[1] += 1


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
