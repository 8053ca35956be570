"""A dense network as a computation graph (``dense_graph``): the graph's gradients are the dense engine's, for
random architectures, activations, costs, bias conventions and numberings, symbolically (at exact rational
points, to 40 digits) and in floating point; with random skip connections and tied weights they are PyTorch
autograd's, from a forward pass written here independently of both.

Every activation of the catalogue but the generic g is covered: g has no formula, so its graph could give no
numbers and a graph's proof could not tell it from any other function; ``network_graph`` refuses it in one line.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.base.errors import SpecError
from symbackprop.derive.derivation import derive
from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.model.dense_graph import graph_name, network_graph, tied_parameters
from symbackprop.model.graph_functions import plain
from symbackprop.model.references import Ref
from symbackprop.model.spec import Values
from symbackprop.model.symbols import A, Y
from symbackprop.numeric import numbers as numeric
from symbackprop.numeric.graph_numbers import graph_numbers

from ..strategies import networks

DIGITS = 40


@st.composite
def exact_values(draw, net: sbp.Network) -> Values:
    """One sample of numbers that floats hold exactly (sixteenths), so the graph's leaves and the exact point
    agree: inputs and parameters in [-1, 1], targets in (0, 1)."""

    def numbers(count: int, low: int = -16, high: int = 16) -> np.ndarray:
        return np.array(draw(st.lists(st.integers(low, high), min_size=count, max_size=count)), float) / 16

    n = net.layers
    y = numbers(n[-1], 1, 15)
    weights = tuple(numbers(n[l] * n[l - 1]).reshape(n[l], n[l - 1]) for l in range(1, len(n)))
    width = {"neuron": None, "layer": 1, "none": 0}[net.spec.bias]
    biases = tuple(numbers(n[l] if width is None else 1) for l in range(1, len(n))) if width != 0 else ()
    return Values(numbers(n[0]).reshape(1, -1), y.reshape(1, -1), weights, biases)


def exact_point(net: sbp.Network, values: Values) -> dict[sp.Basic, sp.Rational]:
    """The network's leaves (inputs, targets, parameters) at ``values``, as exact rationals."""
    base = net.spec.index_base
    point = {A[0, k]: values.x[0][k - base] for k in net.neurons(0)}
    point |= {Y[j]: values.y[0][j - base] for j in net.neurons(net.depth)}
    for ref in net.parameters():
        at = tuple(i - base for i in ref.indices)
        table = values.weights if ref.kind == "w" else values.biases
        point[net.symbol(ref)] = table[ref.layer - 1][at if at else 0]
    return {symbol: sp.Rational(Fraction(float(v))) for symbol, v in point.items()}


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_graph_gives_the_dense_engines_gradient_for_every_parameter(data):
    net = data.draw(networks())
    values = data.draw(exact_values(net))
    net = sbp.Network.from_spec(replace(net.spec, values=values))
    graph = network_graph(net)
    dense_w, dense_b = numeric.gradient_of_mean_cost(net)(values)  # one sample: the mean cost is C_0
    mine = graph_numbers(derive_graph(graph, None)).gradients
    base = net.spec.index_base
    for ref in net.parameters():
        at = tuple(i - base for i in ref.indices)
        table = dense_w if ref.kind == "w" else dense_b
        expected = float(table[ref.layer - 1][at if at else 0])
        assert mine[graph_name(net, ref)] == pytest.approx(expected, rel=1e-9, abs=1e-12), ref
    # symbolically: the dense derivation and the graph's backward pass, each written in the leaves, at the point
    point = exact_point(net, values)
    leaves = {graph.symbols[name]: sp.Rational(Fraction(v)) for name, v in (graph.values or {}).items()}
    for ref in data.draw(st.lists(st.sampled_from(net.parameters()), min_size=1, max_size=2, unique=True)):
        dense = net.compose(derive(net, ref).result, concrete=True).xreplace(point)
        name = graph_name(net, ref)
        backward = plain(graph.composed(derive_graph(graph, name).result)).xreplace(leaves)
        dense_value, graph_value = sp.N(dense, DIGITS), sp.N(backward, DIGITS)
        assert abs(dense_value - graph_value) <= sp.Float(10) ** (10 - DIGITS) * max(1, abs(dense_value)), ref


