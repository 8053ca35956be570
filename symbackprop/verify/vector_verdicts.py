"""What only a claim in vector or matrix notation can be told (claim_vectors): the change that makes a wrong one
right (a transpose, \\odot for a product, a layer), and the verdict on shapes that fit in no layout, as the fields of
a report for claims.py to make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from ..model.network import Network
from ..model.symbols import C0
from . import claim_vectors
from .claim_cases import Case
from .claim_matrix_values import Written
from .diagnosis import Mistake

SHAPES = "the shapes were compared before any entry: they fit neither in the column nor in the row convention"


def repaired(net: Network, bound: Any, answer: Callable[[Case], Any]) -> Mistake | None:
    """The first known change that makes every entry of the claim right, as the mistake it names; ``answer`` gives
    the right answer (its value and start) in each case of the free indices."""
    answers = [answer(case) for case in bound.cases]
    repairs = bound.repairs() if bound.repairs is not None else iter(())
    repair = claim_vectors.first_right(net, repairs, [(a.value, a.start) for a in answers])
    return None if repair is None else Mistake(repair.kind, repair.words, answers[0].value)


def mismatched(bound: Any, answer: Any, repair: Mistake | None) -> dict[str, Any]:
    """A report's fields for shapes that fit in no layout: the shapes named, and the change that makes the claim
    right where one does (``repair``)."""
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
