"""symbackprop: backpropagation derived symbolically, proven, computed and explained.

>>> import symbackprop as sbp
>>> net = sbp.Network(layers=[2, 3, 2], activation="sigmoid", cost="sse", bias="neuron")
>>> d = net.derive("w_{12}^{(L)}")
>>> print(d.result)
2*(a[2, 1] - y[1])*sigmoid_prime(2, z[2, 1])*a[1, 2]
>>> d.check().verdict
'proven'

The package is one pipeline, one way down (docs/architecture.md): ``base``, ``model``, ``derive``, ``numeric``,
``prove``, ``verify`` and ``codegen``, ``grade``, ``render``, then ``documents``, ``api`` and ``cli``.

A computation graph, in the micrograd spirit:

>>> g = sbp.GraphBuilder()
>>> x, w = g.inputs(x=2.0, w=-3.0)
>>> s = g.node("s", w * x)
>>> o = g.node("o", sbp.sigmoid(s))
>>> d = g.graph().derive("w")
>>> d.result
x*(1 - sigmoid(s))*sigmoid(s)
>>> round(float(d.lambdify()(s=-6.0, x=2.0)), 6)
0.004933
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers; at run time each name is imported when first used (``__getattr__``)
    from .api import derive, evaluate, grade, gradient_function, hessian_function, lambdify, prove
    from .base.errors import SpecError
    from .derive.derivation import Chain, Derivation, Factor
    from .derive.graph_backprop import GraphDerivation
    from .model.graph import Graph
    from .model.graph_builder import GraphBuilder, relu, sigmoid
    from .model.network import Network
    from .model.spec import NetworkSpec, Values
    from .numeric.numbers import GradCheck, gradcheck
    from .prove.proof import Proof

# Where each public name lives. Importing the package imports none of them, so that the command line starts
# without SymPy, NumPy or Jinja2 (``symbackprop --help`` and a usage error need none); ``api`` is imported with
# the first name asked for, since it gives the model's classes their short forms (net.derive, d.check, ...).
_HOMES = {
    "derive": "api",
    "evaluate": "api",
    "grade": "api",
    "gradient_function": "api",
    "hessian_function": "api",
    "lambdify": "api",
    "prove": "api",
    "SpecError": "base.errors",
    "Chain": "derive.derivation",
    "Derivation": "derive.derivation",
    "Factor": "derive.derivation",
    "GraphDerivation": "derive.graph_backprop",
    "Graph": "model.graph",
    "GraphBuilder": "model.graph_builder",
    "relu": "model.graph_builder",
    "sigmoid": "model.graph_builder",
    "Network": "model.network",
    "NetworkSpec": "model.spec",
    "Values": "model.spec",
    "GradCheck": "numeric.numbers",
    "gradcheck": "numeric.numbers",
    "Proof": "prove.proof",
}


def __getattr__(name: str) -> Any:
    """A public name, imported on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'symbackprop' has no attribute {name!r}")
    importlib.import_module(".api", __name__)  # the short forms on the model's classes come with any name
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


class _Package(types.ModuleType):
    """The package, whose ``derive`` and ``prove`` are the API's functions: importing the stages of the same
    names (``symbackprop.derive``, ``symbackprop.prove``) would otherwise set the package's attributes to those
    subpackages, which stay reachable as modules (``import symbackprop.derive.derivation``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if _HOMES.get(name) == "api" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "Chain",
    "Derivation",
    "Factor",
    "GradCheck",
    "Graph",
    "GraphBuilder",
    "GraphDerivation",
    "Network",
    "NetworkSpec",
    "Proof",
    "SpecError",
    "Values",
    "derive",
    "evaluate",
    "gradcheck",
    "grade",
    "gradient_function",
    "hessian_function",
    "lambdify",
    "prove",
    "relu",
    "sigmoid",
]
__version__ = "0.1.0"
