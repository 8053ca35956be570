"""Dots in a product of matrices, as Nielsen's eq. (35) writes the error of layer l unrolled to the output:
``\\delta^l = \\Sigma'(z^l) (w^{l+1})^T \\ldots \\Sigma'(z^{L-1}) (w^L)^T \\Sigma'(z^L) \\nabla_a C``.

The factors just before the dots are one unit of a pattern, written with the layer letter l; the same unit just
after them is the pattern's last, at some layer further on. The dots stand for the units between, each the first
with l moved on by one more. The unit is the shortest run of factors for which that holds: the first unit read at
l + s is, entry for entry, the unit after the dots, for some s >= 0. With s = 0 the two written units are one
(the formula at l = L-1, where nothing is left out). A pattern not found so is refused, saying what the dots need.
"""

from __future__ import annotations

from collections.abc import Callable

from ..syntax.errors import ClaimError
from ..syntax.tree import Node
from .claim_matrix_values import Mat, ShapeMismatch

Reading = Callable[[int, list[Node]], Mat]  # the factors read as a product, with the layer letter l at a value


def left_out(factors: list[Node], at: int, l_value: int | None, depth: int, read: Reading) -> tuple[list[Mat], int]:
    """The units the dots at ``factors[at]`` stand for, and how many factors after the dots are to be skipped
    (the written last unit, when it is the first one again)."""
    where = factors[at]
    if l_value is None:
        raise ClaimError("dots between factors stand for units of a pattern in the layer letter l", where.start + 1)
    mismatch: ShapeMismatch | None = None  # a unit whose shapes do not fit: the claim's mistake, if no unit fits
    for size in range(1, at + 1):
        unit, after = factors[at - size : at], factors[at + 1 : at + 1 + size]
        if len(after) < size:
            break
        try:
            last = read(l_value, after)
        except ShapeMismatch as err:
            mismatch = mismatch or err
            continue
        except ClaimError:
            continue
        for step in range(depth + 1):
            try:
                shifted = read(l_value + step, unit)
            except ShapeMismatch as err:
                mismatch = mismatch or err
                break
            except ClaimError:
                break
            if shifted.shape == last.shape and shifted.entries == last.entries:
                if step == 0:
                    return [], size
                return [read(l_value + s, unit) for s in range(1, step)], 0
    if mismatch is not None:
        raise mismatch
    raise ClaimError(
        "the dots stand for units left out of a pattern: write the factors of one unit before them in l and the "
        "same unit after them at its last layer, as in \\Sigma'(z^l) (w^{l+1})^T \\ldots \\Sigma'(z^{L-1}) (w^L)^T",
        where.start + 1,
    )
