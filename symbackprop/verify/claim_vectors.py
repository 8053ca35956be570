"""A claim in vector or matrix notation, as a claim on each entry: \\delta^L = \\nabla_a C \\odot \\sigma'(z^L)
is \\delta^L_j = (\\nabla_a C)_j \\sigma'(z^L_j) for every j, and
\\frac{\\partial C}{\\partial W^l} = \\delta^l (a^{l-1})^T is one claim per weight w_jk.

The left-hand side names the derivatives (\\delta^{(l)}, \\frac{\\partial C}{\\partial W^{(l)}}, \\nabla_{b^{(l)}} J,
...), laid out as the right-hand side must be. Both are read in the column layout (Nielsen's: vectors are columns,
W^l is n_l x n_{l-1}); where its shapes do not fit and the row layout's do (vectors rows, W^l n_{l-1} x n_l), in the
row layout; the verdict says which. Where neither fits, the claim is incorrect, and the verdict names the shapes.
Each entry is then a case of the free indices j (and k, for a weight), decided as any claim is, against the
engine's element derivative. A batch (A, Z, \\Delta, or Nielsen's \\frac{1}{n}\\sum_x) makes it a claim about the
mean cost: what is summed is decided against each sample's derivative, and the numbers around the sum by the
proof of a mean (batch); a third layout is tried for it, a row per sample with W^l n_l x n_{l-1}.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import cast

import sympy as sp

from ..derive.derivation import derive
from ..model.network import Network
from ..model.partial import Partial
from ..model.references import Ref, ref_of
from ..model.symbols import C0, MEAN_COST, SAMPLES, A, SampleCost, W
from ..numeric import numbers as numeric
from ..prove import assumed
from ..prove.equivalence import same, sample_value
from ..prove.points import NoExactValue
from ..prove.real_points import Unsupported
from ..syntax.errors import ClaimError
from ..syntax.tree import Binding, Claim, Name, Node, Range, Scripted
from .batch import SAMPLE_INDEX
from .claim_cases import Case, Free, cases
from .claim_matrices import HADAMARD, MatrixReader, Spot, Tweak, is_transpose
from .claim_matrix_leaves import BATCH_LETTERS
from .claim_matrix_values import Mat, ShapeMismatch, Written, shape_words
from .claim_nodes import split, walk
from .claim_projection import Projection, spread

MAX_ENTRIES = 256  # entries of a vector or matrix claim decided one by one; above, all at once (claim_projection)
SAMPLED = 16  # entries a claim above MAX_ENTRIES is read at for what only entries tell: a repair, a diagnosis
MAX_REPAIRS = 24  # readings with one mistake put right, tried on a wrong claim
MARKERS = HADAMARD | {"\\nabla", "\\top", "\\intercal", "W", "h", "J", "diag", "\\diag", "\\Sigma", "\\vec"}
MARKERS |= set(BATCH_LETTERS)  # A, Z, \\Delta, X, Y: a batch, which only a matrix claim has
BATCH_SIDES = (
    "both sides are batches, a {0} per sample, and each {0} is that sample's equation: it is checked for one "
    "sample, any sample, whose a, z and y are letters"
)
BOLD = re.compile(r"\\(mathbf|boldsymbol|bm)\s*\{\s*\\?[A-Za-z]+\s*\}")

COLUMN = (
    "read in the column convention (Nielsen's): vectors are columns and W^({w}) is n_{n0} x n_{n1} ({r} x {c}), "
    "w_jk in row j and column k"
)
ROW = (
    "read in the row convention (the layout of X W, as CS231n writes it), the only one whose shapes fit: vectors "
    "are rows and W^({w}) is n_{n1} x n_{n0} ({c} x {r}), w_jk in row k and column j"
)
SAMPLE_ROWS = (
    "read with a row per sample and W^({w}) as n_{n0} x n_{n1} ({r} x {c}), w_jk in row j and column k (the batch "
    "layout of Z = A W^T + b, as PyTorch and this project's matrix form write it), the only one whose shapes fit"
)
ONE_SAMPLE = "the cost was read as C_0, the cost of one sample"
SUMMAND = (
    "a sum over the samples is the mean's only where what it sums is each sample's derivative: that part, one "
    "sample's, is what is checked here, against the derivative of that sample's cost"
)


@dataclass(frozen=True)
class Repair:
    """The claim read with one known mistake put right: its kind, in words, and each side's value in each case."""

    kind: str
    words: str
    values: tuple[tuple[sp.Expr, ...], ...]


