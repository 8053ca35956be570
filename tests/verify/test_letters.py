"""Claims as the texts print them: a general layer letter l checked at every layer it applies to, free indices
with \\delta on the left, the written forms people use, and the mistakes made in index letters, which are
verdicts ("incorrect", with a diagnosis and a counterexample) and never refusals."""

from __future__ import annotations

import random

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.model.network import Network
from symbackprop.model.references import Ref
from symbackprop.model.symbols import A, B, W, Y, Z
from symbackprop.render.verdict import report_context
from symbackprop.verify import verify_claim

from ..commandline import CommandLine

BP1 = r"\delta^L_j = \frac{\partial C}{\partial a^L_j} \sigma'(z^L_j)"
BP2 = r"\delta^l_j = \sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)"
BP3 = r"\frac{\partial C}{\partial b^l_j} = \delta^l_j"
BP4 = r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j"

NIELSEN = dict(layers=[3, 4, 2], notation="nielsen")  # sigmoid, the quadratic cost with its 1/2, neurons from 1
NETWORKS = {
    "nielsen": NIELSEN,
    "nielsen-deep": dict(layers=[2, 3, 3, 2], notation="nielsen"),
    "nielsen-xent": dict(NIELSEN, cost="binary_cross_entropy"),
    "nielsen-softmax": dict(
        layers=[3, 4, 3], activation=["sigmoid", "softmax"], cost="cross_entropy", notation="nielsen", targets="one-hot"
    ),
    "nielsen-tanh": dict(NIELSEN, activation="tanh"),
    "nielsen-neuron": dict(layers=[2, 1], notation="nielsen", cost="binary_cross_entropy"),
    "ng": dict(layers=[3, 4, 1], cost="binary_cross_entropy"),
    "ng-wide": dict(layers=[3, 4, 2], cost="binary_cross_entropy"),
}


def network(name: str) -> Network:
    if name.startswith("example:"):
        return Network.from_toml(name)
    return Network(**NETWORKS[name])


