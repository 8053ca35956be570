"""The chain rule worked as a hand calculation works it: from printed numbers, each rounded as it is written.

A source that prints out_o1 = 0.75136507 goes on from that printed number: dout/dnet is
out(1 - out) of it, each factor is written down rounded to the source's precision, and the
product of the written factors is the gradient it prints. A hidden activation's factor is
the sum over the next layer of terms worked the same way, written down rounded in turn.
``Hand`` walks the engine's own derivation (its chains and factors, each factor evaluated by
numeric) and adds only the rounding: there is no second chain rule here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import sympy as sp

from ..derive.derivation import Chain, Derivation, Factor, derive
from ..model.network import Network
from ..model.references import Ref, ref_of
from ..model.spec import Values
from ..model.symbols import C0, A, Z
from . import numbers as numeric

Written = tuple[np.ndarray, str]  # a number for every sample, and the first sample's as the source writes it
Terms = tuple[tuple[str, ...], ...]  # a sum of products, each number as written


@dataclass(frozen=True)
class Rounding:
    """How a source writes its numbers down: to ``places`` decimal places, or to that many significant digits."""

    places: int
    significant: bool = False

    @property
    def words(self) -> str:
        unit = "significant digit" if self.significant else "decimal place"
        return f"{self.places} {unit}{'' if self.places == 1 else 's'}"

    def decimal(self, value: float) -> Decimal:
        """One number as the source writes it, rounded half up as by hand (from its shortest decimal form)."""
        exact = Decimal(repr(float(value)))
        if not exact.is_finite() or exact == 0:
            return exact
        exponent = exact.adjusted() - self.places + 1 if self.significant else -self.places
        if int(exact.as_tuple().exponent) >= exponent:
            return exact  # written with no more digits than the source keeps
        return exact.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        flat = [float(self.decimal(v)) for v in np.ravel(values)]
        return np.array(flat, dtype=float).reshape(np.shape(values))

    def text(self, value: float) -> str:
        return plain(self.decimal(value))


def plain(number: Decimal) -> str:
    """A number in positional notation without trailing zeros: 0.05, never 5E-2 or 0.050000000."""
    if number.is_finite() and number == 0:
        return "0"
    return format(number.normalize(), "f") if number.is_finite() else str(number)


def given(value: float) -> str:
    """A number the calculation takes as it is (a weight, an input), in its shortest decimal form."""
    return plain(Decimal(repr(float(value))))


def ten_digits(value: float) -> str:
    """A result to ten significant digits, in positional notation: what a report shows a calculation gives."""
    return plain(Decimal(f"{value:.10g}"))


def roundings(numbers: Iterable[Decimal]) -> list[Rounding]:
    """The precisions a source writes with, read off the numbers it printed, the most used first.

    Each number's decimal places count (0.3833: 4), and its significant digits where they are
    at least 2 (0.0004386: 4); a whole number says nothing about how the source rounds.
    """
    places: Counter[int] = Counter()
    digits: Counter[int] = Counter()
    for number in numbers:
        _, coefficient, exponent = number.as_tuple()
        if int(exponent) < 0:
            places[-int(exponent)] += 1
        if len(coefficient) >= 2:  # Decimal keeps no leading zeros: these are the significant digits
            digits[len(coefficient)] += 1

    def ranked(counts: Counter[int], significant: bool) -> list[Rounding]:
        order = sorted(counts, key=lambda n: (-counts[n], -n))
        return [Rounding(n, significant) for n in order]

    return ranked(places, False) + ranked(digits, True)


@dataclass(frozen=True)
class Printed:
    """What a source printed and the engine accepted, first sample: forward values, and dC_0/da and dC_0/dz."""

    values: Mapping[Ref, tuple[float, str]]
    gradients: Mapping[Ref, tuple[float, str]]


@dataclass(frozen=True)
class Worked:
    """A gradient worked by hand: its value, and the numbers its last step combined for the first sample (empty
    for a single factor), with what they give; for a parameter over several samples ``value`` is the mean."""

    value: float
    terms: Terms
    first: float
    samples: int = 1


def printed_forward(
    net: Network, values: Values, printed: Mapping[Ref, tuple[float, str]], rounding: Rounding, exempt: Ref | None
) -> numeric.Forward:
    """The forward pass as a source works it by hand: each z and a rounded (or as printed) before the next layer.

    ``exempt``, a forward value being checked, is computed from the rounded numbers but not rounded itself.
    """
    base = net.spec.index_base
    acts, zs = [values.x], []
    for layer in range(1, net.depth + 1):
        z = acts[-1] @ values.weights[layer - 1].T
        if values.biases:
            z = z + values.biases[layer - 1]
        z = _settle(z, "z", layer, printed, rounding, base, exempt)
        zs.append(z)
        acts.append(_settle(numeric.activate(net, layer, z), "a", layer, printed, rounding, base, exempt))
    return numeric.Forward(tuple(zs), tuple(acts))


def _settle(
    row: np.ndarray,
    kind: str,
    layer: int,
    printed: Mapping[Ref, tuple[float, str]],
    rounding: Rounding,
    base: int,
    exempt: Ref | None,
) -> np.ndarray:
    """A layer's z or a as the source carried it on: as printed where it printed it (first sample), else rounded."""
    out = rounding(row)
    for j in range(row.shape[1]):
        ref = Ref(kind, layer, (j + base,))
        if ref == exempt:
            out[0, j] = row[0, j]
        elif ref in printed:
            out[0, j] = printed[ref][0]
    return out


