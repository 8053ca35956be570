"""A spec's ``[claims]`` table read into claims, and the engine's value of each.

Sections: ``cost``; ``values`` (forward z and a of the first sample); ``gradients`` (dC/dw and
dC/db as means over the samples, dC_0/da and dC_0/dz of the first sample); ``updated`` (a
parameter after one step of gradient descent); ``local`` (one factor of the chain,
``"a_{0}^{(2)}/z_{0}^{(2)}"``: the numerator's own definition differentiated by the
denominator, first sample); ``step_size`` (the learning rate times a parameter's gradient);
and ``after.K`` (``cost``, ``values``, ``gradients`` and ``parameters`` after K updates of the
spec's ``[training]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import numpy as np
import sympy as sp

from ..base.errors import SpecError
from ..derive.derivation import derive
from ..model.network import Network
from ..model.references import Ref
from ..model.spec import Values, printed_number
from ..model.training import MAX_STEPS
from . import numbers as numeric

SECTIONS = ("values", "gradients", "local", "step_size", "updated", "after")  # the order a worked example goes
KINDS = {"values": "az", "gradients": "wbaz", "updated": "wb", "step_size": "wb", "parameters": "wb"}
AFTER_PARTS = ("values", "gradients", "parameters")
_COST_NAMES = re.compile(r"^\s*(?:C|E|C_\{?0\}?|C_\{?x\}?)\s*$")


@dataclass(frozen=True)
class Claim:
    """One printed number and what it is of: ``part`` is cost, values, gradients, updated, local, step_size or
    parameters; ``steps`` the updates before it (after.K); ``over`` a local factor's denominator."""

    section: str  # the table it was written in, without "claims.": "values", "after.10000.values"
    reference: str  # as the spec wrote it
    ref: Ref | None  # None for a cost, and for a local factor's numerator C
    number: Decimal
    part: str = ""
    steps: int | None = None
    over: Ref | None = None

    @property
    def quantity(self) -> Ref:
        """The a, z, w or b the number is of, for any claim but a cost's."""
        return cast(Ref, self.ref)  # ``read`` gives every claim a Ref but a cost's, which is asked no quantity


def read(net: Network, table: Any) -> tuple[Decimal | None, list[Claim]]:
    """The table's tolerance (or None) and its claims, in the table's order (cost first)."""
    if not isinstance(table, Mapping):
        raise SpecError("claims: must be a table")
    unknown = sorted(set(table) - {"cost", "tolerance", *SECTIONS})
    if unknown:
        raise SpecError(f"claims: unknown key {unknown[0]!r}; known: cost, tolerance, {', '.join(SECTIONS)}")
    tolerance = decimal("claims.tolerance", table["tolerance"]) if "tolerance" in table else None
    if tolerance is not None and tolerance < 0:
        raise SpecError("claims.tolerance: must not be negative")
    claims = [_cost("cost", table["cost"])] if "cost" in table else []
    for section in SECTIONS:
        entries = _table(section, table.get(section, {}))
        if section == "after":
            claims += _after(net, entries)
            continue
        for text, number in entries.items():
            claims.append(_claim(net, section, section, text, number))
    if not claims:
        raise SpecError(
            "claims: no numbers to check (give cost, values, gradients, updated, local, step_size or after)"
        )
    return tolerance, claims


def _table(where: str, entries: Any) -> Mapping[str, Any]:
    if not isinstance(entries, Mapping):
        raise SpecError(f"claims.{where}: must be a table of reference = number")
    return entries


def _cost(section: str, number: Any) -> Claim:
    where = "claims.cost" if section == "cost" else f"claims.{section}.cost"
    return Claim(section, "cost", None, decimal(where, number), "cost")


def _claim(net: Network, section: str, part: str, text: str, number: Any, steps: int | None = None) -> Claim:
    value = decimal(f"claims.{section}.{text!r}", number)
    if part == "local":
        top, over = _local(net, section, text)
        return Claim(section, text, top, value, part, steps, over)
    return Claim(section, text, _reference(net, section, part, text), value, part, steps)


