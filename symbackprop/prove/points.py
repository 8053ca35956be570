"""How an expression gets its exact value at one random point of the identity test (``random_identity``).

``Point`` is the proofs': every function application (g_l(u), g_l'(u), g_l''(u), exp(u), ln(u)) is an unknown of
its own per argument expression, written down to what lies below it, and forward mode carries derivatives to
second order, so a derivation is compared with the derivative of the composed cost. ``ConcretePoint`` is the
claims': a function is an unknown per argument value (a claim writes an argument its own way), and exp and tanh
keep their meaning. ``Point`` computes modulo the prime of ``field`` (the test's ``Unknowns``), ``ConcretePoint``
with exact fractions (``RationalUnknowns``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from ..base.trees import fold, largest_expansion
from ..model.symbols import ActivationBase, ActivationPrimeBase, ActivationSecondBase, SoftmaxExp
from .random_identity import Unknowns

_SUFFIX = {ActivationBase: "", ActivationPrimeBase: "_prime", ActivationSecondBase: "_prime2"}
UNDEFINED = (sp.nan, sp.oo, -sp.oo, sp.zoo)  # a value these points cannot take: the point is skipped
EXP_TERMS = 1_000  # terms of an exp's argument multiplied out, past which it is taken as written


Jet = tuple[Any, Any, Any, Any]  # value, d/dw, d/dw', d^2/(dw dw')


class Point:
    """Exact values, and forward-mode derivatives to second order, of expressions at one point: residues modulo
    the prime P of ``field`` at a proof's point, degree bounds (``Degrees``) for the bound it states.

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
            return sum_of(self.values[a] for a in e.args)
        if isinstance(e, sp.Mul):
            return product_of(self.values[a] for a in e.args)
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
            return tuple(sum_of(p[i] for p in parts) for i in range(4))  # type: ignore[return-value]
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


def sum_of(parts: Any) -> Any:
    """The sum of one or more values of a point's arithmetic (residues, fractions, degree bounds), with no zero of
    its own to start from."""
    total = None
    for p in parts:
        total = p if total is None else total + p
    return total


def product_of(parts: Any) -> Any:
    """The product of one or more values of a point's arithmetic, as ``sum_of``."""
    total = None
    for p in parts:
        total = p if total is None else total * p
    return total


def head(e: sp.Basic) -> str:
    """The name a function application is an unknown under: SoftmaxExp and exp are one function."""
    name = type(e).__name__
    return "exp" if name in ("SoftmaxExp", "exp") else name


class NoExactValue(TypeError):
    """An expression exact points have no value for (a TypeError, as before, for callers that catch that)."""


