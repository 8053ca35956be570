"""symbackprop: backpropagation derived symbolically, proven, computed and explained.

import symbackprop as sbp
net = sbp.Network(layers=[2, 3, 2], activation="sigmoid", cost="sse", bias="neuron")
d = net.derive("w_{12}^{(L)}")
d.result, d.check(), net.evaluate()
"""

from .base.errors import SpecError
from .derive.derivation import Chain, Derivation, Factor
from .model.network import Network
from .model.spec import NetworkSpec, Values
from .numeric.numbers import GradCheck, gradcheck
from .prove.checks import Proof

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
    "gradcheck",
]
__version__ = "0.1.0"
