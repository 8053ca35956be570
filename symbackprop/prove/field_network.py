"""Claims on large networks: decided at random points modulo P with the forward pass worked out in numbers.

Composing a claim down to a 784-16-10 network's inputs and parameters writes a tree of 1.5 million nodes that
SymPy then has to walk, cancel and evaluate, which takes minutes. The claim and the right answer need none of
that: both are small expressions in the network's quantities (a, z, w, b, y and g'), and the quantities have
values at a point. So the point's inputs, parameters and targets are random residues modulo the prime P of
``field``, the forward pass is worked out layer by layer in that arithmetic (each z a dot product, each a its
activation), and the two small expressions are evaluated there; each point costs one forward pass, about one
multiplication per weight.

How a function gets its value at a point (``FieldPoint``):

- "generic": each elementwise layer's activation is an arbitrary function: g_l(u), g_l'(u), g_l''(u) are
  unknowns of their own for each value of u, so a claim found equal holds for every activation (softmax stays
  softmax);
- "concrete": the catalogue's own formulas, with exp(u) an unknown per value of u (exp(-u) its inverse, exp of a
  sum the product of each term's, an integer multiple a power), tanh (E^2 - 1)/(E^2 + 1), ln an unknown per
  value. Branches (relu's step, max) have no value modulo P: ``Unsupported``, and the claim is not decided.

Both sides are then rational functions of the unknowns; if they differ, by the Schwartz-Zippel lemma each point
agrees with probability at most d / P, d the degree bound the same arithmetic on ``Degrees`` gives (each
function application counted as an unknown of its own, which only raises the bound). The statement gives the
points and the bound. Agreement is evidence of a right claim, never of a wrong one: a disagreement here makes a
claim incorrect only once a real point (``real_difference``: the forward pass in floats, the two sides to 30
digits) shows the numbers differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..base.trees import largest_expansion, tree_size
from ..model.network import Network
from ..model.references import Ref
from ..model.symbols import A, ActivationBase, ActivationPrimeBase, ActivationSecondBase, B, SoftmaxExp, W, Y, Z
from ..numeric import numbers as numeric
from .field import Residue
from .points import product_of, sum_of
from .random_identity import POINTS, Outcome, Unknowns, identity_test
from .real_points import Unsupported

LARGE_PARAMETERS = 200  # above, a claim is decided here (composing it for SymPy takes long): verify's old limit
LARGE_NODES = 3_000  # or above this many nodes of the cost composed over every layer
EXP_TERMS = 1_000  # terms of an exp's argument multiplied out, past which it is taken as written
Given = Mapping[sp.Expr, sp.Expr]
_U = sp.Dummy("u")  # where an activation's formula takes its argument
# A point's forward pass, by the random state it starts from: a diagnosis tries dozens of formulas at the same
# points (the seed is fixed), and the forward pass is nearly all of a point's work. Plain data, bounded in count.
_FORWARD: dict[tuple, tuple] = {}
_LARGE: dict[int, tuple[Network, bool]] = {}
MAX_KEPT = 64
MAX_KEPT_VALUES = 2_000_000  # values kept in all (about 300 MB): 13 points of 784-128-64-10's 109,386 parameters
_KEPT = [0]


def is_large(net: Network) -> bool:
    """Whether claims on ``net`` are decided here, by the network's size alone (so the same claim is always
    decided the same way): its weights and biases, then (cheap only below that) its composed cost's nodes."""
    kept = _LARGE.get(id(net))
    if kept is not None and kept[0] is net:  # asked once per formula a diagnosis tries
        return kept[1]
    layers, bias = net.layers, net.spec.bias
    weights = sum(n * m for n, m in zip(layers[1:], layers, strict=False))
    count = weights + {"neuron": sum(layers[1:]), "layer": len(layers) - 1, "none": 0}[bias]
    large = count > LARGE_PARAMETERS or tree_size(net.composed_cost()) > LARGE_NODES
    if len(_LARGE) >= MAX_KEPT:
        _LARGE.clear()
    _LARGE[id(net)] = (net, large)
    return large


