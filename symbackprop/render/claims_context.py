"""A worked example's claimed numbers as rows for a document: what each number is of (in LaTeX), the table it
came from in words, the claimed and computed values, the verdict, and how a missed one follows (rounding carried
forward, or the slip that reproduces it). Symbols only: never a user's text."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from ..model.network import Network
from ..model.references import Ref
from .data import Data, Printed

if TYPE_CHECKING:  # a document without claims (a derivation's) is laid out without the numeric stage and NumPy
    from ..numeric.by_hand import Rounding
    from ..numeric.claimed_numbers import NumberCheck

_LABELS = {
    "cost": "cost",
    "values": "forward",
    "gradients": "gradient",
    "local": "local factor",
    "step_size": "step",
    "updated": "after the step",
}


def claim_rows(net: Network, checks: Sequence[NumberCheck], p: Printed) -> list[Data]:
    """The spec's claimed numbers, checked, as rows for the worked example's table."""
    return [
        {
            "section": c.section,
            "label": label(c),
            "quantity": quantity(net, c, p),
            "claimed": str(c.claimed),
            "computed": float(c.computed),
            "computed_text": computed_digits(c.claimed, c.computed),
            "verdict": c.verdict,
            "note": c.note,
            "slip": c.slip or None,
            "carried": _carried_tex(c),
        }
        for c in checks
    ]


def label(c: NumberCheck) -> str:
    """The table a number came from, in words: "forward", "local factor", "after 10000 steps"."""
    if c.steps is None:
        return _LABELS[c.section]
    return f"after {c.steps:,} step{'s' if c.steps != 1 else ''}"


def quantity(net: Network, c: NumberCheck, p: Printed) -> str:
    """What the number is of, in LaTeX: the cost, a quantity, a derivative of the cost, a local factor, or eta
    times a derivative (the cost symbols as the notation writes them)."""
    batch, sample = net.notation.batch_cost_symbol, net.notation.cost_symbol
    if c.ref is None and c.over is None:
        return batch
    if c.over is not None:
        top = sample if c.ref is None else _tex(net, c.ref, p)
        return rf"\partial {top} / \partial {_tex(net, c.over, p)}"
    ref = cast(Ref, c.ref)  # a number that is not a cost's has a quantity
    symbol = _tex(net, ref, p)
    if c.section == "gradients" or c.section.endswith(".gradients"):
        return rf"\partial {sample if ref.kind in 'az' else batch} / \partial {symbol}"
    if c.section == "step_size":
        return rf"\eta\, \partial {batch} / \partial {symbol}"
    return symbol


def _tex(net: Network, ref: Ref, p: Printed) -> str:
    return str(p.expr(net.symbol(ref))["tex"])


def _carried_tex(c: NumberCheck) -> dict[str, str | None] | None:
    """How a number rounding carried forward explains follows, for the document: words, and the last step in LaTeX."""
    if c.carried is None:
        return None
    from ..numeric.by_hand import formula, ten_digits

    how = c.carried
    if not how.terms:
        return {"how": how.how, "step": None}
    step = formula(how.terms, r" \cdot ", r"\dots")
    if how.samples > 1:
        # several samples come only from a gradient worked by hand, with its first sample's value and a rounding
        value, rounding = cast(float, how.first), cast("Rounding", how.rounding)
        first = f"for the first sample ${step} = {ten_digits(value)}$, written ${rounding.text(value)}$"
        mean = f"the mean of the {how.samples} samples' written results is ${ten_digits(how.gives)}$"
        return {"how": how.how, "step": f"{first}; {mean}"}
    return {"how": how.how, "step": f"${step} = {ten_digits(how.gives)}$"}


def computed_digits(claimed: Decimal, computed: float) -> str:
    """The computed value to two more decimal places than the claim was printed with."""
    places = max(-int(claimed.as_tuple().exponent), 0) + 2
    return f"{computed:.{min(places, 15)}f}"
