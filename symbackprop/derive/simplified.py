"""The result as a text simplifies it: each activation's derivative written in the activation's output, as
texts write it (sigmoid: a(1 - a), identity: 1), and the whole cancelled, when that makes it shorter.

Binary cross-entropy after a sigmoid is the textbook case: the chain's -(y/a + (y - 1)/(1 - a)) times
sigma'(z) = a(1 - a) cancels to a - y. An identity layer's derivative is 1 and drops out.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

import sympy as sp

from ..model.symbols import A, OrderedProduct
from .derivation import Derivation

MOST_OPS = 120  # operations in a result above which cancelling it is not tried (a lesson's short results)


@dataclass(frozen=True)
class Simplified:
    """The simplified result, and each activation derivative it wrote in the activation's output: (g'(z), in a)."""

    expr: sp.Expr
    used: tuple[tuple[sp.Expr, sp.Expr], ...]
    activations: tuple[str, ...]  # the names of the activations whose derivatives were written so


_FOUND: WeakKeyDictionary[Derivation, Simplified | None] = WeakKeyDictionary()


def simplified(d: Derivation) -> Simplified | None:
    """``d``'s result simplified as above, or None when that is not shorter than the result and its Σ form (or the
    result is long). Worked once for each derivation: its proof and its document both state it.

    >>> from symbackprop.model.network import Network
    >>> from symbackprop.derive.derivation import derive
    >>> net = Network(layers=[1, 1], activation="sigmoid", cost="binary_cross_entropy")
    >>> str(simplified(derive(net, "w^{(L)}")).expr)
    '(a[1, 0] - y[0])*a[0, 0]'
    """
    if d not in _FOUND:
        _FOUND[d] = _worked(d)
    return _FOUND[d]


def _worked(d: Derivation) -> Simplified | None:
    result = d.result
    if sp.count_ops(result) > MOST_OPS:
        return None
    net = d.network
    best: sp.Expr = result
    used: dict[sp.Expr, sp.Expr] = {}
    names: list[str] = []
    for layer in range(net.depth, 0, -1):  # from the output back, each layer's only where it shortens the result
        act = net.activation(layer)
        if not act.elementwise or act.prime_in_a is None:
            continue
        in_a = act.prime_in_a
        subs = {net.activation_prime(layer, j): in_a(A[layer, j]) for j in net.neurons(layer)}
        subs = {prime: value for prime, value in subs.items() if result.has(prime)}
        if not subs:
            continue
        tried = _cancelled(d, {**used, **subs})
        if sp.count_ops(tried) < sp.count_ops(best):
            best, used = tried, {**used, **subs}
            names.append(act.name)
    printed = d.sum_form.replace(lambda e: isinstance(e, OrderedProduct), lambda e: sp.Mul(*e.args))
    if not used or sp.count_ops(best) >= sp.count_ops(printed):  # not shorter than the Σ form a text prints
        return None
    return Simplified(best, tuple(used.items()), tuple(dict.fromkeys(names)))


def _cancelled(d: Derivation, subs: dict[sp.Expr, sp.Expr]) -> sp.Expr:
    """``d``'s result with ``subs`` put in, path by path: a path's own factors cancelled and factored together,
    times its hidden activation's derivative simplified the same way (kept a factor, never multiplied out)."""
    paths = []
    for chain in d.chains:
        own = [f.value.xreplace(subs) for f in chain.factors if f.deferred is None]
        deferred = [_cancelled(f.deferred, subs) for f in chain.factors if f.deferred is not None]
        paths.append(sp.Mul(*deferred, sp.factor(sp.cancel(sp.Mul(*own)))))
    return sp.Add(*paths)