class FieldPoint:
    """The values of a network's quantities, and of expressions in them, at one random point (residues modulo P,
    or ``Degrees`` for the bound). ``start``: that layer's a's (or z's) are unknowns of their own, as a
    derivative with respect to one of them takes them; ``given``: targets written in others (one-hot, sum to 1)."""

    def __init__(self, net: Network, unknowns: Unknowns, mode: str, start: Ref | None, given: Given | None) -> None:
        self.net, self.unknowns, self.mode, self.start = net, unknowns, mode, start
        self.given = dict(given or {})
        self.exact = unknowns.exact
        self.memo: dict[sp.Basic, Any] = {}
        self.a: dict[tuple[int, int], Any] = {}
        self.z: dict[tuple[int, int], Any] = {}
        self.fresh = 0
        if not self.exact:
            self._forward()
            return
        key = (id(net), mode, start, frozenset(self.given.items()), unknowns.rng.getstate())
        kept = _FORWARD.get(key)
        if kept is not None and kept[0] is net:  # this point's forward pass, worked out for an earlier formula
            _, values, state, self.a, self.z = kept
            unknowns.values.update(values)
            unknowns.rng.setstate(state)
            return
        self._forward()
        if len(_FORWARD) >= MAX_KEPT or _KEPT[0] + len(unknowns.values) > MAX_KEPT_VALUES:
            _FORWARD.clear()
            _KEPT[0] = 0
        _FORWARD[key] = (net, dict(unknowns.values), unknowns.rng.getstate(), self.a, self.z)
        _KEPT[0] += len(unknowns.values) + len(self.a) + len(self.z)

    # --- the forward pass --------------------------------------------------------------------------------

    def _forward(self) -> None:
        net, base = self.net, self.net.spec.index_base
        first = 1 if self.start is None or self.start.kind not in "az" else self.start.layer
        below = first - 1
        for k in net.neurons(below):
            self.a[below, k] = self.leaf(A[below, k])
        for layer in range(first, net.depth + 1):
            free_a = self.start is not None and self.start.kind == "a" and layer == self.start.layer
            free_z = self.start is not None and self.start.kind == "z" and layer == self.start.layer
            if free_a:
                for j in net.neurons(layer):
                    self.a[layer, j] = self.leaf(A[layer, j])
                continue
            for j in net.neurons(layer):
                self.z[layer, j] = self.leaf(Z[layer, j]) if free_z else self._weighted(layer, j, base)
            self._activate(layer)

    def _weighted(self, layer: int, j: int, base: int) -> Any:
        inputs = [self.a[layer - 1, k] for k in self.net.neurons(layer - 1)]
        unknown = self.unknowns.unknown
        weights = [unknown(("leaf", ("w", layer, j, k))) for k in self.net.neurons(layer - 1)]
        bias = self.net.bias_symbol(layer, j)
        if self.exact:
            total = sum(w.v * x.v for w, x in zip(weights, inputs, strict=True))
            return Residue(total + (self.leaf(bias).v if bias is not None else 0))
        total = self.unknowns.number(0)
        for w, x in zip(weights, inputs, strict=True):
            total = total + w * x
        return total + self.leaf(bias) if bias is not None else total

    def _activate(self, layer: int) -> None:
        act, neurons = self.net.activation(layer), self.net.neurons(layer)
        if not act.elementwise:  # softmax
            exps = {j: self._softmax_exp(layer, j) for j in neurons}
            total = sum_of(exps.values())
            for j in neurons:
                self.a[layer, j] = exps[j] / total
            return
        for j in neurons:
            self.a[layer, j] = self.activation(layer, 0, self.z[layer, j])

    # --- values ------------------------------------------------------------------------------------------

    def leaf(self, symbol: sp.Expr) -> Any:
        """An input's, parameter's or target's value (a target in ``given`` as given)."""
        if symbol in self.given:
            return self.value(self.given[symbol])
        key = (symbol.base.label.name, *(int(i) for i in symbol.indices)) if isinstance(symbol, sp.Indexed) else symbol
        return self.unknowns.unknown(("leaf", key))  # not "symbol": a witness lists none of these thousands

    def unknown(self, name: str, at: Any) -> Any:
        """f(u) for an unknown function f: one unknown per value of u (for the bound, a new one each time)."""
        if not self.exact:
            self.fresh += 1
            return self.unknowns.unknown((name, self.fresh))
        return self.unknowns.unknown((name, at.v))

    def exp_value(self, at: Any) -> Any:
        """exp(u) for the value of u: an unknown, nonzero (a draw of 0 makes the point undefined, passed over)."""
        if self.exact and at.v == 0:
            return self.unknowns.number(1)
        value = self.unknown("exp", at)
        if self.exact and value.v == 0:
            raise ZeroDivisionError("exp drawn as 0")
        return value

    def activation(self, layer: int, order: int, at: Any) -> Any:
        """Layer ``layer``'s activation (order 0), or its derivative (1, 2), at the value ``at``."""
        act = self.net.activation(layer)
        if self.mode == "generic" or act.form is None:
            return self.unknown(f"g_{layer}" + ("", "_prime", "_prime2")[order], at)
        return _Bound(self, at).value(_formula(self.net.spec.activations[layer - 1], order))

    def value(self, e: sp.Basic) -> Any:
        if e not in self.memo:
            self.memo[e] = self._compute(e)
        return self.memo[e]

    def _compute(self, e: sp.Basic) -> Any:
        numbers = self.unknowns.number
        if isinstance(e, sp.Rational):
            return numbers(int(e.p), int(e.q))
        if isinstance(e, sp.Indexed):
            return self._indexed(e)
        if isinstance(e, sp.Symbol):
            return self.leaf(e)
        if isinstance(e, sp.Add):
            return sum_of(self.value(a) for a in e.args)
        if isinstance(e, sp.Mul):
            return product_of(self.value(a) for a in e.args)
        if isinstance(e, sp.Pow) and e.exp.is_Integer:
            return self.value(e.base) ** int(e.exp)
        if e == sp.E:
            return self.exp_of(sp.Integer(1))
        if isinstance(e, (sp.exp, SoftmaxExp)):
            return self.exp_of(e.args[0])
        if isinstance(e, sp.Pow) and e.base == sp.E:
            return self.exp_of(e.exp)
        if isinstance(e, sp.tanh):
            square = self.exp_of(2 * e.args[0])
            return (square - 1) / (square + 1)
        for kind, order in ((ActivationBase, 0), (ActivationPrimeBase, 1), (ActivationSecondBase, 2)):
            if isinstance(e, kind):
                return self.activation(int(e.args[0]), order, self.value(e.args[1]))
        if isinstance(e, sp.log) or (isinstance(e, sp.Function) and not e.is_Piecewise and len(e.args) == 1):
            if isinstance(e, (sp.Abs, sp.sign, sp.Heaviside)):
                raise Unsupported(f"{type(e).__name__} has no value modulo P")
            return self.unknown(type(e).__name__, self.value(e.args[0]))
        raise Unsupported(f"no value modulo P for {type(e).__name__}")

    def _indexed(self, e: sp.Indexed) -> Any:
        key = tuple(int(i) for i in e.indices)
        if e.base == A and key in self.a:
            return self.a[key]
        if e.base == Z and key in self.z:
            return self.z[key]
        return self.leaf(e)  # a parameter, a target, or an a or z below where the derivative starts

    def _softmax_exp(self, layer: int, j: int) -> Any:
        """exp(z_j) of a softmax layer. Where z_j is worked out from its definition, exp of that definition, term
        by term, as ``exp_of`` takes it: SymPy's composed cost writes exp(w a + ... + b) where a claim writes
        exp(z), and the two must be the same unknowns for a right claim to be found equal."""
        if (layer, j) in self._defined_softmax():
            return self.exp_of(self.net.z_definition(layer, j))
        return self.exp_value(self.z[layer, j])

    def _defined_softmax(self) -> frozenset[tuple[int, int]]:
        """The (layer, j) of each softmax layer's z worked out from its definition (not an unknown of its own, as
        the z's and a's of the layer a derivative starts at, and those below it, are)."""
        net, start = self.net, self.start
        below = start.layer if start is not None and start.kind in "az" else 0
        return frozenset(
            (layer, j)
            for layer in range(below + 1, net.depth + 1)
            if not net.activation(layer).elementwise
            for j in net.neurons(layer)
        )

    def exp_of(self, argument: sp.Expr) -> Any:
        """exp of a sum: the product of each term's exp, an integer multiple a power (exp(-z) = 1/exp(z)); a
        softmax layer's z written out as its definition first, as its forward pass takes it (``_softmax_exp``)."""
        defined = self._defined_softmax()
        swaps = {
            s: self.net.z_definition(*key)
            for s in argument.atoms(sp.Indexed)
            if s.base == Z and (key := (int(s.indices[0]), int(s.indices[1]))) in defined
        }
        argument = argument.xreplace(swaps) if swaps else argument
        if largest_expansion(argument, EXP_TERMS) <= EXP_TERMS:
            argument = sp.expand_mul(argument)
        product = self.unknowns.number(1)
        for term in sp.Add.make_args(argument):
            coeff, monomial = term.as_coeff_Mul()
            if isinstance(coeff, sp.Integer) and coeff != 0:
                product = product * self.exp_value(self.value(monomial)) ** int(coeff)
            else:
                product = product * self.exp_value(self.value(term))
        return product


