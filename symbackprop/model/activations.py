"""The activation catalogue: each entry's SymPy form, derivative, NumPy form and names.

A new activation is one entry here. ``softmax`` couples a layer, so it has no elementwise
form; the network asks ``elementwise`` before treating a layer one neuron at a time.
The NumPy forms import NumPy when first called: a derivation, which computes no number,
starts without it (issue 20).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, TypeAlias

import sympy as sp

from ..base.errors import SpecError, did_you_mean

if TYPE_CHECKING:
    import numpy as np

Scalar = Callable[[sp.Expr], sp.Expr]
Vector: TypeAlias = "Callable[[np.ndarray], np.ndarray]"


@dataclass(frozen=True)
class Activation:
    """One catalogue entry. ``form``/``prime`` are None for the generic g and for softmax."""

    name: str
    latex: str  # the function's name in LaTeX, e.g. r"\sigma"
    text: str  # the same in plain text
    elementwise: bool = True
    form: Scalar | None = None
    prime: Scalar | None = None
    prime_in_a: Scalar | None = None  # g'(z) written with a = g(z), where a textbook does
    numpy_form: Vector | None = None
    numpy_prime: Vector | None = None

    @property
    def generic(self) -> bool:
        return self.elementwise and self.form is None


def _sigmoid_np(z: np.ndarray) -> np.ndarray:
    import numpy as np

    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic function


def _sigmoid_prime_np(z: np.ndarray) -> np.ndarray:
    return _sigmoid_np(z) * (1.0 - _sigmoid_np(z))


def _tanh_np(z: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.tanh(z)


def _tanh_prime_np(z: np.ndarray) -> np.ndarray:
    import numpy as np

    return 1.0 - np.tanh(z) ** 2


def _relu_np(z: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.maximum(z, 0.0)


def _relu_prime_np(z: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.where(z > 0, 1.0, 0.0)


def _softplus_np(z: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.logaddexp(0.0, z)


def _ones_np(z: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.ones_like(z)


def _leaky_np(slope: float) -> tuple[Vector, Vector]:
    """The leaky ReLU of ``slope`` and its derivative, in NumPy."""

    def form(z: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.where(z > 0, z, slope * z)

    def prime(z: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.where(z > 0, 1.0, slope)

    return form, prime


def _leaky(slope: sp.Rational, name: str = "leaky_relu") -> Activation:
    numpy_form, numpy_prime = _leaky_np(float(slope))
    return Activation(
        name=name,
        latex=r"\operatorname{LReLU}",
        text="LReLU",
        form=lambda z: sp.Piecewise((z, z > 0), (slope * z, True)),
        prime=lambda z: sp.Piecewise((1, z > 0), (slope, True)),
        numpy_form=numpy_form,
        numpy_prime=numpy_prime,
    )


_SIGMOID = Activation(
    name="sigmoid",
    latex=r"\sigma",
    text="σ",
    form=lambda z: 1 / (1 + sp.exp(-z)),
    prime=lambda z: sp.exp(-z) / (1 + sp.exp(-z)) ** 2,
    prime_in_a=lambda a: a * (1 - a),
    numpy_form=_sigmoid_np,
    numpy_prime=_sigmoid_prime_np,
)

CATALOGUE: dict[str, Activation] = {
    a.name: a
    for a in (
        _SIGMOID,
        Activation(
            name="tanh",
            latex=r"\tanh",
            text="tanh",
            form=sp.tanh,
            prime=lambda z: 1 - sp.tanh(z) ** 2,
            prime_in_a=lambda a: 1 - a**2,
            numpy_form=_tanh_np,
            numpy_prime=_tanh_prime_np,
        ),
        Activation(
            name="relu",
            latex=r"\operatorname{ReLU}",
            text="ReLU",
            form=lambda z: sp.Max(0, z),
            prime=lambda z: sp.Heaviside(z, 0),
            numpy_form=_relu_np,
            numpy_prime=_relu_prime_np,
        ),
        _leaky(sp.Rational(1, 100)),
        Activation(
            name="softplus",
            latex=r"\operatorname{softplus}",
            text="softplus",
            form=lambda z: sp.log(1 + sp.exp(z)),
            prime=lambda z: 1 / (1 + sp.exp(-z)),
            numpy_form=_softplus_np,
            numpy_prime=_sigmoid_np,
        ),
        Activation(
            name="identity",
            latex=r"\operatorname{id}",
            text="id",
            form=lambda z: z,
            prime=lambda z: sp.Integer(1),
            prime_in_a=lambda a: sp.Integer(1),
            numpy_form=lambda z: z,
            numpy_prime=_ones_np,
        ),
        Activation(name="softmax", latex=r"\operatorname{softmax}", text="softmax", elementwise=False),
        Activation(name="g", latex="g", text="g"),
    )
}


def activation(name: str) -> Activation:
    """The catalogue entry for ``name``; ``leaky_relu:0.2`` sets the leak's slope."""
    if not isinstance(name, str):
        raise SpecError(f"an activation is a name such as 'sigmoid', got {name!r}")
    if name.startswith("leaky_relu:"):
        return _leaky(_slope(name.partition(":")[2]), name)
    if name not in CATALOGUE:
        known = ", ".join(sorted(CATALOGUE))
        hint = did_you_mean(name, CATALOGUE)
        raise SpecError(f"unknown activation {name!r}; known: {known} (and leaky_relu:SLOPE){hint}")
    return CATALOGUE[name]


def _slope(text: str) -> sp.Rational:
    """Parse a leak slope as an exact decimal, without evaluating anything the user typed."""
    slope = sp.Rational(Fraction(text.strip())) if _is_decimal(text) else None
    if slope is None or not 0 <= slope < 1:
        raise SpecError(f"leaky_relu slope must be a decimal number in [0, 1), got {text!r}")
    return slope


def _is_decimal(text: str) -> bool:
    if not text.isascii() or len(text) > 40:  # a slope in [0, 1) needs few digits; Python refuses 4,300
        return False
    head, _, tail = text.strip().partition(".")
    return bool(head or tail) and (head.isdigit() or head == "") and (tail.isdigit() or tail == "")
