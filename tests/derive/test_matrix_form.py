"""The matrix form (BP1-BP4) is the element form: every entry, proven symbolically, for random networks."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.derive import matrix_form as mf
from symbackprop.derive.matrix_form import matrix_form
from symbackprop.prove import matrix_entries as entries
from symbackprop.prove.matrix_entries import entries_hold as prove

from ..strategies import networks


@given(st.data())
def test_every_entry_of_the_matrix_form_equals_the_element_derivation(data):
    net = data.draw(networks(max_depth=3, max_width=2, generic=True))
    assert prove(net)


@pytest.mark.parametrize(
    "spec",
    [
        {"layers": [3, 3, 3], "activation": ["softmax", "softmax"], "cost": "cross_entropy", "bias": "layer"},
        {"layers": [2, 3, 2, 3], "activation": ["tanh", "leaky_relu:0.2", "softmax"], "cost": "sse"},
        {"layers": [2, 2, 2], "activation": ["softplus", "sigmoid"], "cost": "binary_cross_entropy", "index_base": 1},
    ],
)
def test_wider_networks_are_proven_too(spec):
    assert prove(sbp.Network(**spec), samples=3)


def test_a_wrong_hidden_rule_is_caught(monkeypatch):
    """The proof can fail: BP2 without the activation's derivative is not the element form."""
    net = sbp.Network(layers=[2, 2, 2], activation="tanh")
    through = mf._through_activation
    monkeypatch.setattr(
        mf, "_through_activation", lambda net, v, layer, up: up if layer < net.depth else through(net, v, layer, up)
    )
    assert not prove(net)


def test_a_wrong_batch_rule_is_caught(monkeypatch):
    """The batch form is proven on its own: BP4 summed over the batch instead of averaged fails."""
    net = sbp.Network(layers=[2, 2, 2], activation="sigmoid")
    grad_w = mf._grad_w
    monkeypatch.setattr(
        mf, "_grad_w", lambda v, layer: v.delta(layer).T * v.a(layer - 1) if v.batch else grad_w(v, layer)
    )
    assert not prove(net)


def test_softmax_with_cross_entropy_simplifies_to_a_minus_y_only_when_the_targets_sum_to_1():
    net = sbp.Network(layers=[2, 3], activation="softmax", cost="cross_entropy")
    form, sample = matrix_form(net), mf.Vocabulary(net, batch=False)
    output = form.sample.layers[0]
    assert output.simplified == sample.a(1) - sample.y
    assert output.condition == "each sample's targets sum to 1"
    assert isinstance(output.delta, sp.MatMul)  # derived as J^T grad_a C, not special-cased
    assert prove(net)  # the simplification is proven under its condition...
    table = entries._explicit_inputs(net, sample, [{}])
    derived, simplified = entries._explicit(output.delta, table, 1), entries._explicit(output.simplified, table, 1)
    assert not entries._same(derived[0, 0], simplified[0, 0])  # ...and is false without it


def test_the_equations_have_the_shapes_of_the_network():
    form = matrix_form(sbp.Network(layers=[3, 4, 2], bias="layer"))
    output, hidden = form.batch.layers
    assert (output.layer, hidden.layer) == (2, 1)
    assert output.grad_w.shape == (2, 4) and hidden.grad_w.shape == (4, 3)
    assert output.grad_b.shape == (1, 1) and hidden.delta.shape == (mf.N, 4)
    sample_output, sample_hidden = form.sample.layers
    assert sample_output.delta.shape == (2, 1) and sample_hidden.grad_w.shape == (4, 3)
    assert form.sample.cost.shape == form.batch.cost.shape == (1, 1)


def test_the_equations_are_sympy_matrix_expressions_a_printer_can_print():
    """Nielsen's forms for a sample (BP2 with W^T delta, BP4 delta a^T); the batch's gradients are means."""
    net = sbp.Network(layers=[2, 3, 2], activation="sigmoid")
    form, v = matrix_form(net), mf.Vocabulary(net, batch=False)
    hidden = form.sample.layers[1]
    assert hidden.delta == sp.HadamardProduct(v.w(2).T * v.delta(2), mf.applied(1, "sigmoid", v.z(1), prime=True))
    assert hidden.grad_w == v.delta(1) * v.a(0).T and hidden.grad_b == v.delta(1)
    assert str(form.batch.layers[1].grad_w) == "1/n*Delta1.T*A0"
    equations = [e for eqs in (form.sample, form.batch) for eq in eqs.layers for e in (eq.delta, eq.grad_w, eq.grad_b)]
    assert set().union(*(e.atoms(sp.MatrixSymbol) for e in equations)) <= set(form.quantities)
    assert form.quantities[v.delta(1)] == mf.Quantity("delta", 1)
    assert all(sp.latex(e) for e in equations)


def test_a_documents_matrix_proof_builds_each_networks_equations_once(monkeypatch):
    """The network's equations are stated and checked for cover, the copy's checked for cover and entry by entry:
    one build of each network's matrix form, the same equations handed to each."""
    from symbackprop.prove.copies import proof_copy
    from symbackprop.prove.forms import prove_matrix_form

    built = []
    real = mf._worked
    monkeypatch.setattr(mf, "_worked", lambda net: built.append(net) or real(net))
    net = sbp.Network(layers=[2, 3, 3, 2], activation=["tanh", "relu", "softmax"], cost="cross_entropy")
    proof = prove_matrix_form(net)
    assert proof.proof.verdict == "proven"
    copy = proof_copy(net).network
    assert len(built) == 2 and built[0] in (net, copy) and net in built  # the network's and its copy's
    assert matrix_form(net) is matrix_form(net) and mf.stated(net) is mf.stated(net)
    assert prove_matrix_form(net).equations == proof.equations  # a new proof copy, the network's form kept
    assert built.count(net) == 1 and len(built) == 3
