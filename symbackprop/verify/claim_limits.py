"""Numbers kept small: what makes a claim too large to read, found before SymPy spends minutes on it.

A power's exponent, a number's digits, exponentials of exponentials, \\tanh inside \\tanh, and sums over
neurons written out term by term each have a bound, with the reason for it beside it.
"""

from __future__ import annotations

from math import prod

import sympy as sp

from ..base.trees import fold, tree_size
from ..model.partial import Partial
from ..model.symbols import SAMPLES

MAX_SUM_TERMS = 4096
MAX_EXPONENT = 100  # a power's exponent, in size: (a - y)^{99999999} would take minutes to expand
MAX_DIGITS = 100  # a number in the claim, written or worked out (10^{10^{6}}, 2^{2^{2^{2^{2}}}})
MAX_TOWER = 2  # exponentials of exponentials of letters: e^{e^{z}} is fine, e^{e^{e^{e^{z}}}} overflows at any point
MAX_TANH = 5  # \tanh inside \tanh: SymPy's tanh asks if its argument is real, 3 times longer each level (7: minutes)
MAX_WRITTEN = 50_000  # nodes of the claim with its sums over neurons written out (six sums over six neurons: 1.7M)

_LARGEST = sp.Integer(10) ** MAX_DIGITS
_BITS = _LARGEST.p.bit_length()


class TooLarge(Exception):
    """Sums that would write out past MAX_WRITTEN parts; the binder says where."""


def evaluated(expr: sp.Expr) -> sp.Expr:
    """The claim as SymPy would have built it: products and sums kept as written become ordinary ones."""
    if not expr.args or isinstance(expr, (sp.Indexed, Partial)):
        return expr
    return expr.func(*(evaluated(a) for a in expr.args))


def ratio(numerator: sp.Expr, denominator: sp.Expr) -> sp.Expr:
    """numerator / denominator kept as written."""
    return sp.Mul(numerator, sp.Pow(denominator, -1, evaluate=False), evaluate=False)


def size(number: sp.Expr) -> float | None:
    """|number| for a number (an exponent), None for an expression with letters in it."""
    value = evaluated(number)
    if not value.is_number:
        return None
    if value.is_Rational:
        return float("inf") if max(value.p.bit_length(), value.q.bit_length()) > 64 else abs(float(value))
    try:
        approx = value.evalf(15)
    except (ValueError, OverflowError):
        return float("inf")
    try:
        return abs(complex(approx))
    except (TypeError, OverflowError):  # g^{(L)}(2): a number in the network's terms, not one to size
        return None


def size_problem(value: sp.Expr) -> str | None:
    """What makes ``value`` (evaluated) too large to work with, or None."""
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return "it is undefined (a division by zero, or the logarithm of 0)"
    if value.has(sp.I):
        return "it is not a real number"
    if tower(value) > MAX_TOWER:
        return f"exponentials are nested more than {MAX_TOWER} deep over a letter, too large to evaluate"
    if tanh_depth(value) > MAX_TANH:
        return (
            f"\\tanh is applied to \\tanh more than {MAX_TANH} deep, which SymPy takes minutes to decide (each "
            "level about three times longer); a tanh network's output is a^{(L)}, there is no need to write it out"
        )
    for part in sp.preorder_traversal(value):
        if isinstance(part, sp.Rational) and max(part.p.bit_length(), part.q.bit_length()) > _BITS:
            return f"it works out to a number of more than {MAX_DIGITS} digits"
        if isinstance(part, sp.Pow):
            exponent = size(part.exp)
            if exponent is not None and exponent > MAX_EXPONENT:
                return f"it works out to a power above {MAX_EXPONENT}"
    if value.is_number and not value.is_Rational:
        try:
            approx = sp.N(value, 15)
        except (ValueError, OverflowError):
            return f"it works out to a number of more than {MAX_DIGITS} digits"
        if approx.is_Number and not approx.is_zero and not 1 / _LARGEST < abs(approx) < _LARGEST:
            return f"it works out to a number of more than {MAX_DIGITS} digits"
    return None


def tower(value: sp.Expr) -> int:
    """How deep powers with letters in their exponents are nested: 1 for e^{-z}, 2 for e^{e^{z}}."""
    deepest = 0
    for part in sp.preorder_traversal(value):
        exponent = part.args[0] if isinstance(part, sp.exp) else part.exp if isinstance(part, sp.Pow) else None
        if exponent is not None and not exponent.is_number:
            deepest = max(deepest, 1 + tower(exponent))
    return deepest


def tanh_depth(value: sp.Expr) -> int:
    """How deep \\tanh is nested in \\tanh, through any arithmetic between them: 1 for \\tanh(z), 2 for
    \\tanh(w \\tanh(z) + b); each shared part counted once."""
    return fold(value, lambda e, inner: max(inner, default=0) + isinstance(e, sp.tanh))


def expand_sums(expr: sp.Expr) -> sp.Expr:
    """Each Sum over a layer's neurons written out term by term, innermost first (a sum over the samples,
    up to n, stays); TooLarge past MAX_WRITTEN parts."""
    sums = [s for s in sp.preorder_traversal(expr) if isinstance(s, sp.Sum) and not s.has(SAMPLES)]
    if not sums:
        return expr
    inner = sums[-1]
    terms = inner.function
    count = prod(int(last) - int(first) + 1 for _, first, last in inner.limits)
    parts = tree_size(expr) + count * tree_size(terms)
    if parts > MAX_WRITTEN:
        raise TooLarge(
            f"its sums written out would have about {parts:,} parts, more than the "
            f"{MAX_WRITTEN:,} a claim may have: write fewer or shorter sums"
        )
    for index, first, last in inner.limits:
        terms = sp.Add(*(terms.xreplace({index: sp.Integer(v)}) for v in range(int(first), int(last) + 1)))
    return expand_sums(expr.xreplace({inner: terms}))
