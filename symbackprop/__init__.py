"""symbackprop: backpropagation derived symbolically, proven, computed and explained.

import symbackprop as sbp
net = sbp.Network(layers=[2, 3, 2], activation="sigmoid", cost="sse", bias="neuron")
d = net.derive("w_{12}^{(L)}")
d.result, d.check(), net.evaluate()
"""

from .checks import Proof
from .derivation import Chain, Derivation, Factor
from .errors import SpecError
from .network import Network
from .numeric import GradCheck, gradcheck
from .spec import NetworkSpec, Values

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
