"""A graph evaluated at one point by forward mode: every node's value and its derivative along a direction,
computed node by node in graph order, independently of the backward pass that is being checked.

The same walk runs on two kinds of numbers. ``Exact`` points take the unknowns of the randomized identity test
(``random_identity``): every leaf, and every function's value at each distinct argument value, is an unknown
integer, so agreement at random points proves an identity for every function alike. ``Real`` points take real
numbers to 50 digits with each function its true value, for what exact points cannot hold (a power such as
x^{1/2}, which SymPy merges with x^{1/2} into x) and to show a difference as numbers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy as sp

from ..base.trees import fold
from ..derive.graph_backprop import GraphDerivation, Upstream
from ..model.graph import Graph
from ..model.graph_functions import indicator, maxgate, relu, sigmoid
from .points import product_of, sum_of
from .random_identity import Unknowns

DIGITS = 50
HUGE = mpmath.mpf(10) ** 100  # past this, a value at a real point is not worked with: another point is drawn


class NotExact(TypeError):
    """A part exact points have no value for (a power with an exponent that is not an integer)."""


class Exact:
    """Arithmetic on the identity test's unknowns: functions are unknowns per argument value."""

    def __init__(self, unknowns: Unknowns) -> None:
        self.unknowns = unknowns

    def number(self, e: sp.Rational) -> Any:
        return self.unknowns.number(int(e.p), int(e.q))

    def leaf(self, symbol: sp.Symbol) -> Any:
        return self.unknowns.unknown(("symbol", symbol))

    def direction(self, symbol: sp.Symbol) -> Any:
        return self.unknowns.unknown(("direction", symbol))

    def constant(self, e: sp.Basic) -> Any:
        return self.unknowns.unknown((type(e).__name__, ()))

    def apply(self, e: sp.Basic, args: tuple[Any, ...]) -> Any:
        return self.unknowns.unknown((type(e).__name__, args))  # for degree bounds, args are told apart by identity

    def power(self, base: Any, e: sp.Pow) -> Any:
        if not e.exp.is_Integer:
            raise NotExact(f"{e} has an exponent that is not an integer")
        return base ** int(e.exp)


class Real:
    """Arithmetic on real numbers to ``DIGITS`` digits, each function its true value."""

    def __init__(self, leaves: Mapping[sp.Symbol, mpmath.mpf], directions: Mapping[sp.Symbol, mpmath.mpf]) -> None:
        self.leaves, self.directions = leaves, directions

    def number(self, e: sp.Rational) -> mpmath.mpf:
        return mpmath.mpf(int(e.p)) / int(e.q)

    def leaf(self, symbol: sp.Symbol) -> mpmath.mpf:
        return self.leaves[symbol]

    def direction(self, symbol: sp.Symbol) -> mpmath.mpf:
        return self.directions[symbol]

    def constant(self, e: sp.Basic) -> mpmath.mpf:
        return mpmath.mpf(sp.N(e, DIGITS + 10))

    def apply(self, e: sp.Basic, args: tuple[Any, ...]) -> mpmath.mpf:
        function = REAL.get(type(e))
        if function is None:
            raise NotExact(f"no real value for {type(e).__name__}")
        if any(abs(mpmath.mpf(a)) > HUGE for a in args):  # exp(e^(e^x)) at x = 2 has 10^702 digits: not this point
            raise OverflowError
        return function(*args)

    def power(self, base: mpmath.mpf, e: sp.Pow) -> mpmath.mpf:
        if e.exp.is_Integer:
            return base ** int(e.exp)
        if base < 0:
            raise ZeroDivisionError  # a real power of a negative number: no real value here
        return mpmath.power(base, self.number(e.exp))


def _step(x: mpmath.mpf, at_zero: mpmath.mpf | None = None) -> mpmath.mpf:
    """Heaviside's step, its value at 0 as written (1/2 when none is)."""
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0) if x < 0 else mpmath.mpf(0.5) if at_zero is None else at_zero


REAL: dict[type, Callable[..., mpmath.mpf]] = {
    sigmoid: lambda x: 1 / (1 + mpmath.exp(-x)),
    relu: lambda x: max(x, mpmath.mpf(0)),
    sp.tanh: mpmath.tanh,
    sp.exp: mpmath.exp,
    sp.log: lambda x: mpmath.log(x) if x > 0 else _undefined(),
    sp.Abs: abs,
    sp.sign: lambda x: mpmath.sign(x),
    sp.Heaviside: _step,
    sp.Max: lambda *xs: max(xs),
    maxgate: max,
    indicator: lambda p, q: mpmath.mpf(1) if p == q else mpmath.mpf(0),
    sp.Min: lambda *xs: min(xs),
}


def _undefined() -> mpmath.mpf:
    raise ZeroDivisionError


