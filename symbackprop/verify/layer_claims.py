"""A claim about one layer of a layer stack, in the notation the standard texts use, checked against the layer
graph's own gradients.

``\\frac{\\partial L}{\\partial x_i} = \\frac{\\gamma}{m\\sqrt{\\sigma^2+\\epsilon}}(m g_i - \\sum_j g_j -
\\hat{x}_i \\sum_j g_j \\hat{x}_j)`` on a batch norm layer, ``\\frac{\\partial L}{\\partial K_{m,n}} = \\sum_{i,j}
X_{i+m,j+n} \\frac{\\partial L}{\\partial Y_{i,j}}`` on a convolution, ``\\frac{\\partial L}{\\partial W_{hh}} =
\\sum_t (\\frac{\\partial L}{\\partial h_t} \\odot (1 - h_t^2)) h_{t-1}^T`` on an rnn: the left-hand side names the
derivative (L is the graph's mean cost C), its free indices (and a batch norm's channel) are checked at every
value, each entry of a matrix on its own. Every entry is decided at once by the identity test modulo p = 2^61 - 1
(``layer_exact``), the chance of error stated; an entry it finds different gets a counterexample at real points
(``graph_claims.decide``); a claim that rests on what a max is (a max pool's routing) is decided at real points
alone, and says so. A wrong claim equal to a classic mistake (``layer_mistakes``) is named.

>>> from symbackprop.model.layers.layer_graph import layered_spec
>>> spec = layered_spec({"input": 2, "cost": "sse", "batch": 3, "seed": 1, "layer": [{"kind": "batchnorm"}]})
>>> beta = r"\\frac{\\partial L}{\\partial \\beta} = \\sum_i \\frac{\\partial L}{\\partial y_i}"
>>> verify_layer_claim(spec, beta).verdict
'correct'
>>> direct = r"\\frac{\\partial L}{\\partial x_i} = \\frac{\\gamma}{\\sqrt{\\sigma^2+\\epsilon}} g_i"
>>> report = verify_layer_claim(spec, direct)
>>> report.verdict, report.diagnosis
('incorrect', 'batchnorm_direct_path_only')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import mpmath
import numpy as np
import sympy as sp

from ..derive.graph_backprop import derive_graph
from ..model.graph_functions import indicator, maxgate, relu
from ..model.layers.layer_graph import LayeredSpec
from ..prove.graph_points import DIGITS, GraphPoint, Real, real_point
from ..prove.real_points import BRANCHES
from ..syntax.errors import ClaimError
from ..syntax.tree import Binding, Frac, Group, Name, Node, Num, Product, Scripted, parse, source
from .claim_nodes import after_mark, walk
from .graph_claims import AGREE, CORRECT, INCORRECT, POINTS, UNPARSEABLE, decide
from .graph_claims import CANCEL_NODES as TURNED_NODES
from .layer_exact import decide_exactly
from .layer_mistakes import LayerMistake, mistakes
from .layer_notation import (
    BatchNormNotation,
    ConvNotation,
    DropoutNotation,
    GroupNotation,
    LayerNormNotation,
    LayerNotation,
    PoolNotation,
)
from .layer_reading import COSTS, LayerReader, ReadError, Value, letters_apart
from .rnn_notation import RecurrentNotation

MAX_ENTRIES = 256
MISTAKE_POINTS = 3


@dataclass(frozen=True)
class LayerClaimReport:
    """The verdict on a claim about a layer, and what the report shows."""

    claim: str
    verdict: str
    layer: str = ""  # "layer 1 (batchnorm)"
    derivative: str = ""  # the left-hand side as written
    cases: str = ""  # the free indices' values, in words
    entries: int = 0
    fails_at: tuple[tuple[str, int], ...] = ()
    read_as: sp.Expr | None = None
    answer: sp.Expr | None = None
    method: str = ""
    bound: str = ""  # the chance that a wrong claim was called correct, or why there is none
    point: tuple[tuple[str, float], ...] = ()
    claim_value: float | None = None
    answer_value: float | None = None
    diagnosis: str | None = None
    diagnosis_message: str | None = None
    error: str | None = None
    position: int | None = None

    @property
    def exit_status(self) -> int:
        return {CORRECT: 0, INCORRECT: 1, UNPARSEABLE: 2}[self.verdict]


@dataclass(frozen=True)
class _Entry:
    at: tuple[tuple[str, int], ...]  # the free indices' values (and a channel, a matrix entry)
    read: sp.Expr
    answer: sp.Expr
    wrt: sp.Basic  # the symbol the derivative is with respect to (0 past an array's edge)


def verify_layer_claim(spec: LayeredSpec, claim: str) -> LayerClaimReport | None:
    """The verdict on ``claim``, or None when its left-hand side is no derivative in a layer's notation (the
    claim is then one in the graph's own names)."""
    try:
        parsed = parse(claim)
    except ClaimError:
        return None
    if len(parsed.sides) < 2 or not isinstance(parsed.sides[0], Frac):
        return None
    gradients = derive_graph(spec.graph, None).written_out()
    refused: tuple[ReadError, str] | None = None
    for notation in notations(spec, gradients):
        notation.base = _numbered_from(parsed.sides, notation)
        reader = LayerReader(parsed.text, notation)
        try:
            free = _free(reader, notation, parsed.sides[0])
        except ReadError as refusal:
            refused = refused or (refusal, notation.where)
            continue
        if free is None:
            continue
        head = LayerClaimReport(
            claim, CORRECT, notation.where, source(parsed.text, parsed.sides[0]), _cases(notation, free)
        )
        try:
            entries = _entries(reader, notation, parsed.sides, free)
        except ReadError as err:
            return replace(head, verdict=UNPARSEABLE, error=err.reason, position=err.position)
        if isinstance(entries, str):
            return replace(head, verdict=INCORRECT, method=entries, diagnosis="shapes", diagnosis_message=entries)
        return _decided(spec, notation, head, entries)
    if refused is not None:  # the left-hand side names a layer's quantity with indices that do not fit it
        why, where = refused
        return LayerClaimReport(claim, UNPARSEABLE, where, error=why.reason, position=why.position)
    return None