class ConcretePoint:
    """A random point at which the catalogue's functions keep their meaning: how verify compares a claim too large
    to cancel (see ``identity_test``; the proofs' ``Point`` treats every function as an unknown instead).

    Symbols and function applications are unknowns as at the proofs' points, but a function is tabulated by its
    argument's value, not its expression, since a claim writes the same argument its own way.
    exp(c_1 t_1 + c_2 t_2 + ...) is the product of exp(t_i)^c_i, each exp(t_i) a positive unknown per distinct
    value of the monomial t_i, so exp(-z) exp(z) = 1 holds; tanh is (E^2 - 1)/(E^2 + 1) with E = exp(z).
    A formula with a branch (max, a step) never comes here: real points decide those.

    It computes over the rationals (``RationalUnknowns``), not modulo a prime as the proofs' ``Point`` does: each
    exp(t) is a positive number here (``abs``), an order a residue has no notion of. Its values are never shown: a
    difference found here makes a claim incorrect only when a real point shows it too, and that real point is the
    counterexample the report gives (``real_points``). Claims are checked on networks of at most 3,000 nodes
    composed, where fractions cost little, so they keep the verdicts they had.
    """

    def __init__(self, unknowns: Unknowns) -> None:  # RationalUnknowns: see above
        self.unknowns = unknowns
        self.memo: dict[sp.Basic, Fraction] = {}

    def value(self, e: sp.Basic) -> Fraction:
        if e not in self.memo:
            self.memo[e] = self._compute(e)
        return self.memo[e]

    def _compute(self, e: sp.Basic) -> Fraction:
        if e in UNDEFINED:  # by identity: SymPy's ``is_infinite`` of a nested tanh takes minutes
            raise ZeroDivisionError  # undefined here: the point is skipped
        if e == sp.E:  # e alone, as a claim may write it: exp(1)
            return self.exp_of(sp.Integer(1))
        if isinstance(e, (sp.exp, SoftmaxExp)):
            return self.exp_of(e.args[0])
        if isinstance(e, sp.Pow) and e.base == sp.E:
            return self.exp_of(e.exp)
        if isinstance(e, sp.tanh):
            square = self.exp_of(e.args[0]) ** 2
            return (square - 1) / (square + 1)
        if isinstance(e, sp.Rational):
            return self.unknowns.number(int(e.p), int(e.q))
        if isinstance(e, sp.NumberSymbol):  # pi and the like: a positive unknown of its own
            return abs(self.unknowns.unknown((type(e).__name__, ())))
        if isinstance(e, (sp.Indexed, sp.Symbol)):
            return self.unknowns.unknown(("symbol", e))
        if isinstance(e, sp.Add):
            return sum((self.value(a) for a in e.args), self.unknowns.number(0))
        if isinstance(e, sp.Mul):
            product = self.unknowns.number(1)
            for a in e.args:
                product *= self.value(a)
            return product
        if isinstance(e, sp.Pow) and isinstance(e.exp, sp.Integer):
            return self.value(e.base) ** int(e.exp)
        if isinstance(e, (sp.Function, sp.Pow)):
            return self.unknowns.unknown((head(e), tuple(self.value(a) for a in e.args)))
        raise NoExactValue(f"no exact value for {type(e).__name__}")

    def exp_of(self, argument: sp.Expr) -> Fraction:
        """exp of a sum of monomials, as a product of one positive unknown per monomial's value. Products of sums
        in the argument are multiplied out first, so exp(c + w (a + b)) and exp(c) exp(w a) exp(w b) get the same
        value; a fraction stays one monomial (see ``_distributed``)."""
        product = self.unknowns.number(1)
        if largest_expansion(argument, EXP_TERMS) <= EXP_TERMS:
            argument = _distributed(argument)
        for term in sp.Add.make_args(argument):
            coeff, monomial = term.as_coeff_Mul()
            if isinstance(coeff, sp.Integer):
                product *= self._exp_unknown(self.value(monomial)) ** int(coeff)
            else:
                product *= self._exp_unknown(self.value(term))
        return product

    def _exp_unknown(self, at: Fraction) -> Fraction:
        return abs(self.unknowns.unknown(("exp", (at,))))


def _distributed(e: sp.Expr) -> sp.Expr:
    """Products of sums multiplied out through every sum and product, but a product with a division in it
    kept whole: split, the terms of w (e^{2u} - 1)/(e^{2u} + 1) would get unknowns of their own, where
    w tanh(u), the same value written as one monomial, gets one."""
    if isinstance(e, sp.Add):
        return sp.Add(*(_distributed(a) for a in e.args))
    if isinstance(e, sp.Mul) and not _has_fraction(e):
        return sp.expand_mul(sp.Mul(*(_distributed(f) for f in e.args)), deep=False)
    return e


def _has_fraction(e: sp.Expr) -> bool:
    """Whether a division shows in ``e`` outside any function's argument: w (1 - 1/(1 + e^z)) is w sigma(-z)."""
    if isinstance(e, sp.Pow) and e.exp.is_negative:
        return True
    return isinstance(e, (sp.Add, sp.Mul, sp.Pow)) and any(_has_fraction(a) for a in e.args)
