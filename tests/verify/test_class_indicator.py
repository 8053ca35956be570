"""CS231n's softmax gradient as printed, p_k - 1(y_i = k): the indicator of the class is, under one-hot targets, the
target y_k; the verdict says it was read so, and with no stated targets the claim is refused with the flag."""

from __future__ import annotations

import pytest
import torch

from symbackprop.model.network import Network
from symbackprop.model.symbols import Y
from symbackprop.verify import verify_claim

LHS = r"\frac{\partial C}{\partial z_k^{(L)}} = a_k^{(L)} - "
FORMS = [r"\mathbb{1}(y = k)", r"\mathbb{1}(y_i = k)", r"\mathbf{1}(y_i = k)", r"\mathbb{1}[y = k]"]


def _one_hot(targets: str | None) -> Network:
    extras = {"targets": targets} if targets else {}
    return Network([3, 4], "softmax", "cross_entropy", **extras)


@pytest.mark.parametrize("form", FORMS)
def test_the_class_indicator_is_the_one_hot_target(form):
    report = verify_claim(_one_hot("one-hot"), LHS + form)
    assert report.verdict == "correct", report.error
    words = [message.format(*(str(s) for s in symbols)) for message, symbols in report.notes]
    assert any("read as the one-hot target y[k]" in w for w in words), words


def test_the_right_answer_it_is_read_against_is_autograds():
    """d(-ln softmax(z)_c)/dz_k = p_k - 1(c = k), by PyTorch, for every class c: the reading a_k - y_k is that."""
    z = torch.tensor([0.3, -1.2, 0.8, 0.1], dtype=torch.float64, requires_grad=True)
    for c in range(4):
        (grad,) = torch.autograd.grad(torch.nn.functional.cross_entropy(z[None], torch.tensor([c])), z)
        p = torch.softmax(z, 0).detach()
        assert torch.allclose(grad, p - torch.nn.functional.one_hot(torch.tensor(c), 4).double())


def test_the_wrong_class_is_incorrect_at_one_hot_targets():
    report = verify_claim(_one_hot("one-hot"), LHS + r"\mathbb{1}(y = 0)")
    assert report.verdict == "incorrect" and report.counterexample is not None
    at = dict(report.counterexample.at)
    assert sorted(at[Y[j]] for j in range(4) if Y[j] in at) in ([0, 0, 0, 1], [0, 0, 1], [0, 1], [1])


def test_without_one_hot_targets_the_indicator_asks_for_the_flag():
    report = verify_claim(_one_hot(None), LHS + r"\mathbb{1}(y = k)")
    assert report.verdict == "unparseable" and "--targets one-hot" in report.error
    assert verify_claim(_one_hot("one-hot"), LHS + r"\mathbb{1}(a = k)").verdict == "unparseable"
