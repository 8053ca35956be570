"""The notations the published-formula corpus brought in, at their edges: each reading applies where the source's
notation is unmistakable and nowhere else (a 1 before brackets, a * between factors, a d before a quantity, the
letter k in a layer's place)."""

from __future__ import annotations

import re
from pathlib import Path

from symbackprop.model.network import Network
from symbackprop.verify import verify_claim
from tests.commandline import CommandLine

THREE_B = Network([1, 1, 1, 1], "sigmoid", "sse")
NG = Network([2, 3, 1], ["tanh", "sigmoid"], "binary_cross_entropy")


def test_a_one_before_brackets_without_an_equation_is_a_factor():
    assert verify_claim(THREE_B, r"\frac{\partial C_0}{\partial a^{(L)}} = 2 \cdot 1(a^{(L)} - y)").verdict == "correct"


def test_a_star_between_numbers_and_scalars_is_the_product():
    assert verify_claim(THREE_B, r"\frac{\partial C_0}{\partial a^{(L)}} = 2 * (a^{(L)} - y)").verdict == "correct"


def test_ng_star_is_entrywise_and_a_matrix_product_is_not():
    """dz^{[1]} = W^{[2]T} dz^{[2]} * g'(z^{[1]}): * entry by entry, as NumPy's; the product as juxtaposition does not
    fit the shapes (a 3 x 1 column times a 3 x 1 column)."""
    right = verify_claim(NG, r"dz^{[1]} = W^{[2]T} dz^{[2]} * g^{[1]\prime}(z^{[1]})")
    assert right.verdict == "correct", right.error
    juxtaposed = verify_claim(NG, r"dz^{[1]} = W^{[2]T} dz^{[2]} g^{[1]\prime}(z^{[1]})")
    assert juxtaposed.verdict == "incorrect"


def test_a_d_is_ng_gradient_only_against_a_bracketed_layer():
    assert verify_claim(NG, r"dz^{[2]} = a^{[2]} - y").verdict == "correct"
    alone = verify_claim(NG, r"d z^{(L)} = a^{(L)} - y")
    assert alone.verdict == "unparseable" and "derivative" in alone.error


def test_a_batch_on_one_side_only_is_wrong():
    """dZ^{[2]} holds a column per example; a^{[2]} - y is one example's: the shapes say so."""
    report = verify_claim(NG, r"dZ^{[2]} = a^{[2]} - y")
    assert report.verdict == "incorrect" and report.diagnosis is not None and report.diagnosis.kind == "shapes"


def test_goodfellow_k_is_checked_at_every_layer_and_named():
    report = verify_claim(Network([3, 4, 3], "sigmoid", "half_sse"), r"\nabla_{W^{(k)}} J = g h^{(k-1)\top}")
    assert report.verdict == "correct" and report.layers is not None
    assert report.layers.letter == "k" and report.layers.checked == (1, 2)


def test_the_sample_letter_is_read_only_inside_its_sum():
    """a_{k,i} names sample i's a only inside a sum over i; elsewhere an activation takes one index."""
    net = Network([2, 3, 2], "sigmoid", "half_sse", notation="nielsen")
    report = verify_claim(net, r"\frac{\partial C}{\partial w^L_{jk}} = a^{L-1}_{k,i} \delta^{L}_{j,i}")
    assert report.verdict == "unparseable" and "one neuron index" in report.error


def test_the_verify_page_shows_what_ng_forms_print():
    """The run the "Ng's notation" section shows prints its lines (a "..." stands for lines left out)."""
    page = (Path(__file__).parents[2] / "docs" / "commands" / "verify.md").read_text(encoding="utf-8")
    start = page.index("### Ng's notation\n")
    section = page[start : page.index("\n### ", start + 1)]
    runs = re.findall(r"\$ symbackprop verify (.*?) --claim '(.*?)'\n(.*?)(?=\n\$ |\n```)", section, re.DOTALL)
    assert len(runs) == 1
    for options, claim, shown in runs:
        printed = CommandLine().run("verify", *options.split(), "--claim", claim).stdout.splitlines()
        for line in shown.strip("\n").splitlines():
            assert line == "  ..." or line in printed, line


def test_a_derivative_written_with_d_keeps_its_d():
    """In a fraction d is the derivative's own mark, Ng's bracketed layer or not: dC/dz^{[2]} is no gradient dz."""
    for claim in (r"\frac{dC}{dz^{[2]}} = a^{[2]} - y", r"dC/dz^{[2]} = a^{[2]} - y"):
        assert verify_claim(NG, claim).verdict == "correct", claim