def _numbered_from(sides: tuple[Node, ...], notation: LayerNotation) -> int:
    """1 where a sum is written from 1 (\\sum_{i=1}^{m}), else the notation's own first number."""
    if not isinstance(notation, GroupNotation):
        return notation.base
    for side in sides:
        for node in walk(side):
            if isinstance(node, Binding) and isinstance(node.value, Num) and node.value.text == "1":
                return 1
    return 0


def _free(reader: LayerReader, notation: LayerNotation, left: Frac) -> list[tuple[str, range]] | None:
    """The left-hand side's free letters and their values, or None if it is no derivative of this notation."""
    of, wrt = after_mark(left.numerator), after_mark(left.denominator)
    if of is None or wrt is None or source(reader.text, of) not in COSTS:
        return None
    base: Node = wrt
    items: tuple[Node, ...] = ()
    if isinstance(base, Product) and len(base.factors) == 2:
        accent, base = base.factors
        prefix = f"{accent.name}{{" if isinstance(accent, Name) else ""
    else:
        prefix = ""
    if isinstance(base, Scripted):
        subscripts = [arg for mark, arg in base.scripts if mark == "_" and arg is not None]
        if len(subscripts) == 1:
            items = letters_apart(subscripts[0])
        base = base.base
    while isinstance(base, Group) and len(base.items) == 1:
        base = base.items[0]
    name = f"{prefix}{source(reader.text, base)}{'}' if prefix else ''}"
    letters = [(i, n.name) for i, n in enumerate(items) if isinstance(n, Name) and len(n.name) == 1]
    axes = notation.axes(name, len(items)) if letters else None
    start = notation.base
    free = [(letter, range(start, start + axes[i])) for i, letter in letters] if axes is not None else []
    value = reader.quantity(wrt, {letter: r[0] for letter, r in free})
    return free if value is not None else None


def _channels(notation: LayerNotation) -> range:
    return range(notation.groups()) if isinstance(notation, GroupNotation) else range(1)


