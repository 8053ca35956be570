"""One walk over an expression tree, children first, each distinct subexpression once.

Sizes, counts and depths of SymPy expressions are all folds: a value per node from the values
of its arguments. Done iteratively, since a network 64 layers deep nests deeper than Python's
recursion allows, and on the shared form, since a composed network repeats its layers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
