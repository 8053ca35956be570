"""Generated gradient code: the numbers of the element-by-element formulas and of finite differences.

The generated function is checked against the engine's per-element lambdified gradients
(1e-12 relative, float64) and against central finite differences, over random architectures,
activations, costs and bias modes; it fails where numeric.py fails (a cost's logarithm outside
its domain), with the same message; the written module is the same text in every process and
runs in a fresh interpreter with only NumPy.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop.codegen import matrix_printer, modules, passes
from symbackprop.codegen.modules import module_source
from symbackprop.codegen.output_layer import from_logits
from symbackprop.derive import matrix_form
from symbackprop.model import activations
from symbackprop.numeric import numbers as numeric

from ..codegen_strategies import logarithmic_networks, points, steep_points
from ..strategies import networks

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT = {**os.environ, "PYTHONPATH": str(ROOT)}  # subprocesses import this checkout's package


def arguments(net: sbp.Network, values: numeric.Values) -> tuple:
    """(x, y, weights, biases) for the generated function, from the engine's Values."""
    return values.x, values.y, list(values.weights), list(values.biases)


def assert_close(ours: list, theirs: list, rtol: float = 1e-12, floor: float = 1e-2, least: float = 1e-300) -> None:
    """Equal to ``rtol`` relative, shape for shape; entries far below the gradient's largest (or ``least``), to
    ``rtol * floor`` of that (their rounding errors come from the larger terms they were computed from)."""
    assert len(ours) == len(theirs)
    scale = max([least] + [float(np.max(np.abs(t))) for t in theirs if np.size(t)])
    for g, r in zip(ours, theirs, strict=True):
        assert np.shape(g) == np.shape(r)
        np.testing.assert_allclose(g, r, rtol=rtol, atol=rtol * floor * scale)


@given(st.data())
def test_generated_gradients_equal_the_element_formulas(data):
    net = data.draw(networks(max_depth=3, max_width=3))
    values = data.draw(points(net))
    cost, grad_w, grad_b = net.gradient_function()(*arguments(net, values))
    ref_w, ref_b = numeric.gradient_of_mean_cost(net)(values)
    assert cost == pytest.approx(numeric.mean_cost(net, values), rel=1e-12, abs=1e-300)
    assert_close(grad_w, ref_w)
    assert_close(grad_b, ref_b)


@given(st.data())
def test_generated_gradients_agree_with_finite_differences(data):
    net = data.draw(networks(max_depth=2, max_width=3))
    values = data.draw(points(net, max_samples=2))
    _, grad_w, grad_b = net.gradient_function()(*arguments(net, values))
    fd_w, fd_b = numeric.finite_differences(net, values)
    for ours, theirs in zip(grad_w + grad_b, fd_w + fd_b, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)


@given(st.data())
def test_a_cost_outside_its_logarithm_fails_as_numeric_does(data):
    """Where the output and cost have no logits form (softmax with binary cross-entropy; sigmoid and softmax
    with cross-entropy are test_precision's), saturated outputs (a = 0 or 1 in float64) are the same SpecError,
    with the same message, as numeric.py's.

    Short of that, both give finite numbers that agree to 1e-3 of the largest gradient (or of
    1e-12): near saturation the two round differently (here sigmoid's derivative is a (1 - a),
    0 once a rounds to 1, there exp(-z) / (1 + exp(-z))^2; softmax's 1 - a_j there), each losing
    digits to cancellation, so this is a sanity check; agreement to 1e-12 relative is tested at
    well-conditioned points above.
    """
    net = data.draw(logarithmic_networks())
    assert from_logits(net.spec.activations[-1], net.spec.cost) is None
    values = data.draw(steep_points(net))
    with np.errstate(all="ignore"):
        try:
            expected = numeric.gradient_of_mean_cost(net)(values)
        except sbp.SpecError as refused:
            with pytest.raises(sbp.SpecError) as ours:
                net.gradient_function()(*arguments(net, values))
            assert str(ours.value) == str(refused)
            return
        _, grad_w, grad_b = net.gradient_function()(*arguments(net, values))
    assert all(np.all(np.isfinite(g)) for g in grad_w + grad_b)
    # Where the element formulas themselves round to inf/inf (sigmoid'(z) = e^-z / (1 + e^-z)^2 at z = -1500),
    # their NaN is not a number to compare with: the code's a (1 - a) there is 0, the limit.
    theirs = expected[0] + expected[1]
    ours = [np.where(np.isfinite(r), g, 0.0) for g, r in zip(grad_w + grad_b, theirs, strict=True)]
    assert_close(ours, [np.where(np.isfinite(r), r, 0.0) for r in theirs], rtol=1e-3, floor=1.0, least=1e-12)


