"""The network spec: what a user may write (TOML, a mapping, Network keywords) and how a mistake is reported.

Every bad input must raise ``symbackprop.SpecError`` whose message names the key at fault,
so a user can find the line to fix.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.model import notation
from symbackprop.model import spec as specs

GOOD_VALUES = {
    "x": [0.5, -1.0],
    "y": [1.0, 0.0],
    "weights": [[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.3, -0.1, 0.2], [-0.4, 0.6, 0.1]]],
    "biases": [[0.1, 0.0, -0.1], [0.2, -0.2]],
}


def spec_with_values(bias: str = "neuron", **changes) -> dict:
    """A valid 2-3-2 spec with numbers, with some value entries replaced (None removes one)."""
    values = {**GOOD_VALUES, **changes}
    return {"layers": [2, 3, 2], "bias": bias, "values": {k: v for k, v in values.items() if v is not None}}


def spec_error(data) -> str:
    with pytest.raises(sbp.SpecError) as caught:
        specs.from_mapping(data)
    return str(caught.value)


def toml_error(path) -> str:
    with pytest.raises(sbp.SpecError) as caught:
        specs.from_toml(path)
    return str(caught.value)


# --- valid specs ----------------------------------------------------------------------------


def test_a_minimal_spec_takes_the_3b1b_defaults():
    spec = specs.from_mapping({"layers": [2, 3, 2]})
    assert spec.layers == (2, 3, 2)
    assert spec.depth == 2
    assert spec.activations == ("sigmoid", "sigmoid")
    assert (spec.cost, spec.bias, spec.index_base, spec.notation) == ("sse", "neuron", 0, "3b1b")
    assert spec.values is None


def test_one_activation_name_applies_to_every_layer_after_the_input():
    spec = specs.from_mapping({"layers": [2, 3, 4, 1], "activation": "tanh"})
    assert spec.activations == ("tanh", "tanh", "tanh")


def test_a_list_of_activations_gives_one_per_layer_in_order():
    spec = specs.from_mapping({"layers": [2, 3, 4, 2], "activation": ["relu", "leaky_relu:0.2", "softmax"]})
    assert spec.activations == ("relu", "leaky_relu:0.2", "softmax")


@pytest.mark.parametrize("slope", ["0", "0.2", ".5", "0.99"])
def test_leaky_relu_takes_a_slope_in_zero_to_one(slope):
    assert specs.from_mapping({"layers": [1, 1], "activation": f"leaky_relu:{slope}"}).activations == (
        f"leaky_relu:{slope}",
    )


@pytest.mark.parametrize("bias", ["neuron", "layer", "none"])
def test_every_bias_mode_is_accepted(bias):
    assert specs.from_mapping({"layers": [2, 2], "bias": bias}).bias == bias


@pytest.mark.parametrize("base", [0, 1])
def test_index_base_zero_or_one_is_accepted(base):
    assert specs.from_mapping({"layers": [2, 2], "index_base": base}).index_base == base


@pytest.mark.parametrize("cost", ["sse", "half_sse", "mse", "cross_entropy", "binary_cross_entropy"])
def test_every_catalogued_cost_is_accepted(cost):
    assert specs.from_mapping({"layers": [2, 2], "cost": cost}).cost == cost


@pytest.mark.parametrize(
    "preset, activation, bias, cost, base",
    [
        ("3b1b", "sigmoid", "neuron", "sse", 0),
        ("deeplizard", "g", "none", "sse", 0),
        ("nielsen", "sigmoid", "neuron", "half_sse", 1),
    ],
)
def test_a_notation_preset_supplies_its_defaults(preset, activation, bias, cost, base):
    spec = specs.from_mapping({"layers": [2, 3, 2], "notation": preset})
    assert spec.notation == preset
    assert spec.activations == (activation, activation)
    assert (spec.bias, spec.cost, spec.index_base) == (bias, cost, base)


def test_explicit_choices_override_the_presets_defaults():
    spec = specs.from_mapping(
        {
            "layers": [2, 2],
            "notation": "nielsen",
            "activation": "tanh",
            "bias": "layer",
            "cost": "mse",
            "index_base": 0,
        }
    )
    assert (spec.activations, spec.bias, spec.cost, spec.index_base) == (("tanh",), "layer", "mse", 0)


def test_values_become_float_arrays_of_the_networks_shapes():
    spec = specs.from_mapping({**spec_with_values(), "layers": [2, 3, 2]})
    values = spec.values
    assert values.x.shape == (1, 2) and values.y.shape == (1, 2)
    assert [w.shape for w in values.weights] == [(3, 2), (2, 3)]
    assert [b.shape for b in values.biases] == [(3,), (2,)]
    assert values.x.dtype == np.float64
    assert values.weights[1][1, 2] == 0.1
    assert values.learning_rate is None


def test_integers_in_values_are_read_as_numbers():
    spec = specs.from_mapping(
        {"layers": [1, 1], "values": {"x": [2], "y": [0], "weights": [[[1]]], "biases": [[-1]], "learning_rate": 1}}
    )
    assert spec.values.x.tolist() == [[2.0]] and spec.values.learning_rate == 1.0


def test_a_batch_of_samples_is_a_list_of_rows():
    spec = specs.from_mapping(spec_with_values(x=[[0.5, -1.0], [1.0, 2.0], [0.0, 0.0]], y=[[1, 0], [0, 1], [1, 1]]))
    assert spec.values.x.shape == (3, 2) and spec.values.y.shape == (3, 2)


def test_bias_none_takes_no_biases():
    spec = specs.from_mapping(spec_with_values(bias="none", biases=None))
    assert spec.values.biases == ()


def test_bias_layer_takes_one_number_per_layer():
    spec = specs.from_mapping(spec_with_values(bias="layer", biases=[0.25, -0.5]))
    assert [b.tolist() for b in spec.values.biases] == [[0.25], [-0.5]]


def test_title_author_and_claims_are_kept_for_later_stages():
    spec = specs.from_mapping({"layers": [1, 1], "title": "T", "author": "A", "claims": {"k": "v"}})
    assert dict(spec.extras) == {"title": "T", "author": "A", "claims": {"k": "v"}}


def test_network_keywords_build_the_same_spec_as_a_mapping():
    net = sbp.Network(layers=(2, 3, 2), activation=("tanh", "sigmoid"), cost="half_sse", bias="layer", index_base=1)
    spec = net.spec
    assert isinstance(spec, sbp.NetworkSpec)
    assert (spec.layers, spec.activations, spec.cost, spec.bias, spec.index_base) == (
        (2, 3, 2),
        ("tanh", "sigmoid"),
        "half_sse",
        "layer",
        1,
    )


def test_network_keywords_left_out_take_the_presets_defaults():
    net = sbp.Network(layers=[2, 2], notation="deeplizard")
    assert (net.spec.activations, net.spec.bias) == (("g",), "none")
    net = sbp.Network(layers=[2, 2], notation="nielsen")
    assert (net.spec.cost, net.spec.index_base) == ("half_sse", 1)


def test_network_keywords_take_values_as_a_mapping():
    net = sbp.Network(layers=[2, 3, 2], values={**GOOD_VALUES, "learning_rate": 0.5})
    assert net.spec.values.learning_rate == 0.5


def test_a_valid_toml_file_is_read(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(
        'layers = [2, 3, 2]\nactivation = ["tanh", "leaky_relu:0.2"]\ncost = "half_sse"\nbias = "layer"\n'
        'index_base = 1\nnotation = "nielsen"\ntitle = "A net"\n\n[values]\nx = [[0.5, -1.0], [1.0, 0.0]]\n'
        "y = [[1.0, 0.0], [0.0, 1.0]]\nweights = [[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], "
        "[[0.3, -0.1, 0.2], [-0.4, 0.6, 0.1]]]\nbiases = [0.1, -0.2]\nlearning_rate = 0.1\n",
        encoding="utf-8",
    )
    spec = specs.from_toml(path)
    assert spec.activations == ("tanh", "leaky_relu:0.2")
    assert (spec.cost, spec.bias, spec.index_base, spec.notation) == ("half_sse", "layer", 1, "nielsen")
    assert spec.values.x.shape == (2, 2) and spec.values.learning_rate == 0.1
    assert spec.extras["title"] == "A net"
    assert sbp.Network.from_toml(str(path)).spec.layers == (2, 3, 2)


@given(st.lists(st.integers(1, 50), min_size=2, max_size=8))
def test_any_list_of_two_or_more_positive_sizes_is_a_network(layers):
    spec = specs.from_mapping({"layers": layers})
    assert spec.layers == tuple(layers)
    assert spec.depth == len(layers) - 1
    assert len(spec.activations) == len(layers) - 1


def test_sixty_four_layers_after_the_input_is_the_limit_and_allowed():
    assert specs.from_mapping({"layers": [1] * 65}).depth == 64


# --- bad specs: each error names the key --------------------------------------------------


def test_layers_missing_is_rejected():
    assert "layers" in spec_error({"activation": "sigmoid"})


@pytest.mark.parametrize("layers", ["2,3,2", 3, {"a": 1}, None])
def test_layers_that_is_not_a_list_is_rejected(layers):
    assert spec_error({"layers": layers}).startswith("layers:")


@pytest.mark.parametrize("layers", [[], [3]])
def test_fewer_than_two_layers_is_rejected(layers):
    message = spec_error({"layers": layers})
    assert message.startswith("layers:") and "at least two" in message


@pytest.mark.parametrize(
    "layers, position",
    [
        ([2, 0, 2], 1),
        ([2, 3, -1], 2),
        ([True, 3], 0),
        ([2, 2.0], 1),
        ([2, "3"], 1),
        ([2, 4097], 1),
    ],
)
def test_a_bad_layer_size_is_rejected_with_its_position(layers, position):
    message = spec_error({"layers": layers})
    assert message.startswith(f"layers[{position}]:")
    assert "whole number" in message


@given(
    st.lists(st.integers(1, 9), min_size=2, max_size=6),
    st.data(),
    st.one_of(st.integers(-(10**6), 0), st.floats(allow_nan=False), st.booleans()),
)
def test_any_non_positive_or_non_integer_size_names_its_position(layers, data, bad):
    position = data.draw(st.integers(0, len(layers) - 1))
    layers[position] = bad
    assert spec_error({"layers": layers}).startswith(f"layers[{position}]:")


def test_more_than_sixty_four_layers_is_rejected():
    message = spec_error({"layers": [1] * 66})
    assert message.startswith("layers:") and "64" in message


@pytest.mark.parametrize("name", ["swish", "Sigmoid", "", "leaky_relu:1.5", "leaky_relu:-0.1", "leaky_relu:x"])
def test_an_unknown_activation_is_rejected_with_its_position(name):
    message = spec_error({"layers": [2, 2, 2], "activation": ["sigmoid", name]})
    assert message.startswith("activation[1] (layer 2):")


def test_an_unknown_activation_lists_the_known_ones():
    message = spec_error({"layers": [2, 2], "activation": "swish"})
    assert "'swish'" in message and "sigmoid" in message and "tanh" in message


@pytest.mark.parametrize("activation", [["sigmoid"], ["sigmoid"] * 3, [], 5])
def test_the_wrong_number_of_activations_is_rejected(activation):
    message = spec_error({"layers": [2, 3, 2], "activation": activation})
    assert message.startswith("activation:") and "2" in message


@pytest.mark.parametrize("cost", ["hinge", "SSE", 5])
def test_an_unknown_cost_is_rejected(cost):
    message = spec_error({"layers": [2, 2], "cost": cost})
    assert "cost" in message and repr(cost) in message and "half_sse" in message


@pytest.mark.parametrize("bias", ["both", "Neuron", None, 1])
def test_an_unknown_bias_mode_is_rejected(bias):
    message = spec_error({"layers": [2, 2], "bias": bias})
    assert message.startswith("bias:") and "neuron, layer, none" in message


@pytest.mark.parametrize("base", [2, -1, "1", True, 0.5])
def test_an_index_base_other_than_zero_or_one_is_rejected(base):
    assert spec_error({"layers": [2, 2], "index_base": base}).startswith("index_base:")


def test_index_base_as_a_float_is_rejected():
    assert spec_error({"layers": [2, 2], "index_base": 1.0}).startswith("index_base:")


@pytest.mark.parametrize("notation", ["textbook", 5])
def test_an_unknown_notation_is_rejected(notation):
    assert "notation" in spec_error({"layers": [2, 2], "notation": notation})


def test_an_unknown_top_level_key_is_rejected_by_name():
    message = spec_error({"layers": [2, 2], "layer_sizes": [2, 2]})
    assert "'layer_sizes'" in message and "layers" in message


def test_an_unknown_network_keyword_is_rejected_by_name():
    with pytest.raises(sbp.SpecError, match="'depth'"):
        sbp.Network(layers=[2, 2], depth=1)


def test_a_bad_network_keyword_raises_spec_error_not_type_error():
    with pytest.raises(sbp.SpecError, match=r"layers\[1\]"):
        sbp.Network(layers=[2, 0])


@pytest.mark.parametrize(
    "changes, key",
    [
        ({"x": [1.0]}, "values.x"),
        ({"x": [1.0, 2.0, 3.0]}, "values.x"),
        ({"x": [[1.0, 2.0], [1.0]]}, "values.x"),
        ({"x": "1, 2"}, "values.x"),
        ({"x": [True, 1.0]}, "values.x"),
        ({"x": []}, "values.x"),
        ({"y": [1.0, 0.0, 0.0]}, "values.y"),
        ({"y": [[1.0], [0.0]]}, "values.y"),
        ({"weights": [[[0.1, -0.2], [0.4, 0.3]], [[0.3, -0.1, 0.2], [-0.4, 0.6, 0.1]]]}, "values.weights[0]"),
        ({"weights": [[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.3, -0.1], [-0.4, 0.6]]]}, "values.weights[1]"),
        ({"weights": [[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]]}, "values.weights"),
        ({"weights": 0.5}, "values.weights"),
        ({"biases": [[0.1, 0.0], [0.2, -0.2]]}, "values.biases[0]"),
        ({"biases": [[0.1, 0.0, -0.1], 0.2]}, "values.biases[1]"),
        ({"biases": [[0.1, 0.0, -0.1]]}, "values.biases"),
        ({"biases": None}, "values.biases"),
        ({"learning_rate": "0.1"}, "values.learning_rate"),
        ({"learning_rate": [0.1]}, "values.learning_rate"),
        ({"x": None}, "values.x"),
        ({"y": None}, "values.y"),
        ({"weights": None}, "values.weights"),
        ({"momentum": 0.9}, "'momentum'"),
    ],
)
def test_values_of_the_wrong_shape_or_type_are_rejected_by_key(changes, key):
    message = spec_error(spec_with_values(**changes))
    assert key in message
    assert message.startswith(key) or message.startswith("values:")


def test_a_wrong_shape_says_the_shape_expected_and_given():
    message = spec_error(spec_with_values(weights=[[[0.1, -0.2, 0.0]], [[0.3, -0.1, 0.2], [-0.4, 0.6, 0.1]]]))
    assert message.startswith("values.weights[0]:")
    assert "3 rows of 2" in message and "(1, 3)" in message


def test_a_one_row_shape_is_said_in_the_singular():
    spec = {"layers": [2, 1], "values": {"x": [1.0, 2.0], "y": [0.0], "weights": [[[1.0, 2.0, 3.0]]]}}
    message = spec_error(spec)
    assert message.startswith("values.weights[0]:") and "1 row of 2" in message and "1 rows" not in message


@pytest.mark.parametrize("huge", [10**400, -(10**400), 10**5000], ids=["1e400", "-1e400", "1e5000"])
def test_an_integer_past_float64s_range_is_out_of_range_not_a_non_number(huge):
    message = spec_error(spec_with_values(learning_rate=0.1, x=[huge, 1.0]))
    assert message.startswith("values.x:") and "out of range" in message and "must be numbers" not in message


def test_an_integer_float64_can_hold_is_read():
    spec = specs.from_mapping(
        {"layers": [1, 1], "values": {"x": [10**30], "y": [0], "weights": [[[1]]], "biases": [[0]]}}
    )
    assert spec.values.x.tolist() == [[1e30]]


@pytest.mark.parametrize(
    "key, data", [("layers[1]", {"layers": [2, 10**5000]}), ("index_base", {"index_base": 10**5000})]
)
def test_an_integer_too_long_to_print_is_still_a_spec_error(key, data):
    message = spec_error({"layers": [2, 2], **data})
    assert message.startswith(f"{key}:") and "too large to print" in message


def test_values_that_is_not_a_table_is_rejected():
    assert spec_error({"layers": [2, 2], "values": [1, 2]}).startswith("values:")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "key, where",
    [
        ("x", lambda v: {"x": [v, 1.0]}),
        ("y", lambda v: {"y": [[1.0, 0.0], [0.0, v]], "x": [[0.5, -1.0], [1.0, 2.0]]}),
        ("weights[1]", lambda v: {"weights": [GOOD_VALUES["weights"][0], [[0.3, -0.1, 0.2], [-0.4, v, 0.1]]]}),
        ("biases[0]", lambda v: {"biases": [[0.1, v, -0.1], [0.2, -0.2]]}),
        ("learning_rate", lambda v: {"learning_rate": v}),
    ],
)
def test_nan_and_infinite_values_are_rejected_by_key(bad, key, where):
    message = spec_error(spec_with_values(**where(bad)))
    assert message.startswith(f"values.{key}:") and "finite" in message


def test_biases_given_to_a_bias_free_network_are_rejected():
    message = spec_error(spec_with_values(bias="none"))
    assert message.startswith("values.biases:") and "none" in message


def test_x_and_y_with_different_sample_counts_are_rejected():
    message = spec_error(spec_with_values(x=[[0.5, -1.0], [1.0, 2.0], [0.0, 0.0]], y=[[1.0, 0.0], [0.0, 1.0]]))
    assert message.startswith("values: x has 3 samples but y has 2;")


def test_one_sample_is_said_in_the_singular():
    message = spec_error(spec_with_values(x=[[0.5, -1.0]], y=[[1.0, 0.0], [0.0, 1.0]]))
    assert message.startswith("values: x has 1 sample but y has 2;")


def test_per_neuron_biases_for_a_layer_bias_network_are_rejected():
    message = spec_error(spec_with_values(bias="layer"))
    assert message.startswith("values.biases[0]:") and "one number" in message


def test_one_bias_per_layer_for_a_per_neuron_bias_network_is_rejected():
    message = spec_error(spec_with_values(bias="neuron", biases=[0.1, 0.2]))
    assert message.startswith("values.biases[0]:") and "a list of 3" in message


# --- files ----------------------------------------------------------------------------------


def test_a_missing_file_is_rejected_naming_it(tmp_path):
    path = tmp_path / "nowhere.toml"
    message = toml_error(path)
    assert str(path) in message and "no such file" in message


def test_toml_that_does_not_parse_is_rejected_naming_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("layers = [2, 3\n")
    message = toml_error(path)
    assert message.startswith(str(path)) and "not valid TOML" in message


def test_a_file_that_is_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes("layers = [2, 2]\ntitle = 'Gödel'\n".encode("latin-1"))
    message = toml_error(path)
    assert message.startswith(str(path)) and "UTF-8" in message


def test_a_directory_is_rejected(tmp_path):
    message = toml_error(tmp_path)
    assert message.startswith(str(tmp_path)) and "directory" in message


def test_an_error_inside_a_toml_file_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text("layers = [2, 0, 1]\n")
    message = toml_error(path)
    assert message.startswith(f"{path}: layers[1]:")


@pytest.mark.parametrize("literal", ["nan", "inf", "-inf", "+nan"])
def test_toml_nan_and_inf_literals_are_rejected(tmp_path, literal):
    path = tmp_path / "net.toml"
    path.write_text(
        f"layers = [1, 1]\n[values]\nx = [1.0]\ny = [0.0]\nweights = [[[{literal}]]]\nbiases = [[0.0]]\n",
    )
    message = toml_error(path)
    assert "values.weights[0]" in message and "finite" in message


def test_toml_batch_with_unequal_sample_counts_is_rejected(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(
        "layers = [1, 1]\n[values]\nx = [[1.0], [2.0]]\ny = [[0.0], [1.0], [0.5]]\nweights = [[[1.0]]]\n"
        "biases = [[0.0]]\n"
    )
    assert "x has 2 samples but y has 3" in toml_error(path)


def test_toml_layer_biases_as_one_number_per_layer_are_read(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(
        'layers = [2, 2, 2]\nbias = "layer"\n[values]\nx = [0.3, -0.6]\ny = [0.9, 0.1]\n'
        "weights = [[[0.2, -0.4], [0.5, 0.1]], [[-0.3, 0.8], [0.6, -0.2]]]\nbiases = [0.05, -0.1]\n"
    )
    spec = specs.from_toml(path)
    assert [b.tolist() for b in spec.values.biases] == [[0.05], [-0.1]]


def test_toml_biases_in_a_bias_free_network_are_rejected(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(
        'layers = [1, 1]\nbias = "none"\n[values]\nx = [1.0]\ny = [0.0]\nweights = [[[1.0]]]\nbiases = [[0.0]]\n'
    )
    assert 'values.biases: the network has no biases (bias = "none")' in toml_error(path)


def test_spec_error_is_a_value_error():
    assert issubclass(sbp.SpecError, ValueError)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("title", 3, "title: must be a string"),
        ("author", ["A. Author"], "author: must be a string"),
        ("title", "two\nlines", "title: must be one line"),
        ("author", "x" * 301, "author: must be one line of at most 300 characters"),
    ],
)
def test_a_title_or_author_that_is_not_one_line_of_text_is_refused(key, value, message):
    with pytest.raises(sbp.SpecError, match=message):
        specs.from_mapping({"layers": [1, 1], key: value})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('name = "m"\ndefaults = 3', "defaults must be a table"),
        ('name = "m"\nuse_delta = "yes"', "use_delta must be true or false"),
        ('name = "m"\nlayer_parens = 3', "layer_parens must be true or false"),
        ('name = "m"\nindex_base = 2', "index_base must be 0 or 1"),
        ('name = "m"\nindex_base = true', "index_base must be a whole number"),
        ('name = "m"\n[defaults]\nfoo = "bar"', "defaults may set activation, bias, cost"),
        ('name = "m"\n[defaults]\ncost = 1', "defaults may set activation, bias, cost"),
        ("name = 3", "name must be a string"),
        ('name = ""', "name must be one line of 1 to 80 printable characters"),
    ],
)
def test_a_preset_file_with_a_value_of_the_wrong_kind_is_refused_by_key(tmp_path, body, message):
    preset = tmp_path / "mine.toml"
    preset.write_text(body + "\n")
    with pytest.raises(sbp.SpecError, match=message):
        notation.load(str(preset))


@pytest.mark.parametrize("rate", [0, -0.1])
def test_a_learning_rate_that_is_not_positive_is_refused(rate):
    message = spec_error(spec_with_values(learning_rate=rate))
    assert message.startswith("values.learning_rate:") and "greater than 0" in message


def test_values_may_be_numpy_arrays_and_give_the_same_numbers_as_lists():
    as_lists = specs.from_mapping(spec_with_values()).values
    arrays = {k: np.asarray(v) if k in ("x", "y") else [np.asarray(m) for m in v] for k, v in GOOD_VALUES.items()}
    arrays["learning_rate"] = np.float64(GOOD_VALUES.get("learning_rate", 0.1))
    as_arrays = specs.from_mapping(spec_with_values(**arrays)).values
    assert np.array_equal(as_lists.x, as_arrays.x) and np.array_equal(as_lists.y, as_arrays.y)
    assert all(np.array_equal(a, b) for a, b in zip(as_lists.weights, as_arrays.weights, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(as_lists.biases, as_arrays.biases, strict=True))


def test_a_preset_is_parsed_once_and_a_file_again_when_its_text_changes(tmp_path):
    """Every reference a derivation checks asks for the preset: a built-in one is the same object each time; a
    file rewritten in place (same path, same size) is read anew, never served from before."""
    assert notation.load("3b1b") is notation.load("3b1b") is sbp.Network(layers=[2, 2]).notation
    preset = tmp_path / "mine.toml"
    preset.write_text('name = "aa"\n')
    first = notation.load(str(preset))
    assert notation.load(str(preset)) is first
    preset.write_text('name = "bb"\n')
    assert notation.load(str(preset)).name == "bb" and first.name == "aa"