def _entries(
    reader: LayerReader, notation: LayerNotation, sides: tuple[Node, ...], free: list[tuple[str, range]]
) -> list[_Entry] | str:
    """Each value of the free indices (each channel, each matrix entry) with the claim's sides and the answer;
    a string saying how, where the shapes differ."""
    out: list[_Entry] = []
    left = sides[0]
    assert isinstance(left, Frac)
    wrt = after_mark(left.denominator)
    assert wrt is not None
    for channel in _channels(notation):
        if isinstance(notation, GroupNotation):
            notation.group = channel
        for values in np.ndindex(*(len(r) for _, r in free)):
            env = {letter: r[v] for (letter, r), v in zip(free, values, strict=True)}
            at = tuple(env.items()) + (((notation.word, channel),) if isinstance(notation, GroupNotation) else ())
            quantity = reader.quantity(wrt, env)
            answer = notation.gradient(quantity)
            for side in sides[1:]:
                read = reader.read(side, env)
                if any(sp.sympify(e).has(sp.zoo, sp.oo, sp.nan) for e in np.ravel(np.asarray(read, dtype=object))):
                    raise ReadError(f"a division by zero in '{source(reader.text, side)}'", side.start + 1)
                read = _samples_added(notation, read, answer)
                shapes = _shape(read), _shape(answer)
                if shapes[0] != shapes[1]:
                    return f"the claim is {_shape_text(shapes[0])} and the derivative {_shape_text(shapes[1])}"
                out += _flat(at, read, answer, quantity)
                if len(out) > MAX_ENTRIES:
                    raise ReadError(f"more than {MAX_ENTRIES} entries to check; a claim about a smaller layer")
    return out


def _samples_added(notation: LayerNotation, read: Value, answer: Value) -> Value:
    """An rnn's bias claimed as a column per sample (\\sum_t \\delta_t over a batch of N): the columns added. L is
    the mean cost, so each sample's dL/dh_t already carries its 1/N, and the bias's gradient is their sum."""
    if not isinstance(notation, RecurrentNotation) or not isinstance(read, np.ndarray):
        return read
    batch = notation.spec.outputs[0].shape[0]  # type: ignore[index]
    if batch > 1 and _shape(answer) == (read.shape[0], 1) and read.shape[1] == batch:
        return read.sum(axis=1).reshape(-1, 1)
    return read


def _shape(value: Value) -> tuple[int, ...]:
    return value.shape if isinstance(value, np.ndarray) else ()


def _shape_text(shape: tuple[int, ...]) -> str:
    return " x ".join(map(str, shape)) if shape else "a number"


def _flat(at: tuple, read: Value, answer: Value, quantity: Value) -> list[_Entry]:
    if not isinstance(read, np.ndarray):
        return [_Entry(at, sp.sympify(read), sp.sympify(answer), sp.sympify(quantity))]
    return [
        _Entry((*at, ("row", r), ("column", c)), read[r, c], answer[r, c], quantity[r, c])
        for r, c in np.ndindex(*read.shape)
    ]


def _cases(notation: LayerNotation, free: list[tuple[str, range]]) -> str:
    parts = [f"{letter} = {r[0]} to {r[-1]}" for letter, r in free]
    if isinstance(notation, GroupNotation):
        channels, word = _channels(notation), notation.word
        parts.append(f"each of the {len(channels)} {word}s" if len(channels) > 1 else f"its one {word}")
    return ", ".join(parts)


def _decided(spec: LayeredSpec, notation: LayerNotation, head: LayerClaimReport, entries: list[_Entry]):
    """Every entry at once modulo p (``layer_exact``); where that finds a difference, or cannot decide, the entries
    at real points: a counterexample in numbers, or agreement stated as the evidence it is."""
    graph = spec.graph
    head = replace(head, entries=len(entries), read_as=entries[0].read, answer=entries[0].answer)
    exactly = decide_exactly(graph, [(e.read, e.answer) for e in entries])
    if exactly is not None and exactly.equal:
        return replace(head, method=exactly.method, bound=exactly.bound)
    order = list(range(len(entries)))
    if exactly is not None and exactly.trusted:  # the entries that differ modulo p first: one of them is wrong
        order = list(exactly.differing) + [n for n in order if n not in exactly.differing]
    turned = True  # every entry's branches seen going both ways (graph_claims turns them on a difference this size)
    for n in order:
        entry = entries[n]
        report = decide(graph, head.claim, str(entry.wrt), entry.read, entry.answer, 0)
        if report.verdict != CORRECT:
            shown = replace(
                head,
                verdict=report.verdict,
                read_as=entry.read,
                answer=entry.answer,
                method=report.method,
                fails_at=entry.at,
                point=report.point,
                claim_value=report.claim_value,
                answer_value=report.answer_value,
                error=report.error,
            )
            if report.verdict == INCORRECT:
                found = _diagnosis(notation, entries)
                if found is not None:
                    shown = replace(shown, diagnosis=found.kind, diagnosis_message=found.message)
            return shown
        turned = turned and graph.composed_size(entry.read - entry.answer) <= TURNED_NODES
    if exactly is not None and exactly.trusted and not _branched(graph, entries):
        why = (
            "exact points modulo p = 2^61 - 1 found the two different, yet they agree to 40 digits at 12 real points "
            "for every entry; not decided"
        )
        return replace(head, verdict=UNPARSEABLE, method=why, error=why)
    count = f"each of the {len(entries)} entries" if len(entries) > 1 else "the one entry"
    if exactly is None:
        why = (
            "exact points could not decide them (a power that is neither whole nor a half, too many square roots in "
            "one value, or too many points where a division was by 0)"
        )
    elif not exactly.trusted:
        why = "exact points modulo p took two square roots of one value, written differently, for different letters"
    else:
        why = (
            "exact points modulo p, which take each function as arbitrary, cannot decide a claim that rests on what "
            "a max, a step or an indicator is (a max pool's routing)"
        )
    return replace(
        head,
        method=f"{count}: equal to {DIGITS - 10} digits at {POINTS} real points, "
        + (
            "each branch (a max, a step, an indicator) seen going both ways, with every input pushed over values of "
            "both signs, or provably going one way"
            if turned
            else "the branches not pushed both ways (a difference past 20,000 nodes written out)"
        )
        + f". Only real points: {why}; this is evidence at those points, "
        "not a proof",
        bound="none: agreement at real points",
    )