class _Bound(FieldPoint):
    """An activation's formula evaluated with its argument at a value: the point's unknowns, its own memo."""

    def __init__(self, outer: FieldPoint, at: Any) -> None:  # no forward pass: the outer point's is used
        self.__dict__.update(outer.__dict__)
        self.memo = {_U: at}
        self.outer = outer

    def unknown(self, name: str, at: Any) -> Any:
        return self.outer.unknown(name, at)


@cache
def _formula(name: str, order: int) -> sp.Expr:
    from ..model.activations import activation

    act = activation(name)
    form = act.form(_U) if act.form is not None else _U
    return sp.diff(form, _U, order) if order else form


def identity(
    net: Network,
    claim: sp.Expr,
    expected: sp.Expr,
    start: Ref | None,
    mode: str,
    given: Given | None,
    count: int,
    bound: bool = True,
) -> Outcome:
    """The randomized identity test of ``claim`` against ``expected`` at ``count`` points modulo P (``bound``: with
    the degree bound, which a verdict states and a diagnosis's quick test does without)."""

    def evaluate(unknowns: Unknowns) -> tuple[Any, Any]:
        point = FieldPoint(net, unknowns, mode, start, given)
        return point.value(claim), point.value(expected)

    return identity_test(evaluate, count, bound=bound)


