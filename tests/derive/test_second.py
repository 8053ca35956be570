"""Second derivatives by the chain rule, proven against sympy.diff twice; the Hessian against the gradient."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.derive.second import derive_second
from symbackprop.numeric import numbers as numeric
from symbackprop.prove.second import check

from ..strategies import networks


@given(st.data())
def test_every_second_derivative_is_sympys_twice(data):
    net = data.draw(networks(max_depth=2, max_width=2, generic=True))
    params = net.parameters()
    first, second = data.draw(st.sampled_from(params)), data.draw(st.sampled_from(params))
    proof = check(derive_second(net, first, second))
    assert proof.verdict == "proven" and proof.method == "symbolic", proof


def test_a_wrong_second_derivative_is_caught():
    net = sbp.Network(layers=[1, 1, 1], activation="tanh")
    d2 = derive_second(net, net.ref("w^{(L)}"), net.ref("w^{(L-1)}"))
    wrong = type(d2)(d2.first, d2.second, d2.second_symbol, d2.sensitivities, d2.terms, 2 * d2.result)
    assert check(wrong).verdict == "disproven"


@given(st.data())
def test_the_hessian_is_the_finite_difference_of_the_generated_gradient(data):
    net = data.draw(networks(max_depth=2, max_width=2))
    values = numeric.random_values(net, samples=2, seed=data.draw(st.integers(0, 5)))
    hessian = net.hessian_function()(values)
    gradient = net.gradient_function()
    refs = net.parameters()
    biases = list(values.biases) if net.spec.bias != "none" else []

    def flat(weights, biases_):
        _, gw, gb = gradient(values.x, values.y, weights, biases_)
        return np.array([_pick(net, r, gw, gb) for r in refs])

    h = 1e-5
    for q, ref in enumerate(refs):
        up, down = _nudged(net, values, ref, h), _nudged(net, values, ref, -h)
        column = (flat(*up) - flat(*down)) / (2 * h)
        np.testing.assert_allclose(hessian[:, q], column, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hessian, hessian.T)
    assert biases is not None


def _pick(net, ref, gw, gb):
    base = net.spec.index_base
    if ref.kind == "w":
        return gw[ref.layer - 1][ref.indices[0] - base, ref.indices[1] - base]
    value = gb[ref.layer - 1]
    return float(np.ravel(value)[ref.indices[0] - base if ref.indices else 0])


def _nudged(net, values, ref, step):
    base = net.spec.index_base
    weights = [w.copy() for w in values.weights]
    biases = [b.copy() for b in values.biases] if net.spec.bias != "none" else []
    if ref.kind == "w":
        weights[ref.layer - 1][ref.indices[0] - base, ref.indices[1] - base] += step
    else:
        biases[ref.layer - 1][ref.indices[0] - base if ref.indices else 0] += step
    return weights, biases


def test_derive_with_two_references_works_the_second_derivative(cmdline):
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--wrt2", "w^{(L-1)}")
    assert done.returncode == 0, done.stderr
    assert "∂z^(L)/∂w^(L-1) = σ'(z^(L-1))·a^(L-2)·w^(L)" in done.stdout
    assert "σ''(z^(L))" in done.stdout and "proven (symbolic)" in done.stdout


WORKED_2_2_2 = {
    "x": [0.5, -1.0],
    "y": [1.0, 0.0],
    "weights": [[[0.1, -0.2], [0.4, 0.3]], [[0.3, -0.1], [-0.4, 0.6]]],
    "biases": [[0.1, 0.0], [0.2, -0.2]],
}


def test_the_hessian_takes_values_shaped_for_its_network_and_names_a_wrong_one():
    net = sbp.Network.from_toml("templates/examples/worked.toml")
    h = net.hessian_function()
    batch = sbp.Network(
        layers=[2, 3, 2],
        values={
            "x": [[0.5, -1.0], [0.1, 0.2]],
            "y": [[1.0, 0.0], [0.0, 1.0]],
            "weights": [[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.3, -0.1, 0.2], [-0.4, 0.6, 0.1]]],
            "biases": [[0.1, 0.0, -0.1], [0.2, -0.2]],
        },
    )
    assert h(batch.spec.values).shape == (17, 17)
    narrow = sbp.Network(layers=[2, 2, 2], values=WORKED_2_2_2)
    with pytest.raises(sbp.SpecError, match=r"values\.weights\[0\]: must be shaped \(3, 2\), got \(2, 2\)"):
        h(narrow.spec.values)
    with pytest.raises(sbp.SpecError, match=r"expected a symbackprop\.Values"):
        h({"x": [0.5, -1.0]})
