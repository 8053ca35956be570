"""Each layer kind's compact form, built element by element in SymPy, is proven equal to sympy.diff of the composed
cost on random small stacks; and the classic wrong forms (batch norm without the path through the mean, an
unflipped kernel, BPTT with the last step only, a missing L2 term, max pooling routed to the wrong element) are
disproven, with a point where they differ: the proof can fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.cli import main
from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.model.layers.layer_graph import LayeredSpec, layered_spec
from symbackprop.model.layers.stack import Layer
from symbackprop.numeric.graph_numbers import graph_numbers
from symbackprop.numeric.layer_forms import layer_forms
from symbackprop.prove.compact_forms import (
    compact_forms,
    input_gradient,
    norm_input_gradient,
    prove_layer_forms,
    rnn_deltas,
    rnn_weights,
    weight_gradient,
)
from symbackprop.prove.layer_cost import MOST_GROUP, LayerCost, layer_cost, prove_compact, spread
from symbackprop.prove.proof import DISPROVEN, PROVEN, Proof

from .test_against_torch import EXAMPLES, cnn1d, cnn2d, dense_norms, recurrent


def proofs(data: dict[str, Any]) -> list[tuple[int, str, Proof]]:
    spec = layered_spec(data)
    numbers = graph_numbers(derive_graph(spec.graph, None))
    forms = layer_forms(spec, numbers)
    return [(f.layer, f.kind, p) for f, p in zip(forms, prove_layer_forms(spec, forms, numbers.values), strict=True)]


def proven_kinds(data: dict[str, Any]) -> set[str]:
    """The kinds whose forms are all proven; a form not proven is a norm over more values than the limit, and
    says it is checked in numbers only."""
    spec = layered_spec(data)
    assert spec.stack is not None and spec.outputs is not None
    for layer, kind, proof in proofs(data):
        assert proof.verdict != DISPROVEN, str(proof)
        if not proof.proven:
            shape = spec.outputs[layer - 1].shape
            group = shape[-1] if kind == "layernorm" else shape[0] * int(sp.prod(shape[2:]))
            assert kind in ("batchnorm", "layernorm") and group > MOST_GROUP, str(proof)
            assert proof.brief.startswith("checked in numbers only, not proven symbolically: ")
        else:
            assert "proven equal to sympy.diff of the composed cost C = L(z) + R" in proof.brief
    return {kind for _, kind, proof in proofs(data) if proof.proven}


@settings(max_examples=EXAMPLES, deadline=None)
@given(cnn2d())
def test_conv2d_and_pooling_forms_proven(data: dict[str, Any]) -> None:
    kinds = proven_kinds(data)
    assert "conv2d" in kinds
    pools = {layer["kind"] for layer in data["layer"]} & {"maxpool2d", "avgpool2d"}
    assert pools <= kinds


@settings(max_examples=EXAMPLES, deadline=None)
@given(cnn1d())
def test_conv1d_maxpool1d_batchnorm_forms_proven(data: dict[str, Any]) -> None:
    assert {"conv1d", "maxpool1d"} <= proven_kinds(data)


@settings(max_examples=EXAMPLES, deadline=None)
@given(dense_norms())
def test_batchnorm_dropout_layernorm_forms_proven(drawn: tuple[dict[str, Any], int]) -> None:
    assert proven_kinds(drawn[0]) == {"batchnorm", "dropout", "layernorm"}  # batch <= 4, width <= 4: all small


@settings(max_examples=EXAMPLES, deadline=None)
@given(recurrent())
def test_bptt_proven(data: dict[str, Any]) -> None:
    assert "rnn" in proven_kinds(data)


def setup(data: dict[str, Any], kind: str) -> tuple[LayeredSpec, Layer, LayerCost]:
    spec = layered_spec(data)
    assert spec.stack is not None
    numbers = graph_numbers(derive_graph(spec.graph, None))
    layer = next(layer for layer in spec.stack.layers if layer.kind == kind)
    cost = layer_cost(spec, layer, numbers.values)
    assert isinstance(cost, LayerCost)
    return spec, layer, cost


def disproven(cost: LayerCost, claimed: dict[sp.Symbol, sp.Expr]) -> None:
    proof = prove_compact(cost, claimed, "a planted form")
    assert proof.verdict == DISPROVEN, str(proof)
    assert "DIFFERS from sympy.diff of the composed cost" in proof.statement


@settings(max_examples=EXAMPLES, deadline=None)
@given(dense_norms())
def test_batch_norm_without_the_mean_path_is_disproven(drawn: tuple[dict[str, Any], int]) -> None:
    cost = setup(drawn[0], "batchnorm")[2]
    right = {cost.inputs[i]: norm_input_gradient(cost, i) for i in spread(cost.inputs.shape)}
    assert prove_compact(cost, right, "the form").verdict == PROVEN
    disproven(cost, {cost.inputs[i]: norm_input_gradient(cost, i, mean_term=False) for i in spread(cost.inputs.shape)})


@st.composite
def flippable(draw: st.DrawFn) -> dict[str, Any]:
    """A stride-1 convolution whose kernel (2 or 3 wide) is not its own flip."""
    data = draw(cnn2d())
    conv = data["layer"][0]
    conv["stride"], conv["kernel"] = 1, draw(st.integers(2, min(data["input"][1:])))
    conv["padding"] = draw(st.integers(0, conv["kernel"] - 1))
    data["layer"] = [conv, {"kind": "flatten"}, {"kind": "dense", "size": 2, "activation": "softmax"}]
    return data


@settings(max_examples=EXAMPLES, deadline=None)
@given(flippable())
def test_an_unflipped_kernel_is_disproven(data: dict[str, Any]) -> None:
    cost = setup(data, "conv2d")[2]
    x = cost.inputs
    disproven(cost, {x[i]: input_gradient(cost, i[0], i[1], i[2:], flip=False) for i in spread(x.shape)})


def test_a_convolution_without_the_l2_term_is_disproven() -> None:
    data = {
        "input": [1, 3, 3],
        "cost": "half_sse",
        "batch": 2,
        "seed": 1,
        "l2": 0.1,
        "layer": [
            {"kind": "conv2d", "out_channels": 1, "kernel": 2},
            {"kind": "flatten"},
            {"kind": "dense", "size": 1},
        ],
    }
    spec, layer, cost = setup(data, "conv2d")
    w = cost.parameters["weight"]
    disproven(cost, {w[i]: weight_gradient(cost, i[0], i[1], i[2:]) for i in spread(w.shape)})
    assert prove_compact(cost, compact_forms(spec, layer, cost)[0].claimed, "dC/dW").verdict == PROVEN


@settings(max_examples=EXAMPLES, deadline=None)
@given(recurrent(), st.integers(2, 3))
def test_bptt_with_the_last_step_only_is_disproven(data: dict[str, Any], steps: int) -> None:
    data["input"][0] = steps
    cost = setup(data, "rnn")[2]
    delta = rnn_deltas(cost)
    disproven(cost, rnn_weights(cost, delta, [steps - 1]))
    assert prove_compact(cost, rnn_weights(cost, delta, range(steps)), "BPTT").verdict == PROVEN


def test_max_pooling_routed_to_each_windows_first_element_is_disproven() -> None:
    """The small CNN's windows: routing every window's gradient to its first entry, whatever the values, is
    disproven (some window's maximum is elsewhere); routing to the arg max is proven, and says which windows tied."""
    data = {
        "input": [1, 4, 4],
        "cost": "cross_entropy",
        "batch": 2,
        "seed": 7,
        "layer": [
            {"kind": "conv2d", "out_channels": 1, "kernel": 1},
            {"kind": "activation", "activation": "relu"},
            {"kind": "maxpool2d", "size": 2},
            {"kind": "flatten"},
            {"kind": "dense", "size": 2, "activation": "softmax"},
        ],
    }
    spec, layer, cost = setup(data, "maxpool2d")
    right = compact_forms(spec, layer, cost)[0].claimed
    proof = prove_compact(cost, right, "the routing")
    assert proof.verdict == PROVEN and "in each of the 8 windows the gradient goes to its maximum" in proof.statement
    x, g = cost.inputs, cost.upstream
    first = {x[i]: sp.Integer(0) for i in spread(x.shape)}
    for index in spread(g.shape):
        first[x[(index[0], index[1], 2 * index[2], 2 * index[3])]] += g[index]
    assert first != right
    disproven(cost, first)


BIG_NORM = """input = 1
cost = "half_sse"
batch = 13
seed = 2
[[layer]]
kind = "dense"
size = 1
[[layer]]
kind = "batchnorm"
[[layer]]
kind = "dense"
size = 1
"""


def test_the_derivation_says_each_form_is_proven_or_why_only_checked_in_numbers(tmp_path: Path) -> None:
    """Text, Markdown, LaTeX and the web page say "proven equal to sympy.diff of the composed cost" for a small
    stack's forms, and for a batch norm over more values than the limit, that it is checked in numbers only."""
    small = tmp_path / "cnn.md"
    assert main(["derive", "example:small-cnn", "--wrt", "all", "--to", "md", "-o", str(small)]) == 0
    page = small.read_text(encoding="utf-8")
    items = [line for line in page.splitlines() if line.startswith("- Layer ")]
    assert len(items) == 4  # dW, db, dX, pooling: one line each
    assert all(line.count("Proven equal to sympy.diff of the composed cost C = L(z) + R") == 1 for line in items)
    assert "the first maximum in scan order taking the gradient" in page
    spec = tmp_path / "bn.toml"
    spec.write_text(BIG_NORM, encoding="utf-8")
    for to in ("text", "md", "tex", "html"):
        out = tmp_path / f"bn.{to}"
        assert main(["derive", str(spec), "--wrt", "all", "--to", to, "-o", str(out)]) == 0
        text = " ".join(out.read_text(encoding="utf-8").split())
        assert "hecked in numbers only, not proven symbolically: layer 2: each of its statistics is over 13" in text