# (source, network, claim as printed): each must be "correct".
PUBLISHED = [
    ("Nielsen ch. 2, BP1 (component form)", "nielsen", BP1),
    ("Nielsen ch. 2, BP1", "nielsen-deep", BP1),
    ("Nielsen ch. 2, BP2 (component form)", "nielsen", BP2),
    ("Nielsen ch. 2, BP2", "nielsen-deep", BP2),
    ("Nielsen ch. 2, BP3", "nielsen-deep", BP3),
    ("Nielsen ch. 2, BP4", "nielsen-deep", BP4),
    ("Nielsen ch. 2, BP1 for the quadratic cost", "nielsen", r"\delta^L_j = (a^L_j - y_j) \sigma'(z^L_j)"),
    ("Nielsen ch. 2, the quadratic cost's gradient", "nielsen", r"\partial C / \partial a^L_j = (a^L_j-y_j)"),
    ("Nielsen ch. 2, plain TeX's fraction", "nielsen", r"{\partial C \over \partial a^L_j} = a^L_j - y_j"),
    ("Nielsen ch. 2, BP1 with Newton's dot", "nielsen", r"\delta^L_j = (a^L_j - y_j) \dot\sigma(z^L_j)"),
    (
        "Nielsen ch. 2, BP2 with its limits",
        "nielsen-deep",
        r"\delta^l_j = \sum_{k=1}^{n_{l+1}} w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)",
    ),
    ("Nielsen ch. 3, cross-entropy's output error", "nielsen-xent", r"\delta^L_j = a^L_j-y_j"),
    ("Nielsen ch. 3, eq. (61)-(62)", "nielsen-xent", r"\frac{\partial C}{\partial w^L_{jk}} = a^{L-1}_k(a^L_j-y_j)"),
    (
        "Nielsen ch. 3, softmax + log-likelihood (81)",
        "nielsen-softmax",
        r"\frac{\partial C}{\partial b^L_j} = a^L_j-y_j",
    ),
    (
        "Nielsen ch. 3, softmax + log-likelihood (82)",
        "nielsen-softmax",
        r"\frac{\partial C}{\partial w^L_{jk}} = a^{L-1}_k(a^L_j-y_j)",
    ),
    (
        "Nielsen ch. 3, eq. (67): the mean over the samples of one sample's term",
        "nielsen-xent",
        r"\frac{\partial C}{\partial w^L_{jk}} = \frac{1}{n}\sum_x a^{L-1}_k (a^L_j - y_j)",
    ),
    ("Nielsen ch. 3, eq. (68)", "nielsen-xent", r"\frac{\partial C}{\partial b^L_j} = \frac{1}{n}\sum_x (a^L_j - y_j)"),
    (
        "Nielsen ch. 3, eq. (61), one neuron",
        "nielsen-neuron",
        r"\frac{\partial C}{\partial w_j} = \frac{1}{n}\sum_x x_j(\sigma(z) - y)",
    ),
    (
        "Nielsen ch. 3, eq. (62), one neuron",
        "nielsen-neuron",
        r"\frac{\partial C}{\partial b} = \frac{1}{n}\sum_x (\sigma(z) - y)",
    ),
    (
        "Nielsen ch. 2, the batch cost",
        "nielsen",
        r"\frac{\partial C}{\partial w^l_{jk}} = \frac{1}{n}\sum_x \frac{\partial C_x}{\partial w^l_{jk}}",
    ),
    ("Nielsen ch. 3, sigma' written out", "nielsen", r"\frac{d\sigma(x)}{dx} = \sigma(x)(1-\sigma(x))"),
    ("tanh's derivative", "nielsen-tanh", r"\delta^L_j = (a^L_j - y_j) \operatorname{sech}^2(z^L_j)"),
    ("tanh's derivative", "nielsen-tanh", r"\delta^L_j = (a^L_j - y_j) (1 - \tanh^2(z^L_j))"),
    ("tanh's derivative as a function", "nielsen-tanh", r"\frac{d}{dz}\tanh(z) = 1 - \tanh^2(z)"),
    (
        "3Blue1Brown, the chain rule at layer L",
        "example:3b1b",
        r"\frac{\partial C_0}{\partial w^{(L)}} = a^{(L-1)} \sigma'(z^{(L)}) 2(a^{(L)} - y)",
    ),
    (
        "3Blue1Brown, any layer",
        "example:3b1b",
        (
            r"\frac{\partial C_0}{\partial w^{(l)}} = \frac{\partial z^{(l)}}{\partial "
            r"w^{(l)}} \frac{\partial a^{(l)}}{\partial z^{(l)}} \frac{\partial C_0}{\partial "
            r"a^{(l)}}"
        ),
    ),
    (
        "3Blue1Brown, the bias at any layer",
        "example:3b1b",
        (r"\frac{\partial C_0}{\partial b^{(l)}} = \sigma'(z^{(l)}) \frac{\partial " r"C_0}{\partial a^{(l)}}"),
    ),
    (
        "3Blue1Brown, with y-hat",
        "example:3b1b",
        r"\frac{\partial C_0}{\partial w^{(L)}} = a^{(L-1)} \sigma'(z^{(L)}) 2(\hat{y} - y)",
    ),
    (
        "deeplizard, the weight at any layer",
        "example:deeplizard",
        (
            r"\frac{\partial C_0}{\partial w_{jk}^{(l)}} = \frac{\partial C_0}{\partial "
            r"a_j^{(l)}} \frac{\partial a_j^{(l)}}{\partial z_j^{(l)}} \frac{\partial "
            r"z_j^{(l)}}{\partial w_{jk}^{(l)}}"
        ),
    ),
    (
        "deeplizard, the activation at any layer",
        "example:deeplizard",
        (
            r"\frac{\partial C_0}{\partial a_k^{(l-1)}} = \sum_j w_{jk}^{(l)} "
            r"g'^{(l)}(z_j^{(l)}) \frac{\partial C_0}{\partial a_j^{(l)}}"
        ),
    ),
    (
        "deeplizard, the output weights",
        "example:deeplizard",
        (r"\frac{\partial C_0}{\partial w_{jk}^{(L)}} = 2(a_j^{(L)} - y_j) " r"g'^{(L)}(z_j^{(L)}) a_k^{(L-1)}"),
    ),
    ("Ng, one output neuron", "ng", r"\frac{\partial C}{\partial w^{[2]}_{k}} = (a^{[2]} - y) a^{[1]}_k"),
    ("Ng, y-hat", "ng", r"\frac{\partial C}{\partial z^{[2]}} = \hat{y} - y"),
    (
        "Ng, the weight matrix's entries",
        "ng-wide",
        (r"\frac{\partial C}{\partial W^{[l]}_{jk}} = \frac{\partial C}{\partial " r"z^{[l]}_j} a^{[l-1]}_k"),
    ),
]


