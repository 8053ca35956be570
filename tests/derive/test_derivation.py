"""The derivations tell the source texts' chain rule: three factors, each worked, then combined."""

from __future__ import annotations

import sympy as sp

import symbackprop as sbp
from symbackprop.model.symbols import C0, A, B, W, Y, Z, activation_functions

SIGMA_PRIME = activation_functions("sigmoid")[1]
G_PRIME = activation_functions("g")[1]


def one_neuron_network() -> sbp.Network:
    return sbp.Network(layers=[1, 1, 1, 1], activation="sigmoid", cost="sse", bias="neuron")


def deeplizard_network() -> sbp.Network:
    return sbp.Network(layers=[2, 3, 6, 4], activation="g", cost="sse", bias="none", notation="deeplizard")


def test_output_weight_of_one_neuron_chain_is_two_error_times_slope_times_previous_activation():
    d = one_neuron_network().derive("w^{(L)}")
    expected = 2 * (A[3, 0] - Y[0]) * SIGMA_PRIME(3, Z[3, 0]) * A[2, 0]
    assert sp.expand(d.result - expected) == 0


def test_output_bias_swaps_the_last_factor_for_one():
    d = one_neuron_network().derive("b^{(L)}")
    assert d.chains[0].factors[2].value == 1
    assert sp.expand(d.result - 2 * (A[3, 0] - Y[0]) * SIGMA_PRIME(3, Z[3, 0])) == 0


def test_previous_activation_gets_the_weight_as_its_last_factor():
    d = one_neuron_network().derive("a^{(L-1)}")
    assert sp.expand(d.result - 2 * (A[3, 0] - Y[0]) * SIGMA_PRIME(3, Z[3, 0]) * W[3, 0, 0]) == 0


def test_every_weight_and_bias_of_the_one_neuron_network_iterates_the_chain_backwards():
    net = one_neuron_network()
    upstream = 2 * (A[3, 0] - Y[0])
    for layer in (3, 2, 1):
        slope = upstream * SIGMA_PRIME(layer, Z[layer, 0])
        assert sp.expand(net.derive(f"w^{{({layer})}}").result - slope * A[layer - 1, 0]) == 0
        assert sp.expand(net.derive(f"b^{{({layer})}}").result - slope) == 0
        upstream = slope * W[layer, 0, 0]
    assert len(net.parameters()) == 6


def test_chain_for_an_output_weight_has_the_three_leibniz_factors_in_order():
    d = deeplizard_network().derive("w_{12}^{(L)}")
    (chain,) = d.chains
    assert [(f.of, f.wrt) for f in chain.factors] == [
        (C0, A[3, 1]),
        (A[3, 1], Z[3, 1]),
        (Z[3, 1], W[3, 1, 2]),
    ]
    assert sp.expand(d.result - 2 * (A[3, 1] - Y[1]) * G_PRIME(3, Z[3, 1]) * A[2, 2]) == 0


def test_weighted_sum_is_written_out_and_only_the_weights_term_survives():
    factor = deeplizard_network().derive("w_{12}^{(L)}").chains[0].factors[2]
    assert factor.terms == tuple(W[3, 1, k] * A[2, k] for k in range(6))
    assert factor.term_values == (0, 0, A[2, 2], 0, 0, 0)
    assert factor.value == A[2, 2]


def test_cost_sum_is_written_out_and_only_neuron_js_term_survives():
    factor = deeplizard_network().derive("w_{12}^{(L)}").chains[0].factors[0]
    assert len(factor.terms) == 4
    assert [sp.expand(v) for v in factor.term_values] == [0, sp.expand(2 * (A[3, 1] - Y[1])), 0, 0]


def test_hidden_activation_sums_over_the_next_layers_neurons():
    d = deeplizard_network().derive("a_{2}^{(L-1)}")
    assert d.sum_over == ("j",)
    assert len(d.chains) == 4
    expected = sum(2 * (A[3, j] - Y[j]) * G_PRIME(3, Z[3, j]) * W[3, j, 2] for j in range(4))
    assert sp.expand(d.result - expected) == 0
    j = sp.Symbol("j")
    assert d.pattern == ((C0, A[3, j]), (A[3, j], Z[3, j]), (Z[3, j], A[2, 2]))


def test_hidden_weight_uses_the_summed_activation_derivative_as_its_first_factor():
    net = deeplizard_network()
    d = net.derive("w_{22}^{(L-1)}")
    first = d.chains[0].factors[0]
    assert first.rule == "deferred"
    assert first.deferred is not None and first.deferred.symbol == A[2, 2]
    expected = net.derive("a_{2}^{(L-1)}").result * G_PRIME(2, Z[2, 2]) * A[1, 2]
    assert sp.expand(d.result - expected) == 0
    assert [s.symbol for s in d.subderivations()] == [A[2, 2]]


def test_deeper_weight_lists_each_needed_activation_nearest_output_first():
    d = deeplizard_network().derive("w_{10}^{(1)}")
    layers = [s.target.layer for s in d.subderivations()]
    assert layers == sorted(layers, reverse=True)
    assert {s.symbol for s in d.subderivations() if s.target.layer == 1} == {A[1, 1]}
    assert len([s for s in d.subderivations() if s.target.layer == 2]) == 6


def test_shared_layer_bias_sums_over_the_layers_neurons():
    net = sbp.Network(layers=[2, 3], activation="tanh", cost="half_sse", bias="layer")
    d = net.derive("b^{(L)}")
    assert d.sum_over == ("j",)
    assert len(d.chains) == 3
    assert all(c.factors[2].value == 1 for c in d.chains)


def test_softmax_layer_couples_its_neurons_through_a_sum_over_i():
    net = sbp.Network(layers=[2, 3], activation="softmax", cost="cross_entropy", bias="neuron")
    d = net.derive("w_{10}^{(L)}")
    assert d.sum_over == ("i",)
    assert [c.factors[1].value for c in d.chains] == [
        -A[1, 0] * A[1, 1],
        A[1, 1] * (1 - A[1, 1]),
        -A[1, 2] * A[1, 1],
    ]
    # Softmax with cross-entropy collapses to the familiar (a_j - y_j) a_k, given sum_i y_i = 1.
    collapsed = sp.expand(d.result.subs(Y[2], 1 - Y[0] - Y[1]))
    assert sp.expand(collapsed - (A[1, 1] - Y[1]) * A[0, 0]) == 0


def test_weighted_input_reference_has_two_factors():
    d = sbp.Network(layers=[2, 2], activation="sigmoid").derive("z_{1}^{(1)}")
    assert [(f.of, f.wrt) for f in d.chains[0].factors] == [(C0, A[1, 1]), (A[1, 1], Z[1, 1])]


def test_index_base_one_numbers_neurons_from_one():
    net = sbp.Network(layers=[2, 2], activation="sigmoid", index_base=1, bias="neuron")
    d = net.derive("w_{21}^{(L)}")
    assert sp.expand(d.result - 2 * (A[1, 2] - Y[2]) * SIGMA_PRIME(1, Z[1, 2]) * A[0, 1]) == 0
    assert net.derive("b_{1}^{(L)}").chains[0].factors[2].terms[-1] == B[1, 1]


def test_expanded_form_is_written_in_inputs_parameters_and_targets_only():
    d = one_neuron_network().derive("w^{(L-1)}")
    names = {str(s.base) for s in d.expanded().atoms(sp.Indexed)}
    assert names <= {"w", "b", "y", "a"}
    assert {int(s.indices[0]) for s in d.expanded().atoms(sp.Indexed) if str(s.base) == "a"} == {0}
