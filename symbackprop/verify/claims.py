"""Check a claimed formula for a derivative: correct, incorrect (with what went wrong), or unparseable.

The claim is read by a grammar and bound to the network (syntax.tree, claim_binding). Its
left-hand side names what is claimed: dC_0 with respect to a weight, bias, a or z (the right
answer is the engine's derivation), a factor of the chain such as da/dz or dz/dw (the right
answer is that quantity differentiated through the forward definitions, local), or the mean
cost C of a batch of n samples (batch). The verdict is decided by proof that the claim and
the right answer are the same function (equivalence); for a wrong claim the report adds a
point where their values differ and, where one fits, the known mistake that explains it
(diagnosis). A free index on the left (z_j) is checked for each of its values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, cast

import sympy as sp

from ..base.errors import SpecError, check_text
from ..base.stages import stage
from ..derive.derivation import Derivation, derive
from ..derive.local import local_derivative
from ..model.network import Network
from ..model.printing import printers
from ..model.references import Ref, check, ref_of
from ..model.symbols import C0, MEAN_COST
from ..prove import assumed
from ..prove.assumed import decide
from ..prove.equivalence import Counterexample, Decision, agree_at_real_points, counterexample
from ..prove.points import NoExactValue
from ..prove.real_points import OneSided, Unsupported
from ..syntax import tree as claim_syntax
from ..syntax.errors import ClaimError
from . import batch, claim_binding, claim_identity, claim_projection, index_base, vector_verdicts
from .claim_layers import LayerLetter, Layers, NoSuchLayer, at_every_layer
from .claim_mistakes import as_written, with_letter_mistake
from .diagnosis import Local, Mistake, diagnose
from .ng_forms import ng_forms
from .sample_terms import with_sample_terms
from .simplified import simplified

CORRECT, INCORRECT, UNPARSEABLE = "correct", "incorrect", "unparseable"
UNDECIDABLE = (Unsupported, NoExactValue)  # what the points a decision is made at have no value for
NO_VALUE = "the claim holds a function that no method here can evaluate, so it cannot be decided"

Case = tuple[tuple[sp.Symbol, int], ...]


@dataclass(frozen=True)
class Answer:
    """The right answer to what the claim names: d(of)/d(wrt), as a text writes it and as it is compared."""

    of: sp.Expr  # C_0, an a, a z, or the mean cost C
    wrt: sp.Expr
    shown: sp.Expr  # sums over a layer (or over the samples) kept
    value: sp.Expr  # in a, z, w, b, y and g' (for the mean cost: in n and the samples' derivatives)
    start: Ref | None  # where the comparison composes from (see Derivation.start)
    derivation: Derivation | None = None  # for a derivative of C_0


@dataclass(frozen=True)
class ClaimReport:
    """The verdict on one claim, with everything a report shows."""

    network: Network
    claim: str
    verdict: str
    wrt: Ref | None = None
    derivation: Derivation | None = None
    read_as: sp.Expr | None = None  # the claim as understood, sums and derivatives kept
    method: str = ""
    counterexample: Counterexample | None = None
    diagnosis: Mistake | None = None
    error: str | None = None  # why it is unparseable
    position: int | None = None  # where, 1-based
    undecided: bool = False  # read, but no method here decides it (the error says why); reported as unparseable
    side: int | None = None  # with several sides (A = B = C): which one the verdict is on, 1-based
    sides: int = 1  # how many sides the claim has, a leading derivative included
    side_text: str | None = None  # that side as written
    first_side: int | None = None  # the first side checked: 2 after a leading derivative, else 1
    answer: Answer | None = None  # the right answer the verdict is on (for a free index: at ``case``)
    free: tuple[claim_binding.Free, ...] = ()  # the left-hand side's free indices, each checked over its range
    case: Case = ()  # their values the verdict is on: the first that fails, or the last checked
    claimed: tuple[sp.Expr, sp.Expr] | None = None  # the leading derivative's of and wrt, free indices as letters
    notes: tuple[tuple[str, tuple[sp.Expr, ...]], ...] = ()  # how the claim was read, words with {0} slots
    general: sp.Expr | None = None  # a right claim with free indices: the right answer in those letters
    answers: tuple[sp.Expr, ...] = ()  # and in each case, for when no one expression in the letters fits them all
    cases: tuple[Case, ...] = ()  # the cases those are in
    layers: Layers | None = None  # a claim with the layer letter l: the layers it was checked at (claim_layers)
    no_counterexample: tuple[str, tuple[sp.Expr, ...]] | None = None  # an incorrect verdict without one: why none

    @property
    def exit_status(self) -> int:
        return {CORRECT: 0, INCORRECT: 1, UNPARSEABLE: 2}[self.verdict]


def verify_claim(net: Network, claim: str, wrt: str | Ref | None = None) -> ClaimReport:
    """Decide whether ``claim`` (LaTeX) is right for ``net``: dC_0/d(wrt), or what its left-hand side names.

    ``wrt`` may be left out when the claim starts with the derivative it claims
    (\\frac{\\partial C_0}{\\partial w_{12}^{(L)}} = ..., \\frac{\\partial a_1^{(L)}}{\\partial z_1^{(L)}} = ...).
    A --wrt that names something the network lacks, or that disagrees with the claim's own
    left-hand side, is a SpecError. An index out of range in a network numbered from 0 that reads when
    numbered from 1 gets the hint "did you mean --index-base 1?".
    """
    return index_base.with_hints(_verify_claim, net, claim, wrt)


def _verify_claim(net: Network, claim: str, wrt: str | Ref | None) -> ClaimReport:
    """``verify_claim`` without the hint of another numbering."""
    if wrt is not None and not isinstance(wrt, (str, Ref)):
        raise SpecError("wrt: expected a reference such as w_{12}^{(L)}, a Ref, or None")
    net.require_layered("verify")
    if isinstance(claim, str):
        check_text(claim, "the claim")
    target = net.ref(wrt) if isinstance(wrt, str) else wrt
    if target is not None:
        check(target, net.spec)  # a Ref made by hand may name nothing in this network
    stage("reading the claim")
    try:
        parsed = ng_forms(claim_syntax.parse(claim))
        alone = claim_identity.identity(parsed)
        if alone is not None:  # \frac{d\sigma(x)}{dx} = ...: a claim about the activation as a function
            return _identity(net, claim, parsed, alone)
        bound = _bound(net, parsed, claim)
    except LayerLetter as letter:  # parsed: the letter is found only once the claim is read
        return at_every_layer(
            net,
            lambda layer: _bound(net, parsed, claim, layer),
            lambda bound: _decided(net, claim, bound, target, wrt),
            lambda reason, position: ClaimReport(net, claim, UNPARSEABLE, target, error=reason, position=position),
            wrt is not None,
            letter.letter,
        )
    except ClaimError as err:
        return ClaimReport(net, claim, UNPARSEABLE, target, error=err.reason, position=err.position)
    return _decided(net, claim, bound, target, wrt)


def _identity(net: Network, claim: str, parsed: claim_syntax.Claim, found: claim_identity.Identity) -> ClaimReport:
    """The report on a claim about an activation as a function of one letter (claim_identity)."""
    read = partial(claim_binding.read_alone, net, parsed, parsed.text)
    fields = claim_identity.report_fields(parsed, found, read)
    of, wrt, shown, value = fields.pop("answer", (None,) * 4)
    answer = Answer(of, wrt, shown, value, None) if of is not None else None
    return ClaimReport(net, claim, answer=answer, **fields)


def _term_side(term: tuple) -> claim_binding.Side:
    shown, text, position, values = term
    return claim_binding.Side(2, text, position, shown, values)


def _term_report(
    net: Network, claim: str, bound: claim_binding.BoundClaim, target: Ref | None, side: claim_binding.Side, k: int
) -> ClaimReport:
    """One sample's term of a sum over the samples against that sample's derivative, dC_0/dw, in case k."""
    case = bound.cases[k]
    answer = _answer(net, C0, _wrt_in_case(net, bound, target, case), 0)
    decision = _decide(net, answer, side.values[k], bound)
    return _report(net, claim, CORRECT if decision.equal else INCORRECT, bound, side, answer, decision, case, k)


def _decided(
    net: Network, claim: str, bound: claim_binding.BoundClaim, target: Ref | None, wrt: str | Ref | None
) -> ClaimReport:
    """The verdict on a claim read against ``net``."""
    target = _target(net, target, wrt if isinstance(wrt, str) else None, bound)
    if bound.mismatch is not None:  # a vector claim whose shapes fit in neither layout
        fields = vector_verdicts.mismatched(net, bound, partial(_case_answer, net, bound))
        return ClaimReport(net, claim, INCORRECT, **fields)
    projected = bound.projection is not None  # too many entries to decide one by one (claim_projection)
    of = bound.of if bound.of is not None else C0
    try:
        if bound.projection is not None:
            found = claim_projection.decide(net, bound.projection, partial(_case_answer, net, bound))
            if found.fields is not None:
                fields = found.fields | {"free": bound.free, "claimed": (C0, bound.wrt_symbol), "notes": bound.notes}
                return ClaimReport(net, claim, CORRECT, **fields)
            reading = found.reading  # the entry shown wrong, decided as a small claim's
            bound = reading if isinstance(reading, claim_binding.BoundClaim) else claim_binding.vector_claim(reading)
        report = _check(net, claim, _numbered(net, bound, of, target), of, target)
        if projected and report.verdict == CORRECT:  # an entry that differed modulo p is never "correct"
            raise _NotShownWrong
    except ClaimError as err:  # a claim about the mean cost that the proof does not cover
        return ClaimReport(net, claim, UNPARSEABLE, target, error=err.reason, position=err.position)
    except UNDECIDABLE as err:  # a function no method here gives values, or a branch never seen to turn: said
        reason = str(err) if isinstance(err, OneSided) else NO_VALUE
        return ClaimReport(net, claim, UNPARSEABLE, target, error=reason, undecided=True)
    except _NotShownWrong:
        reason = (
            "the claim and the right answer differ at exact random points, yet agree to 30 digits at every real "
            "point tried, so it cannot be decided"
        )
        return ClaimReport(net, claim, UNPARSEABLE, target, error=reason, undecided=True)
    if bound.sample_terms and report.verdict == CORRECT:  # (1/n) sum_x of one sample's term (sample_terms)
        report = with_sample_terms(report, bound, _term_side, partial(_term_report, net, claim, bound, target))
    if bound.strays or bound.beyond or (report.verdict == INCORRECT and report.diagnosis is None and bound.free):
        report = with_letter_mistake(net, report, bound, _or_none)
    return _with_swapped_weights(report, bound) if bound.rewritten else report


class _NotShownWrong(Exception):
    """A claim found different from the right answer with no real point to show it: never called incorrect."""


MAX_SWAPS = 4  # weights the network lacks, each read with its indices swapped, before the claim is given up


def _bound(net: Network, parsed: claim_syntax.Claim, claim: str, layer: int | None = None) -> claim_binding.BoundClaim:
    """The claim bound to ``net``; a weight the network lacks (w_{4j}^{(L)} in a 6-to-4 layer) read with its
    indices swapped when the weight it then names exists and the rest of the claim reads: that is the usual
    mistake, and the verdict says so. Any other error, or one in the left-hand side, stands."""
    swapped: set[int] = set()
    again: ClaimError
    try:
        return claim_binding.bind(net, parsed, claim, layer=layer)
    except claim_binding.OutOfRange as err:
        first = again = err
    while isinstance(again, claim_binding.OutOfRange) and again.kind == "w" and len(swapped) < MAX_SWAPS:
        start = again.position - 1
        if start in swapped or claim_binding.in_left_hand_side(parsed, start):
            break
        swapped.add(start)
        try:
            return claim_binding.bind(net, parsed, claim, frozenset(swapped), layer)
        except ClaimError as err:
            again = err
    try:  # an index a letter takes past its layer: read as written, a mistake to report (claim_mistakes)
        return claim_binding.bind(net, parsed, claim, layer=layer, lenient=True)
    except (LayerLetter, NoSuchLayer):
        raise
    except ClaimError:
        raise first from None


def _with_swapped_weights(report: ClaimReport, bound: claim_binding.BoundClaim) -> ClaimReport:
    """A claim naming a weight the network lacks: incorrect, and what it gives read with the indices swapped."""
    written = dict(bound.rewritten)
    belongs, shown = next(iter(written.items()))
    message = "the weight's indices are swapped: {0} is written, a weight this network does not have, where {1} belongs"
    other, kind = report.diagnosis, "indices_swapped"
    if other is not None:
        kind, message = f"{kind}+{other.kind}", f"{message}, and {_shifted_slots(other.message, 2)}"
    elif report.verdict == INCORRECT:
        message += "; with them put right, the claim is still not the right answer"
    symbols = (shown, belongs, *(other.symbols if other is not None else ()))
    formula = report.answer.value if report.answer is not None else sp.Integer(0)
    counter, found = report.counterexample, dict[str, Any](case=report.case if report.verdict == INCORRECT else ())
    if counter is not None:  # wrong even read swapped
        found["counterexample"] = replace(counter, note=_joined(counter.note, "the claim read with indices swapped"))
    else:
        found.update(as_written(report.network, bound, report.read_as, partial(_case_answer, report.network, bound)))
    method = "the claim names a weight the network does not have; read with its indices swapped, " + report.method
    return replace(
        report,
        verdict=INCORRECT,
        read_as=report.read_as.xreplace(written) if report.read_as is not None else None,
        diagnosis=Mistake(kind, message, formula, symbols),
        method=method,
        **found,
    )


def _shifted_slots(message: str, by: int) -> str:
    """A message's {0}, {1} slots renumbered from ``by``, to follow another message's."""
    return re.sub(r"\{(\d+)\}", lambda m: "{" + str(int(m.group(1)) + by) + "}", message)


def _joined(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _numbered(
    net: Network, bound: claim_binding.BoundClaim, of: sp.Expr, target: Ref | None
) -> claim_binding.BoundClaim:
    """A claim about the mean cost is numbered as the samples it names say (batch.numbering); where it is
    the mean on every side, for every case, only when numbered the other way (\\sum_{i=0}^{n} less C_0),
    it is numbered that way: "correct" is then earned, and "incorrect" never given to a mean."""
    if of != MEAN_COST:
        return bound
    other = 1 - bound.first_sample
    try:
        for k, case in enumerate(bound.cases):
            mean = batch.mean_of_samples(_wrt_in_case(net, bound, target, case), other)
            if not all(batch.same_function(side.values[k], mean) for side in bound.sides):
                return bound
    except batch.NotUnderstood:  # said by _check, with its position
        return bound
    return replace(bound, first_sample=other)


def _check(net: Network, claim: str, bound: claim_binding.BoundClaim, of: sp.Expr, target: Ref | None) -> ClaimReport:
    """Every side against the right answer, for every case of the free indices: the first wrong one is reported."""
    answers, not_shown = [], None
    for k, case in enumerate(bound.cases):
        wrt = _wrt_in_case(net, bound, target, case)
        if bound.reference is not None:  # \frac{\partial}{\partial x}(E) = ...: each later side against the first
            answer = _worked_out(of.xreplace(_values(case)), wrt, bound.reference[k])
        else:
            answer = _answer(net, of.xreplace(_values(case)), wrt, bound.first_sample)
        answers.append(answer.shown)
        stage("deciding the claim")
        for side in bound.sides:
            decision = _decide(net, answer, side.values[k], bound)
            if not decision.equal:
                try:
                    return _report(net, claim, INCORRECT, bound, side, answer, decision, case, k)
                except _NotShownWrong as err:
                    not_shown = err  # another side or case may still be shown wrong
    if not_shown is not None:
        raise not_shown
    report = _report(net, claim, CORRECT, bound, side, answer, decision, case, k)
    if not bound.free:
        return report
    general = claim_binding.generalize(answers, bound.cases)
    return replace(report, general=general, answers=tuple(answers), cases=bound.cases)


def _report(
    net: Network,
    claim: str,
    verdict: str,
    bound: claim_binding.BoundClaim,
    side: claim_binding.Side,
    answer: Answer,
    decision: Decision,
    case: Case,
    k: int,
) -> ClaimReport:
    """The report on one side in one case; for a wrong one, with a counterexample and a diagnosis."""
    value = side.values[k]
    found = mistake = None
    if verdict == INCORRECT:
        stage("finding where the claim goes wrong")
        found = _or_none(_counterexample, net, answer, value, bound)
        if found is None and decision.at_points and answer.of != MEAN_COST and _shown_right(net, answer, value):
            raise _NotShownWrong
        mistake = _or_none(_diagnose, net, answer, value, bound)
    return ClaimReport(
        net,
        claim,
        verdict,
        ref_of(answer.wrt),
        answer.derivation,
        side.shown,
        decision.method,
        found,
        mistake,
        **_which(bound, side),
        answer=answer,
        free=bound.free,
        case=case,
        claimed=(bound.of, bound.wrt_symbol) if bound.of is not None else None,
        notes=bound.notes,
    )


def _answer(net: Network, of: sp.Expr, wrt: sp.Indexed, first_sample: int) -> Answer:
    """The right answer for d(of)/d(wrt)."""
    ref = ref_of(wrt)
    if of == C0:
        stage("deriving")
        d = derive(net, ref)
        return Answer(of, wrt, simplified(d), d.result, d.start, d)
    if of == MEAN_COST:
        mean = batch.mean_of_samples(wrt, first_sample)
        return Answer(of, wrt, mean, mean, None)
    value = local_derivative(net, of, wrt)
    return Answer(of, wrt, value, value, ref if ref.kind in "az" else None)


def _worked_out(of: sp.Expr, wrt: sp.Indexed, value: sp.Expr) -> Answer:
    """The first side of a chain d/dx(E) = ..., E no quantity of the network's: sympy.diff of E, the reference."""
    ref = ref_of(wrt)
    return Answer(of, wrt, sp.factor_terms(value), value, ref if ref.kind in "az" else None)


