"""Second derivatives: d^2 C_0 / (dw dw') by the chain rule, and the numeric Hessian of the mean cost.

The first derivative dC_0/dw is a product of factors in the intermediate quantities a, z and
the weights. Differentiating it with respect to w' follows each of those quantities: a
weighted input or an activation of a layer at or above w''s depends on w', and its
derivative with respect to w' is worked forward, layer by layer (dz/dw' from the previous
layer's da/dw', da/dw' = g'(z) dz/dw'); an activation's derivative g'(z) brings in g''(z).
``check`` holds the result to sympy.diff applied twice to the composed cost or, when that would take
too long, to second-order forward-mode dual numbers at exact rational points.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from .bounds import tree_size
from .checks import ENOUGH_POINTS, RATIONAL_POINTS, RATIONAL_SECONDS, Proof, composed, within
from .derivation import Derivation
from .errors import SpecError
from .exact_points import RationalPoint, head
from .network import Network
from .references import Ref
from .spec import Values
from .symbols import A, ActivationSecondBase, SoftmaxExp, W, Z

MAX_HESSIAN_PARAMETERS = 60
SYMBOLIC_BUDGET = 5.0  # seconds for sympy.diff twice and the cancelling, before the rational points
SYMBOLIC_NODES = 1_200  # nodes of the composed cost above which cancelling twice is not tried (a 2-2-2-2-2-2 network)


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


def prove(d2: SecondDerivation) -> bool | None:
    """The result equals sympy.diff twice of the composed cost (every activation generic); None if out of time."""
    net = d2.first.network
    w1, w2 = d2.first.symbol, d2.second_symbol

    def vanishes() -> bool:
        oracle = _atomize(sp.diff(net.composed_cost(), w1, w2))
        difference = composed(net, _generic_seconds(net, d2.result)) - oracle
        return sp.expand(difference) == 0 or sp.cancel(sp.together(difference)) == 0

    try:
        return within(SYMBOLIC_BUDGET, vanishes)
    except RecursionError:
        return None


def check(d2: SecondDerivation) -> Proof:
    """Prove the result: symbolically when the composed cost is small enough to cancel, else (or when that runs
    out of time) at exact rational points by second-order forward mode, every activation an arbitrary function;
    the Proof says which, or that neither finished within its budget."""
    net = d2.first.network
    nodes = tree_size(net.composed_cost())
    zero = prove(d2) if nodes <= SYMBOLIC_NODES else None
    if zero is not None:
        return Proof(
            zero,
            "symbolic",
            "equals sympy.diff applied twice to the composed cost; the difference "
            + ("cancels to 0" if zero else "does not cancel to 0"),
        )
    agreeing, tried = _second_points(d2, RATIONAL_POINTS)
    if tried < min(ENOUGH_POINTS, RATIONAL_POINTS):
        return Proof(
            False,
            "rational points",
            f"not decided within the time budget: sympy.diff applied twice was {_symbolic_words(nodes)}, and "
            f"fewer than {ENOUGH_POINTS} exact rational points were done within {RATIONAL_SECONDS:g} s",
        )
    return Proof(
        agreeing == tried,
        "rational points",
        "equals the second derivative of the composed cost, computed independently by second-order forward-mode "
        f"dual numbers, in exact rational arithmetic at {agreeing} of {tried} random points with every "
        f"activation an arbitrary function (g, g' and g'' independent at each argument; sympy.diff applied twice "
        f"was {_symbolic_words(nodes)})",
    )


def _symbolic_words(nodes: int) -> str:
    if nodes > SYMBOLIC_NODES:
        return f"not tried, the composed cost having {nodes:,} nodes written out (over {SYMBOLIC_NODES:,})"
    return f"not cancelled within {SYMBOLIC_BUDGET:g} s"


def _second_points(d2: SecondDerivation, count: int) -> tuple[int, int]:
    """(agreeing, tried): random points, tried within RATIONAL_SECONDS, where the result equals the mixed second
    derivative of the composed cost by forward mode."""
    net = d2.first.network
    done = [0, 0]

    def run() -> None:
        cost = net.composed_cost()
        mine = composed(net, _generic_seconds(net, d2.result))
        rng = random.Random(20261124)
        for _ in range(count):
            point = _SecondPoint(rng, d2.first.symbol, d2.second_symbol)
            try:
                same = point.second(cost)[3] == point.value(mine)
            except ZeroDivisionError:
                same = False
            done[0] += same
            done[1] += 1

    within(RATIONAL_SECONDS, run)
    return done[0], done[1]


Quad = tuple[Fraction, Fraction, Fraction, Fraction]


class _SecondPoint(RationalPoint):
    """A random rational point carrying (value, d/dw, d/dw', d^2/dw dw') of each subexpression.

    g_l, g_l' and g_l'' at an argument are three independent random rationals, the same ones the
    result's g_l_prime and g_l_prime2 take at that argument; exp is its own derivative, ln's are 1/x and -1/x^2.
    """

    def __init__(self, rng: random.Random, w1: sp.Expr, w2: sp.Expr) -> None:
        super().__init__(rng)
        self.w1, self.w2 = w1, w2
        self.quads: dict[sp.Basic, Quad] = {}

    def second(self, e: sp.Basic) -> Quad:
        if e not in self.quads:
            self.quads[e] = self._second(e)
        return self.quads[e]

    def _second(self, e: sp.Basic) -> Quad:
        zero, one = Fraction(0), Fraction(1)
        if isinstance(e, sp.Rational):
            return Fraction(int(e.p), int(e.q)), zero, zero, zero
        if isinstance(e, (sp.Indexed, sp.Symbol)):
            return self.value(e), one if e == self.w1 else zero, one if e == self.w2 else zero, zero
        if isinstance(e, sp.Add):
            parts = [self.second(a) for a in e.args]
            return tuple(sum((p[i] for p in parts), zero) for i in range(4))  # type: ignore[return-value]
        if isinstance(e, sp.Mul):
            v, d1, d2, d12 = one, zero, zero, zero
            for a in e.args:
                b, b1, b2, b12 = self.second(a)
                v, d1, d2, d12 = v * b, d1 * b + v * b1, d2 * b + v * b2, d12 * b + d1 * b2 + d2 * b1 + v * b12
            return v, d1, d2, d12
        if isinstance(e, sp.Pow) and isinstance(e.exp, sp.Integer):
            x, n = self.second(e.base)[0], int(e.exp)
            return self._chain(e.base, x**n, n * x ** (n - 1), n * (n - 1) * x ** (n - 2))
        if isinstance(e, sp.log):
            x = self.second(e.args[0])[0]
            return self._chain(e.args[0], self.table("log", (x,)), 1 / x, -1 / x**2)
        if isinstance(e, (SoftmaxExp, sp.exp)):
            x = self.second(e.args[0])[0]
            f = self.table(head(e), (x,), positive=True)
            return self._chain(e.args[0], f, f, f)
        if isinstance(e, AppliedUndef) and len(e.args) == 1:
            x, name = self.second(e.args[0])[0], head(e)
            f, f1, f2 = (self.table(name + suffix, (x,)) for suffix in ("", "_prime", "_prime2"))
            return self._chain(e.args[0], f, f1, f2)
        raise TypeError(f"no second-order forward-mode rule for {type(e).__name__}")

    def _chain(self, inner: sp.Basic, f: Fraction, f1: Fraction, f2: Fraction) -> Quad:
        """f(u) with f'(u) = f1 and f''(u) = f2, by the chain rule to second order."""
        _, u1, u2, u12 = self.second(inner)
        return f, f1 * u1, f1 * u2, f2 * u1 * u2 + f1 * u12


