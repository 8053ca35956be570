"""The proof that a derivation is right: its result against the derivative of the composed cost.

The derivation's result, with the forward definitions substituted, is compared with the derivative of the
composed cost, each elementwise activation standing as an undefined function g_l so the proof holds for every
differentiable activation. Each catalogue activation's own derivative formula is proven separately. How is decided
by the input's size alone, so the same input always gets the same proof: up to SYMBOLIC_NODES nodes of composed
cost (and SYMBOLIC_LAYERS layers) the difference from ``sympy.diff`` is cancelled to 0; above, a randomized identity
test (random_identity) compares it with forward-mode dual numbers at exact random points and states its chance of
error. The Σ form a document prints for the result is proven equal to it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import sympy as sp
from sympy.core.function import AppliedUndef

from ..base.trees import tree_size
from ..derive.derivation import Derivation, derive
from ..derive.simplified import Simplified, simplified
from ..derive.steps import Step, steps
from ..model.activations import Activation, Scalar, activation
from ..model.network import Network
from ..model.references import Ref
from ..model.symbols import OrderedProduct
from .points import Point
from .proof import (
    PROVEN,
    SYMBOLIC,
    UNDECIDED,
    Part,
    Proof,
    by_points,
    combine,
    guarded,
    points_within,
    ran_past,
    text_printer,
    too_large,
)
from .random_identity import Outcome, Unknowns
from .tape import recorded

SYMBOLIC_NODES = 3_000  # nodes of the composed cost, written out as a tree, above which cancelling is not tried
SYMBOLIC_LAYERS = 10  # layers a derivative runs through, above which cancelling is not tried
SUM_FORM_NODES = 20_000  # nodes of a Σ form's difference from the result above which it is not expanded


def prove(d: Derivation) -> Proof:
    """Prove the derivation's result, and the Σ form a document prints for it.

    The result is compared with the derivative of the composed cost: symbolically (cancelling the difference
    from sympy.diff) when the composed cost is small enough, else by a randomized identity test; both with
    every activation an arbitrary function.
    """
    checks = [_activation_check(d.network.activation(layer)) for layer in _layers_used(d)]
    facts = _activation_facts(checks)
    parts = [_chain_rule(d), _sum_form(d)]
    general = [step for step in steps(d) if step.letter is not None]
    if general:
        parts.append(_general_steps(general))
    short = simplified(d)
    if short is not None:
        parts.append(_simplified(d, short))
    if any(check.proven is False for check in checks):
        parts.append(Part(UNDECIDED, SYMBOLIC, "an activation's derivative is not proven"))
    return combine(parts, facts)


def _chain_rule(d: Derivation) -> Part:
    net = d.network
    show = text_printer(net)
    nodes, layers = tree_size(net.composed_cost(d.start)), len(_layers_used(d))
    what = "the chain-rule result"
    if nodes > SYMBOLIC_NODES or layers > SYMBOLIC_LAYERS:
        why = too_large(nodes, layers, SYMBOLIC_NODES, SYMBOLIC_LAYERS)
        return by_points(what, _dual_outcome(d), f"{why}, so it is not cancelled symbolically", show=show)
    zero = guarded(lambda: _symbolic_difference_vanishes(d))
    if zero:
        return Part(PROVEN, SYMBOLIC, f"{what} equals sympy.diff of the composed cost: their difference cancels to 0")
    if zero is None:
        return Part(
            UNDECIDED,
            SYMBOLIC,
            f"{what}: cancelling its difference from sympy.diff of the composed cost "
            f"(a composed cost of {nodes:,} nodes) {ran_past()}",
        )
    return by_points(what, _dual_outcome(d), "cancelling the difference from sympy.diff did not reach 0", show=show)


def _symbolic_difference_vanishes(d: Derivation) -> bool:
    """Whether the difference from sympy.diff of the composed cost cancels to 0."""
    net = d.network
    oracle = sp.diff(net.composed_cost(d.start), d.symbol)
    difference = net.compose(d.result, d.start) - atomize(oracle)
    return sp.expand(difference) == 0 or sp.cancel(sp.together(difference)) == 0


def _dual_outcome(d: Derivation) -> Outcome:
    """The result against the forward-mode derivative of the composed cost, at random points."""
    net = d.network
    mapping, cost = net.forward_map(d.start, False), net.cost_definition()

    def evaluate(unknowns: Unknowns) -> tuple[Any, Any]:
        point = Point(unknowns, mapping, lambda e: net.compose(e, d.start), (d.symbol, None))
        derivative = point.jet(cost)[1]  # first: the result's values then reuse the forward pass's
        return point.value(d.result), derivative

    return points_within(recorded(evaluate))  # the walk once, its arithmetic at every point


def _layers_used(d: Derivation) -> list[int]:
    """The layers whose activation's derivative the result may contain."""
    low = d.target.layer + (1 if d.target.kind == "a" else 0)
    return [layer for layer in range(max(low, 1), d.network.depth + 1)]


