"""codegen and evaluate on a spec of [[layer]] tables with whole arrays: ``codegen SPEC`` writes the vectorised
NumPy module, whose gradient is evaluate's; ``evaluate`` on a stack past the graph's limits (a 1x28x28 CNN at
batch 64) computes it with that module, says so, and gives PyTorch's numbers."""

from __future__ import annotations

import json
import runpy
import tomllib
from pathlib import Path

import numpy as np
import pytest

from symbackprop.model.layers.layer_graph import array_stack

from .torch_mirror import torch_run

CNN = """input = [1, 28, 28]
cost = "cross_entropy"
batch = 64
seed = 1
l2 = 0.01
[[layer]]
kind = "conv2d"
out_channels = 8
kernel = 3
[[layer]]
kind = "activation"
activation = "relu"
[[layer]]
kind = "maxpool2d"
size = 2
[[layer]]
kind = "flatten"
[[layer]]
kind = "dense"
size = 10
activation = "softmax"
"""


def test_codegen_writes_the_vectorised_module_whose_gradient_is_evaluates(tmp_path: Path, cmdline) -> None:
    out = tmp_path / "grad.py"
    done = cmdline.run("codegen", "example:small-cnn", "-o", str(out))
    assert done.returncode == 0, done.stderr
    module = runpy.run_path(str(out))
    data = json.loads(cmdline.run("evaluate", "example:small-cnn", "--json").stdout)
    assert "note" not in data  # the example's graph is small: evaluate derives it
    parameters = {entry["layer"]: entry["parameters"] for entry in data["layers"]}
    cost, gradients = module["gradient"](data["x"], data["y"], parameters)
    assert abs(cost - data["cost"]) <= 1e-12
    for entry in data["layers"]:
        for name, expected in entry["gradients"].items():
            np.testing.assert_allclose(gradients[entry["layer"]][name], expected, rtol=1e-12, atol=1e-12)


def test_evaluate_past_the_graphs_limits_uses_the_vectorised_pass(tmp_path: Path, cmdline) -> None:
    spec = tmp_path / "cnn.toml"
    spec.write_text(CNN)
    done = cmdline.run("evaluate", str(spec), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "vectorised NumPy pass" in data["note"] and "865,920 nodes" in data["note"]
    arrays = array_stack(tomllib.loads(CNN))
    theirs = torch_run(arrays.stack, arrays.numbers)
    assert abs(data["cost"] - theirs["cost"]) <= 1e-10
    for entry in data["layers"]:
        for name, gradient in entry["gradients"].items():
            expected = theirs["gradients"][entry["layer"]][name]
            np.testing.assert_allclose(np.array(gradient), expected, rtol=1e-10, atol=1e-10)
    text = cmdline.run("evaluate", str(spec)).stdout
    assert text.startswith("the stack's graph would have about 865,920 nodes")


def test_a_stack_past_the_arrays_limits_is_refused(tmp_path: Path, cmdline) -> None:
    spec = tmp_path / "huge.toml"
    spec.write_text(CNN.replace("[1, 28, 28]", "[64, 256, 256]").replace("out_channels = 8", "out_channels = 64"))
    done = cmdline.run("evaluate", str(spec))
    assert done.returncode == 2
    assert "numbers over the batch; the limit is 50,000,000" in done.stderr
    assert done.stderr.count("\n") == 1


def test_evaluate_derives_a_small_stack_and_computes_a_mid_sized_one_with_arrays(tmp_path: Path, cmdline) -> None:
    """Past 1,000 nodes (within the graph's 5,000) evaluate computes with whole arrays; the example it derives."""
    spec = tmp_path / "mid.toml"
    mid = CNN.replace("[1, 28, 28]", "[1, 12, 12]").replace("batch = 64", "batch = 4")
    spec.write_text(mid.replace("out_channels = 8", "out_channels = 2"))
    data = json.loads(cmdline.run("evaluate", str(spec), "--json").stdout)
    assert data["note"].startswith("the stack's graph would have about 2,040 nodes, more than the 1,000 evaluate")
    small = json.loads(cmdline.run("evaluate", "example:small-cnn", "--json").stdout)
    assert list(small) == ["seed", "x", "y", "cost", "layers"]


def test_codegen_backend_torch_writes_the_vectorised_torch_module(tmp_path: Path, cmdline) -> None:
    out = tmp_path / "grad_torch.py"
    done = cmdline.run("codegen", "example:small-cnn", "--backend", "torch", "-o", str(out))
    assert done.returncode == 0, done.stderr
    source = out.read_text()
    assert "import torch\n" in source and "numpy" not in source
    data = json.loads(cmdline.run("evaluate", "example:small-cnn", "--json").stdout)
    parameters = {entry["layer"]: entry["parameters"] for entry in data["layers"]}
    cost, gradients = runpy.run_path(str(out))["gradient"](data["x"], data["y"], parameters)
    assert abs(cost - data["cost"]) <= 1e-12
    np.testing.assert_allclose(gradients[1]["weight"].numpy(), data["layers"][0]["gradients"]["weight"], atol=1e-12)


def test_codegen_backend_jax_writes_the_vectorised_jax_module_past_the_graphs_limits(tmp_path: Path, cmdline) -> None:
    """The 1x28x28 CNN at batch 64 (about 865,920 graph nodes): JAX's module is whole arrays under jax.jit, and its
    numbers are evaluate's (which the NumPy module computes here), in float64."""
    import jax

    spec, out = tmp_path / "cnn.toml", tmp_path / "grad_jax.py"
    spec.write_text(CNN)
    done = cmdline.run("codegen", str(spec), "--backend", "jax", "-o", str(out))
    assert done.returncode == 0, done.stderr
    source = out.read_text()
    assert "@jax.jit\ndef _arithmetic(" in source and "import numpy" not in source and "jax.grad" not in source
    data = json.loads(cmdline.run("evaluate", str(spec), "--json").stdout)
    parameters = {entry["layer"]: entry["parameters"] for entry in data["layers"]}
    cost, gradients = runpy.run_path(str(out))["gradient"](data["x"], data["y"], parameters)
    assert isinstance(gradients[1]["weight"], jax.Array) and gradients[1]["weight"].dtype == np.float64
    assert abs(cost - data["cost"]) <= 1e-10
    for entry in data["layers"]:
        for name, expected in entry["gradients"].items():
            got = np.asarray(gradients[entry["layer"]][name])
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10, err_msg=f"{entry['layer']} {name}")


