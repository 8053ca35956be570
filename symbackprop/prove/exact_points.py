"""Exact evaluation at random rational points: how verify compares a claim too large to cancel.

Symbols get random rationals and every function application (g_l, g_l', exp, ln) a random
rational of its own per distinct argument, in exact ``Fraction`` arithmetic. Two
expressions that agree at many such points are equal as rational functions of those
generators (Schwartz-Zippel); one point where they differ is a counterexample.
``ConcretePoint`` also knows the catalogue's functions: exp as a homomorphism, tanh through
exp, max, the step function and piecewise formulas, evaluated exactly.
"""

from __future__ import annotations

import random
from fractions import Fraction

import sympy as sp
from sympy.core.function import AppliedUndef

from ..base.trees import largest_expansion
from ..model.symbols import SoftmaxExp

UNDEFINED = (sp.nan, sp.oo, -sp.oo, sp.zoo)  # a value these points cannot take: the point is skipped
EXP_TERMS = 1_000  # terms of an exp's argument multiplied out, past which it is taken as written


class NoExactValue(TypeError):
    """An expression this evaluator has no value for (a TypeError, as before, for callers that catch that)."""


class RationalPoint:
    """One random point, evaluated exactly, each shared subexpression once.

    Symbols get random rationals; every function application (g_l, g_l', exp, ln) gets a
    random rational per distinct argument, and ``dual`` also carries the derivative with
    respect to ``wrt`` (forward mode), with g_l's derivative read from g_l' at the same
    argument, exp's from itself and ln's as 1/x.
    """

    def __init__(self, rng: random.Random, wrt: sp.Expr | None = None) -> None:
        self.rng = rng
        self.wrt = wrt
        self.memo: dict[sp.Basic, Fraction] = {}
        self.duals: dict[sp.Basic, tuple[Fraction, Fraction]] = {}
        self.applied: dict[tuple[str, tuple[Fraction, ...]], Fraction] = {}

    def random(self) -> Fraction:
        return Fraction(self.rng.randint(-997, 997), self.rng.randint(2, 97)) + Fraction(1, 1009)

    def table(self, head: str, args: tuple[Fraction, ...], positive: bool = False) -> Fraction:
        """The value of function ``head`` at ``args``: random, but the same every time it is asked."""
        key = (head, args)
        if key not in self.applied:
            value = self.random()
            self.applied[key] = abs(value) if positive else value
        return self.applied[key]

    def value(self, e: sp.Basic) -> Fraction:
        if e not in self.memo:
            self.memo[e] = self._compute(e)
        return self.memo[e]

    def _compute(self, e: sp.Basic) -> Fraction:
        if isinstance(e, sp.Rational):
            return Fraction(int(e.p), int(e.q))
        if isinstance(e, sp.NumberSymbol):
            return self.constant(e)
        if isinstance(e, (sp.Indexed, sp.Symbol)):
            return self.dual(e)[0]
        if isinstance(e, sp.Add):
            return sum((self.value(a) for a in e.args), Fraction(0))
        if isinstance(e, sp.Mul):
            product = Fraction(1)
            for a in e.args:
                product *= self.value(a)
            return product
        if isinstance(e, sp.Pow) and isinstance(e.exp, sp.Integer):
            return self.value(e.base) ** int(e.exp)
        if isinstance(e, (sp.Function, sp.Pow)):
            positive = isinstance(e, (SoftmaxExp, sp.exp))
            return self.table(head(e), tuple(self.value(a) for a in e.args), positive)
        raise NoExactValue(f"no exact value for {type(e).__name__}")

    def dual(self, e: sp.Basic) -> tuple[Fraction, Fraction]:
        """(value, derivative with respect to ``wrt``) of ``e`` at this point."""
        if e not in self.duals:
            self.duals[e] = self._dual(e)
        return self.duals[e]

    def constant(self, e: sp.NumberSymbol) -> Fraction:
        """e (a claim may hold Euler's number alone) as exp(1), the value exp takes at 1 here, so that e e^{z}
        is e^{z + 1}; any other constant a positive random rational of its own."""
        if e is sp.E:
            return self.value(sp.exp(sp.Integer(1), evaluate=False))
        return self.table(type(e).__name__, (), positive=True)

    def _dual(self, e: sp.Basic) -> tuple[Fraction, Fraction]:
        zero, one = Fraction(0), Fraction(1)
        if isinstance(e, sp.Rational):
            return Fraction(int(e.p), int(e.q)), zero
        if isinstance(e, sp.NumberSymbol):
            return self.constant(e), zero
        if isinstance(e, (sp.Indexed, sp.Symbol)):
            return self.random(), (one if e == self.wrt else zero)
        if isinstance(e, sp.Add):
            parts = [self.dual(a) for a in e.args]
            return sum((p[0] for p in parts), zero), sum((p[1] for p in parts), zero)
        if isinstance(e, sp.Mul):
            v, dv = one, zero
            for a in e.args:
                av, ad = self.dual(a)
                v, dv = v * av, dv * av + v * ad
            return v, dv
        if isinstance(e, sp.Pow) and isinstance(e.exp, sp.Integer):
            bv, bd = self.dual(e.base)
            n = int(e.exp)
            return bv**n, n * bv ** (n - 1) * bd
        if isinstance(e, sp.log):
            av, ad = self.dual(e.args[0])
            return self.table("log", (av,)), ad / av
        if isinstance(e, (SoftmaxExp, sp.exp)):
            av, ad = self.dual(e.args[0])
            v = self.table(head(e), (av,), positive=True)
            return v, v * ad
        if isinstance(e, AppliedUndef) and len(e.args) == 1:
            av, ad = self.dual(e.args[0])
            slope = self.table(f"{head(e)}_prime", (av,))
            return self.table(head(e), (av,)), slope * ad
        raise TypeError(f"no forward-mode rule for {type(e).__name__}")