def stated(outcome: Outcome) -> str:
    """The points and the chance of error, in words for a verdict."""
    chance = "0" if outcome.degree <= 0 else f"10^{outcome.exponent}"
    skipped = f" ({outcome.skipped} points where a division was by 0 were passed over)" if outcome.skipped else ""
    return (
        f"decided at {outcome.points} random points modulo p = 2^61 - 1, the forward pass worked out at each{skipped}; "
        f"the difference's numerator has degree at most {outcome.degree:,}, so a wrong claim passes with "
        f"probability at most ({outcome.degree:,}/p)^{outcome.points}, below {chance}"
    )


def field_decision(
    net: Network, claim: sp.Expr, expected: sp.Expr, start: Ref | None, given: Given | None
) -> tuple[bool, str]:
    """Whether ``claim`` equals ``expected`` on a large network, and how that was shown: first with every
    elementwise activation an arbitrary function, then with the network's own."""
    outcome: Outcome | None = None
    try:
        outcome = identity(net, claim, expected, start, "generic", given, POINTS)
        if outcome.verdict == "proven":
            return True, f"equal with every activation an arbitrary function g (softmax as it is): {stated(outcome)}"
    except Unsupported:  # a branch the claim writes: the network's own activations, or real points, decide
        pass
    if any(not net.activation(k).generic for k in range(1, net.depth + 1)):
        try:
            outcome = identity(net, claim, expected, start, "concrete", given, POINTS)
        except Unsupported:  # a branch (relu's step): real points alone can show the claim wrong
            if real_difference(net, claim, expected) is None:
                raise
            return False, "not equal: their values differ at a real point"
        if outcome.verdict == "proven":
            return True, f"equal for this network's activations: {stated(outcome)}"
    if outcome is None or outcome.verdict == "undecided":
        raise Unsupported(outcome.reason if outcome is not None else "a branch has no value modulo p")
    return False, "not equal as functions of the parameters, inputs and targets, at random points modulo p"


def field_same(net: Network, first: sp.Expr, second: sp.Expr, start: Ref | None, given: Given | None) -> bool:
    """A quick test for diagnoses on a large network: equal at 8 points modulo P, the network's activations."""
    try:
        return identity(net, first, second, start, "concrete", given, 8, bound=False).verdict == "proven"
    except Unsupported:  # relu's step has no value modulo P: equal for every activation, then
        return identity(net, first, second, start, "generic", given, 8, bound=False).verdict == "proven"


