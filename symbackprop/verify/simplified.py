"""The right answer as a text prints it: the identity's derivative 1 left out, the output's error term of a sigmoid
with the binary cross-entropy written a_j - y_j, and of softmax with the cross-entropy too, where the spec states
that the targets sum to 1 (one-hot).

The derivation tells the chain factor by factor (dC/da_j times sigma'(z_j)); the verdict shows the answer a
student is expected to reach. Each rewrite is kept only where it is proven equal to the derivation's result (on
the targets the spec allows), so what is shown is never less right than the general form.
"""

from __future__ import annotations

import sympy as sp

from ..derive.derivation import Derivation
from ..model.network import Network
from ..model.symbols import A, ActivationPrimeBase, OrderedProduct, Y
from ..prove.assumed import decide


def simplified(d: Derivation) -> sp.Expr:
    """``d.sum_form`` with the rewrites that fit the network, if proven equal to ``d.result``; else as it is."""
    net = d.network
    shown = _rewritten(net, d.sum_form)
    if shown == d.sum_form:
        return shown
    try:
        equal = decide(net, shown.doit(), d.result, d.start).equal
    except (TypeError, ValueError, ZeroDivisionError):  # no method decides it: the general form stays
        return d.sum_form
    return shown if equal else d.sum_form


def _rewritten(net: Network, expr: sp.Expr) -> sp.Expr:
    if not expr.args or isinstance(expr, (sp.Indexed, ActivationPrimeBase)):
        if isinstance(expr, ActivationPrimeBase) and net.activation(int(expr.args[0])).name == "identity":
            return sp.S.One
        return expr
    if isinstance(expr, sp.Sum):
        delta = _softmax_error(net, expr)
        if delta is not None:
            return delta
        body = _rewritten(net, expr.function)
        if isinstance(body, OrderedProduct) and body.args[0] == -1:  # the sign in front of the sum
            return OrderedProduct(-1, sp.Sum(OrderedProduct(*body.args[1:]), *expr.limits))
        return sp.Sum(body, *expr.limits)
    args = [_rewritten(net, a) for a in expr.args]
    if isinstance(expr, OrderedProduct):
        return OrderedProduct(*_sigmoid_errors(net, args))
    if isinstance(expr, sp.Mul) and any(isinstance(a, OrderedProduct) for a in args):
        return OrderedProduct(*args)
    return expr.func(*args) if args != list(expr.args) else expr


def _sigmoid_errors(net: Network, factors: list[sp.Expr]) -> list[sp.Expr]:
    """(y/a + (y - 1)/(1 - a)) sigma'(z) of a sigmoid output with the binary cross-entropy is -(a - y)."""
    depth = net.depth
    if net.spec.cost != "binary_cross_entropy" or net.activation(depth).name != "sigmoid":
        return factors
    out: list[sp.Expr] = []
    for factor in factors:
        previous = out[-1] if out else None
        if isinstance(factor, ActivationPrimeBase) and int(factor.args[0]) == depth and previous is not None:
            j = factor.args[1].indices[1]
            a, y = A[depth, j], Y[j]
            if previous == y / a + (y - 1) / (1 - a):
                out[-1:] = [sp.S.NegativeOne, a - y]
                continue
        out.append(factor)
    return out


def _softmax_error(net: Network, total: sp.Sum) -> sp.Expr | None:
    """sum_i ([i = j] - a_j) y_i of softmax with the cross-entropy is y_j - a_j where the targets sum to 1."""
    depth = net.depth
    if net.spec.targets is None or net.spec.cost != "cross_entropy" or net.activation(depth).elementwise:
        return None
    (i, first, last), body = total.limits[0], total.function
    if len(total.limits) != 1 or (first, last) != (net.spec.index_base, net.spec.index_base + net.layers[-1] - 1):
        return None
    for delta in body.atoms(sp.KroneckerDelta):
        j = delta.args[1] if delta.args[0] == i else delta.args[0]
        if j != i and sp.expand(body - (sp.KroneckerDelta(i, j) - A[depth, j]) * Y[i]) == 0:
            return OrderedProduct(-1, A[depth, j] - Y[j])
    return None
