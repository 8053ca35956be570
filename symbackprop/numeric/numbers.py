"""Numbers: the forward pass in NumPy, the lambdified gradients, and finite differences.

The forward pass uses each activation's NumPy form; the gradients are the derivations'
symbolic results turned into NumPy code by ``sympy.lambdify`` (one function for all of
them, common subexpressions shared). Finite differences are the independent witness.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from ..base.errors import SpecError
from ..base.stages import stage
from ..derive.derivation import derive
from ..model.references import Ref
from ..model.spec import Values
from ..model.symbols import ActivationPrimeBase, Z
from ..model.targets import allowed_rows
from .formula import lambdified

if TYPE_CHECKING:
    from ..derive.derivation import Derivation
    from ..model.network import Network


@dataclass(frozen=True, eq=False)
class Forward:
    """z^(l) (l = 1..L, index l-1) and a^(l) (l = 0..L) for every sample, rows = samples."""

    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]


def forward(net: Network, values: Values) -> Forward:
    """The forward pass, every sample at once."""
    net.require_layered("the layer-by-layer forward pass")
    zs, acts = [], [values.x]
    for layer in range(1, net.depth + 1):
        w = values.weights[layer - 1]
        z = acts[-1] @ w.T
        if values.biases:
            z = z + values.biases[layer - 1]
        zs.append(z)
        acts.append(activate(net, layer, z))
    return Forward(tuple(zs), tuple(acts))


def activate(net: Network, layer: int, z: np.ndarray) -> np.ndarray:
    """Layer ``layer``'s activation applied to its weighted inputs, one row per sample (softmax row by row)."""
    act = net.activation(layer)
    if not act.elementwise:
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if act.numpy_form is None:
        raise SpecError(f"layer {layer} uses the generic activation g, which has no numbers; name a concrete one")
    return act.numpy_form(z)


def sample_costs(net: Network, values: Values, fwd: Forward | None = None) -> np.ndarray:
    """C_i for every sample i; a logarithmic cost outside its domain is a SpecError."""
    fwd = fwd or forward(net, values)
    out = fwd.a[-1]
    if net.cost.logarithmic:
        _check_log_domain(net, out, values.y)
    return net.cost.numpy(out, values.y)


def _check_log_domain(net: Network, out: np.ndarray, y: np.ndarray) -> None:
    bad = out <= 0 if net.spec.cost == "cross_entropy" else (out <= 0) | (out >= 1)
    if np.any(bad):
        sample, j = map(int, np.argwhere(bad)[0])
        limits = "above 0" if net.spec.cost == "cross_entropy" else "strictly between 0 and 1"
        raise SpecError(
            f"cost {net.spec.cost}: output a_{j + net.spec.index_base}^(L) = {out[sample, j]:.6g} for sample "
            f"{sample}, but ln needs it {limits}"
        )


def mean_cost(net: Network, values: Values) -> float:
    """C = (1/n) sum_i C_i."""
    return float(np.mean(sample_costs(net, values)))


GradientFunction = Callable[[Values], tuple[list[np.ndarray], list[np.ndarray]]]


def evaluator(net: Network, exprs: list[sp.Expr], in_a: bool = False) -> Callable[[Values, Forward], list[np.ndarray]]:
    """Lambdify expressions in the intermediate symbols; the result gives one value per sample each.

    ``in_a`` evaluates each activation's derivative from the activation, where a textbook does
    (sigmoid: a(1 - a)), as a hand calculation from printed values does.
    """
    exprs = [_in_a(net, e) for e in exprs] if in_a else exprs
    symbols = sorted(set().union(*(e.atoms(sp.Indexed) for e in exprs)), key=sp.default_sort_key)
    function = lambdified([numeric_form(net, e) for e in exprs], symbols)  # the one path formulas become numbers

    def evaluate(values: Values, fwd: Forward) -> list[np.ndarray]:
        n = values.x.shape[0]
        out = function(*(_value_of(net, s, values, fwd) for s in symbols))
        return [np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in out]

    return evaluate


