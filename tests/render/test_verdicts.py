"""Every proof a document states decides its exit status, and says proven, DISPROVEN or NOT DECIDED in every format.

The general and matrix forms are proven on a copy of the network with a layer of each kind they state an
equation for; a formula patched wrong is caught however the network mixes its activations.
"""

from __future__ import annotations

import json

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop import documents
from symbackprop.base import time_guard
from symbackprop.derive import general_form as gf
from symbackprop.derive import matrix_form as mf
from symbackprop.derive import second
from symbackprop.model.network import Network
from symbackprop.model.references import Ref
from symbackprop.prove import forms, proof
from symbackprop.prove.copies import layer_kinds, proof_copy
from symbackprop.prove.forms import prove_general_form, prove_matrix_form
from symbackprop.renderers import render_report
from symbackprop.verify.claims import verify_claim

MIXED = "softmax,tanh,softmax,relu,sigmoid,softmax,tanh,tanh,identity,softmax,relu,sigmoid,softmax"
WORDS = {"undecided": ("NOT DECIDED", '"verdict": "undecided"'), "disproven": ("DISPROVEN", '"verdict": "disproven"')}


def derive(cmdline, *args: str) -> tuple[int, str]:
    done = cmdline.run("derive", *args)
    return done.returncode, done.stdout


def says(verdict: str, fmt: str, out: str) -> bool:
    """The document states ``verdict``: in words, or in JSON as the machine-readable verdict."""
    words, data = WORDS[verdict]
    return data in out if fmt == "json" else words in out


@pytest.fixture
def undecided(monkeypatch):
    """Every guard runs out at once: no proof is decided."""
    monkeypatch.setattr(proof, "GUARD_SECONDS", 1e-9)


@pytest.fixture
def disproven(monkeypatch):
    """Every activation's derivative doubled in the derivations: each result is wrong."""
    prime = Network.activation_prime
    monkeypatch.setattr(Network, "activation_prime", lambda net, layer, j: 2 * prime(net, layer, j))


@pytest.mark.parametrize("verdict", ["undecided", "disproven"])
@pytest.mark.parametrize("fmt", ["text", "json", "md", "tex"])
def test_one_element_not_proven_exits_1_and_says_so(request, cmdline, verdict, fmt):
    request.getfixturevalue(verdict)
    status, out = derive(cmdline, "--layers", "2,2,2", "--wrt", "w_{00}^{(1)}", "--to", fmt)
    assert status == 1 and says(verdict, fmt, out)
    if fmt == "json":
        assert json.loads(out)["proof"]["proven"] is False


@pytest.mark.parametrize("verdict", ["undecided", "disproven"])
def test_wrt_all_not_proven_exits_1_and_says_so(request, cmdline, verdict):
    request.getfixturevalue(verdict)
    status, out = derive(cmdline, "--layers", "2,2,2", "--wrt", "all", "--to", "tex")
    assert status == 1 and says(verdict, "tex", out)


@pytest.mark.parametrize("fmt", ["text", "json", "tex"])
def test_the_general_form_not_decided_exits_1_and_says_so(undecided, cmdline, fmt):
    status, out = derive(cmdline, "--layers", "2,2,2", "--wrt", "w_{jk}^{(l)}", "--to", fmt)
    assert status == 1 and says("undecided", fmt, out)


def drop_elementwise_prime(monkeypatch) -> None:
    """A bug in the elementwise delta only: g' dropped."""
    original = gf._error

    def broken(net, layer, j):
        if net.activation(layer).elementwise:
            return gf._sensitivity(net, layer, j)
        return original(net, layer, j)

    monkeypatch.setattr(gf, "_error", broken)


@pytest.mark.parametrize("fmt", ["text", "json", "tex"])
@pytest.mark.parametrize(
    ("layers", "activations"),
    [(",".join(["5"] * 14), MIXED), ("5,5,5,5", "tanh,relu,softmax"), ("3,3,3,3", "softmax,softmax,tanh")],
)
def test_a_wrong_elementwise_delta_in_the_general_form_is_caught(monkeypatch, cmdline, fmt, layers, activations):
    drop_elementwise_prime(monkeypatch)
    args = ("--layers", layers, "--activation", activations, "--cost", "sse", "--notation", "nielsen")
    status, out = derive(cmdline, *args, "--wrt", "w_{jk}^{(l)}", "--to", fmt)
    assert status == 1 and says("disproven", fmt, out)


def test_the_general_form_says_what_the_copy_is_and_why_it_covers_the_network(cmdline):
    status, out = derive(
        cmdline,
        "--layers",
        ",".join(["5"] * 14),
        "--activation",
        MIXED,
        "--cost",
        "cross_entropy",
        "--wrt",
        "w_{jk}^{(l)}",
    )
    assert status == 0, out
    assert (
        "proven (symbolic): instantiated for every layer and neuron of the 2-2-2-2 network made of this one's "
        "input and layers L-12, L-11, L" in out
    )
    assert (
        "it keeps one layer of each kind this network has (the output layer, the first layer, a softmax hidden "
        "layer and an elementwise hidden layer), and the formulas are the same for every layer of a kind" in out
    )


