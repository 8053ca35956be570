"""A dense network as a computation graph: one sample's cost C_0, element by element.

The leaves are the inputs a_k^(0), the targets y_j and every weight and bias; the nodes are each weighted input
z_j^(l) = sum_k w_jk^(l) a_k^(l-1) + b_j^(l), each activation a_j^(l) (a softmax as its own formula over the
layer's z's) and the cost, the output. Each name is the quantity's LaTeX in the network's notation with the layer
written first (``w^{(L)}_{12}``, which LaTeX sets as w_{12}^{(L)}, and which reads as w^{(L)}_12 in plain text);
``graph_name`` gives the name of a reference.

The graph also holds what the layer-by-layer engine does not model (``spec_links``): a skip connection is one
more term a_j^(from) in z_j^(to), and a tied parameter is one leaf (the parameter it is tied to) that several z's
use, so its gradient is the sum over its uses.

>>> from symbackprop.model.network import Network
>>> net = Network(layers=[1, 1], values={"x": [0.5], "y": [1.0], "weights": [[[0.2]]], "biases": [[0.1]]})
>>> g = network_graph(net)
>>> g.leaves
('a^{(L-1)}', 'y', 'w^{(L)}', 'b^{(L)}')
>>> [f"{node.name} = {node.expression}" for node in g.nodes]
['z^{(L)} = a^{(L-1)}*w^{(L)} + b^{(L)}', 'a^{(L)} = sigmoid(z^{(L)})', 'C_0 = (a^{(L)} - y)**2']
>>> g.values["w^{(L)}"], g.output
(0.2, 'C_0')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import sympy as sp

from ..base.errors import SpecError
from .graph import MAX_LEAVES, MAX_NODES, Graph
from .graph_functions import relu, sigmoid
from .graph_reading import name_key
from .graph_spec import GraphClaims, GraphSpec
from .network import Network
from .printing import printers
from .references import Ref, all_parameters
from .spec import Values
from .symbols import C0, A, Y, Z

_CLAIMS = {"cost": "", "values": "az", "gradients": "wbaz"}  # the [claims] a graph of C_0 checks, and their kinds
_SCRIPTED = re.compile(r"^(?P<base>[^_^]+)(?P<sub>_\{[^{}]*\})?\^(?P<sup>\{.*\})$")


def network_graph(net: Network, sample: int = 0, values: Values | None = None) -> Graph:
    """The graph of C_0 for sample ``sample``, its leaves numbered from ``values`` (the spec's [values] unless
    given; a graph without numbers when there are none)."""
    generic = [layer for layer in range(1, net.depth + 1) if net.activation(layer).generic]
    if generic:
        raise SpecError(
            f"layer {generic[0]} has the generic activation g, which has no formula for a graph to work with; "
            "name the activation (sigmoid, tanh, relu, ...)"
        )
    leaf_count = net.layers[0] + net.layers[-1] + len(net.parameters())
    if leaf_count > MAX_LEAVES or 2 * sum(net.layers[1:]) + 1 > MAX_NODES:
        raise SpecError(
            f"the network's graph would have {leaf_count:,} inputs and parameters and "
            f"{2 * sum(net.layers[1:]) + 1:,} nodes; a graph has at most {MAX_LEAVES:,} of each"
        )
    name = _namer(net)
    tied = tied_parameters(net)
    # layer by layer from the first, in each its weights row by row, then its biases
    parameters = sorted((ref for ref in all_parameters(net.spec) if ref not in tied), key=lambda ref: ref.layer)
    leaf = {ref: sp.Symbol(name(net.symbol(ref)), real=True) for ref in parameters}
    leaf |= {ref: leaf[source] for ref, source in tied.items()}
    acts = {0: [sp.Symbol(name(A[0, k]), real=True) for k in net.neurons(0)]}
    targets = [sp.Symbol(name(Y[j]), real=True) for j in net.neurons(net.depth)]
    nodes: list[tuple[sp.Symbol, sp.Expr]] = []
    for layer in range(1, net.depth + 1):
        skipped = [acts[skip.source] for skip in net.spec.skips if skip.target == layer]
        below = list(zip(net.neurons(layer - 1), acts[layer - 1], strict=True))
        zs = []
        for n, j in enumerate(net.neurons(layer)):
            terms = [leaf[Ref("w", layer, (j, k))] * a for k, a in below]
            if net.spec.bias != "none":
                terms.append(leaf[Ref("b", layer, (j,) if net.spec.bias == "neuron" else ())])
            zs.append(sp.Symbol(name(Z[layer, j]), real=True))
            nodes.append((zs[-1], sp.Add(*terms, *(source[n] for source in skipped))))
        acts[layer] = [sp.Symbol(name(A[layer, j]), real=True) for j in net.neurons(layer)]
        nodes += zip(acts[layer], _activated(net, layer, zs), strict=True)
    cost = sp.Symbol(name(C0), real=True)
    nodes.append((cost, net.cost.per_sample(acts[net.depth], targets)))
    leaves = [*acts[0], *targets, *(leaf[ref] for ref in parameters)]
    _distinct([*leaves, *(symbol for symbol, _ in nodes)])
    given = values if values is not None else net.spec.values
    numbers = _numbers(net, sample, given, parameters) if given is not None else None
    named = dict(zip((s.name for s in leaves), numbers, strict=True)) if numbers is not None else None
    return Graph.from_expressions(nodes, leaves, cost, named, net.spec.extras.get("title"))


def network_spec(net: Network) -> GraphSpec:
    """The graph spec the commands work a network with skip connections or tied weights as: its graph, and the
    spec's [claims] (cost, values and gradients) by the graph's names."""
    values = net.spec.values
    if values is not None and values.x.shape[0] != 1:
        raise SpecError(
            f"values: {values.x.shape[0]} samples; a network with skip or tie is worked as the graph of one "
            "sample's cost C_0, so give [values] one sample (x and y each a list of numbers)"
        )
    graph = network_graph(net)
    table = net.spec.extras.get("claims")
    if table is not None and values is None:
        raise SpecError("claims: the spec needs a [values] table for its numbers to be checked")
    claims = _claims(net, graph, table) if table is not None else None
    return GraphSpec(graph, claims, net.spec.extras.get("author"), lambda written: _named(net, written))


def _named(net: Network, written: str) -> str | None:
    """The graph's name of a reference written in the network's notation (w_{12}^{(L)}), or None if it is not one."""
    try:
        return graph_name(net, net.ref(written))
    except SpecError:
        return None


def graph_name(net: Network, ref: Ref) -> str:
    """The graph's name of a weight, bias, activation or weighted input; a tied parameter's is the name of the
    parameter it is tied to (the one leaf both are)."""
    return _namer(net)(net.symbol(tied_parameters(net).get(ref, ref)))


def tied_parameters(net: Network) -> dict[Ref, Ref]:
    """Each tied weight or bias -> the one whose value it takes."""
    return {Ref(*tied): Ref(*source) for tie in net.spec.ties for tied, source in tie.pairs}


def _namer(net: Network) -> Callable[[sp.Expr], str]:
    """A quantity's name: the notation's LaTeX with the layer first (w_{12}^{(L)} is named w^{(L)}_{12})."""
    tex = printers(net.notation, net.layers)[1]

    def name(quantity: sp.Expr) -> str:
        printed = tex.doprint(quantity)
        m = _SCRIPTED.match(printed)
        if m is not None:
            return f"{m['base']}^{m['sup']}{m['sub'] or ''}"
        try:  # y_{0} and C_0 as a graph spells them (y_0), so --wrt and a claim find them
            return name_key(printed, "name")
        except SpecError:
            return printed

    return name


def _activated(net: Network, layer: int, zs: list[sp.Symbol]) -> list[sp.Expr]:
    """Each a_j^(l) in the layer's z's: σ and ReLU as the graph's own functions (so a derivation writes
    σ(z)(1 - σ(z))), softmax as e^{z_j} over the sum, leaky ReLU as s z + (1 - s) ReLU(z) (one formula, where the
    catalogue's has two pieces, which a graph's proof cannot take), the rest as the catalogue's."""
    act = net.activation(layer)
    if not act.elementwise:
        total = sp.Add(*(sp.exp(z) for z in zs))
        return [sp.exp(z) / total for z in zs]
    if act.name in ("sigmoid", "relu"):
        function = sigmoid if act.name == "sigmoid" else relu
        return [function(z) for z in zs]
    assert act.form is not None  # network_graph refuses the generic g
    if act.name.startswith("leaky_relu"):
        slope = -act.form(sp.Integer(-1))  # the leak: s z at z = -1
        return [slope * z + (1 - slope) * relu(z) for z in zs]
    return [act.form(z) for z in zs]


