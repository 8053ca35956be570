"""Second derivatives: d^2 C_0 / (dw dw') by the chain rule, and the numeric Hessian of the mean cost.

The first derivative dC_0/dw is a product of factors in the intermediate quantities a, z and
the weights. Differentiating it with respect to w' follows each of those quantities: a
weighted input or an activation of a layer at or above w''s depends on w', and its
derivative with respect to w' is worked forward, layer by layer (dz/dw' from the previous
layer's da/dw', da/dw' = g'(z) dz/dw'); an activation's derivative g'(z) brings in g''(z).
``check`` holds the result to sympy.diff applied twice to the composed cost or, for a composed cost too
large to cancel, to second-order forward-mode dual numbers by a randomized identity test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..base.errors import SpecError
from ..model.network import Network
from ..model.references import Ref
from ..model.spec import Values
from ..model.symbols import A, ActivationSecondBase, W, Z
from ..prove.checks import (
    PROVEN,
    SYMBOLIC,
    UNDECIDED,
    Part,
    Proof,
    atomize,
    by_points,
    combine,
    guarded,
    points_within,
    ran_past,
    text_printer,
    too_large,
)
from ..prove.random_identity import Outcome, Point, Unknowns
from .bounds import tree_size
from .derivation import Derivation

MAX_HESSIAN_PARAMETERS = 60
SYMBOLIC_NODES = 1_000  # nodes of composed cost above which cancelling twice is not tried (docs/limits.md)


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
    d = net.derive(first)
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


def check(d2: SecondDerivation) -> Proof:
    """Prove the result against the second derivative of the composed cost, every activation an arbitrary
    function: symbolically (sympy.diff twice, the difference cancelled) when the composed cost has at most
    SYMBOLIC_NODES nodes, else by a randomized identity test against second-order forward-mode dual numbers."""
    net = d2.first.network
    nodes = tree_size(net.composed_cost())
    what, against = (
        "the second derivative",
        (
            "the second derivative of the composed cost, computed independently by second-order forward-mode dual "
            "numbers (g, g' and g'' independent unknowns at each argument)"
        ),
    )
    if nodes > SYMBOLIC_NODES:
        why = f"{too_large(nodes, 0, SYMBOLIC_NODES, 0)}, so sympy.diff twice is not cancelled symbolically"
        return combine([by_points(what, _second_outcome(d2), why, against, text_printer(net))])
    zero = guarded(lambda: _vanishes(d2))
    if zero:
        return combine(
            [
                Part(
                    PROVEN,
                    SYMBOLIC,
                    f"{what} equals sympy.diff applied twice to the composed cost: their difference cancels to 0",
                )
            ]
        )
    if zero is None:
        return combine(
            [
                Part(
                    UNDECIDED,
                    SYMBOLIC,
                    f"{what}: cancelling its difference from sympy.diff applied twice "
                    f"(a composed cost of {nodes:,} nodes) {ran_past()}",
                )
            ]
        )
    why = "cancelling the difference from sympy.diff applied twice did not reach 0"
    return combine([by_points(what, _second_outcome(d2), why, against, text_printer(net))])


def _vanishes(d2: SecondDerivation) -> bool:
    """The result minus sympy.diff twice of the composed cost (every activation generic) cancels to 0."""
    net = d2.first.network
    oracle = atomize(sp.diff(net.composed_cost(), d2.first.symbol, d2.second_symbol))
    difference = net.compose(_generic_seconds(net, d2.result)) - oracle
    return sp.expand(difference) == 0 or sp.cancel(sp.together(difference)) == 0


def _second_outcome(d2: SecondDerivation) -> Outcome:
    """The result against the mixed second derivative of the composed cost by forward mode, at random points."""
    net = d2.first.network
    mapping, cost = net.forward_map(None, False), net.cost_definition()

    def evaluate(unknowns: Unknowns) -> tuple[Any, Any]:
        point = Point(unknowns, mapping, net.compose, (d2.first.symbol, d2.second_symbol))
        derivative = point.jet(cost)[3]  # first: the result's values then reuse the forward pass's
        return point.value(d2.result), derivative

    return points_within(evaluate)


def _generic_seconds(net: Network, expr: sp.Expr) -> sp.Expr:
    """g''^(l)(u) as one applied function g_l_prime2(u), the name atomize gives SymPy's second derivatives."""
    return expr.replace(
        lambda e: isinstance(e, ActivationSecondBase),
        lambda e: sp.Function(f"g_{int(e.args[0])}_prime2")(e.args[1]),
    )


# --- the numeric Hessian ------------------------------------------------------------------------


