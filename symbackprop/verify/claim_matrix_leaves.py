"""The leaves of a claim in vector and matrix notation: the layer a superscript names, and the vector or matrix a
letter names there (a, z, b, y, \\delta, W, Goodfellow's h and g) in one layout, with the transposes written on it.
claim_matrices reads the formulas built of them; this module also holds the marks it shares (what a transpose is,
the tweaks that re-read a claim with one mistake put right).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import sympy as sp

from ..model.network import Network
from ..model.partial import Partial
from ..model.printing import printers
from ..model.symbols import C0, A, B, W, Y, Z
from ..syntax.tree import Binary, Group, Name, Node, Num, Product
from . import claim_matrix_values as mv
from .claim_arithmetic import Arithmetic
from .claim_functions import Functions
from .claim_layers import GOODFELLOW, LETTERS, NoSuchLayer, goodfellow_letter, letter_layer, mentions_letter
from .claim_letters import Letters
from .claim_matrix_values import Mat
from .claim_nodes import is_name, unbrace
from .claim_sums import Sums
from .claim_values import Values

BATCH_LETTERS = {"A": "a", "Z": "z", "\\Delta": "\\delta", "X": "x", "Y": "y"}  # a batch: a row (column) a sample
VECTOR_LETTERS = {"a", "x", "h", "z", "b", "y", "\\delta", "w", "W", "g", *BATCH_LETTERS}
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
        return isinstance(font, Name) and font.name in ("\\mathsf", "\\mathrm") and is_name(letter, "T")
    return False


class MatrixLeaves(Values, Sums, Letters, Functions, Arithmetic):
    """The reader's state and its leaves: layers, and the vectors and matrices letters name, in one layout."""

    def __init__(
        self,
        net: Network,
        text: str,
        column: bool = True,
        letters: Mapping[str, int] | None = None,
        tweak: Tweak | None = None,
        weights_column: bool | None = None,
    ) -> None:
        super().__init__(net, text)
        self.column = column
        self.weights_column = column if weights_column is None else weights_column  # W^l as n_l x n_(l-1)
        self.letters = dict(letters or {})
        self.tweak = tweak
        self.gradient_layer: int | None = None  # Goodfellow's g: the gradient at that layer's z
        self.spots: list[Spot] = []
        self.weight_layers: list[int] = []  # the layers of the weight matrices read, in order
        self.bare_cost = False  # C written without a subscript: one sample's cost, said in a note
        self.batch = False  # the claim speaks of a batch: n and m are its number of samples
        self.sample_letter: str | None = None  # inside \\sum_x: the letter x, written in superscripts as {x,l}
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
        if isinstance(inner, Group) and len(inner.items) == 2 and is_name(inner.items[0], self.sample_letter or ""):
            inner = inner.items[1]  # \\delta^{x,l}: sample x's, at layer l
        if isinstance(inner, Product) and len(inner.factors) == 2 and self.ng_sample(inner.factors[1]):
            inner = inner.factors[0]  # Ng's a^{[l](i)}: sample i's, at layer [l]
        if mentions_letter(inner):  # l, l-1, (l+1), [l]: the layer the claim is being read at (claim_layers)
            return letter_layer(inner, self.letters.get("l"), self.net.depth, self.quote(inner)), transposed
        if goodfellow_letter(inner):  # Goodfellow's W^{(k)}, h^{(k-1)}: his layer letter, read as l is
            letters = (*LETTERS, GOODFELLOW)
            return letter_layer(inner, self.letters.get("l"), self.net.depth, self.quote(inner), letters), transposed
        if isinstance(inner, Group) and inner.delim in "([" and len(inner.items) == 1:
            inner = inner.items[0]
        return self.matrix_layer_value(unbrace(inner), node), transposed

    def ng_sample(self, node: Node) -> bool:
        """Whether ``node`` is Ng's (i) after a layer, i the letter of the sum over the samples around it."""
        return (
            isinstance(node, Group)
            and node.delim == "("
            and len(node.items) == 1
            and is_name(node.items[0], self.sample_letter or "")
        )

    @staticmethod
    def layer_letter(node: Node) -> bool:
        """Whether a layer superscript is written with a layer letter: l, or Goodfellow's (k)."""
        return mentions_letter(node) or goodfellow_letter(node)

    def matrix_layer_value(self, node: Node, where: Node) -> int:
        if isinstance(node, Num) and node.text.isdigit():
            layer = self.net.notation.layer_index(int(node.text))
        elif is_name(node, "L"):
            layer = self.net.depth
        elif isinstance(node, Name) and node.name in self.letters:
            layer = self.letters[node.name]
        elif isinstance(node, Binary) and node.op in "+-" and isinstance(node.right, Num) and node.right.text.isdigit():
            step = int(node.right.text)
            layer = self.matrix_layer_value(unbrace(node.left), where) + (step if node.op == "+" else -step)
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
        """The vector or matrix a letter names at a layer: a, x, h, z, b, y, \\delta, W (w), Goodfellow's g. In a
        network written in Goodfellow's preset, a is the pre-activation (the engine's z), as its documents print it."""
        net = self.net
        if name == "a" and net.notation.letter("z") == "a":
            name = "z"
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
        if self.weights_column:
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
        if sups and not is_transpose(sups[0]) and name not in ("y", "x", "g", "Y", "X"):
            layer, transposed = self.matrix_layer(sups[0])
            pre_activation = name == "a" and self.net.notation.letter("z") == "a"  # Goodfellow's a is the z
            if layer == 0 and (name not in ("a", "x", "h", "A", "X") or pre_activation) and self.layer_letter(sups[0]):
                raise NoSuchLayer(f"'{self.quote(node)}': the input layer has none, at this l", node.start + 1)
            rest = sups[1:]
        elif sups and name in ("y", "Y") and not is_transpose(sups[0]):
            rest = sups[1:]  # y^{(L)}: the targets are the output layer's
        if name in BATCH_LETTERS:
            value = self.batched(node, BATCH_LETTERS[name], layer)
        else:
            value = self.named_vector(node, name, layer)
        flips = transposed + sum(1 for s in rest if is_transpose(s))
        if len(rest) + transposed != flips:
            raise self.fail(node, f"'{self.quote(node)}': a power of a vector or a matrix is not understood")
        return self.transposes(node, value, flips)

    def batched(self, node: Node, name: str, layer: int | None) -> Mat:
        """A, Z, \\Delta, X, Y: a batch of one vector per sample, each sample a row (a column in the column
        layout); its entries are one generic sample's, in the network's own symbols."""
        self.batch = True
        one = self.named_vector(node, name, layer)
        letter = {"a": "A", "z": "Z", "\\delta": "Δ", "x": "X", "y": "Y"}[name]
        text = letter + one.text[one.text.index("^") :] if "^" in one.text else letter
        latex = {"Δ": "\\Delta"}.get(letter, letter) + (one.latex[one.latex.index("^") :] if "^" in one.latex else "")
        return replace(one, text=text, latex=latex, samples="cols" if self.column else "rows")

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