def _rows_spec(layers: str, x_row: str, y_row: str, rows: int, parameters: str) -> str:
    """A spec without batch = ..., its [values] giving ``rows`` samples."""
    x = "[" + ",".join([x_row] * rows) + "]"
    y = "[" + ",".join([y_row] * rows) + "]"
    return f"{layers}\n[values]\nx = {x}\ny = {y}\n{parameters}"


def test_the_samples_values_gives_count_in_the_arrays_limits(tmp_path: Path, cmdline) -> None:
    """Without batch = ..., the limits were worked out for one sample whatever [values] gave: 600 samples of this
    stack (about 90,000 numbers each, 54,000,000 in all) ran past the 50,000,000-number cap."""
    layers = (
        'input = [1, 4, 4]\ncost = "sse"\n[[layer]]\nkind = "conv2d"\nout_channels = 5000\nkernel = 1\n'
        '[[layer]]\nkind = "avgpool2d"\nsize = 4\n[[layer]]\nkind = "flatten"\n[[layer]]\nkind = "dense"\nsize = 1\n'
    )
    row = "[[" + ",".join(["[0.5, 0.25, 0.0, -0.5]"] * 4) + "]]"
    parameters = (
        f"[values.layer.1]\nweight = [{','.join(['[[[0.01]]]'] * 5000)}]\nbias = [{','.join(['0.0'] * 5000)}]\n"
        f"[values.layer.4]\nweight = [[{','.join(['0.001'] * 5000)}]]\nbias = [0.0]\n"
    )
    spec = tmp_path / "rows.toml"
    spec.write_text(_rows_spec(layers, row, "[1.0]", 600, parameters))
    done = cmdline.run("evaluate", str(spec))
    assert done.returncode == 2, done.stderr
    assert "numbers over the batch; the limit is 50,000,000" in done.stderr and done.stderr.count("\n") == 1


def test_many_samples_of_a_small_stack_are_evaluated_with_arrays(tmp_path: Path, cmdline) -> None:
    """2,000 samples of a 4-3 layer: the graph's limits counted one sample, so evaluate built the graph and stopped
    at its 5,000 inputs; counted with the samples [values] gives, the stack is computed with whole arrays."""
    layers = 'input = 4\ncost = "sse"\n[[layer]]\nkind = "dense"\nsize = 3\nactivation = "tanh"\n'
    parameters = (
        "[values.layer.1]\nweight = [[0.1, 0.2, 0.3, 0.4], [0.0, -0.2, 0.3, 0.1], [1, 0, 0, 0]]\nbias = [0, 0, 0]\n"
    )
    spec = tmp_path / "rows.toml"
    spec.write_text(_rows_spec(layers, "[0.5, -1.0, 0.25, 2.0]", "[1.0, 0.0, 0.5]", 2000, parameters))
    done = cmdline.run("evaluate", str(spec), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    x, w = np.array([0.5, -1.0, 0.25, 2.0]), np.array([[0.1, 0.2, 0.3, 0.4], [0.0, -0.2, 0.3, 0.1], [1, 0, 0, 0]])
    r = np.tanh(w @ x) - [1.0, 0.0, 0.5]
    assert data["cost"] == pytest.approx((r * r).sum(), rel=1e-12)  # the mean over 2,000 equal samples
    assert np.allclose(data["layers"][0]["gradients"]["bias"], 2 * r * (1 - np.tanh(w @ x) ** 2), rtol=1e-12)
