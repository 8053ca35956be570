"""A sum over the samples of one sample's term, as Nielsen writes the mean's gradient:
``\\frac{\\partial C}{\\partial w^L_{jk}} = \\frac{1}{n}\\sum_x a^{L-1}_k (a^L_j - y_j)``, the term in that sample's
own a, z, w and y.

The reader puts each sample's derivative dC_x/dw in the term's place (claim_sums), so the claim's shape is decided
as any claim about the mean (batch: the 1/n, the limits). The term itself must then be dC_x/dw, one sample's
derivative, for every sample: it is decided as a claim about one sample, C_0. Both together are exactly the
claim; a term that is wrong is wrong for a batch of one sample, whose counterexample it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

ONE_SAMPLE = "each sample's term of the sum over the samples is decided as one sample's derivative: "
EVERY_TERM = "; each sample's term of the sum over the samples is that sample's derivative: "


def with_sample_terms(report: Any, bound: Any, side_of: Callable, decide_case: Callable) -> Any:
    """``report`` (a ClaimReport on the claim's shape, correct) with each sample's term decided as well.
    ``side_of(term)`` makes a claim_binding.Side of a term; ``decide_case(side, k)`` is the report on that side at
    case k of the free indices, as a claim about one sample's cost."""
    methods = []
    for term in bound.sample_terms:
        side = side_of(term)
        for k in range(len(bound.cases)):
            verdict = decide_case(side, k)
            if verdict.verdict != "correct":
                counter = verdict.counterexample
                if counter is not None:
                    counter = replace(counter, note="; ".join(n for n in (counter.note, "a batch of one sample") if n))
                return replace(verdict, method=ONE_SAMPLE + verdict.method, counterexample=counter, notes=report.notes)
            methods.append(verdict.method)
    return replace(report, method=report.method + EVERY_TERM + methods[0]) if methods else report