@dataclass(frozen=True)
class MatrixReading:
    """What a vector claim names, entry by entry, and each side's value at each entry."""

    wrt_symbol: sp.Indexed  # with the free letters: z_j^(l), w_jk^(l)
    wrt_text: str
    wrt_position: int
    free: tuple[Free, ...]
    cases: tuple[Case, ...]
    sides: tuple[tuple[int, str, int, sp.Expr, tuple[sp.Expr, ...]], ...]  # index, text, position, as read, values
    count: int
    notes: tuple[tuple[str, tuple[sp.Expr, ...]], ...]
    mismatch: str | None = None  # neither layout's shapes fit: why not, in the column layout
    mismatch_position: int | None = None
    repairs: Callable[[], Iterator[Repair]] | None = None
    projection: Projection | None = None  # more than MAX_ENTRIES entries: each side's matrix, decided at once
    of: sp.Expr = C0  # the mean cost C, for a sum over the samples whose summand is each sample's derivative
    first_sample: int = 1


def is_vector_claim(net: Network, claim: Claim, layer: int | None = None) -> bool:
    """Whether the claim is written in vectors and matrices: an operator only they take (\\odot, \\nabla, a
    transpose), a bold letter, W, or a left-hand side that names more than one derivative (\\delta^{(L)})."""
    nodes = [n for side in claim.sides for n in walk(side)]
    entries = {id(split(n)[0]) for n in nodes if isinstance(n, Scripted) and any(m == "_" for m, _ in n.scripts)}
    indices = _index_letters(nodes)  # the h of \sum_{h=0}^{1} y_{h} is an index, not Goodfellow's h
    markers = MARKERS - {net.notation.cost_symbol}  # J is Goodfellow's preset's own cost, a scalar
    if net.notation.symbols or all(n == 1 for n in net.layers):
        # a preset that writes its scalars W and h (Goodfellow's) prints them bare for a layer of one neuron; its
        # vector claims are told by their operators (a transpose, \odot, \nabla) or g
        markers = markers - {net.notation.letter("w"), net.notation.letter("a")}
    for node in nodes:  # W^{[l]}_{jk}, one entry of W, is read as the scalar it is
        if (
            isinstance(node, Name)
            and node.name in markers
            and id(node) not in indices
            and (id(node) not in entries or node.name == "\\nabla")
        ):
            return True
        if isinstance(node, Scripted) and any(mark == "^" and is_transpose(s) for mark, s in node.scripts):
            return True
    if BOLD.search(claim.text):
        return True
    if len(claim.sides) < 2:
        return False
    try:
        lhs = MatrixReader(net, claim.text, letters=None if layer is None else {"l": layer}).mat(claim.sides[0])
    except ClaimError:
        return False
    return lhs.shape != (1, 1) and all(isinstance(e, Partial) for e in lhs.entries)


def _index_letters(nodes: list[Node]) -> set[int]:
    """The ids of the lowercase letters written as indices: a sum's letter (h=0) and a letter in a subscript."""
    bound = [n.name for n in nodes if isinstance(n, (Binding, Range))]
    subscripts = [s for n in nodes if isinstance(n, Scripted) for mark, s in n.scripts if mark == "_" and s is not None]
    return {
        id(m)
        for top in bound + subscripts
        for m in walk(top)
        if isinstance(m, Name) and len(m.name) == 1 and m.name.islower()
    }


