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
from .claim_table import Claim, Numbers, matches, parameter_in
from .descent import LayerGradient
from .training import AS_GIVEN, Run, Variant, train

MAX_ORDERS = 6  # samples reordered: every other order of up to 3 samples, else the reversed one and rotations
AHEAD = "the output weights updated before the hidden deltas were computed from them"
# A slip is searched by replaying the run once per slip: runs longer than these are not replayed
SLIP_STEPS = 50_000
SLIP_WORK = 5_000_000  # updates times parameters
UNSEARCHED = "not traced to a slip: the run is longer than the search replays ({:,} updates, {:,} parameter updates)"


@dataclass(frozen=True)
class Slip:
    """A way to recompute a number: a run ``variant``, or the right run read ``offset`` steps off."""

    words: str
    variant: Variant = AS_GIVEN
    offset: int = 0
    total: bool = False  # the cost summed over the samples where their mean was meant


TOTAL = Slip("the total cost over the samples printed instead of their mean", total=True)


class Trained:
    """The spec's training run up to ``steps`` updates, and its variants, each trained once when first asked."""

    def __init__(self, net: Network, values: Values, training: Training, steps: int, keep: set[int]) -> None:
        self.net, self.values, self.keep = net, values, keep
        self.training = replace(training, steps=steps)
        self.runs: dict[Variant, Run] = {}

    @property
    def searchable(self) -> bool:
        """Whether replaying the run under each slip stays within the search's bounds."""
        steps = self.training.steps
        return steps <= SLIP_STEPS and steps * len(self.net.parameters()) <= SLIP_WORK

    def state(self, k: int, variant: Variant = AS_GIVEN) -> tuple[Values, float]:
        """The parameters after k updates and the mean cost there."""
        run = self.run(variant)
        return run.states[k], float(run.trajectory[k])

    def run(self, variant: Variant = AS_GIVEN) -> Run:
        if variant not in self.runs:
            self.runs[variant] = train(self.net, self.values, self.training, self.keep, variant)
        return self.runs[variant]

    def slips(self, offsets: bool) -> Iterator[Slip]:
        """The slips a source may have made in this run, the likeliest first; ``offsets`` adds the run read one
        step early or late (for numbers after K steps)."""
        yield from run_slips(self.net, self.values, self.training)
        if offsets:
            yield from self.offsets()

    def offsets(self) -> Iterator[Slip]:
        """The run as specified, read one update early or late."""
        yield Slip("the value after one update fewer", offset=-1)
        yield Slip("the value after one update more", offset=1)


def run_slips(net: Network, values: Values, training: Training) -> Iterator[Slip]:
    """The usual slips of a worked example, as variants of a run."""
    samples = values.x.shape[0]
    if net.depth >= 2 and training.plain_descent:  # the slip of a hand-worked step
        yield Slip(AHEAD, Variant(ahead=True))
    if values.biases:
        held = not training.update_biases
        yield Slip("the biases updated too" if held else "the biases not updated", Variant(update_biases=held))
    if samples > 1 and training.batch == "full":
        yield Slip("the sum over the samples taken instead of their mean", Variant(summed=True))
    yield Slip("the learning rate applied twice (eta squared for eta)", Variant(rate_power=2))
    yield Slip("the learning rate left out (eta taken as 1)", Variant(rate_power=0))
    if training.batch == "sample" and samples > 1:
        for order in _orders(samples):
            shown = ", ".join(str(i + 1) for i in order)
            yield Slip(f"the samples taken in the order {shown}", Variant(order=order))


def _orders(samples: int) -> list[tuple[int, ...]]:
    given = tuple(range(samples))
    if samples <= 3:
        return [p for p in itertools.permutations(given) if p != given]
    rotations = [given[k:] + given[:k] for k in range(1, samples)]
    return [given[::-1], *rotations][:MAX_ORDERS]