def head(e: sp.Basic) -> str:
    """The name a function application is tabulated under: SoftmaxExp and exp are one function."""
    name = type(e).__name__
    return "exp" if name in ("SoftmaxExp", "exp") else name


class ConcretePoint(RationalPoint):
    """A random point at which the catalogue's functions keep their meaning.

    exp(c_1 t_1 + c_2 t_2 + ...) is the product of exp(t_i)^c_i, each exp(t_i) a random
    positive rational per distinct value of the monomial t_i, so exp(-z) exp(z) = 1 holds;
    tanh is (E^2 - 1)/(E^2 + 1) with E = exp(z); max, the step function and piecewise
    formulas are decided exactly on the rational values.
    """

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
        if isinstance(e, (sp.Max, sp.Min)):
            pick = max if isinstance(e, sp.Max) else min
            return pick(self.value(a) for a in e.args)
        if isinstance(e, sp.Abs):
            return abs(self.value(e.args[0]))
        if isinstance(e, sp.Heaviside):
            x = self.value(e.args[0])
            at_zero = self.value(e.args[1]) if len(e.args) > 1 else Fraction(1, 2)
            return Fraction(1) if x > 0 else Fraction(0) if x < 0 else at_zero
        if isinstance(e, sp.Piecewise):
            for piece, condition in e.args:
                if self.holds(condition):
                    return self.value(piece)
            raise ZeroDivisionError  # no piece applies: the point is skipped
        return super()._compute(e)

    def exp_of(self, argument: sp.Expr) -> Fraction:
        """exp of a sum of monomials, as a product of one random generator per monomial's value. Products of
        sums in the argument are multiplied out first, so exp(c + w (a + b)) and exp(c) exp(w a) exp(w b) get
        the same value; a fraction stays one monomial (see ``_distributed``)."""
        product = Fraction(1)
        if largest_expansion(argument, EXP_TERMS) <= EXP_TERMS:
            argument = _distributed(argument)
        for term in sp.Add.make_args(argument):
            coeff, monomial = term.as_coeff_Mul()
            if isinstance(coeff, sp.Integer):
                product *= self.table("exp", (self.value(monomial),), positive=True) ** int(coeff)
            else:
                product *= self.table("exp", (self.value(term),), positive=True)
        return product

    def holds(self, condition: sp.Basic) -> bool:
        """A piecewise formula's condition, decided on exact values."""
        if condition in (sp.true, sp.false):
            return bool(condition)
        if isinstance(condition, (sp.And, sp.Or)):
            parts = (self.holds(c) for c in condition.args)
            return all(parts) if isinstance(condition, sp.And) else any(parts)
        left, right = self.value(condition.lhs), self.value(condition.rhs)
        compare = {
            sp.StrictGreaterThan: lambda: left > right,
            sp.GreaterThan: lambda: left >= right,
            sp.StrictLessThan: lambda: left < right,
            sp.LessThan: lambda: left <= right,
            sp.Eq: lambda: left == right,
            sp.Ne: lambda: left != right,
        }
        return compare[type(condition)]()


def _distributed(e: sp.Expr) -> sp.Expr:
    """Products of sums multiplied out through every sum and product, but a product with a division in it
    kept whole: split, the terms of w (e^{2u} - 1)/(e^{2u} + 1) would get generators of their own, where
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
