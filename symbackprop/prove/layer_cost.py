"""The composed cost a layer's compact form is proven against, and the proof itself.

A compact form gives dC/dx_i (or dC/dW, dC/dgamma, ...) from the upstream gradient g = dC/dz at the layer's output
z. The proof writes the cost as the lessons do, C = L(z_1(x, theta), ..., z_M(x, theta)) + R: z each output of the
layer written out in its input x (held free) and its parameters theta, L the layers above as any function of the M
outputs, and R the L2 term's part in the layer's weights. Its derivative is dC/dx_i = sum_j g_j dz_j/dx_i + dR/dx_i
with g_j = dL/dz_j, each dz_j/dx_i and dR/dx_i by sympy.diff (the chain rule through L written as the sum: SymPy's
own, through an undefined function of M arguments, builds the same sum some thirty times slower on the small
CNN). The compact form, built element by element in the layer's symbols and the g_j and then written out the same
way, must equal it: the difference is the zero polynomial (``_vanishes``). Because L is any function, the form
holds whatever the layers above are, and so for the spec's own cost, whose g at the spec's values are the backward
pass's numbers. A wrong form is disproven at a random rational point where the difference, computed to 30 digits,
is not 0.

Max pooling's gates are differentiated by their own rule (``maxgate``): the derivative is a product of Heaviside
steps, one branch of the routing per window. Those steps are read at the spec's values of the layer's input, and
the proof says which branch held: which element of each window took the gradient, and at a tie the first.

A layer whose outputs, written out in its input and parameters, exceed ``MOST_NODES`` nodes, a form with more than
``MOST_ELEMENTS`` elements, or a norm over more than ``MOST_GROUP`` values, is not proven symbolically: its compact
form is checked in numbers (``numeric.layer_forms``), and the proof says why.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from ..base.trees import fold
from ..model.graph_functions import maxgate
from ..model.layers.layer_graph import LayeredSpec
from ..model.layers.stack import Layer, decayed
from ..model.layers.wiring import element_name
from .proof import DISPROVEN, PROVEN, SYMBOLIC, UNDECIDED, Proof, guarded, ran_past

MOST_NODES = 20_000  # the layer's outputs written out in its input and parameters, at most (each shared part once)
MOST_ELEMENTS = 400  # the elements a compact form is proven at, at most: each is one sympy.diff and one comparison
MOST_GROUP = 12  # a norm's values per statistic, at most: each element's form then has about M^3 terms


@dataclass(frozen=True)
class LayerCost:
    """One layer's part of the cost: its input held free, its own nodes written out in that input and its
    parameters, the outputs the layers above take and a symbol g for each one's upstream gradient dL/dz."""

    layer: Layer
    inputs: np.ndarray  # the layer's input as the graph's symbols (leaves, or an earlier layer's nodes)
    written: Mapping[sp.Symbol, sp.Expr]  # each of the layer's own nodes, written in its input and parameters
    outputs: np.ndarray  # the nodes the layers above take (an rnn's every hidden state)
    upstream: np.ndarray  # g_j = dL/dz_j, one symbol per output, in the same shape
    parameters: Mapping[str, np.ndarray]  # the layer's parameters as leaves, by torch.nn's names and shapes
    rate: sp.Expr  # lambda/n, the L2 term's coefficient in a weight's gradient (0 without l2)
    decay: sp.Expr  # the L2 term's part in this layer's weights, (lambda/2n) sum w^2 (0 without l2)
    values: Mapping[sp.Symbol, sp.Expr]  # the spec's values of the layer's input, exactly as the floats hold them

    def symbol(self, letter: str, index: tuple[int, ...]) -> sp.Symbol:
        """The layer's own node ``letter`` at ``index`` (u, v, h, ...), as the graph names it."""
        return sp.Symbol(element_name(letter, self.layer.number, index), real=True)

    def g(self, output: sp.Symbol) -> sp.Symbol:
        """The upstream gradient of one output node."""
        return self._g[output]

    @property
    def _g(self) -> dict[sp.Symbol, sp.Symbol]:
        return dict(zip(self.outputs.ravel(), self.upstream.ravel(), strict=True))


