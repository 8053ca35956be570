"""Walks over expression trees: one fold, children first, each distinct subexpression once, and the sizes built on
it (nodes written out as a tree, terms once expanded).

Sizes, counts and depths of SymPy expressions are all folds: a value per node from the values of its arguments.
Done iteratively, since a network 64 layers deep nests deeper than Python's recursion allows, and on the shared
form, since a composed network repeats its layers.

``sp.expand`` of a tiny tree can be enormous: (a_0 + ... + a_5)^100 has about 96 million terms. The count
``largest_expansion`` gives is an upper bound from sizes alone (a product multiplies its factors' counts, a power
of a sum takes the multinomial count), so work that expands can be refused before it starts: a product of two
powers of sums, each small, can be as large as the square of either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import sympy as sp

T = TypeVar("T")


def fold(
    expr: sp.Basic,
    combine: Callable[[sp.Basic, list[T]], T],
    memo: dict[sp.Basic, T] | None = None,
    parts: Callable[[sp.Basic], Sequence[sp.Basic]] = lambda e: e.args,
) -> T:
    """``combine(e, [value of each part of e])`` at every node, bottom up; ``memo`` may carry values from an
    earlier fold (or give leaves a value of their own); ``parts`` says what a node is made of (its args)."""
    memo = {} if memo is None else memo
    stack = [expr]
    while stack:
        e = stack[-1]
        if e in memo:
            stack.pop()
            continue
        below = parts(e)
        missing = [a for a in below if a not in memo]
        if missing:
            stack.extend(missing)
            continue
        memo[e] = combine(e, [memo[a] for a in below])
        stack.pop()
    return memo[expr]


def tree_size(expr: sp.Basic, leaves: Mapping[sp.Basic, int] | None = None) -> int:
    """The nodes of ``expr`` written out as a tree, counted on its shared form (each shared part once).

    SymPy's tree walks (count_ops, replace, xreplace, lambdify, diff) take time in proportion to this;
    ``leaves`` gives symbols that stand for larger expressions their written-out size.
    """
    return count_nodes(expr, dict(leaves or {}))


def at_most(expr: sp.Basic, limit: int) -> bool:
    """Whether ``expr`` written out as a tree has at most ``limit`` nodes, found by walking no more than that
    many: the question a display asks of a formula that may be huge.

    >>> x = sp.Symbol("x")
    >>> at_most(x + 1, 3), at_most(x + 1, 2)
    (True, False)
    """
    return all(count <= limit for count, _ in enumerate(sp.preorder_traversal(expr), start=1))


def count_nodes(expr: sp.Basic, memo: dict[sp.Basic, int]) -> int:
    """``tree_size`` with a memo the caller keeps, to size many expressions that share parts."""
    return fold(expr, lambda _, sizes: 1 + sum(sizes), memo)


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
