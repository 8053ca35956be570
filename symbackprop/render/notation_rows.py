"""The notation table of a network's documents: the symbols a derivation uses and what each means, as the source
texts tabulate them, in words and expressions that ``context`` prints."""

from __future__ import annotations

import sympy as sp

from ..model import activations
from ..model.network import Network
from ..model.symbols import C0, A, B, W, Y, Z, activation_functions

Words = tuple[str | sp.Basic, ...]  # a sentence: str parts are prose, SymPy parts are mathematics


def notation_rows(net: Network) -> list[tuple[sp.Expr, Words]]:
    """The symbols a derivation uses and what each means, as the source texts tabulate them; a network of one
    neuron per layer is written without neuron subscripts, so its table is too."""
    if all(n == 1 for n in net.layers):
        return _chain_rows(net)
    j, k, l = sp.symbols("j k l")
    before = sp.Symbol("l-1")
    target = (
        (Y[j], ("the target value of the output neuron, for one training sample",))
        if net.layers[-1] == 1
        else (Y[j], ("the target value of output neuron ", j, ", for one training sample"))
    )
    rows: list[tuple[sp.Expr, Words]] = [
        _output_row(net),
        (l, ("a layer",)),
        (j, ("a neuron of layer ", l, f" (numbered from {net.spec.index_base})")),
        (k, ("a neuron of the layer before, ", before)),
        target,
        (C0, ("the cost of one training sample",)),
        (W[l, j, k], ("the weight from neuron ", k, " of layer ", before, " to neuron ", j, " of layer ", l)),
    ]
    if net.spec.bias == "neuron":
        rows.append((B[l, j], ("the bias of neuron ", j, " in layer ", l)))
    elif net.spec.bias == "layer":
        rows.append((B[l], ("the bias shared by the neurons of layer ", l)))
    rows += [
        (Z[l, j], ("the weighted input of neuron ", j, " in layer ", l)),
        (A[l, j], ("the activation of neuron ", j, " in layer ", l, "; the input layer's are the inputs")),
    ]
    return rows + _function_rows(net, Z[l, j])


def _chain_rows(net: Network) -> list[tuple[sp.Expr, Words]]:
    """The notation of a network with one neuron per layer: w^(l), b^(l), z^(l), a^(l) and y, no subscripts."""
    l, before = sp.Symbol("l"), sp.Symbol("l-1")
    rows: list[tuple[sp.Expr, Words]] = [
        _output_row(net),
        (l, ("a layer",)),
        (sp.Symbol("y"), ("the target value of the output neuron, for one training sample",)),
        (C0, ("the cost of one training sample",)),
        (W[l], ("the weight from the neuron of layer ", before, " to the neuron of layer ", l)),
    ]
    if net.spec.bias != "none":
        rows.append((B[l], ("the bias of the neuron of layer ", l)))
    rows += [
        (Z[l], ("the weighted input of the neuron of layer ", l)),
        (A[l], ("the activation of the neuron of layer ", l, "; the input layer's is the input")),
    ]
    return rows + _function_rows(net, Z[l])


def _output_row(net: Network) -> tuple[sp.Expr, Words]:
    after = "is 1 layer" if net.depth == 1 else f"are {net.depth} layers"
    last = net.notation.layer(net.depth, net.depth)
    if last == "L":
        return sp.Symbol("L"), (f"the output layer (there {after} after the input)",)
    first = net.notation.layer(0, net.depth)
    return sp.Symbol("L"), (f"the output layer, numbered {last} (the input layer is numbered {first})",)


def _function_rows(net: Network, z: sp.Expr) -> list[tuple[sp.Expr, Words]]:
    """One row per named elementwise activation the network uses: sigma(z_j^(l)) and what it is; e for softmax."""
    l = sp.Symbol("l")
    rows: list[tuple[sp.Expr, Words]] = []
    for name in dict.fromkeys(net.activation(layer).name for layer in range(1, net.depth + 1)):
        act = activations.activation(name)
        if act.elementwise:
            rows.append((activation_functions(name)[0](l, z), (f"the activation function ({name})",)))
        else:  # softmax writes its outputs, and a fully expanded result, with e to a power
            euler = "the base of the natural logarithm, 2.71828... (softmax is written with powers of e)"
            rows.append((sp.Symbol("e"), (euler,)))
    return rows
