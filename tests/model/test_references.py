"""References: the quantity a user names as a textbook writes it, and errors that say what exists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.model import references
from symbackprop.model.references import Ref


def ref_error(net: sbp.Network, text: str) -> str:
    with pytest.raises(sbp.SpecError) as caught:
        net.ref(text)
    return str(caught.value)


WIDE = sbp.Network(layers=[4, 12, 11])  # L = 2; more than ten neurons in the last two layers
NET = sbp.Network(layers=[2, 3, 2])  # L = 2
CHAIN = sbp.Network(layers=[1, 1, 1, 1])  # L = 3, one neuron per layer


# --- the forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "w_{12}^{(L)}",
        "w_12^(L)",
        "w_{1,2}^{(L)}",
        "w_{1, 2}^{(L)}",
        "w^{(L)}_{12}",
        "w^(L)_{1,2}",
        "w_{12}^{(2)}",
        "w_{12}^{L}",
        "w_12^L",
        "w_12^2",
        "  w _ {12} ^ {(L)}  ",
    ],
)
def test_every_written_form_of_a_weight_names_the_same_weight(text):
    assert NET.ref(text) == Ref("w", 2, (1, 2))


def test_the_weight_subscript_is_j_then_k():
    assert NET.ref("w_{21}^{(L-1)}") == Ref("w", 1, (2, 1))
    assert NET.ref("w_{10}^{(L)}") == Ref("w", 2, (1, 0))
    assert NET.ref("w_{01}^{(L)}") == Ref("w", 2, (0, 1))


@pytest.mark.parametrize(
    "text, ref",
    [
        ("w_{1,2}^{(L-1)}", Ref("w", 1, (1, 2))),
        ("w_{10,3}^{(L-1)}", Ref("w", 1, (10, 3))),
        ("w_{11,2}^{(1)}", Ref("w", 1, (11, 2))),
        ("w_{10,11}^{(L)}", Ref("w", 2, (10, 11))),
        ("w_{0,11}^{(L)}", Ref("w", 2, (0, 11))),
    ],
)
def test_the_comma_form_reads_indices_of_more_than_one_digit(text, ref):
    assert WIDE.ref(text) == ref


def test_two_digits_without_a_comma_are_two_indices_not_twelve():
    assert WIDE.ref("w_{12}^{(L)}") == Ref("w", 2, (1, 2))
    assert WIDE.ref("a_{10}^{(L)}") == Ref("a", 2, (10,))


@pytest.mark.parametrize(
    "text, ref",
    [
        ("b_{1}^{(L)}", Ref("b", 2, (1,))),
        ("b_1^(L-1)", Ref("b", 1, (1,))),
        ("a_{2}^{(L-1)}", Ref("a", 1, (2,))),
        ("a_{1}^{(0)}", Ref("a", 0, (1,))),
        ("a_1^(L-2)", Ref("a", 0, (1,))),
        ("z_{0}^{(1)}", Ref("z", 1, (0,))),
        ("z^{(L)}_{1}", Ref("z", 2, (1,))),
        ("b^{(1)}_{2}", Ref("b", 1, (2,))),
    ],
)
def test_biases_activations_and_weighted_inputs_are_read(text, ref):
    assert NET.ref(text) == ref


@pytest.mark.parametrize(
    "text, ref",
    [
        ("w^{(L)}", Ref("w", 3, (0, 0))),
        ("w^{(L-2)}", Ref("w", 1, (0, 0))),
        ("b^{(L)}", Ref("b", 3, (0,))),
        ("b^(L-1)", Ref("b", 2, (0,))),
        ("a^{(L-1)}", Ref("a", 2, (0,))),
        ("a^{(L-3)}", Ref("a", 0, (0,))),
        ("z^{(1)}", Ref("z", 1, (0,))),
    ],
)
def test_one_neuron_layers_need_no_subscript(text, ref):
    assert CHAIN.ref(text) == ref


def test_the_index_free_form_numbers_the_neuron_from_the_index_base():
    net = sbp.Network(layers=[1, 1, 1], index_base=1)
    assert net.ref("w^{(L)}") == Ref("w", 2, (1, 1))
    assert net.ref("a^{(L-1)}") == Ref("a", 1, (1,))


def test_a_layer_bias_is_named_without_a_subscript():
    net = sbp.Network(layers=[2, 3, 2], bias="layer")
    assert net.ref("b^{(L)}") == Ref("b", 2, ())
    assert net.ref("b^(L-1)") == Ref("b", 1, ())


def test_a_layer_bias_refuses_a_neuron_index():
    net = sbp.Network(layers=[2, 3, 2], bias="layer")
    message = ref_error(net, "b_{1}^{(L)}")
    assert "no subscript" in message and "one bias per layer" in message


def test_numeric_layers_and_l_minus_n_agree():
    net = sbp.Network(layers=[2, 2, 2, 2, 2])
    for layer in range(net.depth + 1):
        back = net.depth - layer
        relative = "L" if back == 0 else f"L-{back}"
        assert net.ref(f"a_1^({layer})") == net.ref(f"a_1^({relative})") == Ref("a", layer, (1,))


def test_l_minus_2_is_two_layers_before_the_output():
    net = sbp.Network(layers=[2, 3, 4, 2])
    assert net.ref("w_{2,1}^{(L-2)}") == Ref("w", 1, (2, 1))
    assert net.ref("w_{3,2}^{(L-1)}") == Ref("w", 2, (3, 2))
    assert net.ref("a_{1}^{(L-3)}") == Ref("a", 0, (1,))


def test_index_base_one_numbers_neurons_from_one():
    net = sbp.Network(layers=[2, 3, 2], index_base=1)
    assert net.ref("w_{12}^{(L)}") == Ref("w", 2, (1, 2))
    assert net.ref("w_{3,2}^{(L-1)}") == Ref("w", 1, (3, 2))
    assert net.ref("a_{3}^{(L-1)}") == Ref("a", 1, (3,))
    assert "out of range" in ref_error(net, "a_{0}^{(L)}")
    assert "out of range" in ref_error(net, "w_{31}^{(L)}")
    assert "j from 1 to 2 and k from 1 to 3" in ref_error(net, "w_{10}^{(L)}")


def test_nielsen_notation_numbers_neurons_and_layers_from_one():
    """Nielsen's input is layer 1, so a reference names a layer as the document prints it."""
    net = sbp.Network(layers=[2, 3, 2], notation="nielsen")
    assert net.ref("b_{3}^{2}") == Ref("b", 1, (3,))
    assert net.ref("w_{12}^{3}") == net.ref("w_{12}^{L}") == Ref("w", 2, (1, 2))
    assert "1 to 3" in ref_error(net, "b_{0}^{2}")
    assert "the input layer has no weights; layers 2 to 3 do" in ref_error(net, "w_{11}^{1}")
    assert "layers are 1 (input) to 3 (L)" in ref_error(net, "w_{11}^{4}")


