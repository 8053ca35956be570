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
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import sympy as sp
from sympy.core.function import AppliedUndef

from .activations import Activation
from .symbols import SoftmaxExp

if TYPE_CHECKING:
    from .derivation import Derivation

SYMBOLIC_LIMIT = 4000  # operations in the difference above which cancelling is not attempted
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
    """Compare the derivation's result with sympy.diff of the composed cost."""
    net = d.network
    oracle = sp.diff(net.composed_cost(d.start), d.symbol)
    mine = net.compose(d.result, d.start)
    difference = _atomize(mine - oracle)
    facts = tuple(dict.fromkeys(_activation_fact(net.activation(layer)) for layer in _layers_used(d)))
    facts_hold = all(not f.startswith("NOT") for f in facts)
    what = "the chain-rule result equals sympy.diff of the composed cost"
    if sp.count_ops(difference) <= SYMBOLIC_LIMIT:
        zero = _cancels(difference)
        return Proof(
            zero and facts_hold,
            "symbolic",
            f"{what}: their difference cancels to {'0' if zero else 'a nonzero expression'}",
            facts,
        )
    points = _agreeing_points(difference, RATIONAL_POINTS)
    return Proof(
        points == RATIONAL_POINTS and facts_hold,
        "rational points",
        f"{what} in exact rational arithmetic at {points} of {RATIONAL_POINTS} random points",
        facts,
    )


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


def _cancels(expr: sp.Expr) -> bool:
    if sp.expand(expr) == 0:
        return True
    return sp.cancel(sp.together(expr)) == 0


def _agreeing_points(expr: sp.Expr, count: int) -> int:
    """How many random rational points make ``expr`` exactly 0; every atom gets its own value."""
    rng = random.Random(20261124)
    agreeing = 0
    for _ in range(count):
        value = _at_random_point(expr, rng)
        agreeing += value == 0
    return agreeing


def _at_random_point(expr: sp.Expr, rng: random.Random) -> sp.Expr:
    def rational() -> sp.Rational:
        return sp.Rational(rng.randint(-997, 997), rng.randint(2, 97)) + sp.Rational(1, 1009)

    symbols = {s: rational() for s in expr.atoms(sp.Indexed)}
    atoms: dict[sp.Basic, sp.Rational] = {}

    def is_atom(e: sp.Basic) -> bool:
        return isinstance(e, (AppliedUndef, SoftmaxExp, sp.log, sp.exp)) and not e.free_symbols

    def value_of(e: sp.Basic) -> sp.Rational:
        return atoms.setdefault(e, abs(rational()) if isinstance(e, SoftmaxExp) else rational())

    return expr.xreplace(symbols).replace(is_atom, value_of)


@cache
def _activation_fact(act: Activation) -> str:
    """Prove the catalogue's derivative of one activation with sympy.diff of its formula."""
    if act.form is None:
        return f"{act.name}: derivative left symbolic" if act.elementwise else "softmax: proven with the cost"
    z = sp.Symbol("z", real=True)
    gap = sp.diff(act.form(z), z) - act.prime(z)
    if isinstance(act.form(z), (sp.Max, sp.Piecewise)):
        sides = (sp.Symbol("p", positive=True), sp.Symbol("n", negative=True))
        zero = all(sp.simplify(gap.subs(z, side)) == 0 for side in sides)
        return f"{act.name}' {'proven' if zero else 'NOT proven'} by sympy.diff for z > 0 and z < 0"
    zero = sp.simplify(gap) == 0
    return f"{act.name}' {'proven' if zero else 'NOT proven'} by sympy.diff"
