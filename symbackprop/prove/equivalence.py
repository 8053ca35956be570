"""Whether two formulas for a derivative are the same function, and a point where they are not.

Both are written down to the network's parameters, inputs and targets. First with every
elementwise activation an undefined function g_l (equal for every activation, shown by
cancelling to 0 or at exact random rational points); failing that, with the network's own
activations (sigma' = sigma(1 - sigma) then counts), at exact points that know exp and tanh.
A formula with a branch (max, a step, |x|, a piecewise part) is compared at real points
instead (real_points), since a branch decided on exact points' made-up exp values means
nothing. A counterexample is a float64 point where the values differ.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import mpmath
import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from ..base.time_guard import within
from ..base.trees import largest_expansion, tree_size
from ..model.network import Network, generic_function
from ..model.references import Ref
from ..model.symbols import A, ActivationBase, B, SoftmaxExp, W, Y, Z
from ..numeric import numbers as numeric
from . import field_network
from .points import ConcretePoint
from .proof import GUARD_SECONDS
from .random_identity import SPAN, RationalUnknowns, identity_test
from .real_points import Comparison, OneSided, compare, has_branches

POINTS = 24
Given = Mapping[sp.Expr, sp.Expr]  # a substitution made once a formula is written down: y_2 = 1 - y_0 - y_1
# Cancelling takes about 30 microseconds a node of the difference written out (350,000 nodes: 11 s), so above this
# size the exact points decide; the choice depends on the input alone, so the same claim is always decided the
# same way. The time guard only stops a pathological case from hanging.
CANCEL_NODES = 100_000
CANCEL_TERMS = 20_000  # terms sp.expand makes of any part: (a_0 + ... + a_5)^100 alone would be 96 million


@dataclass(frozen=True)
class Decision:
    """``equal``, and how that was shown, in words for the report."""

    equal: bool
    method: str
    at_points: bool = False  # "not equal" found at exact random points, not by a difference that did not cancel


@dataclass(frozen=True)
class Counterexample:
    """Values of the quantities involved, and what each formula gives there."""

    at: tuple[tuple[sp.Expr, float], ...]  # the quantities the two formulas are written in (a, z, w, y)
    point: tuple[tuple[sp.Expr, float], ...]  # every input, target and parameter they depend on
    claim: float
    expected: float
    note: str = ""


def decide(net: Network, claim: sp.Expr, expected: sp.Expr, start: Ref | None, given: Given | None = None) -> Decision:
    """Are ``claim`` and ``expected`` (in a, z, w, b, y and g') the same function of what lies below ``start``?
    ``given`` is a substitution made once both are written down (the last target as 1 minus the others).
    On a large network (``field_network.is_large``) neither is written down: random points modulo a prime decide,
    the forward pass worked out at each."""
    if field_network.is_large(net):
        equal, method = field_network.field_decision(net, claim, expected, start, given)
        return Decision(equal, method, not equal)
    generic = realize(net, claim, start, "generic", given) - realize(net, expected, start, "generic", given)
    cancelled = (
        within(GUARD_SECONDS, lambda: sp.expand(generic) == 0 or sp.cancel(sp.together(generic)) == 0)
        if tree_size(generic) <= CANCEL_NODES and largest_expansion(generic, CANCEL_TERMS) <= CANCEL_TERMS
        else None
    )
    if cancelled:
        return Decision(True, f"the difference cancels to 0 {_arbitrary(net)}")
    if cancelled is None and not has_branches(generic) and (chance := agreed_with_bound(generic, POINTS)):
        return Decision(True, f"equal at {POINTS} exact random rational points {_arbitrary(net)}; {chance}")
    mine, right = realize(net, claim, start, "concrete", given), realize(net, expected, start, "concrete", given)
    if has_branches(mine - right):
        return _by_real_points(compare(mine, right, free_targets=net.spec.targets is None))
    if all(net.activation(layer).generic for layer in range(1, net.depth + 1)):
        proof = cancelled is False and _rational_in_generators(generic)  # else no cancelling shows a difference
        return Decision(False, "not equal as functions of the parameters, inputs and targets", not proof)
    if chance := agreed_with_bound(mine - right, POINTS):
        return Decision(
            True, f"equal for this network's activations, at {POINTS} exact random rational points; {chance}"
        )
    return Decision(False, "not equal as functions of the parameters, inputs and targets", True)


def _rational_in_generators(expr: sp.Expr) -> bool:
    """Whether ``expr`` is a rational function of its symbols and of g, g' applied to things: then a difference
    that does not cancel is not 0. With exp, ln or a root in it, ln(e^a) = a is not seen by cancelling."""
    functions = expr.atoms(sp.Function)
    powers = [p for p in expr.atoms(sp.Pow) if not p.exp.is_Integer]
    return all(isinstance(f, AppliedUndef) for f in functions) and not powers and not expr.has(sp.E)


def _arbitrary(net: Network) -> str:
    """What a proof with every activation an undefined function g covers, in words that fit this network."""
    layers = [net.activation(layer) for layer in range(1, net.depth + 1)]
    words = {"relu": "ReLU", "leaky_relu": "leaky ReLU"}
    named = list(dict.fromkeys(words.get(a.name, a.name) for a in layers if a.elementwise and not a.generic))
    kept = " (softmax as it is)" if any(not act.elementwise for act in layers) else ""
    if not named:
        return f"with every activation an arbitrary function g{kept}"
    return (
        f"with each activation taken as an arbitrary function g{kept}: it holds for every activation, so for this "
        f"network's {' and '.join(named)}"
    )


def _by_real_points(comparison: Comparison) -> Decision:
    """The decision for formulas with branches, saying how far the points went. Equal is said only when every
    branch was seen on both sides, or has provably one side: a branch that went one way at every point, even
    after its argument's quantities were pushed over a wide range of both signs, leaves it not decided."""
    if not comparison.equal:
        return Decision(False, "not equal: their values differ at a real point")
    if comparison.one_sided:
        raise OneSided(
            f"the claim and the right answer agree at {comparison.points} real points, yet {comparison.one_sided} of "
            "the branches they take (an absolute value, a max, a step) went the same way at every point, even with "
            "what it depends on pushed over a wide range of both signs, so it cannot be decided"
        )
    method = (
        f"equal at {comparison.points} real points evaluated to 50 digits (the formulas take a max or a step, "
        "which exact rational points cannot decide), every branch seen on both sides"
    )
    if comparison.proven_one_sided:
        method += f" but {comparison.proven_one_sided} whose argument is provably of one sign"
    return Decision(True, method)


def same(
    net: Network, first: sp.Expr, second: sp.Expr, start: Ref | None, points: int = 8, given: Given | None = None
) -> bool:
    """A quick test for diagnoses: equal at exact random points (real ones, for formulas with branches),
    with the network's activations."""
    if field_network.is_large(net):
        return field_network.field_same(net, first, second, start, given)
    mine, theirs = realize(net, first, start, "concrete", given), realize(net, second, start, "concrete", given)
    if has_branches(mine - theirs):
        return compare(mine, theirs, least=3 * points, most=15 * points).equal
    return agree(mine - theirs, points)


def agree(difference: sp.Expr, count: int) -> bool:
    """``difference`` is exactly 0 at ``count`` random points of the identity test, the network's functions keeping
    their meaning (points on a pole are passed over)."""
    outcome = identity_test(
        lambda unknowns: (ConcretePoint(unknowns).value(difference), 0),
        count,
        bound=False,
        skip_poles=True,
        unknowns=RationalUnknowns,
    )
    return outcome.verdict == "proven"


def agreed_with_bound(difference: sp.Expr, count: int) -> str:
    """As ``agree``, with the chance of error stated: "" where the points find ``difference`` not 0, else the
    Schwartz-Zippel bound in words. Each unknown is an integer drawn from 2^32 (a positive one, as an exp's,
    from half as many), so a difference whose numerator has degree at most d is 0 at every one of the points
    by chance with probability at most (d / 2^31)^count."""
    try:
        outcome = identity_test(
            lambda unknowns: (ConcretePoint(unknowns).value(difference), 0),
            count,
            bound=True,
            skip_poles=True,
            unknowns=RationalUnknowns,
        )
    except (AttributeError, TypeError):  # a part the degree arithmetic does not follow: the points alone
        agreed = agree(difference, count)
        return "no bound on the difference's degree was worked out for this formula" if agreed else ""
    if outcome.verdict != "proven":
        return ""
    d = outcome.degree
    if d <= 0:
        return "the difference holds no unknown, and is 0"
    room = SPAN // 2 - outcome.poles
    exponent = math.ceil(count * math.log10(d / room)) if d < room else 0
    below = f", below 10^{exponent}" if exponent < 0 else ""
    return (
        f"the difference's numerator has degree at most {d:,}, so a wrong claim agrees at every point with "
        f"probability at most ({d:,}/2^31)^{count}{below}"
    )


def realize(net: Network, expr: sp.Expr, start: Ref | None, mode: str, given: Given | None = None) -> sp.Expr:
    """``expr`` written down to ``start``: activations generic (g_l), "concrete" (the catalogue's),
    or "numeric" (the catalogue's, a generic g taken as tanh, so it has numbers); then ``given`` substituted."""
    composed = net.compose(expr, start, concrete=mode != "generic")
    if given:
        composed = composed.xreplace(given)

    def activation(e: ActivationBase) -> sp.Expr:
        layer, arg = int(e.args[0]), e.args[1]
        act = net.activation(layer)
        if mode == "generic" or act.form is None:
            return generic_function(layer)(arg)
        return act.form(arg)

    out = composed.replace(lambda e: isinstance(e, ActivationBase), activation)
    if mode == "numeric":
        out = _generic_as_tanh(net, out)
    return out


def _generic_as_tanh(net: Network, expr: sp.Expr) -> sp.Expr:
    for layer in range(1, net.depth + 1):
        g, g_prime = generic_function(layer), sp.Function(f"g_{layer}_prime")
        expr = expr.replace(g, sp.tanh).replace(g_prime, lambda u: 1 - sp.tanh(u) ** 2)
    return expr


def counterexample(net: Network, claim: sp.Expr, expected: sp.Expr, start: Ref | None) -> Counterexample | None:
    """A point (the spec's values first, then random ones) where the two formulas' values differ. Where the spec
    states what the targets are (one-hot, summing to 1), only targets it allows are tried: its own values are
    checked against it, and random_values draws them so (for one-hot, every output's 1 in turn)."""
    if field_network.is_large(net):
        return _large_counterexample(net, claim, expected)
    mine, right = realize(net, claim, start, "numeric"), realize(net, expected, start, "numeric")
    involved = sorted(mine.atoms(sp.Indexed) | right.atoms(sp.Indexed), key=sp.default_sort_key)
    note = "taking g = tanh" if any(net.activation(k).generic for k in range(1, net.depth + 1)) else ""
    assumed = net.spec.targets is not None
    count = max(5, 2 * net.layers[-1]) if assumed else 5  # one-hot: each output's 1 at least twice
    randoms = [numeric.random_values(net, samples=1, seed=seed) for seed in range(count)]
    tries = ([net.spec.values] if net.spec.values is not None else []) + randoms
    if not assumed:  # targets that need not sum to 1, for claims that quietly assume they do
        tries += [replace(v, y=np.random.default_rng(k).uniform(0.05, 0.95, v.y.shape)) for k, v in enumerate(randoms)]
    for values in tries:
        point = _leaf_values(net, values, start)
        found = _differ(net, claim, expected, start, mine, right, point, involved, note)
        if found is not None:
            return found
    if assumed:  # real points take any targets, not only those the spec allows
        return None
    witness = compare(mine, right).witness  # a sum's terms can cancel at a few points; real points go on longer
    if witness is not None:
        point = {s: sp.Float(mpmath.nstr(v, 30), 30) for s, v in witness.leaves.items()}
        return _differ(net, claim, expected, start, mine, right, point, involved, note)
    return _with_another_g(net, claim, expected, start) if note else None


def _large_counterexample(net: Network, claim: sp.Expr, expected: sp.Expr) -> Counterexample | None:
    """On a large network: a random point the spec allows, its forward pass in floats, both sides there."""
    found = field_network.real_difference(net, claim, expected)
    if found is None:
        return None
    at, mine, right = found
    local = field_network.involved(at, claim, expected)
    leaves = tuple((s, v) for s, v in local if s.base in (W, B, Y) or (s.base == A and int(s.indices[0]) == 0))
    note = "the network's forward pass at random inputs and parameters, in floats"
    return Counterexample(local, leaves, mine, right, note)


def _with_another_g(net: Network, claim: sp.Expr, expected: sp.Expr, start: Ref | None) -> Counterexample | None:
    """For a claim that holds when g = tanh (1 - a^2 for g'(z)) but not for every g: a real point where each
    generic g is a random smooth function, alpha tanh(beta u + gamma) + delta u, named in the note."""
    mine, right = realize(net, claim, start, "concrete"), realize(net, expected, start, "concrete")
    witness = compare(mine, right).witness
    if witness is None:
        return None
    local = sorted(claim.atoms(sp.Indexed) | expected.atoms(sp.Indexed), key=sp.default_sort_key)
    at = tuple((s, float(witness.value(realize(net, s, start, "concrete")))) for s in local)
    leaves = tuple((s, float(v)) for s, v in sorted(witness.leaves.items(), key=lambda kv: sp.default_sort_key(kv[0])))
    shapes = "; ".join(
        f"g^({name.removeprefix('g_')})(u) = {_g(shape)}" for name, shape in sorted(witness.generic.items())
    )
    a, b = float(witness.value(mine)), float(witness.value(right))
    return Counterexample(at, leaves, a, b, f"taking {shapes}, where g = tanh would show no difference")


def _g(shape: tuple) -> str:
    """alpha tanh(beta u + gamma) + delta u, to 4 digits, signs written as a text would."""
    alpha, beta, gamma, delta = shape

    def signed(v: mpmath.mpf) -> str:
        return f"{'-' if v < 0 else '+'} {mpmath.nstr(abs(v), 4)}"

    return f"{mpmath.nstr(alpha, 4)} tanh({mpmath.nstr(beta, 4)} u {signed(gamma)}) {signed(delta)} u"


def agree_at_real_points(
    net: Network, claim: sp.Expr, expected: sp.Expr, start: Ref | None, given: Given | None = None
) -> bool:
    """Whether the two agree to about 30 digits at every real point tried, each generic g a random smooth
    function: a difference found only at exact points is then no difference a real network shows."""
    if field_network.is_large(net):
        return field_network.real_difference(net, claim.xreplace(given or {}), expected.xreplace(given or {})) is None
    mine, right = realize(net, claim, start, "concrete", given), realize(net, expected, start, "concrete", given)
    return compare(mine, right).equal


def _differ(
    net: Network,
    claim: sp.Expr,
    expected: sp.Expr,
    start: Ref | None,
    mine: sp.Expr,
    right: sp.Expr,
    point: dict[sp.Expr, sp.Float],
    involved: list[sp.Expr],
    note: str,
) -> Counterexample | None:
    """The counterexample at ``point``, if the two formulas' values differ there."""
    a, b = _number(mine, point), _number(right, point)
    if a is None or b is None or abs(a - b) <= 1e-9 * max(1.0, abs(b)):
        return None
    leaves = tuple((s, float(point[s])) for s in involved if s in point)
    return Counterexample(_local_values(net, claim, expected, start, point), leaves, a, b, note)


def sample_value(net: Network, expr: sp.Expr, start: Ref | None, values: numeric.Values, sample: int) -> float | None:
    """``expr`` (in a, z, w, b, y and g') at one sample of ``values``, a generic g taken as tanh."""
    one = replace(values, x=values.x[sample : sample + 1], y=values.y[sample : sample + 1])
    return _number(realize(net, expr, start, "numeric"), _leaf_values(net, one, start))


def _local_values(
    net: Network, claim: sp.Expr, expected: sp.Expr, start: Ref | None, point: dict[sp.Expr, sp.Float]
) -> tuple[tuple[sp.Expr, float], ...]:
    """The values, at ``point``, of the a, z, w, b and y the formulas are written in."""
    local = sorted(claim.atoms(sp.Indexed) | expected.atoms(sp.Indexed), key=sp.default_sort_key)
    out = []
    for symbol in local:
        value = _number(realize(net, symbol, start, "numeric"), point)
        if value is not None:
            out.append((symbol, value))
    return tuple(out)


def _number(expr: sp.Expr, point: dict[sp.Expr, sp.Float]) -> float | None:
    value = expr.xreplace(point).replace(SoftmaxExp, sp.exp).evalf(30)  # SymPy has no numbers for SoftmaxExp
    if value.free_symbols or not value.is_number:  # something the point gives no value: no number here
        return None
    return float(value) if value.is_real and value.is_finite else None


def _leaf_values(net: Network, values: numeric.Values, start: Ref | None) -> dict[sp.Expr, sp.Float]:
    """Every input, target and parameter (sample 0), and the free layer's a or z when ``start`` is one."""
    base = net.spec.index_base
    out: dict[sp.Expr, float] = {}
    out.update({A[0, k + base]: v for k, v in enumerate(values.x[0])})
    out.update({Y[j + base]: v for j, v in enumerate(values.y[0])})
    for layer in range(1, net.depth + 1):
        w = values.weights[layer - 1]
        out.update({W[layer, j + base, k + base]: w[j, k] for j in range(w.shape[0]) for k in range(w.shape[1])})
        if net.spec.bias == "neuron":
            out.update({B[layer, j + base]: v for j, v in enumerate(values.biases[layer - 1])})
        elif net.spec.bias == "layer":
            out[B[layer]] = values.biases[layer - 1][0]
    if start is not None and start.kind in "az":
        out.update(_free_layer(net, values, start))
    return {s: sp.Float(float(np.float64(v)), 30) for s, v in out.items()}


def _free_layer(net: Network, values: numeric.Values, start: Ref) -> dict[sp.Expr, float]:
    """The a's or z's of the layer a derivative starts from: the forward pass's, or random for a generic g."""
    base, layer = net.spec.index_base, start.layer
    if any(net.activation(k).generic for k in range(1, layer + 1)):
        rng = np.random.default_rng(layer)
        row = rng.uniform(-1.0, 1.0, net.layers[layer])
    else:
        fwd = numeric.forward(net, values)
        row = fwd.a[layer][0] if start.kind == "a" else fwd.z[layer - 1][0]
    base_symbol = A if start.kind == "a" else Z
    return {base_symbol[layer, j + base]: v for j, v in enumerate(row)}
