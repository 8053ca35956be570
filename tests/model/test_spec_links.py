"""Skip connections and tied weights in a network spec (``spec_links``): what a user may write, what it reads as,
and a one-line SpecError naming the entry at fault for each mistake."""

from __future__ import annotations

import pytest

import symbackprop as sbp
from symbackprop.derive.derivation import derive
from symbackprop.model import spec as specs
from symbackprop.model.spec_links import Skip

VALUES = {
    "x": [0.5, -1.0],
    "y": [1.0, 0.0],
    "weights": [[[0.1, -0.2], [0.4, 0.3]], [[0.1, 0.4], [-0.2, 0.3]]],
    "biases": [[0.1, 0.0], [0.2, -0.2]],
}


def links(**data) -> specs.NetworkSpec:
    """A 2-2-2 network's spec (unless ``layers`` says otherwise) with the links given."""
    return specs.from_mapping({"layers": [2, 2, 2], **data})


def error(**data) -> str:
    with pytest.raises(sbp.SpecError) as caught:
        links(**data)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- what a spec may write ------------------------------------------------------------------------------------


def test_a_skip_names_two_layers_as_the_notation_numbers_them_or_from_the_output():
    assert links(skip=[[0, 2]]).skips == (Skip(0, 2),)
    assert links(skip=[["L-2", "L"], [1, "2"]]).skips == (Skip(0, 2), Skip(1, 2))
    nielsen = specs.from_mapping({"layers": [2, 2, 2], "notation": "nielsen", "skip": [[1, 3]]})
    assert nielsen.skips == (Skip(0, 2),)  # Nielsen's input is layer 1


def test_a_whole_matrix_tie_pairs_every_weight_and_transpose_swaps_the_indices():
    (same,) = links(tie=[["w^{(2)}", "w^{(1)}"]]).ties
    assert same.pairs[1] == (("w", 2, (0, 1)), ("w", 1, (0, 1))) and not same.transpose
    (flipped,) = specs.from_mapping({"layers": [3, 2, 3], "tie": [["w^{(2)}", "w^{(1)}", "transpose"]]}).ties
    assert len(flipped.pairs) == 6 and flipped.pairs[1] == (("w", 2, (0, 1)), ("w", 1, (1, 0)))


def test_single_weights_and_biases_tie_one_to_one():
    (tie,) = links(tie=[["w_{1,0}^{(L)}", "w_{01}^{(1)}"]]).ties
    assert tie.pairs == ((("w", 2, (1, 0)), ("w", 1, (0, 1))),)
    (bias,) = links(tie=[["b^{(2)}", "b^{(1)}"]], bias="layer").ties
    assert bias.pairs == ((("b", 2, ()), ("b", 1, ())),)
    (neuron,) = links(tie=[["b_{1}^{(2)}", "b_{1}^{(1)}"]]).ties
    assert neuron.pairs == ((("b", 2, (1,)), ("b", 1, (1,))),)


def test_a_chain_of_ties_ends_at_the_parameter_that_keeps_its_own_value():
    ties = specs.from_mapping({"layers": [2, 2, 2, 2], "tie": [["w^{(3)}", "w^{(2)}"], ["w^{(2)}", "w^{(1)}"]]}).ties
    assert ties[0].pairs[0] == (("w", 3, (0, 0)), ("w", 1, (0, 0)))


def test_tied_values_that_agree_are_taken_and_a_spec_without_links_has_none():
    assert links(tie=[["w^{(2)}", "w^{(1)}", "transpose"]], values=VALUES).values is not None
    plain = links()
    assert plain.skips == () and plain.ties == ()


# --- mistakes, each one line naming the entry ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("skip", "expected"),
    [
        ([[0, 5]], "skip[0]: 5: no such layer; layers are 0 (the input) to 2"),
        ([["L-7", "L"]], "skip[0]: 'L-7': no such layer"),
        ([[0, "two"]], "skip[0]: 'two': the layer is not a number, L, or L-N"),
        ([[True, 2]], "skip[0]: a layer is a number from 0 to 2, or L, L-1, ...; got True"),
        ([[2, 1]], "skip[0]: a skip goes forward, from a layer to a later one; got from 2 to 1"),
        ([[1, 1]], "skip[0]: a skip goes forward"),
        ([[0, 2], [0, 2]], "skip[1]: the skip from layer 0 to layer 2 is given twice"),
        ([[0]], "skip[0]: give two layers [from, to], as skip = [[1, 3]]"),
        ([0, 2], "skip[0]: give two layers [from, to]"),
        ("0, 2", "skip: give a list of [from, to] pairs of layers"),
    ],
)
def test_a_bad_skip_is_one_line_naming_it(skip, expected):
    assert error(skip=skip).startswith(expected)


def test_a_skip_between_layers_of_different_widths_says_both_widths():
    assert error(layers=[2, 3, 2], skip=[[0, 1]]) == (
        "skip[0]: a skip adds a^(0) to z^(1) neuron by neuron, so the two layers need the same width; layer 0 has 2 "
        "neurons and layer 1 has 3"
    )