def gradient_of_mean_cost(net: Network) -> GradientFunction:
    """A function of Values giving dC/dw and dC/db (means over samples), shaped like the spec's."""
    refs = net.parameters()
    function = evaluator(net, [derive(net, ref).result for ref in refs])

    def gradient(values: Values) -> tuple[list[np.ndarray], list[np.ndarray]]:
        fwd = forward(net, values)
        sample_costs(net, values, fwd)
        means = [float(np.mean(v)) for v in function(values, fwd)]
        return _shape_like_spec(net, refs, means)

    return gradient


@dataclass(frozen=True)
class WorkedNumbers:
    """A derivation with numbers: each factor of each chain and the result, for every sample."""

    factors: tuple[tuple[tuple[float, ...], ...], ...]  # [chain][factor][sample]
    chains: tuple[tuple[float, ...], ...]  # [chain][sample]: each chain's product
    per_sample: tuple[float, ...]
    mean: float
    current: float | None  # the parameter's value, for a weight or bias
    updated: float | None  # after one step with the spec's learning rate


@np.errstate(all="ignore")  # an overflow is the SpecError below, not RuntimeWarnings or an inf in a document
def worked_numbers(d: Derivation, values: Values) -> WorkedNumbers:
    """Every factor and the result evaluated at the spec's values."""
    net = d.network
    fwd = forward(net, values)
    _require_finite("the forward pass", [*fwd.z, *fwd.a])
    sample_costs(net, values, fwd)
    shape = [len(c.factors) for c in d.chains]
    flat = [f.value for c in d.chains for f in c.factors] + [c.value for c in d.chains] + [d.result]
    found = evaluator(net, flat)(values, fwd)
    _require_finite("working the numbers", found)
    numbers = [tuple(float(x) for x in v) for v in found]
    factors, pos = [], 0
    for size in shape:
        factors.append(tuple(numbers[pos : pos + size]))
        pos += size
    chains = tuple(numbers[pos : pos + len(shape)])
    per_sample = numbers[-1]
    mean = float(np.mean(per_sample))
    current = _parameter_value(net, d.target, values)
    rate = values.learning_rate
    updated = current - rate * mean if current is not None and rate is not None else None
    return WorkedNumbers(tuple(factors), chains, per_sample, mean, current, updated)


@dataclass(frozen=True)
class ParameterStep:
    """One weight or bias with numbers: its value, the gradient of the mean cost, and its value after a step."""

    ref: Ref
    value: float
    gradient: float
    updated: float | None  # None without a learning rate


@np.errstate(all="ignore")  # an overflow is the SpecError below, not RuntimeWarnings or an inf in a document
def parameter_steps(net: Network, values: Values) -> list[ParameterStep]:
    """Every weight and bias, from the output layer back, with its gradient and one gradient-descent step."""
    refs = net.parameters()
    fwd = forward(net, values)
    _require_finite("the forward pass", [*fwd.z, *fwd.a])
    sample_costs(net, values, fwd)
    results = evaluator(net, [derive(net, ref).result for ref in refs])(values, fwd)
    _require_finite("the gradient", results)
    rate = values.learning_rate
    steps = []
    for ref, per_sample in zip(refs, results, strict=True):
        value, mean = float(_value_of(net, net.symbol(ref), values, fwd)), float(np.mean(per_sample))
        steps.append(ParameterStep(ref, value, mean, value - rate * mean if rate is not None else None))
    return steps


def _parameter_value(net: Network, ref: Ref, values: Values) -> float | None:
    if ref.kind not in "wb":
        return None
    return float(_value_of(net, net.symbol(ref), values, forward(net, values)))


SPOT_TRIES = 8  # random points tried for one where the derivative is not 0