def _branched(graph, entries: list[_Entry]) -> bool:
    """Whether a max, a step, an indicator or a relu is in the graph or the entries: what exact points take as
    arbitrary functions, so a claim right for the true ones may differ there."""
    kinds = (*BRANCHES, relu, maxgate, indicator)
    return any(node.expression.has(*kinds) for node in graph.nodes) or any(
        sp.sympify(e.read).has(*kinds) or sp.sympify(e.answer).has(*kinds) for e in entries
    )


def _diagnosis(notation: LayerNotation, entries: list[_Entry]) -> LayerMistake | None:
    """The first known mistake equal to the claim at every entry, at a few real points."""
    graph = notation.spec.graph
    with mpmath.workdps(DIGITS):
        points = []
        for seed in range(MISTAKE_POINTS):
            try:
                points.append(GraphPoint(graph, Real(real_point(graph, seed + 1, 2.0)[0], {}), lambda s: 0))
            except (ZeroDivisionError, ValueError, OverflowError):
                continue
        for mistake in mistakes(notation):
            wrong = [mistake.answer(_one(e.wrt)) if isinstance(_one(e.wrt), sp.Symbol) else None for e in entries]
            if any(w is None for w in wrong) or not points:
                continue
            if all(_agree(p, e.read, w) for p in points for e, w in zip(entries, wrong, strict=True)):
                return mistake
    return None


def _one(wrt: sp.Basic) -> sp.Basic:
    """The quantity's symbol: b_h, torch's two biases added, is either one (each has the same gradient)."""
    if isinstance(wrt, sp.Add) and all(isinstance(a, sp.Symbol) for a in wrt.args):
        return sorted(wrt.args, key=str)[0]
    return wrt


def _agree(point: GraphPoint, mine: sp.Expr, theirs: sp.Expr | None) -> bool:
    try:
        a, b = point.value(mine), point.value(theirs)
    except (ZeroDivisionError, ValueError, OverflowError):
        return False
    return bool(abs(a - b) <= AGREE * max(1, abs(b)))


def entry_text(at: Mapping[str, int] | tuple[tuple[str, int], ...]) -> str:
    """The free indices' values in words: "i = 1, channel = 0"."""
    pairs = at.items() if isinstance(at, Mapping) else at
    return ", ".join(f"{k} = {v}" for k, v in pairs)


def notations(spec: LayeredSpec, gradients: Mapping[str, sp.Expr]) -> list[LayerNotation]:
    """A notation for each layer of a kind the texts write claims about, in the stack's order."""
    assert spec.stack is not None
    out: list[LayerNotation] = []
    for layer in spec.stack.layers:
        if layer.kind == "batchnorm":
            out.append(BatchNormNotation(spec, layer, gradients))
        elif layer.kind == "layernorm":
            out.append(LayerNormNotation(spec, layer, gradients))
        elif layer.kind == "dropout":
            out.append(DropoutNotation(spec, layer, gradients))
        elif layer.kind in ("conv1d", "conv2d"):
            out.append(ConvNotation(spec, layer, gradients))
        elif layer.kind in ("maxpool1d", "maxpool2d", "avgpool2d"):
            out.append(PoolNotation(spec, layer, gradients))
        elif layer.kind == "rnn":
            out.append(RecurrentNotation(spec, layer, gradients))
    return out
