"""Bounds: a request too large is refused at once, saying how large it is and what to ask for instead."""

from __future__ import annotations

import subprocess
import sys
import time
from math import prod

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop import bounds, checks, second
from symbackprop.bounds import parameters, paths

from .strategies import networks, references


def chains_in(d) -> int:
    """Paths counted from the derivation itself: each chain, times the paths of its deferred factor."""
    return sum(prod(chains_in(f.deferred) if f.deferred else 1 for f in c.factors) for c in d.chains)


@given(st.data())
def test_the_path_count_is_the_derivations_own(data):
    net = data.draw(networks(max_depth=3, max_width=3))
    ref = data.draw(references(net))
    assert paths(net, ref) == chains_in(net.derive(ref))


def test_parameters_counts_weights_and_biases():
    assert parameters(sbp.Network(layers=[2, 3, 2], bias="neuron")) == 6 + 6 + 3 + 2
    assert parameters(sbp.Network(layers=[2, 3, 2], bias="layer")) == 12 + 2
    assert parameters(sbp.Network(layers=[2, 3, 2], bias="none")) == 12


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symbackprop", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("derive", "--layers", "784,128,64,10", "--wrt", "w_{00}^{(1)}"), "109,386 weights and biases"),
        (("derive", "--layers", "12,30,30,30,30,30", "--wrt", "w_{00}^{(1)}"), "810,000 paths"),
        (("derive", "--layers", "10,20,20,10", "--wrt", "all", "--to", "tex"), "refused above 600"),
        (("gradcheck", "--layers", "10,20,20,10"), "more than 400 is refused"),
        (("verify", "--layers", "784,128,64,10", "--wrt", "w_{00}^{(L)}", "--claim", "a"), "up to 200"),
    ],
)
def test_too_large_is_refused_at_once(args, words):
    start = time.monotonic()
    done = run(*args)
    assert time.monotonic() - start < 30
    assert done.returncode == 2
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def wide(width: int, count: int) -> str:
    """--layers for ``count`` layers of ``width`` neurons."""
    return ",".join([str(width)] * count)