@pytest.mark.parametrize("verdict", ["undecided", "disproven"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_second_derivative_not_proven_exits_1_and_says_so(request, monkeypatch, cmdline, verdict, fmt):
    if verdict == "disproven":
        derive_second = second.derive_second

        def doubled(net, first, other):
            d2 = derive_second(net, first, other)
            return type(d2)(d2.first, d2.second, d2.second_symbol, d2.sensitivities, d2.terms, 2 * d2.result)

        monkeypatch.setattr(second, "derive_second", doubled)
    else:
        request.getfixturevalue(verdict)
    status, out = derive(cmdline, "--layers", "2,2,2", "--wrt", "w_{00}^{(1)}", "--wrt2", "w_{10}^{(L)}", "--to", fmt)
    assert status == 1 and says(verdict, fmt, out)
    if fmt == "json":
        assert set(json.loads(out)["proof"]) == {"verdict", "proven", "method", "statement"}


def test_a_matrix_form_not_decided_exits_1_although_the_element_is_proven(monkeypatch, cmdline):
    def out_of_time(net):
        raise time_guard._OutOfTime

    monkeypatch.setattr(forms, "entries_hold", out_of_time)
    status, out = derive(cmdline, "--layers", "2,2,2", "--wrt", "w_{00}^{(1)}", "--to", "tex")
    assert status == 1
    assert "Whether these equations hold is NOT DECIDED" in out and "The result is proven symbolically" in out


def test_a_wrong_softmax_hidden_rule_in_the_matrix_form_is_printed_and_disproven(monkeypatch, cmdline):
    """The printed equations are the proven ones: a hidden softmax layer given the elementwise rule shows it and
    fails its proof."""
    through = mf._through_activation

    def elementwise_everywhere(net, v, layer, upstream):
        if layer < net.depth and not net.activation(layer).elementwise:
            return sp.HadamardProduct(upstream, v.a(layer))
        return through(net, v, layer, upstream)

    monkeypatch.setattr(mf, "_through_activation", elementwise_everywhere)
    args = ("--layers", "3,3,3,3,3,3", "--activation", "tanh,softmax,tanh,softmax,softmax", "--cost", "cross_entropy")
    status, out = derive(cmdline, *args, "--wrt", "w_{00}^{(L)}", "--to", "tex")
    assert status == 1 and "These equations are DISPROVEN" in out
    assert r"((W^{(l+1)})^{T} \delta^{(l+1)}) \odot a^{(l)}" in out


def test_each_kind_of_hidden_layer_gets_its_own_printed_matrix_equation(cmdline):
    args = ("--layers", "3,3,3,3,3,3", "--activation", "tanh,softmax,tanh,softmax,softmax", "--cost", "cross_entropy")
    status, out = derive(cmdline, *args, "--wrt", "w_{00}^{(L)}", "--to", "tex")
    assert status == 0, out
    jacobian = (
        r"\delta^{(l)} = (\operatorname{diag}(a^{(l)}) - a^{(l)} (a^{(l)})^{T})"
        r" (W^{(l+1)})^{T} \delta^{(l+1)} \quad \text{(a softmax hidden layer)}"
    )
    elementwise = (
        r"\delta^{(l)} = ((W^{(l+1)})^{T} \delta^{(l+1)}) \odot "
        r"\tanh^{\prime}(z^{(l)}) \quad \text{(an elementwise hidden layer)}"  # its elementwise layers are tanh
    )
    assert jacobian in out and elementwise in out
    assert "These equations are proven symbolically" in out


@pytest.mark.parametrize("fmt", ["text", "json", "md"])
def test_documents_without_the_matrix_form_do_not_prove_it(monkeypatch, cmdline, fmt):
    def never(net):
        raise AssertionError("the matrix form proven for a document that does not show it")

    monkeypatch.setattr(forms, "prove_matrix_form", never)
    status, _ = derive(cmdline, "--layers", "2,3,2", "--wrt", "w_{00}^{(1)}", "--to", fmt)
    assert status == 0


def test_the_python_api_runs_the_proofs_a_document_states_when_given_none():
    d = sbp.Network(layers=[2, 3, 2]).derive("w_{00}^{(1)}")
    tex = d.latex()
    assert "These equations are proven symbolically" in tex and "The result is proven symbolically" in tex
    assert "Check: proven (symbolic)" in documents.render(d)
    assert "The result is proven symbolically" in documents.render_all(sbp.Network(layers=[1, 1]))


ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity", "softmax", "g"]


@st.composite
def mixed_networks(draw):
    """Networks of 1 to 13 layers after the input mixing elementwise and softmax layers, 2 or 3 neurons wide."""
    names = draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=1, max_size=13))
    widths = draw(st.lists(st.integers(2, 3), min_size=len(names) + 1, max_size=len(names) + 1))
    return sbp.Network(layers=widths, activation=names, cost="sse", bias=draw(st.sampled_from(["neuron", "layer"])))


