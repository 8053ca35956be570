"""Free indices: a letter on the left-hand side that no sum binds (\\delta^{(L)}_j = ...) makes the claim one
claim per value of the letter. Each case is read and checked on its own; a right answer is then written back
with the letter, when one expression in it fits every case."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sympy as sp

from ..model.symbols import Y
from .claim_limits import evaluated

MAX_CASES = 64  # values of the left-hand side's free indices, each checked on its own

Case = tuple[tuple[sp.Symbol, int], ...]


@dataclass(frozen=True)
class Free:
    """A letter in the left-hand side's indices that no sum binds: the claim holds for each of its values."""

    symbol: sp.Symbol
    first: int
    last: int
    layer: int  # the layer whose neurons it runs over


def cases(free: Sequence[Free]) -> tuple[Case, ...]:
    """Every assignment of the free indices, in order: j = 0, 1, ... (the first letter slowest)."""
    ranges = [[(f.symbol, v) for v in range(f.first, f.last + 1)] for f in free]
    return tuple(tuple(case) for case in itertools.product(*ranges))


def count(free: Sequence[Free]) -> int:
    """How many cases the free indices make together."""
    total = 1
    for f in free:
        total *= f.last - f.first + 1
    return total


def case_values(case: Case) -> dict[sp.Symbol, sp.Integer]:
    return {symbol: sp.Integer(v) for symbol, v in case}


def generalize(values: Sequence[sp.Expr], all_cases: Sequence[Case]) -> sp.Expr | None:
    """One expression in the free indices that is ``values[c]`` in each case c: an index of an a, z, w, b or y
    that follows a free index's value becomes that letter. None when no such expression fits every case."""
    if len(all_cases) == 1:
        return values[0]
    first, case = values[0], all_cases[0]
    spots = [
        (q, p, symbol)
        for q in sorted(first.atoms(sp.Indexed), key=sp.default_sort_key)
        for p, index in enumerate(q.indices)
        if p > 0 or q.base == Y
        for symbol, value in case
        if index == value
    ]
    for chosen in _choices(spots):
        mapping = {
            q: q.base[tuple(chosen.get((q, p), i) for p, i in enumerate(q.indices))] for q in first.atoms(sp.Indexed)
        }
        template = replaced(first, mapping)
        if all(same(template.xreplace(case_values(c)), v) for c, v in zip(all_cases, values, strict=True)):
            return _apart_from(template, [symbol for symbol, _ in case])
    return None


def replaced(expr: sp.Basic, mapping: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    """``expr`` with ``mapping`` applied, each product and sum kept as it is written: 2(a_j - y_j), not 2a_j - 2y_j."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = [replaced(a, mapping) for a in expr.args]
    if args == list(expr.args):
        return expr
    if isinstance(expr, sp.Indexed):
        return expr.base[tuple(args[1:])]
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _apart_from(expr: sp.Expr, letters: list[sp.Symbol]) -> sp.Expr:
    """``expr`` with each sum's own letter renamed where it is written like one of ``letters`` (a free j)."""
    names = {str(letter) for letter in letters}
    taken = names | {str(s) for s in expr.atoms(sp.Symbol)}
    spare = iter(c for c in "ikmpqrstuv" if c not in taken)
    renames = {}
    for total in sorted(expr.atoms(sp.Sum), key=sp.default_sort_key):
        for bound, *_ in total.limits:
            if str(bound) in names and bound not in letters and bound not in renames:
                renames[bound] = sp.Symbol(next(spare), integer=True)
    return replaced(expr, renames) if renames else expr


def same(first: sp.Expr, second: sp.Expr) -> bool:
    """The same expression, written in the same or another order."""
    return first == second or sp.expand(evaluated(first) - evaluated(second)) == 0


def _choices(spots: list[tuple]) -> Iterator[dict]:
    """Which index positions become which letter: all of them first, then fewer (at most 2^8 tries)."""
    spots = spots[:8]
    for size in range(len(spots), -1, -1):
        for subset in itertools.combinations(spots, size):
            chosen = {(q, p): symbol for q, p, symbol in subset}
            if len(chosen) == size:
                yield chosen
