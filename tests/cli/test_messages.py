"""Error messages as a newcomer reads them: each names the key or flag and the value as written, says what is
accepted, and is one line with exit status 2. Notes on a valid spec leave the exit status alone.

The commands run through ``cli.main`` in this process (the same path as ``python -m symbackprop``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symbackprop.base.errors import did_you_mean
from symbackprop.cli import main
from symbackprop.model import spec as specs

W = ("--wrt", "w_{00}^{(L)}")


def bad(cmdline, *args: str) -> str:
    """Run a command that must fail on bad input: exit 2, one line on stderr; that line."""
    done = cmdline.run(*args)
    status, err = done.returncode, done.stderr
    assert status == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def spec_file(tmp_path: Path, text: str, name: str = "net.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- 1. letters for the neurons with a fixed layer ----------------------------------------------


@pytest.mark.parametrize("command", ["derive", "verify"])
def test_letters_for_the_neurons_with_a_fixed_layer_point_to_the_general_form(cmdline, command):
    extra = ("--claim", "a_1^{(L)}") if command == "verify" else ()
    err = bad(cmdline, command, "example:deeplizard", "--wrt", "w_{jk}^{(L)}", *extra)
    assert "letters for the neurons need the letter l for the layer too" in err
    assert "derive --wrt 'w_{jk}^{(l)}' gives the general form" in err
    assert "L included" in err and "w_{12}^{(L)}" in err
    assert "got 'jk'" not in err  # the old message named jk as both right and wrong


@pytest.mark.parametrize(
    ("wrt", "general"), [("b_j^{(L)}", "'b_j^{(l)}'"), ("a_k^{(L-1)}", "'a_k^{(l-1)}'"), ("z_j^{(1)}", "'z_j^{(l)}'")]
)
def test_each_kind_with_letters_names_its_own_general_form(cmdline, wrt, general):
    err = bad(cmdline, "derive", "example:worked", "--wrt", wrt)
    assert f"derive --wrt {general}" in err


def test_a_number_and_a_letter_for_a_weight_says_both_numbers_or_both_letters(cmdline):
    err = bad(cmdline, "derive", "example:deeplizard", "--wrt", "w_{1k}^{(L)}")
    assert "either both numbers" in err and "or both letters" in err
    assert "w_{jk}^{(l)}" in err and "got '1k'" in err


def test_the_layer_letter_with_numbered_neurons_says_how_to_write_either(cmdline):
    err = bad(cmdline, "derive", "example:deeplizard", "--wrt", "w_{12}^{(l)}")
    assert "the layer letter l goes with letters for the neurons" in err
    assert "write the layer as L, L-1" in err


def test_the_general_form_still_works():
    assert main(["derive", "--layers", "2,2,2", "--wrt", "w_{jk}^{(l)}"]) == 0


# --- 2. one message for a weight with one index, from derive and from verify ------------------------


def test_derive_and_verify_say_the_same_about_a_weight_with_one_index(cmdline):
    derived = bad(cmdline, "derive", "example:deeplizard", "--wrt", "w_{0}^{(L)}")
    verified = bad(cmdline, "verify", "example:deeplizard", "--wrt", "w_{0}^{(L)}", "--claim", "a_1^{(L)}")
    claimed = bad(cmdline, "verify", "example:deeplizard", "--claim", r"\frac{\partial C_0}{\partial w_{0}^{(L)}} = 1")
    tail = "a weight takes two neuron indices, j in its layer then k in the layer before, as in w_{12}^{(L)}; got one"
    for err in (derived, verified, claimed):
        assert tail in err and "'0'" in err, err
        assert "write the two indices apart" not in err


def test_a_weight_with_three_digits_is_told_to_write_them_apart_in_derive_and_in_a_claim(cmdline):
    derived = bad(cmdline, "derive", "example:deeplizard", "--wrt", "w_{123}^{(L)}")
    claimed = bad(
        cmdline, "verify", "example:deeplizard", "--claim", r"\frac{\partial C_0}{\partial w_{123}^{(L)}} = 1"
    )
    for err in (derived, claimed):
        assert "3 digits: past 9, write the two apart, as w_{1,12}^{(L)}" in err


def test_a_claim_with_too_many_indices_shows_them_without_braces(cmdline):
    err = bad(cmdline, "verify", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", "a_{1,2}^{(L)}")
    assert "an activation takes one neuron index" in err and "got two, '1,2'" in err


# --- 3. a [values] table without biases -------------------------------------------------------------

VALUES = "[values]\nx = [1.0, 2.0]\ny = [0.0, 1.0]\nweights = [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6], [0.7, 0.8]]]\n"


def test_missing_biases_name_the_bias_convention_and_how_to_declare_none(cmdline, tmp_path):
    err = bad(cmdline, "evaluate", spec_file(tmp_path, "layers = [2, 2, 2]\n" + VALUES))
    assert "values.biases: missing" in err
    assert 'bias = "neuron", the default' in err and "one list per layer after the input, of 2 and 2 numbers" in err
    assert 'set bias = "none" above [values]' in err


def test_missing_shared_biases_say_one_number_per_layer(cmdline, tmp_path):
    err = bad(cmdline, "evaluate", spec_file(tmp_path, 'layers = [2, 2, 2]\nbias = "layer"\n' + VALUES))
    assert "values.biases: missing" in err and '(bias = "layer")' in err and "one number per layer" in err


def test_biases_against_a_presets_bias_free_default_name_the_preset(cmdline, tmp_path):
    text = 'layers = [2, 2, 2]\nnotation = "deeplizard"\n' + VALUES + "biases = [[0.0, 0.0], [0.0, 0.0]]\n"
    err = bad(cmdline, "derive", spec_file(tmp_path, text), *W)
    assert "no biases (bias = \"none\", the default of notation 'deeplizard')" in err
    assert 'set bias = "neuron" above [values]' in err


# --- 4. names: the value as written, the valid ones, the close one -----------------------------------


def test_one_misspelt_activation_flag_is_named_as_typed_with_a_suggestion(cmdline):
    err = bad(cmdline, "derive", "--layers", "2,2", "--activation", "sigmiod", *W)
    assert "--activation: unknown activation 'sigmiod'" in err
    assert "known: g, identity, leaky_relu, relu, sigmoid" in err and "did you mean sigmoid?" in err
    assert "activation[0]" not in err


def test_a_misspelt_activation_in_a_list_names_its_layer(cmdline, tmp_path):
    err = bad(cmdline, "derive", "--layers", "2,2,2", "--activation", "relu,sigmiod", *W)
    assert "--activation relu,sigmiod (layer 2)" in err and "did you mean sigmoid?" in err
    text = 'layers = [2, 2, 2]\nactivation = ["relu", "sigmiod"]\n'
    err = bad(cmdline, "derive", spec_file(tmp_path, text), *W)
    assert "activation[1] (layer 2): unknown activation 'sigmiod'" in err


def test_a_comma_separated_activation_string_in_toml_is_shown_as_a_list(cmdline, tmp_path):
    err = bad(cmdline, "derive", spec_file(tmp_path, 'layers = [2, 3, 2]\nactivation = "relu,sigmoid"\n'), *W)
    assert "'relu,sigmoid' is one name" in err
    assert 'a list, one per layer: activation = ["relu", "sigmoid"]' in err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["derive", "--layers", "2,2", "--cost", "sse2", *W], ["--cost: unknown cost 'sse2'", "did you mean sse?"]),
        (
            ["derive", "--layers", "2,2", "--cost", "binary-cross-entropy", *W],
            ["did you mean binary_cross_entropy?"],
        ),
        (["derive", "--layers", "2,2", "--bias", "neurons", *W], ["--bias:", "'neurons'", "did you mean neuron?"]),
        (["derive", "--layers", "2,2", "--notation", "nielson", *W], ["--notation: 'nielson'", "mean nielsen?"]),
        (["derive", "example:deeplizrd", *W], ["no built-in example 'deeplizrd'", "did you mean deeplizard?"]),
        (["derive", "--layers", "2,2", "--activation", "Sigmoid", *W], ["did you mean sigmoid?"]),
    ],
)
def test_near_misses_of_every_name_get_the_close_one(cmdline, args, says):
    err = bad(cmdline, *args)
    for words in says:
        assert words in err, (words, err)


def test_names_in_a_toml_spec_are_named_by_their_key(cmdline, tmp_path):
    err = bad(cmdline, "derive", spec_file(tmp_path, 'layers = [2, 2]\ncost = "sse2"\n'), *W)
    assert "cost: unknown cost 'sse2'" in err and "--cost" not in err
    err = bad(cmdline, "derive", spec_file(tmp_path, 'layers = [2, 2]\nbias = "neurons"\n'), *W)
    assert "bias: must be one of neuron, layer, none; got 'neurons'; did you mean neuron?" in err


def test_a_bad_default_from_a_preset_file_names_the_preset(cmdline, tmp_path):
    spec_file(tmp_path, 'name = "mine"\n[defaults]\ncost = "sse2"\n', "mine.toml")
    err = bad(cmdline, "derive", spec_file(tmp_path, 'layers = [2, 2]\nnotation = "mine.toml"\n'), *W)
    assert "cost (the default of notation " in err and "mine.toml'): unknown cost 'sse2'" in err


def test_a_far_miss_gets_no_suggestion():
    assert did_you_mean("xyz", ["sigmoid", "tanh"]) == ""
    assert did_you_mean("sigmoid", ["sigmoid", "tanh"]) == ""
    assert did_you_mean(3, ["sigmoid"]) == ""


# --- 5. cross_entropy on outputs that are not softmax --------------------------------------------

CE = ("derive", "--layers", "2,2", "--cost", "cross_entropy", *W)


def test_cross_entropy_on_sigmoid_outputs_gets_one_note_on_stderr_and_in_the_document(capsys):
    assert main(list(CE)) == 0
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("symbackprop derive: note: ")
    assert "target is 0 gets no gradient" in err and "binary_cross_entropy" in err and "sigmoid" in err
    assert "Note: The cost is the categorical cross-entropy" in out and "binary_cross_entropy" in out


@pytest.mark.parametrize(("fmt", "mark"), [("md", "> **Note.** "), ("tex", "\\paragraph{Note.} ")])
def test_the_cross_entropy_note_is_in_markdown_and_latex(capsys, fmt, mark):
    assert main([*CE, "--to", fmt]) == 0
    assert mark + "The cost is the categorical cross-entropy" in capsys.readouterr().out


def test_the_cross_entropy_note_is_in_the_json(capsys):
    assert main([*CE, "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["network"]["notes"]
    assert len(notes) == 1 and "binary_cross_entropy" in notes[0]


@pytest.mark.parametrize(
    "args",
    [
        ["derive", "--layers", "2,2", "--activation", "softmax", "--cost", "cross_entropy", *W],
        ["derive", "--layers", "2,2", "--cost", "binary_cross_entropy", *W],
        ["derive", "--layers", "2,2", *W],
    ],
)
def test_no_note_for_softmax_outputs_or_other_costs(capsys, args):
    assert main(args) == 0
    assert capsys.readouterr().err == ""


def test_bad_input_with_cross_entropy_is_still_one_line(cmdline):
    err = bad(cmdline, "derive", "--layers", "2,2", "--cost", "cross_entropy", "--wrt", "w_{9}^{(L)}")
    assert "note:" not in err


def test_notes_are_only_for_cross_entropy_without_softmax():
    def spec(**keys):
        return specs.from_mapping({"layers": [2, 2, 2], **keys})

    assert specs.notes(spec(cost="cross_entropy", activation="tanh"))
    assert specs.notes(spec(cost="cross_entropy", activation=["tanh", "identity"]))
    assert not specs.notes(spec(cost="cross_entropy", activation=["sigmoid", "softmax"]))
    assert not specs.notes(spec(cost="mse"))


# --- 6. malformed TOML -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('layers = [2, 3, 2\nactivation = "relu"\n', ["Unclosed array (at line 2, column 1)", "not closed before"]),
        ("layers = [2, 2]\nx = {a = 1\n", ["Unclosed inline table", "not closed before this point?"]),
        ("layers = [2, 2]\nactivation = sigmoid\n", ["Invalid value (at line 2", 'a quoted string ("sigmoid")']),
        ('layers = [2, 2]\nactivation = "sigmoid\n', ["(at line 2", "a string not closed by its quote"]),
        ("layers = [2, 2]\nlayers = [3, 3]\n", ["Cannot overwrite a value", "a key given twice?"]),
        ("layers [2, 2]\n", ["Expected '='", "key = value"]),
    ],
)
def test_malformed_toml_keeps_the_position_and_says_what_to_look_for(cmdline, tmp_path, text, says):
    err = bad(cmdline, "derive", spec_file(tmp_path, text), *W)
    assert "not valid TOML" in err
    for words in says:
        assert words in err, (words, err)


def test_a_malformed_preset_file_gets_the_same_hint(cmdline, tmp_path):
    spec_file(tmp_path, 'name = "mine"\n[defaults\n', "mine.toml")
    err = bad(cmdline, "derive", spec_file(tmp_path, 'layers = [2, 2]\nnotation = "mine.toml"\n'), *W)
    assert "not valid TOML" in err and "closed by ], as [values]" in err


# --- 7. the other spec and reference messages -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("layers = [2, 2]\nx = [1, 2]\n", ["unknown key 'x'", "x belongs in the [values] table"]),
        ('layers = [2, 2]\nactivations = "relu"\n', ["unknown key 'activations'", "did you mean activation?"]),
        ('activation = "relu"\n', ["layers: missing", "every spec needs", "layers = [2, 3, 2]"]),
        ("layers = [2]\n", ["layers: give at least two sizes", "layers = [2, 3, 2]; got [2]"]),
        ("layers = [2, 2]\nvalues = 3\n", ["values: must be a table", "got 3"]),
        (
            "layers = [2, 2]\n[values]\nx = [1, 2]\ny = [0, 1]\nweights = [[[1, 2], [3, 4]]]\ncost = 'sse'\n",
            ["values: unknown key 'cost'", "put cost above [values]"],
        ),
        ("layers = [2, 2]\n[values]\nwieghts = 1\n", ["values: unknown key 'wieghts'", "did you mean weights?"]),
        ("layers = [2, 3]\n[values]\ny = [0, 1, 0]\n", ["values.x: missing", "the input, a list of 2 numbers"]),
        ("layers = [2, 3]\n[values]\nx = [1, 2]\n", ["values.y: missing", "the target, a list of 3 numbers"]),
        (
            "layers = [2, 3, 1]\n[values]\nx = [1, 2]\ny = [0]\n",
            ["values.weights: missing", "3 rows of 2, then 1 row of 3"],
        ),
        (
            "layers = [2, 2]\n[values]\nx = [1, 2]\ny = [0, 1]\nweights = [[1, 2], [3, 4]]\n",
            ["a list of 1 matrix", "got [[1, 2], [3, 4]]", "a single matrix still goes in a list"],
        ),
        (
            "layers = [2, 2]\n[values]\nx = [1, 2]\ny = [0, 1]\nweights = [[[1, 2], [3, 4]]]\nbiases = [1, 2]\n",
            ['values.biases: with bias = "neuron", the default', "of 2 numbers", "got [1, 2]"],
        ),
        (
            "layers = [2, 2]\n[values]\nx = [[1, 2], [3, 4]]\ny = [0, 1]\nweights = [[[1, 2], [3, 4]]]\n",
            ["x has 2 samples but y has 1", "one target per input"],
        ),
        ("layers = [1, 1]\n[values]\nx = [nan]\ny = [0]\nweights = [[[1]]]\n", ["values.x", "finite", "got nan"]),
        (
            "layers = [1, 1]\n[values]\nx = [1]\ny = [0]\nweights = [[[1]]]\nbiases = [[0]]\nlearning_rate = 'x'\n",
            ["values.learning_rate: must be one number; got 'x'"],
        ),
        ('layers = [2, 2]\ntitle = "' + "t" * 301 + '"\n', ["title: must be one line", "got 301 characters"]),
        ('layers = [2, 2]\nnotation = "mine.toml"\n', ["notation: no preset file 'mine.toml'", "beside the spec"]),
        ("layers = [2, 2]\nindex_base = 2\n", ["index_base: must be 0 or 1", "numbered from 0 or from 1", "got 2"]),
    ],
)
def test_spec_messages_name_the_key_the_value_and_what_is_accepted(cmdline, tmp_path, text, says):
    err = bad(cmdline, "derive", spec_file(tmp_path, text), *W)
    for words in says:
        assert words in err, (words, err)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--layers", "2"], ["--layers: give at least two sizes", "as --layers 2,3,2; got '2'"]),
        (["--layers", "2,x"], ["--layers: expected whole numbers", "got '2,x'"]),
        (["--layers", "2,0,2"], ["--layers 2,0,2: a layer size is a whole number from 1", "got 0 (size 2)"]),
        (
            ["--layers", "2,2,2", "--activation", "tanh,relu,relu"],
            ["--activation: give one name, or 2 separated by commas", "got 'tanh,relu,relu' (3)"],
        ),
        (["--layers", "2,2", "--notation", "mine.toml"], ["--notation: no preset file 'mine.toml'"]),
    ],
)
def test_flag_messages_name_the_flag_and_its_text(cmdline, args, says):
    err = bad(cmdline, "derive", *args, *W)
    for words in says:
        assert words in err, (words, err)


@pytest.mark.parametrize(
    ("wrt", "says"),
    [
        ("b_{-1}^{(L)}", ["a neuron index is a whole number", "numbered from 0", "got '-1'"]),
        ("a^{(L)}", ["give the neuron index", "layer L has 2 neurons, as in a_{1}^{(L)}"]),
        ("w_{}^{(L)}", ["a weight takes two neuron indices", "got none"]),
    ],
)
def test_reference_messages_say_what_to_write(cmdline, wrt, says):
    err = bad(cmdline, "derive", "example:worked", "--wrt", wrt)
    for words in says:
        assert words in err, (words, err)


def test_a_bias_subscript_on_shared_biases_says_to_leave_it_out(cmdline):
    err = bad(cmdline, "derive", "--layers", "2,2", "--bias", "layer", "--wrt", "b_1^{(L)}")
    assert 'one bias per layer (bias = "layer"): write b^{(L)}, with no subscript' in err


@pytest.mark.parametrize("wrt", ["w^{(0)}", "z^{(0)}", "w_{1}^{(0)}"])
def test_an_input_layer_weight_without_its_indices_is_told_the_input_layer_has_none(cmdline, wrt):
    err = bad(cmdline, "derive", "example:worked", "--wrt", wrt)
    assert "the input layer has no" in err and "layers 1 to 2 do" in err
