"""The derivative of one quantity of the network with respect to another, in the local symbols.

da_j/dz_j is g'(z_j), dz_j/dw_jk is a_k of the layer before, dz_j/da_k is w_jk, dC_0/da_j
comes from the cost: each quantity is differentiated through its own forward definition (z
from the weights, biases and the previous layer's a; a = g(z); C_0 from the output layer's
a), and a quantity further away by the chain rule over those, so the answer reads as the
texts write a factor of the chain: in a, z, w, y and g', never written down to the inputs.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from ..model.network import Network
from ..model.symbols import C0, A, B, W, Y, Z


def local_derivative(net: Network, of: sp.Expr, wrt: sp.Indexed) -> sp.Expr:
    """d(of)/d(wrt) for ``of`` C_0, an a or a z, and ``wrt`` a weight, bias, a or z of ``net``."""

    @cache
    def through(quantity: sp.Expr) -> sp.Expr:
        if quantity == wrt:
            return sp.Integer(1)
        if not _above(quantity, wrt):
            return sp.Integer(0)
        return sp.Add(*(step * through(part) for part, step in _steps(net, quantity)))

    return through(of)


def _steps(net: Network, quantity: sp.Expr) -> list[tuple[sp.Indexed, sp.Expr]]:
    """Each quantity one step before ``quantity`` in the forward pass, with d(quantity)/d(it)."""
    if quantity != C0 and quantity.base == A and not net.activation(int(quantity.indices[0])).elementwise:
        layer, j = (int(i) for i in quantity.indices)  # softmax: da_j/dz_i = a_j (delta_ij - a_i)
        return [(Z[layer, i], net.softmax_partial(layer, j, i)) for i in net.neurons(layer)]
    definition = _definition(net, quantity)
    parts = sorted(definition.atoms(sp.Indexed), key=sp.default_sort_key)
    return [(part, sp.diff(definition, part)) for part in parts]


def _rank(quantity: sp.Expr) -> tuple[int, int]:
    """Where a quantity stands in the forward pass: a layer's weights and biases, then its z, then its a."""
    if quantity == C0:
        return (10**9, 0)
    if quantity.base == Y:
        return (-1, 0)
    layer = int(quantity.indices[0])
    return (layer, {W: 0, B: 0, Z: 1, A: 2}[quantity.base])


def _above(quantity: sp.Expr, wrt: sp.Indexed) -> bool:
    """Whether ``quantity`` is computed after ``wrt``, so that it may depend on it."""
    return _rank(quantity) > _rank(wrt) and not (quantity.base in (W, B, Y) if quantity != C0 else False)


def _definition(net: Network, quantity: sp.Expr) -> sp.Expr:
    """The quantity's own forward definition, in the quantities one step before it."""
    if quantity == C0:
        return net.cost_definition()
    layer, j = int(quantity.indices[0]), int(quantity.indices[1])
    if quantity.base == Z:
        return net.z_definition(layer, j)
    return net.a_definition(layer, j)
