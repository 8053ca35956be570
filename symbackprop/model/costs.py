"""The cost catalogue: C_0 for one sample, as a function of the output activations and targets.

The batch cost is the mean over samples, C = (1/n) sum_i C_i, for every entry. The NumPy forms import NumPy
when first used: a derivation, which computes no number, starts without it (issue 20).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from ..base.errors import SpecError, did_you_mean

if TYPE_CHECKING:
    import numpy as np

Terms = Callable[[sp.Expr, sp.Expr, int], sp.Expr]


@dataclass(frozen=True)
class Cost:
    """One cost: ``term(a_j, y_j, n_L)`` is output neuron j's share of C_0."""

    name: str
    title: str
    term: Terms
    numpy_term: Callable[[np.ndarray, np.ndarray, int], np.ndarray]
    logarithmic: bool = False
    article: str = "the "  # what goes before the title in a sentence: "the cross-entropy", "half the ..."

    @property
    def phrase(self) -> str:
        """The title as a sentence names the cost: "the sum of squared errors", "half the sum of squared errors"."""
        return self.article + self.title

    def per_sample(self, outputs: Sequence[sp.Expr], targets: Sequence[sp.Expr]) -> sp.Expr:
        """C_0 = sum over the output neurons of each neuron's term."""
        n = len(outputs)
        return sp.Add(*(self.term(a, y, n) for a, y in zip(outputs, targets, strict=True)))

    def terms(self, outputs: Sequence[sp.Expr], targets: Sequence[sp.Expr]) -> tuple[sp.Expr, ...]:
        """The terms of C_0 one output neuron at a time, for writing the sum out."""
        n = len(outputs)
        return tuple(self.term(a, y, n) for a, y in zip(outputs, targets, strict=True))

    def numpy(self, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """C_0 of every sample: ``outputs`` and ``targets`` have shape (samples, n_L)."""
        import numpy as np

        n = outputs.shape[-1]
        return np.sum(self.numpy_term(outputs, targets, n), axis=-1)


def _xlogy(y: np.ndarray, a: np.ndarray) -> np.ndarray:
    """y ln a with 0 ln 0 = 0, as the cross-entropy's definition takes it."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, y * np.log(a))


CATALOGUE: dict[str, Cost] = {
    c.name: c
    for c in (
        Cost("sse", "sum of squared errors", lambda a, y, n: (a - y) ** 2, lambda a, y, n: (a - y) ** 2),
        Cost(
            "half_sse",
            "half the sum of squared errors",
            lambda a, y, n: sp.Rational(1, 2) * (a - y) ** 2,
            lambda a, y, n: 0.5 * (a - y) ** 2,
            article="",
        ),
        Cost(
            "mse",
            "mean squared error",
            lambda a, y, n: sp.Rational(1, n) * (a - y) ** 2,
            lambda a, y, n: (a - y) ** 2 / n,
        ),
        Cost(
            "cross_entropy",
            "cross-entropy",
            lambda a, y, n: -y * sp.log(a),
            lambda a, y, n: -_xlogy(y, a),
            logarithmic=True,
        ),
        Cost(
            "binary_cross_entropy",
            "binary cross-entropy",
            lambda a, y, n: -(y * sp.log(a) + (1 - y) * sp.log(1 - a)),
            lambda a, y, n: -(_xlogy(y, a) + _xlogy(1 - y, 1 - a)),
            logarithmic=True,
        ),
    )
}


def cost(name: str) -> Cost:
    """The catalogue entry for ``name``."""
    known = ", ".join(sorted(CATALOGUE))
    if not isinstance(name, str):
        raise SpecError(f"a cost is a name such as 'sse', got {name!r}; known: {known}")
    if name not in CATALOGUE:
        raise SpecError(f"unknown cost {name!r}; known: {known}{did_you_mean(name, CATALOGUE)}")
    return CATALOGUE[name]
