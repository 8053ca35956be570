"""verify_claim: claimed formulas in LaTeX, decided by proof, with the mistake named.

The table in claims_table.py covers every mistake kind in both notations; the property
tests feed the engine's own printed results back as claims (they must be correct) and
mistaken copies of them (they must be incorrect, with the mistake found).
"""

from __future__ import annotations

import builtins
import itertools
import json
import re
import time

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from symbackprop import cli
from symbackprop.base.errors import SpecError
from symbackprop.model.network import Network
from symbackprop.model.printing import partial_tex, printers
from symbackprop.model.symbols import SAMPLES, A, Y, Z, activation_functions
from symbackprop.prove.equivalence import decide
from symbackprop.render.verdict import report_context
from symbackprop.renderers import render_report
from symbackprop.syntax.tree import ClaimError, parse
from symbackprop.verify.claim_binding import bind
from symbackprop.verify.claims import verify_claim

from ..claims_table import CHAIN, CLAIMS, OUT, SEED_CLAIMS, SEED_DISPLAYS, UNPARSEABLE, network
from ..strategies import networks, references


@pytest.mark.parametrize(("name", "wrt", "claim", "verdict", "diagnosis"), CLAIMS)
def test_claims_get_their_verdict_and_diagnosis(name, wrt, claim, verdict, diagnosis):
    report = verify_claim(network(name), claim, wrt)
    assert report.verdict == verdict, report.error
    assert (report.diagnosis.kind if report.diagnosis else None) == diagnosis
    lacks = report.method.startswith("the claim names a weight the network does not have")
    if verdict == "incorrect" and not (lacks and diagnosis == "indices_swapped"):  # no value to differ at
        c = report.counterexample
        assert c is not None
        assert abs(c.claim - c.expected) > 1e-9 * max(1.0, abs(c.expected))


def test_the_table_covers_every_mistake_kind_and_enough_claims():
    kinds = {row[4] for row in CLAIMS if row[4]}
    assert {
        "factor_2_dropped",
        "factor_2_added",
        "sign",
        "activation_derivative_missing",
        "wrong_layer",
        "indices_swapped",
        "sum_missing",
        "sum_wrong_index",
        "mean_missing",
    } <= kinds
    assert len(CLAIMS) >= 40


@pytest.mark.parametrize(("name", "claim", "words", "position"), UNPARSEABLE)
def test_unreadable_claims_say_where_and_why(name, claim, words, position):
    wrt = "w_{12}^{(L)}" if name == "deep" else "w^{(L)}"
    report = verify_claim(network(name), claim, wrt)
    assert report.verdict == "unparseable"
    assert words in report.error
    if position is not None:
        assert report.position == position
    assert report.exit_status == 2


@pytest.mark.parametrize(
    ("source", "line", "spec", "wrt", "claim"), SEED_CLAIMS, ids=[f"{r[0][6:9]}:{r[1]}" for r in SEED_CLAIMS]
)
def test_the_source_texts_own_formulas_pasted_verbatim_are_correct(source, line, spec, wrt, claim):
    report = verify_claim(Network.from_toml(f"example:{spec}"), claim, wrt)
    assert report.verdict == "correct", (source, line, report.error, report.position)


@pytest.mark.parametrize("end", [r"\text{.}", r"\text{,}", ".", ",", r" \text{ . } ", r"\text{.}$"])
def test_a_displays_closing_punctuation_is_ignored(end):
    claim = r"2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}" + end
    if end.endswith("$"):
        claim = "$" + claim
    assert verify_claim(network("deep"), claim, "w_{12}^{(L)}").verdict == "correct"


def test_a_prime_raised_inside_the_layer_superscript_is_g_prime():
    """seeds/001, line 369: g^{^{\\prime }\\left( L\\right) } is g'^{(L)}, not a power or an error."""
    net = Network.from_toml("example:deeplizard")
    text = r"g^{^{\prime }\left( L\right) }\left( z_{1}^{\left( L\right) }\right) \text{.}"
    _, prime = activation_functions("g")
    assert bind(net, parse(text), text).value == prime(3, Z[3, 1])


def test_the_operator_form_differentiates_what_follows_it():
    """seeds/001, lines 349 and 353: \\frac{\\partial }{\\partial a} (...) is d/da of the group after it."""
    net = Network.from_toml("example:deeplizard")
    text = r"\frac{\partial }{\partial a_{1}^{(L)}}\left(\left(a_1^{(L)} - y_1\right)^2\right)"
    assert bind(net, parse(text), text).value == 2 * (A[3, 1] - Y[1])


def test_every_side_must_be_right_and_the_wrong_one_is_named():
    lhs, chain = r"\frac{\partial C_0}{\partial w_{12}^{(L)}}", CLAIMS[4][2]
    right, wrong = r"2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}", r"2(a_1^{(L)} - y_1) a_2^{(L-1)}"
    for sides, index in (([chain, wrong], 3), ([wrong, right], 2)):
        claim = " = ".join([lhs, *sides])
        report = verify_claim(network("deep"), claim)
        assert report.verdict == "incorrect"
        assert (report.side, report.sides, report.side_text) == (index, 3, wrong)
        assert report.diagnosis.kind == "activation_derivative_missing"
        assert f"the wrong side:      side {index} of 3, {wrong}" in render_report(report)
        assert json.loads(render_report(report, "json"))["side"]["index"] == index
    report = verify_claim(network("deep"), " = ".join([lhs, chain, right]))
    assert report.verdict == "correct" and (report.side, report.sides) == (3, 3)