def delta_cases(net: Network, spy: list) -> set[tuple[bool, bool, bool]]:
    """(elementwise, output, first) of each layer whose delta the general form's instances use."""
    return {(net.activation(m).elementwise, m == net.depth, m == 1) for m in spy}


@given(mixed_networks())
def test_every_case_the_general_form_states_for_the_network_is_instantiated_on_its_copy(net):
    copy = proof_copy(net).network
    used: list[int] = []
    error = gf._error

    def spy(n, layer, j):
        used.append(layer)
        return error(n, layer, j)

    gf._error = spy
    try:
        for ref in copy.parameters() + [Ref("a", m, (k,)) for m in range(copy.depth) for k in copy.neurons(m)]:
            gf.instantiate(copy, ref)
    finally:
        gf._error = error
    stated = {(net.activation(m).elementwise, m == net.depth, m == 1) for m in range(1, net.depth + 1)}
    instantiated = delta_cases(copy, used)
    assert {(e, o) for e, o, _ in stated} <= {(e, o) for e, o, _ in instantiated}
    assert any(first for _, _, first in instantiated)
    assert set(layer_kinds(net)) == set(proof_copy(net).kinds)


@given(mixed_networks())
def test_every_matrix_equation_printed_for_the_network_has_a_layer_in_its_copy(net):
    assert mf.not_covered(net, proof_copy(net).network) == []


def test_a_cost_that_depends_on_the_output_width_is_proven_at_that_width_or_says_it_was_not():
    """The mean squared error's derivative has 1/n_L: the copy keeps the output layer's width, up to 64."""
    kept = proof_copy(sbp.Network(layers=[4, 4, 4, 10], cost="mse"))
    assert kept.network.layers == (3, 3, 10)
    narrowed = prove_general_form(sbp.Network(layers=[2, 3, 100], cost="mse"))
    assert narrowed.verdict == "proven"
    assert "is proven there for 3 neurons, not this network's 100" in narrowed.statement
    matrix = prove_matrix_form(sbp.Network(layers=[2, 3, 100], cost="mse")).proof
    assert matrix.verdict == "undecided" and "gradient (output) equation printed here" in matrix.statement


def test_a_claim_found_different_only_at_exact_points_is_not_called_incorrect(monkeypatch):
    """Were the exact points ever wrong (as exp of a product once was), real points that agree to 30 digits
    overrule them: the claim cannot be decided, which is not "incorrect" without a counterexample. A difference
    that did not cancel symbolically is a proof, and stays incorrect (+ 10^{-40}: no real point shows it)."""
    from symbackprop.prove.equivalence import Decision
    from symbackprop.verify import claims as verify_module

    right = r"2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}"
    net = sbp.Network.from_toml("example:deeplizard")
    assert verify_module.verify_claim(net, right + " + 10^{-40}", "w_{12}^{(L)}").verdict == "incorrect"
    monkeypatch.setattr(verify_module, "decide", lambda *args: Decision(False, "made different for the test", True))
    report = verify_module.verify_claim(net, right, "w_{12}^{(L)}")
    assert (report.verdict, report.undecided, report.position) == ("unparseable", True, None)
    assert "agree to 30 digits at every real point tried, so it cannot be decided" in report.error
    text = render_report(report)
    assert "cannot be read" not in text and "so it cannot be decided" in text
    wrong = verify_module.verify_claim(net, r"(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}", "w_{12}^{(L)}")
    assert wrong.verdict == "incorrect" and wrong.counterexample is not None
    monkeypatch.setattr(verify_module, "decide", lambda *args: Decision(False, "not cancelled, for the test"))
    assert verify_module.verify_claim(net, right, "w_{12}^{(L)}").verdict == "incorrect"  # a proof stands


def test_a_claim_true_for_tanh_alone_is_still_incorrect_for_a_generic_activation():
    """With g generic, the counterexample takes g = tanh, where 1 - a^2 is g'(z): no difference shows there,
    but at real points with g a random function it does, so the claim stays incorrect."""
    net = sbp.Network(layers=[1, 1, 1], activation="g", cost="half_sse")
    report = verify_claim(net, r"(a^{(L)} - y) (1 - (a^{(L)})^2) a^{(L-1)}", "w^{(L)}")
    assert report.verdict == "incorrect"
    found = report.counterexample
    assert "where g = tanh would show no difference" in found.note and "g^(2)(u) = " in found.note
    at = {str(s): v for s, v in found.at}
    a, y, before = at["a[2, 0]"], at["y[0]"], at["a[1, 0]"]
    assert found.claim == pytest.approx((a - y) * (1 - a**2) * before, rel=1e-9)  # the claim, by hand
    assert abs(found.claim - found.expected) > 1e-3
