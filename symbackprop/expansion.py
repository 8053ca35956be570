"""How many terms an expression would have once expanded, counted without expanding it.

``sp.expand`` of a tiny tree can be enormous: (a_0 + ... + a_5)^100 has about 96 million terms. The
count here is an upper bound from sizes alone (a product multiplies its factors' counts, a power of a
sum takes the multinomial count), so work that expands can be refused before it starts.
"""

from __future__ import annotations

import sympy as sp

from .tree_fold import fold


def expanded_terms(expr: sp.Basic, cap: int) -> int:
    """An upper bound on the terms of ``sp.expand(expr)``, or ``cap`` + 1 once it passes ``cap``."""
    return fold(expr, lambda e, counts: min(_terms(e, counts, cap), cap + 1))


def _terms(e: sp.Basic, counts: list[int], cap: int) -> int:
    if isinstance(e, sp.Add):
        return sum(counts)
    if isinstance(e, sp.Mul):
        product = 1
        for c in counts:
            product *= c
        return product
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
        return _multisets(counts[0], int(e.exp), cap)
    # a function, or a power below zero, is one term (what sp.expand does inside it, largest_power counts)
    return 1


def largest_power(expr: sp.Basic, cap: int) -> int:
    """The most terms any integer power of a sum in ``expr`` expands to (capped at ``cap`` + 1), a power
    below zero (sp.expand multiplies out its denominator) and one inside a function's argument included:
    the one step of ``sp.expand`` that grows without bound, where a sum of products grows as the tree does."""
    largest, seen, stack = 1, set(), [expr]
    while stack and largest <= cap:  # each shared subexpression once
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        stack.extend(e.args)
        if isinstance(e, sp.Pow) and e.exp.is_Integer and abs(e.exp) > 1 and isinstance(e.base, sp.Add):
            largest = max(largest, _multisets(expanded_terms(e.base, cap), abs(int(e.exp)), cap))
    return largest


def _multisets(terms: int, power: int, cap: int) -> int:
    """The terms of a sum of ``terms`` terms raised to ``power``: C(terms + power - 1, terms - 1), counted
    up one factor at a time and stopped past ``cap``, so a power of a billion costs no big-number work."""
    count = 1
    for i in range(1, terms):
        count = count * (power + i) // i
        if count > cap:
            return cap + 1
    return count
