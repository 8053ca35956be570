"""More of the usual mistakes, each made on purpose to the right answer (see ``diagnosis``): a spurious sigma'
with the cross-entropy, the derivative taken at the wrong neuron, the weight written for the input it multiplies,
and the logistic sigma' where the layer's activation is another.

Each yields a ``Mistake`` whose formula is the right answer with that one thing done wrong; the diagnosis names
the first that equals the claim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import sympy as sp

from ..derive.derivation import Derivation, derive
from ..model.network import Network
from ..model.references import Ref
from ..model.symbols import A, ActivationPrimeBase, W, Z, activation_functions

M = TypeVar("M")
Make = Callable[..., M]  # diagnosis.Mistake, passed in: this module is below the one that holds it
CROSS_ENTROPIES = ("cross_entropy", "binary_cross_entropy")


def more_mistakes(d: Any, mistake: Make[M]) -> Iterator[M]:
    """The mistakes of this module that fit ``d``, single ones."""
    yield from _spurious_prime(d, mistake)
    yield from _weight_for_input(d, mistake)
    yield from _wrong_neuron(d, mistake)
    yield from _wrong_output(d, mistake)
    yield from _logistic_for_another(d, mistake)
    yield from _wrong_input_neuron(d, mistake)
    yield from _weight_a_layer_off(d, mistake)


def _spurious_prime(d: Any, mistake: Make[M]) -> Iterator[M]:
    """Sigmoid or softmax with a cross-entropy: the output's error term a_j - y_j already has the activation's
    derivative in it; the mistake multiplies by sigma'(z_j^(L)) (for softmax, a_j (1 - a_j)) again. Looked for in
    the derivatives of the output layer's weights, biases and z's, and of the activations just below it."""
    net = d.network
    last, depth = net.activation(net.depth), net.depth
    if not isinstance(d, Derivation) or net.spec.cost not in CROSS_ENTROPIES or last.name not in ("sigmoid", "softmax"):
        return
    terms = []
    for j in net.neurons(depth):
        through = _into_output(net, d.target, j)
        if through == 0:
            continue
        delta = derive(net, Ref("z", depth, (j,))).result
        extra = A[depth, j] * (1 - A[depth, j]) if last.name == "softmax" else _prime(net, depth, j)  # "sigma'"
        terms.append(delta * extra * through)
    if terms:
        j = d.target.indices[0] if d.target.layer == depth and d.target.indices else net.neurons(depth)[0]
        shown = A[depth, j] * (1 - A[depth, j]) if last.name == "softmax" else _prime(net, depth, j)
        yield mistake(
            "spurious_activation_derivative",
            "an extra factor {0}: with the cross-entropy, the output's error term a_j - y_j already includes the "
            "activation's derivative, so it is not multiplied by it again",
            sp.Add(*terms),
            (shown,),
        )


def _into_output(net: Network, t: Ref, j: int) -> sp.Expr:
    """dz_j^(L)/d(target) for a target in or just below the output layer (0 for any other: the mistake is looked
    for where students make it, and differentiating a wide network's definitions to find it would take minutes)."""
    depth = net.depth
    if t.layer == depth and t.kind in "wzb":
        return sp.Integer(1 if not t.indices or t.indices[0] == j else 0) * (
            A[depth - 1, t.indices[1]] if t.kind == "w" else 1
        )
    if t.kind == "a" and t.layer == depth - 1:
        return W[depth, j, t.indices[0]]
    return sp.Integer(0)


def _prime(net: Network, layer: int, j: int) -> sp.Expr:
    return activation_functions(net.activation(layer).name)[1](layer, Z[layer, j])


def _weight_for_input(d: Any, mistake: Make[M]) -> Iterator[M]:
    """dz_j^(l)/dw_jk^(l) is a_k^(l-1), the input the weight multiplies; the mistake writes the weight itself."""
    t = d.target
    if t.kind != "w":
        return
    layer, j, k = t.layer, int(t.indices[0]), int(t.indices[1])
    right, wrong = A[layer - 1, k], W[layer, j, k]
    if d.result.has(right):
        yield mistake(
            "weight_for_input",
            "{0} where {1} belongs: the derivative of z = w a + b with respect to the weight is the input a it "
            "multiplies, not the weight",
            d.result.xreplace({right: wrong}),
            (wrong, right),
        )


def _wrong_neuron(d: Any, mistake: Make[M]) -> Iterator[M]:
    """The activation's derivative (or the output a_j) taken at another neuron of its layer: sigma'(z_k) where
    sigma'(z_j) belongs, the target's other index in its place."""
    net, t = d.network, d.target
    others = set(t.indices)
    for prime in sorted(d.result.atoms(ActivationPrimeBase), key=sp.default_sort_key):
        layer, argument = int(prime.args[0]), prime.args[1]
        if not (isinstance(argument, sp.Indexed) and argument.base == Z):
            continue
        j = int(argument.indices[1])
        for k in sorted(others - {j}):
            if k in net.neurons(layer):
                wrong = prime.func(prime.args[0], Z[layer, k])
                yield mistake(
                    "wrong_neuron",
                    "the derivative is taken at the wrong neuron: {0} where {1} belongs",
                    d.result.xreplace({prime: wrong}),
                    (wrong, prime),
                )


def _wrong_output(d: Any, mistake: Make[M]) -> Iterator[M]:
    """The output a_k^(L) written in the error term where a_j^(L) belongs, the target's other index in its place."""
    net, t = d.network, d.target
    depth = net.depth
    if t.kind != "w" or t.layer != depth:
        return
    j, k = int(t.indices[0]), int(t.indices[1])
    right = A[depth, j]
    if k != j and k in net.neurons(depth) and d.result.has(right):
        wrong = A[depth, k]
        yield mistake(
            "wrong_neuron",
            "the derivative is taken at the wrong neuron: {0} where {1} belongs",
            d.result.xreplace({right: wrong}),
            (wrong, right),
        )


def _logistic_for_another(d: Any, mistake: Make[M]) -> Iterator[M]:
    """sigma' read as the logistic sigmoid's derivative on a layer whose activation is another (tanh): the usual
    slip of copying a sigmoid network's formula."""
    net = d.network
    for layer in sorted({int(p.args[0]) for p in d.result.atoms(ActivationPrimeBase)}):
        act = net.activation(layer)
        if act.name == "sigmoid" or act.form is None:
            continue
        mine = [p for p in d.result.atoms(ActivationPrimeBase) if int(p.args[0]) == layer]
        logistic = {p: sp.exp(-p.args[1]) / (1 + sp.exp(-p.args[1])) ** 2 for p in mine}
        example = sorted(mine, key=sp.default_sort_key)[0]
        written = activation_functions("sigmoid")[1](layer, example.args[1])
        factor = (
            "the identity, whose derivative is 1: there is no such factor"
            if act.name == "identity"
            else f"{act.text}, so the factor is {{1}}"
        )
        yield mistake(
            "logistic_for_activation",
            "{0} is the logistic sigmoid's derivative, but this layer's activation is " + factor,
            d.result.xreplace(logistic),
            (written, example),
        )


MAX_NEIGHBOURS = 16  # a layer wider than this is not searched for the input taken from the wrong neuron


def _wrong_input_neuron(d: Any, mistake: Make[M]) -> Iterator[M]:
    """dC/dw_jk^(l) with the input a_k'^(l-1) of another neuron where a_k^(l-1) belongs: w_12 multiplies a_2, and
    the mistake writes a_1 (the weight's first index read as the input's)."""
    net, t = d.network, d.target
    if t.kind != "w" or net.layers[t.layer - 1] > MAX_NEIGHBOURS:
        return
    right = A[t.layer - 1, t.indices[1]]
    if not d.result.has(right):
        return
    for other in net.neurons(t.layer - 1):
        wrong = A[t.layer - 1, other]
        if wrong != right:
            yield mistake(
                "wrong_neuron",
                "{0} where {1} belongs: the weight w_jk multiplies the input from neuron k of the layer before",
                d.result.xreplace({right: wrong}),
                (wrong, right),
            )


def _weight_a_layer_off(d: Any, mistake: Make[M]) -> Iterator[M]:
    """The weights of the layer below written where the layer's own belong: dC_0/da^(L-1) goes through w^(L), the
    weights a^(L-1) feeds, and the mistake writes w^(L-1)."""
    net = d.network
    found = sorted((w for w in d.result.atoms(sp.Indexed) if w.base == W), key=sp.default_sort_key)
    moved = {}
    for w in found:
        layer, j, k = (int(i) for i in w.indices)
        if layer > 1 and j in net.neurons(layer - 1) and k in net.neurons(layer - 2):
            moved[w] = W[layer - 1, j, k]
    if moved:
        example = found[0] if found[0] in moved else next(iter(moved))
        yield mistake(
            "wrong_layer",
            "the wrong layer: {0} where {1} belongs (the weights the activation feeds are the next layer's)",
            d.result.xreplace(moved),
            (moved[example], example),
        )
