"""Bounds: a request too large is refused at once, saying how large it is and what to ask for instead."""

from __future__ import annotations

from math import prod

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sbp
from symbackprop import cli
from symbackprop.base import time_guard
from symbackprop.cli import commands
from symbackprop.derive import bounds, second
from symbackprop.derive.bounds import parameters, paths
from symbackprop.numeric import numbers as numeric
from symbackprop.prove import element, forms
from symbackprop.prove import proof as proof_kit
from symbackprop.prove import second as prove_second
from symbackprop.prove.copies import proof_copy
from symbackprop.prove.forms import prove_matrix_form
from symbackprop.prove.proof import PROVEN, RANDOM, SYMBOLIC, Part, Proof
from symbackprop.verify import claims

from ..strategies import networks, references


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


@pytest.fixture
def no_expensive_work(monkeypatch):
    """Spies: a refused request never starts what a refusal is there to spare (a proof, lambdifying, a claim)."""

    def never(*args, **kwargs):
        raise AssertionError("expensive work started for a request that should be refused")

    for module, name in [  # where each is called from: a module that imported the name has its own reference
        (element, "prove"),
        (forms, "prove"),
        (commands, "all_proofs"),
        (commands, "stated_proofs"),
        (commands, "prove_general_form"),
        (prove_second, "check"),
        (numeric, "gradcheck"),
        (claims, "verify_claim"),  # imported by verify's command when it runs
    ]:
        monkeypatch.setattr(module, name, never)


def refused(cmdline, *args: str) -> str:
    """Run a command in-process; it must exit 2 with one line on stderr, which is returned."""
    done = cmdline.run(*args)
    status, err = done.returncode, done.stderr
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1
    return err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("derive", "--layers", "784,128,64,10", "--wrt", "w_{00}^{(1)}"), "109,386 weights and biases"),
        (("derive", "--layers", "12,30,30,30,30,30", "--wrt", "w_{00}^{(1)}"), "810,000 paths"),
        (("derive", "--layers", "10,20,20,10", "--wrt", "all", "--to", "tex"), "refused above 600"),
        (("gradcheck", "--layers", "10,20,20,10"), "more than 400 is refused"),
        (("verify", "--layers", "784,512,512,10", "--wrt", "w_{00}^{(L)}", "--claim", "a"), "up to 250,000"),
    ],
)
def test_too_large_is_refused_at_once(no_expensive_work, cmdline, args, words):
    assert words in refused(cmdline, *args)


def wide(width: int, count: int) -> str:
    """--layers for ``count`` layers of ``width`` neurons."""
    return ",".join([str(width)] * count)


# Each of these ran for minutes before it was bounded (the audit's times on this 2-core machine);
# each is now refused before any of that work starts, saying how large it is and what to ask for instead.
REFUSED_AT_ONCE = [
    (("derive", "--layers", wide(2, 16), "--wrt", "w_{00}^{(L)}"), "has 2,211,783 nodes; above 1,000,000"),
    (("derive", "--layers", wide(2, 13), "--wrt", "all", "--to", "tex"), "343,536 nodes together; above 50,000"),
    (("derive", "--layers", wide(1, 33), "--wrt", "all", "--to", "tex"), "1,056 layer steps in all; above 300"),
    (("gradcheck", "--layers", wide(2, 31)), "(30 layers after the input)"),
    (("gradcheck", "--layers", wide(2, 13)), "1,030,668 nodes together"),
    (("derive", "--layers", "1,10,10,10,10,10,1", "--wrt", "w_{00}^{(1)}"), "10,000 paths"),
    (("derive", "--layers", wide(2, 10), "--wrt", "w_{00}^{(1)}", "--wrt2", "w_{00}^{(1)}"), "above 1,000,000"),
    (("verify", "--layers", "1000,300,10", "--wrt", "w_{00}^{(1)}", "--claim", "a_0^{(0)}"), "303,310 weights"),
    (("verify", "--layers", wide(2, 18), "--wrt", "w_{00}^{(1)}", "--claim", "a_0^{(0)}"), "deeper than the 16"),
    (("derive", "--layers", wide(1, 65), "--wrt", "w^{(1)}", "--to", "tex"), "89,440 factors to build in all"),
]
INSTEAD = ("general form", "codegen", "fewer", "narrower", "later layer")


