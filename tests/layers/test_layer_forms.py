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