@np.errstate(all="ignore")  # an overflow at a point is that point passed over (or the SpecError), not RuntimeWarnings
def point_check(d: Derivation, seed: int = 0, h: float = 1e-6) -> tuple[float, float]:
    """(formula, central difference) for dC/d(target) at a random point: the document's spot check.

    The point is the first of a few seeded ones where the formula is not 0: a ReLU off at the point (or a target
    met) makes both numbers 0, and "0 and 0" checks nothing the reader can see. A point where either number
    overflows is passed over, so a document never states inf or nan; a point outside a logarithmic cost's domain
    is refused before any formula runs there, as ``evaluate`` refuses such values.

    >>> import symbackprop as sbp
    >>> formula, diff = point_check(sbp.Network(layers=[2, 2]).derive("w_{01}^{(L)}"))
    >>> abs(formula - diff) < 1e-8
    True
    """
    found: tuple[float, float] | None = None
    for tried in range(SPOT_TRIES):
        formula, diff = _point_check(d, seed + tried, h)
        if not (np.isfinite(formula) and np.isfinite(diff)):
            continue
        found = formula, diff
        if formula != 0.0 or diff != 0.0:
            break
    if found is None:
        raise SpecError(
            f"the spot check overflows at each of its {SPOT_TRIES} random points (inf/nan in float64): no number "
            "to state"
        )
    return found


def _point_check(d: Derivation, seed: int, h: float) -> tuple[float, float]:
    net = d.network
    values = random_values(net, samples=1, seed=seed)
    fwd = forward(net, values)
    try:
        sample_costs(net, values, fwd)  # the cost defined at the point, before the formula is worked there
    except SpecError as refused:
        raise SpecError(f"the spot check at a random point (seed {seed}): {refused}") from None
    formula = float(evaluator(net, [d.result])(values, fwd)[0][0])
    scale = max(1.0, abs(_current(net, d.target, values)))
    step = h * scale
    diff = (_nudged_cost(net, d.target, values, step) - _nudged_cost(net, d.target, values, -step)) / (2 * step)
    return formula, float(diff)


def _current(net: Network, ref: Ref, values: Values) -> float:
    value = _parameter_value(net, ref, values)
    if value is not None:
        return value
    return float(_value_of(net, net.symbol(ref), values, forward(net, values))[0])


def _nudged_cost(net: Network, ref: Ref, values: Values, step: float) -> float:
    """The mean cost with one parameter, activation or weighted input moved by ``step``."""
    base = net.spec.index_base
    if ref.kind in "wb":
        weights = [w.copy() for w in values.weights]
        biases = [b.copy() for b in values.biases]
        index = tuple(i - base for i in ref.indices) or (0,)
        (weights if ref.kind == "w" else biases)[ref.layer - 1][index] += step
        return mean_cost(net, Values(values.x, values.y, tuple(weights), tuple(biases)))
    acts = values.x.copy()
    if ref.kind == "a" and ref.layer == 0:
        acts[:, ref.indices[0] - base] += step
    for layer in range(1, net.depth + 1):
        z = acts @ values.weights[layer - 1].T + (values.biases[layer - 1] if values.biases else 0.0)
        if ref.kind == "z" and ref.layer == layer:
            z[:, ref.indices[0] - base] += step
        acts = activate(net, layer, z)
        if ref.kind == "a" and ref.layer == layer:
            acts[:, ref.indices[0] - base] += step
    return float(np.mean(net.cost.numpy(acts, values.y)))


def numeric_form(net: Network, expr: sp.Expr) -> sp.Expr:
    """Replace each g'^(l)(z) by its catalogue formula so lambdify can print it."""

    def concrete(e: ActivationPrimeBase) -> sp.Expr:
        act = net.activation(int(e.args[0]))
        if act.prime is None:
            raise SpecError(f"layer {e.args[0]} uses the generic activation g, which has no numbers")
        return act.prime(e.args[1])

    return expr.replace(lambda e: isinstance(e, ActivationPrimeBase), concrete)