@pytest.mark.parametrize(
    ("tie", "expected"),
    [
        ([["w^{(2)}", "w^{(2)}"]], "tie[0]: ties w^{(2)} to itself; name two different weights"),
        ([["w_{01}^{(2)}", "w_{01}^{(L)}"]], "tie[0]: ties w_{01}^{(2)} to itself"),
        ([["w^{(2)}", "w^{(2)}", "transpose"]], "tie[0]: ties w^{(2)} to itself"),
        ([["w^{(5)}", "w^{(1)}"]], "tie[0]: 'w^{(5)}': no such layer; layers are 0 (the input) to 2"),
        ([["w_{05}^{(2)}", "w_{00}^{(1)}"]], "tie[0]: 'w_{05}^{(2)}': index 5 is out of range; it runs from 0 to 1"),
        ([["w_{0}^{(2)}", "w_{00}^{(1)}"]], "tie[0]: 'w_{0}^{(2)}': give two neuron indices, as w_{12}^{(2)}"),
        ([["v^{(2)}", "w^{(1)}"]], "tie[0]: 'v^{(2)}' is not a weight or bias; write w^{(2)}"),
        ([["w", "w^{(1)}"]], "tie[0]: 'w' is not a weight or bias"),
        ([["b^{(0)}", "b^{(1)}"]], "tie[0]: 'b^{(0)}': the input layer has no biases"),
        ([["w^{(2)}", "b^{(1)}"]], "tie[0]: ties a weight to a bias; tie weights to weights, biases to biases"),
        ([["w^{(2)}", "w_{00}^{(1)}"]], "tie[0]: ties all of w^{(2)} to one weight"),
        ([["w_{00}^{(2)}", "w_{00}^{(1)}", "transpose"]], 'tie[0]: "transpose" ties a whole weight matrix'),
        ([["w^{(2)}", "w^{(1)}", "transposed"]], 'tie[0]: the third entry may only be "transpose"'),
        ([["w^{(2)}"]], "tie[0]: a tie is a list of two or three strings"),
        ([["w^{(2)}", 1]], "tie[0]: a tie is a list of two or three strings"),
        ("w^{(2)} = w^{(1)}", "tie: give a list of ties"),
        (
            [["w^{(2)}", "w^{(1)}"], ["w_{00}^{(2)}", "w_{11}^{(1)}"]],
            "tie[1]: w_{00}^{(L)} is tied already, by tie[0]; a parameter takes one other's value",
        ),
    ],
)
def test_a_bad_tie_is_one_line_naming_it(tie, expected):
    assert error(tie=tie).startswith(expected)


def test_a_tie_between_matrices_of_different_shapes_says_both_shapes():
    assert error(layers=[2, 3, 2], tie=[["w^{(2)}", "w^{(1)}"]]) == (
        'tie[0]: w^{(2)} is 2 rows of 3 but w^{(1)} is 3 rows of 2; a tie needs the same shape (or add "transpose" for '
        "the transposed matrix)"
    )


def test_ties_that_go_round_in_a_circle_name_the_circle():
    message = error(tie=[["w^{(2)}", "w^{(1)}"], ["w^{(1)}", "w^{(2)}"]])
    assert message.startswith("tie[0]: the ties go round in a circle, w_{00}^{(L)} -> w_{00}^{(L-1)} -> w_{00}^{(L)}")
    three = [["w_{00}^{(2)}", "w_{10}^{(1)}"], ["w_{01}^{(2)}", "w_{00}^{(2)}"], ["w_{10}^{(1)}", "w_{01}^{(2)}"]]
    assert (
        "w_{00}^{(L)} -> w_{10}^{(L-1)} -> w_{01}^{(L)} -> w_{00}^{(L)}; one of them must keep its own value"
        in error(tie=three)
    )


def test_biases_that_are_not_there_cannot_be_tied():
    assert error(tie=[["b^{(2)}", "b^{(1)}"]], bias="none") == (
        "tie[0]: 'b^{(2)}': this network has no biases (bias = \"none\")"
    )
    assert error(tie=[["b_{0}^{(2)}", "b^{(1)}"]], bias="layer").startswith(
        "tie[0]: 'b_{0}^{(2)}': this network has one bias per layer"
    )


def test_a_tied_parameter_whose_value_differs_from_its_sources_is_named_with_both_numbers():
    values = {**VALUES, "weights": [VALUES["weights"][0], [[0.1, 0.4], [-0.2, 0.5]]]}
    assert error(tie=[["w^{(2)}", "w^{(1)}", "transpose"]], values=values) == (
        "values.weights[1]: w_{11}^{(L)} is tied to w_{11}^{(L-1)} (tie[0]), so give it the same number; it is 0.5 "
        "and w_{11}^{(L-1)} is 0.3"
    )


def test_a_network_too_large_for_a_graph_may_not_have_links():
    assert error(layers=[100, 100, 100], skip=[[1, 2]]).endswith("at most 5,000 parameters; this one has 20,200")


def test_the_layer_by_layer_engine_refuses_a_linked_network_in_one_line():
    net = sbp.Network(layers=[2, 2, 2], skip=[[0, 2]], tie=[["w^{(2)}", "w^{(1)}"]])
    with pytest.raises(sbp.SpecError, match=r"^the layer-by-layer forward pass: this network has skip connections"):
        net.composed_cost()
    with pytest.raises(sbp.SpecError, match=r"skip connections .skip. and tied parameters .tie., which the layer-by"):
        derive(net, net.ref("w_{00}^{(L)}"))
