"""verify_claim: claimed formulas in LaTeX, decided by proof, with the mistake named.

The table in claims_table.py covers every mistake kind in both notations; the property
tests feed the engine's own printed results back as claims (they must be correct) and
mistaken copies of them (they must be incorrect, with the mistake found).
"""

from __future__ import annotations

import builtins
import json
import time

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symbackprop import cli
from symbackprop.claim_binding import bind
from symbackprop.claim_syntax import parse
from symbackprop.equivalence import decide
from symbackprop.errors import SpecError
from symbackprop.network import Network
from symbackprop.printing import partial_tex, printers
from symbackprop.renderers import render_report
from symbackprop.symbols import SAMPLES, A, Y, Z, activation_functions
from symbackprop.verify import verify_claim

from .claims_table import CHAIN, CLAIMS, OUT, SEED_CLAIMS, UNPARSEABLE, network
from .strategies import networks, references


@pytest.mark.parametrize(("name", "wrt", "claim", "verdict", "diagnosis"), CLAIMS)
def test_claims_get_their_verdict_and_diagnosis(name, wrt, claim, verdict, diagnosis):
    report = verify_claim(network(name), claim, wrt)
    assert report.verdict == verdict, report.error
    assert (report.diagnosis.kind if report.diagnosis else None) == diagnosis
    if verdict == "incorrect":
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

    from symbackprop import numeric

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
    from symbackprop.claim_binding import partial_value
    from symbackprop.local import local_derivative

    net = data.draw(networks(max_depth=2, max_width=2, generic=True))
    wrt = net.symbol(data.draw(references(net)))
    layer = data.draw(st.integers(1, net.depth))
    of = data.draw(st.sampled_from([A, Z]))[layer, data.draw(st.sampled_from(list(net.neurons(layer))))]
    start = claim_binding_ref(wrt)
    expected = partial_value(net, of, wrt)
    assert decide(net, local_derivative(net, of, wrt), expected, start if start.kind in "az" else None).equal


def claim_binding_ref(symbol):
    from symbackprop.claim_binding import ref_of

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
        base = first if first in (0, 1) else 0
        batch = [v for s, v in c.at if s != SAMPLES and base <= int(s.of.args[0]) < base + n]
        assert c.expected == pytest.approx(sum(batch) / n)


def test_without_the_1_over_n_the_diagnosis_speaks_of_the_samples():
    report = verify_claim(network("deep"), MEAN_LHS + r"\sum_{i=0}^{n-1}\frac{\partial C_{i}}{\partial w_{12}^{(L)}}")
    assert report.diagnosis.kind == "mean_missing" and "n samples" in report.diagnosis.message
    mse = verify_claim(network("mse"), r"2(a_1^{(L)} - y_1)\sigma'(z_1^{(L)}) a_0^{(L-1)}", "w_{10}^{(L)}")
    assert mse.diagnosis.kind == "mean_missing" and "output neurons" in mse.diagnosis.message


@pytest.mark.parametrize(
    ("claim", "words"),
    [
        (MEAN_LHS + r"2(a_1^{(L)} - y_1) g'^{(L)}(z_1^{(L)}) a_2^{(L-1)}", "belong to one sample"),
        (
            MEAN_LHS + r"\frac{1}{n}\sum_{i=0}^{n-1}\frac{\partial C_{i}}{\partial w_{12}^{(L)}}"
            r"\frac{\partial C_{i}}{\partial w_{12}^{(L)}}",
            "product or quotient",
        ),
        (r"\frac{\partial C_0}{\partial w_{12}^{(L)}} = \frac{\partial C}{\partial w_{12}^{(L)}}", "mean cost"),
        (MEAN_LHS + r"\sum_{i=n}^{0}\frac{\partial C_{i}}{\partial w_{12}^{(L)}}", "runs backwards"),
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