def layer_cost(spec: LayeredSpec, layer: Layer, values: Mapping[str, float]) -> LayerCost | str:
    """The layer's part of the cost, or why it is too large to prove symbolically."""
    assert spec.outputs is not None and spec.parameters is not None and spec.stack is not None
    marker = f"^{{({layer.number})}}"
    own = [node for node in spec.graph.nodes if marker in node.name]
    inputs = _symbols(spec.outputs[layer.number - 1])
    group = _group(layer, inputs.shape)
    if group > MOST_GROUP:
        return f"each of its statistics is over {group} values, more than the {MOST_GROUP} proven symbolically"
    sizes: dict[sp.Basic, int] = {}  # each subexpression's size written out, the own nodes' symbols theirs
    for node in own:
        sizes[node.symbol] = fold(node.expression, lambda e, below: 1 + sum(below), sizes)
    if layer.kind == "rnn":  # every hidden state: the layers above take the last or every step's
        outputs = np.array([n.symbol for n in own if n.name.startswith("h^")], dtype=object)
    else:
        outputs = _symbols(spec.outputs[layer.number])
    size = sum(sizes.get(z, 1) for z in outputs.ravel())
    if size > MOST_NODES:
        written_out = f"its {outputs.size} outputs written out in its input and parameters take {size:,} nodes"
        return f"{written_out}, more than {MOST_NODES:,}"
    written: dict[sp.Symbol, sp.Expr] = {}
    for node in own:
        written[node.symbol] = node.expression.xreplace(written)
    upstream = np.vectorize(lambda z: sp.Symbol(f"g[{z.name}]", real=True), otypes=[object])(outputs)
    parameters = spec.parameters[layer.number]
    n = spec.numbers.batch if spec.numbers is not None else 1
    lam = sp.Rational(repr(spec.stack.l2)) if spec.stack.l2 else sp.Integer(0)
    squares = [s**2 for name in decayed(layer) for s in np.asarray(parameters[name]).ravel()]
    exact = {s: sp.Rational(values[s.name]) for s in inputs.ravel() if s.name in values}
    rate = lam / n
    return LayerCost(layer, inputs, written, outputs, upstream, parameters, rate, rate / 2 * sp.Add(*squares), exact)


def _group(layer: Layer, shape: tuple[int, ...]) -> int:
    """How many values a norm's mean and variance are over (1 for any other layer)."""
    if layer.kind == "batchnorm":
        return shape[0] * math.prod(shape[2:])
    return shape[-1] if layer.kind == "layernorm" else 1


def _symbols(names: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda name: sp.Symbol(name, real=True), otypes=[object])(names)


def prove_compact(cost: LayerCost, claimed: Mapping[sp.Symbol, sp.Expr], what: str) -> Proof:
    """``claimed`` (each element's compact form: wrt symbol -> its expression in the layer's symbols and the g)
    against sympy.diff of the composed cost L(z) + R, element by element."""
    if len(claimed) > MOST_ELEMENTS:
        many = f"it has {len(claimed):,} elements, more than the {MOST_ELEMENTS} proven symbolically"
        return checked_in_numbers(many)
    found = guarded(lambda: _compare(cost, claimed))
    if found is None:
        return Proof(UNDECIDED, SYMBOLIC, f"{what}: the comparison with sympy.diff {ran_past()}; checked in numbers")
    verdict, words = found
    brief = words if verdict == DISPROVEN else f"NOT DECIDED: {words}"
    brief = _brief(cost, len(claimed)) if verdict == PROVEN else brief
    return Proof(verdict, SYMBOLIC, f"{what}: {words}", brief=brief)


def _brief(cost: LayerCost, elements: int) -> str:
    """A proven form in short: what it equals, at how many elements, and how (with the routing, for max pooling)."""
    words = (
        f"proven equal to {AGAINST} at each of its {elements} elements, L the layers above as any function of the "
        f"layer's {cost.outputs.size} outputs (symbolic: the difference is the zero polynomial)"
    )
    if any(z.has(maxgate) for z in cost.written.values()):
        words += f"; {routing(cost)}"
    return words


def checked_in_numbers(why: str) -> Proof:
    """A compact form not proven symbolically: held only to the backward pass's numbers, and why."""
    words = f"checked in numbers only, not proven symbolically: {why}"
    return Proof(UNDECIDED, SYMBOLIC, words, brief=words)


def _compare(cost: LayerCost, claimed: Mapping[sp.Symbol, sp.Expr]) -> tuple[str, str]:
    outputs = [(g, z.xreplace(cost.written)) for g, z in zip(cost.upstream.ravel(), cost.outputs.ravel(), strict=True)]
    uses = [(g, z, z.free_symbols) for g, z in outputs]
    gated = any(z.has(maxgate) for _, z in outputs)
    for wrt, form in claimed.items():
        theirs = sp.diff(cost.decay, wrt) + sp.Add(*(g * sp.diff(z, wrt) for g, z, free in uses if wrt in free))
        if gated:  # the gates' Heaviside steps read at the spec's values: the routing's branch there
            theirs = theirs.xreplace(cost.values)
        difference = form.xreplace(cost.written) - theirs
        if not _vanishes(difference):
            verdict, words = _differs(wrt, difference)
            if verdict != PROVEN:
                return verdict, words
    words = f"equals {AGAINST} at each of its {len(claimed)} elements ({above(cost)}; {VANISHES}"
    if gated:
        words += f"; {routing(cost)}"
    return PROVEN, words + ")"