def unsearched(replay: Replay, claim: Claim) -> str:
    """Why a wrong number after K updates was not traced to a slip, or "" where it was searched."""
    trained = replay.after
    if claim.steps is None or trained is None or trained.searchable:
        return ""
    return UNSEARCHED.format(SLIP_STEPS, SLIP_WORK)


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
        asked = {c.steps for c in claims if c.steps is not None}
        keep = {k + offset for k in asked for offset in (-1, 0, 1)}  # a slip may read one update early or late
        last = max(asked, default=None)
        self.after = None if last is None else Trained(net, values, training or Training(), last + 1, keep)
        rate = values.learning_rate
        self.first = Trained(net, values, one_step(training), 1, {1}) if rate is not None else None

    def value(self, claim: Claim, slip: Slip | None = None) -> float:
        """The claim's value, the run taken as ``slip`` says (NaN where it says nothing of this claim)."""
        slip = slip or Slip("as specified")
        if slip.total:
            plain = self.value(claim, replace(slip, total=False)) if claim.part == "cost" else float("nan")
            return self.exact.values.x.shape[0] * plain
        if claim.part == "cost" and claim.steps is None:
            return self.exact.of(claim)
        if claim.steps is not None:
            return self._after(claim, slip)
        if claim.part in ("updated", "step_size") and self.first is not None and not slip.offset:
            before, after = self._one_update(self.first, claim, slip)
            return after if claim.part == "updated" else before - after
        if claim.part == "gradients" and claim.quantity.kind in "wb":
            return self._gradient(claim, slip.variant)
        return float("nan")

    def _after(self, claim: Claim, slip: Slip) -> float:
        trained = self.after
        steps = cast(int, claim.steps) + slip.offset
        if trained is None or not 0 <= steps <= trained.training.steps:
            return float("nan")
        state, cost = trained.state(steps, slip.variant)
        return cost if claim.part == "cost" else self.exact.at(state).of(claim)

    def _gradient(self, claim: Claim, variant: Variant) -> float:
        """dC/d(parameter) as a slip takes it: the sum for the mean, or the hidden deltas worked from weights
        already updated at the spec's learning rate."""
        exact, values = self.exact, self.exact.values
        if variant.summed:
            return values.x.shape[0] * exact.gradient(claim.quantity)
        if not variant.ahead or values.learning_rate is None:
            return float("nan")
        step = LayerGradient(exact.net)(values.x, values.y, values.weights, values.biases, values.learning_rate)
        return parameter_in(exact.net, step.weights, step.biases, claim.quantity)

    def _one_update(self, trained: Trained, claim: Claim, slip: Slip) -> tuple[float, float]:
        state, _ = trained.state(1, slip.variant)
        return self.exact.parameter(claim.quantity), self.exact.at(state).parameter(claim.quantity)

    def _candidates(self, claim: Claim, trained: Trained | None) -> list[Slip] | None:
        """The slips to try for a claim (None: it has none, or its run is too long to replay)."""
        total = [TOTAL] if claim.part == "cost" and self.exact.values.x.shape[0] > 1 else []
        if claim.steps is None and claim.part == "cost":
            return total
        if claim.steps is None and claim.part == "gradients":
            return [s for s in self._run_slips() if s.variant.ahead or s.variant.summed]
        if trained is None or not trained.searchable:
            return None
        if claim.steps is None and claim.part not in ("updated", "step_size"):
            return None
        return [*trained.slips(offsets=False), *total]

    def _run_slips(self) -> list[Slip]:
        net, values = self.exact.net, self.exact.values
        return list(run_slips(net, values, net.spec.training or Training()))

    def _gives(self, claim: Claim, slip: Slip, allowed: Decimal) -> bool:
        try:
            return matches(self.value(claim, slip), claim.number, allowed)
        except SpecError:  # a run that overflows under this slip explains nothing
            return False

    def slip(self, claim: Claim, allowed: Decimal) -> str:
        """The slips whose runs reproduce the printed number to its precision, in words ("" for none); where
        several give the same number, each is named."""
        trained = self.after if claim.steps is not None else self.first
        candidates = self._candidates(claim, trained)
        if candidates is None:
            return ""
        with np.errstate(all="ignore"):
            if self._gives(claim, Slip("as specified"), allowed):
                return ""  # the run as specified gives it: no slip to name
            found = [slip.words for slip in candidates if self._gives(claim, slip, allowed)]
            if not found and trained is not None and claim.steps is not None:
                found = [slip.words for slip in trained.offsets() if self._gives(claim, slip, allowed)]
        return "; or ".join(found)
