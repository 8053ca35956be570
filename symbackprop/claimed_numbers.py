"""The numbers a worked example published, checked against the engine's values.

A spec's ``[claims]`` table holds the cost, forward values, gradients and updated
parameters a source printed. Each agrees when it is within half a unit of its last written
decimal place (0.3833 stands for 0.38325 to 0.38335), or within the table's ``tolerance``.
A number that misses, but is what one gets by carrying the source's rounded intermediate
numbers forward, is told apart from a mistake of method.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from . import numeric
from .errors import SpecError
from .network import Network
from .references import Ref
from .spec import Values

SECTIONS = ("values", "gradients", "updated")
KINDS = {"values": "az", "gradients": "wbaz", "updated": "wb"}
CONFIRMED, CARRIED, WRONG = "confirmed", "rounding carried forward", "wrong"


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


@dataclass(frozen=True)
class _Claim:
    section: str
    reference: str
    ref: Ref | None
    number: Decimal


def check_numbers(net: Network) -> list[NumberCheck]:
    """Every number in the spec's [claims] table, checked, in the table's order (cost first)."""
    values = net.spec.values
    table = net.spec.extras.get("claims")
    if table is None:
        raise SpecError("the spec has no [claims] table; add one, or give --claim 'LATEX' to check a formula")
    if values is None:
        raise SpecError("claims: the spec needs a [values] table for its numbers to be checked")
    tolerance, claims = _read(net, table)
    exact = _Numbers(net, values, numeric.forward(net, values))
    checks = []
    for claim in claims:
        computed = exact.of(claim)
        if not np.isfinite(computed):
            raise SpecError(
                f"claims.{claim.section}: the value of {claim.reference} overflows with these values ({computed}); "
                "no number can be checked against it"
            )
        allowed = tolerance if tolerance is not None else half_unit(claim.number)
        if _matches(computed, claim.number, allowed):
            checks.append(NumberCheck(*_row(claim), computed, allowed, CONFIRMED, "", tolerance is not None))
            continue
        note = _carried(net, values, claims, claim, allowed)
        verdict = CARRIED if note else WRONG
        checks.append(NumberCheck(*_row(claim), computed, allowed, verdict, note, tolerance is not None))
    return checks


def _row(claim: _Claim) -> tuple[str, str, Ref | None, Decimal]:
    return claim.section, claim.reference, claim.ref, claim.number


def half_unit(number: Decimal) -> Decimal:
    """Half a unit of the last written decimal place: 0.3833 gives 0.00005, 12 gives 0.5."""
    exponent = number.as_tuple().exponent
    return Decimal(5).scaleb(int(exponent) - 1)


def _read(net: Network, table: Any) -> tuple[Decimal | None, list[_Claim]]:
    if not isinstance(table, Mapping):
        raise SpecError("claims: must be a table")
    unknown = sorted(set(table) - {"cost", "tolerance", *SECTIONS})
    if unknown:
        raise SpecError(f"claims: unknown key {unknown[0]!r}; known: cost, tolerance, {', '.join(SECTIONS)}")
    tolerance = _decimal("claims.tolerance", table["tolerance"]) if "tolerance" in table else None
    if tolerance is not None and tolerance < 0:
        raise SpecError("claims.tolerance: must not be negative")
    claims = [_Claim("cost", "cost", None, _decimal("claims.cost", table["cost"]))] if "cost" in table else []
    for section in SECTIONS:
        entries = table.get(section, {})
        if not isinstance(entries, Mapping):
            raise SpecError(f"claims.{section}: must be a table of reference = number")
        for text, number in entries.items():
            ref = _reference(net, section, text)
            claims.append(_Claim(section, text, ref, _decimal(f"claims.{section}.{text!r}", number)))
    if not claims:
        raise SpecError("claims: no numbers to check (give cost, values, gradients or updated)")
    return tolerance, claims


def _reference(net: Network, section: str, text: str) -> Ref:
    try:
        ref = net.ref(text)
    except SpecError as err:
        raise SpecError(f"claims.{section}: {err}") from None
    if ref.kind not in KINDS[section]:
        allowed = ", ".join(KINDS[section])
        raise SpecError(f"claims.{section}: {text!r} is not one of the kinds this table takes ({allowed})")
    if section == "values" and ref.layer == 0:
        raise SpecError(f"claims.values: {text!r} is an input, which the spec already gives")
    return ref


def _decimal(where: str, value: Any) -> Decimal:
    """A claimed number with the digits it was written with (TOML floats read as Decimal keep them)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise SpecError(f"{where}: must be a number, got {value!r}")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        raise SpecError(f"{where}: must be a number, got {value!r}") from None
    if not number.is_finite():
        raise SpecError(f"{where}: must be a finite number, got {value!r}")
    return number