def atomize(expr: sp.Expr) -> sp.Expr:
    """SymPy's Derivative(g_l(u), u) and Derivative(g_l(u), (u, 2)), however written, as one applied function
    g_l_prime(u) and g_l_prime2(u): the names Network.compose gives the textbook's g'."""

    def name(derivative: sp.Derivative) -> str:
        order = sum(count for _, count in derivative.variable_count)
        return f"{derivative.expr.func.__name__}_prime" + ("2" if order == 2 else "")

    subs = {s: sp.Function(name(s.expr))(*s.point) for s in expr.atoms(sp.Subs) if isinstance(s.expr, sp.Derivative)}
    expr = expr.xreplace(subs)
    found = {
        d: sp.Function(name(d))(*d.expr.args) for d in expr.atoms(sp.Derivative) if isinstance(d.expr, AppliedUndef)
    }
    return expr.xreplace(found)


def _sum_form(d: Derivation) -> Part:
    """The Σ form a document prints, its sums carried out, is the result itself: identical as SymPy builds them,
    or expanded to 0 when small, else by the randomized identity test."""
    what = "the printed Σ form"
    carried = guarded(lambda: carried_out(d.sum_form))
    if carried is None:
        return Part(UNDECIDED, SYMBOLIC, f"{what}: carrying out its sums {ran_past()}")
    difference = carried - d.result
    if difference == 0:
        return Part(PROVEN, SYMBOLIC, f"{what} is the result, its sums carried out")
    nodes = tree_size(difference)
    why = f"its difference from the result has {nodes:,} nodes, more than the {SUM_FORM_NODES:,} expanded"
    if nodes <= SUM_FORM_NODES:
        zero = guarded(lambda: sp.expand(difference) == 0)
        if zero:
            return Part(
                PROVEN, SYMBOLIC, f"{what} is the result: with its sums carried out their difference expands to 0"
            )
        if zero is None:
            return Part(UNDECIDED, SYMBOLIC, f"{what}: expanding its difference from the result {ran_past()}")
        why = "its difference from the result does not expand to 0"

    def evaluate(unknowns: Unknowns) -> tuple[Any, Any]:
        point = Point(unknowns, {}, lambda e: e)
        return point.value(carried), point.value(d.result)

    against = "the result, its sums carried out"
    return by_points(what, points_within(recorded(evaluate)), why, against, text_printer(d.network))


def _general_steps(general: list[Step]) -> Part:
    """Each step told once for every neuron of a layer is, with its letter put to each neuron's number, that
    neuron's own derivation: the same result and the same Σ form, term for term."""
    what = "each step told for every neuron of a layer"
    for step in general:
        for member, result, sum_form in step.instances():
            same = result == member.result and carried_out(sum_form) == carried_out(member.sum_form)
            if not same:
                name = text_printer(member.network)(member.symbol)
                return Part(UNDECIDED, SYMBOLIC, f"{what}: at {name} it is not written as that neuron's own derivation")
    count = sum(len(step.members) for step in general)
    each = f"its neuron put to each of the {count} it stands for"
    words = f"{what}, {each}, is that neuron's own derivation term for term"
    # said once, in short, with its count: the brief and the details would otherwise say it twice
    return Part(PROVEN, SYMBOLIC, words, f"{what} is each neuron's own derivation, term for term ({count} checked)")


def _simplified(d: Derivation, short: Simplified) -> Part:
    """The simplified result a document prints: each activation's derivative written in its output is that
    derivative (at a = g(z), their difference simplifies to 0), and with those put in, the simplified result and
    the result cancel."""
    what = "the simplified result"
    for name in short.activations:
        if guarded(lambda name=name: _in_a_holds(name)) is not True:  # type: ignore[misc]
            return Part(UNDECIDED, SYMBOLIC, f"{what}: the derivative of {name} written in its output is not proven")
    same = guarded(lambda: sp.cancel(sp.together(d.result.xreplace(dict(short.used)) - short.expr)) == 0)
    if same is not True:
        return Part(UNDECIDED, SYMBOLIC, f"{what}: its difference from the result does not cancel to 0")
    written = " and ".join(short.activations)
    return Part(
        PROVEN,
        SYMBOLIC,
        f"{what} is the result with the derivative of {written} written in its output (which equals it at a = g(z): "
        "their difference simplifies to 0), cancelled: their difference cancels to 0",
    )