def read(net: Network, claim: Claim, letters: Mapping[str, int] | None = None) -> MatrixReading:
    """The claim in the column layout, else the row layout where only it fits, else its shapes' mismatch.

    ``letters`` binds a layer letter to one layer (l -> 1), for a claim written for a general layer.

    >>> from symbackprop.model.network import Network
    >>> from symbackprop.syntax.tree import parse
    >>> bp2 = parse(r"\\delta^{l} = ((W^{l+1})^T \\delta^{l+1}) \\odot \\sigma'(z^{l})")
    >>> reading = read(Network([2, 3, 2]), bp2, {"l": 1})
    >>> reading.wrt_symbol, [case[0][1] for case in reading.cases]
    (z[1, j], [0, 1, 2])
    >>> reading.notes[0][0][:29]
    'read in the column convention'
    """
    if len(claim.sides) < 2:
        raise ClaimError(
            "a vector claim names what it is on the left: \\delta^{(L)} = ... or "
            "\\frac{\\partial C}{\\partial W^{(L)}} = ...",
            claim.start + 1,
        )
    column = _Reading(net, claim, "column", letters)
    try:
        return column.read()
    except ShapeMismatch as first:
        mismatch = first
    layouts = ("row", "sample rows") if column.reader.batch else ("row",)
    others = []
    for layout in layouts:
        try:
            other = _Reading(net, claim, layout, letters)
            return other.read(mismatch)
        except ShapeMismatch:
            others.append(other)
            continue
    return column.mismatched(mismatch, others)