class _Numbers:
    """The engine's values for claims, from a forward pass (exact, or with rounded numbers carried forward)."""

    def __init__(self, net: Network, values: Values, fwd: numeric.Forward) -> None:
        self.net, self.values, self.fwd = net, values, fwd

    def of(self, claim: _Claim) -> float:
        if claim.section == "cost":
            return float(np.mean(numeric.sample_costs(self.net, self.values, self.fwd)))
        ref = claim.ref
        if claim.section == "values":
            return self.forward_value(ref)
        gradient = self.gradient(ref)
        if claim.section == "gradients":
            return gradient
        rate = self.values.learning_rate
        if rate is None:
            raise SpecError("claims.updated: the spec's [values] needs a learning_rate")
        return self.parameter(ref) - rate * gradient

    def forward_value(self, ref: Ref) -> float:
        j = ref.indices[0] - self.net.spec.index_base
        table = self.fwd.a[ref.layer] if ref.kind == "a" else self.fwd.z[ref.layer - 1]
        return float(table[0, j])

    def gradient(self, ref: Ref) -> float:
        """dC/d(ref): the mean over samples for a parameter, the first sample's for an a or a z."""
        per_sample = numeric.evaluator(self.net, [self.net.derive(ref).result])(self.values, self.fwd)[0]
        return float(np.mean(per_sample)) if ref.kind in "wb" else float(per_sample[0])

    def parameter(self, ref: Ref) -> float:
        base = self.net.spec.index_base
        if ref.kind == "w":
            return float(self.values.weights[ref.layer - 1][ref.indices[0] - base, ref.indices[1] - base])
        j = ref.indices[0] - base if ref.indices else 0
        return float(self.values.biases[ref.layer - 1][j])


def _carried(net: Network, values: Values, claims: list[_Claim], claim: _Claim, allowed: Decimal) -> str:
    """Why a missed number is still the method's answer at the source's precision, or "" if it is not."""
    printed = {c.ref: float(c.number) for c in claims if c.section == "values" and c is not claim}
    places = sorted({-int(c.number.as_tuple().exponent) for c in claims if c.section == "values"} | {2, 3, 4, 5, 6})
    for digits in places:
        fwd = _rounded_forward(net, values, printed, digits, exempt=claim.ref if claim.section == "values" else None)
        if _matches(_Numbers(net, values, fwd).of(claim), claim.number, allowed):
            return f"it is what the method gives with the intermediate values rounded to {digits} decimals"
    if claim.section == "updated":
        gradient = next((c for c in claims if c.section == "gradients" and c.ref == claim.ref), None)
        rate = values.learning_rate
        if gradient is not None and rate is not None:
            step = _Numbers(net, values, numeric.forward(net, values)).parameter(claim.ref) - rate * float(
                gradient.number
            )
            if _matches(step, claim.number, allowed):
                return "it is the update computed from the claimed (rounded) gradient"
    return ""


def _matches(value: float, claimed: Decimal, allowed: Decimal) -> bool:
    return np.isfinite(value) and abs(Decimal(repr(value)) - claimed) <= allowed


def _rounded_forward(
    net: Network, values: Values, printed: dict[Ref, float], digits: int, exempt: Ref | None
) -> numeric.Forward:
    """The forward pass as a source works it by hand: each z and a rounded (or as printed) before the next layer.

    ``exempt``, the number being checked, is computed from the rounded numbers but not rounded itself.
    """
    base = net.spec.index_base
    acts, zs = [values.x], []
    for layer in range(1, net.depth + 1):
        z = acts[-1] @ values.weights[layer - 1].T
        if values.biases:
            z = z + values.biases[layer - 1]
        z = _settle(z, Ref("z", layer, ()), printed, digits, base, exempt)
        a = numeric._activate(net, layer, z)
        zs.append(z)
        acts.append(_settle(a, Ref("a", layer, ()), printed, digits, base, exempt))
    return numeric.Forward(tuple(zs), tuple(acts))


def _settle(
    row: np.ndarray, where: Ref, printed: dict[Ref, float], digits: int, base: int, exempt: Ref | None
) -> np.ndarray:
    """A layer's z or a as the source carried it on: as printed where it printed it, else rounded."""
    out = np.round(row, digits)
    for j in range(row.shape[1]):
        ref = Ref(where.kind, where.layer, (j + base,))
        if ref == exempt:
            out[0, j] = row[0, j]
        elif ref in printed:
            out[0, j] = printed[ref]
    return out
