"""Claims on large networks (784-16-10, the homework networks): decided at random points modulo p with the forward
pass worked out at each, the chance of error stated; a wrong claim incorrect with a counterexample at real values
the spec allows, checked here against PyTorch's autograd; and the field decision agreeing with the symbolic one
wherever both can run."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop.derive.derivation import derive
from symbackprop.model.network import Network
from symbackprop.model.references import Ref
from symbackprop.model.symbols import ActivationPrimeBase
from symbackprop.numeric import numbers as numeric
from symbackprop.prove import field_network
from symbackprop.prove.equivalence import decide
from symbackprop.verify import verify_claim

MNIST = Network([784, 16, 10], activation="sigmoid", cost="mse")
OUTPUT_RIGHT = (
    r"\frac{\partial C_0}{\partial w_{00}^{(L)}} = \frac{2}{10}(a_0^{(L)} - y_0) a_0^{(L)}(1-a_0^{(L)}) a_0^{(1)}"
)
HIDDEN_RIGHT = (
    r"\frac{\partial C_0}{\partial w_{00}^{(1)}} = \sum_j \frac{2}{10}(a_j^{(2)} - y_j) a_j^{(2)}(1-a_j^{(2)}) "
    r"w_{j0}^{(2)} a_0^{(1)}(1-a_0^{(1)}) a_0^{(0)}"
)
ACTIVATION_RIGHT = (
    r"\frac{\partial C_0}{\partial a_0^{(1)}} = \sum_j \frac{2}{10}(a_j^{(2)} - y_j) \sigma'(z_j^{(2)}) w_{j0}^{(2)}"
)


def torch_gradient(net: Network, values: numeric.Values, layer: int, j: int, k: int) -> float:
    """dC_0/dw_jk^(layer) by PyTorch's autograd: sigmoid layers, the mse cost (numbered from 0)."""
    weights = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in values.weights]
    biases = [torch.tensor(b, dtype=torch.float64) for b in values.biases]
    a = torch.tensor(values.x[0], dtype=torch.float64)
    for w, b in zip(weights, biases, strict=True):
        a = torch.sigmoid(w @ a + b)
    cost = ((a - torch.tensor(values.y[0], dtype=torch.float64)) ** 2).mean()
    cost.backward()
    return float(weights[layer - 1].grad[j, k])


@pytest.mark.parametrize("claim", [OUTPUT_RIGHT, HIDDEN_RIGHT, ACTIVATION_RIGHT], ids=["output", "hidden", "a"])
def test_right_claims_on_784_16_10_are_correct_in_seconds_with_the_chance_of_error_stated(claim):
    start = time.monotonic()
    report = verify_claim(MNIST, claim)
    assert report.verdict == "correct", report.method
    assert "modulo p = 2^61 - 1" in report.method and "a wrong claim passes with probability at most" in report.method
    assert time.monotonic() - start < 60  # seconds on an idle machine; loose for a shared one


def test_a_missing_sigma_prime_on_784_16_10_is_incorrect_at_a_real_point_autograd_agrees_with():
    claim = r"\frac{\partial C_0}{\partial w_{00}^{(L)}} = \frac{2}{10}(a_0^{(L)} - y_0) a_0^{(1)}"
    report = verify_claim(MNIST, claim)
    assert report.verdict == "incorrect"
    assert report.diagnosis is not None and report.diagnosis.kind == "activation_derivative_missing"
    found = report.counterexample
    assert found is not None and abs(found.claim - found.expected) > 1e-6
    values = numeric.random_values(MNIST, samples=1, seed=0)  # the point the counterexample is at
    assert found.expected == pytest.approx(torch_gradient(MNIST, values, 2, 0, 0), rel=1e-9)
    at = dict(found.at)
    forward = numeric.forward(MNIST, values)
    assert at[MNIST.symbol(Ref("a", 2, (0,)))] == pytest.approx(forward.a[2][0][0])
    assert found.claim == pytest.approx(0.2 * (forward.a[2][0][0] - values.y[0][0]) * forward.a[1][0][0])


def test_a_hidden_weight_with_the_wrong_index_on_784_16_10_is_incorrect_and_diagnosed():
    claim = ACTIVATION_RIGHT.replace("w_{j0}^{(2)}", "w_{0j}^{(2)}")
    report = verify_claim(MNIST, claim)
    assert report.verdict == "incorrect"
    assert report.diagnosis is not None and report.diagnosis.kind == "sum_wrong_index"


