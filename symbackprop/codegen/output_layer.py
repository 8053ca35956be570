"""The output layer's cost and delta from its logits, for the activation and cost pairs that have a stable form.

With a softmax or sigmoid output and a cost that takes a logarithm of it, ln a is computed from z itself
(log-softmax; ln sigmoid(z) = -softplus(-z)), so a saturated output, a logit gap of 1,000 or 10^6, gives the
finite cost and gradient PyTorch's ``F.cross_entropy`` and ``binary_cross_entropy_with_logits`` give, never a
logarithm of 0. The delta is the matrix form's BP1 multiplied out (the Jacobian of the activation times the
gradient of the cost), which needs no division by a:

- softmax, cross-entropy: a_j sum_k y_k - y_j, which is the familiar a - y when each sample's targets sum to 1
  (the matrix form's simplified delta); the code keeps the sum, so it holds for any targets;
- sigmoid, cross-entropy (-sum y ln a): -y (1 - a);
- sigmoid, binary cross-entropy: a - y.

Each is tested against the element formulas, finite differences and PyTorch autograd.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FromLogits:
    """The statements of one output activation and cost pair: {L} is the output layer, {m} the backend's module."""

    forward: tuple[str, ...]  # A^(L) (and what the cost needs) from Z^(L)
    cost: str  # the mean cost over the n samples
    delta: tuple[str, ...]  # Delta^(L), carrying the 1/n of the mean
    comment: tuple[str, ...]  # the delta in words, ending "; then BP4 and BP3"


PAIRS = {
    ("softmax", "cross_entropy"): FromLogits(
        ("LS{L} = _log_softmax(Z{L})", "A{L} = {m}.exp(LS{L})"),
        "-(Y * LS{L}).sum() / n",
        ("Delta{L} = A{L} * _row_sums(Y)", "Delta{L} -= Y", "Delta{L} *= (1/n)"),
        ("(a sum_k y_k - y) / n,", "(a - y) / n when each sample's targets sum to 1; then BP4 and BP3"),
    ),
    ("sigmoid", "cross_entropy"): FromLogits(
        ("A{L} = _sigmoid(Z{L})",),
        "(Y * _softplus(-Z{L})).sum() / n",
        ("Delta{L} = A{L} - 1.0", "Delta{L} *= Y", "Delta{L} *= (1/n)"),
        ("-y (1 - a) / n; then BP4 and BP3",),
    ),
    ("sigmoid", "binary_cross_entropy"): FromLogits(
        ("A{L} = _sigmoid(Z{L})",),
        "(_softplus(Z{L}) - Y * Z{L}).sum() / n",
        ("Delta{L} = A{L} - Y", "Delta{L} *= (1/n)"),
        ("(a - y) / n; then BP4 and BP3",),
    ),
}


def from_logits(activation: str, cost: str) -> FromLogits | None:
    """The logits form of this output activation and cost, or None when the pair has none."""
    return PAIRS.get((activation, cost))


def filled(template: str, layer: int, module: str) -> str:
    """A template's source for output layer ``layer`` in ``module``."""
    return template.replace("{L}", str(layer)).replace("{m}", module)