def test_a_reference_in_the_claim_is_named_as_written():
    report = verify_claim(network("deep"), r"\frac{\partial C_0}{\partial w_{92}^{(L)}} = 1", "w_{12}^{(L)}")
    assert report.verdict == "unparseable" and report.position == 30
    assert "'w_{92}^{(L)}'" in report.error and "Ref(" not in report.error


def test_a_wrt_that_disagrees_with_the_left_hand_side_is_named_as_written():
    claim = r"\frac{\partial C_0}{\partial w_{22}^{(L)}} = 2(a_2^{(L)} - y_2) g'^{(L)}(z_2^{(L)}) a_2^{(L-1)}"
    with pytest.raises(SpecError) as err:
        verify_claim(Network.from_toml("example:deeplizard"), claim, "w_{12}^{(L)}")
    message = str(err.value)
    assert "at position 30" in message and "w_{22}^{(L)}" in message and "--wrt names w_{12}^{(L)}" in message
    assert "in layer 3" not in message and "(2, 2)" not in message


def test_the_summed_index_gets_one_range_whichever_factor_comes_first():
    net = Network.from_toml("example:worked")
    first = r"\sum_{j} w_{1j}^{(L)} 2(a_j^{(L)} - y_j)\sigma'(z_j^{(L)})"
    last = r"\sum_{j} 2(a_j^{(L)} - y_j)\sigma'(z_j^{(L)}) w_{1j}^{(L)}"
    for wrt in ("a_1^{(L-1)}", "w_{11}^{(L)}"):
        reports = [verify_claim(net, claim, wrt) for claim in (first, last)]
        assert all(r.verdict != "unparseable" for r in reports), [r.error for r in reports]
        assert len({(r.verdict, r.diagnosis and r.diagnosis.kind) for r in reports}) == 1
        assert reports[0].read_as.limits == reports[1].read_as.limits


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--wrt", "w_{99}^{(L)}", "--claim", "2"], "'w_{99}^{(L)}'"),
        (["--wrt", "w_{12}^{(L)}", "--claim", r"\frac{\partial C_0}{\partial w_{22}^{(L)}} = 1"], "left-hand side"),
        (["--wrt", "q", "--claim", "2"], "reference 'q'"),
    ],
)
def test_with_json_a_bad_reference_is_json_on_stdout_and_one_line_on_stderr(args, words, capsys):
    status = cli.main(["verify", "example:deeplizard", *args, "--json"])
    out, err = capsys.readouterr()
    assert status == 2
    assert words in json.loads(out)["error"]
    assert len(err.strip().splitlines()) == 1 and words in err


def test_with_json_an_unparseable_claim_is_json_on_stdout_and_one_line_on_stderr(capsys):
    status = cli.main(["verify", "example:deeplizard", "--wrt", "w_{12}^{(L)}", "--claim", "2 q", "--json"])
    out, err = capsys.readouterr()
    assert status == 2
    data = json.loads(out)
    assert data["verdict"] == "unparseable" and data["error"]["position"] == 3 and "q" in data["error"]["reason"]
    assert len(err.strip().splitlines()) == 1 and "position 3" in err


def test_a_counterexample_is_the_engines_number_at_that_point():
    """The right answer's value at the counterexample is dC/dw by finite differences there."""
    import numpy as np

    from symbackprop.numeric import numbers as numeric

    net = network("one")
    report = verify_claim(net, r"a^{(L-1)} 2(a^{(L)} - y)", "w^{(L)}")
    c = report.counterexample
    values = net.spec.values or numeric.random_values(net, samples=1, seed=0)
    grads_w, _ = numeric.finite_differences(net, values)
    assert c.expected == pytest.approx(float(np.ravel(grads_w[-1])[0]), rel=1e-6)


def test_the_left_hand_side_must_agree_with_wrt():
    claim = r"\frac{\partial C_0}{\partial w_{21}^{(L)}} = 2(a_2^{(L)} - y_2) g'^{(L)}(z_2^{(L)}) a_1^{(L-1)}"
    with pytest.raises(SpecError, match="left-hand side"):
        verify_claim(network("deep"), claim, "w_{12}^{(L)}")


def test_without_wrt_or_left_hand_side_it_asks_for_one():
    with pytest.raises(SpecError, match="--wrt"):
        verify_claim(network("deep"), "2(a_1^{(L)} - y_1)")


def test_json_report_has_every_field():
    report = verify_claim(network("deep"), r"(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}", "w_{12}^{(L)}")
    data = json.loads(render_report(report, "json"))
    assert data["verdict"] == "incorrect"
    assert data["diagnosis"]["kind"] == "factor_2_dropped"
    assert set(data) >= {"verdict", "claim", "read_as", "expected", "counterexample", "diagnosis", "method"}
    assert data["counterexample"]["claim"] == pytest.approx(data["counterexample"]["expected"] / 2)


def test_the_report_reprints_the_claim_as_read():
    report = verify_claim(network("deep"), r"2(a_1^{(L)} - y_1) a_2^{(L-1)}", "w_{12}^{(L)}")
    text = render_report(report)
    assert "the claim, as read:  2·(a_1^(L) - y_1)·a_2^(L-1)" in text
    assert "g'^(L)(z_1^(L)), is missing" in text