Functions = dict[sp.Expr, Callable[[Values, numeric.Forward], list[np.ndarray]]]


class Hand:
    """One hand calculation at one precision: the forward pass as printed, then the chain rule, each number rounded
    as it is written down.

    ``stepwise`` writes down every running product too (dC_0/dz before its last factor, each term
    of a sum), as a source that prints each step does; otherwise the written factors are
    multiplied at once, as on a calculator. ``backward`` gives the weights the chain rule's
    factors take where they are not the forward pass's (a source that updated them first).
    A number the source printed is used as printed,
    except ``exempt``, the one being checked. ``functions`` holds each factor's NumPy form, shared
    between calculations.
    """

    def __init__(
        self,
        net: Network,
        values: Values,
        printed: Printed,
        rounding: Rounding,
        stepwise: bool,
        exempt: Ref | None,
        functions: Functions,
        backward: Values | None = None,
    ) -> None:
        self.net, self.values, self.printed, self.rounding = net, values, printed, rounding
        self.stepwise, self.exempt, self.functions = stepwise, exempt, functions
        self.fwd = printed_forward(net, values, printed.values, rounding, None)
        if backward is not None:  # weights the backward pass takes (a slip's: already updated), not the forward's
            self.values = backward
        self.written: dict[Ref, Written] = {}

    def gradient(self, ref: Ref) -> Worked:
        """dC/d(ref) as the source would print it: the mean of each sample's written result for a parameter,
        the first sample's for an a or a z."""
        total, terms = self._total(derive(self.net, ref))
        if ref.kind in "wb" and len(total) > 1:
            return Worked(float(np.mean(self.rounding(total))), terms, float(total[0]), len(total))
        return Worked(float(total[0]), terms, float(total[0]))

    def _total(self, d: Derivation) -> tuple[np.ndarray, Terms]:
        """The sum of the chains' products, the sum itself not rounded; and the numbers each product multiplied."""
        chains = [self._chain(c) for c in d.chains]
        if len(chains) == 1:
            return chains[0]
        products = [self._write(product)[0] if self.stepwise else product for product, _ in chains]
        return sum(products[1:], products[0]), tuple(product for _, terms in chains for product in terms)

    def _chain(self, chain: Chain) -> tuple[np.ndarray, Terms]:
        """A chain's product of written factors, itself not rounded (with ``stepwise``, each running product is)."""
        if len(chain.factors) == 1:  # dC_0/da at the output: evaluated, nothing multiplied
            return self._evaluate(chain.factors[0].value), ()
        numbers = [self._factor(f) for f in chain.factors]
        product, first = numbers[0]
        shown = [first]
        for n, (factor, text) in enumerate(numbers[1:], start=1):
            if self.stepwise and n >= 2:
                product, partial = self._write(product, _delta(self.net, chain) if n == 2 else None)
                shown = [partial]
            product = product * factor
            shown.append(text)
        return product, (tuple(shown),)

    def _factor(self, f: Factor) -> Written:
        """One factor as written down: a hidden dC_0/da summed by hand, else evaluated from the printed values."""
        if f.deferred is not None:
            ref = f.deferred.target
            if ref not in self.written:
                self.written[ref] = self._write(self._total(f.deferred)[0], ref)
            return self.written[ref]
        values = self._evaluate(f.value)
        if f.of == C0:
            return self._write(values, ref_of(f.wrt))
        if isinstance(f.value, sp.Indexed) or not _worked_out(f.value):
            return values, self._as_it_stands(f.value, values)
        return self._write(values)

    def _write(self, values: np.ndarray, ref: Ref | None = None) -> Written:
        """A number written down: rounded, or as the source printed it (``ref``'s printed value, first sample)."""
        out = self.rounding(values)
        if ref is not None and ref != self.exempt and ref in self.printed.gradients:
            number, text = self.printed.gradients[ref]
            out[0] = number
            return out, text
        return out, self.rounding.text(out[0])

    def _as_it_stands(self, expr: sp.Expr, values: np.ndarray) -> str:
        """A factor that is a forward value, a weight, an input or a constant: already as the source has it."""
        if isinstance(expr, sp.Indexed) and expr.base in (A, Z):
            ref = ref_of(expr)
            if ref in self.printed.values:
                return self.printed.values[ref][1]
            if ref.layer > 0:
                return self.rounding.text(values[0])
        return given(values[0])

    def _evaluate(self, expr: sp.Expr) -> np.ndarray:
        if expr not in self.functions:
            self.functions[expr] = numeric.evaluator(self.net, [expr], in_a=True)
        return np.array(self.functions[expr](self.values, self.fwd)[0], dtype=float)


