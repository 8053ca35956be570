"""verify's hints about how neurons are counted: a claim whose index runs past its layer in a network numbered
from 0, read again with the neurons numbered from 1. Where it reads (an index out of range) or is right (a sum's
bounds one past the layer) that way, the verdict says so: the usual slip of a student who counts from 1."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..base.errors import SpecError
from ..model.network import Network
from ..model.references import Ref

CORRECT, UNPARSEABLE = "correct", "unparseable"
Decide = Callable[[Network, str, "str | Ref | None"], Any]  # claims._verify_claim: the report on one reading


def with_hints(decide: Decide, net: Network, claim: str, wrt: str | Ref | None) -> Any:
    """``decide(net, claim, wrt)``'s report, with the index-base hint where numbering from 1 reads the claim."""
    try:
        report = decide(net, claim, wrt)
    except SpecError as err:  # a --wrt out of range: perhaps numbered from 1
        if _reads_from_one(decide, net, claim, wrt, str(err)):
            raise SpecError(f"{err}; {ONE_BASED_HINT}") from None
        raise
    if (
        report.verdict == UNPARSEABLE
        and not report.undecided
        and _reads_from_one(decide, net, claim, wrt, report.error)
    ):
        return replace(report, error=f"{report.error}; {ONE_BASED_HINT}")
    mistake = report.diagnosis
    if mistake is not None and mistake.kind in BEYOND_KINDS and _right_from_one(decide, net, claim, wrt):
        return replace(report, diagnosis=replace(mistake, message=f"{mistake.message}; {ONE_BASED_RIGHT}"))
    return report


BEYOND_KINDS = ("sum_bounds", "no_such_neuron")  # an index a letter takes past its layer (claim_mistakes)
ONE_BASED_RIGHT = "counted from 1, as --index-base 1 (index_base = 1 in a spec file) numbers them, it is right"


def _right_from_one(decide: Decide, net: Network, claim: str, wrt: str | Ref | None) -> bool:
    """Whether a claim whose sum runs past its layer (\\sum_{j=1}^{n} on neurons numbered from 0) is right when
    the network numbers its neurons from 1."""
    if net.spec.index_base != 0 or isinstance(wrt, Ref):
        return False
    try:
        return decide(Network.from_spec(replace(net.spec, index_base=1)), claim, wrt).verdict == CORRECT
    except SpecError:
        return False


ONE_BASED_HINT = "did you mean --index-base 1 (index_base = 1 in a spec file)? Numbered from 1, it reads"


def _reads_from_one(decide: Decide, net: Network, claim: str, wrt: str | Ref | None, error: str | None) -> bool:
    """Whether an index out of range in a network numbered from 0 is read, and decided, when it is numbered from
    1 instead: the usual slip of a student who counts neurons from 1 (w_{14} in a layer of four)."""
    if net.spec.index_base != 0 or isinstance(wrt, Ref) or error is None or "out of range" not in error:
        return False
    from_one = Network.from_spec(replace(net.spec, index_base=1))
    try:
        return decide(from_one, claim, wrt).verdict != UNPARSEABLE
    except SpecError:
        return False
