"""Every incorrect verdict either comes with a counterexample at values the spec allows, or says why none can be
given: a weight written with its indices swapped on a non-square layer is shown wrong as written where every
weight it names exists; a term that names a neuron the network lacks has no value anywhere, and the report says so
in its JSON and its text alike."""

from __future__ import annotations

import json
import math

import pytest

from symbackprop.model.network import Network
from symbackprop.model.symbols import A, W, Y, Z
from symbackprop.render.verdict import report_context
from symbackprop.verify import verify_claim

from ..commandline import CommandLine

NET = ("--layers", "3,4,2", "--activation", "sigmoid", "--cost", "mse")
SWAPPED_BP2 = r"\delta^{(1)}_j = \sum_k w^{(2)}_{jk} \delta^{(2)}_k \sigma'(z_j^{(1)})"  # w^(2) is 2 x 4
NO_SUCH_ROW = r"\frac{\partial C}{\partial a_2^{(1)}} = \sum_k w^{(2)}_{2k} \delta^{(2)}_k"  # w_2k: no row 2
PAST_THE_LAYER = r"\frac{\partial C}{\partial a_0^{(1)}} = \sum_{j=0}^{2} w_{j0}^{(2)} \delta_j^{(2)}"  # j = 2: none


def _prime(z: float) -> float:
    s = 1 / (1 + math.exp(-z))
    return s * (1 - s)


def test_swapped_weight_indices_are_shown_wrong_as_written():
    """At j = 0 every weight w_0k exists: the claim as written differs from the right answer there by
    sigma'(z_0^(1)) (w_01 - w_10) dC/dz_1^(2), worked out here from the point's own values."""
    net = Network([3, 4, 2], "sigmoid", "mse")
    report = verify_claim(net, SWAPPED_BP2)
    assert report.verdict == "incorrect" and report.diagnosis.kind == "indices_swapped"
    assert report.counterexample is not None and report.no_counterexample is None
    assert [int(v) for _, v in report.case] == [0]  # j = 0, the first case as written
    at = dict(report.counterexample.at)
    assert W[2, 0, 1] in at and W[2, 1, 0] in at  # the weight as written and the one that belongs
    c = report.counterexample
    d_z1 = (at[A[2, 1]] - at[Y[1]]) * _prime(at[Z[2, 1]])  # dC/dz_1^(2) up to the cost's constant factor
    gap = _prime(at[Z[1, 0]]) * (at[W[2, 0, 1]] - at[W[2, 1, 0]]) * d_z1
    assert c.claim != pytest.approx(c.expected)
    assert (c.claim - c.expected) / gap in (pytest.approx(1.0), pytest.approx(0.5))  # mse: 1 or 1/n_L per term
    assert "the claim as written" in c.note


def test_a_weight_with_no_value_in_any_case_says_why_no_counterexample():
    done = CommandLine().run("verify", *NET, "--claim", NO_SUCH_ROW)
    assert done.returncode == 1
    line = "a counterexample:    none is shown: the claim as written names w_2k^(L), a weight this network does not "
    line += "have"
    assert line in done.stdout
    out = json.loads(CommandLine().run("verify", "--json", *NET, "--claim", NO_SUCH_ROW).stdout)
    assert "counterexample" not in out and out["no_counterexample"] in line


def test_a_term_past_the_layer_says_no_counterexample_can_exist_in_json_and_text():
    report = verify_claim(Network([3, 4, 2], "sigmoid", "mse"), PAST_THE_LAYER)
    assert report.verdict == "incorrect" and report.diagnosis.kind == "sum_bounds"
    assert report.counterexample is None
    reason = report_context(report)["no_counterexample"]
    assert reason.startswith("none can exist") and "the index reaches 2" in reason and "neurons 0 to 1" in reason
    text = CommandLine().run("verify", *NET, "--claim", PAST_THE_LAYER).stdout
    assert f"a counterexample:    {reason}" in text
    out = json.loads(CommandLine().run("verify", "--json", *NET, "--claim", PAST_THE_LAYER).stdout)
    assert out["no_counterexample"] == reason and "counterexample" not in out
