"""Vector and matrix claims with more entries than are decided one by one (claim_projection): every entry at once,
by a randomized identity test modulo p on random projections, with the chance of error stated; a wrong claim
incorrect at one entry, with the counterexample at real values (checked here against PyTorch's autograd) and the
diagnosis a small claim gets. Over random networks small enough for both, the projection (forced by a lowered
threshold) gives the verdict and the diagnosis of the exact path, entry by entry."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop.model.network import Network
from symbackprop.numeric import numbers as numeric
from symbackprop.verify import claim_vectors, verify_claim

MNIST = Network([784, 16, 10], activation="sigmoid", cost="sse")
BP4 = r"\frac{\partial C}{\partial W^1} = \delta^1 (a^0)^T"


def torch_weight_gradients(net: Network, values: numeric.Values) -> list[np.ndarray]:
    """dC_0/dW^(l) for every layer by PyTorch's autograd: sigmoid layers, the sse cost."""
    weights = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in values.weights]
    a = torch.tensor(values.x[0], dtype=torch.float64)
    for w, b in zip(weights, values.biases, strict=True):
        a = torch.sigmoid(w @ a + torch.tensor(b, dtype=torch.float64))
    ((a - torch.tensor(values.y[0], dtype=torch.float64)) ** 2).sum().backward()
    return [w.grad.numpy() for w in weights]


def test_nielsen_bp4_for_the_first_layer_of_784_16_10_is_correct_with_the_chance_of_error_stated():
    report = verify_claim(MNIST, BP4)
    assert report.verdict == "correct", report.method
    assert report.method.startswith("all 12,544 entries at once")
    assert "modulo p = 2^61 - 1" in report.method and "a wrong claim passes with probability at most" in report.method
    assert report.general is not None  # the right answer in the letters j and k, tested on every entry
    assert {str(s) for s in report.general.free_symbols} >= {"j", "k"}


def test_bp4_without_sigma_prime_on_784_16_10_is_incorrect_at_an_entry_with_autograds_value():
    report = verify_claim(MNIST, r"\frac{\partial C}{\partial W^1} = ((W^2)^T \delta^2) (a^0)^T")
    assert report.verdict == "incorrect" and report.exit_status == 1
    assert report.diagnosis is not None and report.diagnosis.kind == "activation_derivative_missing"
    case = dict((str(s), v) for s, v in report.case)
    found = report.counterexample
    assert found is not None and abs(found.claim - found.expected) > 1e-9
    values = numeric.random_values(MNIST, samples=1, seed=0)  # the point the counterexample is at
    grads = torch_weight_gradients(MNIST, values)
    assert found.expected == pytest.approx(grads[0][case["j"], case["k"]], rel=1e-9)
    assert any("12,544 entries" in note for note, _ in report.notes)


def test_a_right_vector_of_784_entries_is_correct_and_a_wrong_one_incorrect():
    right = verify_claim(MNIST, r"\nabla_{a^0} C = (W^1)^T \delta^1")
    assert right.verdict == "correct" and right.method.startswith("all 784 entries at once")
    wrong = verify_claim(MNIST, r"\nabla_{a^0} C = (W^1)^T ((W^2)^T \delta^2)")
    assert wrong.verdict == "incorrect" and wrong.counterexample is not None
    assert wrong.diagnosis is not None and wrong.diagnosis.kind == "activation_derivative_missing"


def test_shapes_that_do_not_fit_on_a_large_matrix_are_named():
    report = verify_claim(MNIST, r"\frac{\partial C}{\partial W^1} = \delta^1 (a^1)^T")
    assert report.verdict == "incorrect" and report.diagnosis is not None
    assert report.diagnosis.kind.startswith("shapes") and "16 x 784" in report.diagnosis.message


SQUARE = (3, 3, 3, 3)
# (claim, for every network): published forms, right, and with one mistake planted
FORMS = [
    r"\delta^L = \nabla_a C \odot \sigma'(z^L)",
    r"\frac{\partial C}{\partial W^{L}} = \delta^{L} (a^{L-1})^T",
    r"\frac{\partial C}{\partial W^{1}} = \delta^{1} (a^{0})^T",
    r"\frac{\partial C}{\partial W^{1}} = ((W^{2})^T \delta^{2}) (a^{0})^T",
    r"\frac{\partial C}{\partial W^{1}} = (\delta^{1} \odot \sigma'(z^{1})) (a^{0})^T",
    r"\frac{\partial C}{\partial W^{L}} = (\delta^{L} (a^{L-1})^T)^T",
    r"\frac{\partial C}{\partial W^{L}} = \delta^{L} (a^{L})^T",
    r"\frac{\partial C}{\partial b^{1}} = ((W^{2})^T \delta^{2}) \odot \sigma'(z^{1})",
    r"\frac{\partial C}{\partial b^{1}} = (W^{2} \delta^{2}) \odot \sigma'(z^{1})",
    r"\delta^{1} = (W^{2})^T \delta^{2}",
    r"\nabla_{a^{0}} C = (W^{1})^T \delta^{1}",
    r"\nabla_{a^{0}} C = W^{1} \delta^{1}",
    r"\nabla_{a^{1}} C = (W^{2})^T \delta^{2}",
    r"\nabla_{a^{1}} C = (W^{2})^T \delta^{1}",
    r"\frac{\partial C}{\partial W^{L}} = (a^{L} - y) (a^{L-1})^T",
]


