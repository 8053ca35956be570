"""symbackprop: backpropagation derived symbolically, proven, computed and explained.

>>> import symbackprop as sbp
>>> net = sbp.Network(layers=[2, 3, 2], activation="sigmoid", cost="sse", bias="neuron")
>>> d = net.derive("w_{12}^{(L)}")
>>> print(d.result)
2*(a[2, 1] - y[1])*sigmoid_prime(2, z[2, 1])*a[1, 2]
>>> d.check().verdict
'proven'

The package is one pipeline, one way down (docs/architecture.md): ``base``, ``model``, ``derive``, ``numeric``,
``prove``, ``verify`` and ``codegen``, ``render``, then ``documents``, ``api`` and ``cli``.
"""

from .api import derive, evaluate, gradient_function, hessian_function, prove
from .base.errors import SpecError
from .derive.derivation import Chain, Derivation, Factor
from .model.network import Network
from .model.spec import NetworkSpec, Values
from .numeric.numbers import GradCheck, gradcheck
from .prove.proof import Proof

__all__ = [
    "Chain",
    "Derivation",
    "Factor",
    "GradCheck",
    "Network",
    "NetworkSpec",
    "Proof",
    "SpecError",
    "Values",
    "derive",
    "evaluate",
    "gradcheck",
    "gradient_function",
    "hessian_function",
    "prove",
]
__version__ = "0.1.0"
