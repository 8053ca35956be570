"""A claim about an activation as a function of one letter: ``\\frac{d\\sigma(x)}{dx} = \\sigma(x)(1-\\sigma(x))``,
``\\frac{d}{dz}\\tanh(z) = 1 - \\tanh^2(z)``. The letter is a plain real variable here, no quantity of the
network; the right answer is sympy.diff of the function the numerator names (the catalogue's form of \\sigma,
\\tanh, ReLU), and each side is decided against it: by simplification to 0 (a proof), or else at real points,
where a difference is a counterexample."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..prove.equivalence import Counterexample
from ..syntax.tree import Claim, Frac, Group, Name, Node, Product
from .claim_nodes import after_mark, is_head, is_mark, unbrace

POINTS = (sp.Rational(-3, 2), sp.Rational(-1, 3), sp.Rational(1, 5), sp.Rational(7, 10), sp.Rational(2))
DIGITS = 30


@dataclass(frozen=True)
class Identity:
    """The function's letter, and what the leading derivative differentiates (the numerator after its mark)."""

    letter: str
    function: Node


def identity(claim: Claim) -> Identity | None:
    """``\\frac{d F(v)}{dv} = ...`` with F a function name and v one letter alone: a claim about F itself."""
    if len(claim.sides) < 2:
        return None
    head = claim.sides[0]
    top: Node | None
    bottom: Node | None
    if isinstance(head, Product) and len(head.factors) == 3 and isinstance(head.factors[0], Frac):  # d/dx F(x)
        operator = head.factors[0]
        top = Product(head.factors[1].start, head.end, head.factors[1:]) if is_mark(operator.numerator) else None
        bottom = after_mark(operator.denominator)
    elif isinstance(head, Frac):
        top, bottom = after_mark(head.numerator), after_mark(head.denominator)
    else:
        return None
    if top is None or bottom is None:
        return None
    bottom = unbrace(bottom)
    if not (isinstance(bottom, Name) and len(bottom.name) == 1 and bottom.name.isalpha()):
        return None
    top = unbrace(top)
    if not (isinstance(top, Product) and len(top.factors) == 2):
        return None
    name, argument = unbrace(top.factors[0]), unbrace(top.factors[1])
    if not (isinstance(name, Name) and is_head(name.name) and isinstance(argument, Group)):
        return None
    inner = [unbrace(i) for i in argument.items]
    if len(inner) != 1 or not (isinstance(inner[0], Name) and inner[0].name == bottom.name):
        return None
    return Identity(bottom.name, top)


@dataclass(frozen=True)
class Decided:
    equal: bool
    method: str
    at: sp.Rational | None = None  # where the claim and the answer differ
    claim: float = 0.0
    expected: float = 0.0


def decide(value: sp.Expr, answer: sp.Expr, variable: sp.Symbol) -> Decided:
    """``value`` against ``answer`` as functions of the real ``variable``."""
    difference = value - answer
    if sp.simplify(difference.rewrite(sp.exp)) == 0:
        return Decided(True, "the difference simplifies to 0 (sympy.simplify, with each function written in exp)")
    for point in POINTS:
        gap = difference.xreplace({variable: point}).evalf(DIGITS)
        if gap.is_number and gap.is_real and abs(gap) > sp.Float(10) ** (5 - DIGITS):
            mine, right = (float(e.xreplace({variable: point}).evalf(DIGITS)) for e in (value, answer))
            return Decided(
                False, f"not equal as functions of {variable}: they differ at {variable} = {point}", point, mine, right
            )
    return Decided(False, "", None)  # neither shown equal nor shown different: undecided


def report_fields(claim: Claim, found: Identity, read: Callable[[Node, str, sp.Symbol], sp.Expr]) -> dict:
    """A ClaimReport's fields for an identity claim: its verdict, the claim as read, the right answer (of, wrt,
    shown, value) and how it was decided, a counterexample where it is wrong. ``read(node, letter, variable)``
    reads one expression of the claim with the letter a plain variable."""
    variable = sp.Symbol(found.letter, real=True)
    function = read(found.function, found.letter, variable)
    answer = sp.diff(function, variable)  # as sympy.diff gives it: exp(-x)/(1 + exp(-x))^2 reads better than cosh
    fields: dict = {}
    for index, side in enumerate(claim.sides[1:], start=2):
        value = read(side, found.letter, variable)
        decided = decide(value, answer, variable)
        where = {"side": index, "sides": len(claim.sides), "first_side": 2} if len(claim.sides) > 2 else {}
        fields = {"verdict": "correct", "read_as": value, "method": decided.method, **where}
        fields["answer"] = (function, variable, answer, answer)
        if not decided.equal:
            if decided.at is None:
                reason = "the claim and the right answer could not be told equal or different at any point tried"
                return {"verdict": "unparseable", "error": reason, "undecided": True}
            at = ((variable, float(decided.at)),)
            fields |= {
                "verdict": "incorrect",
                "counterexample": Counterexample(at, at, decided.claim, decided.expected),
            }
            break
    return fields