def test_parse_is_the_same_as_network_ref():
    assert references.parse("w_{2,1}^{(L-1)}", NET.spec) == NET.ref("w_{2,1}^{(L-1)}") == Ref("w", 1, (2, 1))


# --- every parameter, exactly once -------------------------------------------------------------


def expected_parameter_count(layers: list[int], bias: str) -> int:
    weights = sum(layers[l] * layers[l - 1] for l in range(1, len(layers)))
    biases = {"neuron": sum(layers[1:]), "layer": len(layers) - 1, "none": 0}[bias]
    return weights + biases


@pytest.mark.parametrize("bias", ["neuron", "layer", "none"])
def test_all_parameters_of_a_2_3_2_network(bias):
    net = sbp.Network(layers=[2, 3, 2], bias=bias)
    params = references.all_parameters(net.spec)
    # 2*3 + 3*2 weights; biases 3 + 2, or one per layer, or none
    assert len(params) == {"neuron": 17, "layer": 14, "none": 12}[bias]
    assert len(set(params)) == len(params)
    assert params == net.parameters()


@given(
    layers=st.lists(st.integers(1, 5), min_size=2, max_size=5),
    bias=st.sampled_from(["neuron", "layer", "none"]),
    base=st.sampled_from([0, 1]),
)
def test_all_parameters_lists_every_weight_and_bias_exactly_once(layers, bias, base):
    net = sbp.Network(layers=layers, bias=bias, index_base=base)
    params = references.all_parameters(net.spec)
    assert len(params) == expected_parameter_count(layers, bias)
    assert len(set(params)) == len(params)
    wanted = {
        Ref("w", l, (j + base, k + base))
        for l in range(1, len(layers))
        for j in range(layers[l])
        for k in range(layers[l - 1])
    }
    if bias == "neuron":
        wanted |= {Ref("b", l, (j + base,)) for l in range(1, len(layers)) for j in range(layers[l])}
    elif bias == "layer":
        wanted |= {Ref("b", l, ()) for l in range(1, len(layers))}
    assert set(params) == wanted