@pytest.mark.parametrize(("source", "name", "claim"), PUBLISHED, ids=[f"{r[0]}|{r[2][:30]}" for r in PUBLISHED])
def test_published_formulas_as_printed_are_correct(source, name, claim):
    report = verify_claim(network(name), claim)
    assert report.verdict == "correct", (source, report.error, report.diagnosis)


# (network, claim with a planted mistake, the diagnosis expected): each "incorrect", never unparseable.
PLANTED = [
    ("nielsen-deep", r"\frac{\partial C}{\partial w^l_{jk}} = a^{l}_k \delta^l_j", "wrong_layer"),
    ("nielsen-deep", r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_j \delta^l_k", "indices_swapped"),
    ("nielsen-deep", r"\delta^l_j = \sum_k w^{l+1}_{jk} \delta^{l+1}_k \sigma'(z^l_j)", "indices_swapped"),
    ("nielsen-deep", r"\delta^l_j = w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)", "sum_missing"),
    ("nielsen-deep", r"\delta^l_j = \sum_{k=0}^{n_{l+1}} w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)", "sum_bounds"),
    ("nielsen-deep", r"\frac{\partial C}{\partial b^l_j} = \delta^l_k", "stray_index"),
    (
        "example:deeplizard",
        (r"\frac{\partial C_0}{\partial w_{jk}^{(L)}} = 2(a_j^{(L)} - y_j) " r"g'^{(L)}(z_j^{(L)}) a_k^{(L)}"),
        "wrong_layer",
    ),
    (
        "example:deeplizard",
        (r"\frac{\partial C_0}{\partial w_{jk}^{(L)}} = 2(a_j^{(L)} - y_j) " r"g'^{(L)}(z_j^{(L)}) a_j^{(L-1)}"),
        "wrong_neuron",
    ),
    (
        "example:deeplizard",
        (
            r"\frac{\partial C_0}{\partial a_k^{(L-1)}} = \sum_{j=0}^{n} 2(a_j^{(L)} - y_j) "
            r"g'^{(L)}(z_j^{(L)}) w_{jk}^{(L)}"
        ),
        "sum_bounds",
    ),
    (
        "example:deeplizard",
        (
            r"\frac{\partial C_0}{\partial a_k^{(L-1)}} = \sum_{j=1}^{n} 2(a_j^{(L)} - y_j) "
            r"g'^{(L)}(z_j^{(L)}) w_{jk}^{(L)}"
        ),
        "sum_bounds",
    ),
    (
        "example:deeplizard",
        (r"\frac{\partial C_0}{\partial a_k^{(L-1)}} = 2(a_j^{(L)} - y_j) " r"g'^{(L)}(z_j^{(L)}) w_{jk}^{(L)}"),
        "sum_missing",
    ),
    (
        "example:deeplizard",
        (
            r"\frac{\partial C_0}{\partial a_k^{(L-1)}} = \sum_{j=0}^{n-1} 2(a_j^{(L)} - y_j) "
            r"g'^{(L)}(z_j^{(L)}) w_{kj}^{(L)}"
        ),
        "indices_swapped",
    ),
    ("example:deeplizard", r"\sum_{j=0}^{n-1} a_{j+1}^{(L)}", "no_such_neuron"),
    ("nielsen-xent", r"\frac{\partial C}{\partial w^L_{jk}} = \sum_x a^{L-1}_k (a^L_j - y_j)", "mean_missing"),
    (
        "nielsen-xent",
        r"\frac{\partial C}{\partial w^L_{jk}} = \frac{1}{n}\sum_x a^{L-1}_j (a^L_k - y_k)",
        "indices_swapped",
    ),
]


@pytest.mark.parametrize(("name", "claim", "kind"), PLANTED, ids=[f"{r[2]}|{r[1][:40]}" for r in PLANTED])
def test_planted_mistakes_are_incorrect_with_their_diagnosis(name, claim, kind):
    net = network(name)
    wrt = "w_{12}^{(L)}" if not claim.startswith(("\\frac", "\\delta")) else None
    report = verify_claim(net, claim, wrt)
    assert report.verdict == "incorrect", (report.error, claim)
    assert report.exit_status == 1
    assert report.diagnosis is not None and report.diagnosis.kind == kind, (report.diagnosis, claim)
    assert report_context(report)["diagnosis"]["text"]


def test_a_sum_past_its_layer_right_only_counted_from_one_says_so():
    claim = PLANTED[9][1]  # \sum_{j=1}^{n} on neurons numbered from 0
    report = verify_claim(network("example:deeplizard"), claim)
    assert report.verdict == "incorrect" and report.counterexample is not None
    assert "--index-base 1" in report.diagnosis.message


def test_a_counterexample_goes_with_every_mistake_a_value_shows():
    """Every planted mistake but the sums that add a term of no neuron is wrong at values of the network's own."""
    for name, claim, kind in PLANTED:
        report = verify_claim(network(name), claim, None if claim.startswith(("\\frac", "\\delta")) else "w_{12}^{(L)}")
        if report.method.startswith("the claim names a neuron its layer does not have"):
            assert kind in ("sum_bounds", "no_such_neuron")  # the rest of the claim is right: no value differs
            assert report.counterexample is None and report.no_counterexample[0].startswith("none can exist")
            continue
        if report.counterexample is None:  # w_{kj} naming no weight of a 6-to-4 layer in any case: said why
            assert report.method.startswith("the claim names a weight the network does not have"), claim
            assert report.no_counterexample is not None, claim
            continue
        assert report.counterexample is not None, claim
        assert report.counterexample.claim != pytest.approx(report.counterexample.expected)


def test_the_verdict_names_the_layers_checked_and_the_one_that_fails():
    right = report_context(verify_claim(network("nielsen-deep"), BP2))
    assert right["layers"] == {"letter": "l", "checked": [2, 3], "at": 3}
    assert "at every layer the formula applies to: l = 2 to 3" in right["checked"]
    only_at_output = r"\delta^l_j = (a^l_j - y_j) \sigma'(z^l_j)"
    wrong = verify_claim(network("nielsen-deep"), only_at_output)
    assert wrong.verdict == "incorrect" and wrong.layers.checked == (2, 3, 4) and wrong.layers.at == 2
    assert report_context(wrong)["fails_at"]["l"] == 2
    assert wrong.counterexample is not None


def test_the_command_line_reports_a_general_layer():
    done = CommandLine().run("verify", "--layers", "2,3,3,2", "--notation", "nielsen", "--claim", BP4)
    assert done.returncode == 0
    assert "at every layer the formula applies to: l = 2 to 4" in done.stdout
    swapped = BP2.replace("w^{l+1}_{kj}", "w^{l+1}_{jk}")
    done = CommandLine().run("verify", "--layers", "2,3,3,2", "--notation", "nielsen", "--claim", swapped)
    assert done.returncode == 1
    assert "it fails first at:   l = 2, j = 1" in done.stdout and "indices are swapped" in done.stdout


@pytest.mark.parametrize(
    "claim",
    [r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j +", r"\delta^l_j = \sum_k w^{l+1}_{kj} \delta^{l+1"],
)
def test_bad_latex_is_still_unreadable(claim):
    report = verify_claim(network("nielsen-deep"), claim)
    assert report.verdict == "unparseable" and report.exit_status == 2


# --- a general-l formula, at every layer of random networks, against sympy.diff of the composed cost ----------

HEADS = {"sigmoid": r"\sigma", "tanh": r"\tanh", "g": "g"}


@st.composite
def nielsen_networks(draw) -> Network:
    depth = draw(st.integers(2, 3))
    layers = draw(st.lists(st.integers(1, 3), min_size=depth + 1, max_size=depth + 1))
    activation = draw(st.sampled_from(["sigmoid", "tanh"]))
    cost = draw(st.sampled_from(["half_sse", "sse", "mse"]))
    bias = draw(st.sampled_from(["neuron", "none"]))
    return Network(layers, activation=activation, cost=cost, bias=bias, notation="nielsen")


def _numbers(net: Network, seed: int) -> dict[sp.Expr, sp.Expr]:
    """Random inputs, parameters and targets, and every z and a they give, as exact numbers."""
    rng = random.Random(seed)
    values: dict[sp.Expr, sp.Expr] = {A[0, k]: sp.Rational(rng.randint(-9, 9), 7) for k in net.neurons(0)}
    values |= {net.symbol(p): sp.Rational(rng.randint(-9, 9), 11) for p in net.parameters()}
    values |= {Y[j]: sp.Rational(rng.randint(0, 9), 9) for j in net.neurons(net.depth)}
    for q, definition in net.forward_map(None, concrete=True).items():
        values[q] = definition.xreplace(values)
    return values


def _dc_dz(net: Network, layer: int, j: int, values: dict) -> sp.Float:
    """dC_0/dz_j^l by sympy.diff of the cost written down to layer l's z."""
    cost = net.composed_cost(Ref("z", layer, (j,)), concrete=True)
    return sp.diff(cost, Z[layer, j]).xreplace(values).evalf(30)


@settings(max_examples=6, deadline=None)
@given(nielsen_networks(), st.integers(0, 10**6))
def test_bp4_and_bp2_hold_at_every_layer_and_sympy_agrees(net, seed):
    head = HEADS[net.spec.activations[0]]
    bp2 = BP2.replace(r"\sigma", head)
    for claim, first in ((BP4, 1), (bp2, 1)):
        report = verify_claim(net, claim)
        assert report.verdict == "correct", (claim, net.layers, report.error)
        last = net.depth if claim is BP4 else net.depth - 1
        assert report.layers.checked == tuple(range(first + 1, last + 2))  # Nielsen counts the input as layer 1
    values = _numbers(net, seed)
    composed = net.composed_cost(None, concrete=True)
    for layer in range(1, net.depth + 1):  # BP4 at every layer, by sympy.diff of the composed cost
        for j in net.neurons(layer):
            for k in net.neurons(layer - 1):
                exact = sp.diff(composed, W[layer, j, k]).xreplace(values).evalf(30)
                formula = values[A[layer - 1, k]] * _dc_dz(net, layer, j, values)
                assert abs(exact - formula) < 1e-20
            if net.spec.bias == "neuron":
                exact = sp.diff(composed, B[layer, j]).xreplace(values).evalf(30)
                assert abs(exact - _dc_dz(net, layer, j, values)) < 1e-20


@settings(max_examples=6, deadline=None)
@given(nielsen_networks())
def test_a_formula_right_only_at_the_output_fails_at_the_first_hidden_layer(net):
    """(a^l_j - y_j) sigma'(z^l_j) is BP1 of the half-sse cost, so right at L and wrong below it: verify names the
    first hidden layer, with a counterexample sympy.diff confirms."""
    if net.spec.cost != "half_sse":
        net = Network(net.layers, activation=net.spec.activations[0], cost="half_sse", notation="nielsen")
    head = HEADS[net.spec.activations[0]]
    report = verify_claim(net, rf"\delta^l_j = (a^l_j - y_j) {head}'(z^l_j)")
    assert report.verdict == "incorrect"
    assert report.layers.at == 2 and report.layers.checked == tuple(range(2, net.depth + 2))
    at_output = verify_claim(net, rf"\delta^L_j = (a^L_j - y_j) {head}'(z^L_j)")
    assert at_output.verdict == "correct"
    if report.counterexample is not None:  # a value differs (else a target of no neuron: y_j past the output)
        point = {q: sp.Float(v, 30) for q, v in report.counterexample.point}  # layer 1's z, what lies above, y
        j = dict(report.case)[sp.Symbol("j", integer=True)]
        assert float(_dc_dz(net, 1, j, point)) == pytest.approx(report.counterexample.expected, rel=1e-6, abs=1e-9)


def test_a_wrong_term_of_a_sum_over_the_samples_is_shown_wrong_in_a_batch_of_one():
    claim = r"\frac{\partial C}{\partial w^L_{jk}} = \frac{1}{n}\sum_x a^{L-1}_k (a^L_j - y_j) \sigma'(z^L_j)"
    report = verify_claim(network("nielsen-xent"), claim)
    assert report.verdict == "incorrect"
    assert report.method.startswith("each sample's term of the sum over the samples is decided as one sample's")
    assert "a batch of one sample" in report.counterexample.note
    assert report.counterexample.claim != pytest.approx(report.counterexample.expected)


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        (r"\frac{d\sigma(x)}{dx} = \sigma(x)(1-\sigma(x))", "correct"),
        (r"\frac{d\sigma(x)}{dx} = \sigma(x)(1+\sigma(x))", "incorrect"),
        (r"\frac{d}{dz}\tanh(z) = 1 - \tanh(z)", "incorrect"),
        (r"\frac{d\tanh(u)}{du} = \operatorname{sech}^2(u)", "correct"),
    ],
)
def test_an_activation_as_a_function_of_its_letter(claim, verdict):
    """Decided against sympy.diff of the catalogue's form: simplified to 0, or shown at a point where they differ."""
    report = verify_claim(network("nielsen"), claim)
    assert report.verdict == verdict, report.error
    if verdict == "incorrect":
        ((letter, at),) = report.counterexample.at
        variable = sp.Symbol(str(letter), real=True)
        function = {"x": 1 / (1 + sp.exp(-variable)), "z": sp.tanh(variable)}[str(letter)]
        exact = sp.diff(function, variable).subs(variable, at)
        assert float(exact) == pytest.approx(report.counterexample.expected)
