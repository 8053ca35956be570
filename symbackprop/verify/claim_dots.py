"""The terms a written-out sum leaves out: w_10 a_0 + w_11 a_1 + w_12 a_2 + \\cdots + w_15 a_5.

The dots stand for the terms between the one before them and the one after, following the
pattern the two make: they must be the same expression but for neuron indices (never a layer)
that all move by the same whole number D, and the terms left out are those indices at each
value in between, one step at a time. The term before the one before, where it has the same
shape, must step by one too. Zeros around the dots (0 + 0 + x + \\cdots 0) mean the terms left
out vanish. Anything else cannot be inferred and is said so. Terms are SymPy expressions the
claim's own words were bound to; nothing here reads text.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..model.symbols import Y

MAX_FILLED = 4096  # terms the dots may stand for, as many as a sum may have


class NotInferred(ValueError):
    """What the dots stand for cannot be inferred from the terms around them; the message says why."""


class EarlierDoesNotFit(NotInferred):
    """The term before the one before the dots has their shape but is not one step of their pattern earlier."""


@dataclass(frozen=True)
class _Move:
    """One neuron index that changes from the term before the dots to the term after."""

    first: int
    last: int

    @property
    def step(self) -> int:
        return self.last - self.first


def filled(before: sp.Expr, after: sp.Expr, earlier: sp.Expr | None = None) -> list[sp.Expr]:
    """The terms strictly between ``before`` and ``after`` (``earlier``: the term before ``before``, if any)."""
    if _is_zero(before) or _is_zero(after):
        return []
    moves: list[_Move] = []
    if not _differences(before, after, moves):
        raise NotInferred("they differ in more than their neuron indices")
    if not moves:
        raise NotInferred("they are the same term, so how many are left out is not said")
    steps = sorted({m.step for m in moves})
    if len(steps) > 1:
        raise NotInferred(f"their neuron indices do not move together (by {' and by '.join(map(str, steps))})")
    step = steps[0]
    unit = 1 if step > 0 else -1
    _check_earlier(earlier, before, after, unit)
    if abs(step) - 1 > MAX_FILLED:
        raise NotInferred(f"they stand for {abs(step) - 1} terms; at most {MAX_FILLED} are filled in")
    return [_shifted(before, after, unit * s) for s in range(1, abs(step))]


def _is_zero(term: sp.Expr) -> bool:
    return term.is_zero is True  # 0, or -0 as a term after a minus


def _check_earlier(earlier: sp.Expr | None, before: sp.Expr, after: sp.Expr, unit: int) -> None:
    """Where the term before has the same shape, it must be ``before`` one step back along the pattern: the
    same indices moving (the ones that move from ``before`` to ``after``), each by one the same way."""
    moves: list[_Move] = []
    if earlier is None or _is_zero(earlier) or not _differences(earlier, before, moves) or not moves:
        return
    steps = sorted({m.step for m in moves})
    if steps != [unit]:
        raise NotInferred(
            f"the terms before them step by {' and by '.join(map(str, steps))}, not by {unit}; only a step of "
            "one is filled in"
        )
    unmoved: list[_Move] = []
    if not _differences(earlier, _shifted(before, after, -unit), unmoved) or unmoved:
        raise EarlierDoesNotFit(
            "other indices move from it to the next term than from that term to the one after the dots"
        )


def _differences(first: sp.Basic, second: sp.Basic, moves: list[_Move]) -> bool:
    """Whether the two are the same but for whole-number neuron indices; each index that differs is recorded."""
    if first == second:
        return True
    if isinstance(first, sp.Indexed) and isinstance(second, sp.Indexed):
        if first.base != second.base or len(first.indices) != len(second.indices):
            return False
        for position, (i, j) in enumerate(zip(first.indices, second.indices, strict=True)):
            if i == j:
                continue
            if (position == 0 and first.base != Y) or not (i.is_Integer and j.is_Integer):
                return False  # a layer, or an index that is a letter
            moves.append(_Move(int(i), int(j)))
        return True
    if type(first) is not type(second) or first.is_Atom or len(first.args) != len(second.args):
        return False
    return all(_differences(a, b, moves) for a, b in zip(first.args, second.args, strict=True))


def _shifted(before: sp.Basic, after: sp.Basic, offset: int) -> sp.Basic:
    """``before`` with each index that differs from ``after`` moved by ``offset``, everything else as written."""
    if before == after:
        return before
    if isinstance(before, sp.Indexed):
        indices = [i if i == j else i + offset for i, j in zip(before.indices, after.indices, strict=True)]
        return before.base[tuple(indices)]
    args = [_shifted(a, b, offset) for a, b in zip(before.args, after.args, strict=True)]
    if isinstance(before, (sp.Add, sp.Mul, sp.Pow)):
        return before.func(*args, evaluate=False)
    return before.func(*args)
