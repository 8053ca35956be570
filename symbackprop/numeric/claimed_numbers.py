"""The numbers a worked example published, checked against the engine's values.

A spec's ``[claims]`` table holds the cost, forward values, gradients and updated
parameters a source printed. Each agrees when it is within half a unit of its last written
decimal place (0.3833 stands for 0.38325 to 0.38335), or within the table's ``tolerance``.
A number that misses, but is what one gets by carrying the source's rounded intermediate
numbers forward, is told apart from a mistake of method.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import cast

import numpy as np

from ..base.errors import SpecError
from ..model.network import Network
from ..model.references import Ref
from . import by_hand
from . import numbers as numeric
from .claim_table import Claim, Numbers, matches, read
from .claimed_training import AHEAD, Replay, unsearched

CONFIRMED, CARRIED, WRONG = "confirmed", "rounding carried forward", "wrong"
_WORKED = ("cost", "values", "gradients", "updated")  # the sections a source works by hand, rounding as it goes


@dataclass(frozen=True)
class NumberCheck:
    """One claimed number against the computed one."""

    section: str  # "cost", "values", "gradients" or "updated"
    reference: str  # as the spec wrote it
    ref: Ref | None  # None for the cost
    claimed: Decimal
    computed: float
    tolerance: Decimal
    verdict: str
    note: str = ""
    by_tolerance: bool = False  # the table's tolerance, not half a unit of the last written place
    carried: Carried | None = None  # for rounding carried forward: how the number follows
    over: Ref | None = None  # a local factor's denominator (``ref`` its numerator, None for the cost)
    steps: int | None = None  # for a number after some updates (``[claims.after.K]``): K
    slip: str = ""  # for a wrong number: the slip that reproduces it, in words


@dataclass(frozen=True)
class Carried:
    """How a missed number follows from rounded ones: in words, at what precision, and the last step worked
    (a sum of products of the numbers as written, empty where the step is a forward pass)."""

    how: str
    rounding: by_hand.Rounding | None  # None: nothing rounded here, the printed numbers taken as they are
    terms: by_hand.Terms
    gives: float
    first: float | None = None  # with several samples: what the terms give for the first, ``gives`` being the mean
    samples: int = 1
    slip: str = ""  # a mistake of method the working follows (the printed number is then wrong), in words

    @property
    def note(self) -> str:
        if not self.terms:
            return self.how
        if self.samples > 1:
            # several samples come only from a gradient worked by hand (``_gradients``): its first and its rounding
            first, rounding = cast(float, self.first), cast(by_hand.Rounding, self.rounding)
            return (
                f"{self.how}: for the first sample {by_hand.formula(self.terms)} = {by_hand.ten_digits(first)}, "
                f"written {rounding.text(first)}; the mean of the {self.samples} samples' written results "
                f"is {by_hand.ten_digits(self.gives)}"
            )
        return f"{self.how}: {by_hand.formula(self.terms)} = {by_hand.ten_digits(self.gives)}"


def check_numbers(net: Network) -> list[NumberCheck]:
    """Every number in the spec's [claims] table, checked, in the table's order (cost first)."""
    values = net.spec.values
    table = net.spec.extras.get("claims")
    if table is None:
        raise SpecError("the spec has no [claims] table; add one, or give --claim 'LATEX' to check a formula")
    if values is None:
        raise SpecError("claims: the spec needs a [values] table for its numbers to be checked")
    tolerance, claims = read(net, table)
    exact = Numbers(net, values, numeric.forward(net, values))
    replay = Replay(exact, claims)
    computed = [_finite(claim, replay.value(claim) if claim.steps is not None else exact.of(claim)) for claim in claims]
    allowed = [tolerance if tolerance is not None else half_unit(claim.number) for claim in claims]
    agreed = [_matches(c, claim.number, a) for c, claim, a in zip(computed, claims, allowed, strict=True)]
    carried = _Carrying(exact, claims, agreed).explain_all(allowed, computed)
    checks = []
    for n, claim in enumerate(claims):
        how = carried.get(n)
        verdict, note = _verdict(agreed[n], how, _like_a_mistake(claim, computed[n], allowed[n]))
        how = how if verdict == CARRIED else None
        slip = carried[n].slip if n in carried else replay.slip(claim, allowed[n]) if verdict == WRONG else ""
        note = note or (f"reproduced with a slip: {slip}" if slip else "")
        note = note or (unsearched(replay, claim) if verdict == WRONG else "")
        row = NumberCheck(*_row(claim), computed[n], allowed[n], verdict, note, tolerance is not None, how)
        checks.append(replace(row, over=claim.over, steps=claim.steps, slip=slip))
    return checks


def _finite(claim: Claim, computed: float) -> float:
    if not np.isfinite(computed):
        raise SpecError(
            f"claims.{claim.section}: the value of {claim.reference} overflows with these values ({computed}); "
            "no number can be checked against it"
        )
    return computed


def _row(claim: Claim) -> tuple[str, str, Ref | None, Decimal]:
    return claim.section, claim.reference, claim.ref, claim.number


def half_unit(number: Decimal) -> Decimal:
    """Half a unit of the last written decimal place: 0.3833 gives 0.00005, 12 gives 0.5."""
    exponent = number.as_tuple().exponent
    return Decimal(5).scaleb(int(exponent) - 1)


_matches = matches


def _like_a_mistake(claim: Claim, exact: float, allowed: Decimal) -> str:
    """What makes a missed gradient wrong whatever rounding reaches it, in words, or "": the other sign than the
    exact value (a step the wrong way), or the exact value doubled or halved, a known mistake of method that a
    coarse rounding may happen to imitate, where the precision tells them apart (half the exact value is more
    than ten times the number's tolerance). A forward value or a step near 0 may cross it by rounding alone."""
    if claim.section != "gradients" or not np.isfinite(exact):
        return ""
    size = abs(Decimal(repr(exact)))
    if size <= allowed:  # the exact value is 0 at this precision
        return ""
    if claim.number != 0 and (claim.number < 0) != (exact < 0):
        return "it has the other sign than the exact value"
    if size / 2 <= 10 * allowed:
        return ""
    for factor, words in ((2.0, "doubled"), (0.5, "halved")):
        if _matches(factor * exact, claim.number, allowed):
            return f"it is the exact value {words}, a known mistake of method"
    return ""


def _verdict(agreed: bool, carried: Carried | None, mistake: str) -> tuple[str, str]:
    """A row's verdict and note: rounding carried forward excuses a number unless it looks like a mistake."""
    if agreed:
        return CONFIRMED, ""
    if carried is None:
        return WRONG, ""
    if carried.slip:
        return WRONG, f"reproduced with a slip: {carried.slip}; {carried.note}"
    if mistake:
        return WRONG, f"{mistake}, so it is counted wrong, though rounding carried forward gives it: {carried.note}"
    return CARRIED, carried.note


def _order(claim: Claim) -> tuple:
    """Where a number comes in a worked example: forward values layer by layer, the cost, gradients from the
    output back (in a layer dC/da, then dC/dz, then the parameters), then the step."""
    ref = claim.ref
    if ref is None:
        return (1,)
    if claim.section == "values":
        return (0, ref.layer, ref.kind == "a", ref.indices)
    if claim.section == "gradients":
        return (2, -ref.layer, "azbw".index(ref.kind), ref.indices)
    return (3, ref.layer, ref.kind, ref.indices)


class _Carrying:
    """Which missed numbers rounding carried forward explains.

    The numbers are decided in the order a source works them (``_order``), and each explanation
    uses only printed numbers already accepted, confirmed or themselves explained: a number
    that follows from a wrong one is not excused by it.
    """

    def __init__(self, exact: Numbers, claims: list[Claim], agreed: list[bool]) -> None:
        self.net, self.values, self.exact, self.claims = exact.net, exact.values, exact, claims
        self.accepted = {n for n, ok in enumerate(agreed) if ok}
        self.roundings = by_hand.roundings(c.number for c in claims)
        self.functions: by_hand.Functions = {}

    def explain_all(self, allowed: list[Decimal], computed: list[float]) -> dict[int, Carried]:
        """The explanation of each missed number that has one, by its place in the table. One that looks like a
        mistake of method (``_like_a_mistake``) keeps its explanation but is not used to explain later ones."""
        found: dict[int, Carried] = {}
        missed = [n for n in range(len(self.claims)) if n not in self.accepted and self.claims[n].section in _WORKED]
        missed.sort(key=lambda n: _order(self.claims[n]))
        with np.errstate(all="ignore"):  # a rounded number may overflow or leave a log's domain: it explains nothing
            for n in missed:
                how = next(
                    (c for c in self._tries(self.claims[n]) if _matches(c.gives, self.claims[n].number, allowed[n])),
                    None,
                )
                if how is not None:
                    found[n] = how
                    if not how.slip and not _like_a_mistake(self.claims[n], computed[n], allowed[n]):
                        self.accepted.add(n)  # a number counted wrong explains nothing after it
        return found

    def _tries(self, claim: Claim) -> Iterator[Carried]:
        """Each way the source may have reached the number, at each precision it writes with."""
        printed = self._printed()
        if claim.section == "updated":
            yield from self._step_from_printed(claim)
        for rounding in self.roundings:
            try:
                if claim.section == "gradients":
                    yield from self._gradients(claim, printed, rounding)
                elif claim.section == "updated":
                    yield from self._steps(claim, printed, rounding)
                else:
                    yield self._forward(claim, printed, rounding)
            except SpecError:  # e.g. a rounded output of 1 under a logarithmic cost: this way explains nothing
                continue
        if claim.section == "gradients":
            yield from self._ahead(claim, printed)

    def _ahead(self, claim: Claim, printed: by_hand.Printed) -> Iterator[Carried]:
        """The gradient worked by hand with the later layers' weights as the table prints them after the step: a
        source that updated them before working the hidden deltas from them."""
        later = [c for c in self.claims if c.section == "updated" and c.quantity.kind == "w"]
        later = [c for c in later if c.quantity.layer > claim.quantity.layer]
        if not later:
            return
        weights = [w.copy() for w in self.values.weights]
        base = self.net.spec.index_base
        for c in later:
            weights[c.quantity.layer - 1][tuple(i - base for i in c.quantity.indices)] = float(c.number)
        backward = replace(self.values, weights=tuple(weights))
        for rounding in self.roundings:
            for stepwise, what in ((False, "each factor"), (True, "each factor and running product")):
                hand = by_hand.Hand(
                    self.net, self.values, printed, rounding, stepwise, claim.ref, self.functions, backward
                )
                worked = hand.gradient(claim.quantity)
                how = f"worked by hand with the printed updated weights, {what} rounded to {rounding.words}"
                yield Carried(how, rounding, worked.terms, worked.value, worked.first, worked.samples, AHEAD)

    def _printed(self) -> by_hand.Printed:
        values: dict[Ref, tuple[float, str]] = {}
        gradients: dict[Ref, tuple[float, str]] = {}
        for n in sorted(self.accepted):
            claim = self.claims[n]
            entry = (float(claim.number), format(claim.number, "f"))
            if claim.section == "values":
                values[claim.quantity] = entry
            elif claim.section == "gradients" and claim.quantity.kind in "az":
                gradients[claim.quantity] = entry
        return by_hand.Printed(values, gradients)

    def _numbers(self, printed: by_hand.Printed, rounding: by_hand.Rounding, exempt: Ref | None) -> Numbers:
        fwd = by_hand.printed_forward(self.net, self.values, printed.values, rounding, exempt)
        return Numbers(self.net, self.values, fwd, self.exact.functions)

    def _forward(self, claim: Claim, printed: by_hand.Printed, rounding: by_hand.Rounding) -> Carried:
        exempt = claim.ref if claim.section == "values" else None
        gives = self._numbers(printed, rounding, exempt).of(claim)
        return Carried(f"from the earlier values as printed, each rounded to {rounding.words}", rounding, (), gives)

    def _hand(
        self, claim: Claim, printed: by_hand.Printed, rounding: by_hand.Rounding
    ) -> Iterator[tuple[str, by_hand.Worked]]:
        for stepwise, what in ((False, "each factor"), (True, "each factor and running product")):
            hand = by_hand.Hand(self.net, self.values, printed, rounding, stepwise, claim.ref, self.functions)
            yield what, hand.gradient(claim.quantity)

    def _gradients(self, claim: Claim, printed: by_hand.Printed, rounding: by_hand.Rounding) -> Iterator[Carried]:
        for what, worked in self._hand(claim, printed, rounding):
            how = f"worked by hand from the printed numbers, {what} rounded to {rounding.words}"
            yield Carried(how, rounding, worked.terms, worked.value, worked.first, worked.samples)
        gives = self._numbers(printed, rounding, None).gradient(claim.quantity)
        yield Carried(f"from the forward values as printed, each rounded to {rounding.words}", rounding, (), gives)

    def _step_from_printed(self, claim: Claim) -> Iterator[Carried]:
        for n in sorted(self.accepted):
            printed = self.claims[n]
            if printed.section == "gradients" and printed.ref == claim.ref:
                how = "the step taken with the printed gradient"
                yield self._step(how, None, claim.quantity, printed.number, format(printed.number, "f"))

    def _steps(self, claim: Claim, printed: by_hand.Printed, rounding: by_hand.Rounding) -> Iterator[Carried]:
        for what, worked in self._hand(claim, printed, rounding):
            how = f"the step taken with the gradient worked by hand, {what} rounded to {rounding.words}"
            gradient = rounding.decimal(worked.value)
            yield self._step(how, rounding, claim.quantity, gradient, by_hand.plain(gradient))
        gives = self._numbers(printed, rounding, None).of(claim)
        how = f"the step taken from the forward values as printed, each rounded to {rounding.words}"
        yield Carried(how, rounding, (), gives)

    def _step(self, how: str, rounding: by_hand.Rounding | None, ref: Ref, gradient: Decimal, written: str) -> Carried:
        """w - eta * gradient, with the gradient as written."""
        current = self.exact.parameter(ref)
        # an update, which check_numbers has computed already: without a rate it stopped there (``Numbers.of``)
        rate = cast(float, self.values.learning_rate)
        step = ("-" + by_hand.given(rate), written) if rate >= 0 else (by_hand.given(-rate), written)
        return Carried(how, rounding, ((by_hand.given(current),), step), current - rate * float(gradient))
