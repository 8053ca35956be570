"""A derivation's formula as a function of its own quantities: ``d.lambdify(backend="numpy")``.

The function is made by ``numeric.formula`` (SymPy's lambdify with the engine's σ, ReLU and step function), the
path the numbers commands take, so what it computes is what ``evaluate`` prints. A dense network's quantities
are named as its documents print them (``a_{1}^{(L)}``, ``z_{1}^{(L)}``, ``y_{1}``), a graph's by its names.

>>> import symbackprop as sbp
>>> net = sbp.Network.from_toml("example:worked")
>>> f = net.derive("w_{12}^{(L)}").lambdify()
>>> f.names
('a_{2}^{(L-1)}', 'a_{1}^{(L)}', 'y_{1}', 'z_{1}^{(L)}')
>>> numbers, y = net.evaluate(), net.spec.values.y
>>> a, z = numbers["a"], numbers["z"]
>>> gradient = f(a[1][2], a[2][1], y[0][1], z[1][1])
>>> bool(abs(gradient - numbers["grad_weights"][1][1][2]) < 1e-15)
True
"""

from __future__ import annotations

import sympy as sp

from ..base.errors import SpecError
from ..derive.derivation import Derivation
from ..derive.graph_backprop import GraphDerivation
from ..model.printing import printers
from ..numeric.formula import Formula
from ..numeric.numbers import numeric_form


def lambdify(d: Derivation | GraphDerivation, backend: str = "numpy") -> Formula:
    """``d.result`` as a ``Formula``: called with its quantities by position (in ``f.names`` order) or by name,
    computed with ``backend`` (numpy, torch or jax), arrays elementwise."""
    if isinstance(d, GraphDerivation):
        if d.wrt is None:
            raise SpecError("a derivation of every name has one formula per name: derive one name to lambdify it")
        expression = d.result
        symbols = sorted(expression.free_symbols, key=lambda s: s.name)
        return Formula(expression, symbols, [s.name for s in symbols], backend)
    expression = numeric_form(d.network, d.result)
    quantities = sorted(expression.atoms(sp.Indexed), key=sp.default_sort_key)
    tex = printers(d.network.notation, d.network.layers)[1]
    return Formula(expression, quantities, [tex.doprint(q) for q in quantities], backend)
