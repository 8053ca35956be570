"""Training runs: the spec's parameters after any number of optimizer steps, as torch.optim takes them.

Each step computes the gradient of the mean cost at the current parameters (``descent``) and
updates every weight (and bias, unless the run holds them fixed) by the optimizer's rule,
written the way PyTorch writes it (torch.optim.SGD with momentum, dampening and Nesterov,
RMSprop, Adam; weight decay added to the gradient), so that a run agrees with PyTorch's to
rounding. The tests hold them equal over 100 steps on random networks.

A ``Variant`` recomputes a run the way a common slip takes it (the learning rate squared or
left out, the sum over the samples for the mean, the biases updated or not, the hidden deltas
computed from updated weights, the samples in another order), so that a published number
that is not the right one can be traced to its cause.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..base.errors import SpecError
from ..model.network import Network
from ..model.spec import Values
from ..model.training import Training
from .descent import Arrays, LayerGradient
from .numbers import bias_list


@dataclass(frozen=True)
class Variant:
    """A run as a slip takes it; ``Variant()`` is the run as specified."""

    rate_power: int = 1  # 2: the learning rate applied twice; 0: not at all
    summed: bool = False  # the sum over the samples where the mean belongs
    ahead: bool = False  # each layer's weights updated before the layer below's delta is computed from them
    update_biases: bool | None = None  # the opposite of the run's
    order: tuple[int, ...] | None = None  # one sample per update: the samples in this order


AS_GIVEN = Variant()  # the run as the spec gives it


@dataclass(frozen=True, eq=False)
class Run:
    """A training run: the mean cost before each step and after the last, and the parameters after the
    steps asked for (``states[k]``: the Values after k updates; ``states[0]`` the spec's own)."""

    trajectory: np.ndarray
    states: dict[int, Values] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return len(self.trajectory) - 1

    @property
    def last(self) -> Values:
        return self.states[self.steps]


def train(
    net: Network, values: Values, training: Training, record: Iterable[int] = (), variant: Variant = AS_GIVEN
) -> Run:
    """Train ``values`` for ``training.steps`` steps; keep the parameters after each step in ``record`` and the last.

    >>> from symbackprop.model.network import Network
    >>> from symbackprop.model.training import Training
    >>> net = Network.from_toml("example:mazur")
    >>> run = train(net, net.spec.values, Training(steps=1, update_biases=False))
    >>> round(float(run.trajectory[0]), 9), round(float(run.trajectory[1]), 9)
    (0.298371109, 0.291027774)
    """
    if values.learning_rate is None:
        raise SpecError("training: the spec's [values] needs a learning_rate")
    steps = training.steps
    keep = {k for k in record if 0 <= k <= steps} | {0, steps}
    update_biases = training.update_biases if variant.update_biases is None else variant.update_biases
    rate = values.learning_rate**variant.rate_power
    optimizer = _Optimizer(training, rate)
    gradient = LayerGradient(net)
    weights = [w.copy() for w in values.weights]
    biases = [b.copy() for b in values.biases]
    order = variant.order or (tuple(range(values.x.shape[0])) if training.batch == "sample" else None)
    trajectory = np.empty(steps + 1)
    states = {0: values} if 0 in keep else {}
    ahead = rate if variant.ahead else None
    scale = values.x.shape[0] if variant.summed else 1
    with np.errstate(all="ignore"):  # a run that overflows is the SpecError below
        for step in range(steps):
            x, y = _batch(values, order, step)
            result = gradient(x, y, weights, biases, ahead)
            trajectory[step] = _mean_cost(net, values, weights, biases, result.costs, order is not None, gradient)
            grads = [g * scale for g in result.weights] + ([g * scale for g in result.biases] if update_biases else [])
            optimizer.step(weights + (biases if update_biases else []), grads)
            if step + 1 in keep:
                states[step + 1] = replace(values, weights=_frozen(weights), biases=_frozen(biases))
        trajectory[steps] = float(np.mean(gradient.costs(values.x, values.y, weights, biases)))
    _require_finite(trajectory, weights + biases)
    return Run(trajectory, states)


def _batch(values: Values, order: tuple[int, ...] | None, step: int) -> tuple[np.ndarray, np.ndarray]:
    if order is None:
        return values.x, values.y
    i = order[step % len(order)]
    return values.x[i : i + 1], values.y[i : i + 1]


def _mean_cost(
    net: Network, values: Values, weights: Arrays, biases: Arrays, costs: np.ndarray, one: bool, gradient: LayerGradient
) -> float:
    """The mean cost over every sample before a step (a step on one sample computed only its own)."""
    if not one or values.x.shape[0] == 1:
        return float(np.mean(costs))
    return float(np.mean(gradient.costs(values.x, values.y, weights, biases)))


def _frozen(arrays: Arrays) -> tuple[np.ndarray, ...]:
    return tuple(a.copy() for a in arrays)


def _require_finite(trajectory: np.ndarray, params: Arrays) -> None:
    """A run past float64's range is refused: a cost, or a parameter (which can overflow while the cost stays
    finite, a saturated sigmoid's), that is inf or nan."""
    bad = np.flatnonzero(~np.isfinite(trajectory))
    if bad.size:
        raise SpecError(
            f"training: the cost overflows after {_updates(int(bad[0]))} (inf/nan in float64); "
            "use a smaller learning_rate or fewer steps"
        )
    if not all(np.all(np.isfinite(p)) for p in params):
        raise SpecError(
            f"training: the parameters overflow within {_updates(len(trajectory) - 1)} (inf/nan in float64); "
            "use a smaller learning_rate or fewer steps"
        )


def _updates(count: int) -> str:
    return f"{count} update{'' if count == 1 else 's'}"


class _Optimizer:
    """torch.optim's update rules, one state per parameter array, in place."""

    def __init__(self, training: Training, rate: float) -> None:
        self.t, self.rate, self.count = training, rate, 0
        self.first: Arrays = []  # momentum buffers or Adam's first moments
        self.second: Arrays = []  # RMSprop's and Adam's mean squares

    def step(self, params: Arrays, grads: Arrays) -> None:
        t = self.t
        self.count += 1
        if t.weight_decay:
            grads = [g + t.weight_decay * p for g, p in zip(grads, params, strict=True)]
        if self.count == 1:
            self.first = [np.zeros_like(p) for p in params]
            self.second = [np.zeros_like(p) for p in params]
        rule = {"adam": self._adam, "rmsprop": self._rmsprop}.get(t.optimizer, self._sgd)
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            rule(i, p, g)

    def _sgd(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        t = self.t
        if t.momentum:
            buf = g.copy() if self.count == 1 else self.first[i] * t.momentum + (1 - t.dampening) * g
            self.first[i] = buf
            g = g + t.momentum * buf if t.nesterov else buf
        p -= self.rate * g

    def _rmsprop(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        t = self.t
        self.second[i] = self.second[i] * t.alpha + (1 - t.alpha) * g * g
        avg = np.sqrt(self.second[i]) + t.eps
        if t.momentum:
            self.first[i] = self.first[i] * t.momentum + g / avg
            p -= self.rate * self.first[i]
        else:
            p -= self.rate * g / avg

    def _adam(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        t = self.t
        self.first[i] = self.first[i] + (g - self.first[i]) * (1 - t.beta1)
        self.second[i] = self.second[i] * t.beta2 + (1 - t.beta2) * g * g
        step_size = self.rate / (1 - t.beta1**self.count)
        denom = np.sqrt(self.second[i]) / np.sqrt(1 - t.beta2**self.count) + t.eps
        p -= step_size * self.first[i] / denom


def report(net: Network, values: Values, training: Training) -> dict[str, Any]:
    """A run for ``evaluate``: how it was trained, the mean cost before each step and after the last
    (``trajectory``), and the parameters and cost after the last step (``after``), shaped as the spec's."""
    run = train(net, values, training)
    last = run.last
    return {
        "training": training.describe(),
        "trajectory": [float(c) for c in run.trajectory],
        "after": {
            "weights": [w.tolist() for w in last.weights],
            "biases": bias_list(net, last.biases),
            "cost": float(run.trajectory[-1]),
        },
    }