def _decide(net: Network, answer: Answer, value: sp.Expr, bound: claim_binding.BoundClaim) -> Decision:
    if answer.of != MEAN_COST:
        return decide(net, value, answer.value, answer.start)
    try:
        equal = batch.same_function(value, answer.value)
    except batch.NotUnderstood as err:
        raise ClaimError(str(err), bound.sides[0].position) from None
    if equal:
        return Decision(True, batch.PROOF)
    return Decision(False, "not the mean for every number of samples n and every value of their derivatives")


def _counterexample(net: Network, answer: Answer, value: sp.Expr, bound: claim_binding.BoundClaim):
    if answer.of == MEAN_COST:
        return batch.counterexample(net, value, answer.value, bound.first_sample)
    return counterexample(net, value, answer.value, answer.start)


def _shown_right(net: Network, answer: Answer, value: sp.Expr) -> bool:
    """Whether real points, the last word, find the claim equal to the answer (False where they have no value)."""
    return bool(_or_none(agree_at_real_points, net, value, answer.value, answer.start, assumed.given(net)))


def _diagnose(net: Network, answer: Answer, value: sp.Expr, bound: claim_binding.BoundClaim) -> Mistake | None:
    if (repaired := vector_verdicts.repaired(net, bound, partial(_case_answer, net, bound))) is not None:
        return repaired
    if answer.of == MEAN_COST:
        return batch.diagnose(value, answer.value)
    if answer.derivation is not None:
        return diagnose(answer.derivation, value)
    return diagnose(Local(net, ref_of(answer.wrt), answer.of, answer.value, answer.start), value)