class _Reading:
    """One layout's reading of a whole claim."""

    def __init__(self, net: Network, claim: Claim, layout: str, letters: Mapping[str, int] | None) -> None:
        self.net, self.claim, self.layout_name, self.letters = net, claim, layout, letters
        self.column, self.weights_column = layout == "column", layout != "row"
        self.reader = self.new_reader()
        self.reader.batch = any(
            isinstance(n, Name) and (n.name == "\\sum" or n.name in BATCH_LETTERS)
            for side in claim.sides
            for n in walk(side)
        )
        self.lhs = self.reader.mat(claim.sides[0])
        self.wrt, self.free, self.places = _entries(net, self.lhs, claim.sides[0], self.reader)
        self.reader.gradient_layer = _gradient_layer(self.wrt)
        self.cases = cases(self.free)
        self.chosen = False  # read on chosen entries alone (``narrowed``), however few a claim is decided at once

    def new_reader(self, tweak: Tweak | None = None) -> MatrixReader:
        return MatrixReader(self.net, self.claim.text, self.column, self.letters, tweak, self.weights_column)

    def read(self, column_mismatch: ShapeMismatch | None = None) -> MatrixReading:
        self.column_mismatch = column_mismatch
        values = [(i, node, self.reader.mat(node)) for i, node in enumerate(self.claim.sides[1:], start=2)]
        notes = [self.layout(column_mismatch)]
        if len(self.cases) > MAX_ENTRIES and not self.chosen:
            return self.projected(values, notes)
        if any(value.samples == "summed" for _, _, value in values):
            return self.mean(values, notes)
        sides = tuple(self.side(self.reader, i, node, value) for i, node, value in values)
        if self.lhs.samples in ("rows", "cols"):  # Ng's dZ^{[2]} = A^{[2]} - Y: one equation per sample
            notes.append((BATCH_SIDES.format("column" if self.lhs.samples == "cols" else "row"), ()))
        if self.reader.bare_cost:
            notes.append((ONE_SAMPLE, ()))
        return self.result(sides, tuple(notes), repairs=lambda: self.repairs(self.reader.spots))

    def projected(self, values: list[tuple[int, Node, Mat]], notes: list) -> MatrixReading:
        """More entries than are decided one by one: each side's matrix whole, for claim_projection to decide at
        once; ``narrowed`` reads the claim again on a few entries, as a small claim is read."""
        if self.reader.batch:
            head = self.claim.sides[0]
            raise self.reader.fail(
                head, f"the claim has {len(self.cases):,} entries; a batch's at most {MAX_ENTRIES} are checked"
            )
        sides = []
        for index, node, value in values:
            self.check_shape(value, node)
            if value.samples:
                raise ShapeMismatch(
                    f"{value.text} is a batch, {shape_words(value)}, but the left-hand side is not", node.start + 1
                )
            sides.append(
                (index, self.reader.quote(node), node.start + 1, Written(value.text, value.latex), value.entries)
            )
        if self.reader.bare_cost:
            notes.append((ONE_SAMPLE, ()))
        projection = Projection(self.wrt, self.cases, self.places, tuple(sides), self.narrowed, len(self.claim.sides))
        return replace(self.result((), tuple(notes)), projection=projection)

    def narrowed(self, chosen: tuple[Case, ...]) -> MatrixReading:
        """The claim read again on the entries ``chosen`` alone, each decided as a small claim's are."""
        reading = _Reading(self.net, self.claim, self.layout_name, self.letters)
        reading.cases, reading.chosen = chosen, True
        return reading.read(self.column_mismatch)

    def mean(self, values: list[tuple[int, Node, Mat]], notes: list) -> MatrixReading:
        """A sum over the samples (\\frac{1}{n}\\sum_x \\delta^{x,l} (a^{x,l-1})^T, \\frac{1}{m} \\Delta^T A): a claim
        about the mean cost C when what it sums is, entry by entry, a fixed number times each sample's derivative;
        then that number, and the numbers and n around the sum, are what is decided. Where what it sums is not, the
        claim is wrong even for one sample, and that part is the claim checked, and said."""
        sides = []
        for index, node, value in values:
            self.check_shape(value, node)
            if value.samples != "summed":
                raise ShapeMismatch(f"{value.text} is no sum over the samples, but the other side is", node.start + 1)
            parts = [mean_parts(self.reader, value.entries[self.places[c]], node) for c in self.cases]
            scales = [
                per_sample_scale(self.net, part, self.case_wrt(c))
                for (_, part), c in zip(parts, self.cases, strict=True)
            ]
            shown = Written(value.text, value.latex)
            if any(scale is None for scale in scales):
                notes.append((SUMMAND, ()))
                side = (index, self.reader.quote(node), node.start + 1, shown, tuple(part for _, part in parts))
                return self.result((side,), tuple(notes))
            means = tuple(
                sp.Mul(around * scale, _sample_sum(self.case_wrt(c)), evaluate=False)
                for (around, _), (scale, _), c in zip(parts, cast(list, scales), self.cases, strict=True)
            )
            sides.append((index, self.reader.quote(node), node.start + 1, shown, means))
        how = _unbraced("; ".join(dict.fromkeys(cast(tuple, scale)[1] for scale in scales)))
        method = f"what it sums is, entry by entry, a number times each sample's derivative dC_x/dw ({how})"
        notes.append((f"C is the mean cost over the batch's n samples; {method}", ()))
        return replace(self.result(tuple(sides), tuple(notes)), of=MEAN_COST, first_sample=1)

    def case_wrt(self, case: Case) -> sp.Indexed:
        return self.wrt.xreplace(dict(case))

    def mismatched(self, err: ShapeMismatch, others: list[_Reading]) -> MatrixReading:
        """Neither layout fits: the column layout's reason, and the readings that one change makes fit, in this
        layout and then in ``others`` (the row layout: CS231n's dscores W2^T with its transpose left out), on a few
        entries spread over the matrix where it has more than are decided one by one."""
        if len(self.cases) > MAX_ENTRIES and not self.chosen:
            self.cases = spread(self.cases, SAMPLED)

        def repairs() -> Iterator[Repair]:
            yield from self.repairs(self.reader.spots)
            for other in others:
                for repair in other.repairs(self.reader.spots):
                    yield replace(repair, words=f"{repair.words} (read in the {other.layout_name} convention)")

        return self.result((), (self.layout(None),), mismatch=err.reason, position=err.position, repairs=repairs)

    def result(self, sides: tuple, notes: tuple, **more) -> MatrixReading:
        head = self.claim.sides[0]
        return MatrixReading(
            self.wrt,
            self.reader.quote(head),
            head.start + 1,
            self.free,
            self.cases,
            sides,
            len(self.claim.sides),
            notes,
            more.get("mismatch"),
            more.get("position"),
            more.get("repairs"),
        )

    def side(self, reader: MatrixReader, index: int, node: Node, value: Mat | None = None) -> tuple:
        value = reader.mat(node) if value is None else value
        self.check_shape(value, node)
        if value.samples and value.samples != self.lhs.samples:
            raise ShapeMismatch(
                f"{value.text} is a batch, {shape_words(value)}, but the left-hand side is not", node.start + 1
            )
        entries = tuple(reader.value_of(value.entries[self.places[case]], node) for case in self.cases)
        return index, reader.quote(node), node.start + 1, Written(value.text, value.latex), entries

    def check_shape(self, value: Mat, node: Node) -> None:
        batches = {value.samples, self.lhs.samples} & {"rows", "cols"}
        other_batch = bool(batches) and value.samples != self.lhs.samples
        if value.shape != self.lhs.shape or value.scalar != self.lhs.scalar or other_batch:
            raise ShapeMismatch(
                f"the right-hand side {value.text} is {shape_words(value)}, but {self.lhs.text} is "
                f"{shape_words(self.lhs)}",
                node.start + 1,
            )

    def layout(self, column_mismatch: ShapeMismatch | None) -> tuple[str, tuple[sp.Expr, ...]]:
        """What the verdict says of the layout, for the weights the claim is about (or the layer's)."""
        read = self.reader.weight_layers
        layer = read[0] if read else max(int(self.wrt.indices[0]), 1)  # the first weights written, else the layer's

        def label(n: int) -> str:
            text = self.reader.label(n)
            return f"({text})" if "-" in text else text

        words = {"column": COLUMN, "row": ROW}.get(self.layout_name, SAMPLE_ROWS)
        text = words.format(
            w=self.reader.label(layer),
            n0=label(layer),
            n1=label(layer - 1),
            r=self.net.layers[layer],
            c=self.net.layers[layer - 1],
        )
        if self.reader.batch and self.layout_name != "sample rows":
            text += f"; a batch (A, Z, Δ) has a {'column' if self.column else 'row'} per sample"
        if column_mismatch is not None:
            text += f" (in the column convention {_unbraced(column_mismatch.reason)})"
        return text, ()

    def repairs(self, spots: list[Spot]) -> Iterator[Repair]:
        """The claim read with each change in turn that makes its shapes fit."""
        for spot in spots[:MAX_REPAIRS]:
            reader = self.new_reader(spot.tweak)
            reader.batch = self.reader.batch
            reader.gradient_layer = self.reader.gradient_layer
            try:
                reader.mat(self.claim.sides[0])
                sides = [self.side(reader, i, n) for i, n in enumerate(self.claim.sides[1:], start=2)]
            except ClaimError:
                continue
            yield Repair(_kind(spot), spot.words, tuple(side[4] for side in sides))