@cache
def _in_a_holds(name: str) -> bool:
    """Whether the catalogue's derivative of an activation written in its output, g'(z) = h(a), is g'(z) at a = g(z)."""
    act = activation(name)
    z = sp.Symbol("z", real=True)
    form, prime, in_a = cast(Scalar, act.form), cast(Scalar, act.prime), cast(Scalar, act.prime_in_a)
    return bool(sp.simplify(prime(z) - in_a(form(z))) == 0)


def carried_out(expr: sp.Expr) -> sp.Expr:
    """``expr.doit()`` for the finite Sums of a Σ form: each sum written out term by term, each ordered
    product a Mul.

    SymPy's own ``doit`` looks for a closed form of every nested sum, which takes minutes for a deep network.
    """
    memo: dict[sp.Basic, sp.Basic] = {}

    def out(e: sp.Basic) -> sp.Basic:
        if e not in memo:
            if isinstance(e, sp.Sum):
                body, (index, low, high) = e.function, e.limits[-1]
                inner = sp.Sum(body, *e.limits[:-1]) if len(e.limits) > 1 else body
                memo[e] = sp.Add(*(out(inner.xreplace({index: v})) for v in range(int(low), int(high) + 1)))
            elif isinstance(e, sp.Atom) or not e.args:
                memo[e] = e
            elif isinstance(e, OrderedProduct):  # the order a text tells a product in; its value is the Mul
                memo[e] = sp.Mul(*(out(a) for a in e.args))
            else:
                memo[e] = e.func(*(out(a) for a in e.args))
        return memo[e]

    return out(expr)


def all_proofs(net: Network, refs: list[Ref], on_step: Callable[[str], None] | None = None) -> dict[Ref, Proof]:
    """The proof of each element a --wrt all document derives (``on_step`` hears of each)."""
    proofs = {}
    for ref in refs:
        if on_step is not None:
            on_step(f"{ref.kind} in layer {net.notation.layer(ref.layer, net.depth)}")
        proofs[ref] = prove(derive(net, ref))
    return proofs


@dataclass(frozen=True)
class _ActivationCheck:
    """What proving one activation's derivative found. ``proven`` is None for an activation with nothing of its
    own to prove (a generic g, softmax), whose ``said`` sentence tells why; ``where`` limits a one-sided proof."""

    name: str
    proven: bool | None
    where: str = ""
    said: str = ""

    def sentence(self) -> str:
        if self.proven is None:
            return self.said
        verdict = "proven equal" if self.proven else "NOT proven equal"
        return f"the derivative of {self.name} used here is {verdict} to sympy.diff of its formula{self.where}"


def _activation_facts(checks: list[_ActivationCheck]) -> tuple[str, ...]:
    """Each activation's fact once; the derivatives proven equal outright said in one sentence, not one each
    ("the derivatives of tanh and sigmoid used here are proven equal ..."), as a reader would say them.

    >>> from symbackprop.model.activations import activation
    >>> _activation_facts([_activation_check(activation(a)) for a in ("tanh", "sigmoid", "tanh")])
    ('the derivatives of tanh and sigmoid used here are proven equal to sympy.diff of their formulas',)
    """
    unique = list(dict.fromkeys(checks))
    plain = [check for check in unique if check.proven and not check.where]
    if len(plain) < 2:
        return tuple(check.sentence() for check in unique)
    names = f"{', '.join(check.name for check in plain[:-1])} and {plain[-1].name}"
    joined = f"the derivatives of {names} used here are proven equal to sympy.diff of their formulas"
    return tuple(dict.fromkeys(joined if check in plain else check.sentence() for check in unique))


def _activation_fact(act: Activation) -> str:
    """The sentence proving one activation's derivative says."""
    return _activation_check(act).sentence()


@cache
def _activation_check(act: Activation) -> _ActivationCheck:
    """Prove the catalogue's derivative of one activation with sympy.diff of its formula."""
    if act.generic:
        why = f"the generic activation {act.name} keeps its derivative symbolic, so the result holds for any g"
        return _ActivationCheck(act.name, None, said=why)
    if act.form is None:
        why = "softmax's coupled derivative is part of the composed cost, so it is proven with it"
        return _ActivationCheck(act.name, None, said=why)
    z = sp.Symbol("z", real=True)
    prime = cast(Scalar, act.prime)  # every catalogue entry with a form has its derivative too
    gap = sp.diff(act.form(z), z) - prime(z)
    if isinstance(act.form(z), (sp.Max, sp.Piecewise)):
        sides = (sp.Symbol("p", positive=True), sp.Symbol("n", negative=True))
        zero = all(sp.simplify(gap.subs(z, side)) == 0 for side in sides)
        return _ActivationCheck(act.name, zero, where=" for z > 0 and z < 0 (at 0 it is taken as the left one)")
    return _ActivationCheck(act.name, sp.simplify(gap) == 0)
