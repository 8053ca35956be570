"""How much work a request is, decided before any of it starts.

An element-by-element derivation is a sum over every path from the quantity to the cost,
and its proof differentiates the cost composed over every parameter. Past the limits here a
request is refused at once, with its size and what to ask for instead, rather than running
for minutes or exhausting memory. The limits and the times behind them are in docs/limits.md.
"""

from __future__ import annotations

from .errors import SpecError
from .network import Network
from .references import Ref, layer_name

MAX_PATHS = 10_000  # terms of a written-out derivation
MAX_PROOF_PARAMETERS = 1_500  # parameters the proof of one element composes (about 20 s at this size)
MAX_ALL_PARAMETERS = 600  # a --wrt all document proves one element or more per layer
GENERAL = "--wrt 'w_{jk}^{(l)}'"
MAX_NUMERIC_PARAMETERS = 400  # evaluate and gradcheck lambdify every element's formula (about 25 s at this size)


def paths(net: Network, ref: Ref) -> int:
    """How many chains lead from ``ref`` to the cost: each neuron of each later layer is a branch."""
    first = ref.layer + 1 if ref.kind == "a" else ref.layer
    count = 1 if ref.kind != "b" or ref.indices else net.layers[ref.layer]
    for layer in range(max(first, 1), net.depth + 1):
        later = layer > ref.layer or ref.kind == "a"
        width = net.layers[layer] if later else 1
        coupled = net.layers[layer] if not net.activation(layer).elementwise else 1
        count *= width * coupled
    return count


def parameters(net: Network) -> int:
    """Every weight and bias, the size of the composed cost a proof differentiates."""
    layers, bias = net.layers, net.spec.bias
    weights = sum(n * m for n, m in zip(layers[1:], layers, strict=False))
    biases = {"neuron": sum(layers[1:]), "layer": len(layers) - 1, "none": 0}[bias]
    return weights + biases


def check_element(net: Network, ref: Ref, text: str) -> None:
    """Refuse a derivation of one element that would be too large to tell or to prove."""
    count, size = paths(net, ref), parameters(net)
    shape = "-".join(str(n) for n in net.layers)
    if count > MAX_PATHS:
        raise SpecError(
            f"{text} reaches the cost along {count:,} paths in this {shape} network; a derivation written out "
            f"over more than {MAX_PATHS:,} paths is refused: ask for an element of a later layer "
            f"(layer {layer_name(net.depth, net.depth)}'s are one path each), or the general form, {GENERAL}"
        )
    if size > MAX_PROOF_PARAMETERS:
        raise SpecError(
            f"this {shape} network has {size:,} weights and biases; proving a derivation means differentiating "
            f"the cost composed over all of them, which is refused above {MAX_PROOF_PARAMETERS:,}: ask for the "
            f"general form, which holds at any size, {GENERAL}; codegen gives the numbers"
        )


def check_all(net: Network) -> None:
    """Refuse a --wrt all document for a network too large to derive layer by layer."""
    size = parameters(net)
    if size > MAX_ALL_PARAMETERS:
        shape = "-".join(str(n) for n in net.layers)
        raise SpecError(
            f"--wrt all on this {shape} network ({size:,} weights and biases) is refused above "
            f"{MAX_ALL_PARAMETERS:,}: ask for the general form, {GENERAL}, or single elements"
        )


def check_numeric(net: Network, command: str) -> None:
    """Refuse evaluate or gradcheck where lambdifying every element's derivation would take minutes."""
    size = parameters(net)
    if size > MAX_NUMERIC_PARAMETERS:
        shape = "-".join(str(n) for n in net.layers)
        raise SpecError(
            f"{command} computes every element's own formula; this {shape} network has {size:,} weights and "
            f"biases, and more than {MAX_NUMERIC_PARAMETERS:,} is refused: use codegen for the gradient of any size"
        )