def _generic_seconds(net: Network, expr: sp.Expr) -> sp.Expr:
    """g''^(l)(u) as one applied function g_l_prime2(u), the name _atomize gives SymPy's second derivatives."""
    return expr.replace(
        lambda e: isinstance(e, ActivationSecondBase),
        lambda e: sp.Function(f"g_{int(e.args[0])}_prime2")(e.args[1]),
    )


def _atomize(expr: sp.Expr) -> sp.Expr:
    """SymPy's Derivative(g_l(u), u) and Derivative(g_l(u), (u, 2)) as g_l_prime(u) and g_l_prime2(u)."""

    def name(derivative: sp.Derivative) -> str:
        order = sum(count for _, count in derivative.variable_count)
        return f"{derivative.expr.func.__name__}_prime" + ("2" if order == 2 else "")

    subs = {s: sp.Function(name(s.expr))(*s.point) for s in expr.atoms(sp.Subs) if isinstance(s.expr, sp.Derivative)}
    expr = expr.xreplace(subs)
    found = {
        d: sp.Function(name(d))(*d.expr.args) for d in expr.atoms(sp.Derivative) if isinstance(d.expr, AppliedUndef)
    }
    return expr.xreplace(found)


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
        n, size = values.x.shape[0], len(symbols)
        leaf_values = [_number_of(net, s, values) for s in leaves]
        params = [float(np.ravel(_number_of(net, s, values))[0]) for s in symbols]
        flat = [np.mean(np.broadcast_to(np.asarray(v, dtype=float), (n,))) for v in function(*leaf_values, *params)]
        out = np.zeros((size, size))
        out[np.triu_indices(size)] = flat
        return out + np.triu(out, 1).T

    return hessian


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
