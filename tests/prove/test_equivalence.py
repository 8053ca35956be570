"""Deciding claims whose formulas branch (max, steps): at real points, never on made-up exp values.

Exact rational points give exp and g a random value of their own, so a max or a step decided
there means nothing; these claims were once called correct. Each is wrong somewhere a real
network goes, and must be found wrong, with a counterexample and without a wrong diagnosis.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

import symbackprop as sbp
from symbackprop.prove import real_points
from symbackprop.verify.claims import verify_claim

RELU = {"layers": [2, 2, 1], "activation": "relu", "cost": "half_sse"}
SIGMOID = {"layers": [2, 2, 1], "activation": "sigmoid", "cost": "half_sse"}
STEP = r"\mathbb{1}[z^{(L)} > 0]"
HIDDEN_ABOVE_1 = r"\mathbb{1}[z_0^{(L-1)} > 1]"


@pytest.mark.parametrize(
    ("spec", "wrt", "claim"),
    [
        ("example:worked", "w_{12}^{(L)}", r"2(a_1^{(L)} - y_1) \sigma'(z_1^{(L)}) \max(a_2^{(L-1)}, 0.5)"),
        (RELU, "w_{00}^{(L)}", r"(a^{(L)} - y) \mathbb{1}[z^{(L)} > 1] a_0^{(L-1)}"),
        (RELU, "w_{00}^{(L)}", r"(a^{(L)} - y) \mathbb{1}[z^{(L)} > 0.5] a_0^{(L-1)}"),
        (RELU, "w_{00}^{(L)}", r"(a^{(L)} - y) \mathbb{1}[z^{(L)} > -3] a_0^{(L-1)}"),
        (RELU, "w_{00}^{(L)}", r"(a^{(L)} - y) \mathbb{1}[z^{(L)} < 0] a_0^{(L-1)}"),
        (RELU, "w_{00}^{(L-1)}", rf"(a^{{(L)}} - y) {STEP} w_{{00}}^{{(L)}} {HIDDEN_ABOVE_1} a_0^{{(L-2)}}"),
        (SIGMOID, "w_{00}^{(L)}", r"(a^{(L)} - y) \mathbb{1}[z^{(L)} > -2] a_0^{(L-1)}"),
    ],
)
def test_a_wrong_branch_is_found_wrong_with_a_counterexample(spec, wrt, claim):
    net = sbp.Network.from_toml(spec) if isinstance(spec, str) else sbp.Network(**spec)
    report = verify_claim(net, claim, wrt)
    assert report.verdict == "incorrect", report.method
    assert report.counterexample is not None
    assert abs(report.counterexample.claim - report.counterexample.expected) > 1e-9


@pytest.mark.parametrize(
    ("claim", "diagnosis"),
    [
        (r"(a^{(L)} - y) \max(0, z^{(L)}) a_0^{(L-1)}", None),  # its own counterexample is not half the answer
        (r"(a^{(L)} - y) a^{(L)} a_0^{(L-1)}", None),
        (r"(a^{(L)} - y) \mathbb{1}[z^{(L)} < 0] a_0^{(L-1)}", None),
        (r"(a^{(L)} - y) a_0^{(L-1)}", "activation_derivative_missing"),
        (rf"2 (a^{{(L)}} - y) {STEP} a_0^{{(L-1)}}", "factor_2_added"),
    ],
)
def test_relu_mistakes_get_the_diagnosis_their_numbers_support(claim, diagnosis):
    report = verify_claim(sbp.Network(**RELU), claim, "w_{00}^{(L)}")
    assert report.verdict == "incorrect"
    assert (report.diagnosis.kind if report.diagnosis else None) == diagnosis


@pytest.mark.parametrize(
    "claim",
    [
        rf"(a^{{(L)}} - y) {STEP} a_0^{{(L-1)}}",
        r"(a^{(L)} - y) \frac{a^{(L)}}{z^{(L)}} a_0^{(L-1)}",  # max(0, z)/z is the step, for z != 0
    ],
)
def test_a_right_relu_claim_is_correct(claim):
    report = verify_claim(sbp.Network(**RELU), claim, "w_{00}^{(L)}")
    assert report.verdict == "correct", report.method


def test_a_claim_right_only_where_the_step_is_decided_by_real_points_says_so():
    report = verify_claim(sbp.Network(**RELU), r"(a^{(L)} - y) \frac{a^{(L)}}{z^{(L)}} a_0^{(L-1)}", "w_{00}^{(L)}")
    assert "real points" in report.method


def test_the_softmax_jacobian_claim_missing_its_sum_has_a_counterexample():
    net = sbp.Network(layers=[3, 4, 3], activation=["tanh", "softmax"], cost="cross_entropy")
    claim = r"\frac{\partial C_0}{\partial a_1^{(L)}} \frac{\partial a_1^{(L)}}{\partial z_1^{(L)}}"
    report = verify_claim(net, claim, "z_1^{(L)}")
    assert report.verdict == "incorrect" and report.counterexample is not None


x, y = sp.symbols("x y")
g = sp.Function("g_1")


@pytest.mark.parametrize(
    ("first", "second", "equal"),
    [
        (sp.Max(x, sp.Rational(1, 2)), x, False),
        (sp.Heaviside(x - 1), sp.Heaviside(x), False),
        (sp.Abs(x) ** 2, x**2, True),
        (sp.Max(x, y) + sp.Min(x, y), x + y, True),
        (sp.Piecewise((x, x > 0), (0, True)), sp.Max(x, 0), True),
        (g(x), sp.tanh(x), False),  # a generic g is a different function at every point
        (sp.Function("g_1_prime")(x) * sp.Heaviside(x), sp.Heaviside(x) * sp.Function("g_1_prime")(x), True),
    ],
)
def test_real_points_compare_branching_formulas(first, second, equal):
    assert real_points.compare(first, second).equal is equal


def test_a_generic_functions_prime_is_its_derivative_at_real_points():
    with mpmath.workdps(50):
        shape = {"g_1": tuple(map(mpmath.mpf, ("1.3", "0.7", "0.2", "0.1")))}
        at, prime = mpmath.mpf("0.3"), sp.Function("g_1_prime")(x)
        slope = mpmath.diff(lambda u: real_points.RealPoint({x: u}, shape).value(g(x)), at)
        assert abs(slope - real_points.RealPoint({x: at}, shape).value(prime)) < 1e-30


def test_whether_a_claim_is_cancelled_depends_on_its_size_alone(monkeypatch):
    """The same claim is decided the same way on any machine: at most CANCEL_NODES nodes of difference it is
    cancelled, above that the exact points decide; no time budget enters the choice."""
    from symbackprop.model.network import Network
    from symbackprop.prove import equivalence

    net = Network(layers=[2, 3, 2], activation="sigmoid")
    d = net.derive("w_{00}^{(1)}")
    claim = sp.expand(d.result)  # the same function, written differently
    assert claim != d.result
    assert "cancels to 0" in equivalence.decide(net, claim, d.result, d.start).method
    monkeypatch.setattr(equivalence, "CANCEL_NODES", 10)
    assert "exact random rational points" in equivalence.decide(net, claim, d.result, d.start).method


# A 1-neuron ReLU layer under a softmax output with the binary cross-entropy: at points drawn at scale 8 a softmax
# output comes within 10^-40 of 1, and 1 - a^(L) at 50 digits keeps 10 of them, differently in the claim's form and
# in the right answer's. Real points called the first claim (ReLU'^2 = ReLU', so right) incorrect, and found no
# diagnosis for the second (a worksheet blank with sigma' left out), a gap of 7e-11 that is 0 at 200 digits.
SOFTMAX_BCE = {
    "layers": [2, 2, 1, 2],
    "activation": ["sigmoid", "relu", "softmax"],
    "cost": "binary_cross_entropy",
    "bias": "layer",
    "index_base": 1,
    "notation": "nielsen",
}


def test_a_right_claim_is_not_called_wrong_for_digits_a_subtraction_lost():
    net = sbp.Network(**SOFTMAX_BCE)
    claim = r"\delta_{1}^{2} = w_{11}^{3} \delta^{3} \sigma'(z_1^2) \operatorname{ReLU}'(z^{3})"
    report = verify_claim(net, claim, None)
    assert report.verdict == "correct", report.method
    assert "real points" in report.method


def test_a_missing_derivative_is_diagnosed_where_a_subtraction_loses_digits():
    net = sbp.Network(**SOFTMAX_BCE)
    report = verify_claim(net, r"\delta_{j}^{2} = w_{1j}^{3} \delta^{3}", None)
    assert report.verdict == "incorrect"
    assert report.diagnosis is not None and report.diagnosis.kind == "activation_derivative_missing"


def test_a_gap_at_50_digits_counts_only_if_more_digits_keep_it():
    """1 - a for a within 10^-45 of 1, written two ways: equal, though 50 digits tell them apart; a real
    difference of 10^-20 stays one."""
    x = sp.Symbol("x", real=True)
    near = 1 / (1 + sp.exp(-x))  # at x = 104, within 10^-45 of 1
    lost = (1 - near) * sp.exp(x) + sp.Heaviside(x)  # 1 - near at 50 digits keeps about 5 of them
    kept = sp.exp(x) / (1 + sp.exp(x)) + sp.Heaviside(x)  # the same number, no subtraction
    point = real_points.RealPoint({x: mpmath.mpf(104)}, {})
    with mpmath.workdps(real_points.DIGITS):
        assert abs(point.value(lost) - point.value(kept)) > real_points.TOLERANCE  # the digits lost
        assert not real_points._apart(real_points.RealPoint({x: mpmath.mpf(104)}, {}), lost, kept)
        assert real_points._apart(real_points.RealPoint({x: mpmath.mpf(104)}, {}), lost, kept + sp.Rational(1, 10**20))
