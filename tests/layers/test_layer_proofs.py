"""Each layer kind's backward pass, on small sizes, proven equal to sympy.diff of the composed mean cost (or, where
the graph is too large to write out, by the proof's exact and real points), and agreeing with central differences."""

from __future__ import annotations

from typing import Any

import pytest

from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.model.layers.layer_graph import layered_spec
from symbackprop.numeric.graph_check import graph_gradcheck
from symbackprop.prove.graph_proof import prove_graph

TINY: dict[str, dict[str, Any]] = {
    "conv2d": {"input": [1, 3, 3], "layer": [{"kind": "conv2d", "out_channels": 1, "kernel": 2}, {"kind": "flatten"}]},
    "conv1d": {"input": [2, 3], "layer": [{"kind": "conv1d", "out_channels": 1, "kernel": 2, "padding": 1}]},
    "maxpool2d": {"input": [1, 2, 2], "layer": [{"kind": "maxpool2d", "size": 2}, {"kind": "flatten"}]},
    "maxpool1d": {"input": [1, 4], "layer": [{"kind": "maxpool1d", "size": 2}]},
    "avgpool2d": {"input": [1, 2, 2], "layer": [{"kind": "avgpool2d", "size": 2}, {"kind": "flatten"}]},
    "batchnorm": {"input": 2, "batch": 3, "layer": [{"kind": "batchnorm"}]},
    "layernorm": {"input": 3, "layer": [{"kind": "layernorm"}]},
    "dropout": {"input": 3, "batch": 2, "layer": [{"kind": "dropout", "p": 0.5}]},
    "rnn": {"input": [3, 1], "layer": [{"kind": "rnn", "hidden_size": 2}]},
    "residual": {
        "input": 2,
        "layer": [{"kind": "dense", "size": 2, "activation": "tanh"}, {"kind": "residual", "from": 0}],
    },
    "l2": {"input": 2, "l2": 0.1, "batch": 2, "layer": [{"kind": "dense", "size": 1, "activation": "sigmoid"}]},
}


@pytest.mark.parametrize("kind", sorted(TINY))
def test_each_kind_proven_and_checked(kind: str) -> None:
    spec = layered_spec({"cost": "half_sse", "seed": 5, **TINY[kind]})
    proof = prove_graph(derive_graph(spec.graph, None))
    assert proof.verdict == "proven", proof.words
    assert graph_gradcheck(spec.graph).passed


def test_codegen_module_gives_torchs_gradients(tmp_path) -> None:
    """The NumPy module ``codegen`` writes for a layer stack (conv, max pool, batch norm, dense) gives PyTorch's
    gradients: generated one element at a time, as for any graph."""
    import importlib.util

    import numpy as np

    from symbackprop.codegen.graph_modules import graph_module_source

    from .torch_mirror import torch_run

    layers = [
        {"kind": "conv2d", "out_channels": 2, "kernel": 2},
        {"kind": "maxpool2d", "size": 2},
        {"kind": "batchnorm"},
        {"kind": "flatten"},
        {"kind": "dense", "size": 2, "activation": "softmax"},
    ]
    spec = layered_spec({"input": [1, 3, 3], "cost": "cross_entropy", "batch": 3, "seed": 2, "layer": layers})
    assert spec.stack is not None and spec.numbers is not None and spec.graph.values is not None
    path = tmp_path / "layers_module.py"
    path.write_text(graph_module_source(spec.graph, "numpy"), encoding="utf-8")
    found = importlib.util.spec_from_file_location("layers_module", path)
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    gradients = module.gradients(dict(spec.graph.values))
    theirs = torch_run(spec.stack, spec.numbers)
    for number, names in theirs["gradients"].items():
        for name, expected in names.items():
            ours = np.vectorize(lambda key: float(gradients[key]))(spec.parameter_names(number, name))
            np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-10)
