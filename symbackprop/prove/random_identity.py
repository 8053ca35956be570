"""A randomized identity test: the proofs' method for expressions too large to cancel symbolically.

Two expressions are evaluated exactly at random points where every symbol and every function
application (g_l(u), g_l'(u), g_l''(u), exp(u), ln(u), one for each distinct argument expression u)
is an unknown of its own, drawn uniformly from ``SPAN`` integers. Both are then rational functions of
those unknowns, so an identity between them holds for every differentiable activation. If they
differ, the numerator of their difference has degree at most d, a bound found by doing the same
arithmetic on degrees instead of numbers (``Degree``); by the Schwartz-Zippel lemma a random point is a
root of that numerator with probability at most d / SPAN, so all of ``POINTS`` independent points agree
with probability at most (d / SPAN) ** POINTS. A point where they differ, with every function taking one
value per argument value, is a counterexample. The points come from a fixed seed, so the same input
always gets the same verdict.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from ..base.trees import fold
from ..model.symbols import ActivationBase, ActivationPrimeBase, ActivationSecondBase, SoftmaxExp

SPAN = 2**32  # the unknowns are drawn uniformly from the integers -2^31 .. 2^31 - 1
POINTS = 24
SEED = 20261124
_fresh = itertools.count()
_SUFFIX = {ActivationBase: "", ActivationPrimeBase: "_prime", ActivationSecondBase: "_prime2"}


class Degree:
    """Degree bounds of a rational function N/M as the arithmetic builds it: N's degree, and M as a product of
    factors with their degrees and exponents, so that sums over one denominator do not multiply it.

    Each bound holds for the fraction the operations build formally (a/b + c/d over the least common multiple
    of the factors); the exact value at a point equals it wherever no division by 0 occurred.
    """

    __slots__ = ("factors", "ident", "top")

    def __init__(self, top: int, factors: Mapping[int, tuple[int, int]] | None = None) -> None:
        self.top = top  # the numerator's degree, -1 for the zero polynomial
        self.factors = dict(factors or {})  # factor id -> (its degree, its exponent)
        self.ident = next(_fresh)  # this numerator, as a factor of a denominator it is divided by

    @property
    def bottom(self) -> int:
        """The denominator's degree."""
        return sum(degree * power for degree, power in self.factors.values())

    def __add__(self, other: Any) -> Degree:
        other = _degree(other)
        if self.top < 0 or other.top < 0:
            return other if self.top < 0 else self
        lcm = {
            k: max(self.factors.get(k, (0, 0)), other.factors.get(k, (0, 0)), key=lambda f: f[1])
            for k in self.factors.keys() | other.factors.keys()
        }
        whole = sum(degree * power for degree, power in lcm.values())
        return Degree(max(self.top + whole - self.bottom, other.top + whole - other.bottom), lcm)

    __radd__ = __add__

    def __neg__(self) -> Degree:
        return self

    def __sub__(self, other: Any) -> Degree:
        return self + _degree(other)

    def __rsub__(self, other: Any) -> Degree:
        return _degree(other) + self

    def __mul__(self, other: Any) -> Degree:
        other = _degree(other)
        if self.top < 0 or other.top < 0:
            return Degree(-1)
        factors = dict(self.factors)
        for k, (degree, power) in other.factors.items():
            factors[k] = (degree, factors.get(k, (degree, 0))[1] + power)
        return Degree(self.top + other.top, factors)

    __rmul__ = __mul__

    def __pow__(self, n: int) -> Degree:
        if n < 0:
            if self.top < 0:
                raise ZeroDivisionError
            return Degree(self.bottom, {self.ident: (self.top, 1)}) ** -n
        if n == 0:
            return Degree(0)
        return Degree(self.top * n, {k: (degree, power * n) for k, (degree, power) in self.factors.items()})

    def __truediv__(self, other: Any) -> Degree:
        return self * _degree(other) ** -1

    def __rtruediv__(self, other: Any) -> Degree:
        return _degree(other) * self**-1


def _degree(x: Any) -> Degree:
    """A constant's degree: -1 for 0, else 0."""
    if isinstance(x, Degree):
        return x
    return Degree(-1 if x == 0 else 0)


