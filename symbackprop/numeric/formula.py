"""A formula as a function: SymPy expressions turned into NumPy, PyTorch or JAX code by ``sympy.lambdify``, the one
path by which the engine's formulas become numbers (the numbers commands and ``Derivation.lambdify`` alike).

Each backend gets the engine's functions as it spells them: σ, ReLU (derivative 0 at 0), a max pool's max gate,
the step function
with its value at 0 as written (SymPy's Heaviside(0) = 1/2, as PyTorch's maximum splits a tie), max and min of
arrays. Common subexpressions are computed once.

>>> import sympy as sp
>>> x, y = sp.symbols("x y")
>>> f = lambdified([x * y + sp.Max(x, y)], [x, y])
>>> [float(v) for v in f(2.0, 3.0)]
[9.0]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

from ..base.errors import SpecError

BACKENDS = ("numpy", "torch", "jax")


def lambdified(exprs: Sequence[sp.Expr], arguments: Sequence[sp.Basic], backend: str = "numpy") -> Callable[..., Any]:
    """A function of ``arguments`` (symbols or Indexed, positional) giving the list of ``exprs``' values."""
    if backend not in BACKENDS:
        raise SpecError(f"backend {backend!r}: one of {', '.join(BACKENDS)}")
    # Plain identifiers that keep each symbol's assumptions, and no Dummy among the arguments: lambdify would
    # then rename everything to Dummies of its own, and rebuilt around a symbol not known to be real,
    # tanh(tanh(...)) asks SymPy questions that take exponential time in the depth (10 deep: 50 s)
    dummies = [sp.Symbol(f"_arg{i}", **_assumptions(a)) for i, a in enumerate(arguments)]
    renamed = [sp.sympify(e).xreplace(dict(zip(arguments, dummies, strict=True))) for e in exprs]
    namespace, module = _NAMESPACES[backend]()
    function = sp.lambdify(dummies, renamed, modules=[namespace, module], cse=True)

    def call(*values: Any) -> list[Any]:
        return list(function(*values))

    return call


def _assumptions(argument: sp.Basic) -> dict[str, bool]:
    """What SymPy knows of an argument: a symbol's own assumptions, real for an indexed quantity (a network's
    weights and activations are real numbers)."""
    if isinstance(argument, sp.Symbol):
        return {"real": True} if argument.is_real else {}
    return {"real": True}


def _numpy() -> tuple[dict[str, Any], Any]:
    return {
        "sigmoid": lambda x: 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float))),  # no overflow for large -x
        "relu": lambda x: np.maximum(x, 0.0),
        "maxgate": np.maximum,
        "Heaviside": lambda x, at_zero=0.5: np.heaviside(x, at_zero),  # NumPy's, not a rewrite to Piecewise
    }, np  # the module, not "numpy": lambdify would run `from numpy import *`, loading numpy.testing (0.3 s)


def _torch() -> tuple[dict[str, Any], str]:
    try:
        import torch
    except ImportError:
        raise SpecError("backend torch needs PyTorch: pip install 'symbackprop[torch]'") from None

    def tensor(x: Any) -> Any:
        return x if isinstance(x, torch.Tensor) else torch.as_tensor(x, dtype=torch.float64)

    return {
        "sigmoid": lambda x: torch.sigmoid(tensor(x)),
        "relu": lambda x: torch.relu(tensor(x)),
        "maxgate": lambda p, q: torch.maximum(tensor(p), tensor(q)),
        "Heaviside": lambda x, at_zero=0.5: torch.heaviside(tensor(x), tensor(at_zero)),
        "Max": lambda *args: functools.reduce(torch.maximum, map(tensor, args)),
        "Min": lambda *args: functools.reduce(torch.minimum, map(tensor, args)),
        "sign": lambda x: torch.sign(tensor(x)),
        "Abs": lambda x: torch.abs(tensor(x)),
        "exp": lambda x: torch.exp(tensor(x)),
        "log": lambda x: torch.log(tensor(x)),
        "tanh": lambda x: torch.tanh(tensor(x)),
        "sqrt": lambda x: torch.sqrt(tensor(x)),
    }, "torch"


def _jax() -> tuple[dict[str, Any], str]:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        raise SpecError("backend jax needs JAX: pip install 'symbackprop[jax]'") from None
    return {
        "sigmoid": jax.nn.sigmoid,
        "relu": lambda x: jnp.maximum(x, 0.0),
        "maxgate": jnp.maximum,
        "Heaviside": lambda x, at_zero=0.5: jnp.heaviside(x, at_zero),
    }, "jax"


_NAMESPACES: dict[str, Callable[[], tuple[dict[str, Any], Any]]] = {"numpy": _numpy, "torch": _torch, "jax": _jax}


class Formula:
    """A derivation's formula as a function of the quantities it is written in, each called by its name: positional
    in ``names`` order, or by name (``f(q=3.0)``, ``f({"x_{1}": 2.0})`` for a name that is not an identifier)."""

    def __init__(self, expression: sp.Expr, symbols: Sequence[sp.Basic], names: Sequence[str], backend: str) -> None:
        self.expression, self.names, self.backend = expression, tuple(names), backend
        self.quantities = tuple(symbols)  # the SymPy symbols the names print
        self._function = lambdified([expression], list(symbols), backend)

    def __call__(self, *values: Any, **by_name: Any) -> Any:
        if len(values) == 1 and isinstance(values[0], Mapping) and not by_name:
            by_name, values = dict(values[0]), ()
        if values and by_name:
            raise SpecError("give the formula's values by position or by name, not both")
        if values:
            if len(values) != len(self.names):
                raise SpecError(
                    f"the formula takes {len(self.names)} values ({', '.join(self.names)}), got {len(values)}"
                )
            return self._function(*values)[0]
        unknown = sorted(set(by_name) - set(self.names))
        missing = [name for name in self.names if name not in by_name]
        if unknown or missing:
            what = f"no quantity {unknown[0]!r} in it" if unknown else f"it needs {', '.join(missing)}"
            raise SpecError(f"the formula is written in {', '.join(self.names) or 'no quantities'}: {what}")
        return self._function(*(by_name[name] for name in self.names))[0]

    def __repr__(self) -> str:
        return f"Formula({self.expression}; of {', '.join(self.names)}; {self.backend})"