@given(
    layers=st.lists(st.integers(1, 12), min_size=2, max_size=4),
    bias=st.sampled_from(["neuron", "layer"]),
    base=st.sampled_from([0, 1]),
    relative=st.booleans(),
)
def test_every_parameter_written_out_reads_back_as_itself(layers, bias, base, relative):
    net = sbp.Network(layers=layers, bias=bias, index_base=base)
    for ref in references.all_parameters(net.spec):
        layer = references.layer_name(ref.layer, net.depth) if relative else str(ref.layer)
        sub = "_{" + ",".join(str(i) for i in ref.indices) + "}" if ref.indices else ""
        assert net.ref(f"{ref.kind}{sub}^{{({layer})}}") == ref


# --- errors say what exists --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, says",
    [
        ("w_{3,0}^{(L)}", "j from 0 to 1 and k from 0 to 2"),
        ("w_{0,3}^{(L)}", "j from 0 to 1 and k from 0 to 2"),
        ("w_{0,2}^{(L-1)}", "j from 0 to 2 and k from 0 to 1"),
        ("b_{2}^{(L)}", "neurons 0 to 1"),
        ("a_{3}^{(L-1)}", "neurons 0 to 2"),
        ("z_{9}^{(1)}", "neurons 0 to 2"),
        ("a_{2}^{(0)}", "neurons 0 to 1"),
    ],
)
def test_an_index_out_of_range_says_which_indices_exist(text, says):
    message = ref_error(NET, text)
    assert repr(text) in message and "out of range" in message and says in message


@given(st.data())
def test_any_neuron_index_past_the_layer_is_out_of_range(data):
    layers = data.draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    base = data.draw(st.sampled_from([0, 1]))
    net = sbp.Network(layers=layers, index_base=base)
    layer = data.draw(st.integers(0, net.depth))
    index = data.draw(st.integers(base + layers[layer], base + layers[layer] + 50))
    message = ref_error(net, f"a_{{{index}}}^{{({layer})}}")
    exists = f"one neuron, numbered {base}" if layers[layer] == 1 else f"{base} to {base + layers[layer] - 1}"
    assert "out of range" in message and exists in message


@pytest.mark.parametrize("text", ["w_{00}^{(L-3)}", "a_{0}^{(3)}", "a_{0}^{(7)}", "b_{0}^{(L-9)}"])
def test_a_layer_that_does_not_exist_says_which_layers_do(text):
    message = ref_error(NET, text)
    assert "no layer" in message and "0 (input) to 2 (L)" in message


@pytest.mark.parametrize("text", ["a_{0}^{(L+1)}", "a_{0}^{(x)}", "a_{0}^{(L1)}", "a_0^(-1)"])
def test_a_layer_that_is_not_a_number_or_l_minus_n_is_rejected(text):
    message = ref_error(NET, text)
    assert "not a number, L, or L-N" in message


@pytest.mark.parametrize("text", ["b_{0}^{(L)}", "b_1^(L-1)", "b_0^(1)"])
def test_a_bias_in_a_bias_free_network_is_rejected(text):
    net = sbp.Network(layers=[2, 2, 2], bias="none")
    assert 'no biases (bias = "none")' in ref_error(net, text)


def test_an_index_free_bias_in_a_bias_free_one_neuron_network_is_rejected():
    net = sbp.Network(layers=[1, 1, 1], bias="none")
    assert 'no biases (bias = "none")' in ref_error(net, "b^{(L)}")


def test_an_index_free_bias_in_a_bias_free_wide_network_says_there_are_no_biases():
    net = sbp.Network(layers=[2, 2, 2], bias="none")
    assert ref_error(net, "b^{(L)}") == "reference 'b^{(L)}': this network has no biases (bias = \"none\")"


def test_the_deeplizard_example_has_no_biases():
    net = sbp.Network(layers=[2, 3, 6, 4], notation="deeplizard")
    assert "no biases" in ref_error(net, "b_{1}^{(L)}")


@pytest.mark.parametrize("text", ["w_{00}^{(0)}", "w_{00}^{(L-2)}"])
def test_the_input_layer_has_no_weights(text):
    message = ref_error(NET, text)
    assert "input layer has no weights" in message and "layers 1 to 2" in message


def test_the_input_layer_has_no_weighted_input():
    assert "input layer has no weighted input" in ref_error(NET, "z_{0}^{(0)}")


