"""The verbs of the Python API, each calling the stage that does the work, and the short forms users write.

The stages below know nothing of the ones above them: a ``Network`` or a ``Graph`` is data, a ``Derivation`` or
a ``GraphDerivation`` is the chain rule as data. The short forms a user writes (``net.derive(ref)``,
``graph.derive(name)``, ``d.check()``, ``d.lambdify()``, a derivation shown in Jupyter) are this package's verbs,
attached here to those classes (``networks`` for dense networks, ``graphs`` for computation graphs, ``formulas``
for both), so that the import graph shows the real dependencies: the top calls down, never the other way.
"""

from . import graphs, networks
from .formulas import lambdify
from .grading import grade
from .networks import derive, evaluate, gradient_function, hessian_function, prove

networks.attach()
graphs.attach()

__all__ = ["derive", "evaluate", "grade", "gradient_function", "hessian_function", "lambdify", "prove"]