@pytest.mark.parametrize(("args", "words"), REFUSED_AT_ONCE)
def test_large_requests_of_every_kind_are_refused_before_the_work_starts(no_expensive_work, cmdline, args, words):
    err = refused(cmdline, *args)
    assert words in err
    assert args[0] == "verify" or any(w in err for w in INSTEAD)


def test_a_deep_network_the_engine_answers_is_not_refused(cmdline):
    done = cmdline.run(
        "derive", "--layers", wide(2, 13), "--wrt", "w_{00}^{(L)}"
    )  # took over 90 s before it was bounded
    assert done.returncode == 0, done.stderr
    assert "Check: proven (randomized identity test)" in done.stdout


def test_the_general_form_of_a_deep_network_is_proven_on_a_shallower_copy_and_says_so(cmdline):
    done = cmdline.run("derive", "--layers", wide(2, 13), "--wrt", "w_{jk}^{(l)}")  # took over 90 s before the copy
    assert done.returncode == 0, done.stderr
    assert "the 2-2-2 network made of this one's input and layers L-11, L" in done.stdout


def test_the_largest_network_has_a_general_form(no_expensive_work, monkeypatch):
    """The general form of a 65-layer, 4096-wide network is proven on a copy of 3 neurons per layer."""
    sizes = []
    monkeypatch.setattr(commands, "prove_general_form", lambda net: sizes.append(proof_copy(net)) or proven())
    assert cli.main(["derive", "--layers", wide(4096, 65), "--wrt", "b_j^{(l)}"]) == 0
    assert [copy.network.layers for copy in sizes] == [(3, 3, 3)]


def proven() -> Proof:
    return Proof(PROVEN, SYMBOLIC, "stands in for the proof")


@pytest.mark.parametrize(
    ("activations", "kept", "layers"),
    [
        (["relu", "relu", "softmax", "tanh", "softmax"], ("relu", "softmax", "softmax"), (2, 2, 2, 2)),
        (["relu", "relu", "tanh", "relu", "sigmoid"], ("relu", "sigmoid"), (3, 3, 3)),
        (["softmax", "softmax", "softmax", "tanh"], ("softmax", "tanh"), (3, 3, 3)),
        (["softmax", "tanh", "softmax", "relu", "softmax"], ("softmax", "tanh", "softmax"), (2, 2, 2, 2)),
        (["tanh", "tanh", "tanh", "softmax", "softmax"], ("tanh", "softmax", "softmax"), (2, 2, 2, 2)),
    ],
)
def test_proof_copies_keep_the_output_the_first_layer_and_a_hidden_layer_of_each_kind(activations, kept, layers):
    net = sbp.Network(layers=[4] * (len(activations) + 1), activation=activations, cost="sse")
    copy = proof_copy(net)
    assert copy.network.spec.activations == kept and copy.network.layers == layers
    assert "the output layer" in copy.kinds and "the first layer" in copy.kinds
    same = proof_copy(sbp.Network(layers=[2, 3, 2]))
    assert same.network.layers == (2, 3, 2) and same.description == "this network"


def test_the_matrix_form_of_a_deep_network_is_proven_on_a_shallower_copy():
    matrix = prove_matrix_form(sbp.Network(layers=[2] * 11))  # 17-27 s on the whole network
    assert matrix.proof.verdict == "proven"
    assert "for every layer of the 2-2-2 network made of this one's input and layers L-9, L" in matrix.proof.statement


def test_the_chain_rule_points_have_a_guard_and_say_when_it_runs_out(monkeypatch):
    monkeypatch.setattr(element, "SYMBOLIC_NODES", 0)
    monkeypatch.setattr(element, "_sum_form", lambda d: Part(PROVEN, SYMBOLIC, "stands in"))
    monkeypatch.setattr(proof_kit, "GUARD_SECONDS", 1e-9)
    proof = sbp.Network(layers=[2, 3, 2]).derive("w_{00}^{(1)}").check()
    assert proof.verdict == "undecided" and proof.method == RANDOM
    assert proof.statement.startswith("the chain-rule result, compared with the derivative of the composed cost")
    assert "0 of 13 points were done when it ran past 1e-09 s" in proof.statement


def test_ten_thousand_paths_are_proven():
    d = sbp.Network(layers=[1, 10, 10, 10, 10, 10, 1]).derive("w_{00}^{(1)}")
    proof = d.check()  # was stuck for minutes in the rational points and the Σ form's doit
    assert proof and proof.method == RANDOM


