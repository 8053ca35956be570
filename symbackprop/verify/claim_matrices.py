"""The reader of vector and matrix notation: W^{(l)}, \\delta^l, a^{l-1}, \\nabla_a C, \\odot, ^T, \\sigma'(z^l)
entry by entry, \\text{diag}, read into matrices of explicit entries (claim_matrix_values) in one layout.

The layout is the reader's: ``column`` (Nielsen's, and Goodfellow's: vectors are columns, W^l is n_l x n_{l-1} with
w_jk in row j, column k) or the row layout (vectors are rows, W^l is n_{l-1} x n_l with w_jk in row k, column j, as
CS231n's X W writes it). A layer letter is read through ``letters`` (l -> 2), so a claim written for a general layer
can be read once per layer. Juxtaposition and \\cdot are the matrix product and bind tighter than \\odot (Nielsen
brackets the product, (w^T \\delta) \\odot \\sigma'(z), and so reads the same either way).

``tweak`` re-reads a claim with one known mistake put right (a transpose added or taken away, \\odot for a product or
the other way round, a layer one off); ``spots`` records where each such change could be made. claim_vectors uses
both to name the mistake in a wrong claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from ..model.network import Network
from ..model.partial import Partial
from ..model.printing import printers
from ..model.symbols import C0, A, B, W, Y, Z
from ..syntax.tree import Binary, Frac, Group, Name, Neg, Node, Num, Product
from . import claim_matrix_values as mv
from .claim_arithmetic import Arithmetic
from .claim_functions import PLAIN_FUNCTIONS, Functions
from .claim_letters import Letters
from .claim_matrix_values import Mat
from .claim_nodes import ACTIVATION_HEADS, after_mark, is_bracketed, split, unbrace, walk
from .claim_reading import Reading
from .claim_sums import Sums
from .claim_values import Values

VECTOR_LETTERS = {"a", "x", "h", "z", "b", "y", "\\delta", "w", "W", "g"}
HADAMARD = {"\\odot", "\\circ"}
TRANSPOSE_MARKS = {"T", "\\top", "\\intercal", "\\mathsf", "\\mathrm"}
COST_NAMES = {"C", "J"}
FUNCTION_TEXT = {"\\sigma": "σ", "\\tanh": "tanh", "\\exp": "exp", "\\ln": "ln", "\\log": "log"}
WRAPPERS = {"\\vec", "\\mathbf", "\\boldsymbol", "\\bm"}  # \vec{a}: the vector a, as a is


@dataclass(frozen=True)
class Tweak:
    """One change to the reading: ``kind`` "transpose" (toggle one at ``at``), "operator" (\\odot <-> product at the
    factor starting at ``at``) or "layer" (the quantity at ``at`` one layer off, by ``by``)."""

    kind: str
    at: int
    by: int = 0


@dataclass(frozen=True)
class Spot:
    """Where a tweak could be made, and what it would mean, in words."""

    tweak: Tweak
    words: str


def is_transpose(node: Node | None) -> bool:
    """^T, ^\\top, ^{\\mathsf T}, ^{\\mathsf{T}}, ^{\\intercal}, ^{\\mathrm{T}}."""
    if node is None:
        return False
    inner = unbrace(node)
    if isinstance(inner, Name):
        return inner.name in ("T", "\\top", "\\intercal")
    if isinstance(inner, Product) and len(inner.factors) == 2:
        font, letter = inner.factors[0], unbrace(inner.factors[1])
        return isinstance(font, Name) and font.name in ("\\mathsf", "\\mathrm") and _is(letter, "T")
    return False


def _is(node: Node, name: str) -> bool:
    return isinstance(node, Name) and node.name == name


class MatrixReader(Values, Sums, Letters, Functions, Arithmetic):
    """A side of a claim read as a matrix of explicit entries, in one layout."""

    def __init__(
        self,
        net: Network,
        text: str,
        column: bool = True,
        letters: Mapping[str, int] | None = None,
        tweak: Tweak | None = None,
    ) -> None:
        super().__init__(net, text)
        self.column = column
        self.letters = dict(letters or {})
        self.tweak = tweak
        self.gradient_layer: int | None = None  # Goodfellow's g: the gradient at that layer's z
        self.spots: list[Spot] = []
        self.weight_layers: list[int] = []  # the layers of the weight matrices read, in order
        self.bare_cost = False  # C written without a subscript: one sample's cost, said in a note
        self.text_printer, self.tex_printer = printers(net.notation, net.layers)

    # --- layers ----------------------------------------------------------------------------------

    def label(self, layer: int) -> str:
        """A layer as the rest of the report writes it: L, L-1, ..."""
        return self.layer_label(layer)

    def matrix_layer(self, node: Node) -> tuple[int, bool]:
        """The layer in a superscript, and whether a transpose is written with it: (L), {[l]}, {(k-1)\\top}."""
        inner = unbrace(node)
        transposed = False
        if isinstance(inner, Product) and len(inner.factors) >= 2 and is_transpose(inner.factors[-1]):
            rest = inner.factors[:-1]
            inner = rest[0] if len(rest) == 1 else Product(rest[0].start, rest[-1].end, rest)
            transposed = True
        if isinstance(inner, Group) and inner.delim in "([" and len(inner.items) == 1:
            inner = inner.items[0]
        return self.layer_value(unbrace(inner), node), transposed

    def layer_value(self, node: Node, where: Node) -> int:
        if isinstance(node, Num) and node.text.isdigit():
            layer = self.net.notation.layer_index(int(node.text))
        elif _is(node, "L"):
            layer = self.net.depth
        elif isinstance(node, Name) and node.name in self.letters:
            layer = self.letters[node.name]
        elif isinstance(node, Binary) and node.op in "+-" and isinstance(node.right, Num) and node.right.text.isdigit():
            step = int(node.right.text)
            layer = self.layer_value(unbrace(node.left), where) + (step if node.op == "+" else -step)
        elif isinstance(node, Name) and len(node.name) == 1 and node.name.islower():
            message = f"the layer {node.name} is a letter; a claim is checked for one layer: write L, L-1 or 2"
            raise self.fail(node, message)
        else:
            raise self.fail(node, f"'{self.quote(node)}' is not a layer; write L, L-1 or a number")
        if not 0 <= layer <= self.net.depth:
            raise self.fail(where, f"there is no layer {self.quote(where)} in this network")
        return layer

    # --- leaves ------------------------------------------------------------------------------------

    def vector(self, entries: list[sp.Expr], text: str, latex: str) -> Mat:
        shape = (len(entries), 1) if self.column else (1, len(entries))
        return Mat(sp.ImmutableMatrix(*shape, entries), text, latex)

    def named_vector(self, node: Node, name: str, layer: int | None) -> Mat:
        """The vector or matrix a letter names at a layer: a, x, h, z, b, y, \\delta, W (w), Goodfellow's g."""
        net = self.net
        if name == "y":
            return self.vector([Y[j] for j in net.neurons(net.depth)], "y", "y")
        if name == "x":
            layer = 0
        if name == "g":
            if self.gradient_layer is None:
                raise self.fail(node, "g (Goodfellow's gradient) is read beside a gradient of W or b on the left")
            layer = self.gradient_layer
        if layer is None:
            raise self.fail(node, f"'{self.quote(node)}' needs its layer, as in {name}^{{(L)}} or {name}^{{(1)}}")
        if name not in ("y", "x", "g"):
            self.layer_spots(node, name, layer)
        tweak = self.tweak
        if tweak is not None and tweak.kind == "layer" and tweak.at == node.start:
            layer += tweak.by
            if not 0 <= layer <= net.depth:
                raise self.fail(node, "no such layer")
        label = self.label(layer)
        if name in ("w", "W"):
            return self.weights(node, layer)
        if name in ("b", "z", "\\delta", "g") and layer == 0:
            raise self.fail(node, f"the input layer has no {name}")
        if name == "b" and net.spec.bias != "neuron":
            raise self.fail(node, 'a vector b^(l) needs a bias per neuron (bias = "neuron")')
        js = list(net.neurons(layer))
        if name in ("a", "x", "h"):
            return self.vector([A[layer, j] for j in js], f"a^({label})", f"a^{{({label})}}")
        if name == "z":
            return self.vector([Z[layer, j] for j in js], f"z^({label})", f"z^{{({label})}}")
        if name == "b":
            return self.vector([B[layer, j] for j in js], f"b^({label})", f"b^{{({label})}}")
        return self.vector([Partial(C0, Z[layer, j]) for j in js], f"δ^({label})", rf"\delta^{{({label})}}")

    def layer_spots(self, node: Node, name: str, layer: int) -> None:
        letter = {"w": "W", "\\delta": "δ", "x": "a", "h": "a"}.get(name, name)
        for by in (-1, 1):
            if 0 <= layer + by <= self.net.depth:
                wrong, right = self.label(layer), self.label(layer + by)
                words = f"the wrong layer: {letter}^({wrong}) where {letter}^({right}) belongs"
                self.spots.append(Spot(Tweak("layer", node.start, by), words))

    def weights(self, node: Node, layer: int) -> Mat:
        if layer == 0:
            raise self.fail(node, "the input layer has no weights")
        self.weight_layers.append(layer)
        js, ks = self.net.neurons(layer), self.net.neurons(layer - 1)
        if self.column:
            entries = sp.ImmutableMatrix([[W[layer, j, k] for k in ks] for j in js])
        else:
            entries = sp.ImmutableMatrix([[W[layer, j, k] for j in js] for k in ks])
        label = self.label(layer)
        return Mat(entries, f"W^({label})", f"W^{{({label})}}")

    def leaf(self, node: Node, name: str, scripts: tuple) -> Mat:
        """A letter with its scripts: the first superscript its layer, any other a transpose."""
        if any(mark == "_" for mark, _ in scripts):
            raise self.fail(
                node, f"'{self.quote(node)}' is one entry; a vector formula writes whole vectors, as in a^{{(L)}}"
            )
        if any(mark == "'" for mark, _ in scripts):
            raise self.fail(node, f"a prime on '{self.quote(node)}' is not understood")
        sups = [s for _, s in scripts]
        layer, transposed, rest = None, False, sups
        if sups and not is_transpose(sups[0]) and name not in ("y", "x", "g"):
            layer, transposed = self.matrix_layer(sups[0])
            rest = sups[1:]
        elif sups and name == "y" and not is_transpose(sups[0]):
            rest = sups[1:]  # y^{(L)}: the targets are the output layer's
        value = self.named_vector(node, name, layer)
        flips = transposed + sum(1 for s in rest if is_transpose(s))
        if len(rest) + transposed != flips:
            raise self.fail(node, f"'{self.quote(node)}': a power of a vector or a matrix is not understood")
        return self.transposes(node, value, flips)

    def transposes(self, node: Node, value: Mat, flips: int) -> Mat:
        """``value`` transposed ``flips`` times, and once more under a transpose tweak at ``node``."""
        if value.shape != (1, 1):
            word = "a transpose too many" if flips % 2 else "the transpose is missing"
            shown = mv.transposed(value).text if flips % 2 else value.text
            wanted = value.text if flips % 2 else mv.transposed(value).text
            self.spots.append(Spot(Tweak("transpose", node.start), f"{word}: {shown} where {wanted} belongs"))
        if self.tweak is not None and self.tweak.kind == "transpose" and self.tweak.at == node.start:
            flips += 1
        for _ in range(flips % 2):
            value = mv.transposed(value)
        return value

    # --- the visitor ---------------------------------------------------------------------------------

    def mat(self, node: Node) -> Mat:
        """Any node of a vector formula as a matrix; a formula in no vector (2, \\frac{1}{2}) as a number."""
        if not any(isinstance(n, Name) and (n.name in VECTOR_LETTERS or n.name == "\\nabla") for n in walk(node)):
            value = self.expr(node, Reading())
            return mv.scalar(value, self.text_printer.doprint(value), self.tex_printer.doprint(value))
        if isinstance(node, Product):
            return self.factors(list(node.factors))
        if isinstance(node, Binary):
            left, right = self.mat(node.left), self.mat(node.right)
            if node.op == "/":
                return mv.divided(left, right, node.right.start + 1)
            return mv.added(left, right, 1 if node.op == "+" else -1, node.start + 1)
        if isinstance(node, Neg):
            return mv.negated(self.mat(node.operand))
        if isinstance(node, Group):
            if len(node.items) != 1:
                raise self.fail(node, "a list separated by commas where a vector belongs")
            inner = self.mat(node.items[0])
            return self.transposes(node, inner, 0) if node.delim in "([" else inner
        if isinstance(node, Frac):
            return self.fraction(node)
        base, scripts = split(node)
        if isinstance(base, Group):
            flips = sum(1 for mark, s in scripts if mark == "^" and is_transpose(s))
            if flips != len(scripts):
                raise self.fail(node, f"'{self.quote(node)}': a power of a vector or a matrix is not understood")
            return self.transposes(node, self.mat(base.items[0] if len(base.items) == 1 else base), flips)
        if isinstance(base, Name) and base.name in VECTOR_LETTERS:
            return self.leaf(node, base.name, scripts)
        raise self.fail(node, f"'{self.quote(node)}' is not understood in a vector formula")

    def fraction(self, node: Frac) -> Mat:
        """\\frac{\\partial C}{\\partial a^{(L)}}: the gradient as a vector; \\frac{M}{2}: a matrix over a number."""
        top, bottom = after_mark(node.numerator), after_mark(node.denominator)
        if top is not None and bottom is not None:
            self.cost_letter(top)
            return self.gradient(bottom)
        return mv.divided(self.mat(node.numerator), self.mat(node.denominator), node.denominator.start + 1)

    def cost_letter(self, node: Node) -> None:
        """C, C_0, C_x or J: one sample's cost."""
        base, scripts = split(node)
        if not (isinstance(base, Name) and base.name in COST_NAMES):
            raise self.fail(node, f"'{self.quote(node)}': a gradient of the cost C (or J) is understood")
        subs = [self.quote(s) for mark, s in scripts if mark == "_"]
        if any(sub not in ("0", "x", "{0}", "{x}") for sub in subs) or len(scripts) > len(subs):
            raise self.fail(node, f"'{self.quote(node)}' is not one sample's cost; write C, C_0 or C_x")
        self.bare_cost = self.bare_cost or not subs

    def gradient(self, node: Node, default_layer: int | None = None) -> Mat:
        """The derivatives of C_0 with respect to a vector's or a matrix's entries, laid out as it is."""
        base, scripts = split(node)
        if not (isinstance(base, Name) and base.name in VECTOR_LETTERS - {"y", "g", "\\delta"}):
            raise self.fail(node, f"'{self.quote(node)}': a gradient with respect to a, z, b or W is understood")
        if not scripts and default_layer is not None:
            value = self.named_vector(node, base.name, default_layer)
        else:
            value = self.leaf(node, base.name, scripts)
        entries = value.entries.applyfunc(lambda q: Partial(C0, q))
        shown = "a" if not scripts and default_layer is not None else f"({value.text})"
        return Mat(entries, f"∇_{shown} C", rf"\nabla_{{{value.latex}}} C")

    def factors(self, factors: list[Node]) -> Mat:
        """Factors in order: function names applied to the factor after them, \\nabla_x to the cost after it; the
        matrix product binds tighter than \\odot."""
        read: list[tuple[str, Mat, int]] = []  # (operator before it, value, where it starts)
        op, i = "*", 0
        while i < len(factors):
            f = factors[i]
            base, scripts = split(f)
            name = base.name if isinstance(base, Name) else None
            if name in HADAMARD:
                if not read:
                    raise self.fail(f, f"{name} needs a vector on each side")
                op, i = "⊙", i + 1
                continue
            nxt = factors[i + 1] if i + 1 < len(factors) else None
            if name in WRAPPERS and nxt is not None:
                value, i = self.mat(nxt), i + 2
            elif name == "\\hat" and nxt is not None and _is(unbrace(nxt), "y"):
                value, i = self.named_vector(nxt, "a", self.net.depth), i + 2
            elif name == "\\nabla":
                value, i = self.nabla(f, scripts, nxt), i + 2
            elif name in ("diag", "\\diag") and nxt is not None:
                value, i = mv.diagonal(self.mat(nxt), f.start + 1), i + 2
            elif isinstance(base, Name) and _applies(name) and nxt is not None and is_bracketed(nxt):
                value, i = self.entrywise(f, base, scripts, nxt), i + 2
            else:
                value, i = self.mat(f), i + 1
            read.append((op, value, f.start))
            op = "*"
        return self.combined(read)

    def combined(self, read: list[tuple[str, Mat, int]]) -> Mat:
        """Products first, then the Hadamard products of their results; a tweak may swap one operator."""
        ops = [op for op, _, _ in read]
        for n, (op, value, start) in enumerate(read[1:], start=1):
            if value.scalar or read[n - 1][1].scalar:
                continue
            other = "⊙" if op == "*" else "*"
            words = (
                "the Hadamard product ⊙ where a matrix product belongs"
                if op == "⊙"
                else "a matrix product where the Hadamard product ⊙ belongs"
            )
            self.spots.append(Spot(Tweak("operator", start), f"{words}, before {value.text}"))
            if self.tweak is not None and self.tweak.kind == "operator" and self.tweak.at == start:
                ops[n] = other
        segments: list[list[tuple[Mat, int]]] = []
        for n, (_, value, start) in enumerate(read):
            if n == 0 or ops[n] == "⊙":
                segments.append([])
            segments[-1].append((value, start))
        results = []
        for segment in segments:
            out = segment[0][0]
            for value, start in segment[1:]:
                out = mv.product(out, value, start + 1)
            results.append((out, segment[0][1]))
        out = results[0][0]
        for value, start in results[1:]:
            out = mv.hadamard(out, value, start + 1)
        return out

    def nabla(self, node: Node, scripts: tuple, cost: Node | None) -> Mat:
        """\\nabla_a C (a the output layer's activations), \\nabla_{a^{(l)}} C, \\nabla_{W^{(k)}} J."""
        subs = [s for mark, s in scripts if mark == "_"]
        if len(subs) != 1 or len(scripts) != 1 or cost is None:
            raise self.fail(node, "\\nabla is written with what it differentiates by and the cost: \\nabla_a C")
        self.cost_letter(cost)
        return self.gradient(unbrace(subs[0]), default_layer=self.net.depth)

    def entrywise(self, head: Node, base: Name, scripts: tuple, arg: Node) -> Mat:
        """\\sigma'(z^{(l)}), \\tanh(z), \\exp(z), \\Sigma'(z) (the diagonal matrix of \\sigma'(z)) entry by entry."""
        inner = arg.items[0] if isinstance(arg, Group) and arg.delim in "([" and len(arg.items) == 1 else arg
        value = self.mat(inner)
        name = "\\sigma" if base.name in ("\\Sigma", "f") else base.name
        primes, layer, powers = self.head_scripts(head, Name(base.start, base.end, name), scripts)
        if powers:
            raise self.fail(head, f"'{self.quote(head)}': a power of a function of a vector is not understood")
        if name in PLAIN_FUNCTIONS:
            entries = value.entries.applyfunc(PLAIN_FUNCTIONS[name])
        else:
            entries = value.entries.applyfunc(lambda e: self.activation(head, name, primes, layer, e))
        shown = FUNCTION_TEXT.get(name, name.lstrip("\\")) + "'" * primes
        latex = rf"{_tex_function(name)}{chr(39) * primes}\left({value.latex}\right)"
        out = Mat(entries, f"{shown}({value.text})", latex)
        return mv.diagonal(out, head.start + 1) if base.name == "\\Sigma" else out


def _applies(name: str | None) -> bool:
    """A function applied entry by entry to the factor after it."""
    return (name is not None and name in ACTIVATION_HEADS) or name in PLAIN_FUNCTIONS or name in ("\\Sigma", "f")


def _tex_function(name: str) -> str:
    """A function's name in LaTeX, from the catalogue's names only (never the claim's own text)."""
    if name.startswith("\\"):
        return name if name[1:].isalpha() else r"\sigma"
    return rf"\operatorname{{{name}}}" if name.isalpha() else "g"
