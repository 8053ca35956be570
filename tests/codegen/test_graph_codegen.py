"""Generated graph modules: the engine's numbers, PyTorch autograd's, and a module that stands alone.

Every graph of tests/graphs and random DAGs (2 to 40 nodes of + - * / powers exp log tanh sigmoid relu max min
abs and constants, nodes shared) are written as modules, imported from a file, and compared: forward values and
gradients with ``graph_numbers`` (the engine's own numbers, 1e-12 relative) and with PyTorch autograd on the same
graph rebuilt here in torch from the nodes' SymPy expressions (1e-10), at one point and for a batch of 5 values
per input. The text is the same in every process, and the module runs where symbackprop and SymPy cannot be
imported.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import itertools
import json
import operator
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.base.errors import SpecError
from symbackprop.codegen import graph_module_source, graph_modules
from symbackprop.codegen.graph_code import identifiers
from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.model import graph_spec
from symbackprop.model.graph import Graph
from symbackprop.model.graph_functions import relu, sigmoid
from symbackprop.numeric.graph_numbers import graph_numbers

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "tests" / "graphs").glob("*.toml"))
CHECKOUT = {**os.environ, "PYTHONPATH": str(ROOT)}
BATCH = 5


def installed(backend: str) -> Any:
    """The backend as a parameter, skipped (with the reason) where its package is not installed."""
    missing = importlib.util.find_spec(backend) is None
    return pytest.param(backend, marks=pytest.mark.skipif(missing, reason=f"{backend} is not installed here"))


BACKENDS = ["numpy", installed("torch"), installed("jax")]
needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed here")
_count = itertools.count()


def load(source: str, directory: Path) -> ModuleType:
    """The source written to a file and imported from it by path, as a user would."""
    name = f"graph_module_{next(_count)}"
    path = directory / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- references --------------------------------------------------------------------------------------


def engine_numbers(graph: Graph, values: dict[str, np.ndarray]) -> tuple[dict, dict]:
    """``graph_numbers`` sample by sample, stacked: values and gradients by name, each shaped as the inputs."""
    d = derive_graph(graph, None)
    shape = np.broadcast_shapes(*(np.shape(v) for v in values.values()))
    samples = [
        graph_numbers(d, {k: float(np.broadcast_to(v, shape)[i]) for k, v in values.items()}) for i in np.ndindex(shape)
    ]
    stack = lambda table: {n: np.reshape([getattr(s, table)[n] for s in samples], shape) for n in graph.names}  # noqa: E731
    return stack("values"), stack("gradients")


def torch_numbers(graph: Graph, values: dict[str, np.ndarray]) -> tuple[dict, dict]:
    """Forward values and d(output)/d(name) by PyTorch autograd: each node's SymPy expression walked and applied
    as torch operations, float64 leaves that require grad (a constant node is one more), the output summed over
    the batch (each sample's gradient is then its own) and ``.backward()``; a name the output does not reach has
    gradient 0."""
    import torch

    env: dict[sp.Basic, Any] = {
        graph.symbols[leaf]: torch.tensor(np.asarray(values[leaf], dtype=float), requires_grad=True)
        for leaf in graph.leaves
    }
    shape = np.broadcast_shapes(*(np.shape(values[leaf]) for leaf in graph.leaves))
    for node in graph.nodes:
        value = _torch_eval(node.expression, env, torch)
        if not value.requires_grad:  # a constant node: a leaf of its own, shaped as the batch, for its gradient
            value = torch.full(shape, float(value), dtype=torch.float64, requires_grad=True)
        elif node.expression.is_Symbol:  # a tensor of its own, for a gradient of its own
            value = value.clone()
        if not value.is_leaf:
            value.retain_grad()
        env[node.symbol] = value
    env[graph.symbols[graph.output]].sum().backward()
    forward = {name: np.broadcast_to(env[graph.symbols[name]].detach().numpy(), shape) for name in graph.names}
    grads = {}
    for name in graph.names:
        grad = env[graph.symbols[name]].grad
        grads[name] = np.broadcast_to(grad.numpy(), shape) if grad is not None else np.zeros(shape)
    return forward, grads


def _torch_eval(e: sp.Expr, env: dict[sp.Basic, Any], torch: Any) -> Any:
    if e in env:
        return env[e]
    if not e.free_symbols:
        return torch.tensor(float(e.rewrite(sp.exp).evalf(30)), dtype=torch.float64)
    if isinstance(e, sp.Pow) and e.exp.is_Number:
        return _torch_eval(e.base, env, torch) ** float(e.exp)
    args = [_torch_eval(a, env, torch) for a in e.args]
    apply = {
        sp.Add: lambda *a: functools.reduce(operator.add, a),
        sp.Mul: lambda *a: functools.reduce(operator.mul, a),
        sp.Pow: lambda b, x: b**x,
        sp.Max: lambda *a: functools.reduce(torch.maximum, a),
        sp.Min: lambda *a: functools.reduce(torch.minimum, a),
        sp.exp: torch.exp,
        sp.log: torch.log,
        sp.tanh: torch.tanh,
        sp.Abs: torch.abs,
        sp.sign: torch.sign,
        sigmoid: torch.sigmoid,
        relu: torch.relu,
    }
    return apply[type(e)](*args)


def assert_numbers(ours: dict, expected: dict, names: tuple[str, ...], rtol: float) -> None:
    for name in names:
        got = np.asarray(ours[name], dtype=float)
        assert got.shape == np.shape(expected[name]), name
        np.testing.assert_allclose(got, expected[name], rtol=rtol, atol=1e-300, err_msg=name)


# --- graphs ------------------------------------------------------------------------------------------

LEAF_NAMES = ["x", "y", "w_{0}", "x_{12}", "\\alpha", "\\lambda", "b_1", "\\beta_{2}", "z"]
# name -> (text, operands, where values stay moderate and its derivative well-conditioned: σ and tanh short of
# saturation, where 1 - σ and 1 - tanh^2 cancel and the libraries' last bits of σ(x), tanh(x) show)
OPS: dict[str, tuple[str, int, Callable[..., Any]]] = {
    "add": ("{a} + {b}", 2, lambda a, b: True),
    "sub": ("{a} - {b}", 2, lambda a, b: True),
    "mul": ("{a} {b}", 2, lambda a, b: np.all(np.abs(a * b) < 30)),
    "div": ("\\frac{{{a}}}{{{b}}}", 2, lambda a, b: np.all(np.abs(b) > 0.3) and np.all(np.abs(a / b) < 30)),
    "square": ("{a}^{{2}}", 1, lambda a: np.all(np.abs(a) < 5)),
    "cube": ("{a}^{{3}}", 1, lambda a: np.all(np.abs(a) < 3)),
    "inverse": ("{a}^{{-1}}", 1, lambda a: np.all(np.abs(a) > 0.3)),
    "sqrt": ("\\sqrt{{{a}}}", 1, lambda a: np.all(a > 0.3)),
    "exp": ("\\exp({a})", 1, lambda a: np.all(a < 3)),
    "log": ("\\ln({a})", 1, lambda a: np.all(a > 0.3)),
    "tanh": ("\\tanh({a})", 1, lambda a: np.all(np.abs(a) < 5)),
    "sigmoid": ("\\sigma({a})", 1, lambda a: np.all(np.abs(a) < 8)),
    "relu": ("\\operatorname{{relu}}({a})", 1, lambda a: True),
    "max": ("\\max({a}, {b})", 2, lambda a, b: True),
    "min": ("\\min({a}, {b})", 2, lambda a, b: True),
    "abs": ("|{a}|", 1, lambda a: True),
    "affine": ("3 {a} - \\frac{{1}}{{2}}", 1, lambda a: np.all(np.abs(a) < 10)),
    "expression": ("{a} {b} + \\tanh({a})", 2, lambda a, b: np.all(np.abs(a * b) < 30) and np.all(np.abs(a) < 5)),
}
NUMPY_OPS: dict[str, Callable[..., Any]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "square": np.square,
    "cube": lambda a: a**3,
    "inverse": lambda a: 1 / a,
    "sqrt": np.sqrt,
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
    "relu": lambda a: np.maximum(a, 0),
    "max": np.maximum,
    "min": np.minimum,
    "abs": np.abs,
    "affine": lambda a: 3 * a - 0.5,
    "expression": lambda a, b: a * b + np.tanh(a),
}


def random_graph(seed: int) -> tuple[Graph, dict[str, np.ndarray]]:
    """A DAG of 2 to 40 nodes on 1 to 5 inputs, each node an operation on earlier names (recent ones more often,
    any may be shared), chosen where its values for the batch keep it well-conditioned; and the batch."""
    rng = random.Random(seed)
    leaves = rng.sample(LEAF_NAMES, rng.randint(1, 5))
    known = {leaf: np.array([rng.uniform(-2.0, 2.0) for _ in range(BATCH)]) for leaf in leaves}
    nodes: dict[str, str] = {}
    for i in range(rng.randint(2, 40)):
        names = list(known)
        for _ in range(50):
            op = rng.choice(list(OPS))
            text, arity, fine = OPS[op]
            operands = [rng.choice(names[-4:] if rng.random() < 0.6 else names) for _ in range(arity)]
            args = [known[a] for a in operands]
            if fine(*args):
                break
        else:
            op, text, operands, args = "add", "{a} + {b}", [names[-1], names[0]], [known[names[-1]], known[names[0]]]
        name = f"\\gamma_{{{i}}}" if i % 7 == 3 else f"h_{{{i}}}"
        nodes[name] = text.format(**dict(zip("ab", operands, strict=False)))
        known[name] = NUMPY_OPS[op](*args) if op != "sub" or operands[0] != operands[1] else np.zeros(BATCH)
    graph = Graph.build(nodes, {leaf: float(known[leaf][0]) for leaf in leaves})
    return graph, {graph.symbol(leaf).name: known[leaf] for leaf in leaves}


def spec_graph(path: Path) -> Graph:
    return graph_spec.from_toml(path).graph


def spec_batch(graph: Graph, seed: int = 0) -> dict[str, np.ndarray]:
    """The spec's values and 4 more points near them (away from the kinks the spec's values may sit on)."""
    rng = np.random.default_rng(seed)
    assert graph.values is not None
    return {k: float(v) + np.concatenate([[0.0], rng.uniform(-0.05, 0.05, BATCH - 1)]) for k, v in graph.values.items()}


# --- the numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_each_spec_graph_gives_the_engines_numbers(path, backend, tmp_path):
    graph = spec_graph(path)
    module = load(graph_module_source(graph, backend), tmp_path)
    assert graph.values is not None
    numbers = graph_numbers(derive_graph(graph, None))
    values, grads = module.forward(dict(graph.values)), module.gradients(dict(graph.values))
    assert list(values) == list(grads) == list(graph.names)
    assert_numbers(values, {n: np.asarray(v) for n, v in numbers.values.items()}, graph.names, 1e-12)
    assert_numbers(grads, {n: np.asarray(v) for n, v in numbers.gradients.items()}, graph.names, 1e-12)
    batch = spec_batch(graph)
    expected_values, expected_grads = engine_numbers(graph, batch)
    assert_numbers(module.forward(batch), expected_values, graph.names, 1e-12)
    assert_numbers(module.gradients(batch), expected_grads, graph.names, 1e-12)


@needs_torch
@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_each_spec_graph_gives_pytorch_autograds_numbers(path, tmp_path):
    graph = spec_graph(path)
    module = load(graph_module_source(graph), tmp_path)
    for values in ({k: np.asarray(v) for k, v in (graph.values or {}).items()}, spec_batch(graph, seed=1)):
        expected_values, expected_grads = torch_numbers(graph, values)
        assert_numbers(module.forward(values), expected_values, graph.names, 1e-10)
        assert_numbers(module.gradients(values), expected_grads, graph.names, 1e-10)


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_give_the_engines_numbers_and_autograds(seed, tmp_path):
    graph, batch = random_graph(seed)
    assert 2 <= len(graph.nodes) <= 40
    module = load(graph_module_source(graph), tmp_path)
    point = {k: v[0] for k, v in batch.items()}
    for values in (point, batch):
        expected_values, expected_grads = engine_numbers(graph, values)
        assert_numbers(module.forward(values), expected_values, graph.names, 1e-12)
        assert_numbers(module.gradients(values), expected_grads, graph.names, 1e-12)
        if importlib.util.find_spec("torch") is not None:
            torch_values, torch_grads = torch_numbers(graph, values)
            assert_numbers(module.forward(values), torch_values, graph.names, 1e-10)
            assert_numbers(module.gradients(values), torch_grads, graph.names, 1e-10)


@pytest.mark.parametrize("backend", [installed("torch"), installed("jax")])
@pytest.mark.parametrize("seed", range(0, 40, 3))
def test_random_graphs_in_each_installed_backend(seed, backend, tmp_path):
    graph, batch = random_graph(seed)
    module = load(graph_module_source(graph, backend), tmp_path)
    values, grads = module.forward(batch), module.gradients(batch)
    assert all(type(g).__module__.split(".")[0] in (backend, "jaxlib") for g in [*values.values(), *grads.values()])
    expected_values, expected_grads = engine_numbers(graph, batch)
    assert_numbers(values, expected_values, graph.names, 1e-12)
    assert_numbers(grads, expected_grads, graph.names, 1e-12)
    if importlib.util.find_spec("torch") is not None:
        torch_values, torch_grads = torch_numbers(graph, batch)
        assert_numbers(values, torch_values, graph.names, 1e-10)
        assert_numbers(grads, torch_grads, graph.names, 1e-10)


def test_kinks_take_the_derivations_values_there(tmp_path):
    """relu'(0) = 0 (Heaviside(x, 0)), a tie of max or min splits the gradient (Heaviside(0) = 1/2, as PyTorch's
    maximum does), |x|'(0) = sign(0) = 0: the engine's, autograd's and the module's numbers agree at the kinks."""
    graph = Graph.build(
        {"r": "\\operatorname{relu}(x)", "m": "\\max(x, y)", "n": "\\min(x, y)", "a": "|y|", "f": "r + 2 m + 3 n + a"},
        {"x": 0.0, "y": 0.0},
    )
    source = graph_module_source(graph)
    assert "numpy.heaviside(x, 0.0)" in source and "numpy.heaviside(x - y, 0.5)" in source
    grads = load(source, tmp_path).gradients({"x": 0.0, "y": 0.0})
    assert {name: float(grads[name]) for name in ("x", "y")} == {"x": 2.5, "y": 2.5}
    engine = graph_numbers(derive_graph(graph, None)).gradients
    assert (engine["x"], engine["y"]) == (2.5, 2.5)
    if importlib.util.find_spec("torch") is not None:
        _, autograd = torch_numbers(graph, {"x": np.asarray(0.0), "y": np.asarray(0.0)})
        assert (float(autograd["x"]), float(autograd["y"])) == (2.5, 2.5)


def test_a_constant_node_and_an_unused_name_have_the_inputs_shape(tmp_path):
    graph = Graph.build({"k": "2", "q": "x y", "f": "k \\tanh(x)"}, {"x": 0.5, "y": 3.0}, output="f")
    module = load(graph_module_source(graph), tmp_path)
    values, grads = module.forward({"x": [0.5, 1.0], "y": 3.0}), module.gradients({"x": [0.5, 1.0], "y": 3.0})
    np.testing.assert_array_equal(values["k"], [2.0, 2.0])
    np.testing.assert_array_equal(values["y"], [3.0, 3.0])
    np.testing.assert_array_equal(grads["y"], [0.0, 0.0])  # f does not depend on y, nor on q
    np.testing.assert_array_equal(grads["q"], [0.0, 0.0])
    np.testing.assert_allclose(grads["x"], 2 * (1 - np.tanh([0.5, 1.0]) ** 2), rtol=1e-15)


def test_latex_names_become_identifiers_and_stay_the_keys(tmp_path):
    """A graph with a network's names (as a dense graph writes them) and names whose identifiers collide."""
    names = ["w_{12}^{(L)}", "a^{(L-1)}", "x_{1,2}", "x_1_2", "grad_z", "z", "\\lambda"]
    s = {name: sp.Symbol(name, real=True) for name in [*names, "z^{(L)}", "C_0"]}
    zl = s["w_{12}^{(L)}"] * s["a^{(L-1)}"] + s["x_{1,2}"] * s["x_1_2"] + s["grad_z"] * s["z"] ** 2 + s["\\lambda"]
    graph = Graph.from_expressions(
        [(s["z^{(L)}"], zl), (s["C_0"], sigmoid(s["z^{(L)}"]) ** 2)],
        [s[n] for n in names],
        values=dict.fromkeys(names, 0.5),
    )
    source = graph_module_source(graph)
    assert "def _forward(w_12_L, a_L_1, x_1_2, x_1_2_2, grad_z_2, z, lambda_):" in source
    assert "    grad_z = grad_z_L * (2*grad_z_2*z)\n" in source  # z's gradient, and the input grad_z's value
    assert "    # the inputs in the code: w_{12}^{(L)} -> w_12_L, a^{(L-1)} -> a_L_1, x_{1,2} -> x_1_2," in source
    grads = load(source, tmp_path).gradients(dict.fromkeys(names, 0.5))
    assert list(grads) == [*names, "z^{(L)}", "C_0"]
    assert_numbers(grads, engine_numbers(graph, dict.fromkeys(names, np.asarray(0.5)))[1], graph.names, 1e-12)


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=12, unique=True))
def test_identifiers_are_valid_distinct_and_never_a_gradients_name(names):
    idents = identifiers(names)
    assert list(idents) == names and identifiers(names) == idents
    assert all(i.isidentifier() and i.isascii() and i[0].isalpha() for i in idents.values())
    assert not any(__import__("keyword").iskeyword(i) for i in idents.values())
    values = set(idents.values())
    assert len(values) == len(names) and not values & {f"grad_{i}" for i in values}