def test_the_input_layer_has_no_biases_spelled_correctly():
    message = ref_error(NET, "b_{0}^{(0)}")
    assert "input layer has no biases" in message


@pytest.mark.parametrize(
    "text, layer, neurons",
    [("w^{(L)}", "L", 2), ("b^{(L-1)}", "L-1", 3), ("a^{(L-1)}", "L-1", 3), ("z^{(L)}", "L", 2)],
)
def test_a_missing_subscript_where_a_layer_has_several_neurons_asks_for_the_index(text, layer, neurons):
    message = ref_error(NET, text)
    assert "give the neuron index" in message and f"layer {layer} has {neurons} neurons" in message


def test_a_missing_weight_subscript_names_the_previous_layer_when_it_is_the_wide_one():
    net = sbp.Network(layers=[3, 1])
    message = ref_error(net, "w^{(L)}")
    assert "give the neuron index; layer L-1 has 3 neurons" in message and "1 neurons" not in message


@pytest.mark.parametrize(
    "text, says",
    [
        ("b_{3}^{(L)}", "layer L has one neuron, numbered 0"),
        ("w_{1,0}^{(L)}", "w_jk has j = 0 and k from 0 to 2"),
        ("w_{0,1}^{(L-1)}", "in layer L-1, w_jk has j from 0 to 2 and k = 0"),
    ],
)
def test_out_of_range_in_a_one_neuron_layer_names_its_one_neuron(text, says):
    message = ref_error(sbp.Network(layers=[1, 3, 1]), text)
    assert "out of range" in message and says in message and " to 0" not in message


@pytest.mark.parametrize(
    "text, says",
    [
        ("w_{1}^{(L)}", "two neuron indices"),
        ("w_{123}^{(L)}", "two neuron indices"),
        ("w_{1,2,0}^{(L)}", "two neuron indices"),
        ("w_{}^{(L)}", "two neuron indices"),
        ("a_{1,0}^{(L)}", "one neuron index"),
        ("a_{x}^{(L)}", "letters for the neurons need the letter l"),
        ("b_{-1}^{(L)}", "a neuron index is a whole number"),
    ],
)
def test_a_subscript_with_the_wrong_number_of_indices_says_how_many(text, says):
    assert says in ref_error(NET, text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "W_{12}^{(L)}",
        "x_{1}^{(L)}",
        "w_1_2^(L)",
        "w_{12}^{(L)}^{(L)}",
        "w_{12}^{(L)}!",
        "dC/dw",
        "w{12}",
    ],
)
def test_garbage_text_is_rejected_with_the_expected_form(text):
    message = ref_error(NET, text)
    assert message.startswith("reference")
    assert "w_{12}^{(L)}" in message


def test_a_missing_superscript_asks_for_the_layer():
    assert "give the layer as a superscript" in ref_error(NET, "w_{12}")


@pytest.mark.parametrize("text", ["w_{12}^{(L)}" + " " * 300, "w" * 10_000, "a_{" + "1" * 5000 + "}^{(L)}"])
def test_very_long_text_is_rejected_as_too_long(text):
    assert ref_error(NET, text) == f"reference: too long ({len(text)} characters; the limit is 200)"


def test_two_hundred_characters_is_the_longest_reference_read():
    assert NET.ref("w_{12}^{(L)}".ljust(200)) == Ref("w", 2, (1, 2))


@pytest.mark.parametrize("value", [None, 12, b"w_{12}^{(L)}"])
def test_a_reference_that_is_not_text_is_a_spec_error(value):
    with pytest.raises(sbp.SpecError, match="reference"):
        NET.ref(value)


def test_a_superscript_digit_in_a_subscript_is_a_spec_error():
    with pytest.raises(sbp.SpecError):
        NET.ref("b_{²}^{(L)}")


REF_ALPHABET = "wbazL_^{}()-, 0123456789"


@given(st.text(alphabet=REF_ALPHABET, max_size=24))
def test_any_reference_like_text_either_names_something_or_raises_a_one_line_spec_error(text):
    try:
        ref = NET.ref(text)
    except sbp.SpecError as err:
        assert str(err).startswith("reference")
        assert "\n" not in str(err)
        return
    assert ref.kind in "wbaz" and 0 <= ref.layer <= NET.depth
    references.check(ref, NET.spec)


def test_an_out_of_range_layer_with_a_newline_inside_gives_a_one_line_message():
    assert "\n" not in ref_error(NET, "a_0^{L\n-\n9}")
