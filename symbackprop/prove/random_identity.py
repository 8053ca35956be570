"""The project's one randomized identity test: whether two expressions are the same function, decided at random
points when they are too large to cancel symbolically.

Two expressions are evaluated at random points where every symbol and every function application is an unknown of
its own (how an expression gets its value there is ``points``: the proofs' ``Point`` treats g_l(u), g_l'(u),
exp(u), ln(u) as unknowns per argument expression, the claims' ``ConcretePoint`` keeps exp and tanh's meaning).
Both are then rational functions of those unknowns. If they differ, the numerator of their difference has degree
at most d, a bound found by doing the same arithmetic on degrees instead of numbers (``Degree``).

The proofs (``Unknowns``) compute in the field of integers modulo the prime P = 2^61 - 1 (``field``), each unknown
uniform among its P residues: by the Schwartz-Zippel lemma a random point is a root of that numerator with
probability at most d / P, so all of ``POINTS`` independent points agree with probability at most
(d / P) ** POINTS. A point where a division is by 0 modulo P is passed over for another: the points kept are
uniform where no divisor vanishes, which the degrees of the divisors' numerators (e in all, ``Degree.ledger``)
make at least a share 1 - e / P of the points, so the bound the proofs state is (d / (P - e)) ** POINTS. A
difference whose numerator is 0 modulo P, every coefficient a multiple of P, is not seen: like the fixed seed's
points, P is assumed not to be what a wrong result was built around. A point where the two sides differ modulo P
differs at the same integers over the rationals too, so it is a counterexample. The claims (``RationalUnknowns``)
keep exact fractions, drawn from ``SPAN`` integers. The points come from a fixed seed, so the same input always
gets the same verdict.
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

from ..model.symbols import ActivationBase, ActivationPrimeBase, ActivationSecondBase
from .field import P, Residue, inverse

SPAN = 2**32  # the claims' unknowns are drawn uniformly from the integers -2^31 .. 2^31 - 1
# The proofs' points. 13 points modulo P bound the chance of error by (d/P)^13, below the (d/2^32)^24 of the
# 24 points from 2^32 integers the proofs took before, for every d >= 1: 13 (61 - log2 d) >= 24 (32 - log2 d).
POINTS = 13
SEED = 20261124
_fresh = itertools.count()
_SUFFIX = {ActivationBase: "", ActivationPrimeBase: "_prime", ActivationSecondBase: "_prime2"}


class Degree:
    """Degree bounds of a rational function N/M as the arithmetic builds it: N's degree, and M as a product of
    factors with their degrees and exponents, so that sums over one denominator do not multiply it.

    Each bound holds for the fraction the operations build formally (a/b + c/d over the least common multiple
    of the factors); the exact value at a point equals it wherever no division by 0 occurred.

    ``ledger`` (shared by every bound one arithmetic builds) sums the numerator's degree of each divisor: a point
    is undefined only where one of those numerators is 0, so at most a share ledger / P of the points modulo P is.
    """

    __slots__ = ("factors", "ident", "ledger", "top")

    def __init__(
        self, top: int, factors: Mapping[int, tuple[int, int]] | None = None, ledger: list[int] | None = None
    ) -> None:
        self.top = top  # the numerator's degree, -1 for the zero polynomial
        self.factors = dict(factors or {})  # factor id -> (its degree, its exponent)
        self.ident = next(_fresh)  # this numerator, as a factor of a denominator it is divided by
        self.ledger = ledger

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
        top = max(self.top + whole - self.bottom, other.top + whole - other.bottom)
        return Degree(top, lcm, self.ledger or other.ledger)

    __radd__ = __add__

    def __abs__(self) -> Degree:  # |u| of an unknown drawn positive (a claim's exp): the unknown itself
        return self

    def __neg__(self) -> Degree:
        return self

    def __sub__(self, other: Any) -> Degree:
        return self + _degree(other)

    def __rsub__(self, other: Any) -> Degree:
        return _degree(other) + self

    def __mul__(self, other: Any) -> Degree:
        other = _degree(other)
        ledger = self.ledger or other.ledger
        if self.top < 0 or other.top < 0:
            return Degree(-1, None, ledger)
        factors = dict(self.factors)
        for k, (degree, power) in other.factors.items():
            factors[k] = (degree, factors.get(k, (degree, 0))[1] + power)
        return Degree(self.top + other.top, factors, ledger)

    __rmul__ = __mul__

    def __pow__(self, n: int) -> Degree:
        if n < 0:
            if self.top < 0:
                raise ZeroDivisionError
            if self.ledger is not None:
                self.ledger[0] += self.top  # a point where this numerator is 0 is undefined
            return Degree(self.bottom, {self.ident: (self.top, 1)}, self.ledger) ** -n
        if n == 0:
            return Degree(0, None, self.ledger)
        factors = {k: (degree, power * n) for k, (degree, power) in self.factors.items()}
        return Degree(self.top * n, factors, self.ledger)

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
    """The unknowns of one point of a proof: a random residue modulo P for each, the same every time it is asked
    for; numbers are residues too (``field``)."""

    exact = True  # numbers, not degree bounds

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.values: dict[Any, Any] = {}
        self.arguments: dict[tuple[str, Any], Any] = {}  # (function, argument value) -> the argument expression
        self.collided = False  # two argument expressions of one function had the same value

    def number(self, p: int, q: int = 1) -> Any:
        return Residue(p * inverse(q))

    def draw(self) -> Any:
        """A new unknown's value: uniform among the residues modulo P, by rejection from 61 random bits (what
        ``randrange(P)`` does, without its checks: a proof draws hundreds of thousands)."""
        bits = self.rng.getrandbits
        r = bits(61)
        while r >= P:
            r = bits(61)
        return Residue(r)

    def unknown(self, key: Any, argument: Any = None) -> Any:
        if key not in self.values:
            self.values[key] = self.draw()
            if argument is not None:
                seen = self.arguments.setdefault((key[0], argument), key[1])
                self.collided = self.collided or seen != key[1]
        return self.values[key]


class RationalUnknowns(Unknowns):
    """The unknowns of one point of a claim's test: exact fractions, each unknown a random integer from ``SPAN``
    (see ``points.ConcretePoint`` for why claims keep the rationals)."""

    def number(self, p: int, q: int = 1) -> Fraction:
        return Fraction(p, q)

    def draw(self) -> Fraction:
        return Fraction(self.rng.randrange(-SPAN // 2, SPAN // 2))


class Degrees(Unknowns):
    """The same arithmetic on degree bounds: each unknown has degree 1, each constant 0; ``poles`` is the ledger
    of their divisors' degrees."""

    exact = False

    def __init__(self) -> None:
        super().__init__(random.Random(0))
        self.poles = [0]

    def number(self, p: int, q: int = 1) -> Degree:
        return Degree(-1 if p == 0 else 0, None, self.poles)

    def unknown(self, key: Any, argument: Any = None) -> Degree:
        if key not in self.values:
            self.values[key] = Degree(1, None, self.poles)
        return self.values[key]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Witness:
    """A point where two expressions differ: some of its unknowns, and the two values (residues modulo P for a
    proof's point, fractions for a claim's)."""

    number: int  # which of the points (1-based)
    values: tuple[tuple[sp.Expr, Any], ...]  # the symbols' values (inputs, parameters, targets)
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class Outcome:
    """The test's verdict: proven (every point agreed), disproven (a witness) or undecided (``reason``)."""

    verdict: str
    points: int  # the points evaluated
    degree: int  # the bound d on the degree of the difference's numerator
    witness: Witness | None = None
    reason: str = ""
    poles: int = 0  # the bound e on the degrees of the divisors' numerators, summed (``Degree.ledger``)
    skipped: int = 0  # points passed over where a division was by 0 modulo P

    @property
    def exponent(self) -> int:
        """k such that the chance of a wrong identity agreeing at every point, at most (d / (P - e)) ** points
        (see the module's docstring), is below 10^k (-inf when d is 0: a constant difference that vanished once
        is 0; 0, no bound, when d is not below P - e)."""
        if self.degree <= 0:
            return -math.inf  # type: ignore[return-value]
        room = P - self.poles
        if room <= self.degree:
            return 0
        return math.ceil(self.points * math.log10(self.degree / room))


