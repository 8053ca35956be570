"""What a spec may state of the targets: that they are one-hot, or that each sample's sum to 1.

Some right answers hold only under such an assumption: softmax with the cross-entropy gives
dC_0/dz_j = a_j (y_0 + ... + y_{n-1}) - y_j, which is the a_j - y_j of the texts only where the targets
sum to 1. A spec says so with ``targets = "one-hot"`` or ``targets = "sum-to-one"`` (verify's flag
``--targets``); without it nothing is assumed. This module holds the names, their words, the check of a
spec's own targets against them, and the targets written under them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..base.errors import SpecError, did_you_mean

if TYPE_CHECKING:
    import numpy as np

ONE_HOT, SUM_TO_ONE = "one-hot", "sum-to-one"
ASSUMPTIONS = (ONE_HOT, SUM_TO_ONE)

_WORDS = {
    ONE_HOT: "the targets are one-hot: in each sample one y_j is 1 and the others are 0",
    SUM_TO_ONE: "each sample's targets sum to 1",
}


def assumption(key: str, value: Any) -> str:
    """The assumption named by ``value``, or a SpecError naming ``key`` and the allowed values.

    >>> assumption("targets", "one-hot")
    'one-hot'
    >>> try:
    ...     assumption("targets", "onehot")
    ... except SpecError as err:
    ...     print(str(err).split("; ")[-1])
    did you mean one-hot?
    """
    if not isinstance(value, str) or value not in ASSUMPTIONS:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise SpecError(
            f"{key}: must be one-hot or sum-to-one (leave it out to assume nothing); got {shown}"
            f"{did_you_mean(value, ASSUMPTIONS)}"
        )
    return value


def words(name: str) -> str:
    """The assumption in words, for a verdict and for JSON's ``assumptions``.

    >>> words("sum-to-one")
    "each sample's targets sum to 1"
    """
    return _WORDS[name]


def check_targets(key: str, name: str, y: np.ndarray) -> None:
    """A spec's own targets (one row per sample) must be ones the assumption allows: else the spec says two things."""
    import numpy as np  # here: a spec without numbers (a derivation's) is read without NumPy

    for sample, row in enumerate(y):
        where = f"values.y (sample {sample})" if len(y) > 1 else "values.y"
        if name == ONE_HOT and not (np.all((row == 0) | (row == 1)) and np.sum(row) == 1):
            raise SpecError(f"{where}: {key} is one-hot, so each sample's targets are one 1 and the rest 0; got {row}")
        if name == SUM_TO_ONE and abs(float(np.sum(row)) - 1.0) > 1e-9:
            raise SpecError(f"{where}: {key} is sum-to-one, but the targets sum to {float(np.sum(row)):.10g}")


def last_from_others(targets: Sequence[sp.Expr]) -> dict[sp.Expr, sp.Expr]:
    """The last target written as 1 minus the others: what "the targets sum to 1" means for a formula.

    >>> y0, y1, y2 = sp.symbols("y0 y1 y2")
    >>> last_from_others([y0, y1, y2])
    {y2: -y0 - y1 + 1}
    """
    return {targets[-1]: 1 - sp.Add(*targets[:-1])}


def one_hot_cases(targets: Sequence[sp.Expr]) -> list[dict[sp.Expr, sp.Expr]]:
    """Every one-hot target, each as values of the targets: y_k = 1 and the others 0, for each k in turn.

    >>> y0, y1 = sp.symbols("y0 y1")
    >>> one_hot_cases([y0, y1])
    [{y0: 1, y1: 0}, {y0: 0, y1: 1}]
    """
    return [{y: sp.Integer(int(i == k)) for i, y in enumerate(targets)} for k in range(len(targets))]


def allowed_rows(name: str | None, y: np.ndarray, first: int = 0) -> np.ndarray:
    """Targets drawn at random (each row in (0, 1)) made into ones the assumption allows: for one-hot, sample i's 1
    at output (first + i) mod n; for sum-to-one, each row divided by its sum; with no assumption, as they are."""
    import numpy as np

    if name == ONE_HOT:
        n = y.shape[1]
        return np.eye(n)[(np.arange(y.shape[0]) + first) % n]
    if name == SUM_TO_ONE:
        return y / y.sum(axis=1, keepdims=True)
    return y