def test_each_quantity_is_named_as_the_notation_writes_it_layer_first():
    net = sbp.Network(layers=[2, 2, 1], notation="nielsen")
    graph = network_graph(net)
    assert graph.leaves[:3] == ("a^{1}_{1}", "a^{1}_{2}", "y")
    assert graph_name(net, net.ref("w_{12}^{2}")) == "w^{2}_{12}" and graph.output == "C_x"
    assert graph_name(sbp.Network(layers=[2, 1]), Ref("w", 1, (0, 1))) == "w^{(L)}_{01}"


def test_a_skip_adds_the_earlier_activation_to_the_weighted_input():
    net = sbp.Network(layers=[1, 1, 1], activation="tanh", bias="none", skip=[[0, 2]])
    graph = network_graph(net)
    z2 = next(node for node in graph.nodes if node.name == "z^{(L)}")
    assert z2.expression == graph.symbol("a^{(L-1)}") * graph.symbol("w^{(L)}") + graph.symbol("a^{(L-2)}")


def test_a_tied_parameter_is_one_leaf_whose_gradient_sums_its_uses():
    net = sbp.Network(layers=[2, 1, 2], activation="identity", bias="none", tie=[["w^{(2)}", "w^{(1)}", "transpose"]])
    assert tied_parameters(net) == {Ref("w", 2, (0, 0)): Ref("w", 1, (0, 0)), Ref("w", 2, (1, 0)): Ref("w", 1, (0, 1))}
    graph = network_graph(net)
    assert graph.leaves == ("a^{(L-2)}_{0}", "a^{(L-2)}_{1}", "y_0", "y_1", "w^{(L-1)}_{00}", "w^{(L-1)}_{01}")
    assert graph_name(net, Ref("w", 2, (1, 0))) == "w^{(L-1)}_{01}"
    step = derive_graph(graph, "w^{(L-1)}_{01}").step_of["w^{(L-1)}_{01}"]
    assert step.forks and [use.node for use in step.uses] == ["z^{(L-1)}", "z^{(L)}_{1}"]


def test_the_generic_activation_has_no_graph():
    with pytest.raises(SpecError, match="layer 2 has the generic activation g"):
        network_graph(sbp.Network(layers=[1, 1, 1], activation=["tanh", "g"]))


def test_a_network_too_large_for_a_graph_is_refused_in_one_line():
    with pytest.raises(SpecError, match="a graph has at most 5,000"):
        network_graph(sbp.Network(layers=[80, 80, 2]))


# --- with skips and ties, against PyTorch -------------------------------------------------------------------


@st.composite
def linked_networks(draw) -> sbp.Network:
    """A random network with random skips (between layers of one width) and ties (whole matrices or bias vectors
    of one shape, transposed or not, and single weights), each tied to a parameter of an earlier layer or an
    earlier place, so no ties go round in a circle; its values agree with its ties."""
    net = draw(networks())
    n, depth = net.layers, net.depth
    pairs = [[s, t] for t in range(1, depth + 1) for s in range(t) if n[s] == n[t]]
    skip = draw(st.lists(st.sampled_from(pairs), unique_by=tuple, min_size=1, max_size=2)) if pairs else []
    layer_pairs = [(m, l) for m in range(2, depth + 1) for l in range(1, m)]
    whole = [[f"w^{{({m})}}", f"w^{{({l})}}"] for m, l in layer_pairs if (n[m], n[m - 1]) == (n[l], n[l - 1])]
    whole += [
        [f"w^{{({m})}}", f"w^{{({l})}}", "transpose"] for m, l in layer_pairs if (n[m], n[m - 1]) == (n[l - 1], n[l])
    ]
    ties = [draw(st.sampled_from(whole))] if whole else []
    taken = {t[0] for t in ties}
    weights = [ref for ref in net.parameters() if ref.kind == "w" and f"w^{{({ref.layer})}}" not in taken]
    if len(weights) > 1 and draw(st.booleans()):
        mine, theirs = sorted(draw(st.lists(st.sampled_from(weights), min_size=2, max_size=2, unique=True)))[::-1]
        ties.append([_element(mine), _element(theirs)])
    data = {"layers": list(n), "activation": list(net.spec.activations), "cost": net.spec.cost}
    data |= {"bias": net.spec.bias, "index_base": net.spec.index_base, "skip": skip, "tie": ties}
    linked = sbp.Network(**data)
    values = numeric.random_values(linked, samples=1, seed=draw(st.integers(0, 2**16)))
    return sbp.Network(**data, values=_agreeing(linked, values))


