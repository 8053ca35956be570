"""Claims in vector and matrix notation: the published forms (Nielsen's BP1-BP4, Goodfellow's Algorithm 6.4, the
row layout of CS231n) are correct, entry by entry, with the layout said; planted mistakes are incorrect with their
diagnosis and a counterexample; shapes that do not fit are a verdict naming them, never unparseable. The entries
are checked here against sympy.diff of the fully composed cost, independently of the engine's derivation."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop.model.network import Network
from symbackprop.prove.equivalence import realize
from symbackprop.render.verdict import report_context
from symbackprop.syntax.tree import parse
from symbackprop.verify import claim_binding, claim_vectors, verify_claim

SIGMOID = Network([2, 3, 4, 2])  # W^(L) is 2 x 4, W^(2) 4 x 3: a missing transpose does not fit
SQUARE = Network([2, 3, 3, 3])  # W^(L) and W^(2) are 3 x 3: a missing transpose fits, and is wrong
HALF = Network([2, 3, 2], cost="half_sse")  # Nielsen's quadratic cost, C = 1/2 |y - a^L|^2
BINARY = Network([2, 3, 2], cost="binary_cross_entropy")  # Nielsen's cross-entropy, chapter 3

# (source, network, claim as the source prints it, the layout the verdict must state)
PUBLISHED = [
    ("Nielsen ch. 2, BP1", SIGMOID, r"\delta^L = \nabla_a C \odot \sigma'(z^L)", "column"),
    ("Nielsen ch. 2, BP2 at l = 2", SIGMOID, r"\delta^{2} = ((w^{3})^T \delta^{3}) \odot \sigma'(z^{2})", "column"),
    ("Nielsen ch. 2, BP2 for every l", SIGMOID, r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)", "column"),
    ("Nielsen ch. 2, BP3 for every l", SIGMOID, r"\frac{\partial C}{\partial b^l} = \delta^l", "column"),
    ("Nielsen ch. 2, BP4 for every l", SIGMOID, r"\frac{\partial C}{\partial w^l} = \delta^l (a^{l-1})^T", "column"),
    ("Nielsen ch. 2, BP3 at l = 2", SIGMOID, r"\frac{\partial C}{\partial b^{2}} = \delta^{2}", "column"),
    (
        "Nielsen ch. 2, BP4 in matrix form",
        SIGMOID,
        r"\frac{\partial C}{\partial w^{L}} = \delta^{L} (a^{L-1})^T",
        "column",
    ),
    ("Nielsen ch. 3, the cross-entropy's output error", BINARY, r"\delta^L = a^L - y", "column"),
    ("Nielsen ch. 3, its weights", BINARY, r"\frac{\partial C}{\partial W^L} = (a^L - y)(a^{L-1})^T", "column"),
    ("Nielsen ch. 2, eq. (30)", HALF, r"\delta^L = (a^L - y) \odot \sigma'(z^L)", "column"),
    ("Nielsen ch. 2, BP1 with Sigma'", SIGMOID, r"\delta^L = \Sigma'(z^L) \nabla_a C", "column"),
    ("Nielsen ch. 2, BP2 with Sigma'", SIGMOID, r"\delta^{2} = \Sigma'(z^{2}) (w^{3})^T \delta^{3}", "column"),
    ("Goodfellow Alg. 6.4, weights", SIGMOID, r"\nabla_{W^{(3)}} J = g h^{(2)\top}", "column"),
    ("Goodfellow Alg. 6.4, biases", SIGMOID, r"\nabla_{b^{(3)}} J = g", "column"),
    ("Goodfellow Alg. 6.4, h", SIGMOID, r"\nabla_{h^{(2)}} J = W^{(3)\top} g", "column"),
    ("CS231n, dW = X^T dscores (rows)", SIGMOID, r"\frac{\partial C}{\partial W^{L}} = (a^{L-1})^T \delta^{L}", "row"),
    (
        "bold vectors",
        SIGMOID,
        r"\boldsymbol{\delta}^{L} = \nabla_{\mathbf{a}} C \odot \sigma'(\mathbf{z}^{L})",
        "column",
    ),
    (
        "\\vec and \\top",
        SIGMOID,
        r"\vec{\delta}^{(2)} = (W^{(3)})^\top \vec{\delta}^{(3)} \odot \sigma'(z^{(2)})",
        "column",
    ),
    (
        "^{\\mathsf T}, [l]",
        SIGMOID,
        r"\frac{\partial C}{\partial W^{[2]}} = \delta^{[2]} (a^{[1]})^{\mathsf T}",
        "column",
    ),
    (
        "^{\\intercal}, \\cdot",
        SIGMOID,
        r"\delta^{2} = \text{diag}(\sigma'(z^{2})) \cdot (W^{3})^{\intercal} \delta^{3}",
        "column",
    ),
    ("a one-sample C_x", SIGMOID, r"\frac{\partial C_x}{\partial b^{L}} = \nabla_a C_x \odot \sigma'(z^{L})", "column"),
]


# the mean over a batch: (source, claim, what the layout note starts with)
BATCH = [
    (
        "Nielsen ch. 2, the sum over x",
        r"\frac{\partial C}{\partial W^{L}} = \frac{1}{n}\sum_x \delta^{x,L} (a^{x,L-1})^T",
        "read in the column",
    ),
    ("Nielsen, biases", r"\frac{\partial C}{\partial b^{2}} = \frac{1}{n}\sum_x \delta^{x,2}", "read in the column"),
    (
        "Ng, dW = (1/m) dZ A^T",
        r"\frac{\partial C}{\partial W^{L}} = \frac{1}{m} \Delta^{L} (A^{L-1})^T",
        "read in the column",
    ),
    (
        "matrix form, rows",
        r"\frac{\partial C}{\partial W^{L}} = \frac{1}{n} (\Delta^{L})^T A^{L-1}",
        "read with a row per sample",
    ),
    (
        "CS231n, X^T dscores / N",
        r"\frac{\partial C}{\partial W^{L}} = \frac{1}{n} (A^{L-1})^T \Delta^{L}",
        "read in the row",
    ),
    (
        "a factor moved out",
        r"\frac{\partial C}{\partial W^{L}} = \frac{2}{n}\sum_x \frac{1}{2}\delta^{x,L} (a^{x,L-1})^T",
        "read in the column",
    ),
]


@pytest.mark.parametrize(("source", "claim", "layout"), BATCH, ids=[b[0] for b in BATCH])
def test_batch_forms_are_the_mean_over_the_samples(source, claim, layout):
    report = verify_claim(SIGMOID, claim)
    assert report.verdict == "correct", (source, report.error, report.diagnosis)
    note = report_context(report)["note"]
    assert note.startswith(layout) and "C is the mean cost over the batch's n samples" in note
    assert "generating function" in report.method  # the mean for every n, proven


def test_a_batch_form_without_its_one_over_n_is_diagnosed():
    report = verify_claim(SIGMOID, r"\frac{\partial C}{\partial W^{L}} = \sum_x \delta^{x,L} (a^{x,L-1})^T")
    assert report.verdict == "incorrect" and report.diagnosis.kind == "mean_missing"
    assert report.counterexample is not None


def test_a_batch_form_whose_summand_is_wrong_is_incorrect_and_says_so():
    report = verify_claim(SQUARE, r"\frac{\partial C}{\partial W^{2}} = \frac{1}{n}\sum_x \delta^{x,2} (a^{x,2})^T")
    assert report.verdict == "incorrect" and report.counterexample is not None
    assert "what it sums is" in report_context(report)["note"]


@pytest.mark.parametrize(("source", "net", "claim", "layout"), PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_published_forms_are_correct_and_say_their_layout(source, net, claim, layout):
    report = verify_claim(net, claim)
    assert report.verdict == "correct", (source, report.error, report.diagnosis)
    note = report_context(report)["note"]
    assert f"read in the {layout} convention" in note
    assert "W^(" in note and " x " in note  # the shape of the weights, as read


# (claim, network, the diagnosis's kind): each a published form with one mistake planted
PLANTED = [
    (r"\delta^{2} = (W^{3} \delta^{3}) \odot \sigma'(z^{2})", SQUARE, "transpose_missing"),
    (r"\delta^{2} = (W^{3} \delta^{3}) \odot \sigma'(z^{2})", SIGMOID, "shapes+transpose_missing"),
    (r"\delta^{2} = ((W^{3})^T \delta^{3}) \sigma'(z^{2})", SIGMOID, "shapes+product_for_hadamard"),
    (r"\delta^{2} = ((W^{3})^T \odot \delta^{3}) \odot \sigma'(z^{2})", SIGMOID, "shapes+hadamard_for_product"),
    (r"\delta^{2} = ((W^{2})^T \delta^{3}) \odot \sigma'(z^{2})", SIGMOID, "shapes+wrong_layer"),
    (r"\frac{\partial C}{\partial W^{2}} = \delta^{2} (a^{2})^T", SQUARE, "wrong_layer"),
    (r"\frac{\partial C}{\partial W^{L}} = (\delta^{L} (a^{L-1})^T)^T", SQUARE, "transpose_extra"),
    (r"\delta^{2} = (W^{3})^T \delta^{3}", SQUARE, "activation_derivative_missing"),
]


def test_a_spurious_sigma_prime_with_the_cross_entropy_is_incorrect():
    report = verify_claim(BINARY, r"\delta^L = (a^L - y) \odot \sigma'(z^L)")
    assert report.verdict == "incorrect" and report.counterexample is not None


@pytest.mark.parametrize(("claim", "net", "kind"), PLANTED)
def test_planted_mistakes_are_incorrect_with_their_diagnosis(claim, net, kind):
    report = verify_claim(net, claim)
    assert report.verdict == "incorrect"
    assert report.diagnosis is not None and report.diagnosis.kind == kind
    if kind.startswith("shapes"):  # no entry to compare: the shapes are named instead
        assert " is " in report.diagnosis.message and " x " in report.diagnosis.message
    else:  # an entry that differs, at values the spec allows
        c = report.counterexample
        assert c is not None and abs(c.claim - c.expected) > 1e-9
        assert report.case  # which entry


def test_shapes_that_fit_neither_layout_are_named_and_exit_1():
    report = verify_claim(SIGMOID, r"\frac{\partial C}{\partial W^{L}} = \delta^{L} a^{L-1}")
    assert report.verdict == "incorrect" and report.exit_status == 1
    text = report_context(report)["diagnosis"]["text"]
    assert "2 x 1 (a column)" in text and "4 x 1 (a column)" in text


def test_a_scalar_claim_is_still_read_as_one():
    net = Network([1, 1, 1])
    report = verify_claim(net, r"\frac{\partial C}{\partial w^{(L)}} = 2(a^{(L)} - y)\sigma'(z^{(L)}) a^{(L-1)}")
    assert report.verdict == "correct"
    assert "convention" not in report_context(report).get("note", "")


def test_a_vector_claim_with_the_letter_l_is_checked_at_every_layer_and_fails_where_it_does():
    report = verify_claim(SIGMOID, r"\delta^l = ((w^{l})^T \delta^{l+1}) \odot \sigma'(z^l)")
    assert report.verdict == "incorrect" and report.diagnosis.kind == "shapes+wrong_layer"
    assert report.layers is not None and report.layers.checked == (1, 2)


def test_a_layer_letter_is_read_through_the_letters_given():
    """The hook for a claim on a general layer: the letter l bound to one layer at a time."""
    claim = parse(r"\delta^{l} = ((W^{l+1})^T \delta^{l+1}) \odot \sigma'(z^{l})")
    for layer in (1, 2):
        reading = claim_vectors.read(SIGMOID, claim, {"l": layer})
        assert reading.wrt_symbol.indices[0] == layer
        assert len(reading.cases) == SIGMOID.layers[layer]


def test_sigma_prime_on_a_tanh_layer_is_a_mistake_not_a_silent_reading():
    net = Network([2, 3, 2], activation=["tanh", "tanh"])
    assert verify_claim(net, r"\delta^L = \nabla_a C \odot \sigma'(z^L)").verdict == "incorrect"
    assert verify_claim(net, r"\delta^L = \nabla_a C \odot g'(z^L)").verdict == "correct"


def entries_agree_with_sympy_diff(net: Network, claim: str) -> bool:
    """Each entry of the claim's right-hand side, against sympy.diff of the fully composed cost, at a random
    rational point (the network's own activations)."""
    bound = claim_binding.bind(net, parse(claim), claim)
    cost = realize(net, net.cost_definition(), None, "numeric")
    rng = random.Random(7)
    point = {s: sp.Rational(rng.randint(-9, 9), 7) for s in cost.atoms(sp.Indexed)}
    for k, case in enumerate(bound.cases):
        wrt = bound.wrt_symbol.xreplace(dict(case))
        right = sp.diff(cost, wrt).xreplace(point)
        mine = realize(net, bound.sides[0].values[k], None, "numeric").xreplace(point)
        if abs(float(right - mine)) > 1e-9 * max(1.0, abs(float(right))):
            return False
    return True


networks = st.builds(
    lambda widths, acts: Network(widths, activation=[acts[i % len(acts)] for i in range(len(widths) - 1)]),
    st.lists(st.integers(1, 3), min_size=3, max_size=4),
    st.lists(st.sampled_from(["sigmoid", "tanh", "softplus"]), min_size=1, max_size=3),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks, data=st.data())
def test_vector_forms_agree_with_sympy_diff_entry_by_entry(net, data):
    layer = data.draw(st.integers(1, net.depth))
    if layer == net.depth:
        delta = r"(\nabla_a C \odot g'(z^{L}))"
    else:
        delta = rf"(((W^{{{layer + 1}}})^T \delta^{{{layer + 1}}}) \odot g'(z^{{{layer}}}))"
    weights = rf"\frac{{\partial C}}{{\partial W^{{{layer}}}}} = {delta} (a^{{{layer - 1}}})^T"
    biases = rf"\frac{{\partial C}}{{\partial b^{{{layer}}}}} = {delta}"
    assert entries_agree_with_sympy_diff(net, weights)
    assert entries_agree_with_sympy_diff(net, biases)
    assert verify_claim(net, weights).verdict == "correct"
    # a planted mistake: the activation's derivative taken at the wrong layer's z, or left out
    wrong = weights.replace(rf"g'(z^{{{layer}}})", "1") if layer < net.depth else weights.replace("g'(z^{L})", "1")
    assert verify_claim(net, wrong).verdict == "incorrect"


def test_the_verify_page_shows_what_verify_prints(cmdline):
    """Each run the "Vectors and matrices" section shows: its lines, as printed (a "..." stands for lines left out)."""
    page = (Path(__file__).parents[2] / "docs" / "commands" / "verify.md").read_text(encoding="utf-8")
    start = page.index("### Vectors and matrices\n")
    section = page[start : page.index("\n### ", start + 1)]
    runs = re.findall(r"\$ symbackprop verify (.*?) --claim '(.*?)'\n(.*?)(?=\n\$ |\n```)", section, re.DOTALL)
    assert len(runs) == 5
    for options, claim, shown in runs:
        args = [*options.split(), "--claim", claim.replace("'\"'\"'", "'")]
        printed = cmdline.run("verify", *args).stdout.splitlines()
        for line in shown.strip("\n").splitlines():
            assert line == "  ..." or line in printed, line


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks, data=st.data())
def test_the_mean_over_a_batch_is_proven_for_every_n_and_its_missing_one_over_n_caught(net, data):
    layer = data.draw(st.integers(1, net.depth))
    body = rf"\sum_x \delta^{{x,{layer}}} (a^{{x,{layer - 1}}})^T"
    lhs = rf"\frac{{\partial C}}{{\partial W^{{{layer}}}}}"
    right = verify_claim(net, rf"{lhs} = \frac{{1}}{{n}}{body}")
    assert right.verdict == "correct" and "generating function" in right.method
    wrong = verify_claim(net, f"{lhs} = {body}")
    assert wrong.verdict == "incorrect" and wrong.diagnosis is not None and wrong.diagnosis.kind == "mean_missing"


