"""Training runs for a spec's claims, each computed once, and the slips a published number may follow from.

``[claims.after.K]`` holds numbers a source printed after K updates; ``[claims.updated]`` and
``[claims.step_size]`` the first update. A number that is not the right one is traced, where
it can be, to the usual slip of a worked example: each slip is a ``Variant`` of the run, and
is named only when the run taken that way reproduces the number to its printed precision.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import cast

import numpy as np

from ..base.errors import SpecError
from ..model.network import Network
from ..model.spec import Values
from ..model.training import Training
from .claim_table import Claim, Numbers, matches
from .training import AS_GIVEN, Run, Variant, train

MAX_ORDERS = 24  # samples reordered: every order of up to 4 samples, else the reversed one and each rotation


@dataclass(frozen=True)
class Slip:
    """A way to recompute a number: a run ``variant``, or the right run read ``offset`` steps off."""

    words: str
    variant: Variant = AS_GIVEN
    offset: int = 0


class Trained:
    """The spec's training run up to ``steps`` updates, and its variants, each trained once when first asked."""

    def __init__(self, net: Network, values: Values, training: Training, steps: int) -> None:
        self.net, self.values = net, values
        self.training = replace(training, steps=steps)
        self.runs: dict[Variant, Run] = {}

    def state(self, k: int, variant: Variant = AS_GIVEN) -> tuple[Values, float]:
        """The parameters after k updates and the mean cost there."""
        run = self.run(variant)
        return run.states[k], float(run.trajectory[k])

    def run(self, variant: Variant = AS_GIVEN) -> Run:
        if variant not in self.runs:
            self.runs[variant] = train(self.net, self.values, self.training, range(self.training.steps + 1), variant)
        return self.runs[variant]

    def slips(self, offsets: bool) -> Iterator[Slip]:
        """The slips a source may have made in this run, the likeliest first; ``offsets`` adds the run read one
        step early or late (for numbers after K steps)."""
        yield from run_slips(self.net, self.values, self.training)
        if offsets:
            yield Slip("the value after one update fewer", offset=-1)
            yield Slip("the value after one update more", offset=1)


def run_slips(net: Network, values: Values, training: Training) -> Iterator[Slip]:
    """The usual slips of a worked example, as variants of a run."""
    samples = values.x.shape[0]
    if net.depth >= 2:
        yield Slip("the output weights updated before the hidden deltas were computed from them", Variant(ahead=True))
    if values.biases:
        held = not training.update_biases
        yield Slip("the biases updated too" if held else "the biases not updated", Variant(update_biases=held))
    if samples > 1:
        yield Slip("the sum over the samples taken instead of their mean", Variant(summed=True))
    yield Slip("the learning rate applied twice (eta squared for eta)", Variant(rate_power=2))
    yield Slip("the learning rate left out (eta taken as 1)", Variant(rate_power=0))
    if training.batch == "sample" and samples > 1:
        for order in _orders(samples):
            shown = ", ".join(str(i + 1) for i in order)
            yield Slip(f"the samples taken in the order {shown}", Variant(order=order))


def _orders(samples: int) -> list[tuple[int, ...]]:
    given = tuple(range(samples))
    if samples <= 4:
        return [p for p in itertools.permutations(given) if p != given][:MAX_ORDERS]
    rotations = [given[k:] + given[:k] for k in range(1, samples)]
    return [given[::-1], *rotations][:MAX_ORDERS]


def one_step(training: Training | None) -> Training:
    """The run behind ``[claims.updated]`` and ``[claims.step_size]``: one step of plain gradient descent, biases
    updated as the spec's [training] says (all of them without one)."""
    update_biases = training.update_biases if training is not None else True
    return Training(steps=1, update_biases=update_biases)


class Replay:
    """The engine's value of each claim that takes an update (updated, step_size, after.K), as specified or under
    a slip, and the slip that gives a printed number, if one does."""

    def __init__(self, exact: Numbers, claims: list[Claim]) -> None:
        net, values, training = exact.net, exact.values, exact.net.spec.training
        self.exact = exact
        last = max((c.steps for c in claims if c.steps is not None), default=None)
        self.after = None if last is None else Trained(net, values, training or Training(), last + 1)
        rate = values.learning_rate
        self.first = Trained(net, values, one_step(training), 1) if rate is not None else None
        self.unit = Trained(net, replace(values, learning_rate=1.0), Training(steps=1), 1)

    def value(self, claim: Claim, slip: Slip | None = None) -> float:
        """The claim's value, the run taken as ``slip`` says (NaN where it says nothing of this claim)."""
        slip = slip or Slip("as specified")
        if claim.steps is not None:
            return self._after(claim, slip)
        if claim.part in ("updated", "step_size") and self.first is not None and not slip.offset:
            before, after = self._one_update(self.first, claim, slip)
            return after if claim.part == "updated" else before - after
        if claim.part == "gradients" and claim.quantity.kind in "wb" and slip.variant in _GRADIENT_SLIPS:
            before, after = self._one_update(self.unit, claim, slip)
            return before - after
        return float("nan")

    def _after(self, claim: Claim, slip: Slip) -> float:
        trained = self.after
        steps = cast(int, claim.steps) + slip.offset
        if trained is None or not 0 <= steps <= trained.training.steps:
            return float("nan")
        state, cost = trained.state(steps, slip.variant)
        return cost if claim.part == "cost" else self.exact.at(state).of(claim)

    def _one_update(self, trained: Trained, claim: Claim, slip: Slip) -> tuple[float, float]:
        state, _ = trained.state(1, slip.variant)
        return self.exact.parameter(claim.quantity), self.exact.at(state).parameter(claim.quantity)

    def slip(self, claim: Claim, allowed: Decimal) -> str:
        """The slips whose runs reproduce the printed number to its precision, in words ("" for none); where
        several give the same number, each is named."""
        if claim.steps is not None:
            trained = self.after
        else:
            trained = {"updated": self.first, "step_size": self.first, "gradients": self.unit}.get(claim.part)
        if trained is None:
            return ""
        found = []
        with np.errstate(all="ignore"):
            for slip in trained.slips(offsets=claim.steps is not None):
                try:
                    if matches(self.value(claim, slip), claim.number, allowed):
                        found.append(slip.words)
                except SpecError:  # a run that overflows under this slip explains nothing
                    continue
        return "; or ".join(found)


_GRADIENT_SLIPS = (Variant(ahead=True), Variant(summed=True))