# --- real points: the counterexample a large network's wrong claim is shown with ----------------------------


def real_values(net: Network, seed: int, free: bool = False) -> tuple[dict[sp.Expr, float], numeric.Values]:
    """A random point of the values the spec allows (one-hot targets where it says so) and its forward pass
    in floats: every a, z, w, b, y and input by symbol. ``free``: targets that need not sum to 1 (for a spec that
    assumes nothing of them, against claims that quietly assume they do)."""
    values = numeric.random_values(net, samples=1, seed=seed)
    if free:
        values = replace(values, y=np.random.default_rng(seed).uniform(0.05, 0.95, values.y.shape))
    fwd = numeric.forward(net, values)
    base, out = net.spec.index_base, {}
    for layer in range(net.depth + 1):
        out.update({A[layer, j + base]: float(v) for j, v in enumerate(fwd.a[layer][0])})
    for layer in range(1, net.depth + 1):
        out.update({Z[layer, j + base]: float(v) for j, v in enumerate(fwd.z[layer - 1][0])})
        w = values.weights[layer - 1]
        out.update({W[layer, j + base, k + base]: float(w[j, k]) for j in range(w.shape[0]) for k in range(w.shape[1])})
        if net.spec.bias == "neuron":
            out.update({B[layer, j + base]: float(v) for j, v in enumerate(values.biases[layer - 1])})
        elif net.spec.bias == "layer":
            out[B[layer]] = float(values.biases[layer - 1][0])
    out.update({Y[j + base]: float(v) for j, v in enumerate(values.y[0])})
    return out, values


def real_value(net: Network, expr: sp.Expr, at: Mapping[sp.Expr, float]) -> float | None:
    """``expr`` (in a, z, w, b, y and g') at the float point ``at``, to 30 digits; None where it has no value."""

    def activation(e: sp.Basic) -> sp.Expr:
        layer, arg = int(e.args[0]), e.args[1]
        order = 0 if isinstance(e, ActivationBase) else 1 if isinstance(e, ActivationPrimeBase) else 2
        name = net.spec.activations[layer - 1]
        if net.activation(layer).form is None:
            raise Unsupported("the generic g has no numbers")
        return _formula(name, order).xreplace({_U: arg})

    kinds = (ActivationBase, ActivationPrimeBase, ActivationSecondBase)
    written = expr.replace(lambda e: isinstance(e, kinds), activation).replace(SoftmaxExp, sp.exp)
    point = {s: sp.Float(at[s], 30) for s in written.atoms(sp.Indexed) if s in at}
    value = written.xreplace(point).evalf(30)
    if value.free_symbols or not value.is_number or not (value.is_real and value.is_finite):
        return None
    return float(value)


def real_difference(
    net: Network, claim: sp.Expr, expected: sp.Expr, tries: int = 8
) -> tuple[dict[sp.Expr, float], float, float] | None:
    """A real point where the two differ: the point, the claim's value, the right answer's. None if none found."""
    if any(net.activation(k).generic for k in range(1, net.depth + 1)):
        return None  # the generic g has no numbers
    count = max(tries, 2 * net.layers[-1]) if net.spec.targets is not None else tries
    points = [(seed, False) for seed in range(count)]
    if net.spec.targets is None:
        points += [(seed, True) for seed in range(count)]
    for seed, free in points:
        at, _ = real_values(net, seed, free)
        mine, right = real_value(net, claim, at), real_value(net, expected, at)
        if mine is None or right is None:
            continue
        if abs(mine - right) > 1e-9 * max(1.0, abs(right)) and mpmath.isfinite(mine):
            return at, mine, right
    return None


def involved(at: Mapping[sp.Expr, float], *exprs: sp.Expr) -> tuple[tuple[sp.Expr, float], ...]:
    """The values, at ``at``, of the quantities the formulas are written in, sorted as the reports print them."""
    symbols = set().union(*(e.atoms(sp.Indexed) for e in exprs))
    return tuple((s, at[s]) for s in sorted(symbols, key=sp.default_sort_key) if s in at)