@pytest.mark.parametrize("vector", ["a^{1}", "a^{2}", "y", "z^{2}"])
def test_diag_of_a_network_quantity_is_read(vector: str) -> None:
    """diag(a^l) and diag(y): their entries are sympy Indexed, whose own .shape sympy.diag took for a matrix's and
    stopped on (an internal error, exit status 3, for the claim below at any size). The claim is right plus a
    diagonal that is not 0, so it is incorrect; with that diagonal subtracted again it is correct."""
    wrong = verify_claim(
        SQUARE, rf"\frac{{\partial C}}{{\partial W^{{2}}}} = \delta^{{2}} (a^{{1}})^T + \text{{diag}}({vector})"
    )
    assert wrong.verdict == "incorrect", wrong.error
    diagonal = rf"\text{{diag}}({vector})"
    right = rf"\frac{{\partial C}}{{\partial W^{{2}}}} = \delta^{{2}} (a^{{1}})^T + {diagonal} - {diagonal}"
    assert verify_claim(SQUARE, right).verdict == "correct"


TANH = Network([2, 3, 2], activation="tanh")
# sigma' and tanh' written from the activations, with the number 1 standing for a vector of ones (Ng's a .* (1 - a))
FROM_ACTIVATIONS = [
    (SIGMOID, r"\delta^{2} = ((W^{3})^T \delta^{3}) \odot a^{2} \odot (1 - a^{2})", "correct"),
    (
        SIGMOID,
        r"\frac{\partial C}{\partial W^{3}} = (2 (a^{3} - y) \odot a^{3} \odot (1 - a^{3})) (a^{2})^T",
        "correct",
    ),
    (SIGMOID, r"\delta^{2} = -((W^{3})^T \delta^{3}) \odot a^{2} \odot (a^{2} - 1)", "correct"),
    (SIGMOID, r"\delta^{2} = ((W^{3})^T \delta^{3}) \odot a^{2} \odot (2 - a^{2})", "incorrect"),
    (TANH, r"\delta^{1} = ((W^{2})^T \delta^{2}) \odot (1 - a^{1} \odot a^{1})", "correct"),
    (TANH, r"\delta^{1} = ((W^{2})^T \delta^{2}) \odot (1 - a^{1})", "incorrect"),
]