# --- the module --------------------------------------------------------------------------------------


def cs231n() -> Graph:
    return spec_graph(ROOT / "tests" / "graphs" / "cs231n_add_mul_xyz.toml")


def test_the_code_is_the_derivation_step_by_step():
    source = graph_module_source(cs231n())
    body = source[source.index("    # the backward pass") : source.index("    return {")].splitlines()
    assert [line.strip() for line in body if not line.strip().startswith("#")] == [
        "grad_f = numpy.ones_like(f)",
        "grad_q = grad_f * z",
        "grad_x = grad_q",
        "grad_y = grad_q",
        "grad_z = grad_f * q",
    ]
    assert "# q: used by f (multiply gate)" in source and "# x: used by q (add gate)" in source
    assert "    q = x + y\n    f = q*z  # f = q z\n" in source
    assert 'Output: "f". Inputs: "x", "y", "z". Nodes: "q", "f".' in source
    tanh = graph_module_source(spec_graph(ROOT / "tests" / "graphs" / "micrograd_lecture_neuron_tanh.toml"))
    assert "grad_n = grad_o * (1 - o**2)" in tanh  # tanh'(n) written in the node's value, as the lesson does


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_the_source_is_the_same_twice_and_imports_only_its_library(backend):
    graph, _ = random_graph(7)
    source = graph_module_source(graph, backend)
    assert graph_module_source(random_graph(7)[0], backend) == source
    imported = {a.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import) for a in node.names}
    own = {"numpy": {"numpy"}, "torch": {"torch"}, "jax": {"jax", "jax.numpy"}}[backend]
    assert imported == {"collections.abc", *own}
    assert not any(isinstance(node, ast.ImportFrom) for node in ast.walk(ast.parse(source)))


