"""The matrix form (BP1-BP4) is the element form: every entry, proven symbolically, for random networks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.matrix_form import matrix_form, prove

from .strategies import networks


@given(st.data())
def test_every_entry_of_the_matrix_form_equals_the_element_derivation(data):
    net = data.draw(networks(max_depth=3, max_width=2, generic=True))
    assert prove(net)


def test_a_wrong_matrix_rule_is_caught(monkeypatch):
    """The proof can fail: BP2 without the activation's derivative is not the element form."""
    from symbackprop import matrix_form as mf

    net = sbp.Network(layers=[2, 2, 2], activation="tanh")
    monkeypatch.setattr(mf, "_explicit_delta", lambda net, layer, upstream: upstream)
    assert not prove(net)


def test_the_equations_have_the_shapes_of_the_network():
    form = matrix_form(sbp.Network(layers=[3, 4, 2], bias="layer"))
    output, hidden = form.layers
    assert output.layer == 2 and hidden.layer == 1
    assert output.grad_w.shape == (2, 4) and hidden.grad_w.shape == (4, 3)
    assert output.grad_b.shape == (1, 1)
    assert hidden.delta.shape == (form.delta(1).shape[0], 4)