def _after(net: Network, entries: Mapping[str, Any]) -> list[Claim]:
    claims = []
    for key, table in entries.items():
        if not (key.isascii() and key.isdigit()) or str(int(key)) != key or not 0 <= int(key) <= MAX_STEPS:
            raise SpecError(
                f"claims.after: {key!r} is not a number of updates; write [claims.after.1], [claims.after.100]"
            )
        steps, section = int(key), f"after.{key}"
        known = {"cost", *AFTER_PARTS}
        for part, inner in _table(section, table).items():
            if part not in known:
                raise SpecError(f"claims.{section}: unknown key {part!r}; known: cost, {', '.join(AFTER_PARTS)}")
            if part == "cost":
                claims.append(replace(_cost(section, inner), steps=steps))
                continue
            for text, number in _table(f"{section}.{part}", inner).items():
                claims.append(_claim(net, f"{section}.{part}", part, text, number, steps))
    return claims


def _reference(net: Network, section: str, part: str, text: str) -> Ref:
    try:
        ref = net.ref(text)
    except SpecError as err:
        raise SpecError(f"claims.{section}: {err}") from None
    if ref.kind not in KINDS[part]:
        allowed = ", ".join(KINDS[part])
        raise SpecError(f"claims.{section}: {text!r} is not one of the kinds this table takes ({allowed})")
    if part == "values" and ref.layer == 0:
        raise SpecError(f"claims.{section}: {text!r} is an input, which the spec already gives")
    return ref


def _local(net: Network, section: str, text: str) -> tuple[Ref | None, Ref]:
    """A local factor's numerator (None for the cost) and denominator, each computed directly from the other."""
    top_text, slash, over_text = text.partition("/")
    if not slash:
        raise SpecError(f'claims.{section}: {text!r} must name two quantities, as "a_{{0}}^{{(2)}}/z_{{0}}^{{(2)}}"')
    over = _reference(net, section, "gradients", over_text)
    top = None if _COST_NAMES.match(top_text) else _reference(net, section, "values", top_text)
    if over not in _direct_inputs(net, top):
        of = "C_0" if top is None else top_text.strip()
        raise SpecError(
            f"claims.{section}: {of} is not computed directly from {over_text.strip()}; a local factor relates "
            "neighbours: a/z of one neuron (any z of its layer under softmax), z/w, z/b and z/a of the layer "
            "before, C/a of the output layer"
        )
    return top, over


def _direct_inputs(net: Network, top: Ref | None) -> set[Ref]:
    if top is None:
        return {Ref("a", net.depth, (j,)) for j in net.neurons(net.depth)}
    symbols = _definition(net, top).atoms(sp.Indexed)
    return {
        Ref(str(s.base), int(s.indices[0]), tuple(int(i) for i in s.indices[1:]))
        for s in symbols
        if str(s.base) in "wbaz"
    }


def _definition(net: Network, top: Ref | None) -> sp.Expr:
    if top is None:
        return net.cost_definition()
    layer, j = top.layer, top.indices[0]
    return net.z_definition(layer, j) if top.kind == "z" else net.a_definition(layer, j)


def _local_formula(net: Network, top: Ref, over: Ref) -> sp.Expr:
    """d(top)/d(over) in the network's symbols: g'(z) of an activation (softmax's a_i ([i = j] - a_j)), or the
    weighted input's definition differentiated (a weight, the previous layer's a, or 1)."""
    if top.kind == "a":
        layer, i, j = top.layer, top.indices[0], over.indices[0]
        if net.activation(layer).elementwise:
            return net.activation_prime(layer, i)
        return net.softmax_partial(layer, i, j)
    return sp.diff(net.z_definition(top.layer, top.indices[0]), net.symbol(over))


