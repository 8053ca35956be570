"""Letters with scripts in a claim: the network's quantities (a, z, w, b, y, x, \\delta) with their layer and
neuron indices, the costs C_0, C and C_i, the sizes n and n_l, Euler's e, and the index letters of sums."""

from __future__ import annotations

from typing import cast

import sympy as sp

from ..model.partial import Partial
from ..model.references import index_count, indexed_layers, wide_layer, wrong_indices
from ..model.symbols import C0, SAMPLES, A, B, SampleCost, W, Y, Z
from ..syntax.tree import Binary, Group, Name, Node, Num, Product, Scripted
from .claim_layers import NoSuchLayer, letter_layer, mentions_letter
from .claim_nodes import DERIVATIVE_MARKS, DOTS, is_digits, is_head, is_name, sample_script, unbrace, walk
from .claim_reading import ReaderBase, Reading

QUANTITIES = {"a": A, "z": Z, "w": W, "b": B, "x": A, "y": Y, "\\delta": Z}
COST_LETTERS = {"C"}
CS231N = {"f": "z", "p": "a", "L": "C"}  # CS231n's scores f_k, probabilities p_k and loss L_i


class Letters(ReaderBase):
    """A name with its subscripts and superscripts, read as what it stands for in this network."""

    def scripted(self, base: Node, scripts: tuple, node: Node | None, at: Reading) -> sp.Expr:
        node = node or base
        if isinstance(base, Group):
            return self.powers(node, self.group(base, at), scripts, at)
        if not isinstance(base, Name):
            return self.powers(node, self.expr(base, at), scripts, at)
        name = base.name
        if self.plain is not None and name == self.plain[0]:  # \frac{d\sigma(x)}{dx}: x is no quantity here
            return self.powers(node, self.plain[1], scripts, at)
        if name == "W" and any(m == "_" for m, _ in scripts):  # W^{[l]}_{jk}: an entry of Ng's matrix, a weight
            name = "w"
        name = self.preset_letter(name)
        if name in CS231N and self.cs231n(scripts):  # CS231n's f_k, p_k, L_i: the output's z, a, and the loss
            return self.cs231n_letter(node, name, scripts, at)
        if name in QUANTITIES:
            return self.quantity(node, name, scripts, at)
        if name in COST_LETTERS or name == self.net.notation.cost_symbol.partition("_")[0]:
            return self.powers(node, self.cost(node, scripts, at), [s for s in scripts if s[0] == "^"], at)
        if name == "n":
            return self.size(node, scripts, at)
        if name == "e":
            return self.powers(node, sp.E, scripts, at)
        if name in self.scope:
            return self.powers(node, self.scope[name].symbol, scripts, at)
        if is_head(name) or name == "\\sum":
            raise self.fail(node, f"{self.quote(node)} needs an argument")
        if name in DERIVATIVE_MARKS:
            raise self.fail(node, f"{name} belongs in a derivative such as \\frac{{\\partial C_0}}{{\\partial w}}")
        if name in DOTS:
            raise self.fail(
                node,
                f"{name} stands for terms left out of a sum: write it between two terms, as in a_0 + \\cdots + a_5",
            )
        if name.startswith("\\"):
            raise self.fail(node, f"unknown command {name}")
        raise self.fail(node, f"{name} means nothing in this network (a, z, w, b, y, x, n, e, C are known)")

    def preset_letter(self, name: str) -> str:
        """The engine's letter for one the network's preset renames (Goodfellow's h, a and g are a, z and \\delta),
        so a claim is read in the letters its document prints."""
        own = {mine: kind for kind, mine in self.net.notation.symbols.items() if mine != kind}
        kind = own.get(name, name)
        return "\\delta" if kind == "delta" else kind

    def cs231n(self, scripts: tuple) -> bool:
        """Whether a letter is written as CS231n's notes write it: with one subscript and no layer."""
        return [m for m, _ in scripts] == ["_"]

    def cs231n_letter(self, node: Node, name: str, scripts: tuple, at: Reading) -> sp.Expr:
        """CS231n's softmax classifier: the class scores f_k are the output layer's z_k, the probabilities p_k its
        softmax outputs a_k (on a softmax output layer only), and L_i sample i's loss, the cost of one sample."""
        if name == "p" and self.net.activation(self.net.depth).name != "softmax":
            raise self.fail(node, f"'{self.quote(node)}': p_k, CS231n's probabilities, are a softmax output layer's")
        if name == "L":
            value = self.cost(node, scripts, at)
        else:
            value = self.quantity(node, CS231N[name], (*scripts, ("^", Name(node.end, node.end, "L"))), at)
        written = self.quote(node).replace("{", "{{").replace("}", "}}")
        self.readings[(f"CS231n's {written} read as {{0}}", (value,))] = None
        return value

    def powers(self, node: Node, value: sp.Expr, scripts: tuple | list, at: Reading) -> sp.Expr:
        for mark, script in scripts:
            if mark != "^":
                what = "a subscript" if mark == "_" else "a prime"
                raise self.fail(node, f"{what} on '{self.quote(node)}' is not understood")
            value = self.power(node, value, script, at)
        return value

    def cost(self, node: Node, scripts: tuple, at: Reading) -> sp.Expr:
        """C_0 (or C_x, C_i outside a sum): one sample's cost; C: the mean over the batch, or one sample's cost in
        a claim that speaks of no samples; C_i in a sum over i: sample i's cost. In a claim about the mean
        cost, C_k with k a number (C_0, C_1, C_{n-1}) is sample k's cost, whichever way the samples are numbered."""
        subs = [s for m, s in scripts if m == "_"]
        if not subs:
            return at.cost
        sub = unbrace(subs[0])
        if isinstance(sub, Name) and sub.name in self.scope and not self.scope[sub.name].free:
            index = self.scope[sub.name]
            index.samples = True
            return SampleCost(index.symbol)
        if at.mean:
            if isinstance(sub, Name) and sub.name != "n":
                raise self.fail(
                    node,
                    f"{self.quote(node)} outside a sum over the samples names no one sample of the batch: write its "
                    f"number (C_0, C_1, C_{{n-1}}) or sum over {self.quote(sub)}",
                )
            return SampleCost(self.sample_bound(sub, at))
        if self.quote(sub) not in ("0", "x", "i"):
            raise self.fail(node, f"{self.quote(node)} is not the cost; write C_0")
        return C0

    def size(self, node: Node, scripts: tuple, at: Reading) -> sp.Expr:
        """n: the summed layer's size in a sum's limits, else the output layer's; n_L, n_{L-1}, n_1: that layer's.
        In a claim about the mean cost, n outside a sum over neurons is the number of samples."""
        subs = [s for m, s in scripts if m == "_"]
        if not subs and (at.sample_limit or (at.mean and at.limit_layer is None)):
            return self.powers(node, SAMPLES, scripts, at)
        if subs:
            layer = cast(int, self.layer_of(unbrace(subs[0]), force=True))  # forced: a layer, or a ClaimError
        else:
            layer = at.limit_layer if at.limit_layer is not None else self.net.depth
        return self.powers(node, sp.Integer(self.net.layers[layer]), tuple(s for s in scripts if s[0] != "_"), at)

    def quantity(self, node: Node, name: str, scripts: tuple, at: Reading) -> sp.Expr:
        subs = [s for m, s in scripts if m == "_"]
        sups = [s for m, s in scripts if m == "^"]
        if any(m == "'" for m, _ in scripts):
            raise self.fail(node, f"a prime on '{self.quote(node)}' is not understood; write g'(z) for a derivative")
        if len(subs) > 1:
            raise self.fail(node, f"'{self.quote(node)}' has two subscripts")
        if sups or name != "\\delta":  # \delta_{j,k} without a layer is Kronecker's, its two indices neurons
            subs, sups = self.without_sample(node, subs, sups)
        side = in_or_out(subs[0]) if subs and not sups and name in ("a", "\\delta") else None
        if side is not None:
            return self.in_out(node, name, side, at)
        if name == "\\delta" and subs and not sups:
            return self.kronecker(node, subs[0], at)
        layer, rest = self.quantity_layer(node, name, sups)
        kind = {"x": "a", "\\delta": "z"}.get(name, name)
        if layer == 0 and kind in ("w", "b", "z") and sups and mentions_letter(sups[0]):
            raise NoSuchLayer(f"the input layer has no {kind}", node.start + 1)  # w^{l} at l = 0: not this l
        indices = self.indices(node, kind, layer, subs[0] if subs else None, at)
        symbol = Y[indices[0]] if name == "y" else QUANTITIES[name][layer, *indices]
        if name == "w" and node.start in self.swapped:
            self.rewritten[symbol] = W[layer, indices[1], indices[0]]
        if name == "\\delta":  # the error dC_0/dz_j^{(l)}, as every text that writes it defines it
            symbol = Partial(C0, symbol)
            self.wrt_nodes.setdefault(symbol, node)  # \delta^l_j on the left names what is claimed
        for power in rest:
            symbol = self.power(node, symbol, power, at)
        return symbol

    def in_out(self, node: Node, name: str, side: str, at: Reading) -> sp.Expr:
        """Nielsen's a_{\\rm in} \\delta_{\\rm out}, the activation into a weight and the error out of it: read on a
        network of one layer of weights, where every weight joins the input (in) to the output layer (out)."""
        if self.net.depth != 1:
            raise self.fail(
                node,
                f"'{self.quote(node)}' names a weight's input or output without its layer: it is read on a network of "
                "one layer of weights (--layers 1,1); elsewhere write the layer, as in a^{l-1}_k \\delta^l_j",
            )
        layer = 0 if side == "in" else 1
        kind = "a" if name == "a" else "z"
        symbol = QUANTITIES[name][layer, *self.indices(node, kind, layer, None, at)]
        if name == "\\delta":
            symbol = Partial(C0, symbol)
            self.wrt_nodes.setdefault(symbol, node)
        return symbol

    def without_sample(self, node: Node, subs: list[Node], sups: list[Node]) -> tuple[list[Node], list[Node]]:
        """The scripts with the sample taken out where the quantity names the one it belongs to by the letter of the
        sum over the samples around it (Nielsen's a^{x,l}_j in \\sum_x, a_{j,i} in \\sum_i): that sample's a, as
        the sum's term (claim_sums.per_sample) takes it."""
        base = node.base if isinstance(node, Scripted) else node
        for letter, index in self.scope.letters.items():
            if index.free or index.stray or index.runs_over:
                continue
            for mark, scripts in (("^", sups), ("_", subs)):
                rest = sample_script(base, mark, scripts[0], letter) if scripts else None
                if rest is not None:
                    scripts[0] = rest
        return subs, sups

    def kronecker(self, node: Node, sub: Node, at: Reading) -> sp.Expr:
        """\\delta_{ij} without a layer: 1 when the two indices are equal, else 0 (softmax's derivative)."""
        parts = self.index_parts(node, unbrace(sub), 2)
        if len(parts) != 2:
            raise self.fail(node, f"'{self.quote(node)}': the Kronecker delta takes two indices, as in \\delta_{{ij}}")
        return sp.KroneckerDelta(*(self.index_value(p, at) for p in parts))

    def quantity_layer(self, node: Node, name: str, sups: list[Node]) -> tuple[int, list[Node]]:
        """The layer a quantity's first superscript names, and the superscripts left over (powers)."""
        if name == "x":
            return 0, sups
        if name == "y":
            return self.net.depth, self.target_layer(node, sups)
        if sups:
            layer = self.layer_of(unbrace(sups[0]), force=False)
            if layer is not None:
                return layer, sups[1:]
        if self.net.depth == 1 and name in ("w", "b", "z", "\\delta"):  # one layer of weights: w_j, b, z, \delta
            return 1, sups
        raise self.fail(node, f"'{self.quote(node)}' needs its layer, as in {name}^{{(L)}} or {name}^{{(1)}}")

    def target_layer(self, node: Node, sups: list[Node]) -> list[Node]:
        """y^{(L)}, y^(L): a target may name the output layer in parentheses; what is left are powers."""
        first = unbrace(sups[0]) if sups else None
        if not (isinstance(first, Group) and first.delim == "(" and len(first.items) == 1):
            return sups
        if self.layer_of(first, force=True) != self.net.depth:
            raise self.fail(node, f"'{self.quote(node)}': the targets y belong to the output layer, y^{{(L)}}")
        return sups[1:]

    def layer_of(self, node: Node, force: bool) -> int | None:
        """A layer written (L), (L-1), (2), L-1 or L; None when the superscript is not a layer (a power)."""
        parens = isinstance(node, Group) and node.delim in "([" and len(node.items) == 1  # [l]: Ng's a^{[l]}
        inner = node.items[0] if parens and isinstance(node, Group) else node
        mentions_l = any(isinstance(n, Name) and n.name == "L" for n in walk(inner)) or mentions_letter(inner)
        if not (parens or mentions_l or force or (isinstance(inner, Num) and not self.net.notation.layer_parens)):
            return None
        if isinstance(inner, Num) and inner.text.isdigit():
            layer = self.net.notation.layer_index(int(inner.text))
        elif isinstance(inner, Name) and inner.name == "L":
            layer = self.net.depth
        elif isinstance(inner, Binary) and inner.op == "-" and is_name(inner.left, "L") and is_digits(inner.right):
            layer = self.net.depth - int(inner.right.text)
        elif mentions_letter(inner):  # l, l-1, l+1: every layer, one reading per value (claim_layers)
            return letter_layer(inner, self.layer_value, self.net.depth, self.quote(inner))
        else:
            raise self.fail(inner, f"'{self.quote(inner)}' is not a layer; write L, L-1 or a number")
        if not 0 <= layer <= self.net.depth:
            first = self.net.notation.input_number
            raise self.fail(
                inner,
                f"there is no layer {self.quote(inner)}; layers are {first} (input) to {self.net.depth + first} (L)",
            )
        return layer

    def indices(self, node: Node, kind: str, layer: int, sub: Node | None, at: Reading) -> tuple[sp.Expr, ...]:
        """The neuron indices in a subscript, checked against the layer (or recorded, for a summed letter)."""
        spec = self.net.spec
        want = index_count(kind, spec)
        if kind == "b" and spec.bias == "none":
            raise self.fail(node, 'this network has no biases (bias = "none")')
        if kind in ("w", "b", "z") and layer == 0:
            raise self.fail(node, f"the input layer has no {kind}")
        if sub is None:
            return self.implicit(node, kind, layer, want)
        parts = self.index_parts(node, unbrace(sub), want)
        if kind == "w" and len(parts) == 1 and want == 2:  # w_k^{(L)} into a one-neuron layer: its j goes unsaid
            parts = self.one_neuron_side(layer, parts[0], sub)
        if len(parts) != want:
            written = self.quote(unbrace(sub))
            raise self.fail(node, f"'{self.quote(node)}': {wrong_indices(kind, want, written, len(parts))}")
        if kind == "w" and node.start in self.swapped:
            parts = parts[::-1]
        out = []
        for part, indexed in zip(parts, indexed_layers(kind, layer), strict=True):
            value = self.index_value(part, at)
            self.scope.use(value, indexed, node, kind)
            out.append(value)
        return tuple(out)

    def one_neuron_side(self, layer: int, part: Node, sub: Node) -> list[Node]:
        """A weight's one index where one of the layers it joins has a single neuron: the other layer's neuron."""
        only = Num(sub.start, sub.start, str(self.net.spec.index_base))
        if self.net.layers[layer] == 1:
            return [only, part]
        if self.net.layers[layer - 1] == 1:
            return [part, only]
        return [part]

    def index_parts(self, node: Node, sub: Node, want: int) -> list[Node]:
        if isinstance(sub, Group) and sub.delim == "{":
            return list(sub.items)
        if isinstance(sub, Product):
            return list(sub.factors)
        if want == 2 and isinstance(sub, Num) and sub.text.isdigit():
            if len(sub.text) != 2:
                raise self.fail(node, f"'{self.quote(node)}': {wrong_indices('w', want, sub.text, 1)}")
            return [Num(sub.start, sub.start + 1, sub.text[0]), Num(sub.start + 1, sub.end, sub.text[1])]
        return [sub]

    def index_value(self, node: Node, at: Reading) -> sp.Expr:
        if isinstance(node, Num) and node.text.isdigit():
            return sp.Integer(int(node.text))
        if isinstance(node, Name) and node.name in self.scope:
            return self.scope[node.name].symbol
        if isinstance(node, Name) and len(node.name) == 1 and node.name.isalpha() and at.free:
            return self.scope.new_free(node.name).symbol
        if isinstance(node, Binary) and node.op in "+-":
            left, right = self.index_value(node.left, at), self.index_value(node.right, at)
            return left + right if node.op == "+" else left - right
        if isinstance(node, Name) and len(node.name) == 1 and node.name.isalpha():  # not summed: a mistake
            return self.scope.new_stray(node.name).symbol
        raise self.fail(node, f"'{self.quote(node)}' is not a neuron index")

    def implicit(self, node: Node, kind: str, layer: int, want: int) -> tuple[sp.Expr, ...]:
        """No subscript: fine where every layer indexed has one neuron."""
        wide = wide_layer(kind, layer, self.net.spec)
        if wide is not None:
            size = self.net.layers[wide]
            raise self.fail(
                node, f"'{self.quote(node)}' needs its neuron index; layer {self.layer_label(wide)} has {size} neurons"
            )
        return (sp.Integer(self.net.spec.index_base),) * want


def in_or_out(sub: Node) -> str | None:
    """ "in" or "out" where a subscript is the word: {\\rm in}, \\mathrm{out}, \\text{in}; else None."""
    inner = unbrace(sub)
    if isinstance(inner, Name) and inner.name in ("in", "out"):
        return inner.name
    if isinstance(inner, Product) and is_name(inner.factors[0], "\\rm"):
        word = "".join(f.name for f in inner.factors[1:] if isinstance(f, Name))
        return word if word in ("in", "out") and len(word) == len(inner.factors) - 1 else None
    return None
