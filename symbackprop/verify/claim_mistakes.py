"""Mistakes in a claim's index letters, told as verdicts: a letter summed too far (``\\sum_{j=0}^{n}``), a letter
only the right-hand side has and no sum binds (a missing sum), j and k swapped, a quantity of the wrong layer.

Such a claim is read as written. A letter no sum binds is a free index, so the claim is one claim per value;
an index a letter takes past its layer names no neuron, and its term is read as absent (0): the claim is then
decided at the network's own values, and its counterexample is at values the spec allows. The diagnosis is found
on the claim as written, in its letters: the claim with one letter mistake put right is compared with the right
answer, and the first repair that makes it right names the mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import product
from typing import Any

import sympy as sp

from ..base.errors import SpecError
from ..model.network import Network
from ..model.partial import Partial
from ..model.symbols import A, B, W, Y, Z
from ..prove import assumed
from ..prove.equivalence import counterexample, same
from ..prove.points import NoExactValue
from ..prove.real_points import Unsupported
from ..syntax.errors import ClaimError
from .claim_cases import Case, Free, case_values
from .claim_limits import TooLarge, evaluated, expand_sums
from .claim_scope import without_beyond
from .claim_values import partial_value
from .diagnosis import Mistake

MAX_REPAIRS = 40  # repaired claims tried before a letter mistake is given up
NOT_A_FORMULA = "none is shown: the claim as written names {0}, a weight this network does not have"


def with_letter_mistake(net: Network, report: Any, bound: Any, guarded: Callable) -> Any:
    """A ClaimReport on a claim whose letters are wrong (a stray or unsummed letter, a sum past its layer, j for
    k): its diagnosis found on the claim as written; a claim that names a neuron its layer lacks is never correct.
    ``guarded`` runs the search with the errors of working it out taken as no diagnosis (claims._or_none)."""
    answer = report.answer
    if answer is None or report.read_as is None:
        return report
    found = guarded(
        diagnose_letters, net, report.read_as, answer.value, answer.start, bound.free, bound.strays, report.case
    )
    beyond = bound.beyond[0].replace("{", "{{").replace("}", "}}") if bound.beyond else ""
    absent = Mistake("no_such_neuron", f"it names a neuron its layer does not have: {beyond}", sp.Integer(0))
    if report.verdict == "correct":
        if not beyond:
            return report  # a letter only the right-hand side has, and the claim right at each of its values
        method = (
            "the claim names a neuron its layer does not have, so it is no formula of this network; with the terms "
            f"of that neuron left out, the rest is the right answer ({report.method})"
        )
        return replace(
            report, verdict="incorrect", diagnosis=found or absent, method=method, no_counterexample=_none_can(bound)
        )
    if found is None and beyond:
        found = absent
    if beyond and report.counterexample is None:
        report = replace(report, no_counterexample=_none_can(bound))
    if found is None and bound.strays:
        message = "{0} is on neither the left-hand side nor under a sum: the claim names no one value"
        found = Mistake("stray_index", message, sp.Integer(0), (bound.strays[0].symbol,))
    return replace(report, diagnosis=found or report.diagnosis)


def as_written(net: Network, bound: Any, read_as: sp.Expr | None, answer_of: Callable[[Case], Any]) -> dict[str, Any]:
    """A claim read with a weight's indices swapped, shown wrong as written: a counterexample at the first case where
    every weight it names exists and its value differs from the right answer's (the case with it); else why none is
    shown. Only for one swapped weight that is the only weight of its layer the claim names, so that swapping each
    of its entries back gives the claim as written."""
    read, written = bound.rewritten[0]
    layer = int(read.indices[0])
    named = {s for s in read_as.atoms(sp.Indexed) if s.base == W and s.indices[0] == layer} if read_as else set()
    none = {"no_counterexample": (NOT_A_FORMULA, (written,))}
    letters = read.indices[1:]
    if len(bound.rewritten) != 1 or named != {read} or not all(isinstance(i, sp.Symbol) for i in letters):
        return none
    ranges = (net.neurons(layer), net.neurons(layer - 1))
    back = {}
    for values in product(*ranges):
        at = dict(zip(letters, values, strict=True))
        j, k = (int(i) for i in written.xreplace(at).indices[1:])
        back[read.xreplace(at)] = W[layer, j, k] if j in ranges[0] and k in ranges[1] else None
    for case in bound.cases:
        answer = answer_of(case)
        for side in bound.sides:
            value = side.values[bound.cases.index(case)]
            hits = {s: back[s] for s in value.atoms(sp.Indexed) if s in back}
            if any(w is None for w in hits.values()):
                continue  # a weight the network lacks, in this case as written: no value to compare
            found = counterexample(net, value.xreplace(hits), answer.value, answer.start)
            if found is not None:
                return {"counterexample": replace(found, note="the claim as written"), "case": case}
    return none


def _none_can(bound: Any) -> tuple[str, tuple[sp.Expr, ...]]:
    """Why a claim that names a neuron its layer lacks has no counterexample: it has no value at any point."""
    where = bound.beyond[0].replace("{", "{{").replace("}", "}}")
    return (
        "none can exist: a term of the claim names a neuron its layer does not have "
        f"({where}), so the claim as written has no value at any point to compare",
        (),
    )


def diagnose_letters(
    net: Network, shown: sp.Expr, answer: sp.Expr, start, free: tuple[Free, ...], strays: tuple[Free, ...], case: Case
) -> Mistake | None:
    """The letter mistake whose repair makes the claim ``shown`` (in its letters) the right ``answer`` at ``case``."""
    stated = assumed.given(net)
    for count, (mistake, repaired) in enumerate(_repairs(net, shown, free, strays)):
        if count >= MAX_REPAIRS:
            return None
        try:
            value = _value(net, repaired, case)
            if same(net, value, answer, start, given=stated):
                return mistake
        except (
            ClaimError,
            SpecError,
            TooLarge,
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            Unsupported,
            NoExactValue,
        ):
            continue
    return None


def _value(net: Network, shown: sp.Expr, case: Case) -> sp.Expr:
    """A repaired claim's value in one case: sums written out, absent neurons left out, derivatives worked out."""
    summed = {limit[0] for total in shown.atoms(sp.Sum) for limit in total.limits}  # a missing sum put back
    values = {s: v for s, v in case_values(case).items() if s not in summed}
    written = without_beyond(net, evaluated(expand_sums(shown.xreplace(values))))
    partials = {p: partial_value(net, p.of, p.wrt) for p in written.atoms(Partial)}
    return written.xreplace(partials)