def test_kronecker_delta_with_a_comma_keeps_both_indices():
    """\\delta_{k,j} without a layer is Kronecker's, inside a sum over k too: k is no sample's letter there."""
    net = Network([2, 3], "softmax", "cross_entropy")
    claim = (
        r"\frac{\partial C_0}{\partial z_j^{(L)}} = \sum_k \frac{\partial C_0}{\partial a_k^{(L)}} a_k^{(L)}"
        r" (\delta_{k,j} - a_j^{(L)})"
    )
    assert verify_claim(net, claim).verdict == "correct"


def test_cs231n_letters_are_read_and_said():
    net = Network([3, 4], "softmax", "cross_entropy", targets="one-hot")
    report = verify_claim(net, r"\frac{\partial L_i }{ \partial f_k } = p_k - \mathbb{1}(y_i = k)")
    assert report.verdict == "correct", report.error
    words = [message.format(*(str(s) for s in symbols)) for message, symbols in report.notes]
    assert any("CS231n's f_k read as z[1, k]" in w for w in words), words


def test_cs231n_probabilities_belong_to_a_softmax_output():
    net = Network([3, 4], "sigmoid", "binary_cross_entropy")
    report = verify_claim(net, r"\frac{\partial C}{\partial f_k} = p_k - y_k")
    assert report.verdict == "unparseable" and "softmax" in report.error


CS231N_SOFTMAX = Network([3, 4], "softmax", "cross_entropy", targets="one-hot")


def test_an_indicator_of_one_target_entry_is_not_read_as_a_class():
    """1(y_2 = 1) compares the target's entry 2 with 1: read as the class indicator it became y_1, and the wrong
    a_1 - 1(y_2 = 1) was called correct. y_i (sample i's class) is still read so."""
    for claim in (
        r"\frac{\partial C}{\partial z^{(L)}_1} = a^{(L)}_1 - \mathbb{1}(y_2 = 1)",
        r"\frac{\partial C}{\partial z^{(L)}_k} = a^{(L)}_k - \mathbb{1}(y_k = 1)",
    ):
        result = verify_claim(CS231N_SOFTMAX, claim)
        assert result.verdict == "unparseable" and "one entry of the target" in result.error, claim
    right = verify_claim(CS231N_SOFTMAX, r"\frac{\partial L_i}{\partial f_k} = p_k - \mathbb{1}(y_i = k)")
    assert right.verdict == "correct", right.error


def test_two_sums_over_the_samples_in_one_side_are_refused_not_misjudged():
    """Each sum over the samples was read as the mean's whole sum, so (1/n) sum_i a_{k,i} - (1/n) sum_i y_{k,i}, the
    right answer split in two, was read as the mean minus itself and called incorrect. One sum per side is still
    read, on each side of a chain."""
    net = Network([3, 4], "softmax", "cross_entropy", targets="one-hot")
    split = verify_claim(
        net, r"\frac{\partial C}{\partial z_k^{(L)}} = \frac{1}{n}\sum_i a^{(L)}_{k,i} - \frac{1}{n}\sum_i y_{k,i}"
    )
    assert split.verdict == "unparseable" and "second sum over the samples" in split.error
    chain = verify_claim(
        net,
        r"\frac{\partial C}{\partial z_k^{(L)}} = \frac{1}{n}\sum_i (a^{(L)}_{k,i} - y_{k,i})"
        r" = \frac{1}{n}\sum_x (a^{(L)}_{k,x} - \mathbb{1}(y_x = k))",
    )
    assert chain.verdict == "correct", chain.error
    wrong = verify_claim(net, r"\frac{\partial C}{\partial z_k^{(L)}} = \frac{1}{n}\sum_i (a^{(L)}_{k,i} + y_{k,i})")
    assert wrong.verdict == "incorrect"


def test_a_vectors_square_is_entry_by_entry_and_a_matrix_power_is_refused():
    """Ng's tanh derivative 1 - (a^{[1]})^2 squares each entry (a vector has no matrix power); a matrix's square
    stays refused, not read entry by entry."""
    net = Network(layers=[2, 3, 2], activation=["tanh", "sigmoid"], cost="sse")
    right = r"\delta^{[1]} = (W^{[2]})^T \delta^{[2]} \odot (1 - (a^{[1]})^2)"
    assert verify_claim(net, right).verdict == "correct"
    cubed = r"\delta^{[1]} = (W^{[2]})^T \delta^{[2]} \odot (1 - (a^{[1]})^3)"
    assert verify_claim(net, cubed).verdict == "incorrect"
    square = Network(layers=[2, 2, 2], activation=["tanh", "sigmoid"], cost="sse")
    report = verify_claim(square, r"\delta^{[1]} = ((W^{[2]})^T)^2 \delta^{[2]}")
    assert report.verdict == "unparseable" and "a power of a vector or a matrix" in str(report.error)
