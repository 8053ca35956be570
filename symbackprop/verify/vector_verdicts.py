"""What only a claim in vector or matrix notation can be told (claim_vectors): the change that makes a wrong one
right (a transpose, \\odot for a product, a layer), and the verdict on shapes that fit in no layout, as the fields of
a report for claims.py to make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from ..model.network import Network
from ..model.symbols import C0
from ..prove.points import NoExactValue
from ..prove.real_points import Unsupported
from . import claim_vectors
from .claim_cases import Case
from .claim_matrix_values import Written
from .diagnosis import Mistake

SHAPES = "the shapes were compared before any entry: they fit neither in the column nor in the row convention"


def repaired(net: Network, bound: Any, answer: Callable[[Case], Any]) -> Mistake | None:
    """The first known change that makes every entry of the claim right, as the mistake it names; ``answer`` gives
    the right answer (its value and start) in each case of the free indices."""
    if bound.repairs is None:
        return None
    answers = [answer(case) for case in bound.cases]
    repairs = bound.repairs()
    repair = claim_vectors.first_right(net, repairs, [(a.value, a.start) for a in answers])
    return None if repair is None else Mistake(repair.kind, repair.words, answers[0].value)


def mismatched(net: Network, bound: Any, answer_of: Callable[[Case], Any]) -> dict[str, Any]:
    """A report's fields for shapes that fit in no layout: the shapes named, and the change that makes the claim
    right where one does; ``answer_of`` gives the right answer in a case of the free indices."""
    answer = answer_of(bound.cases[0])
    try:
        repair = repaired(net, bound, answer_of)
    except (OverflowError, ZeroDivisionError, Unsupported, NoExactValue):
        repair = None
    words = str(bound.mismatch).replace("{", "(").replace("}", ")")
    kind = "shapes"
    if repair is not None:
        words, kind = f"{words}; {repair.message}, and then it is right", f"shapes+{repair.kind}"
    shown: sp.Expr = Written("(shapes that do not fit)", r"\text{(shapes that do not fit)}")
    return {
        "derivation": answer.derivation,
        "read_as": shown,
        "method": SHAPES,
        "diagnosis": Mistake(kind, words, answer.value),
        "answer": answer,
        "free": bound.free,
        "claimed": (C0, bound.wrt_symbol),
        "notes": bound.notes,
    }
