"""verify's claims about a layer norm, a dropout layer, a strided convolution, and an rnn's bias over a batch, in the
texts' letters: each textbook form correct (decided modulo p with its bound), each classic mistake incorrect with
its diagnosis and a counterexample, on small stacks and on shapes drawn at random. The verdicts are reached against
the layer graph's own gradients, which tests/layers/test_layer_proofs.py holds to sympy.diff of the composed cost."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.grade.diagnoses import KNOWN
from symbackprop.model.layers.layer_graph import layered_spec
from symbackprop.verify.graph_claims import CORRECT, INCORRECT
from symbackprop.verify.layer_claims import verify_layer_claim

LAYERNORM = {"input": 3, "cost": "sse", "batch": 2, "seed": 1, "layer": [{"kind": "layernorm"}]}
DROPOUT = {"input": 4, "cost": "sse", "batch": 2, "seed": 1, "layer": [{"kind": "dropout", "p": 0.25}]}
STRIDED = {
    "input": [1, 5, 5],
    "cost": "sse",
    "batch": 1,
    "seed": 2,
    "layer": [{"kind": "conv2d", "out_channels": 1, "kernel": 3, "stride": 2}, {"kind": "flatten"}],
}
RNN = {"input": [3, 2], "cost": "sse", "batch": 1, "seed": 3, "layer": [{"kind": "rnn", "hidden_size": 2}]}
RNN_BATCH = {"input": [3, 2], "cost": "sse", "batch": 3, "seed": 3, "layer": [{"kind": "rnn", "hidden_size": 2}]}

LN_COMPACT = (
    r"\frac{\partial L}{\partial x_i} = \frac{1}{H\sqrt{\sigma^2+\epsilon}}"
    r"\left(H \gamma_i g_i - \sum_j \gamma_j g_j - \hat{x}_i \sum_j \gamma_j g_j \hat{x}_j\right)"
)
LN_STEPS = (
    r"\frac{\partial L}{\partial x_i} = \frac{1}{H\sqrt{\sigma^2+\epsilon}}\left(H \frac{\partial L}{\partial"
    r" \hat{x}_i} - \sum_j \frac{\partial L}{\partial \hat{x}_j} - \hat{x}_i \sum_j \frac{\partial L}{\partial"
    r" \hat{x}_j} \hat{x}_j\right)"
)
LN_OVER_BATCH = (
    r"\frac{\partial L}{\partial x_i} = \frac{\gamma_i}{N\sqrt{\sigma^2+\epsilon}}\left(N g_i - \sum_{k=0}^{N-1}"
    r" g_{k,i} - \hat{x}_i \sum_{k=0}^{N-1} g_{k,i}\hat{x}_{k,i}\right)"
)
LN_NO_MEAN = (
    r"\frac{\partial L}{\partial x_i} = \frac{1}{H\sqrt{\sigma^2+\epsilon}}"
    r"\left(H \gamma_i g_i - \hat{x}_i \sum_j \gamma_j g_j \hat{x}_j\right)"
)
DROPPED = r"\frac{\partial L}{\partial x_i} = \frac{m_i}{1-p} \frac{\partial L}{\partial y_i}"
STRIDED_K = r"\frac{\partial L}{\partial K_{m,n}} = \sum_{i,j} X_{si+m,sj+n} \frac{\partial L}{\partial Y_{i,j}}"
STRIDED_X = r"\frac{\partial L}{\partial X_{i,j}} = \sum_{m,n} K_{m,n} \frac{\partial L}{\partial Y_{(i-m)/s,(j-n)/s}}"
STRIDED_X_OUTPUTS = (
    r"\frac{\partial L}{\partial X_{i,j}} = \sum_{p,q} K_{i-sp,j-sq} \frac{\partial L}{\partial Y_{p,q}}"
)
UNDILATED = r"\frac{\partial L}{\partial X_{i,j}} = \sum_{m,n} K_{m,n} \frac{\partial L}{\partial Y_{i-m,j-n}}"
STRIDE_ONE_K = r"\frac{\partial L}{\partial K_{m,n}} = \sum_{i,j} X_{i+m,j+n} \frac{\partial L}{\partial Y_{i,j}}"
W_ELEMENT = r"\frac{\partial L}{\partial (W_{hh})_{jk}} = \sum_t \delta_{t,j} h_{t-1,k}"
W_ELEMENT_NO_TANH = r"\frac{\partial L}{\partial (W_{hh})_{jk}} = \sum_t \frac{\partial L}{\partial h_{t,j}} h_{t-1,k}"
RECURSION = r"\frac{\partial L}{\partial h_{T-1,j}} = \sum_k (W_{hh})_{kj} \delta_{T,k}"
FULL_RECURSION = r"\frac{\partial L}{\partial h_t} = \frac{\partial L_t}{\partial h_t} + W_{hh}^T \delta_{t+1}"
RNN_EVERY = {**RNN, "layer": [{"kind": "rnn", "hidden_size": 2, "every_step": True}]}
BIAS = r"\frac{\partial L}{\partial b_h} = \sum_t \frac{\partial L}{\partial h_t} \odot (1 - h_t^2)"

TEXTBOOK = [
    (LAYERNORM, LN_COMPACT),
    (LAYERNORM, LN_STEPS),
    (LAYERNORM, r"\frac{\partial L}{\partial \hat{x}_i} = \gamma_i \frac{\partial L}{\partial y_i}"),
    (LAYERNORM, r"\frac{\partial L}{\partial \gamma_i} = \sum_{n=1}^{N} g_{n,i} \hat{x}_{n,i}"),
    (LAYERNORM, r"\frac{\partial L}{\partial \beta_i} = \sum_{n=1}^{N} \frac{\partial L}{\partial y_{n,i}}"),
    (DROPOUT, DROPPED),
    (DROPOUT, r"\frac{\partial L}{\partial x_i} = \frac{1}{1-p} r_i g_i"),
    (STRIDED, STRIDED_K),
    (STRIDED, STRIDED_X),
    (STRIDED, STRIDED_X_OUTPUTS),
    (
        STRIDED,
        r"\frac{\partial L}{\partial X_{i,j}} = \sum_{m,n} K_{m,n} \frac{\partial L}{\partial Y_{\frac{i-m}{s},"
        r"\frac{j-n}{s}}}",
    ),
    (RNN_BATCH, BIAS),
    (RNN_BATCH, BIAS.replace("b_h", "b_{hh}")),
    (
        RNN_BATCH,
        r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} \left(\frac{\partial L}{\partial h_t} \odot"
        r" (1 - h_t^2)\right) h_{t-1}^T",
    ),
    (RNN, W_ELEMENT),
    (RNN, FULL_RECURSION),
    (RNN_EVERY, FULL_RECURSION),
    (
        RNN_EVERY,
        r"\frac{\partial L}{\partial h_{t,j}} = \frac{\partial \ell_t}{\partial h_{t,j}} + \sum_k (W_{hh})_{kj}"
        r" \delta_{t+1,k}",
    ),
    (
        RNN,
        r"\frac{\partial L}{\partial (W_{hh})_{j,k}} = \sum_{t=1}^{T} \frac{\partial L}{\partial h_{t,j}}"
        r" (1 - h_{t,j}^2) h_{t-1,k}",
    ),
    (RNN, RECURSION),
    (RNN, r"\frac{\partial L}{\partial h_{T-1}} = W_{hh}^T \delta_T"),
    (RNN, r"\frac{\partial L}{\partial (W_{xh})_{jk}} = \sum_t \delta_{t,j} x_{t,k}"),
    (RNN_BATCH, r"\frac{\partial L}{\partial (W_{hh})_{jk}} = \sum_{n=1}^{3} \sum_t \delta_{n,t,j} h_{n,t-1,k}"),
]

MISTAKES = [
    (LAYERNORM, LN_OVER_BATCH, "layernorm_over_batch"),
    (LAYERNORM, LN_NO_MEAN, "batchnorm_missing_mean_path"),
    (
        LAYERNORM,
        r"\frac{\partial L}{\partial x_i} = \frac{\gamma_i}{\sqrt{\sigma^2+\epsilon}} g_i",
        "batchnorm_direct_path_only",
    ),
    (DROPOUT, r"\frac{\partial L}{\partial x_i} = m_i \frac{\partial L}{\partial y_i}", "dropout_not_scaled"),
    (
        DROPOUT,
        r"\frac{\partial L}{\partial x_i} = \frac{1}{1-p} \frac{\partial L}{\partial y_i}",
        "dropout_mask_missing",
    ),
    (STRIDED, UNDILATED, "stride_not_dilated"),
    (STRIDED, STRIDE_ONE_K, "stride_not_dilated"),
    (RNN, W_ELEMENT_NO_TANH, "activation_derivative_missing"),
    (
        RNN_EVERY,
        FULL_RECURSION.replace(r"\delta_{t+1}", r"\frac{\partial L}{\partial h_{t+1}}"),
        "activation_derivative_missing",
    ),
    (RNN, RECURSION.replace(r"\delta_{T,k}", r"\frac{\partial L}{\partial h_{T,k}}"), "activation_derivative_missing"),
    (RNN, r"\frac{\partial L}{\partial (W_{hh})_{jk}} = \delta_{T,j} h_{T-1,k}", "last_time_step_only"),
    (RNN_BATCH, BIAS.replace("=", r"= \frac{1}{3}", 1), "extra_mean"),
    (RNN_BATCH, BIAS.replace("=", "= 3", 1), "mean_missing"),
]


def verdict(data: dict[str, Any], claim: str):  # type: ignore[no-untyped-def]
    report = verify_layer_claim(layered_spec(data), claim)
    assert report is not None, claim
    return report


@pytest.mark.parametrize(("data", "claim"), TEXTBOOK)
def test_the_textbook_forms_are_correct_with_their_bound(data: dict[str, Any], claim: str) -> None:
    report = verdict(data, claim)
    assert report.verdict == CORRECT, (claim, report.method, report.error)
    assert "modulo p = 2^61 - 1" in report.method and "/p)^13" in report.bound


@pytest.mark.parametrize(("data", "claim", "kind"), MISTAKES)
def test_the_classic_mistakes_are_incorrect_with_their_diagnosis(data: dict[str, Any], claim: str, kind: str) -> None:
    report = verdict(data, claim)
    assert report.verdict == INCORRECT, (claim, report.method, report.error)
    assert report.diagnosis == kind and report.diagnosis in KNOWN
    assert report.point and report.claim_value != report.answer_value


def test_the_recursion_without_the_steps_own_term_fails_where_that_term_is() -> None:
    """dL/dh_t = W_hh^T delta_{t+1} misses dL_t/dh_t: at the last step alone when the cost is on it, at the first
    step already when every step has a cost."""
    alone = FULL_RECURSION.replace(r"\frac{\partial L_t}{\partial h_t} + ", "")
    assert dict(verdict(RNN, alone).fails_at)["t"] == 3
    assert dict(verdict(RNN_EVERY, alone).fails_at)["t"] == 1


def test_an_rnn_element_of_one_sample_on_a_batch_says_how_to_write_it() -> None:
    report = verdict(RNN_BATCH, W_ELEMENT)
    assert report.verdict == "unparseable" and "write \\delta_{n,t,j}" in str(report.error)


def test_each_sample_of_a_layer_norm_and_a_dropout_layer_is_checked() -> None:
    report = verdict(LAYERNORM, LN_COMPACT)
    assert report.entries == 6 and report.cases == "i = 0 to 2, each of the 2 samples"
    assert verdict(DROPOUT, DROPPED).entries == 8


@st.composite
def layernorm_stacks(draw: st.DrawFn) -> dict[str, Any]:
    shape: Any = draw(st.integers(2, 4))
    if draw(st.booleans()):
        shape = [draw(st.integers(1, 2)), draw(st.integers(2, 3))]  # [time, size]: each row normalised
    layers: list[dict[str, Any]] = [{"kind": "layernorm"}]
    if isinstance(shape, list):
        layers.append({"kind": "flatten"})
    if draw(st.booleans()):
        layers.append({"kind": "dense", "size": draw(st.integers(1, 2)), "activation": "tanh"})
    return {
        "input": shape,
        "cost": "sse",
        "batch": draw(st.integers(2, 3)),
        "seed": draw(st.integers(0, 9999)),
        "layer": layers,
    }


@settings(max_examples=5, deadline=None)
@given(layernorm_stacks())
def test_layernorm_on_random_shapes(data: dict[str, Any]) -> None:
    assert verdict(data, LN_COMPACT).verdict == CORRECT
    assert verdict(data, LN_NO_MEAN).diagnosis == "batchnorm_missing_mean_path"


@st.composite
def dropout_stacks(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "input": draw(st.integers(2, 5)),
        "cost": "sse",
        "batch": draw(st.integers(1, 3)),
        "seed": draw(st.integers(0, 9999)),
        "layer": [
            {"kind": "dense", "size": draw(st.integers(2, 4)), "activation": "tanh"},
            {"kind": "dropout", "p": draw(st.sampled_from([0.25, 0.5, 0.75]))},
        ],
    }


@settings(max_examples=5, deadline=None)
@given(dropout_stacks())
def test_dropout_on_random_shapes(data: dict[str, Any]) -> None:
    spec = layered_spec(data)
    assert verdict(data, DROPPED).verdict == CORRECT
    kept = any(node.expression != 0 for node in spec.graph.nodes if node.name.startswith("d^"))
    unscaled = verdict(data, r"\frac{\partial L}{\partial x_i} = m_i \frac{\partial L}{\partial y_i}")
    assert unscaled.verdict == (INCORRECT if kept else CORRECT)  # every unit dropped: both sides are 0
    if kept:
        assert unscaled.diagnosis == "dropout_not_scaled"


@st.composite
def strided_stacks(draw: st.DrawFn) -> dict[str, Any]:
    kernel, stride = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    outputs = 2, draw(st.integers(1, 2))  # two outputs at least: with one, the stride changes nothing
    size = [(n - 1) * stride + kernel for n in outputs]
    return {
        "input": [1, *size],
        "cost": "sse",
        "batch": 1,
        "seed": draw(st.integers(0, 9999)),
        "layer": [
            {"kind": "conv2d", "out_channels": 1, "kernel": kernel, "stride": stride},
            {"kind": "activation", "activation": "tanh"},
            {"kind": "flatten"},
        ],
    }


@settings(max_examples=5, deadline=None)
@given(strided_stacks())
def test_strided_convolution_on_random_shapes(data: dict[str, Any]) -> None:
    assert verdict(data, STRIDED_K).verdict == CORRECT
    assert verdict(data, STRIDED_X).verdict == CORRECT
    assert verdict(data, UNDILATED).diagnosis == "stride_not_dilated"


@settings(max_examples=4, deadline=None)
@given(st.integers(2, 3), st.integers(2, 3), st.integers(1, 2), st.integers(0, 9999))
def test_the_rnn_bias_over_a_batch_on_random_shapes(batch: int, steps: int, hidden: int, seed: int) -> None:
    data = {
        "input": [steps, 2],
        "cost": "sse",
        "batch": batch,
        "seed": seed,
        "layer": [{"kind": "rnn", "hidden_size": hidden}],
    }
    assert verdict(data, BIAS).verdict == CORRECT
    assert verdict(data, BIAS.replace("=", rf"= \frac{{1}}{{{batch}}}", 1)).diagnosis == "extra_mean"


@settings(max_examples=4, deadline=None)
@given(st.integers(2, 4), st.integers(1, 3), st.integers(1, 2), st.integers(0, 9999))
def test_rnn_element_forms_on_random_shapes(steps: int, hidden: int, inputs: int, seed: int) -> None:
    data = {
        "input": [steps, inputs],
        "cost": "sse",
        "batch": 1,
        "seed": seed,
        "layer": [{"kind": "rnn", "hidden_size": hidden}],
    }
    assert verdict(data, W_ELEMENT).verdict == CORRECT
    assert verdict(data, RECURSION).verdict == CORRECT
    assert verdict(data, W_ELEMENT_NO_TANH).diagnosis == "activation_derivative_missing"
