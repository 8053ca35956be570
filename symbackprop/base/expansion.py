"""How many terms an expression would have once expanded, counted without expanding it.

``sp.expand`` of a tiny tree can be enormous: (a_0 + ... + a_5)^100 has about 96 million terms. The
count here is an upper bound from sizes alone (a product multiplies its factors' counts, a power of a
sum takes the multinomial count), so work that expands can be refused before it starts: a product of two
powers of sums, each small, can be as large as the square of either.
"""

from __future__ import annotations

import sympy as sp

from .tree_fold import fold


def largest_expansion(expr: sp.Basic, cap: int) -> int:
    """The most terms ``sp.expand`` makes of any part of ``expr`` (capped at ``cap`` + 1): products of sums
    and powers of them anywhere, inside a function's argument or a denominator too, since expand goes there."""
    memo: dict[sp.Basic, int] = {}
    fold(expr, lambda e, counts: min(_terms(e, counts, cap), cap + 1), memo)
    return max(memo.values())


def _terms(e: sp.Basic, counts: list[int], cap: int) -> int:
    if isinstance(e, sp.Add):
        return sum(counts)
    if isinstance(e, sp.Mul):
        product = 1
        for c in counts:
            product = min(product * c, cap + 1)
        return product
    if isinstance(e, sp.Pow) and e.exp.is_Rational and abs(e.exp) >= 1:
        # x^(-n) multiplies out its denominator, x^(99/2) is x^49 sqrt(x): counted as the whole power, an
        # upper bound on the fraction's single term
        return _multisets(counts[0], int(abs(e.exp)), cap)
    return 1  # a function, a power with letters or a root is one term; its inside is counted on its own


def _multisets(terms: int, power: int, cap: int) -> int:
    """The terms of a sum of ``terms`` terms raised to ``power``: C(terms + power - 1, terms - 1), counted
    up one factor at a time and stopped past ``cap``, so a power of a billion costs no big-number work."""
    count = 1
    for i in range(1, terms):
        count = count * (power + i) // i
        if count > cap:
            return cap + 1
    return count