def test_the_written_module_raises_a_plain_value_error_outside_the_domain(tmp_path):
    net = sbp.Network(layers=[1, 1], activation="relu", cost="cross_entropy")
    namespace: dict = {}
    exec(module_source(net), namespace)
    with pytest.raises(ValueError, match=r"cost cross_entropy: output a_0\^\(L\) = 0 for sample 1, but ln needs it"):
        namespace["gradient"]([[1.0], [-1.0]], [[1.0], [1.0]], [[[1.0]]], [[0.0]])


def installed(backend: str):
    """The backend as a parameter that runs where its package is installed (CI installs torch; jax is optional)."""
    missing = importlib.util.find_spec(backend) is None
    return pytest.param(backend, marks=pytest.mark.skipif(missing, reason=f"{backend} is not installed here"))


FLOAT64 = {"numpy": "numpy.float64", "jax": "jax.numpy.float64", "torch": "torch.float64"}


def library(backend: str) -> tuple[dict, Callable]:
    """The namespace the backend's code runs in (its module and the generated module's helpers), and its
    conversion of a NumPy array to its own float64 arrays."""
    lib = modules.backend_named(backend)
    root = importlib.import_module(lib.module.partition(".")[0])
    importlib.import_module(lib.module)
    if backend == "jax":
        root.config.update("jax_enable_x64", True)  # as the generated module does
    namespace = {root.__name__: root}
    for helper in lib.helpers.values():
        exec(helper, namespace)
    return namespace, lambda x: eval(lib.as_dtype.format(x="x", dtype=FLOAT64[backend]), {**namespace, "x": x})


@pytest.mark.parametrize("backend", ["numpy", installed("jax"), installed("torch")])
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "leaky_relu:0.2", "softplus", "identity"])
def test_each_activation_is_computed_as_numeric_computes_it(name, backend):
    """Each backend's forms of g and g' are the catalogue's NumPy forms, out to where exp overflows: NumPy's to
    1e-15 relative; another library's tanh and exp round differently, so to 1e-13, or a few ulps of 1 where a
    form cancels at saturation (1 + tanh(z/2), 1 - tanh(z)^2: each near 0 there, give or take an ulp of 1)."""
    z = np.concatenate([np.linspace(-800.0, 800.0, 4001), [-1e-300, 0.0, 1e-300, 36.5, -36.5]])
    act, lib = activations.activation(name), modules.backend_named(backend)
    net = sbp.Network(layers=[1, 1], activation=name)
    z_matrix = sp.MatrixSymbol("Z1", matrix_form.N, 1)
    in_outputs = passes.in_outputs(net, matrix_form.applied(1, act.name, z_matrix, prime=True))
    sources = [
        (matrix_printer.activation_source(net, 1, False, lib), act.numpy_form),
        (matrix_printer.activation_source(net, 1, False, lib, in_place=True), act.numpy_form),  # over Z's own buffer
        (matrix_printer.activation_source(net, 1, True, lib), act.numpy_prime),
        (
            matrix_printer.printer_for(lib)(net, lib).doprint(in_outputs),
            act.numpy_prime,
        ),  # g' in A = g(Z), where the catalogue says how
    ]
    namespace, array = library(backend)
    with np.errstate(over="ignore"):
        for source, expected in sources:
            ours = eval(source, {**namespace, "Z1": array(z.copy()), "A1": array(act.numpy_form(z))})
            ours = np.broadcast_to(np.asarray(ours, dtype=float), z.shape)
            rtol, atol = (1e-15, 1e-300) if backend == "numpy" else (1e-13, 8 * np.finfo(float).eps)
            np.testing.assert_allclose(ours, expected(z), rtol=rtol, atol=atol)


