"""How much work a request is, decided before any of it starts.

An element-by-element derivation is a sum over every path from the quantity to the cost; its
document writes the result out in the inputs and parameters, which for a deep network is a tree
whose size grows with the product of the layers' widths, and its numbers lambdify the result.
Each of those costs time in proportion to a size measured here, cheaply, on the derivation's
shared form. Past the limits a request is refused at once, with its size and what to ask for
instead, rather than running for minutes or exhausting memory. The limits and the times behind
them are in docs/limits.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from ..base.errors import SpecError
from ..base.trees import count_nodes, tree_size
from ..model.network import Network
from ..model.references import Ref, layer_name
from .derivation import derive

if TYPE_CHECKING:
    from .derivation import Derivation

MAX_PATHS = 4_000  # terms of a written-out derivation
MAX_TELLING = 25_000  # factors of the Σ forms a LaTeX or Markdown document states for a derivation's steps
DOCUMENTS = ("tex", "tex-body", "md", "pdf", "html")
MAX_EXPANDED = 1_000_000  # nodes of the result written out in inputs and parameters (a document sizes it up)
MAX_DERIVE_PARAMETERS = 1_500  # parameters the proof of one element composes
# verify: above 200 weights and biases or 3,000 nodes of composed cost, a claim is decided at points modulo a
# prime with the forward pass worked out at each (prove/field_network.py), about one multiplication per weight
# a point; this bounds that work (784-128-64-10: 109,386)
MAX_CLAIM_PARAMETERS = 250_000
MAX_CLAIM_LAYERS = 16  # verify: layers after the input
MAX_ALL_PARAMETERS = 600  # a --wrt all document proves one element or more per layer
ALL_ELEMENTS = 40  # above this many weights and biases, --wrt all gives general formulas and a sample
MAX_ALL_WORK = 50_000  # nodes of the results a --wrt all document derives and proves, summed
MAX_ALL_STEPS = 300  # layers each of those elements' derivation runs through, summed
MAX_NUMERIC_PARAMETERS = 400  # evaluate and gradcheck lambdify every element's formula
MAX_NUMERIC_NODES = 600_000  # nodes of all those formulas together
MAX_SECOND_WORK = 1_000_000  # nodes of a first derivative, times the quantities and layers it is differentiated by
GENERAL = "--wrt 'w_{jk}^{(l)}'"


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


def expanded_size(net: Network, ref: Ref) -> int:
    """Nodes of the derivation's result written out in inputs, parameters and targets, as a document does."""
    return _expanded_size(derive(net, ref))


def _expanded_size(d: Derivation) -> int:
    memo: dict[sp.Basic, int] = {}
    sizes = {symbol: count_nodes(value, memo) for symbol, value in d.network.forward_map(d.start, None).items()}
    return tree_size(d.result, sizes)


def result_size(net: Network, ref: Ref) -> int:
    """Nodes of the derivation's result in the intermediate symbols: what lambdify and the printers walk."""
    return tree_size(derive(net, ref).result)


def shape(net: Network) -> str:
    return "-".join(str(n) for n in net.layers)


def _deep(net: Network) -> str:
    return f"this {shape(net)} network ({net.depth} layers after the input)"


def telling(d: Derivation) -> int:
    """The work of telling a derivation in a document: each step it relies on (one per neuron of the layers
    above) states its Σ form, a product as long as the layers between it and the output, squared to build."""
    depth = d.network.depth
    return sum((depth - sub.target.layer) ** 2 for sub in d.subderivations()) + (depth - d.target.layer + 1) ** 2


def check_element(net: Network, ref: Ref, text: str, fmt: str = "text") -> None:
    """Refuse a derivation of one element that would be too large to tell, write out or prove; a LaTeX or
    Markdown document (``fmt``) also states the Σ form of every step."""
    _check_paths(net, ref, text)
    d = derive(net, ref)
    if fmt in DOCUMENTS:
        work = telling(d)
        if work > MAX_TELLING:
            raise SpecError(
                f"a {fmt} document of {text} on {_deep(net)} states the Σ form of each of its "
                f"{len(d.subderivations())} steps, {work:,} factors to build in all; above "
                f"{MAX_TELLING:,} it is refused: ask for it as text (the default), the general form, {GENERAL}, "
                "or a network with fewer layers"
            )
    size = _expanded_size(d)
    if size > MAX_EXPANDED:
        raise SpecError(
            f"{text}'s result, written out in the inputs and parameters of {_deep(net)}, has {size:,} nodes; "
            f"above {MAX_EXPANDED:,} it is refused (each layer multiplies the size by the width below it): "
            f"ask for the general form, {GENERAL}, the matrix form with codegen, or a network with fewer layers"
        )


def _check_paths(net: Network, ref: Ref, text: str) -> None:
    count = paths(net, ref)
    if count > MAX_PATHS:
        raise SpecError(
            f"{text} reaches the cost along {count:,} paths in {_deep(net)}; a derivation written out "
            f"over more than {MAX_PATHS:,} paths is refused: ask for an element of a later layer "
            f"(layer {layer_name(net.depth, net.depth)}'s are one path each), or the general form, {GENERAL}"
        )
    _check_parameters(net)