def _repairs(
    net: Network, shown: sp.Expr, free: tuple[Free, ...], strays: tuple[Free, ...]
) -> Iterator[tuple[Mistake, sp.Expr]]:
    yield from _swapped_letters(shown, free)
    yield from _missing_sums(shown, strays)
    yield from _stray_for_free(shown, free, strays)
    yield from _sum_bounds(net, shown)
    yield from _swapped_weights(shown)
    yield from _wrong_layers(net, shown)
    yield from _wrong_neurons(shown, free)


def _swapped_letters(shown: sp.Expr, free: tuple[Free, ...]) -> Iterator[tuple[Mistake, sp.Expr]]:
    """Two free letters swapped throughout the right-hand side: a_j δ_k where a_k δ_j belongs."""
    letters = [f.symbol for f in free]
    for first, second in ((p, q) for n, p in enumerate(letters) for q in letters[n + 1 :]):
        if shown.has(first) and shown.has(second):
            message = "the indices {0} and {1} are swapped: each stands where the other belongs"
            swapped = shown.xreplace({first: second, second: first})
            yield Mistake("indices_swapped", message, sp.Integer(0), (first, second)), swapped


def _missing_sums(shown: sp.Expr, strays: tuple[Free, ...]) -> Iterator[tuple[Mistake, sp.Expr]]:
    for s in strays:
        message = (
            "the sum over {0} is missing: {0} is on neither the left-hand side nor under a sum, so the right-hand "
            "side is one term of the sum, not the sum"
        )
        yield Mistake("sum_missing", message, sp.Integer(0), (s.symbol,)), sp.Sum(shown, (s.symbol, s.first, s.last))