def _case_answer(net: Network, bound: claim_binding.BoundClaim, case: Case) -> Answer:
    return _answer(net, C0, _wrt_in_case(net, bound, None, case), 0)


def _or_none(detail, *args):
    """A counterexample or a diagnosis, or None where working it out overflows: the verdict stands without it."""
    try:
        return detail(*args)
    except (OverflowError, ZeroDivisionError, *UNDECIDABLE):
        return None


def _which(bound: claim_binding.BoundClaim, side: claim_binding.Side) -> dict:
    if bound.count == 1:
        return {}
    first = bound.sides[0].index
    return {"side": side.index, "sides": bound.count, "side_text": side.text, "first_side": first}


def _wrt_in_case(net: Network, bound: claim_binding.BoundClaim, target: Ref | None, case: Case) -> sp.Indexed:
    """What the derivative is taken with respect to, with the free indices at their values in ``case``."""
    if bound.wrt_symbol is None:
        return net.symbol(cast(Ref, target))  # ``_target`` gives None only for a claim with a free index
    return bound.wrt_symbol.xreplace(_values(case))


def _values(case: Case) -> dict[sp.Symbol, sp.Integer]:
    return {symbol: sp.Integer(v) for symbol, v in case}


def _target(net: Network, given: Ref | None, given_text: str | None, bound: claim_binding.BoundClaim) -> Ref | None:
    claimed = bound.wrt
    if bound.wrt_symbol is not None and claimed is None:  # \frac{\partial C_0}{\partial w_{j2}}: one per j
        if given is not None:
            raise SpecError(
                f"claim at position {bound.wrt_position}: the left-hand side's {bound.wrt_text} has a free index, "
                "checked for each of its values; leave out --wrt"
            )
        return None
    if given is None and claimed is None:
        raise SpecError(
            "say which derivative the claim is: give --wrt, or start the claim with "
            "\\frac{\\partial C_0}{\\partial w_{12}^{(L)}} ="
        )
    if given is not None and claimed is not None and given != claimed:
        raise SpecError(
            f"claim at position {bound.wrt_position}: the left-hand side is the derivative with respect to "
            f"{bound.wrt_text}, but --wrt names {given_text or reference_text(net, given)}"
        )
    target = cast(Ref, given or claimed)  # not both None: that is refused above
    check(target, net.spec, reference_text(net, target))
    return target


def reference_text(net: Network, ref: Ref) -> str:
    """A reference as the network's notation writes it: w_{12}^{(L)}, never Ref(kind='w', ...)."""
    return printers(net.notation, net.layers)[1].doprint(net.symbol(ref))