class GraphPoint:
    """Forward mode over a graph: each name's value and its derivative along the leaves' directions (1 for one
    leaf and 0 for the rest, or a direction per leaf to check every gradient at once)."""

    def __init__(self, graph: Graph, numbers: Exact | Real, along: Callable[[sp.Symbol], Any]) -> None:
        self.numbers = numbers
        self.zero, self.one = numbers.number(sp.Integer(0)), numbers.number(sp.Integer(1))
        self.jets: dict[sp.Basic, tuple[Any, Any]] = {}  # every subexpression's (value, slope), shared
        for name in graph.leaves:
            symbol = graph.symbols[name]
            self.jets[symbol] = (numbers.leaf(symbol), along(symbol))
        for node in graph.nodes:  # in order: a node's inputs are known when it is reached
            self.jets[node.symbol] = fold(node.expression, self._jet, self.jets, _parts)
        self.values = {symbol: jet[0] for symbol, jet in self.jets.items() if isinstance(symbol, sp.Symbol)}

    def slope(self, symbol: sp.Symbol) -> Any:
        return self.jets[symbol][1]

    def value(self, e: sp.Basic) -> Any:
        """The value of an expression in the graph's names and in the symbols ``know`` was told of."""
        return fold(e, self._value, self.values, _parts)

    def know(self, symbol: sp.Symbol, value: Any) -> None:
        """A symbol outside the graph (an upstream gradient) and its value."""
        self.values[symbol] = value

    def _jet(self, e: sp.Basic, args: list[tuple[Any, Any]]) -> tuple[Any, Any]:
        if isinstance(e, sp.Rational):
            return self.numbers.number(e), self.zero
        if isinstance(e, sp.NumberSymbol):
            return self.numbers.constant(e), self.zero
        if isinstance(e, sp.Symbol):
            raise KeyError(f"{e} has no value at this point")
        if isinstance(e, sp.Add):
            return sum_of(a[0] for a in args), sum_of(a[1] for a in args)
        if isinstance(e, sp.Mul):
            value, slope = args[0]
            for v, s in args[1:]:
                value, slope = value * v, slope * v + s * value
            return value, slope
        if isinstance(e, sp.Pow):
            (base, slope), _ = args
            lower = sp.Pow(e.base, e.exp - 1, evaluate=False)
            rest = self.numbers.power(base, lower) if e.exp != 1 else self.one
            return self.numbers.power(base, e), slope * self.numbers.number(sp.Rational(e.exp)) * rest
        return self._applied(e, args)

    def _applied(self, e: sp.Basic, args: list[tuple[Any, Any]]) -> tuple[Any, Any]:
        """f(u, v, ...): its value, and by the chain rule sum_i df/du_i (evaluated here) times u_i's slope."""
        values = tuple(a[0] for a in args)
        slope = self.zero
        for i, (_, s) in enumerate(args):
            partial = _partial(type(e), len(args), i)  # in dummies for the arguments
            bound = dict(zip(_DUMMIES, values, strict=False))
            slope = slope + s * fold(partial, self._value, bound, _parts)
        return self.numbers.apply(e, values), slope

    def _value(self, e: sp.Basic, args: list[Any]) -> Any:
        """A value alone, for a function's derivative evaluated at its arguments."""
        if isinstance(e, sp.Rational):
            return self.numbers.number(e)
        if isinstance(e, sp.NumberSymbol):
            return self.numbers.constant(e)
        if isinstance(e, sp.Symbol):
            raise KeyError(f"{e} has no value at this point")
        if isinstance(e, sp.Add):
            return sum_of(args)
        if isinstance(e, sp.Mul):
            return product_of(args)
        if isinstance(e, sp.Pow):
            return self.numbers.power(args[0], e)
        return self.numbers.apply(e, tuple(args))


_DUMMIES = sp.symbols("u0:4", real=True)


def _partial(function: type, count: int, index: int) -> sp.Expr:
    """The derivative of a function of ``count`` arguments by its ``index``-th, in ``_DUMMIES``: SymPy's rule for
    one function. The chain rule through the graph is what is checked, not the table of derivatives."""
    key = (function, count, index)
    if key not in _PARTIALS:
        arguments = _DUMMIES[:count]
        _PARTIALS[key] = sp.diff(function(*arguments), arguments[index])
    return _PARTIALS[key]


_PARTIALS: dict[tuple[type, int, int], sp.Expr] = {}


def _parts(e: sp.Basic) -> tuple[sp.Basic, ...]:
    return () if isinstance(e, (sp.Symbol, sp.Number, sp.NumberSymbol)) else e.args


def backward_values(point: GraphPoint, d: GraphDerivation) -> dict[str, Any]:
    """Each step of the backward pass evaluated at the point, in order: its upstream gradients are known by then."""
    out = {}
    for step in d.steps:
        out[step.name] = point.value(step.formula)
        point.know(Upstream(step.name, d.output), out[step.name])
    return out


def real_point(graph: Graph, seed: int, scale: float = 1.0) -> tuple[dict[sp.Symbol, mpmath.mpf], dict]:
    """Leaves drawn uniformly from [-scale, scale], or (odd seeds) within 1% of the spec's own values, which seed 0
    takes as they are; directions from [-1, 1]."""
    rng = random.Random(seed)
    with mpmath.workdps(DIGITS):
        if seed == 0 and graph.values is not None:
            leaves = {graph.symbols[k]: mpmath.mpf(repr(v)) for k, v in graph.values.items() if math.isfinite(v)}
        elif seed % 2 and graph.values is not None and all(math.isfinite(v) for v in graph.values.values()):
            # near the spec's values, within 1% of each: where a graph of logs and roots is defined when far
            # from them it may not be
            leaves = {
                graph.symbols[k]: mpmath.mpf(v) * (1 + mpmath.mpf(rng.uniform(-0.01, 0.01))) + rng.uniform(-1e-3, 1e-3)
                for k, v in graph.values.items()
            }
        else:
            leaves = {graph.symbols[k]: mpmath.mpf(rng.uniform(-scale, scale)) for k in graph.leaves}
        directions = {graph.symbols[k]: mpmath.mpf(rng.uniform(-1, 1)) for k in graph.leaves}
    return leaves, directions
