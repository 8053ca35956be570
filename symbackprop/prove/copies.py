"""The copy of a network the general and matrix forms are proven on: a layer of each kind the forms state an
equation for, each layer at most a few neurons wide, so that proving every instance on the copy proves every
instance on the network, in seconds whatever its size."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from ..derive.bounds import shape
from ..model.network import Network

PROOF_WIDTH = 3  # the copy the general and matrix forms are proven on: neurons per layer
PROOF_OUTPUT_WIDTH = 64  # its output layer's, when the cost depends on that width (mse's 1/n_L): 3 s at 40


@dataclass(frozen=True)
class ProofCopy:
    """The network a general or matrix form is proven on, in words for a document, and the kinds of layer it
    keeps (every kind the forms state an equation for)."""

    network: Network
    description: str
    kinds: tuple[str, ...]


def layer_kinds(net: Network) -> dict[str, int]:
    """The kinds of layer the forms state equations for, each with the first layer of that kind: the output
    layer, the first layer (whose inputs are the network's), a softmax hidden layer, an elementwise one."""
    kinds = {"the output layer": net.depth}
    hidden = range(1, net.depth)
    if hidden:
        kinds["the first layer"] = 1
    for name, elementwise in (("a softmax hidden layer", False), ("an elementwise hidden layer", True)):
        first = next((m for m in hidden if net.activation(m).elementwise == elementwise), None)
        if first is not None:
            kinds[name] = first
    return kinds


def proof_copy(net: Network, widest: int = PROOF_WIDTH) -> ProofCopy:
    """A copy of ``net`` with a layer of each kind the forms distinguish and each layer at most ``widest`` neurons
    wide (a softmax layer at least 2): its output layer, its first layer, and its first softmax and first
    elementwise hidden layer, with their activations and this cost.

    The general and matrix forms state one equation per kind of layer, the same for every layer of the kind,
    so proving every instance of them on the copy proves every instance on this network; a proof's time grows
    with every layer and neuron.
    """
    kinds = layer_kinds(net)
    kept = sorted({0, *kinds.values()})
    if sum(not net.activation(m).elementwise for m in kept[1:]) > 1:  # coupled layers feeding coupled ones
        widest = min(widest, 2)
    layers = tuple(
        min(net.layers[m], widest) if m == 0 or net.activation(m).elementwise else max(2, min(net.layers[m], widest))
        for m in kept
    )
    output = _output_width(net, layers[-1])
    layers = (*layers[:-1], output)
    names = net.spec.activations
    activations = tuple(names[m - 1] for m in kept[1:])
    small = Network.from_spec(replace(net.spec, layers=layers, activations=activations, values=None, extras={}))
    if layers == net.layers:
        return ProofCopy(small, "this network", tuple(kinds))
    width = f"at most {widest} neurons wide" + (f", the output layer its own {output}" if output > widest else "")
    if len(kept) == len(net.layers):
        description = f"the {shape(small)} network ({width}) with this one's activations and cost"
    else:
        which = ", ".join(net.notation.layer(m, net.depth) for m in kept[1:])
        description = (
            f"the {shape(small)} network made of this one's input and layers {which} ({width}), "
            "with their activations and this cost"
        )
    if output != net.layers[-1] and _width_dependent(net):
        description += (
            f" (the cost's derivative depends on the output layer's width, and is proven there for {output} "
            f"neurons, not this network's {net.layers[-1]})"
        )
    return ProofCopy(small, description, tuple(kinds))


def _width_dependent(net: Network) -> bool:
    """Whether the cost's term depends on the output layer's width, as the mean squared error's 1/n_L does."""
    a, y = sp.symbols("a y")
    return net.cost.term(a, y, 2) != net.cost.term(a, y, 3)


def _output_width(net: Network, narrowed: int) -> int:
    """The copy's output width: the network's own when the cost depends on it, up to PROOF_OUTPUT_WIDTH."""
    own = net.layers[-1]
    return own if _width_dependent(net) and own <= PROOF_OUTPUT_WIDTH else narrowed
