"""The [[layer]] spec form on the command line: evaluate's JSON by torch.nn's names and shapes, the text table,
and bad stacks refused in one line naming the layer and the sizes, exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from symbackprop.base.errors import SpecError
from symbackprop.model.layers.layer_graph import layered_spec
from symbackprop.model.layers.stack import read_stack

CONV = {"kind": "conv2d", "out_channels": 2, "kernel": 3}


def test_evaluate_json_loads_into_torch(cmdline) -> None:
    """The example's conv layer's parameters load into torch.nn.Conv2d, and its gradients have torch's shapes."""
    done = cmdline.run("evaluate", "example:small-cnn", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data) == ["seed", "x", "y", "cost", "layers"]
    assert [layer["kind"] for layer in data["layers"]] == ["conv2d", "activation", "maxpool2d", "flatten", "dense"]
    conv = nn.Conv2d(1, 2, 3).double()
    conv.load_state_dict({k: torch.tensor(v) for k, v in data["layers"][0]["parameters"].items()})
    assert np.shape(data["layers"][0]["gradients"]["weight"]) == (2, 1, 3, 3)
    assert np.shape(data["layers"][4]["gradients"]["weight"]) == (3, 8)
    assert np.array(data["x"]).shape == (4, 1, 6, 6) and np.array(data["y"]).shape == (4, 3)


def test_values_given_by_torch_names(tmp_path: Path, cmdline) -> None:
    """[values] with [values.layer.K] tables: the numbers given are the numbers used (rnn's torch names)."""
    spec = tmp_path / "rnn.toml"
    spec.write_text(
        'input = [2, 1]\ncost = "half_sse"\n[[layer]]\nkind = "rnn"\nhidden_size = 1\n'
        "[values]\nx = [[[1.0], [2.0]]]\ny = [[0.5]]\n"
        "[values.layer.1]\nweight_ih = [[0.5]]\nweight_hh_l0 = [[-0.25]]\nbias_ih_l0 = [0.1]\nbias_hh_l0 = [0.0]\n"
    )
    done = cmdline.run("evaluate", str(spec), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    h1 = np.tanh(0.5 + 0.1)
    h2 = np.tanh(1.0 + 0.1 - 0.25 * h1)
    assert abs(data["cost"] - 0.5 * (h2 - 0.5) ** 2) < 1e-12
    assert set(data["layers"][0]["parameters"]) == {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}


@pytest.mark.parametrize(
    ("shape", "layers", "message"),
    [
        (
            [1, 5, 5],
            [CONV, {"kind": "maxpool2d", "size": 2}],
            "layer 2 (maxpool2d): a window of 2 with stride 2 does not divide the input's height 3 and width 3",
        ),
        (
            [1, 2, 2],
            [CONV],
            "layer 1 (conv2d): a kernel of 3 is larger than its input channels x height x width 1 x 2 x 2",
        ),
        (4, [CONV], "layer 1 (conv2d) takes channels x height x width; its input is size 4"),
        (
            4,
            [{"kind": "dense", "size": 3}, {"kind": "residual", "from": 0}],
            "layer 2 (residual): layer 0's output size 4 cannot be added to size 3",
        ),
        (4, [{"kind": "dense", "size": 3, "units": 2}], "layer 1 (dense): unknown key 'units'"),
        (4, [{"kind": "convolution"}], "layer 1: unknown kind 'convolution'"),
        (4, [{"kind": ["dense"]}], "layer 1: unknown kind ['dense']"),
        (4, [{"kind": "dense", "size": 2, "activation": 3}], "layer 1 (dense) activation: an activation is a name"),
        (4, [{"kind": "dense"}], "layer 1 (dense): needs size"),
        ([1, 4, 4], [CONV], "the cost takes a size or [time, size]: add a flatten layer"),
        (4, [{"kind": "dropout", "p": 1.0}], "layer 1 (dropout) p: a number from 0 to below 1"),
    ],
)
def test_bad_stacks_one_line(shape, layers, message) -> None:
    with pytest.raises(SpecError) as caught:
        read_stack({"input": shape, "layer": layers})
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_bad_stack_exit_status_two(tmp_path: Path, cmdline) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text('input = [1, 5, 5]\n[[layer]]\nkind = "conv2d"\nout_channels = 2\nkernel = 6\n')
    done = cmdline.run("evaluate", str(spec))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "layer 1 (conv2d): a kernel of 6 is larger" in done.stderr


def test_values_of_the_wrong_shape() -> None:
    data = {"input": 2, "layer": [{"kind": "dense", "size": 1}], "values": {"x": [[1.0, 2.0]], "y": [[0.0]]}}
    data["values"]["layer"] = {"1": {"weight": [[1.0]], "bias": [0.0]}}
    with pytest.raises(SpecError, match=r"\[values.layer.1\] weight: 1 rows of shape \[2\]; got shape \[1, 1\]"):
        layered_spec(data)


def test_text_output_names_each_layer(cmdline) -> None:
    done = cmdline.run("evaluate", "example:small-cnn")
    assert done.returncode == 0
    assert "layer 1 (conv2d): output 2 x 4 x 4" in done.stdout and "dC/dweight" in done.stdout


def test_derive_tells_the_compact_form_and_checks_it(tmp_path: Path, cmdline) -> None:
    """derive on a batch-norm layer shows the step-by-step backward pass (three paths meet at x) and the compact
    dC/dx_i formula, agreeing with it; the derivation itself is proven."""
    spec = tmp_path / "bn.toml"
    spec.write_text('input = 1\ncost = "half_sse"\nbatch = 3\nseed = 1\n[[layer]]\nkind = "batchnorm"\n')
    done = cmdline.run("derive", str(spec), "--wrt", "x_{0,0}", "--to", "text")
    assert done.returncode == 0, done.stderr
    assert "(x_0,0 feeds 3 nodes, so their gradients add)" in done.stdout
    assert "dC/dx_i = gamma / (M sqrt(v + eps)) (M g_i - sum_j g_j - u_i sum_j g_j u_j)" in done.stdout
    assert "agrees with the backward pass" in done.stdout and "DISAGREES" not in done.stdout
    assert "Check: proven" in done.stdout


def test_the_example_derivation_is_proven(cmdline) -> None:
    """example:small-cnn, derived with respect to one conv weight: the backward pass through softmax, the dense
    layer, the max gates, the ReLU and the convolution, proven by the exact points (the graph is too large to
    write out), with the conv's compact form agreeing."""
    done = cmdline.run("derive", "example:small-cnn", "--wrt", "W^{(1)}_{0,0,1,1}", "--to", "text")
    assert done.returncode == 0, done.stdout[-2000:]
    assert "Check: proven (randomized identity test)" in done.stdout
    assert "layer 1 (conv2d): dC/dW, the correlation of the input with the upstream gradient" in done.stdout
    assert "a max gate routes the gradient to the larger input" in done.stdout
