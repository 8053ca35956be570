"""Check a claimed formula for a derivative: correct, incorrect (with what went wrong), or unparseable.

The claim is read by a grammar and bound to the network (claim_syntax, claim_binding), the
right answer is the engine's derivation, and the verdict is decided by proof that the two
are the same function (equivalence). For a wrong claim the report adds a point where their
values differ and, where one fits, the known mistake that explains it (diagnosis).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import claim_binding, claim_syntax
from .claim_syntax import ClaimError
from .derivation import Derivation
from .diagnosis import Mistake, diagnose
from .equivalence import Counterexample, counterexample, decide
from .errors import SpecError
from .network import Network
from .printing import printers
from .references import Ref, check
from .stages import stage

CORRECT, INCORRECT, UNPARSEABLE = "correct", "incorrect", "unparseable"


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
    side: int | None = None  # with several sides (A = B = C): which one the verdict is on, 1-based
    sides: int = 1  # how many sides the claim has, a leading derivative included
    side_text: str | None = None  # that side as written
    first_side: int | None = None  # the first side checked: 2 after a leading derivative, else 1

    @property
    def exit_status(self) -> int:
        return {CORRECT: 0, INCORRECT: 1, UNPARSEABLE: 2}[self.verdict]


def verify_claim(net: Network, claim: str, wrt: str | Ref | None = None) -> ClaimReport:
    """Decide whether ``claim`` (LaTeX) is dC_0/d(wrt) for ``net``.

    ``wrt`` may be left out when the claim starts with the derivative it claims
    (\\frac{\\partial C_0}{\\partial w_{12}^{(L)}} = ...). A --wrt that names something
    the network lacks, or that disagrees with the claim's own left-hand side, is a SpecError.
    """
    if wrt is not None and not isinstance(wrt, (str, Ref)):
        raise SpecError("wrt: expected a reference such as w_{12}^{(L)}, a Ref, or None")
    target = net.ref(wrt) if isinstance(wrt, str) else wrt
    if target is not None:
        check(target, net.spec)  # a Ref made by hand may name nothing in this network
    stage("reading the claim")
    try:
        bound = claim_binding.bind(net, claim_syntax.parse(claim), claim)
    except ClaimError as err:
        return ClaimReport(net, claim, UNPARSEABLE, target, error=err.reason, position=err.position)
    target = _target(net, target, wrt if isinstance(wrt, str) else None, bound)
    stage("deriving")
    d = net.derive(target)
    stage("deciding the claim")
    for side in bound.sides:  # A = B = C is right only if every side is; the first wrong one is reported
        decision = decide(net, side.value, d.result, d.start)
        which = _which(bound, side)
        if not decision.equal:
            stage("finding where the claim goes wrong")
            return ClaimReport(
                net,
                claim,
                INCORRECT,
                target,
                d,
                side.shown,
                decision.method,
                _or_none(counterexample, net, side.value, d.result, d.start),
                _or_none(diagnose, d, side.value),
                **which,
            )
    return ClaimReport(net, claim, CORRECT, target, d, side.shown, decision.method, **which)


def _or_none(detail, *args):
    """A counterexample or a diagnosis, or None where working it out overflows: the verdict stands without it."""
    try:
        return detail(*args)
    except (OverflowError, ZeroDivisionError):
        return None


def _which(bound: claim_binding.BoundClaim, side: claim_binding.Side) -> dict:
    if bound.count == 1:
        return {}
    first = bound.sides[0].index
    return {"side": side.index, "sides": bound.count, "side_text": side.text, "first_side": first}


def _target(net: Network, given: Ref | None, given_text: str | None, bound: claim_binding.BoundClaim) -> Ref:
    claimed = bound.wrt
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
    target = given or claimed
    check(target, net.spec, reference_text(net, target))
    return target


def reference_text(net: Network, ref: Ref) -> str:
    """A reference as the network's notation writes it: w_{12}^{(L)}, never Ref(kind='w', ...)."""
    return printers(net.notation, net.layers)[1].doprint(net.symbol(ref))