def _in_a(net: Network, expr: sp.Expr) -> sp.Expr:
    """Each g'^(l)(z_j^(l)) written with a_j^(l) where the activation allows it (sigmoid: a (1 - a))."""

    def written(e: ActivationPrimeBase) -> sp.Expr:
        layer, z = int(e.args[0]), e.args[1]
        form = net.activation_prime_in_a(layer, z.indices[1]) if isinstance(z, sp.Indexed) and z.base == Z else None
        return form if form is not None else e

    return expr.replace(lambda e: isinstance(e, ActivationPrimeBase), written)


def _value_of(net: Network, symbol: sp.Indexed, values: Values, fwd: Forward) -> Any:
    base = net.spec.index_base
    name, idx = str(symbol.base), [int(i) for i in symbol.indices]
    if name == "y":
        return values.y[:, idx[0] - base]
    layer, rest = idx[0], [i - base for i in idx[1:]]
    if name == "w":
        return values.weights[layer - 1][rest[0], rest[1]]
    if name == "b":
        return values.biases[layer - 1][rest[0] if rest else 0]
    table = fwd.a[layer] if name == "a" else fwd.z[layer - 1]
    return table[:, rest[0]]


def _shape_like_spec(net: Network, refs: list[Ref], numbers: list[float]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    base = net.spec.index_base
    gw = [np.zeros((net.layers[l], net.layers[l - 1])) for l in range(1, net.depth + 1)]
    gb = [np.zeros(net.layers[l] if net.spec.bias == "neuron" else 1) for l in range(1, net.depth + 1)]
    for ref, number in zip(refs, numbers, strict=True):
        if ref.kind == "w":
            gw[ref.layer - 1][ref.indices[0] - base, ref.indices[1] - base] = number
        else:
            gb[ref.layer - 1][ref.indices[0] - base if ref.indices else 0] = number
    return gw, gb if net.spec.bias != "none" else []


def finite_differences(net: Network, values: Values, h: float = 1e-6) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Central differences (C(p + h) - C(p - h)) / 2h of the mean cost, parameter by parameter."""

    def nudged(kind: str, layer: int, index: tuple[int, ...], step: float) -> float:
        weights = [w.copy() for w in values.weights]
        biases = [b.copy() for b in values.biases]
        (weights if kind == "w" else biases)[layer][index] += step
        return mean_cost(net, Values(values.x, values.y, tuple(weights), tuple(biases)))

    def central(kind: str, layer: int, index: tuple[int, ...], scale: float) -> float:
        step = h * max(1.0, abs(scale))
        return (nudged(kind, layer, index, step) - nudged(kind, layer, index, -step)) / (2 * step)

    gw = [
        np.array([[central("w", l, (j, k), w[j, k]) for k in range(w.shape[1])] for j in range(w.shape[0])])
        for l, w in enumerate(values.weights)
    ]
    gb = [np.array([central("b", l, (j,), b[j]) for j in range(b.shape[0])]) for l, b in enumerate(values.biases)]
    return gw, gb


def random_values(net: Network, samples: int = 3, seed: int = 0) -> Values:
    """A reproducible random point: parameters and inputs in [-1, 1], targets in (0, 1) (one-hot, or summing to 1,
    where the spec says so)."""
    rng = np.random.default_rng(seed)
    layers = net.layers
    weights = tuple(rng.uniform(-1, 1, (layers[l], layers[l - 1])) for l in range(1, len(layers)))
    width = {"neuron": None, "layer": 1, "none": 0}[net.spec.bias]
    biases = tuple(rng.uniform(-1, 1, width if width is not None else layers[l]) for l in range(1, len(layers)))
    y = rng.uniform(0.05, 0.95, (samples, layers[-1]))
    if net.spec.cost == "cross_entropy":
        y = y / y.sum(axis=1, keepdims=True)
    y = allowed_rows(net.spec.targets, y, seed)  # targets the spec allows, where it states what they are
    return Values(rng.uniform(-1, 1, (samples, layers[0])), y, weights, biases if width != 0 else ())


@dataclass(frozen=True)
class GradCheck:
    """Lambdified gradients against central differences: the worst disagreement and whether it passes."""

    max_abs_error: float
    max_rel_error: float
    passed: bool
    parameters: int
    where: str
    note: str = ""  # what was left out of the comparison, and why (a graph's max gates at a tie)


@np.errstate(all="ignore")  # an overflow is the SpecError below, not RuntimeWarnings
def gradcheck(net: Network, values: Values | None = None, rtol: float = 1e-6, atol: float = 1e-8) -> GradCheck:
    """Compare every gradient with central finite differences at the spec's (or random) values."""
    values = values or net.spec.values or random_values(net)
    fwd = forward(net, values)
    _require_finite("the forward pass", [*fwd.z, *fwd.a])
    stage("computing every gradient")
    gw, gb = gradient_of_mean_cost(net)(values)
    _require_finite("the gradient", gw + gb)
    stage("comparing with finite differences")
    fw, fb = finite_differences(net, values)
    _require_finite("the finite-difference check", fw + fb)
    ours = np.concatenate([g.ravel() for g in gw + gb])
    theirs = np.concatenate([f.ravel() for f in fw + fb])
    err = np.abs(ours - theirs)
    sizable = np.abs(theirs) > atol
    rel = float(np.max(err[sizable] / np.abs(theirs[sizable]))) if np.any(sizable) else 0.0
    ok = bool(np.all(err <= atol + rtol * np.abs(theirs)))
    where = "the spec's values" if values is net.spec.values else "random values"
    return GradCheck(float(err.max()), rel, ok, int(ours.size), where)


@np.errstate(all="ignore")  # an overflow is the SpecError below, not RuntimeWarnings
def evaluate(net: Network, values: Values | None = None) -> dict[str, Any]:
    """Forward values of the first sample, the mean cost, its gradient and one descent step, at ``values`` (by
    default the spec's)."""
    values = values or net.spec.values
    if values is None:
        raise SpecError("the spec has no [values] table; evaluate needs x, y and weights")
    fwd = forward(net, values)
    cost = float(np.mean(sample_costs(net, values, fwd)))
    _require_finite("the forward pass", [*fwd.z, *fwd.a, np.array(cost)])
    gw, gb = gradient_of_mean_cost(net)(values)
    _require_finite("the gradient", gw + gb)
    out: dict[str, Any] = {
        "cost": cost,
        "z": [z[0].tolist() for z in fwd.z],
        "a": [a[0].tolist() for a in fwd.a],
        "grad_weights": [g.tolist() for g in gw],
        "grad_biases": bias_list(net, gb),
    }
    if values.learning_rate is not None:
        rate = values.learning_rate
        out["updated_weights"] = [(w - rate * g).tolist() for w, g in zip(values.weights, gw, strict=True)]
        bias_rate = rate if trains_biases(net) else 0.0
        out["updated_biases"] = bias_list(net, [b - bias_rate * g for b, g in zip(values.biases, gb, strict=True)])
    return out


def trains_biases(net: Network) -> bool:
    """Whether a step moves the biases: unless the spec's [training] says ``update_biases = false``."""
    training = net.spec.training
    return training is None or training.update_biases


def _require_finite(what: str, arrays: list[np.ndarray]) -> None:
    """Overflow is an error of its own: numbers past float64's range (inf, nan) are not results."""
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise SpecError(f"{what} overflows: these values produce inf/nan in float64; use smaller values")


def bias_list(net: Network, biases: Sequence[np.ndarray]) -> list[Any]:
    """Biases shaped as the spec writes them: a list per layer, or one number per layer for shared biases."""
    if net.spec.bias == "layer":
        return [float(b[0]) for b in biases]
    return [b.tolist() for b in biases]