def timed(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = run(*args)
    return done, time.monotonic() - start


# Each of these ran for minutes before it was bounded (the audit's times on this 2-core machine);
# each is now refused at once, saying how large it is and what to ask for instead.
REFUSED_AT_ONCE = [
    (("derive", "--layers", wide(2, 16), "--wrt", "w_{00}^{(L)}"), "has 2,211,783 nodes; above 1,000,000"),
    (("derive", "--layers", wide(2, 13), "--wrt", "all", "--to", "tex"), "343,536 nodes together; above 50,000"),
    (("derive", "--layers", wide(1, 33), "--wrt", "all", "--to", "tex"), "1,056 layer steps in all; above 300"),
    (("gradcheck", "--layers", wide(2, 31)), "(30 layers after the input)"),
    (("gradcheck", "--layers", wide(2, 13)), "1,030,668 nodes together"),
    (("derive", "--layers", "1,10,10,10,10,10,1", "--wrt", "w_{00}^{(1)}"), "10,000 paths"),
    (("derive", "--layers", wide(2, 10), "--wrt", "w_{00}^{(1)}", "--wrt2", "w_{00}^{(1)}"), "above 1,000,000"),
    (("verify", "--layers", "30,38,7", "--wrt", "w_{00}^{(1)}", "--claim", "a_0^{(0)}"), "1,451 weights"),
    (("verify", "--layers", "20,30,10", "--wrt", "w_{00}^{(1)}", "--claim", "a_0^{(0)}"), "up to 200"),
    (("derive", "--layers", wide(1, 65), "--wrt", "w^{(1)}", "--to", "tex"), "89,440 factors to build in all"),
]
INSTEAD = ("general form", "codegen", "fewer", "narrower", "later layer")


@pytest.mark.parametrize(("args", "words"), REFUSED_AT_ONCE)
def test_large_requests_of_every_kind_are_refused_in_seconds_with_their_size(args, words):
    done, took = timed(*args)
    assert took < 5, took
    assert done.returncode == 2, done.stderr
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert args[0] == "verify" or any(w in done.stderr for w in INSTEAD)


def test_a_deep_network_the_engine_answers_in_seconds_is_not_refused():
    done, took = timed("derive", "--layers", wide(2, 13), "--wrt", "w_{00}^{(L)}")  # took over 90 s
    assert done.returncode == 0, done.stderr
    assert "Check: proven" in done.stdout
    assert took < 30, took


def test_the_general_form_of_a_deep_network_is_proven_on_a_shallower_copy_and_says_so():
    done, took = timed("derive", "--layers", wide(2, 13), "--wrt", "w_{jk}^{(l)}")  # took over 90 s
    assert done.returncode == 0, done.stderr
    assert "the 2-2-2-2 network made of this one's input and layers L-11, L-10, L" in done.stdout
    assert took < 20, took


def test_the_largest_network_has_a_general_form_in_seconds():
    done, took = timed("derive", "--layers", wide(4096, 65), "--wrt", "b_j^{(l)}")
    assert done.returncode == 0, done.stderr
    assert took < 20, took


def test_proof_copies_keep_the_output_then_a_softmax_then_other_activations():
    net = sbp.Network(layers=[4, 5, 6, 7, 8, 9], activation=["relu", "relu", "softmax", "tanh", "softmax"])
    small, where = bounds.proof_copy(net)
    assert small.layers == (2, 2, 2, 2) and small.spec.activations == ("relu", "softmax", "softmax")
    assert "layers L-4, L-2, L (at most 2 neurons wide)" in where
    mixed, _ = bounds.proof_copy(sbp.Network(layers=[4] * 6, activation=["relu", "relu", "tanh", "relu", "sigmoid"]))
    assert mixed.layers == (3, 3, 3, 3) and mixed.spec.activations == ("relu", "tanh", "sigmoid")
    same, here = bounds.proof_copy(sbp.Network(layers=[2, 3, 2]))
    assert same.layers == (2, 3, 2) and here == "this network"


def test_the_matrix_form_of_a_deep_network_is_proven_on_a_shallower_copy_in_seconds():
    from symbackprop.renderers.context import matrix_context

    start = time.monotonic()
    context = matrix_context(sbp.Network(layers=[2] * 11))  # 17-27 s on the whole network
    assert time.monotonic() - start < 10
    assert "is proven symbolically, for every weight and bias of the 2-2-2-2 network made of" in context["proof"]


def test_the_rational_fallback_has_a_budget_and_says_when_it_runs_out(monkeypatch):
    monkeypatch.setattr(checks, "SYMBOLIC_NODES", 0)
    monkeypatch.setattr(checks, "RATIONAL_SECONDS", 1e-4)
    proof = sbp.Network(layers=[2, 3, 2]).derive("w_{00}^{(1)}").check()
    assert not proof
    assert proof.statement.startswith("not decided within the time budget")


def test_ten_thousand_paths_are_proven_in_seconds():
    d = sbp.Network(layers=[1, 10, 10, 10, 10, 10, 1]).derive("w_{00}^{(1)}")
    start = time.monotonic()
    proof = d.check()  # stuck for minutes in the rational points and the Σ form's doit
    assert time.monotonic() - start < 30
    assert proof and proof.method == "rational points"


def test_budgets_nest_and_the_outer_one_still_expires_on_time():
    start = time.monotonic()
    outer = checks.within(0.3, lambda: [checks.within(5, lambda: time.sleep(1)), time.sleep(1)])
    assert outer is None
    assert time.monotonic() - start < 0.9


def test_a_chain_deeper_than_the_index_letters_is_derived_with_subscripted_letters():
    from symbackprop.derivation import compact_form

    net = sbp.Network(layers=[1] * 14 + [2, 2])
    letters = {str(s) for s in compact_form(net, net.ref("a_0^{(0)}")).atoms(sp.Symbol)}
    assert {"j_3", "j_4"} <= letters  # j_1 and j_2 went to layers of one neuron, which need no sum
    done = run("derive", "--layers", wide(1, 21), "--wrt", "w^{(1)}")  # StopIteration, exit 3
    assert done.returncode == 0, done.stderr
    assert "Check: proven" in done.stdout


def test_the_deepest_network_allowed_is_derived_not_too_deeply_nested():
    done, took = timed("derive", "--layers", wide(1, 65), "--wrt", "w^{(1)}")
    assert done.returncode == 0, done.stderr
    assert "Check: proven (rational points)" in done.stdout
    assert took < 30, took


def test_a_second_derivative_of_a_deep_network_is_proven_by_rational_points_in_seconds():
    args = ("derive", "--layers", wide(2, 8), "--wrt", "w_{00}^{(1)}", "--wrt2", "w_{00}^{(1)}")
    done, took = timed(*args)  # 43 s, "not decided", exit 1
    assert done.returncode == 0, done.stderr
    assert "Check: proven (rational points)" in done.stdout
    assert took < 30, took


def test_second_derivatives_fall_back_to_second_order_dual_numbers(monkeypatch):
    monkeypatch.setattr(second, "SYMBOLIC_NODES", 0)
    net = sbp.Network(layers=[2, 2, 2], activation=["tanh", "softmax"], cost="cross_entropy")
    d2 = second.derive_second(net, net.ref("w_{01}^{(1)}"), net.ref("w_{10}^{(L)}"))
    proof = second.check(d2)
    assert proof and proof.method == "rational points"
    wrong = type(d2)(d2.first, d2.second, d2.second_symbol, d2.sensitivities, d2.terms, d2.result * 2)
    assert not second.check(wrong)


def test_claims_on_deep_networks_can_be_refused_by_depth_and_size():
    bounds.check_claim(sbp.Network(layers=[2, 3, 3, 2]))
    with pytest.raises(sbp.SpecError, match="deeper than the 16 layers"):
        bounds.check_claim(sbp.Network(layers=[1] * 65))
    with pytest.raises(sbp.SpecError, match="3,305 nodes written out"):
        bounds.check_claim(sbp.Network(layers=[2] * 7))


@pytest.mark.parametrize("layers", ["2,2,2,2,2,2,2,2", ",".join(["1"] * 40)])
def test_verify_refuses_a_claim_on_a_network_too_deep_to_decide(layers, tmp_path):
    out = tmp_path / "report.txt"
    result = run("verify", "--layers", layers, "--wrt", "w_{00}^{(L)}", "--claim", "2(a_0^{(L)} - y_0)", "-o", str(out))
    assert result.returncode == 2, result.stderr
    assert "general form" in result.stderr and ("nodes" in result.stderr or "deeper" in result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()