def _summary(report):
    kind = report.diagnosis.kind if report.diagnosis is not None else None
    return report.verdict, kind, report.counterexample is not None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    widths=st.one_of(st.just(SQUARE), st.lists(st.integers(1, 3), min_size=3, max_size=4).map(tuple)),
    activation=st.sampled_from(["sigmoid", "tanh"]),
    cost=st.sampled_from(["sse", "mse", "half_sse"]),
    claim=st.sampled_from(FORMS),
)
def test_the_projection_gives_the_exact_paths_verdict_on_networks_small_enough_for_both(
    widths, activation, cost, claim
):
    net = Network(list(widths), activation=activation, cost=cost)
    exact = verify_claim(net, claim)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claim_vectors, "MAX_ENTRIES", 0)
        projected = verify_claim(net, claim)
    assert _summary(projected) == _summary(exact), (exact.method, projected.method)
    if exact.verdict == "correct" and exact.free:  # decided by the projection, with its bound
        assert "entries at once" in projected.method and "modulo p = 2^61 - 1" in projected.method
    if exact.verdict == "incorrect" and exact.counterexample is not None:
        assert projected.case and dict(projected.case) == dict(exact.case)


@pytest.mark.parametrize("targets", ["one-hot", None])
@pytest.mark.parametrize(
    "claim", [r"\frac{\partial C}{\partial W^{L}} = (a^L - y) (a^{L-1})^T", r"\delta^L = a^L - y"], ids=["W", "delta"]
)
def test_the_projection_decides_under_the_specs_targets_as_the_exact_path_does(targets, claim):
    """Softmax with the cross-entropy: a - y is right only for targets that sum to 1 (one-hot), and the projection
    says what it assumed, as the exact path does."""
    more = {"targets": targets} if targets else {}
    net = Network([3, 4, 3], activation=["tanh", "softmax"], cost="cross_entropy", **more)
    exact = verify_claim(net, claim)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claim_vectors, "MAX_ENTRIES", 0)
        projected = verify_claim(net, claim)
    assert _summary(projected) == _summary(exact)
    assert projected.verdict == ("correct" if targets else "incorrect")
    if targets:
        assert "entries at once, with each sample's targets summing to 1" in projected.method


def test_an_element_claim_on_every_weight_of_784_16_10_is_decided_at_once():
    """Nielsen's BP4 in elements with j and k free: 12,544 cases, decided by the projection; a sign flipped is
    incorrect with its diagnosis and a counterexample entry."""
    net = Network(layers=[784, 16, 10], activation="sigmoid", cost="sse")
    right = verify_claim(net, r"\frac{\partial C}{\partial w^{(1)}_{jk}} = \delta^{(1)}_j a^{(0)}_k")
    assert right.verdict == "correct" and "all 12,544 entries at once" in right.method
    wrong = verify_claim(net, r"\frac{\partial C}{\partial w^{(1)}_{jk}} = -\delta^{(1)}_j a^{(0)}_k")
    assert wrong.verdict == "incorrect" and wrong.diagnosis is not None and wrong.diagnosis.kind == "sign"


ELEMENT_FORMS = [
    r"\frac{\partial C}{\partial w^{(2)}_{jk}} = \delta^{(2)}_j a^{(1)}_k",
    r"\frac{\partial C}{\partial w^{(2)}_{jk}} = -\delta^{(2)}_j a^{(1)}_k",
    r"\frac{\partial C}{\partial w^{(2)}_{jk}} = \delta^{(2)}_j a^{(2)}_k",
    r"\frac{\partial C}{\partial w^{(1)}_{jk}} = \sum_i w^{(2)}_{ij} \delta^{(2)}_i \sigma'(z^{(1)}_j) a^{(0)}_k",
    r"\frac{\partial C}{\partial w^{(1)}_{jk}} = \sum_i w^{(2)}_{ij} \delta^{(2)}_i a^{(0)}_k",
    r"\frac{\partial C}{\partial b^{(1)}_{j}} = \delta^{(1)}_j",
    r"\frac{\partial C}{\partial a^{(1)}_{k}} = \sum_j w^{(2)}_{jk} \delta^{(2)}_j",
    r"\frac{\partial C}{\partial a^{(1)}_{k}} = \sum_j w^{(2)}_{kj} \delta^{(2)}_j",
]


@pytest.mark.parametrize("claim", ELEMENT_FORMS)
def test_an_element_claim_decided_at_once_agrees_with_the_one_by_one_verdict(claim, monkeypatch):
    """The projection's verdict on an element claim with free letters equals the one-by-one verdict on a square
    network where both run: the verdict, the diagnosis and the entry first shown wrong."""
    from symbackprop.verify import claim_binding

    net = Network(layers=[3, 3, 3], activation="sigmoid", cost="sse")
    exact = verify_claim(net, claim)
    monkeypatch.setattr(claim_binding, "MAX_CASES", 1)
    projected = verify_claim(net, claim)
    assert projected.verdict == exact.verdict
    assert (projected.diagnosis and projected.diagnosis.kind) == (exact.diagnosis and exact.diagnosis.kind)
    if exact.verdict == "correct":
        assert "entries at once" in projected.method