def _stray_for_free(shown: sp.Expr, free: tuple[Free, ...], strays: tuple[Free, ...]) -> Iterator:
    lhs = [f for f in free if f not in strays]
    for s in strays:
        for f in lhs:
            message = "{0} is a stray index, on neither the left-hand side nor under a sum: {1} belongs there"
            yield (
                Mistake("stray_index", message, sp.Integer(0), (s.symbol, f.symbol)),
                shown.xreplace({s.symbol: f.symbol}),
            )


def _sum_bounds(net: Network, shown: sp.Expr) -> Iterator[tuple[Mistake, sp.Expr]]:
    """A sum over a layer's neurons whose limits are not that layer's first and last neuron."""
    base = net.spec.index_base
    for total in sorted(shown.atoms(sp.Sum), key=sp.default_sort_key):
        if len(total.limits) != 1:
            continue
        letter, first, last = total.limits[0]
        layers = [_layer_of_index(q, letter) for q in total.function.atoms(sp.Indexed)]
        sizes = sorted({net.layers[t] for t in layers if t is not None})
        if not sizes or not (first.is_Integer and last.is_Integer):
            continue
        right = (base, base + sizes[0] - 1)
        if (int(first), int(last)) == right:
            continue
        message = (
            f"the sum over {{0}} runs from {first} to {last}, but the layer's neurons are numbered {right[0]} to "
            f"{right[1]}: an off-by-one in the sum's limits"
        )
        repaired = shown.xreplace({total: sp.Sum(total.function, (letter, *right))})
        yield Mistake("sum_bounds", message, sp.Integer(0), (letter,)), repaired


def _layer_of_index(q: sp.Indexed, letter: sp.Symbol) -> int | None:
    if q.base not in (A, Z, W, B) or not q.indices[0].is_Integer:
        return None
    layer = int(q.indices[0])
    for position, index in enumerate(q.indices[1:]):
        if index.has(letter):
            return layer - position if q.base == W else layer
    return None


def _swapped_weights(shown: sp.Expr) -> Iterator[tuple[Mistake, sp.Expr]]:
    for w in sorted((q for q in shown.atoms(sp.Indexed) if q.base == W), key=sp.default_sort_key):
        layer, j, k = w.indices
        if j != k and not (j.is_Integer and k.is_Integer):
            right = W[layer, k, j]
            message = "the weight's indices are swapped: {0} where {1} belongs"
            yield Mistake("indices_swapped", message, sp.Integer(0), (w, right)), shown.xreplace({w: right})


def _wrong_layers(net: Network, shown: sp.Expr) -> Iterator[tuple[Mistake, sp.Expr]]:
    for q in sorted((q for q in shown.atoms(sp.Indexed) if q.base in (A, Z)), key=sp.default_sort_key):
        layer = q.indices[0]
        for step in (-1, 1):
            if layer.is_Integer and 0 <= int(layer) + step <= net.depth:
                right = q.base[(layer + step, *q.indices[1:])]
                message = "{0} where {1} belongs: a quantity of the wrong layer"
                if q.base == A and step == -1:
                    message = "{0} where {1} belongs: the weight's input comes from the layer before"
                yield Mistake("wrong_layer", message, sp.Integer(0), (q, right)), shown.xreplace({q: right})


def _wrong_neurons(shown: sp.Expr, free: tuple[Free, ...]) -> Iterator[tuple[Mistake, sp.Expr]]:
    """One quantity indexed by the other free letter (a_j where a_k belongs): j and k swapped in it."""
    letters = [f.symbol for f in free]
    for q in sorted((q for q in shown.atoms(sp.Indexed) if q.base in (A, Z, B, Y)), key=sp.default_sort_key):
        for mine in [s for s in letters if q.has(s)]:
            for other in letters:
                if other != mine:
                    right = q.xreplace({mine: other})
                    message = "{0} where {1} belongs: the indices j and k are mixed up, the neuron is the wrong one"
                    message = message.replace("j and k", f"{mine} and {other}")
                    yield Mistake("wrong_neuron", message, sp.Integer(0), (q, right)), shown.xreplace({q: right})
