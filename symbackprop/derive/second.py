"""Second derivatives: d^2 C_0 / (dw dw') by the chain rule.

The first derivative dC_0/dw is a product of factors in the intermediate quantities a, z and
the weights. Differentiating it with respect to w' follows each of those quantities: a
weighted input or an activation of a layer at or above w''s depends on w', and its
derivative with respect to w' is worked forward, layer by layer (dz/dw' from the previous
layer's da/dw', da/dw' = g'(z) dz/dw'); an activation's derivative g'(z) brings in g''(z).
``prove.second`` holds the result to sympy.diff applied twice to the composed cost or, for a composed cost
too large to cancel, to second-order forward-mode dual numbers by a randomized identity test.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..base.errors import SpecError
from ..model.network import Network
from ..model.references import Ref
from ..model.symbols import A, W, Z
from .derivation import Derivation, derive


@dataclass(frozen=True)
class Sensitivity:
    """One quantity s the first derivative is written in, and ds/dw' worked forward."""

    symbol: sp.Expr
    value: sp.Expr


@dataclass(frozen=True)
class SecondDerivation:
    """d^2 C_0/(d target d second): the first derivation, the forward sensitivities, the result."""

    first: Derivation
    second: Ref
    second_symbol: sp.Expr
    sensitivities: tuple[Sensitivity, ...]
    terms: tuple[tuple[sp.Expr, sp.Expr, sp.Expr], ...]  # (s, dE/ds, ds/dw') for each s that depends on w'
    result: sp.Expr


def derive_second(net: Network, first: Ref, second: Ref) -> SecondDerivation:
    """The chain rule applied to dC_0/d(first), with respect to ``second`` (a weight or bias)."""
    if second.kind not in "wb" or first.kind not in "wb":
        raise SpecError("second derivatives are taken with respect to two weights or biases")
    d = derive(net, first)
    w2 = net.symbol(second)
    forward = _forward_sensitivities(net, second, w2)
    expr = d.result
    terms, total = [], sp.Integer(0)
    for s in sorted(expr.free_symbols | expr.atoms(sp.Indexed), key=sp.default_sort_key):
        if not isinstance(s, sp.Indexed):
            continue
        ds = forward.get(s, sp.Integer(1) if s == w2 else sp.Integer(0))
        if ds == 0:
            continue
        partial = sp.diff(expr, s)
        terms.append((s, partial, ds))
        total += partial * ds
    sensitivities = tuple(Sensitivity(s, v) for s, v in forward.items())
    return SecondDerivation(d, second, w2, sensitivities, tuple(terms), total)


def _forward_sensitivities(net: Network, ref: Ref, w2: sp.Expr) -> dict[sp.Expr, sp.Expr]:
    """dz/dw' and da/dw' for every neuron of the layers at and above w''s, worked forward."""
    out: dict[sp.Expr, sp.Expr] = {}
    for layer in range(ref.layer, net.depth + 1):
        for j in net.neurons(layer):
            dz = sum(
                (W[layer, j, k] * out[A[layer - 1, k]] for k in net.neurons(layer - 1) if A[layer - 1, k] in out),
                sp.Integer(0),
            )
            if layer == ref.layer:
                dz += sp.diff(net.z_definition(layer, j), w2)
            out[Z[layer, j]] = dz
        for i in net.neurons(layer):
            if net.activation(layer).elementwise:
                out[A[layer, i]] = net.activation_prime(layer, i) * out[Z[layer, i]]
            else:
                out[A[layer, i]] = sum(
                    (net.softmax_partial(layer, i, j) * out[Z[layer, j]] for j in net.neurons(layer)), sp.Integer(0)
                )
    return {s: v for s, v in out.items() if v != 0}