AGAINST = "sympy.diff of the composed cost C = L(z) + R"
VANISHES = (
    "the difference is the zero polynomial in the inputs, parameters and g, each function value (a tanh) and "
    "each 1/sqrt(v + eps) taken as a variable of its own"
)


def _vanishes(difference: sp.Expr) -> bool:
    """Whether ``difference`` is 0: as a polynomial in its symbols, each applied function and each reciprocal
    square root made a variable of its own (a sufficient condition, and fast: a polynomial's arithmetic rather than
    ``sp.expand``'s); a difference that is not a polynomial so is expanded and cancelled instead."""
    if difference == 0:
        return True
    roots: dict[sp.Expr, sp.Dummy] = {}

    def reciprocal(power: sp.Pow) -> sp.Expr:
        return roots.setdefault(power.base, sp.Dummy("t")) ** int(-2 * power.exp)

    halves = difference.replace(
        lambda e: e.is_Pow and e.exp.is_Rational and e.exp.q == 2 and e.exp < 0,  # type: ignore[attr-defined]
        reciprocal,
    )
    functions = sorted(halves.atoms(sp.Function), key=sp.default_sort_key)
    flat = halves.xreplace({f: sp.Dummy("f") for f in functions})  # the outermost application first
    try:
        return bool(sp.Poly(flat, *sorted(flat.free_symbols, key=sp.default_sort_key)).is_zero)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return bool(sp.expand(difference) == 0 or sp.cancel(sp.together(difference)) == 0)


def above(cost: LayerCost) -> str:
    """What the proof takes the layers above to be, and how the chain rule runs through them."""
    return (
        f"L the layers above, any function of the layer's {cost.outputs.size} outputs z, so that dC/dx = "
        "sum_j g_j dz_j/dx + dR/dx with g_j = dL/dz_j its upstream gradient, each dz_j/dx and dR/dx by sympy.diff "
        "of z_j and R written out in the layer's input and parameters"
    )


def _differs(wrt: sp.Symbol, difference: sp.Expr) -> tuple[str, str]:
    """A difference that is not the zero polynomial: at a random point where it is not 0, a counterexample
    (disproven); else, if it expands or cancels to 0 after all, proven; else not decided."""
    rng = random.Random(20261207)
    free = sorted(difference.free_symbols, key=sp.default_sort_key)
    with mpmath.workdps(40):
        for _ in range(8):
            point = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for s in free}
            try:
                value = sp.N(difference.xreplace(point), 30)
            except (ZeroDivisionError, ValueError):
                continue
            if value.is_number and value.is_finite and abs(value) > sp.Float("1e-20"):
                shown = ", ".join(f"{s} = {point[s]}" for s in free[:4]) + (" and more" if len(free) > 4 else "")
                words = (
                    f"DIFFERS from {AGAINST} at d/d{wrt.name}: at {shown}, the "
                    f"compact form minus sympy.diff is {sp.N(value, 8)}"
                )
                return DISPROVEN, words
    if sp.expand(difference) == 0 or sp.cancel(sp.together(difference)) == 0:
        return PROVEN, ""
    return UNDECIDED, f"at d/d{wrt.name} the difference from sympy.diff did not cancel, nor differ at 8 random points"


def routing(cost: LayerCost) -> str:
    """Which branch of each window's gates held at the spec's values: how many windows, and the ties."""
    windows, tied, first = 0, 0, ""
    for z in cost.outputs.ravel():
        entries = _window(cost.written[z])
        values = [cost.values[e] for e in entries]
        top = max(values)
        windows += 1
        if values.count(top) > 1:
            tied += 1
            if not first:
                at = entries[values.index(top)].name
                first = f", e.g. {z.name}'s window tied at {top}, routed to {at}"
    ties = f"{tied} of them tied, the first maximum in scan order taking the gradient{first}" if tied else "none tied"
    return (
        f"the gates' Heaviside steps read at the spec's values of the input: in each of the {windows} windows the "
        f"gradient goes to its maximum, {ties}"
    )


def _window(expr: sp.Expr) -> list[sp.Symbol]:
    """A window's entries in scan order, from its chain of max gates."""
    if isinstance(expr, maxgate):
        return [*_window(expr.args[0]), *_window(expr.args[1])]
    return [expr]


def spread(shape: tuple[int, ...]) -> itertools.product:  # type: ignore[type-arg]
    """Every index of an array of ``shape``."""
    return itertools.product(*map(range, shape))
