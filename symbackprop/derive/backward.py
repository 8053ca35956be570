"""The backward pass told layer by layer through the error delta_j^(l) = dC_0/dz_j^(l), the way Nielsen (BP1,
BP2, then BP3/BP4) and Goodfellow (Algorithm 6.4: g <- grad J, g <- g (.) f'(a), grad_W J = g h^T, g <- W^T g)
tell it, rather than through each hidden activation's dC_0/da as the 3Blue1Brown and deeplizard texts do.

The story for a weight or bias of layer t: the output layer's error from the cost's derivative and the
activation's derivative (BP1); each layer's error from the one above, down to layer t (BP2); the parameter's
derivative from its layer's error (BP3, BP4). Every equation is kept as SymPy data with the neuron a letter, and
``unrolled`` is the result the story gives with every error put in: a proof checks it equals the derivation's.
A softmax output layer couples its neurons, so BP1 there sums over them: delta_j^(L) = sum_i dC_0/da_i^(L)
a_i^(L) ([i = j] - a_j^(L)), the softmax's Jacobian (transposed) times the cost's gradient; with the cross-entropy
it is a_j^(L) sum_i y_i - y_j, Nielsen's a_j - y_j (his eq. 84) where the targets sum to 1.
Told only where every hidden layer is elementwise and the quantity is a weight or bias; else the chain story is told.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..model.partial import Partial
from ..model.symbols import C0, A, B, OrderedProduct, W, Y, Z
from .derivation import Derivation
from .general_form import DELTA

J_, K_, I_ = sp.symbols("j k i")


@dataclass(frozen=True)
class ErrorStep:
    """One layer's error delta_j^(l) for each neuron j: at the output from the cost (``cost`` is dC_0/da_j^(L)),
    below it from the layer above (``weight`` is the sum rule's dz_k^(l+1)/da_j^(l) = w_kj^(l+1)).

    At a softmax output layer (``coupled``) the cost's derivative is dC_0/da_i^(L) and ``prime`` the softmax's
    da_i^(L)/dz_j^(L) = a_i ([i = j] - a_j), both in the letter i; ``upstream`` is their product summed over i,
    ``closed`` that sum worked out, and ``assumed`` its form where the targets sum to 1 (cross-entropy's a_j - y_j).
    """

    layer: int
    output: bool
    delta: sp.Expr  # delta_j^(l)
    prime: sp.Expr  # g'(z_j^(l)), the activation's derivative
    in_a: sp.Expr | None  # the same written with a_j^(l) where the activation allows
    cost: sp.Expr | None  # dC_0/da_j^(L) worked out (output layer)
    upstream: sp.Expr  # dC_0/da_j^(l): the cost's derivative, or the sum over k of w_kj^(l+1) delta_k^(l+1)
    weight: sp.Expr | None  # w_kj^(l+1) (hidden layers); with one neuron above, k is its index
    limits: tuple[sp.Expr, sp.Expr]  # the range of j
    next_limits: tuple[sp.Expr, sp.Expr] | None  # the range of k in the layer above
    coupled: bool = False  # a softmax output layer
    closed: sp.Expr | None = None  # delta_j^(L) of a softmax output layer, the sum over i worked out
    assumed: sp.Expr | None = None  # the same where each sample's targets sum to 1, if it is simpler then


@dataclass(frozen=True)
class GradientStep:
    """The parameter's derivative from its layer's error: the sum rule's dz_j^(l)/dw_jk^(l) = a_k^(l-1) (or
    dz_j^(l)/db_j^(l) = 1), then BP3/BP4 for a general neuron and for the target's own indices."""

    layer: int
    kind: str  # "w" or "b"
    bias: str  # the spec's bias: neuron, layer or none
    general_w: tuple[sp.Expr, sp.Expr]  # (dC_0/dw_jk^(l), a_k^(l-1) delta_j^(l))
    general_b: tuple[sp.Expr, sp.Expr] | None  # (dC_0/db_j^(l), delta_j^(l)) or the layer's sum; None without bias
    local: tuple[sp.Expr, sp.Expr]  # (dz_j^(l)/dw_jk^(l), a_k^(l-1)) or the bias's
    target: tuple[sp.Expr, sp.Expr]  # (dC_0/d(target), its error form, e.g. a_2^(1) delta_1^(2))


@dataclass(frozen=True)
class ReachStep:
    """The derivative by a weighted input or an activation, where the pass reaches it: z_j^(l)'s is its error
    delta_j^(l) itself; a_j^(l)'s is BP2's sum before the activation's derivative, sum_k w_kj^(l+1) delta_k^(l+1)
    (Goodfellow's g just after g <- W^(l+1)T g)."""

    layer: int
    kind: str  # "a" or "z"
    general: tuple[sp.Expr, sp.Expr]  # (dC_0/dz_j^(l), delta_j^(l)) or (dC_0/da_j^(l), sum_k w_kj^(l+1) delta_k^(l+1))
    target: tuple[sp.Expr, sp.Expr]  # the same for the target's own neuron


@dataclass(frozen=True)
class Backward:
    """The story: the errors from the output layer down to the target's layer, then the gradient (a weight or
    bias) or the point the pass reaches (an activation or weighted input)."""

    errors: tuple[ErrorStep, ...]
    gradient: GradientStep | ReachStep
    unrolled: sp.Expr  # the result with every delta put in: equals the derivation's result


def tells_backward(d: Derivation) -> bool:
    """Whether ``d`` can be told through the errors: a weight, bias or weighted input, or an activation below the
    output layer, of a layered network whose hidden layers are elementwise (the output layer may be a softmax)."""
    net, t = d.network, d.target
    if net.spec.skips or net.spec.ties or t.kind not in "wbza" or (t.kind == "a" and t.layer == net.depth):
        return False
    return all(net.activation(m).elementwise for m in range(1, net.depth))


def backward(d: Derivation) -> Backward:
    """The backward story of ``d`` (see ``tells_backward``)."""
    net, t = d.network, d.target
    depth = net.depth
    memo: dict[tuple[int, object], sp.Expr] = {}
    if t.kind in "az":
        return _reached(d, memo)
    errors = [_error_step(d, layer) for layer in range(depth, t.layer - 1, -1)]
    unrolled = _delta_value(d, t.layer, t.indices[0], memo) if t.indices else None
    j_ = neuron_letter(net, t.layer)
    general_w = (Partial(C0, W[t.layer, j_, K_]), A[t.layer - 1, K_] * DELTA[t.layer, j_])
    general_b: tuple[sp.Expr, sp.Expr] | None = None
    if net.spec.bias == "neuron":
        general_b = (Partial(C0, B[t.layer, j_]), DELTA[t.layer, j_])
    elif net.spec.bias == "layer" and j_ != J_:  # one neuron: the sum over the layer is its one term
        general_b = (Partial(C0, B[t.layer]), DELTA[t.layer, j_])
    elif net.spec.bias == "layer":
        general_b = (Partial(C0, B[t.layer]), sp.Sum(DELTA[t.layer, J_], (J_, *_limits(net, t.layer))))
    if t.kind == "w":
        j, k = t.indices
        local = (Partial(Z[t.layer, j], W[t.layer, j, k]), A[t.layer - 1, k])
        target = (Partial(C0, W[t.layer, j, k]), A[t.layer - 1, k] * DELTA[t.layer, j])
        assert unrolled is not None
        unrolled = A[t.layer - 1, k] * unrolled
    elif t.indices:
        j = t.indices[0]
        local = (Partial(Z[t.layer, j], B[t.layer, j]), sp.Integer(1))
        target = (Partial(C0, B[t.layer, j]), DELTA[t.layer, j])
    else:  # a bias shared by the layer
        local = (Partial(Z[t.layer, j_], B[t.layer]), sp.Integer(1))
        target = (Partial(C0, B[t.layer]), sp.Add(*(DELTA[t.layer, j] for j in net.neurons(t.layer))))
        unrolled = sp.Add(*(_delta_value(d, t.layer, j, memo) for j in net.neurons(t.layer)))
    gradient = GradientStep(t.layer, t.kind, net.spec.bias, general_w, general_b, local, target)
    return Backward(tuple(errors), gradient, unrolled)


def _reached(d: Derivation, memo: dict[tuple[int, object], sp.Expr]) -> Backward:
    """The story of a weighted input (the errors down to its layer; its derivative is its error) or an activation
    (the errors down to the layer above; its derivative is the sum over that layer's neurons)."""
    net, t = d.network, d.target
    (j,) = t.indices
    lowest = t.layer if t.kind == "z" else t.layer + 1
    errors = tuple(_error_step(d, layer) for layer in range(net.depth, lowest - 1, -1))
    j_ = neuron_letter(net, t.layer)
    if t.kind == "z":
        general = (Partial(C0, Z[t.layer, j_]), DELTA[t.layer, j_])
        target = (Partial(C0, Z[t.layer, j]), DELTA[t.layer, j])
        unrolled = _delta_value(d, t.layer, j, memo)
    else:
        over = (K_, *_limits(net, lowest))
        general = (Partial(C0, A[t.layer, j_]), sp.Sum(OrderedProduct(W[lowest, K_, j_], DELTA[lowest, K_]), over))
        target = (Partial(C0, A[t.layer, j]), sp.Sum(OrderedProduct(W[lowest, K_, j], DELTA[lowest, K_]), over))
        unrolled = sp.Add(*(W[lowest, k, j] * _delta_value(d, lowest, k, memo) for k in net.neurons(lowest)))
    return Backward(errors, ReachStep(t.layer, t.kind, general, target), unrolled)


def _error_step(d: Derivation, layer: int) -> ErrorStep:
    net = d.network
    output = layer == net.depth
    if output and not net.activation(layer).elementwise:
        return _softmax_output(d, layer)
    j = neuron_letter(net, layer)
    prime = net.activation_prime(layer, j)  # type: ignore[arg-type]
    in_a = net.activation_prime_in_a(layer, j)  # type: ignore[arg-type]
    if output:
        a = A[layer, j]
        cost = sp.factor_terms(sp.diff(net.cost.term(a, Y[j], net.layers[-1]), a))
        upstream, weight, next_limits = cost, None, None
    else:
        cost = None
        next_limits = _limits(net, layer + 1)
        if net.layers[layer + 1] == 1:  # the one neuron above: its own index, no sum and no free k
            weight = W[layer + 1, next_limits[0], j]
            upstream = OrderedProduct(weight, DELTA[layer + 1, next_limits[0]])
        else:
            weight = W[layer + 1, K_, j]
            upstream = sp.Sum(OrderedProduct(weight, DELTA[layer + 1, K_]), (K_, *next_limits))
    return ErrorStep(
        layer, output, DELTA[layer, j], prime, in_a, cost, upstream, weight, _limits(net, layer), next_limits
    )


def neuron_letter(net: object, layer: int) -> sp.Expr:
    """The neuron j of ``layer`` as the story writes it: the letter j, or where the layer has one neuron that
    neuron's own index. The printer writes a one-neuron layer's quantities without an index (a^(2), delta^(2)), so
    a j left in its weights (w_kj^(3)) would name a neuron the text never introduces."""
    first, last = _limits(net, layer)
    return first if first == last else J_


def _softmax_output(d: Derivation, layer: int) -> ErrorStep:
    """BP1 at a softmax output layer: delta_j = sum_i dC_0/da_i a_i ([i = j] - a_j) = a_j (dC_0/da_j - sum_i a_i
    dC_0/da_i); with the cross-entropy, whose a_i dC_0/da_i is -y_i, that is a_j sum_i y_i - y_j."""
    net = d.network
    limits = _limits(net, layer)
    cost = output_cost_prime(net, I_)
    prime = net.softmax_partial(layer, I_, J_)  # type: ignore[arg-type]
    upstream = sp.Sum(OrderedProduct(cost, prime), (I_, *limits))
    a_j = A[layer, J_]
    weighted = sp.factor_terms(sp.expand(A[layer, I_] * cost))
    if net.spec.cost == "cross_entropy":  # a_j dC_0/da_j = -y_j
        closed = a_j * sp.Sum(-weighted, (I_, *limits)) - Y[J_]
        assumed: sp.Expr | None = a_j - Y[J_]
    else:
        own = output_cost_prime(net, J_)
        if weighted.could_extract_minus_sign():  # the binary cross-entropy: + sum (-...), never "- -sum"
            closed = a_j * (own + sp.Sum(-weighted, (I_, *limits)))
        else:
            closed = a_j * (own - sp.Sum(weighted, (I_, *limits)))
        assumed = None
    return ErrorStep(
        layer, True, DELTA[layer, J_], prime, None, cost, upstream, None, limits, None, True, closed, assumed
    )


def output_cost_prime(net: object, i: int | sp.Expr) -> sp.Expr:
    """dC_0/da_i^(L): the derivative of output neuron i's term of the cost."""
    a = A[net.depth, i]  # type: ignore[attr-defined]
    return sp.factor_terms(sp.diff(net.cost.term(a, Y[i], net.layers[-1]), a))  # type: ignore[attr-defined]


def _limits(net: object, layer: int) -> tuple[sp.Expr, sp.Expr]:
    first = net.spec.index_base  # type: ignore[attr-defined]
    return sp.Integer(first), sp.Integer(first + net.layers[layer] - 1)  # type: ignore[attr-defined]


def _delta_value(d: Derivation, layer: int, j: int | sp.Expr, memo: dict[tuple[int, object], sp.Expr]) -> sp.Expr:
    """delta_j^(l) with every error above put in: the activation's derivative times the cost's derivative at the
    output, or times the sum over the next layer's neurons below it."""
    if (layer, j) in memo:
        return memo[layer, j]
    net = d.network
    if layer == net.depth and not net.activation(layer).elementwise:  # the softmax's Jacobian
        out = net.neurons(layer)
        upstream = sp.Add(*(output_cost_prime(net, i) * net.softmax_partial(layer, i, j) for i in out))  # type: ignore[arg-type]
        memo[layer, j] = upstream
        return upstream
    if layer == net.depth:
        a = A[layer, j]
        upstream = sp.diff(net.cost.term(a, Y[j], net.layers[-1]), a)
    else:
        upstream = sp.Add(*(W[layer + 1, k, j] * _delta_value(d, layer + 1, k, memo) for k in net.neurons(layer + 1)))
    memo[layer, j] = upstream * net.activation_prime(layer, j)  # type: ignore[arg-type]
    return memo[layer, j]
