"""Generated gradient code: the same numbers as the element-by-element formulas and as finite differences.

The generated function is checked against the engine's per-element lambdified gradients
(1e-12 relative, float64) and against central finite differences, over random architectures,
activations, costs and bias modes; the written module runs in a fresh interpreter with only
NumPy, and is the same text every time.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop import numeric
from symbackprop.codegen import module_source

from .strategies import networks


def as_arguments(net: sbp.Network, values: numeric.Values):
    biases = [] if net.spec.bias == "none" else list(values.biases)
    return values.x, values.y, list(values.weights), biases


def close(ours, theirs) -> bool:
    ours, theirs = np.ravel(np.asarray(ours, dtype=float)), np.ravel(np.asarray(theirs, dtype=float))
    return bool(np.all(np.abs(ours - theirs) <= 1e-12 * np.maximum(np.abs(theirs), 1e-3)))


@given(st.data())
def test_generated_gradients_equal_the_element_formulas(data):
    net = data.draw(networks(max_depth=3, max_width=3))
    values = numeric.random_values(net, samples=data.draw(st.integers(1, 4)), seed=data.draw(st.integers(0, 9)))
    cost, grad_w, grad_b = net.gradient_function()(*as_arguments(net, values))
    ref_w, ref_b = numeric.gradient_of_mean_cost(net)(values)
    assert cost == pytest.approx(numeric.mean_cost(net, values), rel=1e-12)
    assert all(close(g, r) for g, r in zip(grad_w, ref_w, strict=True))
    assert len(grad_b) == len(ref_b) and all(close(g, r) for g, r in zip(grad_b, ref_b, strict=True))


@given(st.data())
def test_generated_gradients_agree_with_finite_differences(data):
    net = data.draw(networks(max_depth=2, max_width=3))
    values = numeric.random_values(net, samples=2, seed=data.draw(st.integers(0, 9)))
    _, grad_w, grad_b = net.gradient_function()(*as_arguments(net, values))
    fd_w, fd_b = numeric.finite_differences(net, values)
    for ours, theirs in zip(grad_w + list(grad_b), fd_w + fd_b, strict=True):
        np.testing.assert_allclose(np.ravel(ours), np.ravel(theirs), rtol=1e-5, atol=1e-7)


def test_the_module_is_the_same_text_every_time_and_runs_with_numpy_alone(tmp_path):
    net = sbp.Network.from_toml("templates/examples/worked.toml")
    source = module_source(net)
    assert source == module_source(sbp.Network.from_toml("templates/examples/worked.toml"))
    assert "sympy" not in source and "symbackprop" not in source.split('"""')[2]
    (tmp_path / "grad.py").write_text(source)
    values = net.spec.values
    script = (
        "import sys; sys.modules['sympy'] = None; sys.modules['symbackprop'] = None\n"
        "import json, grad\n"
        f"cost, gw, gb = grad.gradient({values.x.tolist()}, {values.y.tolist()}, "
        f"{[w.tolist() for w in values.weights]}, {[b.tolist() for b in values.biases]})\n"
        "print(json.dumps(cost))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == pytest.approx(numeric.mean_cost(net, values), rel=1e-12)


def test_codegen_writes_the_module(tmp_path):
    out = tmp_path / "grad.py"
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", "codegen", "example:worked", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "def gradient(x, y, weights, biases=())" in text
    assert "Delta1 = Delta2 @ W2" in text  # BP2 as a matrix product, Delta^(2) shared


def test_a_generic_activation_has_no_code_and_other_backends_are_refused():
    with pytest.raises(sbp.SpecError, match="generic activation g"):
        module_source(sbp.Network(layers=[2, 2], activation="g"))
    with pytest.raises(sbp.SpecError, match="only numpy"):
        sbp.Network(layers=[2, 2]).gradient_function(backend="torch")