def _element(ref: Ref) -> str:
    return f"w_{{{ref.indices[0]},{ref.indices[1]}}}^{{({ref.layer})}}"


def _agreeing(net: sbp.Network, values: Values) -> dict:
    """``values`` as a [values] table, each tied parameter given the number of the one it is tied to."""
    weights = [w.copy() for w in values.weights]
    base = net.spec.index_base
    for tied, source in tied_parameters(net).items():
        weights[tied.layer - 1][tuple(i - base for i in tied.indices)] = weights[source.layer - 1][
            tuple(i - base for i in source.indices)
        ]
    biases = [b.tolist() for b in values.biases]
    if net.spec.bias == "layer":
        biases = [b[0] for b in biases]
    table = {"x": values.x[0].tolist(), "y": values.y[0].tolist(), "weights": [w.tolist() for w in weights]}
    return table | ({"biases": biases} if net.spec.bias != "none" else {})


def torch_gradients(net: sbp.Network) -> dict[Ref, float]:
    """d C_0 / d(each untied weight and bias) by PyTorch autograd in float64: one tensor per parameter that keeps
    its own value, each tied one the very tensor it is tied to, and z^(l) = W a^(l-1) + b + (each skip into l)."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    values, base, tied = net.spec.values, net.spec.index_base, tied_parameters(net)
    assert values is not None
    leaf = {}
    for ref in net.parameters():
        if ref not in tied:
            at = tuple(i - base for i in ref.indices)
            number = (values.weights if ref.kind == "w" else values.biases)[ref.layer - 1][at if at else 0]
            leaf[ref] = torch.tensor(float(number), dtype=torch.float64, requires_grad=True)
    tensor = {ref: leaf[tied.get(ref, ref)] for ref in net.parameters()}
    acts = [torch.tensor(values.x[0], dtype=torch.float64)]
    for layer in range(1, net.depth + 1):
        rows = []
        for j in net.neurons(layer):
            z = sum(tensor[Ref("w", layer, (j, k))] * acts[-1][k - base] for k in net.neurons(layer - 1))
            if net.spec.bias != "none":
                z = z + tensor[Ref("b", layer, (j,) if net.spec.bias == "neuron" else ())]
            rows.append(z + sum(acts[s.source][j - base] for s in net.spec.skips if s.target == layer))
        zs, name = torch.stack(rows), net.spec.activations[layer - 1]
        if name.startswith("leaky_relu"):
            slope = float(Fraction(name.partition(":")[2] or "0.01"))
            acts.append(functional.leaky_relu(zs, slope))
        else:
            act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "identity": lambda z: z}
            act |= {"softplus": functional.softplus, "softmax": lambda z: torch.softmax(z, 0)}
            acts.append(act[name](zs))
    a, y = acts[-1], torch.tensor(values.y[0], dtype=torch.float64)
    cost = {
        "sse": lambda: ((a - y) ** 2).sum(),
        "half_sse": lambda: 0.5 * ((a - y) ** 2).sum(),
        "mse": lambda: ((a - y) ** 2).sum() / len(y),
        "cross_entropy": lambda: -(y * torch.log(a)).sum(),
        "binary_cross_entropy": lambda: -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum(),
    }[net.spec.cost]()
    cost.backward()
    return {ref: float(t.grad) if t.grad is not None else 0.0 for ref, t in leaf.items()}


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed here")
@settings(max_examples=25, deadline=None)
@given(net=linked_networks())
def test_with_skips_and_ties_the_graph_gives_pytorchs_gradient(net):
    graph = network_graph(net)
    mine = graph_numbers(derive_graph(graph, None)).gradients
    for ref, expected in torch_gradients(net).items():
        assert mine[graph_name(net, ref)] == pytest.approx(expected, rel=1e-9, abs=1e-12), ref


def test_a_tie_to_a_tied_parameter_follows_the_chain_to_the_one_that_keeps_its_value():
    net = sbp.Network(layers=[2, 2, 2, 2], tie=[["w^{(3)}", "w^{(2)}"], ["w^{(2)}", "w^{(1)}", "transpose"]])
    assert graph_name(net, Ref("w", 3, (0, 1))) == graph_name(net, Ref("w", 1, (1, 0))) == "w^{(L-2)}_{10}"
