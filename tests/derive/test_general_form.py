"""The general form (letters for layer and neurons) is proven against the element derivations."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.derive import general_form as gf
from symbackprop.model.printing import printers
from symbackprop.prove.forms import wrong_elements

from ..strategies import networks


@given(st.data())
def test_instantiated_for_every_element_the_general_formulas_are_the_element_derivations(data):
    net = data.draw(networks(max_depth=3, max_width=2, generic=True))
    assert wrong_elements(net) == []


def test_a_wrong_general_formula_is_caught(monkeypatch):
    """The proof can fail: a hidden layer's sum without its weights is not the element form."""
    net = sbp.Network(layers=[2, 2, 2], activation="tanh")
    original = gf._sensitivity

    def without_weights(net, layer, k):
        if layer == net.depth:
            return original(net, layer, k)
        return sum(gf._error(net, layer + 1, j) for j in net.neurons(layer + 1))

    monkeypatch.setattr(gf, "_sensitivity", without_weights)
    assert wrong_elements(net)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("w_{jk}^{(l)}", "w"), ("w_jk^(l)", "w"), ("b_j^{(l)}", "b"), ("a_k^{(l-1)}", "a"), ("w_{12}^{(L)}", None)],
)
def test_letters_for_layer_and_neurons_ask_for_the_general_form(text, kind):
    assert gf.general_kind(text) == kind


def test_the_texts_formulas_in_their_notation():
    net = sbp.Network(layers=[2, 3, 6, 4], notation="deeplizard")
    text, _ = printers(net.notation, net.layers)
    lines = [f"{text.doprint(f.lhs)} = {text.doprint(f.rhs)}" for f in gf.general_form(net, "w").formulas]
    assert lines[0] == "∂C_0/∂w_jk^(l) = ∂C_0/∂a_j^(l)·g'^(l)(z_j^(l))·a_k^(l-1)"
    assert lines[-1] == "∂C_0/∂a_j^(L) = 2·(a_j^(L) - y_j)"
    nielsen = sbp.Network(layers=[2, 3, 2], notation="nielsen")
    text, _ = printers(nielsen.notation, nielsen.layers)
    first = gf.general_form(nielsen, "w").formulas[0]
    assert f"{text.doprint(first.lhs)} = {text.doprint(first.rhs)}" == "∂C_x/∂w_jk^l = δ_j^l·a_k^(l-1)"


def test_derive_gives_the_general_form_for_a_network_of_any_size(cmdline):
    done = cmdline.run("derive", "--layers", "784,128,64,10", "--wrt", "w_{jk}^{(l)}", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["proof"]["verdict"] == "proven"
    assert "of the 3-3-3 network made of this one's input and layers L-2, L" in data["proof"]["statement"]
    assert "\\sum_{j=0}^{n_{l} - 1}" in data["formulas"][1]["rhs"]


def test_softmax_layers_get_their_coupled_form(cmdline):
    done = cmdline.run(
        "derive", "--layers", "3,4,3", "--activation", "tanh,softmax", "--cost", "cross_entropy", "--wrt", "b_j^{(l)}"
    )
    assert done.returncode == 0, done.stderr
    assert "softmax couples layer L" in done.stdout and "[i = j] - a_j^(L)" in done.stdout


def test_the_text_form_writes_a_layers_size_without_braces(cmdline):
    done = cmdline.run("derive", "--layers", "4,3,2", "--wrt", "a_{k}^{(l-1)}")
    assert "Σ_[j=0..n_l - 1]" in done.stdout and "n_{l}" not in done.stdout