def _kind(spot: Spot) -> str:
    if spot.tweak.kind == "transpose":
        return "transpose_missing" if "missing" in spot.words else "transpose_extra"
    if spot.tweak.kind == "operator":
        return "hadamard_for_product" if spot.words.startswith("the Hadamard") else "product_for_hadamard"
    return "wrong_layer"


def _unbraced(text: str) -> str:
    """A message put into a note, whose braces would be read as slots."""
    return text.replace("{", "(").replace("}", ")")


def _entries(
    net: Network, lhs: Mat, node: Node, reader: MatrixReader
) -> tuple[sp.Indexed, tuple[Free, ...], dict[Case, tuple[int, int]]]:
    """The left-hand side's derivatives: what they are taken with respect to (with the free letters), the letters'
    ranges, and where each case's entry stands in the matrix."""
    wrts = []
    for entry in lhs.entries:
        if not (isinstance(entry, Partial) and entry.of == C0 and isinstance(entry.wrt, sp.Indexed)):
            raise reader.fail(
                node,
                "the left-hand side must name the derivatives claimed, as \\delta^{(L)} or "
                "\\frac{\\partial C}{\\partial W^{(L)}} do",
            )
        wrts.append(entry.wrt)
    first = wrts[0]
    base, layer = first.base, int(first.indices[0])
    if any(w.base != base or int(w.indices[0]) != layer for w in wrts):
        raise reader.fail(node, "the left-hand side mixes the derivatives of several quantities")
    j, k = sp.Symbol("j", integer=True), sp.Symbol("k", integer=True)
    free: tuple[Free, ...]
    if base == W:
        free = (_free(net, j, layer), _free(net, k, layer - 1))
        wrt = W[layer, j, k]
    else:
        free = (_free(net, j, layer),)
        wrt = base[layer, j]
    all_cases = cases(free)
    where = {w: divmod(n, lhs.shape[1]) for n, w in enumerate(wrts)}
    places = {case: where[wrt.xreplace({s: sp.Integer(v) for s, v in case})] for case in all_cases}
    return wrt, free, places


