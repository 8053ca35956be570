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
from symbackprop.errors import SpecError
from symbackprop.network import Network
from symbackprop.printing import partial_tex, printers
from symbackprop.renderers import render_report
from symbackprop.verify import verify_claim

from .claims_table import CLAIMS, UNPARSEABLE, network
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
    if d.result == 0:
        return
    _, tex = printers(net.notation, net.layers)
    scale, kind = data.draw(st.sampled_from([(2, "factor_2_added"), (-1, "sign")]))
    claim = f"{scale} \\left({tex.doprint(d.sum_form)}\\right)"
    report = verify_claim(net, claim, ref)
    assert report.verdict == "incorrect"
    assert report.diagnosis is not None and report.diagnosis.kind in (kind, "factor_2_dropped", "sign")
    assert sp.Integer(scale) != 1