def hessian_function(net: Network) -> Callable[..., np.ndarray]:
    """``h(values) -> H``: the Hessian of the mean cost over every weight and bias (in net.parameters() order),
    from sympy.diff twice of the composed cost, lambdified; for networks of up to MAX_HESSIAN_PARAMETERS."""
    refs = net.parameters()
    if len(refs) > MAX_HESSIAN_PARAMETERS:
        raise SpecError(f"a Hessian over {len(refs)} parameters is refused above {MAX_HESSIAN_PARAMETERS}")
    for layer in range(1, net.depth + 1):
        if net.activation(layer).generic:
            raise SpecError(f"layer {layer} uses the generic activation g, which has no numbers")
    symbols = [net.symbol(r) for r in refs]
    cost = net.composed_cost(concrete=True)
    leaves = sorted(cost.atoms(sp.Indexed) - set(symbols), key=sp.default_sort_key)
    gradient = [sp.diff(cost, s) for s in symbols]
    entries = [sp.diff(gradient[p], symbols[q]) for p in range(len(symbols)) for q in range(p, len(symbols))]
    dummies = [sp.Dummy() for _ in leaves + symbols]
    swap = dict(zip(leaves + symbols, dummies, strict=True))
    step = {  # relu's kink: its second derivative is 0 wherever it exists
        "Heaviside": lambda x, at_zero=0.5: np.heaviside(x, at_zero),
        "DiracDelta": lambda x, *order: np.zeros_like(np.asarray(x, dtype=float)),
    }
    function = sp.lambdify(dummies, [e.xreplace(swap) for e in entries], modules=[step, "numpy"], cse=True)

    def hessian(values: Values) -> np.ndarray:
        _check_values(net, values)
        n, size = values.x.shape[0], len(symbols)
        leaf_values = [_number_of(net, s, values) for s in leaves]
        params = [float(np.ravel(_number_of(net, s, values))[0]) for s in symbols]
        flat = [np.mean(np.broadcast_to(np.asarray(v, dtype=float), (n,))) for v in function(*leaf_values, *params)]
        out = np.zeros((size, size))
        out[np.triu_indices(size)] = flat
        return out + np.triu(out, 1).T

    return hessian


def _check_values(net: Network, values: object) -> None:
    """A Hessian's argument is a Values shaped for this network, as a spec's [values] table gives; else SpecError."""
    if not isinstance(values, Values):
        raise SpecError(
            f"values: expected a symbackprop.Values, such as Network(..., values={{...}}).spec.values, "
            f"got {type(values).__name__}"
        )
    given = _shapes_given(values)
    wanted = _shapes_wanted(net, int(np.shape(values.x)[0]) if np.ndim(values.x) else 0)
    if len(given) != len(wanted):
        raise SpecError(f"values: this network needs {', '.join(wanted)}; got {', '.join(given)}")
    for (name, shape), want in zip(given.items(), wanted.values(), strict=True):
        if shape != want:
            raise SpecError(f"values.{name}: must be shaped {want}, got {shape}")


def _shapes_given(values: Values) -> dict[str, tuple[int, ...]]:
    """The shape of each array in ``values``, by name: x, y, weights[0], ..., biases[0], ..."""
    shapes = {"x": np.shape(values.x), "y": np.shape(values.y)}
    shapes |= {f"weights[{i}]": np.shape(w) for i, w in enumerate(values.weights)}
    return shapes | {f"biases[{i}]": np.shape(b) for i, b in enumerate(values.biases)}


def _shapes_wanted(net: Network, samples: int) -> dict[str, tuple[int, ...]]:
    """The shape each array of a Values must have for ``net`` and this many samples."""
    layers, bias = net.layers, net.spec.bias
    shapes = {"x": (samples, layers[0]), "y": (samples, layers[-1])}
    shapes |= {f"weights[{m - 1}]": (layers[m], layers[m - 1]) for m in range(1, len(layers))}
    if bias == "none":
        return shapes
    return shapes | {f"biases[{m - 1}]": (layers[m],) if bias == "neuron" else (1,) for m in range(1, len(layers))}


def _number_of(net: Network, symbol: sp.Indexed, values: Values) -> np.ndarray | float:
    """An input, a target (one per sample) or a parameter, from the spec-shaped values."""
    base, name = net.spec.index_base, str(symbol.base)
    idx = [int(i) for i in symbol.indices]
    if name == "y":
        return values.y[:, idx[0] - base]
    if name == "a":  # only the inputs are leaves of the composed cost
        return values.x[:, idx[1] - base]
    layer, rest = idx[0], [i - base for i in idx[1:]]
    if name == "w":
        return values.weights[layer - 1][rest[0], rest[1]]
    return values.biases[layer - 1][rest[0] if rest else 0]