HOSTILE = [
    "__import__('os').system('touch PWNED')",
    r"\input{/etc/passwd}",
    r"\write18{touch PWNED}",
    r"\openout1=PWNED \write1{x}",
    r"\catcode`\@=11",
    "{{ 7*7 }}",
    r"\BLOCK{ for x in range(10**9) }x\BLOCK{ endfor }",
    r"\VAR{ ''.__class__ }",
    "{" * 5000 + "}" * 5000,
    "(" * 100 + "a" + ")" * 100,
    "a_1^{(L)} " * 20000,
    "\x00\x1b[31m",
    "a_1^{(L)} + " * 300 + "a_1^{(L)}",
]


@pytest.mark.parametrize("claim", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_claims_get_a_clean_answer_fast_and_run_nothing(claim, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    verify_claim(network("deep"), "2 a_2^{(L-1)}", "w_{12}^{(L)}")  # SymPy execs helpers of its own on first use
    calls = []
    real_eval, real_exec = builtins.eval, builtins.exec

    def spy_eval(source, *args, **kwargs):
        calls.append(source)
        return real_eval(source, *args, **kwargs)

    def spy_exec(source, *args, **kwargs):
        calls.append(source)
        return real_exec(source, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", spy_eval)
    monkeypatch.setattr(builtins, "exec", spy_exec)
    start = time.monotonic()
    report = verify_claim(network("deep"), claim, "w_{12}^{(L)}")
    assert time.monotonic() - start < 10
    assert report.verdict in ("unparseable", "incorrect")
    assert not calls
    assert not list(tmp_path.iterdir())


def nested_tanh(depth: int) -> str:
    return "\\tanh(" * depth + "a_1^{(L)}" + ")" * depth


@pytest.mark.parametrize(
    ("claim", "words"),
    [
        # found by review: each of these ran for minutes (SymPy's tanh asks whether its argument is real, which
        # grows threefold with every level), or wrote out 1.7 million terms
        (" \\cdot ".join([nested_tanh(7)] * 14), "\\tanh is applied to \\tanh more than 5 deep"),
        (
            "".join(f"\\sum_{{{i}}}" for i in "ijkmpqrs") + " ".join(f"a_{i}^{{(L-1)}}" for i in "ijkmpqrs"),
            "its sums written out would have about",
        ),
    ],
    ids=["tanh-7-deep", "eight-sums"],
)
def test_a_claim_too_large_to_decide_is_refused_before_the_work(claim, words):
    report = verify_claim(network("deep"), claim, "w_{12}^{(L)}")
    assert report.verdict == "unparseable"
    assert words in report.error


def test_functions_nested_deeply_are_still_decided():
    """tanh five deep is decided; other functions nest as deep as a network goes (a forward pass written out)."""
    report = verify_claim(network("deep"), nested_tanh(5) + " a_2^{(L-1)}", "w_{12}^{(L)}")
    assert report.verdict == "incorrect" and report.counterexample is not None
    net = Network(layers=[1] * 7, activation="g", bias="none")
    forward = "a^{(0)}"
    for layer in range(1, 7):
        forward = f"g^{{({layer})}}(w^{{({layer})}} {forward})"
    claim = f"2({forward} - y) g'^{{(L)}}(z^{{(L)}}) a^{{(L-1)}}"
    assert verify_claim(net, claim, "w^{(6)}").verdict == "correct"


def _printed_result(d) -> str:
    _, tex = printers(d.network.notation, d.network.layers)
    return f"{partial_tex(tex, d.chains[0].factors[0].of, d.symbol)} = {tex.doprint(d.sum_form)}"


@given(st.data())
def test_the_engines_own_printed_result_verifies_as_correct(data):
    """Round trip: every derivation the engine prints, pasted back as a claim, is correct."""
    net = data.draw(networks(max_depth=2, max_width=2, generic=True))
    ref = data.draw(references(net))
    d = net.derive(ref)
    report = verify_claim(net, _printed_result(d))
    assert report.verdict == "correct", (
        report.error,
        _printed_result(d),
        net.layers,
        net.spec.activations,
        net.spec.cost,
        net.spec.bias,
        net.spec.index_base,
    )
    assert report.wrt == ref


@given(st.data())
def test_a_doubled_or_negated_result_is_incorrect_and_diagnosed(data):
    net = data.draw(networks(max_depth=2, max_width=2))
    ref = data.draw(references(net))
    d = net.derive(ref)
    # A derivative that is 0 as a function (a shared bias under a softmax layer moves every z
    # alike and leaves the output unchanged) is its own double and its own negative: 2 * 0 is
    # correct, and no diagnosis can tell the two apart. Exactly those are left out, by proof.
    if d.result == 0 or decide(net, sp.Integer(0), d.result, d.start).equal:
        return
    _, tex = printers(net.notation, net.layers)
    scale, kind = data.draw(st.sampled_from([(2, "factor_2_added"), (-1, "sign")]))
    claim = f"{scale} \\left({tex.doprint(d.sum_form)}\\right)"
    report = verify_claim(net, claim, ref)
    assert report.verdict == "incorrect"
    assert report.diagnosis is not None and report.diagnosis.kind == kind, (report.diagnosis.kind, claim)


def test_a_leaky_relu_of_a_leaky_relu_is_decided():
    """SymPy folds the nested branches into a condition that is itself if-then-else; real points evaluate it."""
    net = Network(layers=[1, 1, 2], activation="leaky_relu", cost="half_sse")
    right = r"\left(a_{1}^{(L)} - y_{1}\right) \operatorname{LReLU}'\left(z_{1}^{(L)}\right) a^{(L-1)}"
    assert verify_claim(net, right, "w_{10}^{(L)}").verdict == "correct"
    report = verify_claim(net, f"2 \\left({right}\\right)", "w_{10}^{(L)}")
    assert (report.verdict, report.diagnosis.kind) == ("incorrect", "factor_2_added")


def test_a_free_index_is_checked_for_each_value_and_the_first_failing_one_is_named():
    net = network("deep")
    claim = r"\frac{\partial z_{j}^{(L)}}{\partial a_{2}^{(L-1)}} = w_{j2}^{(L)} + \delta_{j1}"
    report = verify_claim(net, claim)
    assert report.verdict == "incorrect" and report.case == ((sp.Symbol("j", integer=True), 1),)
    assert "it fails first at:   j = 1" in render_report(report)
    data = json.loads(render_report(report, "json"))
    assert data["fails_at"] == {"j": 1}
    assert data["free_indices"] == [{"letter": "j", "first": 0, "last": 3, "layer": "L"}]
    right = verify_claim(net, r"\frac{\partial z_{j}^{(L)}}{\partial a_{2}^{(L-1)}} = w_{j2}^{(L)}")
    assert right.verdict == "correct" and "for each of j = 0 to 3" in render_report(right)


def test_a_free_index_in_the_variable_refuses_a_wrt():
    claim = r"\frac{\partial z_{1}^{(L)}}{\partial w_{1j}^{(L)}} = a_{j}^{(L-1)}"
    assert verify_claim(network("deep"), claim).verdict == "correct"
    with pytest.raises(SpecError, match="free index"):
        verify_claim(network("deep"), claim, "w_{12}^{(L)}")


@given(st.data())
def test_a_factor_of_the_chain_is_the_derivative_of_the_composed_quantity(data):
    """local_derivative (the chain rule over the local definitions) against sympy.diff of the quantity
    written down to the variable's layer, proved equal."""
    from symbackprop.derive.local import local_derivative
    from symbackprop.verify.claim_binding import partial_value

    net = data.draw(networks(max_depth=2, max_width=2, generic=True))
    wrt = net.symbol(data.draw(references(net)))
    layer = data.draw(st.integers(1, net.depth))
    of = data.draw(st.sampled_from([A, Z]))[layer, data.draw(st.sampled_from(list(net.neurons(layer))))]
    start = claim_binding_ref(wrt)
    expected = partial_value(net, of, wrt)
    assert decide(net, local_derivative(net, of, wrt), expected, start if start.kind in "az" else None).equal


def claim_binding_ref(symbol):
    from symbackprop.verify.claim_binding import ref_of

    return ref_of(symbol)


OUT_W = OUT + " a_2^{(L-1)}"
MEAN_LHS = r"\frac{\partial C}{\partial w_{12}^{(L)}} = "


@given(
    scale=st.sampled_from([(r"\frac{1}{n}", True), ("", False), (r"\frac{2}{n}", False)]),
    first=st.integers(0, 2),
    last=st.sampled_from([("n-1", -1), ("n", 0), ("n+1", 1), ("n-2", -2)]),
)
def test_a_claimed_mean_over_the_samples_is_decided_for_every_n(scale, first, last):
    """Correct exactly when it is 1/n times a sum over n consecutive samples numbered from 0 or 1; when
    not, the counterexample's numbers show it: the right answer is the mean of the batch's derivatives."""
    (factor, mean), (top, shift) = scale, last
    count_is_n = shift - first + 1 == 0
    claim = MEAN_LHS + factor + rf"\sum_{{i={first}}}^{{{top}}}\frac{{\partial C_{{i}}}}{{\partial w_{{12}}^{{(L)}}}}"
    report = verify_claim(network("deep"), claim)
    assert report.verdict == ("correct" if mean and count_is_n and first in (0, 1) else "incorrect"), claim
    if report.verdict == "incorrect":
        c = report.counterexample
        assert c is not None and abs(c.claim - c.expected) > 1e-9
        n = int(dict(c.at)[SAMPLES])
        base = first if first in (0, 1) else (1 if shift >= 0 else 0)  # a sum reaching sample n: from 1
        batch = [v for s, v in c.at if s != SAMPLES and base <= int(s.of.args[0]) < base + n]
        assert c.expected == pytest.approx(sum(batch) / n)


SAMPLE_NUMBERS = {"0": (0, 0), "1": (1, 0), "2": (2, 0), "n-1": (-1, 1), "n": (0, 1), "n+1": (1, 1)}  # k + m n


@given(
    written=st.lists(st.sampled_from(sorted(SAMPLE_NUMBERS)), max_size=2),
    low=st.sampled_from(["0", "1", "2"]),
    high=st.sampled_from(["n-2", "n-1", "n", "n+1"]),
)
@example(written=["0"], low="1", high="n-1")  # the mean, samples from 0
@example(written=["n"], low="1", high="n-1")  # the mean, samples from 1
@example(written=["0"], low="1", high="n")  # n + 1 samples
@example(written=["0", "1"], low="2", high="n-1")  # the mean from 2 samples on
def test_samples_written_alone_beside_a_sum_are_decided_by_the_samples_taken(written, low, high):
    """1/n (C_k + ... + sum over the rest): correct exactly when, for every n, the samples taken are once each
    samples 0 to n-1, or once each 1 to n (as written out here, n = 1 to 10); when not, the counterexample's
    claimed value is 1/n times the sum of the derivatives of the samples the claim takes, at its n."""

    def number(text, n):
        k, m = SAMPLE_NUMBERS.get(text, (-2, 1))  # n-2: a sum's last value only
        return k + m * n

    def taken(n):
        return sorted([number(k, n) for k in written] + list(range(number(low, n), number(high, n) + 1)))

    mean = any(all(taken(n) == list(range(base, base + n)) for n in range(1, 11)) for base in (0, 1))
    terms = [r"\frac{\partial C_{" + k + r"}}{\partial w_{12}^{(L)}}" for k in written]
    terms.append(rf"\sum_{{i={low}}}^{{{high}}}\frac{{\partial C_{{i}}}}{{\partial w_{{12}}^{{(L)}}}}")
    claim = MEAN_LHS + r"\frac{1}{n}\left(" + " + ".join(terms) + r"\right)"
    report = verify_claim(network("deep"), claim)
    assert report.verdict == ("correct" if mean else "incorrect"), (claim, report.error)
    if report.verdict == "incorrect":
        c = report.counterexample
        assert c is not None, claim
        n = int(dict(c.at)[SAMPLES])
        values = {int(s.of.args[0]): v for s, v in c.at if s != SAMPLES}
        assert c.claim == pytest.approx(sum(values[k] for k in taken(n)) / n)
        batches = [[values.get(k) for k in range(base, base + n)] for base in (0, 1)]
        means = [sum(b) / n for b in batches if None not in b]
        assert any(c.expected == pytest.approx(m) for m in means)


def test_without_the_1_over_n_the_diagnosis_speaks_of_the_samples():
    report = verify_claim(network("deep"), MEAN_LHS + r"\sum_{i=0}^{n-1}\frac{\partial C_{i}}{\partial w_{12}^{(L)}}")
    assert report.diagnosis.kind == "mean_missing" and "n samples" in report.diagnosis.message
    mse = verify_claim(network("mse"), r"2(a_1^{(L)} - y_1)\sigma'(z_1^{(L)}) a_0^{(L-1)}", "w_{10}^{(L)}")
    assert mse.diagnosis.kind == "mean_missing" and "output neurons" in mse.diagnosis.message


@pytest.mark.parametrize(
    ("claim", "words"),
    [
        (
            MEAN_LHS + r"\frac{1}{n}\sum_{i=0}^{n-1}\frac{\partial C_{i}}{\partial w_{12}^{(L)}} + a_2^{(L-1)}",
            "belong to one sample",
        ),
        (
            MEAN_LHS + r"\frac{1}{n}\sum_{i=0}^{n-1}\frac{\partial C_{i}}{\partial w_{12}^{(L)}}"
            r"\frac{\partial C_{i}}{\partial w_{12}^{(L)}}",
            "product or quotient",
        ),
        (r"\frac{\partial C_0}{\partial w_{12}^{(L)}} = \frac{\partial C}{\partial w_{12}^{(L)}}", "mean cost"),
        (MEAN_LHS + r"\sum_{i=n}^{0}\frac{\partial C_{i}}{\partial w_{12}^{(L)}}", "runs backwards"),
        (MEAN_LHS + r"\frac{\partial C_{x}}{\partial w_{12}^{(L)}}", "names no one sample of the batch"),
        (MEAN_LHS + r"\frac{\partial C_{n^2}}{\partial w_{12}^{(L)}}", "not a sample's number"),
        (MEAN_LHS + r"\frac{1}{n}\sum_{i=0}^{n-1}\frac{\partial C_{i}}{\partial w_{12}^{(L)}} + C_0", "one sample"),
    ],
)
def test_a_claim_about_the_mean_that_the_proof_does_not_cover_is_unparseable(claim, words):
    report = verify_claim(network("deep"), claim)
    assert report.verdict == "unparseable" and words in report.error, report.error


def test_the_report_says_plainly_what_was_checked():
    net = Network(layers=[2, 3, 2], notation="nielsen")
    claim = (
        r"\frac{\partial C_x}{\partial w_{12}^{2}} = \left(a_{1}^{2} - y_{1}\right) "
        r"\sigma^{\prime}\left(z_{1}^{2}\right) a_{2}^{1}"
    )
    text = render_report(verify_claim(net, claim, "w_{12}^{2}"))
    assert "whether both sides agree: the right-hand side against ∂C_x/∂w_12^2" in text
    assert "sides 2 to 2" not in text
    chain = verify_claim(network("deep"), " = ".join([r"\frac{\partial C_0}{\partial w_{12}^{(L)}}", CHAIN, OUT_W]))
    assert "whether each of the 2 sides after ∂C_0/∂w_12^(L) equals it" in render_report(chain)
    assert json.loads(render_report(chain, "json"))["checked"] in render_report(chain)
    single = verify_claim(network("deep"), OUT_W, "w_{12}^{(L)}")
    assert "whether the claim equals ∂C_0/∂w_12^(L)" in render_report(single)


def test_the_operator_applies_to_the_group_after_it_or_to_the_product_up_to_the_next_sign():
    """d/dx (A) B is d/dx(A) times B; d/dx A B + C is d/dx(A B) + C: the scope verify.md states."""
    net = network("deep")
    d = r"\frac{\partial}{\partial w_{12}^{(L)}}"
    w12, w11, a2, a1 = (sp.Indexed("w", 3, 1, 2), sp.Indexed("w", 3, 1, 1), A[2, 2], A[2, 1])
    cases = [
        (d + r"\left(w_{12}^{(L)}\right) a_{2}^{(L-1)}", a2),
        (d + r" w_{12}^{(L)} a_{2}^{(L-1)} + w_{11}^{(L)} a_{1}^{(L-1)}", a2 + w11 * a1),
        (d + r" \left(w_{12}^{(L)} a_{2}^{(L-1)} + w_{11}^{(L)} a_{1}^{(L-1)}\right)", a2),
        (d + r" w_{12}^{(L)} a_{2}^{(L-1)} - " + d + r" w_{11}^{(L)} a_{1}^{(L-1)}", a2),
        (r"\frac{d}{dw_{12}^{(L)}} \left(w_{12}^{(L)}\right)^{2} a_{2}^{(L-1)}", 2 * w12 * a2),
    ]
    for text, value in cases:
        assert sp.expand(bind(net, parse(text), text).value - value) == 0, text


def test_a_chain_led_by_the_operator_says_what_it_was_read_as():
    report = verify_claim(Network.from_toml("example:deeplizard"), SEED_DISPLAYS[577])
    assert report.verdict == "correct" and report.sides == 6
    text = render_report(report)
    assert "note:                the first side differentiates the definition of z_j^(L)" in text
    assert "∂z_j^(L)/∂a_2^(L-1)" in json.loads(render_report(report, "json"))["note"]
    plain = verify_claim(
        network("deep"), r"\frac{\partial}{\partial a_1^{(L)}}\left((a_1^{(L)} - y_1)^2\right) = 2 a_1^{(L)}"
    )
    data = json.loads(render_report(plain, "json"))
    assert plain.verdict == "incorrect" and "no quantity of the network's" in data["note"]
    assert data["expected"]["text"] == "∂/∂a_1^(L) ((a_1^(L) - y_1)^2) = 2·(a_1^(L) - y_1)"


def test_dots_are_read_as_the_terms_they_stand_for():
    net = network("deep")
    text = r"w_{10}^{(L)}a_{0}^{(L-1)} + w_{11}^{(L)}a_{1}^{(L-1)} + \cdots + w_{15}^{(L)}a_{5}^{(L-1)}"
    written = sum(sp.Indexed("w", 3, 1, k) * A[2, k] for k in range(6))
    assert sp.expand(bind(net, parse(text), text).value - written) == 0
    backwards = r"a_{3}^{(L)} + a_{2}^{(L)} + \cdots + a_{0}^{(L)}"
    assert bind(net, parse(backwards), backwards).value == sum(A[3, k] for k in range(4))
    zeros = r"0 + 0 + w_{12}^{(L)} a_{2}^{(L-1)} + \cdots 0"
    assert bind(net, parse(zeros), zeros).value == sp.Indexed("w", 3, 1, 2) * A[2, 2]
    minus_zero = r"w_{12}^{(L)} a_{2}^{(L-1)} - \cdots - 0"  # -0 ends a run of vanishing terms as 0 does
    assert bind(net, parse(minus_zero), minus_zero).value == sp.Indexed("w", 3, 1, 2) * A[2, 2]
    report = verify_claim(net, r"a_{0}^{(L)} + \cdots + a_{3}^{(L)}", "a_1^{(L)}")
    assert "a_0^(L) + a_1^(L) + a_2^(L) + a_3^(L)" in render_report(report)  # as read: the terms filled in


@pytest.mark.parametrize(("first", "second", "dots", "last"), list(itertools.product("+-", repeat=4)))
def test_a_sign_before_the_dots_is_read_or_refused_never_dropped(first, second, dots, last):
    """{first}a_0 {second} a_1 {dots} \\cdots {last} a_3: the terms left out are a_2 with the sign of the terms
    around the dots; where the sign before the dots is not that of the term after, it is refused there."""
    net = network("deep")
    text = f"{first}a_0^{{(L)}} {second} a_1^{{(L)}} {dots} \\cdots {last} a_3^{{(L)}}".lstrip("+")
    if dots != last:
        with pytest.raises(ClaimError, match=re.escape(f"the sign before \\cdots is {dots}, ")) as err:
            bind(net, parse(text), text)
        assert err.value.position == text.index("\\cdots") + 1
    elif second != last:
        with pytest.raises(ClaimError, match="differ in more than their neuron indices"):
            bind(net, parse(text), text)
    else:
        sign = {"+": 1, "-": -1}
        written = sign[first] * A[3, 0] + sign[second] * (A[3, 1] + A[3, 2] + A[3, 3])
        assert sp.expand(bind(net, parse(text), text).value - written) == 0


def test_a_weight_the_network_lacks_is_named_with_the_one_that_belongs(capsys):
    claim = r"\sum_{j=0}^{n-1} 2(a_j^{(L)} - y_j) g'^{(L)}(z_j^{(L)}) w_{4j}^{(L)}"
    status = cli.main(["verify", "example:deeplizard", "--wrt", "a_4^{(L-1)}", "--claim", claim])
    out, _ = capsys.readouterr()
    assert status == 1 and out.startswith("verdict: incorrect")
    assert "the claim, as read:  Σ_[j=0..3] (2·(a_j^(L) - y_j)·g'^(L)(z_j^(L))·w_4j^(L))" in out
    assert "w_4j^(L) is written, a weight this network does not have, where w_j4^(L) belongs" in out
    assert cli.main(["verify", "example:deeplizard", "--wrt", "a_4^{(L-1)}", "--claim", claim, "--json"]) == 1
    data = json.loads(capsys.readouterr()[0])
    assert data["diagnosis"]["kind"] == "indices_swapped" and "w_{j4}^{(L)}" in data["diagnosis"]["latex"]
    free = render_report(
        verify_claim(network("deep"), r"\frac{\partial z_j^{(L)}}{\partial a_4^{(L-1)}} = w_{4j}^{(L)}")
    )
    assert "fails first" not in free and "for each of j = 0 to 3: ∂z_j^(L)/∂a_4^(L-1) = w_j4^(L)" in free
    in_lhs = verify_claim(network("deep"), r"\frac{\partial C_0}{\partial w_{41}^{(L)}} = a_1^{(L-1)}")
    assert in_lhs.verdict == "unparseable" and in_lhs.position == 30  # what is claimed is not swapped


@pytest.mark.parametrize(
    ("claim", "text", "latex"),
    [
        (r"\mathbb{1}[z^{(L)} > 0]", "1[z^(L) > 0]", r"\mathbf{1}\left[z^{(L)} > 0\right]"),
        (r"\mathbb{1}[z^{(L)} \geq 0]", "1[z^(L) ≥ 0]", r"\mathbf{1}\left[z^{(L)} \geq 0\right]"),
        (r"\mathbb{1}[0 < z^{(L)}]", "1[z^(L) > 0]", r"\mathbf{1}\left[z^{(L)} > 0\right]"),
        (r"\mathbb{1}[z^{(L)} < 0]", "1[z^(L) < 0]", r"\mathbf{1}\left[z^{(L)} < 0\right]"),
        (r"\max(0, z^{(L)})", "max(0, z^(L))", r"\max(0, z^{(L)})"),  # plain parentheses: the content is short
    ],
)
def test_the_claim_as_read_is_printed_in_the_claims_own_notation(claim, text, latex):
    report = verify_claim(network("relu"), rf"(a^{{(L)}} - y) {claim} a_0^{{(L-1)}}", "w_{00}^{(L)}")
    data = json.loads(render_report(report, "json"))
    assert text in data["read_as"]["text"] and text in render_report(report)
    assert latex in data["read_as"]["latex"]


def test_no_report_shows_sympys_own_names():
    internals = re.compile(r"Heaviside|Piecewise|Max\(|Min\(|ITE\(|\w\[\d|_prime|Dummy|X_\d|C_mean|\\theta|Ref\(")
    claims = [row for row in CLAIMS if row[0] in ("relu", "tanh", "softmax", "mse", "one")] + [
        ("relu", "w_{00}^{(L)}", r"(\max(0, z^{(L)}) - y) \mathbb{1}[z^{(L)} > 0] a_0^{(L-1)}"),
        ("one", "w^{(L)}", r"a^{(L-1)} \operatorname{LReLU}'(z^{(L)}) 2(a^{(L)} - y)"),
    ]
    for name, wrt, claim, *_ in claims:
        report = verify_claim(network(name), claim, wrt)
        shown = render_report(report) + json.dumps({k: v for k, v in report_context(report).items() if k != "claim"})
        assert not internals.search(shown), (claim, internals.search(shown))


def test_bare_c_over_one_samples_formula_is_read_as_that_samples_cost():
    """The first source text writes dC/dw^(L) for one training example: C is C_0 there, and the report says so."""
    claim = r"\frac{\partial C}{\partial w^{(L)}} = 2(a^{(L)} - y)\sigma'(z^{(L)}) a^{(L-1)}"
    report = verify_claim(Network.from_toml("example:3b1b"), claim)
    data = json.loads(render_report(report, "json"))
    assert report.verdict == "correct" and data["note"].startswith("C was read as C_0, the cost of one sample")
    assert "note:                C was read as C_0" in render_report(report)
    batch_claim = (
        r"\frac{\partial C}{\partial w^{(L)}} = \frac{1}{n}\sum_{i=0}^{n-1}\frac{\partial C_i}{\partial w^{(L)}}"
    )
    batch_report = verify_claim(Network.from_toml("example:3b1b"), batch_claim)
    assert batch_report.verdict == "correct" and "note" not in json.loads(render_report(batch_report, "json"))


SIGMOID = dict(layers=[2, 2, 2], activation="sigmoid", cost="sse")
RELU_NET = dict(layers=[2, 2, 1], activation="relu", cost="half_sse")
GENERIC = dict(layers=[2, 2, 2], activation="g", cost="sse", bias="none")


@pytest.mark.parametrize(
    ("spec", "wrt", "claim", "verdict", "words"),
    [
        # each of these once ended in a traceback from the deciding code
        (SIGMOID, None, r"\frac{\partial C_0}{\partial w_{10}^{(L)}} = e", "incorrect", None),
        (GENERIC, None, r"\frac{\partial C}{\partial w_{10}^{(L)}} = C_0", "unparseable", "samples' derivatives"),
        (GENERIC, "w_{10}^{(L)}", r"\mathbb{1}[C_0 > 0] = n", "incorrect", None),
        (
            SIGMOID,
            None,
            r"\frac{\partial}{\partial a_1^{(L)}}\left((a_1^{(L)} - y_1)^2\right) = \operatorname{LReLU}'(0 y_1)",
            "incorrect",
            None,
        ),
        (
            RELU_NET,
            None,
            r"\frac{\partial a^{(L)}}{\partial z^{(L)}} = \frac{\partial}{\partial z^{(L)}}\left("
            r"\mathbb{1}[z^{(L)} > 0]\right)",
            "unparseable",
            "second derivative",
        ),
        (
            SIGMOID,
            "z_1^{(L)}",
            r"\frac{\partial}{\partial z_1^{(L)}}\left(\sigma'(z_1^{(L)})\right) \max(0, z_1^{(L)})",
            "unparseable",
            "second derivative",
        ),
        (SIGMOID, "w_{10}^{(L)}", r"\max(0, z_1^{(L)}) (-1)^{1/2}", "unparseable", "not a real number"),
        (SIGMOID, "w_{10}^{(L)}", r"\ln(-1)", "unparseable", "not a real number"),
        (
            GENERIC,
            None,
            r"\frac{\partial C_0}{\partial a_1^{(L)}} = \operatorname{LReLU}'(\frac{1}{n}\sum_{i=0}^{n-1}"
            r"\frac{\partial C_i}{\partial w_{10}^{(L)}} C_0)",
            "unparseable",
            "cannot be the argument",
        ),
    ],
)
def test_what_the_deciding_code_cannot_evaluate_is_a_clean_verdict_or_error(spec, wrt, claim, verdict, words):
    report = verify_claim(Network(**spec), claim, wrt)
    assert report.verdict == verdict, report.error
    if words is not None:
        assert words in report.error
    render_report(report), render_report(report, "json")


def test_a_function_no_point_gives_a_value_is_said_not_raised(monkeypatch):
    from symbackprop.prove.real_points import Unsupported
    from symbackprop.verify import claims as verify

    def unsupported(*args, **kwargs):
        raise Unsupported("no real value for DiracDelta")

    monkeypatch.setattr(verify, "decide", unsupported)
    report = verify_claim(network("deep"), OUT_W, "w_{12}^{(L)}")
    assert report.verdict == "unparseable" and "cannot be decided" in report.error and report.exit_status == 2
    assert "DiracDelta" not in render_report(report)


def test_a_right_claim_with_a_free_index_shows_the_answer_in_that_letter(monkeypatch):
    claim = r"\frac{\partial z_{j}^{(L)}}{\partial a_{2}^{(L-1)}} = w_{j2}^{(L)}"
    report = verify_claim(network("deep"), claim)
    text = render_report(report)
    assert "the right answer:    for each of j = 0 to 3: ∂z_j^(L)/∂a_2^(L-1) = w_j2^(L)" in text
    assert "(at j = 3)" not in text
    expected = json.loads(render_report(report, "json"))["expected"]
    assert expected["text"] == "∂z_j^(L)/∂a_2^(L-1) = w_j2^(L)" and expected["for_each"] == "j = 0 to 3"
    cost = verify_claim(network("deep"), r"\frac{\partial C_0}{\partial a_{j}^{(L)}} = 2(a_j^{(L)} - y_j)")
    assert "for each of j = 0 to 3: ∂C_0/∂a_j^(L) = 2·(a_j^(L) - y_j)" in render_report(cost)
    deep = verify_claim(
        network("deep"),
        r"\frac{\partial C_0}{\partial w_{j0}^{(1)}} = \frac{\partial C_0}{\partial z_j^{(1)}} a_0^{(0)}",
    )
    assert "·w_kj^(L-1)))·g'^(L-2)(z_j^(L-2))·a_0^(L-3)" in render_report(deep)  # the answer's own j renamed k
    from symbackprop.verify import claim_binding

    monkeypatch.setattr(claim_binding, "generalize", lambda values, cases: None)  # no one expression fits
    each = render_report(verify_claim(network("deep"), claim))
    assert "for each of j = 0 to 3, case by case:" in each and "j = 2: ∂z_2^(L)/∂a_2^(L-1) = w_22^(L)" in each


def test_the_method_says_what_the_proof_covered_on_this_network():
    concrete = verify_claim(Network.from_toml("example:3b1b"), r"a^{(L-1)} \sigma'(z^{(L)}) 2(a^{(L)} - y)", "w^{(L)}")
    assert concrete.method == (
        "the difference cancels to 0 with each activation taken as an arbitrary function g: it holds for every "
        "activation, so for this network's sigmoid"
    )
    generic = verify_claim(network("deep"), OUT_W, "w_{12}^{(L)}")
    assert generic.method == "the difference cancels to 0 with every activation an arbitrary function g"