def _numbers(net: Network, sample: int, values: Values, parameters: list[Ref]) -> list[float]:
    """The leaves' numbers for one sample: its inputs and targets, then each parameter that is not tied."""
    if type(sample) is not int or not 0 <= sample < values.x.shape[0]:
        raise SpecError(f"sample: the values have samples 0 to {values.x.shape[0] - 1}, got {sample!r}")
    base = net.spec.index_base
    numbers = [*values.x[sample], *values.y[sample]]
    for ref in parameters:
        at = tuple(i - base for i in ref.indices)
        table = values.weights if ref.kind == "w" else values.biases
        numbers.append(table[ref.layer - 1][at if at else 0])
    return [float(number) for number in numbers]


def _claims(net: Network, graph: Graph, table: Any) -> GraphClaims:
    """The network's [claims] as the graph's: the cost is C_0's value, each reference the graph's name."""
    if not isinstance(table, Mapping):
        raise SpecError("claims: must be a table")
    unknown = sorted(set(table) - set(_CLAIMS))
    if unknown:
        raise SpecError(
            f"claims.{unknown[0]}: a network with skip or tie is checked as the graph of one sample's cost C_0, "
            "whose claims are cost, values and gradients, each within half a unit of its last written digit"
        )
    found: dict[str, dict[str, Decimal]] = {"values": {}, "gradients": {}}
    if "cost" in table:
        found["values"][graph.output] = _decimal("claims.cost", table["cost"])
    for section in ("values", "gradients"):
        entries = table.get(section, {})
        if not isinstance(entries, Mapping):
            raise SpecError(f"claims.{section}: must be a table of reference = number")
        for text, number in entries.items():
            where = f"claims.{section}.{text!r}"
            try:
                ref = net.ref(text)
            except SpecError as err:
                raise SpecError(f"claims.{section}: {err}") from None
            if ref.kind not in _CLAIMS[section] or (section == "values" and ref.layer == 0):
                raise SpecError(f"{where}: not a quantity this table takes ({', '.join(_CLAIMS[section])}, not inputs)")
            key = graph_name(net, ref)
            if key in found[section]:
                raise SpecError(f"{where}: the number of {key} is claimed twice (a tied parameter is one number)")
            found[section][key] = _decimal(where, number)
    return GraphClaims(found["values"], found["gradients"])


def _decimal(where: str, value: Any) -> Decimal:
    """A claimed number with the digits it was written with (a spec's [claims] are read as Decimals)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise SpecError(f"{where}: must be a number, got {value!r:.40}")
    number = Decimal(value)
    if not number.is_finite():
        raise SpecError(f"{where}: must be a finite number, got {value!r:.40}")
    return number


def _distinct(symbols: list[sp.Symbol]) -> None:
    """Every name once: the notation's printing tells every quantity apart."""
    seen: set[str] = set()
    for symbol in symbols:
        if symbol.name in seen:
            raise SpecError(f"the network's graph would name two quantities {symbol.name}")
        seen.add(symbol.name)
