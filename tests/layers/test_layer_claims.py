"""verify's claims about a layer in the texts' notation: the textbook forms (Ioffe & Szegedy's batch-norm
backward pass and its compact one-line dL/dx_i, the convolution's correlation and its full convolution with the
flipped kernel, back-propagation through time) are correct on small stacks and on random small shapes, and the
classic mistakes (the mean or variance path missing, the kernel not flipped, the last time step only) are
incorrect with their diagnosis and a counterexample. Each verdict is reached against the layer graph's own
gradients, which tests/layers/test_layer_proofs.py holds to sympy.diff of the composed cost."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.cli import main
from symbackprop.model.layers.layer_graph import layered_spec
from symbackprop.verify.graph_claims import CORRECT, INCORRECT, UNPARSEABLE
from symbackprop.verify.layer_claims import verify_layer_claim

BATCHNORM = {"input": 2, "cost": "sse", "batch": 3, "seed": 1, "layer": [{"kind": "batchnorm"}]}
CONV = {
    "input": [1, 4, 4],
    "cost": "sse",
    "batch": 1,
    "seed": 2,
    "layer": [{"kind": "conv2d", "out_channels": 1, "kernel": 2}, {"kind": "flatten"}],
}
POOL = {
    "input": [1, 4, 4],
    "cost": "sse",
    "batch": 1,
    "seed": 4,
    "layer": [{"kind": "maxpool2d", "size": 2}, {"kind": "flatten"}],
}
RNN = {"input": [3, 2], "cost": "sse", "batch": 1, "seed": 3, "layer": [{"kind": "rnn", "hidden_size": 2}]}

COMPACT = (
    r"\frac{\partial L}{\partial x_i} = \frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}"
    r"\left(m g_i - \sum_j g_j - \hat{x}_i \sum_j g_j \hat{x}_j\right)"
)
NO_MEAN = (
    r"\frac{\partial L}{\partial x_i} = \frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}"
    r"\left(m g_i - \hat{x}_i \sum_j g_j \hat{x}_j\right)"
)
NO_VARIANCE = (
    r"\frac{\partial L}{\partial x_i} = \frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m g_i - \sum_j g_j\right)"
)
PAPER_X = (
    r"\frac{\partial \ell}{\partial x_i} = \frac{\partial \ell}{\partial \hat{x}_i}"
    r" \frac{1}{\sqrt{\sigma_B^2+\epsilon}} + \frac{\partial \ell}{\partial \sigma_B^2} \frac{2(x_i - \mu_B)}{m}"
    r" + \frac{\partial \ell}{\partial \mu_B}\frac{1}{m}"
)
PAPER_X_NO_MEAN = PAPER_X.removesuffix(r" + \frac{\partial \ell}{\partial \mu_B}\frac{1}{m}")
FLIPPED = r"\frac{\partial L}{\partial X_{i,j}} = \sum_{m,n} K_{m,n} \frac{\partial L}{\partial Y_{i-m,j-n}}"
UNFLIPPED = r"\frac{\partial L}{\partial X_{i,j}} = \sum_{m,n} K_{m,n} \frac{\partial L}{\partial Y_{i+m,j+n}}"
CORRELATION = r"\frac{\partial L}{\partial K_{m,n}} = \sum_{i,j} X_{i+m,j+n} \frac{\partial L}{\partial Y_{i,j}}"
BPTT = (
    r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T}"
    r" \left(\frac{\partial L}{\partial h_t} \odot (1 - h_t^2)\right) h_{t-1}^T"
)
ROUTED = (
    r"\frac{\partial L}{\partial X_{i,j}} = \sum_{p,q} \mathbb{1}[X_{i,j} = Y_{p,q}]"
    r" \frac{\partial L}{\partial Y_{p,q}}"
)
WINDOW = r"Y_{\lfloor i/2 \rfloor, \lfloor j/2 \rfloor}"
ROUTED_FLOOR = (
    rf"\frac{{\partial L}}{{\partial X_{{i,j}}}} = \mathbb{{1}}[X_{{i,j}} = {WINDOW}]"
    rf" \frac{{\partial L}}{{\partial {WINDOW}}}"
)
NOT_ROUTED = rf"\frac{{\partial L}}{{\partial X_{{i,j}}}} = \frac{{\partial L}}{{\partial {WINDOW}}}"
LAST_STEP = (
    r"\frac{\partial L}{\partial W_{hh}} = \left(\frac{\partial L}{\partial h_T} \odot (1 - h_T^2)\right) h_{T-1}^T"
)

TEXTBOOK = [
    (BATCHNORM, COMPACT),
    (BATCHNORM, PAPER_X),
    (BATCHNORM, r"\frac{\partial \ell}{\partial \hat{x}_i} = \frac{\partial \ell}{\partial y_i} \cdot \gamma"),
    (
        BATCHNORM,
        r"\frac{\partial \ell}{\partial \sigma_B^2} = \sum_{i=1}^{m} \frac{\partial \ell}{\partial \hat{x}_i}"
        r" (x_i - \mu_B) \cdot \frac{-1}{2}(\sigma_B^2+\epsilon)^{-3/2}",
    ),
    (
        BATCHNORM,
        r"\frac{\partial \ell}{\partial \mu_B} = \left(\sum_{i=1}^{m} \frac{\partial \ell}{\partial \hat{x}_i} \cdot"
        r" \frac{-1}{\sqrt{\sigma_B^2+\epsilon}}\right) + \frac{\partial \ell}{\partial \sigma_B^2} \cdot"
        r" \frac{\sum_{i=1}^{m} -2(x_i - \mu_B)}{m}",
    ),
    (
        BATCHNORM,
        r"\frac{\partial \ell}{\partial \gamma} = \sum_{i=1}^{m} \frac{\partial \ell}{\partial y_i} \cdot \hat{x}_i",
    ),
    (BATCHNORM, r"\frac{\partial \ell}{\partial \beta} = \sum_{i=1}^{m} \frac{\partial \ell}{\partial y_i}"),
    (CONV, CORRELATION),
    (CONV, FLIPPED),
    (CONV, r"\frac{\partial L}{\partial X_{i,j}} = \sum_{m}\sum_{n} \frac{\partial L}{\partial Y_{m,n}} K_{i-m,j-n}"),
    (CONV, r"\frac{\partial L}{\partial b} = \sum_{i,j} \frac{\partial L}{\partial Y_{i,j}}"),
    (POOL, ROUTED),
    (POOL, ROUTED_FLOOR),
    (
        {**POOL, "layer": [{"kind": "avgpool2d", "size": 2}, {"kind": "flatten"}]},
        NOT_ROUTED.replace("=", r"= \frac{1}{4}", 1),
    ),
    (RNN, BPTT),
    (
        RNN,
        r"\frac{\partial L}{\partial W_{xh}} = \sum_t \left(\frac{\partial L}{\partial h_t}"
        r" \odot (1 - h_t^2)\right) x_t^T",
    ),
    (
        RNN,
        r"\frac{\partial L}{\partial \mathrm{weight}_{hh}} = \sum_t (\frac{\partial L}{\partial h_t}"
        r" \odot (1 - h_t^2)) h_{t-1}^\top",
    ),
    (RNN, r"\frac{\partial L}{\partial b_h} = \sum_t \frac{\partial L}{\partial h_t} \odot (1 - h_t^2)"),
]

MISTAKES = [
    (BATCHNORM, NO_MEAN, "batchnorm_missing_mean_path"),
    (BATCHNORM, PAPER_X_NO_MEAN, "batchnorm_missing_mean_path"),
    (BATCHNORM, NO_VARIANCE, "batchnorm_missing_variance_path"),
    (
        BATCHNORM,
        r"\frac{\partial L}{\partial x_i} = \frac{\gamma}{\sqrt{\sigma^2+\epsilon}} g_i",
        "batchnorm_direct_path_only",
    ),
    (CONV, UNFLIPPED, "kernel_not_flipped"),
    (RNN, LAST_STEP, "last_time_step_only"),
    (POOL, NOT_ROUTED, "max_pool_not_routed"),
    (CONV, CORRELATION.replace(r"\sum", r"-\sum"), "sign"),
]


def verdict(data: dict[str, Any], claim: str):  # type: ignore[no-untyped-def]
    report = verify_layer_claim(layered_spec(data), claim)
    assert report is not None, "the claim was not read as one about a layer"
    return report


@pytest.mark.parametrize(("data", "claim"), TEXTBOOK)
def test_the_textbook_forms_are_correct(data: dict[str, Any], claim: str) -> None:
    report = verdict(data, claim)
    assert report.verdict == CORRECT, (report.error, report.method)
    assert report.entries >= 1 and report.method


@pytest.mark.parametrize(("data", "claim", "kind"), MISTAKES)
def test_the_classic_mistakes_are_incorrect_with_their_diagnosis(data: dict[str, Any], claim: str, kind: str) -> None:
    report = verdict(data, claim)
    assert report.verdict == INCORRECT, (report.error, report.method)
    assert report.diagnosis == kind
    assert report.point and report.claim_value != pytest.approx(report.answer_value)


def test_the_free_indices_and_channels_are_each_checked() -> None:
    report = verdict(BATCHNORM, COMPACT)
    assert report.entries == 6 and "each of the 2 channels" in report.cases
    wrong = verdict(CONV, UNFLIPPED)
    assert dict(wrong.fails_at) == {"i": 0, "j": 0}


def test_indices_that_do_not_fit_the_layer_are_refused_with_the_reason() -> None:
    data = {**CONV, "batch": 2}
    report = verdict(data, CORRELATION)
    assert report.verdict == UNPARSEABLE and "torch's 4 indices" in str(report.error)
    past = verdict(BATCHNORM, r"\frac{\partial L}{\partial x_7} = g_7")
    assert past.verdict == UNPARSEABLE and "past the channel's 3 values" in str(past.error)


def test_strided_convolutions_layer_norms_and_dropout_are_read_in_the_texts_letters() -> None:
    """Once refused as "not read yet": now each is read and decided; C, the graph's own name, still goes to the graph
    route."""
    strided = {**CONV, "input": [1, 5, 5], "layer": [{**CONV["layer"][0], "stride": 2}, *CONV["layer"][1:]]}
    report = verify_layer_claim(layered_spec(strided), CORRELATION)
    assert report is not None and report.verdict == INCORRECT and report.diagnosis == "stride_not_dilated"
    norm = {"input": 3, "cost": "sse", "batch": 2, "seed": 1, "layer": [{"kind": "layernorm"}]}
    report = verify_layer_claim(layered_spec(norm), r"\frac{\partial L}{\partial x_i} = 1")
    assert report is not None and report.verdict == INCORRECT
    assert verify_layer_claim(layered_spec(norm), r"\frac{\partial C}{\partial \gamma^{(1)}_{0}} = 1") is None


def test_a_claim_in_the_graphs_own_names_is_left_to_the_graph_route() -> None:
    assert verify_layer_claim(layered_spec(BATCHNORM), r"\frac{\partial C}{\partial x_{0,0}} = 1") is None


@st.composite
def batchnorm_stacks(draw: st.DrawFn) -> dict[str, Any]:
    """A batch norm over a size, or over [channels, length] (each channel's M values then the batch's positions)."""
    layers: list[dict[str, Any]] = [{"kind": "batchnorm"}]
    shape: Any = draw(st.integers(1, 3))
    if draw(st.booleans()):
        shape = [draw(st.integers(1, 2)), draw(st.integers(2, 3))]
        layers.append({"kind": "flatten"})
    if draw(st.booleans()):
        layers.append({"kind": "dense", "size": draw(st.integers(1, 3)), "activation": "tanh"})
    return {
        "input": shape,
        "cost": "sse",
        "batch": draw(st.integers(2, 4)),
        "seed": draw(st.integers(0, 10_000)),
        "layer": layers,
    }


@st.composite
def conv_stacks(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(3, 5))
    kernel = draw(st.integers(2, size))
    return {
        "input": [1, size, draw(st.integers(kernel, 5))],
        "cost": "sse",
        "batch": 1,
        "seed": draw(st.integers(0, 10_000)),
        "layer": [
            {"kind": "conv2d", "out_channels": 1, "kernel": kernel},
            {"kind": "activation", "activation": "tanh"},
            {"kind": "flatten"},
        ],
    }


@st.composite
def rnn_stacks(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "input": [draw(st.integers(3, 4)), draw(st.integers(1, 2))],  # at T = 2 the first step adds 0: h_0 = 0
        "cost": "sse",
        "batch": 1,
        "seed": draw(st.integers(0, 10_000)),
        "layer": [{"kind": "rnn", "hidden_size": draw(st.integers(1, 2))}],
    }


@settings(max_examples=6, deadline=None)
@given(batchnorm_stacks())
def test_batchnorm_on_random_shapes(data: dict[str, Any]) -> None:
    assert verdict(data, COMPACT).verdict == CORRECT
    assert verdict(data, NO_MEAN).diagnosis == "batchnorm_missing_mean_path"
    assert verdict(data, NO_VARIANCE).diagnosis == "batchnorm_missing_variance_path"


@settings(max_examples=6, deadline=None)
@given(conv_stacks())
def test_convolution_on_random_shapes(data: dict[str, Any]) -> None:
    assert verdict(data, FLIPPED).verdict == CORRECT
    assert verdict(data, CORRELATION).verdict == CORRECT
    assert verdict(data, UNFLIPPED).diagnosis == "kernel_not_flipped"


@st.composite
def pool_stacks(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(2, 3))
    return {
        "input": [1, size * draw(st.integers(1, 2)), size * draw(st.integers(1, 2))],
        "cost": "sse",
        "batch": 1,
        "seed": draw(st.integers(0, 10_000)),
        "layer": [{"kind": "maxpool2d", "size": size}, {"kind": "flatten"}],
    }


@settings(max_examples=4, deadline=None)
@given(pool_stacks())
def test_max_pooling_routing_on_random_shapes(data: dict[str, Any]) -> None:
    assert verdict(data, ROUTED).verdict == CORRECT
    size = data["layer"][0]["size"]
    window = rf"Y_{{\lfloor i/{size} \rfloor, \lfloor j/{size} \rfloor}}"
    assert verdict(
        data, rf"\frac{{\partial L}}{{\partial X_{{i,j}}}} = \frac{{\partial L}}{{\partial {window}}}"
    ).diagnosis == ("max_pool_not_routed")


@settings(max_examples=6, deadline=None)
@given(rnn_stacks())
def test_bptt_on_random_shapes(data: dict[str, Any]) -> None:
    assert verdict(data, BPTT).verdict == CORRECT
    assert verdict(data, LAST_STEP).diagnosis == "last_time_step_only"


def test_the_command_gives_the_verdict_its_diagnosis_and_exit_status(tmp_path, capsys) -> None:
    spec = tmp_path / "bn.toml"
    spec.write_text('input = 2\ncost = "sse"\nbatch = 3\nseed = 1\n[[layer]]\nkind = "batchnorm"\n', encoding="utf-8")
    assert main(["verify", str(spec), "--claim", COMPACT]) == 0
    assert "verdict: correct" in capsys.readouterr().out
    assert main(["verify", str(spec), "--json", "--claim", NO_MEAN]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "incorrect" and data["diagnosis"]["kind"] == "batchnorm_missing_mean_path"
    assert data["counterexample"]["at"] and data["fails_at"] == {"i": 0, "channel": 0}
    assert main(["verify", str(spec), "--to", "html", "--claim", NO_MEAN]) == 1
    assert "batchnorm_missing_mean_path" in capsys.readouterr().out


def _shown_runs(page: str, heading: str) -> list[tuple[str, str, str]]:
    start = page.index(heading)
    end = page.find("\n## ", start + 1)
    section = page[start : end if end > 0 else len(page)]
    return re.findall(r"\$ symbackprop verify (\S+) --claim '(.*?)'\n(.*?)(?=\n\$ |\n```)", section, re.DOTALL)


def test_the_docs_show_what_verify_prints(tmp_path, cmdline) -> None:
    """Each layer run docs/commands/verify.md and docs/layers.md show: its lines as printed ("..." for lines left
    out), with the specs the page gives."""
    docs = Path(__file__).parents[2] / "docs"
    verify_page = (docs / "commands" / "verify.md").read_text(encoding="utf-8")
    specs = re.findall(r"```toml\n((?:(?!```).)*?# (\w+)\.toml(?:(?!```).)*)```", verify_page, re.DOTALL)
    for text, name in specs:
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    runs = _shown_runs(verify_page, "## Layers: batch norm")
    runs += _shown_runs((docs / "layers.md").read_text(encoding="utf-8"), "## Checking a claim: verify")
    assert len(runs) == 3 and {name for _, name in specs} == {"bn", "conv"}
    for spec, claim, shown in runs:
        done = cmdline.run("verify", spec, "--claim", claim, cwd=tmp_path)
        assert done.returncode in (0, 1), done.stderr
        printed = done.stdout.splitlines()
        for line in shown.strip("\n").splitlines():
            assert line == "  ..." or line in printed, line


@pytest.mark.parametrize(
    ("data", "claim", "words"),
    [
        (BATCHNORM, r"\frac{\partial L}{\partial x_i} = \frac{1}{\sigma^2 - \sigma^2}", "a division by zero"),
        (BATCHNORM, r"\frac{\partial L}{\partial x_i} = \sum_{j=1}^{1000000} g_j", "more than 200,000 terms"),
        (CONV, r"\frac{\partial L}{\partial X_{i,j}} = \sum_{a=0}^{9999}\sum_{b=0}^{9999} K_{a,b}", "more than"),
        (BATCHNORM, r"\frac{\partial L}{\partial x_i} = x_j", "an index is a letter"),
        (RNN, r"\frac{\partial L}{\partial W_{hx}} = 0", "read both ways"),
    ],
)
def test_a_claim_that_cannot_be_read_says_why(data: dict[str, Any], claim: str, words: str) -> None:
    report = verdict(data, claim)
    assert report.verdict == UNPARSEABLE and words in str(report.error)


def test_shapes_that_differ_are_incorrect_and_say_both() -> None:
    report = verdict(RNN, r"\frac{\partial L}{\partial h_t} = 0")
    assert report.verdict == INCORRECT and report.diagnosis == "shapes"
    assert report.diagnosis_message == "the claim is a number and the derivative 2 x 1"


def test_routing_sums_over_the_windows_that_hold_the_input() -> None:
    """The texts' sum_{p,q} 1[X_{i,j} = Y_{p,q}] dL/dY_{p,q} runs over the windows that hold X_{i,j}: a value equal
    to another window's max is no route (it was read over every Y and called incorrect here, at whole-number values
    no window of which is tied); a tie inside a window still makes it incorrect, as PyTorch routes to the first."""
    values = {"y": [[0.0, 0.5, 1.0, 2.0]]}
    apart = [[[[1.0, 5.0, 2.0, 0.0], [0.0, 0.0, 7.0, 2.0], [3.0, 1.0, 1.0, 0.0], [2.0, 0.0, 0.0, 0.0]]]]
    assert verdict({**POOL, "values": {**values, "x": apart}}, ROUTED).verdict == CORRECT
    tied = [[[[1.0, 1.0, 2.0, 0.0], [0.0, 0.0, 2.0, 2.0], [3.0, 1.0, 1.0, 1.0], [3.0, 3.0, 1.0, 1.0]]]]
    assert verdict({**POOL, "values": {**values, "x": tied}}, ROUTED).verdict == INCORRECT