def test_matrix_products_stay_products_and_the_code_does_not_grow_with_the_widths():
    small = module_source(sbp.Network(layers=[2, 3, 3, 2], activation="sigmoid", cost="sse"))
    large = module_source(sbp.Network(layers=[784, 128, 64, 10], activation="sigmoid", cost="sse"))
    assert len(small.splitlines()) == len(large.splitlines())
    assert "Delta2 = Delta3 @ W3\n    Delta2 *= A2\n    Delta2 *= 1.0 - A2\n" in large  # BP2, g' in A, in place
    assert "dW1 = (Delta1.T @ A0 if n > 1" in large and "db1 = ones @ Delta1" in large  # BP4, BP3: 1/n in Delta
    assert "S1 = A3 - Y" in large  # the cost and BP1 share A - Y


def test_softmax_with_another_cost_is_derived_through_the_jacobian():
    """Only softmax with cross-entropy has a logits form (test_precision): with sse the code is J^T grad_a C."""
    net = sbp.Network(layers=[2, 3], activation="softmax", cost="sse")
    source = module_source(net)
    assert "Delta1 = (-2) * Y + 2 * A1 - (((-2) * Y + 2 * A1) * A1).sum(axis=1, keepdims=True)" in source
    values = numeric.random_values(net, samples=3, seed=4)
    _, grad_w, _ = net.gradient_function()(*arguments(net, values))
    ref_w, _ = numeric.gradient_of_mean_cost(net)(values)
    assert_close(grad_w, ref_w)


def test_a_shared_bias_is_given_and_returned_as_numeric_does():
    net = sbp.Network(layers=[2, 3, 1], activation=["tanh", "identity"], cost="half_sse", bias="layer")
    values = numeric.random_values(net, samples=2, seed=2)
    scalars = [float(b[0]) for b in values.biases]
    _, grad_w, grad_b = net.gradient_function()(values.x, values.y, list(values.weights), scalars)
    ref_w, ref_b = numeric.gradient_of_mean_cost(net)(values)
    assert [g.shape for g in grad_b] == [(1,), (1,)]
    assert_close(grad_w + grad_b, ref_w + ref_b)


def test_no_biases_gives_an_empty_list():
    net = sbp.Network(layers=[2, 2], bias="none")
    values = numeric.random_values(net, samples=2, seed=0)
    assert net.gradient_function()(values.x, values.y, list(values.weights))[2] == []


SOURCES = """
import sys, symbackprop as sbp
from symbackprop.codegen import module_source
for spec in ({"layers": [3, 4, 4, 2], "activation": ["softmax", "tanh", "softmax"], "cost": "cross_entropy"},
             {"layers": [2, 3, 1], "activation": ["relu", "sigmoid"], "cost": "binary_cross_entropy", "bias": "layer"}):
    sys.stdout.write(module_source(sbp.Network(**spec)))
"""


