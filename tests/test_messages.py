"""Error messages as a newcomer reads them: each names the key or flag and the value as written, says what is
accepted, and is one line with exit status 2. Notes on a valid spec leave the exit status alone.

The commands run through ``cli.main`` in this process (the same path as ``python -m symbackprop``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from symbackprop.cli import main

W = ("--wrt", "w_{00}^{(L)}")


def bad(capsys, *args: str) -> str:
    """Run a command that must fail on bad input: exit 2, one line on stderr; that line."""
    status = main(list(args))
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def spec_file(tmp_path: Path, text: str, name: str = "net.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- 1. letters for the neurons with a fixed layer ----------------------------------------------


@pytest.mark.parametrize("command", ["derive", "verify"])
def test_letters_for_the_neurons_with_a_fixed_layer_point_to_the_general_form(capsys, command):
    extra = ("--claim", "a_1^{(L)}") if command == "verify" else ()
    err = bad(capsys, command, "example:deeplizard", "--wrt", "w_{jk}^{(L)}", *extra)
    assert "letters for the neurons need the letter l for the layer too" in err
    assert "derive --wrt 'w_{jk}^{(l)}' gives the general form" in err
    assert "L included" in err and "w_{12}^{(L)}" in err
    assert "got 'jk'" not in err  # the old message named jk as both right and wrong


@pytest.mark.parametrize(
    ("wrt", "general"), [("b_j^{(L)}", "'b_j^{(l)}'"), ("a_k^{(L-1)}", "'a_k^{(l-1)}'"), ("z_j^{(1)}", "'z_j^{(l)}'")]
)
def test_each_kind_with_letters_names_its_own_general_form(capsys, wrt, general):
    err = bad(capsys, "derive", "example:worked", "--wrt", wrt)
    assert f"derive --wrt {general}" in err


def test_a_number_and_a_letter_for_a_weight_says_both_numbers_or_both_letters(capsys):
    err = bad(capsys, "derive", "example:deeplizard", "--wrt", "w_{1k}^{(L)}")
    assert "either both numbers" in err and "or both letters" in err
    assert "w_{jk}^{(l)}" in err and "got '1k'" in err


def test_the_layer_letter_with_numbered_neurons_says_how_to_write_either(capsys):
    err = bad(capsys, "derive", "example:deeplizard", "--wrt", "w_{12}^{(l)}")
    assert "the layer letter l goes with letters for the neurons" in err
    assert "write the layer as L, L-1" in err


def test_the_general_form_still_works():
    assert main(["derive", "--layers", "2,2,2", "--wrt", "w_{jk}^{(l)}"]) == 0


# --- 2. one message for a weight with one index, from derive and from verify ------------------------


def test_derive_and_verify_say_the_same_about_a_weight_with_one_index(capsys):
    derived = bad(capsys, "derive", "example:deeplizard", "--wrt", "w_{0}^{(L)}")
    verified = bad(capsys, "verify", "example:deeplizard", "--wrt", "w_{0}^{(L)}", "--claim", "a_1^{(L)}")
    claimed = bad(capsys, "verify", "example:deeplizard", "--claim", r"\frac{\partial C_0}{\partial w_{0}^{(L)}} = 1")
    tail = "a weight takes two neuron indices, j in its layer then k in the layer before, as in w_{12}^{(L)}; got one"
    for err in (derived, verified, claimed):
        assert tail in err and "'0'" in err, err
        assert "write the two indices apart" not in err


def test_a_weight_with_three_digits_is_told_to_write_them_apart_in_derive_and_in_a_claim(capsys):
    derived = bad(capsys, "derive", "example:deeplizard", "--wrt", "w_{123}^{(L)}")
    claimed = bad(capsys, "verify", "example:deeplizard", "--claim", r"\frac{\partial C_0}{\partial w_{123}^{(L)}} = 1")
    for err in (derived, claimed):
        assert "3 digits: past 9, write the two apart, as w_{1,12}^{(L)}" in err


def test_a_claim_with_too_many_indices_shows_them_without_braces(capsys):
    err = bad(capsys, "verify", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", "a_{1,2}^{(L)}")
    assert "an activation takes one neuron index" in err and "got two, '1,2'" in err


# --- 7. the other reference messages ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrt", "says"),
    [
        ("b_{-1}^{(L)}", ["a neuron index is a whole number", "numbered from 0", "got '-1'"]),
        ("a^{(L)}", ["give the neuron index", "layer L has 2 neurons, as in a_{1}^{(L)}"]),
        ("w_{}^{(L)}", ["a weight takes two neuron indices", "got none"]),
    ],
)
def test_reference_messages_say_what_to_write(capsys, wrt, says):
    err = bad(capsys, "derive", "example:worked", "--wrt", wrt)
    for words in says:
        assert words in err, (words, err)


def test_a_bias_subscript_on_shared_biases_says_to_leave_it_out(capsys):
    err = bad(capsys, "derive", "--layers", "2,2", "--bias", "layer", "--wrt", "b_1^{(L)}")
    assert 'one bias per layer (bias = "layer"): write b^{(L)}, with no subscript' in err
