"""The compact forms of each layer kind's backward pass (convolution as a correlation and a full convolution with
the flipped kernel, max pooling's routing, batch norm's compact dC/dx_i, BPTT's sum over time, the L2 term), each
computed with whole arrays, agree with the element-by-element backward pass on random stacks."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from symbackprop.derive.graph_backprop import derive_graph
from symbackprop.model.layers.layer_graph import layered_spec
from symbackprop.numeric.graph_numbers import graph_numbers
from symbackprop.numeric.layer_forms import layer_forms

from .test_against_torch import EXAMPLES, cnn1d, cnn2d, dense_norms, recurrent


def forms_agree(data: dict[str, Any]) -> set[str]:
    spec = layered_spec(data)
    forms = layer_forms(spec, graph_numbers(derive_graph(spec.graph, None)))
    for form in forms:
        assert form.agrees, (form.layer, form.kind, form.what, form.difference)
    return {form.kind for form in forms}


@settings(max_examples=EXAMPLES)
@given(cnn2d())
def test_conv2d_and_pooling_forms(data: dict[str, Any]) -> None:
    assert "conv2d" in forms_agree(data)


@settings(max_examples=EXAMPLES)
@given(cnn1d())
def test_conv1d_maxpool1d_batchnorm_forms(data: dict[str, Any]) -> None:
    assert {"conv1d", "maxpool1d"} <= forms_agree(data)


@settings(max_examples=EXAMPLES)
@given(dense_norms())
def test_batchnorm_dropout_layernorm_forms(drawn: tuple[dict[str, Any], int]) -> None:
    assert forms_agree(drawn[0]) == {"batchnorm", "dropout", "layernorm"}


@settings(max_examples=EXAMPLES)
@given(recurrent())
def test_bptt_sum_over_time(data: dict[str, Any]) -> None:
    assert "rnn" in forms_agree(data)


def test_a_layer_norms_printed_form_keeps_its_gamma_per_feature() -> None:
    """A layer norm's gamma is one per feature, the axis its statistics are over, so the printed dC/dx_i keeps it
    inside the sums (a scalar gamma outside them is batch norm's form, which verify calls incorrect on a layer norm
    whose gammas differ), and dC/dgamma_i sums over the rows, not the features. The numbers were always right; the
    formula printed beside them was batch norm's."""
    data = {
        "input": 3,
        "cost": "sse",
        "batch": 2,
        "seed": 1,
        "layer": [{"kind": "layernorm"}],
        "values": {
            "x": [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]],
            "y": [[0.0, 1.0, 0.5], [1.0, 0.0, -0.5]],
            "layer": {"1": {"weight": [1.5, -0.5, 2.0], "bias": [0.1, 0.2, 0.3]}},
        },
    }
    spec = layered_spec(data)
    forms = [f for f in layer_forms(spec, graph_numbers(derive_graph(spec.graph, None))) if f.kind == "layernorm"]
    dx, params = forms
    assert dx.agrees and params.agrees
    assert "(M gamma_i g_i - sum_j gamma_j g_j - u_i sum_j gamma_j g_j u_j)" in dx.text
    assert not dx.text.startswith("dC/dx_i = gamma /")
    assert "\\gamma_j g_j" in dx.tex and "\\frac{\\gamma}{" not in dx.tex
    assert params.text.startswith("dC/dgamma_i = sum_n g_{n,i} u_{n,i}")


def test_an_overlapping_pools_printed_form_sums_over_its_windows() -> None:
    """With stride 1 under a window of 2 the middle cells sit in several windows, and the numbers (and the proof)
    add each window's share: the printed formula says so, where it gave one window's dC/dp alone."""
    for kind in ("avgpool2d", "maxpool2d"):
        data = {
            "input": [1, 3, 3],
            "cost": "sse",
            "seed": 2,
            "layer": [{"kind": "conv2d", "out_channels": 1, "kernel": 1}, {"kind": kind, "size": 2, "stride": 1}],
        }
        data["layer"].append({"kind": "flatten"})
        spec = layered_spec(data)
        (pool,) = [f for f in layer_forms(spec, graph_numbers(derive_graph(spec.graph, None))) if f.kind == kind]
        assert pool.agrees
        assert pool.text.startswith("dC/dx = the sum of dC/dp") and "\\sum_{p" in pool.tex, pool.text


def test_a_convolutions_printed_form_has_its_own_indices_and_padding() -> None:
    """A conv1d's dC/dW has one position letter (it printed a conv2d's W[o,c,u,v] and x[n,c,i s+u,j s+v]), and a
    padded convolution's formula reads the padded input, which it names."""
    data = {
        "input": [1, 5],
        "cost": "sse",
        "seed": 2,
        "layer": [{"kind": "conv1d", "out_channels": 1, "kernel": 2, "padding": 1}, {"kind": "flatten"}],
    }
    spec = layered_spec(data)
    dw, db, _ = layer_forms(spec, graph_numbers(derive_graph(spec.graph, None)))
    assert dw.agrees and db.agrees
    assert dw.text.startswith("dC/dW[o,c,u] = sum over n, i of dC/dz[n,o,i] x_pad[n,c,i s+u]"), dw.text
    assert "x_pad the input with 1 zero on each side" in dw.text
    assert "W_{o,c,u}}" in dw.tex and "x^{\\mathrm{pad}}_{n,c,is+u}" in dw.tex
    assert db.text == "dC/db[o] = sum over n, i of dC/dz[n,o,i]"