def test_budgets_nest_and_the_outer_one_still_expires():
    """An inner budget never outlasts the outer one, and the outer one still ends work the inner one cut short."""
    seen: list[list[float]] = []

    def spin() -> None:  # runs until a budget expires
        seen.append(list(time_guard._deadlines))
        while True:
            pass

    assert time_guard.within(0.2, lambda: [time_guard.within(60, spin), spin()]) is None  # a lost outer timer: a hang
    assert seen[0][1] <= seen[0][0]  # the inner deadline is the outer one, not 60 s away
    assert time_guard._deadlines == []


def test_a_chain_deeper_than_the_index_letters_is_derived_with_subscripted_letters(cmdline):
    from symbackprop.derive.derivation import compact_form

    def summed(net: sbp.Network) -> set[str]:
        """The letters the sums of the Σ form of dC_0/da_0^(0) run over."""
        form = compact_form(net, net.ref("a_0^{(0)}"))
        return {str(index) for s in form.atoms(sp.Sum) for index, _, _ in s.limits}

    letters = summed(sbp.Network(layers=[2] * 14))  # 13 sums: the 11 letters, then j_1 and j_2
    assert len(letters) == 13 and {"j", "v", "j_1", "j_2"} <= letters
    assert summed(sbp.Network(layers=[1] * 14 + [2, 2])) == {"j", "i"}  # one-neuron layers have no sum, use no letter
    done = cmdline.run("derive", "--layers", wide(1, 21), "--wrt", "w^{(1)}")  # StopIteration, exit 3
    assert done.returncode == 0, done.stderr
    assert "Check: proven" in done.stdout


def test_the_deepest_network_allowed_is_derived_not_too_deeply_nested(cmdline):
    done = cmdline.run("derive", "--layers", wide(1, 65), "--wrt", "w^{(1)}")
    assert done.returncode == 0, done.stderr
    assert "Check: proven (randomized identity test)" in done.stdout


def test_a_second_derivative_of_a_deep_network_is_proven_by_a_randomized_identity_test(cmdline):
    args = ("derive", "--layers", wide(2, 8), "--wrt", "w_{00}^{(1)}", "--wrt2", "w_{00}^{(1)}")
    done = cmdline.run(*args)  # was 43 s, "not decided", exit 1
    assert done.returncode == 0, done.stderr
    assert "Check: proven (randomized identity test)" in done.stdout


def test_second_derivatives_by_second_order_dual_numbers_catch_a_wrong_one(monkeypatch):
    monkeypatch.setattr(prove_second, "SYMBOLIC_NODES", 0)
    net = sbp.Network(layers=[2, 2, 2], activation=["tanh", "softmax"], cost="cross_entropy")
    d2 = second.derive_second(net, net.ref("w_{01}^{(1)}"), net.ref("w_{10}^{(L)}"))
    proof = prove_second.check(d2)
    assert proof and proof.method == RANDOM and "second-order forward-mode" in proof.statement
    wrong = type(d2)(d2.first, d2.second, d2.second_symbol, d2.sensitivities, d2.terms, d2.result * 2)
    assert prove_second.check(wrong).verdict == "disproven"


def test_claims_on_deep_networks_can_be_refused_by_depth_and_size():
    bounds.check_claim(sbp.Network(layers=[2, 3, 3, 2]))
    bounds.check_claim(sbp.Network(layers=[2] * 7))  # 3,305 nodes composed: decided modulo a prime now
    bounds.check_claim(sbp.Network(layers=[784, 16, 10]))
    with pytest.raises(sbp.SpecError, match="deeper than the 16 layers"):
        bounds.check_claim(sbp.Network(layers=[1] * 65))
    with pytest.raises(sbp.SpecError, match="up to 250,000"):
        bounds.check_claim(sbp.Network(layers=[784, 512, 512, 10]))


@pytest.mark.parametrize("layers", [",".join(["2"] * 18), ",".join(["1"] * 40)])
def test_verify_refuses_a_claim_on_a_network_too_deep_to_decide(layers, tmp_path, cmdline):
    out = tmp_path / "report.txt"
    result = cmdline.run(
        "verify", "--layers", layers, "--wrt", "w_{00}^{(L)}", "--claim", "2(a_0^{(L)} - y_0)", "-o", str(out)
    )
    assert result.returncode == 2, result.stderr
    assert "general form" in result.stderr and ("nodes" in result.stderr or "deeper" in result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()
