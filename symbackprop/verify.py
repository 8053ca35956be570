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
from .references import Ref

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

    @property
    def exit_status(self) -> int:
        return {CORRECT: 0, INCORRECT: 1, UNPARSEABLE: 2}[self.verdict]


def verify_claim(net: Network, claim: str, wrt: str | Ref | None = None) -> ClaimReport:
    """Decide whether ``claim`` (LaTeX) is dC_0/d(wrt) for ``net``.

    ``wrt`` may be left out when the claim starts with the derivative it claims
    (\\frac{\\partial C_0}{\\partial w_{12}^{(L)}} = ...). A --wrt that names something
    the network lacks, or that disagrees with the claim's own left-hand side, is a SpecError.
    """
    target = net.ref(wrt) if isinstance(wrt, str) else wrt
    try:
        bound = claim_binding.bind(net, claim_syntax.parse(claim), claim)
    except ClaimError as err:
        return ClaimReport(net, claim, UNPARSEABLE, target, error=err.reason, position=err.position)
    target = _target(net, target, bound.wrt)
    d = net.derive(target)
    decision = decide(net, bound.value, d.result, d.start)
    if decision.equal:
        return ClaimReport(net, claim, CORRECT, target, d, bound.shown, decision.method)
    return ClaimReport(
        net,
        claim,
        INCORRECT,
        target,
        d,
        bound.shown,
        decision.method,
        counterexample(net, bound.value, d.result, d.start),
        diagnose(d, bound.value),
    )


def _target(net: Network, given: Ref | None, claimed: Ref | None) -> Ref:
    if given is None and claimed is None:
        raise SpecError(
            "say which derivative the claim is: give --wrt, or start the claim with "
            "\\frac{\\partial C_0}{\\partial w_{12}^{(L)}} ="
        )
    if given is not None and claimed is not None and given != claimed:
        raise SpecError(
            f"the claim's left-hand side is the derivative for {_name(claimed)}, but --wrt names {_name(given)}"
        )
    target = given or claimed
    from .references import check

    check(target, net.spec)
    return target


def _name(ref: Ref) -> str:
    return f"{ref.kind}{ref.indices} in layer {ref.layer}"