@pytest.mark.parametrize(("net", "claim", "verdict"), FROM_ACTIVATIONS)
def test_one_minus_a_vector_is_read_entry_by_entry(net: Network, claim: str, verdict: str) -> None:
    """1 - a on a vector was a shape mismatch ("1 is a number and a^(L-1) is 3 x 1"): a right claim in the
    notation many texts use was called incorrect."""
    report = verify_claim(net, claim)
    assert report.verdict == verdict, (report.error, report.diagnosis)
    assert report.diagnosis is None or not report.diagnosis.kind.startswith("shapes")


def test_one_minus_a_on_784_16_10_is_decided_by_the_projection() -> None:
    net = Network([784, 16, 10], activation="sigmoid", cost="sse")
    report = verify_claim(
        net, r"\frac{\partial C}{\partial W^1} = (((W^2)^T \delta^2) \odot a^1 \odot (1 - a^1)) (a^0)^T"
    )
    assert report.verdict == "correct" and report.method.startswith("all 12,544 entries at once")


def test_a_sums_letter_h_is_an_index_not_goodfellows_activation():
    """The engine's own letters run j, i, h for nested sums (a softmax output's [h = i]); verify once read the h
    of \\sum_{h=0}^{1} as Goodfellow's activation vector, called the claim a vector claim, and refused a worksheet's
    answer key as unparseable. A letter bound by a sum or written in a subscript is an index."""
    from symbackprop.derive.derivation import derive
    from symbackprop.worksheets import blanks, step_count

    net = Network([1, 2, 2, 2], ["sigmoid", "identity", "softmax"], "cross_entropy", notation="deeplizard")
    scalar = parse(r"\sum_{h=0}^{1} y_{h} a_{h}^{(L)}")
    assert not claim_vectors.is_vector_claim(net, scalar)
    d = derive(net, net.ref("w_{10}^{(L-2)}"))
    keys = [b for b in blanks(d, step_count(d), ["net.toml"]) if r"\sum_{h=" in b.claim]
    assert keys  # the sheet's answers sum over h
    for b in keys:
        assert verify_claim(net, b.claim, b.wrt).verdict == "correct", b.claim
    goodfellow = Network([2, 3, 2], notation="goodfellow")
    assert claim_vectors.is_vector_claim(goodfellow, parse(r"\nabla_{W^{(2)}} J = g\, h^{(1)T}"))
    assert claim_vectors.is_vector_claim(Network([2, 3, 2]), parse(r"\frac{\partial C}{\partial h^{(1)}} = W^{T} g"))