def _free(net: Network, symbol: sp.Symbol, layer: int) -> Free:
    neurons = net.neurons(layer)
    return Free(symbol, neurons.start, neurons.stop - 1, layer)


def _gradient_layer(wrt: sp.Indexed) -> int:
    """The layer of Goodfellow's g in a line on this left-hand side: W^(k)'s and b^(k)'s k, h^(k-1)'s k."""
    layer = int(wrt.indices[0])
    return layer + 1 if wrt.base == A else layer


def first_right(net: Network, repairs: Iterator[Repair], answers: list[tuple[sp.Expr, Ref | None]]) -> Repair | None:
    """The first repair whose every entry equals the right answer's (a quick test at exact random points)."""
    stated = assumed.given(net)
    for repair in repairs:
        if all(
            same(net, value, right, start, given=stated)
            for side in repair.values
            for value, (right, start) in zip(side, answers, strict=True)
        ):
            return repair
    return None


def mean_parts(reader: MatrixReader, entry: sp.Expr, node: Node) -> tuple[sp.Expr, sp.Expr]:
    """An entry of a sum over the samples as (the numbers and n around the sum, one sample's part worked out)."""
    around, part = sp.factor_terms(entry).as_independent(SAMPLES, as_Add=False)[::-1]
    if part.has(SAMPLES) or not around.free_symbols <= {SAMPLES}:
        raise reader.fail(node, "a sum over the samples is understood times numbers and n, as in \\frac{1}{n}\\sum_x")
    return around, reader.value_of(part, node)


def _sample_sum(wrt: sp.Indexed) -> sp.Expr:
    """The sum over the batch's samples, numbered from 1 as Nielsen's \\sum_x, of dC_x/d(wrt)."""
    return sp.Sum(Partial(SampleCost(SAMPLE_INDEX), wrt), (SAMPLE_INDEX, 1, SAMPLES))


def per_sample_scale(net: Network, part: sp.Expr, wrt: sp.Indexed) -> tuple[sp.Expr, str] | None:
    """The number lambda with ``part`` = lambda dC_0/d(wrt) as functions (the engine's derivative), found at a random
    point and then decided as any claim is, with how; None where there is none."""
    d = derive(net, ref_of(wrt))
    point = numeric.random_values(net, samples=1, seed=0)
    mine, right = sample_value(net, part, d.start, point, 0), sample_value(net, d.result, d.start, point, 0)
    if mine is None or right is None or abs(right) < 1e-12:
        scale = sp.Integer(1)
    else:
        scale = sp.Rational(mine / right).limit_denominator(1000)
    if scale == 0:
        return None
    try:
        decision = assumed.decide(net, part, scale * d.result, d.start)
    except (Unsupported, NoExactValue):
        raise ClaimError("what the sum over the samples sums holds a function no method here can evaluate") from None
    return (scale, decision.method) if decision.equal else None