def _check_parameters(net: Network) -> None:
    size = parameters(net)
    if size > MAX_DERIVE_PARAMETERS:
        raise SpecError(
            f"this {shape(net)} network has {size:,} weights and biases; proving a derivation means "
            f"differentiating the cost composed over all of them, which is refused above {MAX_DERIVE_PARAMETERS:,}: "
            f"ask for the general form, which holds at any size, {GENERAL}; codegen gives the numbers"
        )


def check_claim(net: Network) -> None:
    """Refuse checking a claim on a network where deciding it, with a counterexample and a diagnosis, takes long:
    by its parameters (each point of the identity test works out the forward pass), and by its depth."""
    size = parameters(net)
    if size > MAX_CLAIM_PARAMETERS:
        raise SpecError(
            f"this {shape(net)} network has {size:,} weights and biases; claims are checked on networks of up to "
            f"{MAX_CLAIM_PARAMETERS:,}: check the claim on a narrower network of the same depth, or use the "
            f"general form, derive {GENERAL}"
        )
    if net.depth > MAX_CLAIM_LAYERS:
        raise SpecError(
            f"{_deep(net)} is deeper than the {MAX_CLAIM_LAYERS} layers claims are checked on (the time grows "
            f"with every layer): check the claim on a network with fewer layers, or use the general form, "
            f"derive {GENERAL}"
        )


def all_elements(net: Network, limit: int = ALL_ELEMENTS) -> list[Ref]:
    """The elements a --wrt all document derives: every one, or past ``limit`` a weight and a bias per layer."""
    params = net.parameters()
    if len(params) <= limit:
        return params
    chosen: list[Ref] = []
    for layer in range(net.depth, 0, -1):
        refs = [r for r in params if r.layer == layer]
        chosen += dict.fromkeys(refs[:1] + [r for r in refs if r.kind == "b"][:1])
    return chosen


def check_all(net: Network) -> None:
    """Refuse a --wrt all document for a network too large to derive layer by layer."""
    size = parameters(net)
    if size > MAX_ALL_PARAMETERS:
        raise SpecError(
            f"--wrt all on this {shape(net)} network ({size:,} weights and biases) is refused above "
            f"{MAX_ALL_PARAMETERS:,}: ask for the general form, {GENERAL}, or single elements"
        )
    refs = all_elements(net)
    widest = max(refs, key=lambda r: paths(net, r))
    if paths(net, widest) > MAX_PATHS:
        raise SpecError(
            f"--wrt all on {_deep(net)} derives {layer_name(widest.layer, net.depth)}'s elements along "
            f"{paths(net, widest):,} paths each, and more than {MAX_PATHS:,} is refused: ask for the general form, "
            f"{GENERAL}, or a network with fewer layers"
        )
    steps = sum(net.depth - r.layer + 1 for r in refs)
    if steps > MAX_ALL_STEPS:
        raise SpecError(
            f"--wrt all on {_deep(net)} derives and proves {len(refs)} elements, each through every layer above "
            f"it, {steps:,} layer steps in all; above {MAX_ALL_STEPS:,} it is refused: ask for the general form, "
            f"{GENERAL}, single elements, or a network with fewer layers"
        )
    work = sum(result_size(net, r) for r in refs)
    if work > MAX_ALL_WORK:
        raise SpecError(
            f"--wrt all on {_deep(net)} derives and proves {len(refs)} elements whose results have {work:,} "
            f"nodes together; above {MAX_ALL_WORK:,} it is refused: ask for the general form, {GENERAL}, "
            "single elements, or a network with fewer layers"
        )


def check_numeric(net: Network, command: str) -> None:
    """Refuse evaluate or gradcheck where lambdifying every element's derivation would take minutes."""
    size = parameters(net)
    if size > MAX_NUMERIC_PARAMETERS:
        raise SpecError(
            f"{command} computes every element's own formula; this {shape(net)} network has {size:,} weights and "
            f"biases, and more than {MAX_NUMERIC_PARAMETERS:,} is refused: use codegen for the gradient of any size"
        )
    longest = max(paths(net, r) for r in net.parameters())
    nodes = sum(result_size(net, r) for r in net.parameters()) if longest <= MAX_NUMERIC_NODES else longest
    if nodes > MAX_NUMERIC_NODES:
        least = "" if longest <= MAX_NUMERIC_NODES else "at least "
        raise SpecError(
            f"{command} computes every element's own formula; in {_deep(net)} they have {least}{nodes:,} nodes "
            f"together (each layer multiplies the first layer's by its width), and more than "
            f"{MAX_NUMERIC_NODES:,} is refused: use codegen for the gradient of any size, or fewer layers"
        )


def check_second(net: Network, first: Ref, second: Ref, text: str) -> None:
    """Refuse a second derivative whose chain rule would take long: it differentiates the first derivative's
    result by each quantity it is written in, each time a walk over the whole result whose products are as
    long as the layers it runs through."""
    _check_paths(net, first, text)
    result = derive(net, first).result
    nodes, quantities, layers = tree_size(result), len(result.atoms(sp.Indexed)), net.depth - first.layer + 1
    work = nodes * quantities * layers
    if work > MAX_SECOND_WORK:
        raise SpecError(
            f"a second derivative of {text} on {_deep(net)} differentiates a first derivative of {nodes:,} "
            f"nodes through {layers} layers by each of its {quantities} quantities, {work:,} steps in all; above "
            f"{MAX_SECOND_WORK:,} it is refused: ask for an element of a later layer, a network with fewer or "
            "narrower layers, or the first derivative alone"
        )