@pytest.mark.parametrize(
    ("layers", "claim"),
    [
        ((4, 5, 3), r"\frac{\partial C_0}{\partial w_{00}^{(L)}} = (a_0^{(L)} - y_0) a_0^{(1)}"),
        (
            (4, 5, 5, 3),
            r"\frac{\partial C_0}{\partial w_{00}^{(1)}} = \sum_j \sum_k (a_j^{(L)} - y_j) w_{jk}^{(L)} "
            r"(1-(a_k^{(2)})^2) w_{k0}^{(2)} (1 - (a_0^{(1)})^2) a_0^{(0)}",
        ),
    ],
    ids=["iris-4-5-3", "4-5-5-3"],
)
def test_the_homework_networks_take_claims_under_one_hot_targets(layers, claim):
    net = Network(list(layers), activation=["tanh"] * (len(layers) - 2) + ["softmax"], cost="cross_entropy")
    one_hot = Network(list(layers), activation=net.spec.activations, cost="cross_entropy", targets="one-hot")
    assert field_network.is_large(net)
    assert verify_claim(one_hot, claim).verdict == "correct"
    plain = verify_claim(net, claim)  # without the assumption, a_j - y_j is wrong: shown at real targets
    assert plain.verdict == "incorrect" and plain.counterexample is not None


ELEMENTWISE = ["sigmoid", "tanh", "softplus", "identity"]


@st.composite
def small_networks(draw):
    depth = draw(st.integers(1, 3))
    layers = [draw(st.integers(1, 3)) for _ in range(depth + 1)]
    last = draw(st.sampled_from([*ELEMENTWISE, "softmax"] if layers[-1] > 1 else ELEMENTWISE))
    activation = [draw(st.sampled_from(ELEMENTWISE)) for _ in range(depth - 1)] + [last]
    cost = draw(st.sampled_from(["mse", "sse", "cross_entropy"] if last == "softmax" else ["mse", "half_sse"]))
    net = Network(layers, activation=activation, cost=cost)
    kind = draw(st.sampled_from(["w", "b", "a"] if depth > 1 else ["w", "b"]))
    layer = draw(st.integers(1, depth - 1 if kind == "a" else depth))
    j = draw(st.integers(0, layers[layer] - 1))
    ref = Ref(kind, layer, (j, draw(st.integers(0, layers[layer - 1] - 1))) if kind == "w" else (j,))
    return net, ref


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_networks(), st.sampled_from(["right", "double", "prime_missing"]))
def test_the_field_decision_agrees_with_the_symbolic_one_on_random_networks(case, change):
    """Where both can run, points modulo p decide as cancelling symbolically does: a right result equal, a result
    doubled or with its activation's derivatives dropped not equal (each decided independently of the other)."""
    net, ref = case
    d = derive(net, ref)
    primes = d.result.atoms(ActivationPrimeBase)
    mistaken = {
        "right": d.result,
        "double": 2 * d.result,
        "prime_missing": d.result.xreplace({p: sp.Integer(1) for p in primes}),
    }[change]
    symbolic = decide(net, mistaken, d.result, d.start)
    field, _ = field_network.field_decision(net, mistaken, d.result, d.start, None)
    assert field == symbolic.equal


def test_a_network_past_the_bound_is_refused_in_one_line(cmdline):
    done = cmdline.run("verify", "--layers", "4096,4096,4096", "--claim", OUTPUT_RIGHT)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "claims are checked on networks of up to 250,000" in done.stderr


def test_a_hostile_claim_on_784_16_10_stops_cleanly_in_one_line(tmp_path, cmdline):
    sums = "".join(rf"\sum_{{{c}}}" for c in "ijklm") + r" w_{ij}^{(2)} w_{kl}^{(1)} a_m^{(1)}"
    done = cmdline.process(
        "verify", "--layers", "784,16,10", "--wrt", "w_{00}^{(L)}", "--claim", sums, "--time-limit", "60", cwd=tmp_path
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_values_of_the_forward_pass_are_the_float_forward_pass():
    """The counterexample's point is numeric.forward's: the field's forward pass is checked by the verdicts."""
    at, values = field_network.real_values(MNIST, 3)
    forward = numeric.forward(MNIST, values)
    assert np.allclose([at[MNIST.symbol(Ref("z", 1, (j,)))] for j in range(16)], forward.z[0][0])
