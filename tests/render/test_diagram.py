"""The network figure highlights exactly the target and its paths to the cost."""

from __future__ import annotations

from symbackprop.render.diagram import diagram


def hot_neurons(fig):
    return {(n.layer, n.index) for n in fig.neurons if n.highlight}


def hot_edges(fig):
    return {((e.start.layer, e.start.index), (e.end.layer, e.end.index)) for e in fig.edges if e.highlight}


LABELS = ["(L-3)", "(L-2)", "(L-1)", "(L)"]


def test_output_weight_highlights_its_edge_and_its_neuron_only():
    fig = diagram([2, 3, 2], "w", 2, (1, 2), 0, LABELS[1:])
    assert hot_neurons(fig) == {(2, 1)}
    assert hot_edges(fig) == {((1, 2), (2, 1))}
    assert [(n.layer, n.index) for n in fig.neurons if n.source] == [(1, 2)]


def test_hidden_weight_highlights_every_path_through_the_later_layers():
    fig = diagram([2, 3, 6, 4], "w", 2, (2, 2), 0, LABELS)
    assert hot_neurons(fig) == {(2, 2)} | {(3, j) for j in range(4)}
    assert ((1, 2), (2, 2)) in hot_edges(fig)
    assert {((2, 2), (3, j)) for j in range(4)} <= hot_edges(fig)
    assert not any(e[0] == (2, 0) for e in hot_edges(fig))
    assert len(hot_edges(fig)) == 1 + 4


def test_shared_bias_highlights_its_whole_layer():
    fig = diagram([3, 4, 4, 2], "b", 2, (), 0, LABELS)
    assert {(2, j) for j in range(4)} <= hot_neurons(fig)
    assert not any(layer < 2 for layer, _ in hot_neurons(fig))


def test_wide_layer_keeps_the_target_visible_between_ellipses():
    fig = diagram([4, 12, 3], "a", 1, (5,), 0, LABELS[1:])
    shown = sorted(n.index for n in fig.neurons if n.layer == 1)
    assert 5 in shown and len(shown) < 12
    assert fig.ellipses


def test_layout_is_reproducible():
    assert diagram([2, 3, 2], "z", 1, (1,), 1, LABELS[1:]) == diagram([2, 3, 2], "z", 1, (1,), 1, LABELS[1:])


def hot_cost_edges(fig):
    return {n.index for n, hot in fig.cost_edges if hot}


def test_output_weight_reaches_the_cost_through_its_own_neuron_only():
    fig = diagram([2, 3, 6, 4], "w", 3, (1, 2), 0, LABELS)
    assert hot_cost_edges(fig) == {1}
    assert {n.index for n, _ in fig.cost_edges} == {0, 1, 2, 3}


def test_hidden_weight_reaches_the_cost_through_every_output():
    fig = diagram([2, 3, 6, 4], "w", 2, (2, 2), 0, LABELS)
    assert hot_cost_edges(fig) == {0, 1, 2, 3}


def test_softmax_layer_spreads_a_weighted_input_to_every_neuron_of_the_layer():
    fig = diagram([3, 4, 3], "w", 2, (1, 2), 0, LABELS[1:], coupled=frozenset({2}))
    assert hot_neurons(fig) == {(2, 0), (2, 1), (2, 2)}
    assert hot_edges(fig) == {((1, 2), (2, 1))}
    assert hot_cost_edges(fig) == {0, 1, 2}


def test_an_activation_of_a_softmax_layer_is_not_spread():
    fig = diagram([3, 4, 3], "a", 2, (1,), 0, LABELS[1:], coupled=frozenset({2}))
    assert hot_neurons(fig) == {(2, 1)}
    assert hot_cost_edges(fig) == {1}
