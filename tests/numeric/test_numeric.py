"""Numbers: lambdified gradients against sympy.diff of an independently composed cost and
against central finite differences; the forward pass against the oracle."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.numeric import numbers as numeric

from ..oracle import oracle
from ..strategies import networks


def oracle_gradient(net: sbp.Network, values: sbp.Values):
    o = oracle(list(net.layers), list(net.spec.activations), net.spec.cost, net.spec.bias)
    return o.gradient(values.x, values.y, values.weights, values.biases)


def assert_close(ours, theirs, rtol=1e-9, atol=1e-12):
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@given(st.data())
def test_gradients_equal_sympy_diff_of_the_independently_composed_cost(data):
    net = data.draw(networks(max_depth=3, max_width=3))
    values = numeric.random_values(net, samples=data.draw(st.integers(1, 3)), seed=data.draw(st.integers(0, 99)))
    gw, gb = numeric.gradient_of_mean_cost(net)(values)
    ow, ob = oracle_gradient(net, values)
    assert_close(gw, ow)
    assert_close(gb, ob)


@given(st.data())
def test_gradients_agree_with_central_finite_differences(data):
    net = data.draw(networks(max_depth=4, max_width=4))
    values = numeric.random_values(net, samples=2, seed=data.draw(st.integers(0, 99)))
    result = numeric.gradcheck(net, values)
    assert result.passed, result


def test_cost_and_forward_pass_match_the_oracle():
    net = sbp.Network.from_toml("templates/examples/worked.toml")
    values = net.spec.values
    o = oracle([2, 3, 2], ["sigmoid", "sigmoid"], "sse", "neuron")
    params = {
        s: v
        for m, mv in zip(o.weights, values.weights, strict=False)
        for row, rv in zip(m, mv, strict=False)
        for s, v in zip(row, rv, strict=False)
    }
    params |= {s: v for bl, bv in zip(o.biases, values.biases, strict=False) for s, v in zip(bl, bv, strict=False)}
    params |= dict(zip(o.xs, values.x[0], strict=False)) | dict(zip(o.ys, values.y[0], strict=False))
    expected = float(o.cost.xreplace({k: sp.Float(v, 30) for k, v in params.items()}))
    assert net.evaluate()["cost"] == pytest.approx(expected, rel=1e-13)


def test_evaluate_reports_the_mean_over_a_batch():
    net = sbp.Network(
        layers=[1, 1],
        activation="identity",
        cost="sse",
        bias="none",
        values={"x": [[1.0], [2.0]], "y": [[0.0], [0.0]], "weights": [[[3.0]]]},
    )
    out = net.evaluate()
    # C_i = (3 x_i)^2: 9 and 36; dC_i/dw = 2 (3 x_i) x_i: 6 and 24.
    assert out["cost"] == pytest.approx(22.5)
    assert out["grad_weights"] == [[[pytest.approx(15.0)]]]
    assert out["a"] == [[1.0], [3.0]]


def test_one_gradient_step_moves_each_parameter_against_its_gradient():
    out = sbp.Network.from_toml("templates/examples/worked.toml").evaluate()
    spec_w = sbp.Network.from_toml("templates/examples/worked.toml").spec.values.weights
    for w, g, u in zip(spec_w, out["grad_weights"], out["updated_weights"], strict=False):
        np.testing.assert_allclose(np.array(u), w - 0.1 * np.array(g), rtol=0, atol=1e-15)


def test_logarithmic_cost_outside_its_domain_is_bad_input():
    net = sbp.Network(
        layers=[1, 1],
        activation="identity",
        cost="cross_entropy",
        values={"x": [1.0], "y": [1.0], "weights": [[[-1.0]]], "biases": [[0.0]]},
    )
    with pytest.raises(sbp.SpecError, match="ln needs it above 0"):
        net.evaluate()


def test_generic_activation_has_no_numbers():
    net = sbp.Network(
        layers=[1, 1], activation="g", values={"x": [1.0], "y": [1.0], "weights": [[[1.0]]], "biases": [[0.0]]}
    )
    with pytest.raises(sbp.SpecError, match="generic activation g"):
        net.evaluate()


def test_gradcheck_detects_a_wrong_gradient(monkeypatch):
    net = sbp.Network(layers=[2, 2], activation="tanh")
    real = numeric.gradient_of_mean_cost

    def off_by_a_little(n):
        f = real(n)
        return lambda v: tuple([g * 1.001 for g in part] for part in f(v))

    monkeypatch.setattr(numeric, "gradient_of_mean_cost", off_by_a_little)
    assert not numeric.gradcheck(net).passed


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity"])
def test_numpy_forms_match_the_sympy_forms(name):
    from symbackprop.model.activations import activation

    act = activation(name)
    z = sp.Symbol("z", real=True)
    points = np.array([-3.0, -0.7, 0.4, 2.5])
    form = sp.lambdify(z, act.form(z), "numpy")
    prime = sp.lambdify(z, sp.diff(act.form(z), z), "numpy")
    np.testing.assert_allclose(act.numpy_form(points), form(points), rtol=1e-14)
    np.testing.assert_allclose(act.numpy_prime(points), prime(points), rtol=1e-14)