def _worked_out(expr: sp.Expr) -> bool:
    """Whether a factor is computed from forward values (so written down rounded), not taken as given."""
    return any(s.base == Z or (s.base == A and int(s.indices[0]) > 0) for s in expr.atoms(sp.Indexed))


def _delta(net: Network, chain: Chain) -> Ref | None:
    """The z whose dC_0/dz a chain's first two factors make, when they make one (an elementwise layer)."""
    of, wrt = chain.factors[1].of, chain.factors[1].wrt
    if of.base != A or wrt.base != Z or not net.activation(int(wrt.indices[0])).elementwise:
        return None
    return ref_of(wrt)


def formula(terms: Terms, times: str = " · ", dots: str = "...", most: int = 6) -> str:
    """A sum of products as written: 0.138498562 · 0.4 - 0.038098237 · 0.5 (a factor after the first in
    parentheses when negative); past ``most`` products, the first few, ``dots`` and the last."""
    shown = [*terms[: most - 2], None, terms[-1]] if len(terms) > most else list(terms)
    out = ""
    for n, product in enumerate(shown):
        if product is None:
            out = f"{out} + {dots}"
            continue
        first, *rest = product
        negative = first.startswith("-")
        written = [first.removeprefix("-") if n and negative else first]
        written += [f"({x})" if x.startswith("-") else x for x in rest]
        joined = times.join(written)
        out = joined if not n else f"{out} {'-' if negative else '+'} {joined}"
    return out