class Unknowns:
    """The unknowns of one point: a random integer for each, the same every time it is asked for."""

    exact = True  # numbers, not degree bounds

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.values: dict[Any, Fraction] = {}
        self.arguments: dict[tuple[str, Any], Any] = {}  # (function, argument value) -> the argument expression
        self.collided = False  # two argument expressions of one function had the same value

    def number(self, p: int, q: int = 1) -> Fraction:
        return Fraction(p, q)

    def unknown(self, key: Any, argument: Any = None) -> Fraction:
        if key not in self.values:
            self.values[key] = Fraction(self.rng.randrange(-SPAN // 2, SPAN // 2))
            if argument is not None:
                seen = self.arguments.setdefault((key[0], argument), key[1])
                self.collided = self.collided or seen != key[1]
        return self.values[key]


class Degrees(Unknowns):
    """The same arithmetic on degree bounds: each unknown has degree 1, each constant 0."""

    exact = False

    def __init__(self) -> None:
        super().__init__(random.Random(0))

    def number(self, p: int, q: int = 1) -> Degree:  # type: ignore[override]
        return Degree(-1 if p == 0 else 0)

    def unknown(self, key: Any, argument: Any = None) -> Degree:  # type: ignore[override]
        if key not in self.values:
            self.values[key] = Degree(1)  # type: ignore[assignment]
        return self.values[key]  # type: ignore[return-value]


Jet = tuple[Any, Any, Any, Any]  # value, d/dw, d/dw', d^2/(dw dw')


class Point:
    """Exact values, and forward-mode derivatives to second order, of expressions at one point.

    ``mapping`` gives the intermediate quantities (z, a) their forward definitions; ``compose`` writes an
    argument in what lies below it, so g_l'(z_j) in a result and g_l(...) in the composed cost it came from
    are the same unknown. exp is its own derivative; ln's derivative is 1/x; g_l's are the unknowns g_l'
    and g_l'' at the same argument.
    """

    def __init__(
        self,
        unknowns: Unknowns,
        mapping: Mapping[sp.Expr, sp.Expr],
        compose: Callable[[sp.Expr], sp.Expr],
        wrt: tuple[sp.Expr | None, sp.Expr | None] = (None, None),
    ) -> None:
        self.unknowns, self.mapping, self.compose, self.wrt = unknowns, mapping, compose, wrt
        self.zero, self.one = unknowns.number(0), unknowns.number(1)
        self.values: dict[sp.Basic, Any] = {}
        self.jets: dict[sp.Basic, Jet] = {}

    def value(self, e: sp.Basic) -> Any:
        """The exact value of ``e`` (iteratively: a deep network nests deeper than Python's recursion allows)."""
        return fold(e, lambda top, _: self._value(top), self.values, self._value_parts)

    def _value_parts(self, e: sp.Basic) -> tuple[sp.Basic, ...]:
        if e in self.jets:
            return ()
        if e in self.mapping:
            return (self.mapping[e],)
        if isinstance(e, (sp.Add, sp.Mul)) or (isinstance(e, sp.Pow) and e.exp.is_Integer):
            return e.args
        return ()

    def _value(self, e: sp.Basic) -> Any:
        if e in self.jets:
            return self.jets[e][0]
        if e in self.mapping:
            return self.values[self.mapping[e]]
        if isinstance(e, sp.Rational):
            return self.unknowns.number(int(e.p), int(e.q))
        if isinstance(e, (sp.Indexed, sp.Symbol)):
            return self.unknowns.unknown(("symbol", e))
        if isinstance(e, sp.Add):
            return _sum(self.values[a] for a in e.args)
        if isinstance(e, sp.Mul):
            return _product(self.values[a] for a in e.args)
        if isinstance(e, sp.Pow) and e.exp.is_Integer:
            return self.values[e.base] ** int(e.exp)
        if isinstance(e, (ActivationBase, ActivationPrimeBase, ActivationSecondBase)):  # g^(l), g'^(l), g''^(l)
            suffix = next(text for kind, text in _SUFFIX.items() if isinstance(e, kind))
            return self._applied(f"g_{int(e.args[0])}{suffix}", e.args[1])
        if isinstance(e, (sp.Function, sp.Pow)) and len(e.args) == 1:
            return self._applied(head(e), e.args[0])
        raise TypeError(f"no exact value for {type(e).__name__}")

    def _applied(self, name: str, argument: sp.Expr) -> Any:
        """f(u): the unknown of f at the argument u, written in what lies below it."""
        u = self.compose(argument)
        return self.unknowns.unknown((name, u), self.value(u) if self.unknowns.exact else None)

    def jet(self, e: sp.Basic) -> Jet:
        """(value, d/dw, d/dw', d^2/(dw dw')) of ``e``, by forward mode."""

        def parts(top: sp.Basic) -> tuple[sp.Basic, ...]:
            return (self.mapping[top],) if top in self.mapping else () if _leaf(top) else top.args

        return fold(e, lambda top, _: self._jet(top), self.jets, parts)

    def _jet(self, e: sp.Basic) -> Jet:
        zero, one = self.zero, self.one
        if e in self.mapping:
            return self.jets[self.mapping[e]]
        if isinstance(e, sp.Rational):
            return self.unknowns.number(int(e.p), int(e.q)), zero, zero, zero
        if isinstance(e, (sp.Indexed, sp.Symbol)):
            first, second = (one if e == w else zero for w in self.wrt)
            return self.unknowns.unknown(("symbol", e)), first, second, zero
        if isinstance(e, sp.Add):
            parts = [self.jets[a] for a in e.args]
            return tuple(_sum(p[i] for p in parts) for i in range(4))  # type: ignore[return-value]
        if isinstance(e, sp.Mul):
            v, d1, d2, d12 = one, zero, zero, zero
            for a in e.args:
                b, b1, b2, b12 = self.jets[a]
                v, d1, d2, d12 = v * b, d1 * b + v * b1, d2 * b + v * b2, d12 * b + d1 * b2 + d2 * b1 + v * b12
            return v, d1, d2, d12
        if isinstance(e, sp.Pow) and e.exp.is_Integer:
            x, n = self.jets[e.base][0], int(e.exp)
            return self._chain(e.base, x**n, n * x ** (n - 1), n * (n - 1) * x ** (n - 2))
        argument = e.args[0] if len(e.args) == 1 else None
        if isinstance(e, sp.log):
            x = self.jets[argument][0]
            return self._chain(argument, self._unknown("log", argument), 1 / x, -1 / x**2)
        if isinstance(e, (SoftmaxExp, sp.exp)):
            f = self._unknown("exp", argument)
            return self._chain(argument, f, f, f)
        if isinstance(e, AppliedUndef) and argument is not None:
            name = head(e)
            f, f1, f2 = (self._unknown(name + suffix, argument) for suffix in ("", "_prime", "_prime2"))
            return self._chain(argument, f, f1, f2)
        raise TypeError(f"no forward-mode rule for {type(e).__name__}")

    def _unknown(self, name: str, argument: sp.Expr) -> Any:
        return self.unknowns.unknown((name, argument), self.jets[argument][0] if self.unknowns.exact else None)

    def _chain(self, inner: sp.Basic, f: Any, f1: Any, f2: Any) -> Jet:
        """f(u) with f'(u) = f1 and f''(u) = f2, by the chain rule to second order."""
        _, u1, u2, u12 = self.jets[inner]
        return f, f1 * u1, f1 * u2, f2 * u1 * u2 + f1 * u12


def _leaf(e: sp.Basic) -> bool:
    return isinstance(e, (sp.Rational, sp.Indexed, sp.Symbol)) or (isinstance(e, sp.Pow) and not e.exp.is_Integer)


def _sum(parts: Any) -> Any:
    total = None
    for p in parts:
        total = p if total is None else total + p
    return total


def _product(parts: Any) -> Any:
    total = None
    for p in parts:
        total = p if total is None else total * p
    return total


def head(e: sp.Basic) -> str:
    """The name a function application is an unknown under: SoftmaxExp and exp are one function."""
    name = type(e).__name__
    return "exp" if name in ("SoftmaxExp", "exp") else name


Evaluate = Callable[[Callable[[Unknowns], Point]], tuple[Any, Any]]


@dataclass(frozen=True)
class Witness:
    """A point where two expressions differ: some of its unknowns, and the two values."""

    number: int  # which of the points (1-based)
    values: tuple[tuple[sp.Expr, Fraction], ...]  # the symbols' values (inputs, parameters, targets)
    mine: Fraction
    theirs: Fraction


@dataclass(frozen=True)
class Outcome:
    """The test's verdict: proven (every point agreed), disproven (a witness) or undecided (``reason``)."""

    verdict: str
    points: int  # the points evaluated
    degree: int  # the bound d on the degree of the difference's numerator
    witness: Witness | None = None
    reason: str = ""

    @property
    def exponent(self) -> int:
        """k such that the chance of a wrong identity agreeing at every point, at most (d / SPAN) ** points, is
        below 10^k (-inf when d is 0: a constant difference that vanished once is 0)."""
        if self.degree <= 0:
            return -math.inf  # type: ignore[return-value]
        return math.ceil(self.points * math.log10(self.degree / SPAN))


def identity_test(
    evaluate: Callable[[Unknowns], tuple[Any, Any]], count: int = POINTS, done: list[int] | None = None
) -> Outcome:
    """Evaluate both sides (``evaluate(unknowns)`` -> (mine, theirs)) at ``count`` random points.

    ``done`` counts the points finished, for a caller whose time guard cut the test short.
    """
    try:
        mine, theirs = evaluate(Degrees())
    except ZeroDivisionError:  # a division by an expression that is 0 whatever the unknowns
        return Outcome("undecided", 0, 0, reason="an expression divides by one that is 0 at every point")
    degree = (mine - theirs).top
    rng = random.Random(SEED)
    done = done if done is not None else [0]
    for n in range(1, count + 1):
        unknowns = Unknowns(rng)
        try:
            mine, theirs = evaluate(unknowns)
        except ZeroDivisionError:
            return Outcome(
                "undecided", n, degree, reason=f"point {n} of {count} falls where an expression is undefined"
            )
        if mine != theirs:
            if unknowns.collided:
                reason = f"the values differ at point {n}, where two arguments of one function coincide"
                return Outcome("undecided", n, degree, reason=reason)
            symbols = sorted((k[1] for k in unknowns.values if k[0] == "symbol"), key=sp.default_sort_key)
            values = tuple((symbol, unknowns.values[("symbol", symbol)]) for symbol in symbols)
            return Outcome("disproven", n, degree, Witness(n, values, mine, theirs))
        done[0] = n
    return Outcome("proven", count, degree)