def decimal(where: str, value: Any) -> Decimal:
    """A claimed number with the digits it was written with (TOML floats read as Decimal keep them)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise SpecError(f"{where}: must be a number, got {value!r}")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        raise SpecError(f"{where}: must be a number, got {value!r}") from None
    if not printed_number(number):
        given = value if isinstance(value, Decimal) else repr(value)
        raise SpecError(f"{where}: must be a finite number a source prints (from 1e-400 to 1e400), got {given}")
    return number


class Numbers:
    """The engine's values for claims, from a forward pass (exact, or with rounded numbers carried forward).

    ``functions`` keeps each derivation's NumPy form for the next forward pass.
    """

    def __init__(self, net: Network, values: Values, fwd: numeric.Forward, functions: dict | None = None) -> None:
        self.net, self.values, self.fwd = net, values, fwd
        self.functions = functions if functions is not None else {}

    def at(self, values: Values) -> Numbers:
        """The same at other parameters (after some training), sharing the NumPy forms."""
        return Numbers(self.net, values, numeric.forward(self.net, values), self.functions)

    def of(self, claim: Claim) -> float:
        """The engine's value of a claim of one step at most (``after`` claims are ``claimed_numbers``')."""
        part = claim.part
        if part == "cost":
            return float(np.mean(numeric.sample_costs(self.net, self.values, self.fwd)))
        if part == "local":
            return self.local(claim.ref, cast(Ref, claim.over))
        ref = claim.quantity
        if part == "values":
            return self.forward_value(ref)
        if part == "parameters":
            return self.parameter(ref)
        gradient = self.gradient(ref)
        if part == "gradients":
            return gradient
        rate = self.values.learning_rate
        if rate is None:
            raise SpecError(f"claims.{claim.section}: the spec's [values] needs a learning_rate")
        if ref.kind == "b" and not numeric.trains_biases(self.net):
            rate = 0.0  # the spec's [training] holds the biases: one step leaves them where they are
        return rate * gradient if part == "step_size" else self.parameter(ref) - rate * gradient

    def forward_value(self, ref: Ref) -> float:
        j = ref.indices[0] - self.net.spec.index_base
        table = self.fwd.a[ref.layer] if ref.kind == "a" else self.fwd.z[ref.layer - 1]
        return float(table[0, j])

    def gradient(self, ref: Ref) -> float:
        """dC/d(ref): the mean over samples for a parameter, the first sample's for an a or a z."""
        if ref not in self.functions:
            self.functions[ref] = numeric.evaluator(self.net, [derive(self.net, ref).result])
        per_sample = self.functions[ref](self.values, self.fwd)[0]
        return float(np.mean(per_sample)) if ref.kind in "wb" else float(per_sample[0])

    def local(self, top: Ref | None, over: Ref) -> float:
        """d(top)/d(over) of top's own definition, at the first sample (top None: C_0, over an output)."""
        if top is None:
            return self.gradient(over)
        key = ("local", top, over)
        if key not in self.functions:
            self.functions[key] = numeric.evaluator(self.net, [_local_formula(self.net, top, over)])
        return float(self.functions[key](self.values, self.fwd)[0][0])

    def parameter(self, ref: Ref) -> float:
        return parameter_in(self.net, self.values.weights, self.values.biases, ref)


def parameter_in(net: Network, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], ref: Ref) -> float:
    """A weight's or bias's entry in per-layer arrays shaped as the spec's (parameters, or their gradients)."""
    base = net.spec.index_base
    if ref.kind == "w":
        return float(weights[ref.layer - 1][ref.indices[0] - base, ref.indices[1] - base])
    return float(biases[ref.layer - 1][ref.indices[0] - base if ref.indices else 0])


def matches(value: float, claimed: Decimal, allowed: Decimal) -> bool:
    """Whether a computed value lies within ``allowed`` of a printed number."""
    return bool(np.isfinite(value)) and abs(Decimal(repr(value)) - claimed) <= allowed