def identity_test(
    evaluate: Callable[[Unknowns], tuple[Any, Any]],
    count: int = POINTS,
    done: list[int] | None = None,
    *,
    bound: bool = True,
    skip_poles: bool = True,
    unknowns: Callable[[random.Random], Unknowns] = Unknowns,
) -> Outcome:
    """Evaluate both sides (``evaluate(unknowns)`` -> (mine, theirs)) at ``count`` random points.

    ``done`` counts the points finished, for a caller whose time guard cut the test short. ``bound``: first find
    the degree bound d (the proofs state the chance of error it gives). ``skip_poles``: a point where an
    expression is undefined is passed over for another (up to 4 ``count`` tries); else the test stops undecided
    there. ``unknowns``: the kind of point, residues modulo P (proofs) or ``RationalUnknowns`` (claims).
    """
    degree = poles = 0
    if bound:
        degrees = Degrees()
        try:
            mine, theirs = evaluate(degrees)
        except ZeroDivisionError:  # a division by an expression that is 0 whatever the unknowns
            return Outcome("undecided", 0, 0, reason="an expression divides by one that is 0 at every point")
        degree, poles = (mine - theirs).top, degrees.poles[0]
    rng = random.Random(SEED)
    done = done if done is not None else [0]
    agreed = tried = 0
    while agreed < count and tried < (4 * count if skip_poles else count):
        tried += 1
        point = unknowns(rng)
        try:
            mine, theirs = evaluate(point)
        except ZeroDivisionError:
            if skip_poles:
                continue
            return Outcome(
                "undecided", tried, degree, reason=f"point {tried} of {count} falls where an expression is undefined"
            )
        if mine != theirs:
            return _differing(point, tried, degree, mine, theirs)
        agreed += 1
        done[0] = agreed
    if agreed < count:
        reason = f"{tried - agreed} of {tried} points fell where an expression divides by 0"
        return Outcome("undecided", tried, degree, reason=reason)
    return Outcome("proven", count, degree, poles=poles, skipped=tried - agreed)


def _differing(unknowns: Unknowns, n: int, degree: int, mine: Any, theirs: Any) -> Outcome:
    """The outcome at point ``n``, where the two sides differ: disproven, with the point as a witness, unless two
    arguments of one function took one value there."""
    if unknowns.collided:
        reason = f"the values differ at point {n}, where two arguments of one function coincide"
        return Outcome("undecided", n, degree, reason=reason)
    symbols = sorted((k[1] for k in unknowns.values if k[0] == "symbol"), key=sp.default_sort_key)
    values = tuple((symbol, unknowns.values[("symbol", symbol)]) for symbol in symbols)
    return Outcome("disproven", n, degree, Witness(n, values, mine, theirs))
