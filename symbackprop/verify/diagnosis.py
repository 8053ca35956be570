"""The usual mistakes in a backpropagation formula, each made on purpose to the right answer.

A wrong claim is compared with each mistaken version of the correct derivative: the factor
2 dropped or added, the sign flipped, the 1/n of a mean missing, the activation's
derivative left out, a^(l) where a^(l-1) belongs, the indices jk and kj swapped, one term
of a sum over j kept and the rest dropped. The first that equals the claim names the
mistake. Messages are words with {0}, {1} slots for the formulas a renderer prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp

from ..derive.derivation import Derivation, derive
from ..derive.local import local_derivative
from ..model.network import Network
from ..model.references import Ref
from ..model.symbols import C0, A, ActivationPrimeBase, W, Y
from ..prove import assumed
from ..prove.equivalence import same
from .mistakes import more_mistakes

MAX_CANDIDATES = 80


@dataclass(frozen=True)
class Mistake:
    """A known mistake: ``kind`` for programs, ``message`` for people (its slots filled from ``symbols``)."""

    kind: str
    message: str
    formula: sp.Expr
    symbols: tuple[sp.Expr, ...] = ()
    assume: tuple[tuple[sp.Expr, sp.Expr], ...] = ()  # a substitution under which the claim holds


@dataclass(frozen=True)
class Local:
    """A derivative of an a or a z (a factor of the chain), with what the mistakes that fit it need."""

    network: Network
    target: Ref
    of: sp.Expr
    result: sp.Expr
    start: Ref | None
    chains: tuple = ()


def diagnose(d: Derivation | Local, claim: sp.Expr) -> Mistake | None:
    """The first known mistake that turns the right answer into ``claim``, or None; on the targets the spec
    allows, where it states what they are (each sample's summing to 1)."""
    stated = assumed.given(d.network)
    for count, mistake in enumerate(candidates(d)):
        if count >= MAX_CANDIDATES:
            return None
        given = dict(mistake.assume)
        if same(d.network, claim.xreplace(given), mistake.formula.xreplace(given), d.start, given=stated):
            return mistake
    return None


def candidates(d: Derivation | Local) -> Iterator[Mistake]:
    """Single mistakes first, then a structural mistake with a dropped 2 or a flipped sign as well."""
    scalars = list(_scalar_mistakes(d))
    structural = list(_structural_mistakes(d))
    yield from scalars
    yield from _targets_sum_to_one(d)
    yield from structural
    for s in structural:
        for factor, kind, words in (
            (sp.Rational(1, 2), "factor_2_dropped", "the factor 2 is missing"),
            (-1, "sign", "the sign is flipped"),
        ):
            yield Mistake(f"{s.kind}+{kind}", f"{s.message}, and {words}", s.formula * factor, s.symbols)


def _scalar_mistakes(d: Derivation | Local) -> Iterator[Mistake]:
    right, cost = d.result, d.network.spec.cost
    if isinstance(d, Local):  # a factor of the chain: no cost's square, no mean over the outputs
        yield Mistake("factor_2_dropped", "it is half the right value", right / 2)
        yield Mistake("factor_2_added", "a factor 2 too many", right * 2)
        yield Mistake("sign", "the sign is flipped", -right)
        return
    square, n = cost in ("sse", "mse"), d.network.layers[-1]
    mean = (
        f"the 1/n_L of the mean is missing: the mse cost averages over the n_L = {n} output neurons, so its "
        f"derivative is divided by {n} as well"
    )
    dropped = (
        "the factor 2 from differentiating the square (a - y)^2 is missing" if square else "it is half the right value"
    )
    yield Mistake("factor_2_dropped", dropped, right / 2)
    added = {
        "half_sse": "a factor 2 too many: the 1/2 in the cost cancels the 2 from the square",
    }.get(cost, "a factor 2 too many")
    yield Mistake("factor_2_added", added, right * 2)
    yield Mistake("sign", "the sign is flipped: (y - a) where (a - y) belongs, or a minus sign lost", -right)
    if n > 1 and cost == "mse":  # with n_L = 2 the same as a factor 2 too many, which is named first
        yield Mistake("mean_missing", mean, right * n)
    if n > 1 and cost == "mse":  # (a - y) alone: the mean's 2/n_L dropped whole
        yield Mistake("mean_missing+factor_2_dropped", f"{mean}, and {dropped}", right * n / 2)
    if n > 1:
        yield Mistake("extra_mean", f"an extra 1/n (n = {n}): this cost is not divided by n", right / n)


def _targets_sum_to_one(d: Derivation | Local) -> Iterator[Mistake]:
    """The softmax-with-cross-entropy shortcut a_j - y_j, which needs targets that sum to 1."""
    net = d.network
    if isinstance(d, Local) or net.spec.cost != "cross_entropy" or net.layers[-1] < 2 or net.spec.targets:
        return
    ys = [Y[j] for j in net.neurons(net.depth)]
    last = (ys[-1], 1 - sp.Add(*ys[:-1]))
    yield Mistake(
        "targets_sum_to_one",
        "it holds only when the targets sum to 1 (a one-hot or probability target); in general the output "
        "layer's term is a_j times the sum of the targets, minus y_j",
        d.result,
        assume=(last,),
    )


def _structural_mistakes(d: Derivation | Local) -> Iterator[Mistake]:
    yield from _activation_prime_missing(d)
    yield from more_mistakes(d, Mistake)
    yield from _wrong_layer_input(d)
    yield from _swapped_indices(d)
    yield from _one_term_of_sum(d)


def _activation_prime_missing(d: Derivation | Local) -> Iterator[Mistake]:
    """The activation's derivative left out, of every layer or of one. An identity layer's derivative is 1: leaving
    it out changes nothing, so it is never the factor named as missing (a missing hidden relu' is the relu')."""
    right, net = d.result, d.network
    primes = sorted(
        (p for p in right.atoms(ActivationPrimeBase) if net.activation(int(p.args[0])).name != "identity"),
        key=sp.default_sort_key,
    )
    if not primes:
        return
    every = right.xreplace({p: sp.Integer(1) for p in primes})
    yield Mistake(
        "activation_derivative_missing", "the derivative of the activation, {0}, is missing", every, (primes[0],)
    )
    layers = sorted({int(p.args[0]) for p in primes})
    if len(layers) > 1:
        for layer in layers:
            mine = [p for p in primes if int(p.args[0]) == layer]
            dropped = right.xreplace({p: sp.Integer(1) for p in mine})
            yield Mistake(
                "activation_derivative_missing",
                "the derivative of the activation, {0}, is missing",
                dropped,
                (mine[0],),
            )


def _wrong_layer_input(d: Derivation | Local) -> Iterator[Mistake]:
    """dz_j^(l)/dw_jk^(l) is a_k^(l-1); the mistake takes the activation of layer l instead."""
    t, net = d.target, d.network
    if t.kind != "w":
        return
    layer, j, k = t.layer, t.indices[0], t.indices[1]
    right_input = A[layer - 1, k]
    options = [A[layer, k]] if k in net.neurons(layer) else []
    options += [A[layer, j]] if A[layer, j] not in options else []
    for wrong in options:
        formula = d.result.xreplace({right_input: wrong})
        yield Mistake(
            "wrong_layer",
            "{0} where {1} belongs: the weight's input comes from the layer before",
            formula,
            (wrong, right_input),
        )


def _swapped_indices(d: Derivation | Local) -> Iterator[Mistake]:
    t, net = d.target, d.network
    quantity = isinstance(d, Derivation) or d.of == C0 or isinstance(d.of, sp.Indexed)  # not d/dx of an expression
    if quantity and t.kind == "w" and t.indices[0] != t.indices[1]:
        swapped = Ref("w", t.layer, (t.indices[1], t.indices[0]))
        if swapped.indices[0] in net.neurons(t.layer) and swapped.indices[1] in net.neurons(t.layer - 1):
            if isinstance(d, Derivation):
                other = derive(net, swapped).result
            else:
                other = local_derivative(net, d.of, net.symbol(swapped))
            yield Mistake(
                "indices_swapped",
                "the indices are swapped: this is the derivative for {0}, not {1}",
                other,
                (net.symbol(swapped), net.symbol(t)),
            )
    weights = [w for w in d.result.atoms(sp.Indexed) if w.base == W and w != net.symbol(t)]
    flips = {}
    for w in weights:
        layer, j, k = (int(i) for i in w.indices)
        if j != k and k in net.neurons(layer) and j in net.neurons(layer - 1):
            flips[w] = W[layer, k, j]
    if flips:
        example = sorted(flips, key=sp.default_sort_key)[0]
        local = isinstance(d, Local)  # a factor of the chain has no sum: the weight's own indices are swapped
        yield Mistake(
            "indices_swapped" if local else "sum_wrong_index",
            "the weight's indices are swapped: {0} where {1} belongs"
            if local
            else "the sum runs over the wrong index of the weights: {0} where {1} belongs",
            d.result.xreplace(flips),
            (flips[example], example),
        )


def _one_term_of_sum(d: Derivation | Local) -> Iterator[Mistake]:
    """The sum over the next layer's neurons replaced by a single term (each choice in turn)."""
    for term, neuron in _single_paths(d):
        yield Mistake(
            "sum_missing",
            "the sum over j is missing: only the term for neuron {0} is kept",
            term,
            (sp.Integer(neuron),),
        )


def _single_paths(d: Derivation | Local) -> Iterator[tuple[sp.Expr, int]]:
    if len(d.chains) > 1:
        for chain in d.chains:
            yield chain.value, int(chain.factors[0].wrt.indices[-1])
        return
    for chain in d.chains:
        for position, factor in enumerate(chain.factors):
            if factor.deferred is None:
                continue
            others = sp.Mul(*(f.value for i, f in enumerate(chain.factors) if i != position))
            for inner, neuron in _single_paths(factor.deferred):
                yield others * inner, neuron