def test_the_module_is_the_same_text_in_every_process():
    texts = {
        subprocess.run(
            [sys.executable, "-c", SOURCES],
            env={**CHECKOUT, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(texts) == 1
    assert "layers 3-4-4-2; activations softmax, tanh, softmax; cost cross_entropy" in texts.pop()


def test_the_written_module_runs_with_numpy_alone(tmp_path):
    net = sbp.Network.from_toml("templates/examples/worked.toml")
    (tmp_path / "grad.py").write_text(module_source(net))
    values = net.spec.values
    script = (
        "import sys; sys.modules['sympy'] = None; sys.modules['symbackprop'] = None\n"
        "import json, grad\n"
        f"cost, gw, gb = grad.gradient({values.x.tolist()}, {values.y.tolist()}, "
        f"{[w.tolist() for w in values.weights]}, {[b.tolist() for b in values.biases]})\n"
        "print(json.dumps([cost, [w.tolist() for w in gw], [b.tolist() for b in gb]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    cost, grad_w, grad_b = __import__("json").loads(done.stdout)
    ours = net.gradient_function()(*arguments(net, values))
    assert cost == ours[0]
    assert_close([np.array(g) for g in grad_w + grad_b], ours[1] + ours[2], rtol=0.0)


def test_codegen_command_writes_the_module(tmp_path):
    out = tmp_path / "grad.py"
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", "codegen", "example:worked", "-o", str(out)],
        env=CHECKOUT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text() == module_source(sbp.Network.from_toml("templates/examples/worked.toml"))


def test_codegen_command_writes_a_torch_module_on_request(tmp_path):
    out = tmp_path / "grad_torch.py"
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", "codegen", "example:worked", "--backend", "torch", "-o", str(out)],
        env=CHECKOUT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text() == module_source(sbp.Network.from_toml("templates/examples/worked.toml"), "torch")


def test_a_generic_activation_has_no_code():
    with pytest.raises(sbp.SpecError, match="generic activation g"):
        module_source(sbp.Network(layers=[2, 2], activation="g"))


@pytest.mark.parametrize("backend", [installed("jax"), installed("torch")])
@given(data=st.data())
def test_each_installed_backend_gives_the_numpy_numbers(backend, data):
    net = data.draw(networks(max_depth=3, max_width=3))
    values = data.draw(points(net))
    cost, grad_w, grad_b = net.gradient_function(backend=backend)(*arguments(net, values))
    ref_cost, ref_w, ref_b = net.gradient_function()(*arguments(net, values))
    assert type(cost) is float and cost == pytest.approx(ref_cost, rel=1e-12, abs=1e-300)
    assert all(type(g).__module__.split(".")[0] in (backend, "jaxlib") for g in grad_w + grad_b)
    assert_close([np.asarray(g) for g in grad_w], ref_w)
    assert_close([np.asarray(g) for g in grad_b], ref_b)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_backends_module_uses_only_its_own_library(backend):
    """Written without the library installed too: valid Python that imports the backend and never NumPy."""
    net = sbp.Network(layers=[2, 3, 3, 2], activation=["softplus", "leaky_relu:0.2", "softmax"], cost="cross_entropy")
    source = module_source(net, backend)
    imported = {a.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import) for a in node.names}
    assert imported == ({"jax", "jax.numpy"} if backend == "jax" else {"torch"})
    assert "numpy." not in source.replace("jax.numpy.", "")
    assert module_source(net, backend) == source


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_backend_that_is_not_installed_is_refused_by_name(backend):
    if importlib.util.find_spec(backend) is not None:
        pytest.skip(f"{backend} is installed here")
    with pytest.raises(sbp.SpecError, match=f"backend '{backend}' needs the {backend} package, which is not installed"):
        sbp.Network(layers=[2, 2]).gradient_function(backend=backend)


def test_an_unknown_backend_is_refused():
    with pytest.raises(sbp.SpecError, match="unknown backend 'tensorflow'; known: numpy, jax, torch"):
        sbp.Network(layers=[2, 2]).gradient_function(backend="tensorflow")


def test_numpy_code_generation_never_imports_torch():
    """SymPy's PyTorch printer imports torch (seconds), so only the torch backend may load it."""
    script = (
        "import sys, symbackprop as s; from symbackprop.codegen import module_source; "
        "module_source(s.Network(layers=[2, 3, 2])); print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