SOURCES = """
import hashlib, sys
from tests.codegen.test_graph_codegen import SPECS, random_graph, spec_graph
from symbackprop.codegen import graph_module_source
texts = [graph_module_source(spec_graph(p), b) for p in SPECS for b in ("numpy", "torch")]
texts += [graph_module_source(random_graph(seed)[0]) for seed in range(5)]
sys.stdout.write(hashlib.sha256("".join(texts).encode()).hexdigest())
"""


def test_the_source_is_the_same_in_every_process():
    digests = {
        subprocess.run(
            [sys.executable, "-c", SOURCES],
            env={**CHECKOUT, "PYTHONHASHSEED": seed},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


STANDALONE = """
import json, sys
sys.modules["symbackprop"] = None  # an import of it would fail, and of SymPy where the library does not use it
if sys.argv[2] != "torch":
    sys.modules["sympy"] = None
sys.path.insert(0, sys.argv[1])
import circuit
grads = circuit.gradients({"x": [-2.0, 1.0], "y": 5.0, "z": -4.0})
print(json.dumps({name: [float(v) for v in g] for name, g in grads.items()}))
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_module_runs_without_symbackprop(backend, tmp_path):
    (tmp_path / "circuit.py").write_text(graph_module_source(cs231n(), backend), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", "-c", STANDALONE, str(tmp_path), backend], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    grads = json.loads(done.stdout)
    assert grads == {"x": [-4.0, -4.0], "y": [-4.0, -4.0], "z": [3.0, 6.0], "q": [-4.0, -4.0], "f": [1.0, 1.0]}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_module_checks_its_argument(backend, tmp_path):
    module = load(graph_module_source(cs231n(), backend), tmp_path)
    cases = [
        ({"x": 1.0, "y": 2.0}, ValueError, r"no value for 'z'"),
        ({"x": 1.0, "y": 2.0, "z": 3.0, "w": 1.0}, ValueError, r"'w' is not an input of this graph"),
        ({"x": 1.0, "y": 2.0, "z": 3.0, "q": 1.0}, ValueError, r"'q' is a node, computed from the inputs"),
        ({"x": "one", "y": 2.0, "z": 3.0}, ValueError, r"values\['x'\]: must be a real number"),
        ({"x": [1.0, 2.0], "y": [1.0, 2.0, 3.0], "z": 3.0}, ValueError, r"do not broadcast to one shape"),
        ([1.0, 2.0, 3.0], TypeError, r"values: a dict"),
    ]
    for values, error, message in cases:
        for function in (module.forward, module.gradients):
            with pytest.raises(error, match=message):
                function(values)
    spaced = load(graph_module_source(Graph.build({"f": "2 x_{12}"}, {"x_{12}": 1.0})), tmp_path)
    with pytest.raises(ValueError, match=r"'x_1 2' is not an input of this graph; did you mean 'x_\{12\}'\?"):
        spaced.gradients({"x_1 2": 1.0})


def test_a_function_without_code_is_refused_by_name():
    x, f = sp.symbols("x f", real=True)
    graph = Graph.from_expressions([(f, sp.sin(x))], [x])
    with pytest.raises(SpecError, match=r"^node f: sin has no code here; a graph's code knows .*sigmoid, relu") as err:
        graph_module_source(graph)
    assert "\n" not in str(err.value)


def test_a_module_past_the_bound_is_refused(monkeypatch):
    monkeypatch.setattr(graph_modules, "MAX_CHARACTERS", 1_000)
    with pytest.raises(SpecError, match=r"^the graph's module would be [\d,]+ characters; the limit is 1,000$"):
        graph_module_source(cs231n())
    monkeypatch.setattr(graph_modules, "MAX_TERMS", 5)
    with pytest.raises(SpecError, match=r"local gradients pass 5 terms"):
        graph_module_source(cs231n())


def test_an_unknown_backend_is_refused():
    with pytest.raises(SpecError, match=r"unknown backend 'tensorflow'; known: numpy, jax, torch"):
        graph_module_source(cs231n(), "tensorflow")


def test_numpy_code_generation_never_imports_torch():
    script = (
        "import sys; from tests.codegen.test_graph_codegen import cs231n; "
        "from symbackprop.codegen import graph_module_source; graph_module_source(cs231n()); "
        "graph_module_source(cs231n(), 'torch'); print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], env=CHECKOUT, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
