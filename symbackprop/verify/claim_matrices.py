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

import sympy as sp

from ..model.partial import Partial
from ..model.symbols import C0, SAMPLES
from ..syntax.tree import Binary, Binding, Frac, Group, Name, Neg, Node, Num, Product, Relation
from . import claim_matrix_values as mv
from .claim_functions import PLAIN_FUNCTIONS
from .claim_matrix_dots import left_out
from .claim_matrix_leaves import (
    COST_NAMES,
    FUNCTION_TEXT,
    HADAMARD,
    VECTOR_LETTERS,
    WRAPPERS,
    MatrixLeaves,
    Spot,
    Tweak,
    is_transpose,
)
from .claim_matrix_values import Mat
from .claim_nodes import ACTIVATION_HEADS, DOTS, after_mark, is_bracketed, is_name, split, unbrace, walk
from .claim_reading import Reading

__all__ = ["HADAMARD", "MatrixReader", "Spot", "Tweak", "is_transpose"]


class MatrixReader(MatrixLeaves):
    """A side of a claim read as a matrix of explicit entries, in one layout."""

    # --- the visitor ---------------------------------------------------------------------------------

    def mat(self, node: Node) -> Mat:
        """Any node of a vector formula as a matrix; a formula in no vector (2, \\frac{1}{2}) as a number."""
        if not any(isinstance(n, Name) and (n.name in VECTOR_LETTERS or n.name == "\\nabla") for n in walk(node)):
            value = self.batch_scalar(node) if self.batch else self.expr(node, Reading())
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
            if len(scripts) == 1 and scripts[0][0] == "^" and _whole_power(scripts[0][1]) and len(base.items) == 1:
                inner = self.mat(base.items[0])
                if 1 in inner.shape or inner.samples:  # a vector, or a batch of them: never a matrix power
                    return mv.powered(inner, _whole_power(scripts[0][1]))
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
            if name == "\\sum":  # a sum over the samples: its body is every factor after it
                read.append((op, self.sample_sum(f, scripts, factors[i + 1 :]), f.start))
                break
            if name in DOTS and read:  # Nielsen's (35): units of a pattern in l left out (claim_matrix_dots)
                units, skip = left_out(factors, i, self.letters.get("l"), self.net.depth, self.unit_at)
                read.extend(("*", unit, f.start) for unit in units)
                i += 1 + skip
                continue
            if name in HADAMARD:
                if not read:
                    raise self.fail(f, f"{name} needs a vector on each side")
                op, i = "⊙", i + 1
                continue
            if read and self.text[factors[i - 1].end : f.start].strip() == "*":
                op = "⊙"  # Ng's and NumPy's *, entry by entry: W^{[2]T} dz^{[2]} * g^{[1]\\prime}(z^{[1]})
            nxt = factors[i + 1] if i + 1 < len(factors) else None
            if name in WRAPPERS and nxt is not None:
                value, i = self.mat(nxt), i + 2
            elif name == "\\hat" and nxt is not None and is_name(unbrace(nxt), "y"):
                value, i = self.named_vector(nxt, self.net.notation.letter("a"), self.net.depth), i + 2
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

    def unit_at(self, layer: int, factors: list[Node]) -> Mat:
        """``factors`` read as one product with the layer letter l at ``layer``: a unit of a pattern of dots."""
        other = MatrixReader(self.net, self.text, self.column, {**self.letters, "l": layer}, None, self.weights_column)
        other.batch, other.gradient_layer, other.sample_letter = self.batch, self.gradient_layer, self.sample_letter
        return other.factors(list(factors))

    def sample_sum(self, head: Node, scripts: tuple, body: list[Node]) -> Mat:
        """\\sum_x (or \\sum_{i=1}^{n}, \\sum_{i=0}^{n-1}) over the samples of one sample's matrix."""
        subs = [unbrace(s) for mark, s in scripts if mark == "_"]
        sups = [unbrace(s) for mark, s in scripts if mark == "^"]
        sub = subs[0] if len(subs) == 1 else None
        letter = sub if isinstance(sub, Name) else unbrace(sub.name) if isinstance(sub, Binding) else None
        bounds = (self.quote(sub.value), self.quote(sups[0])) if isinstance(sub, Binding) and sups else None
        whole = (not sups and isinstance(sub, Name)) or bounds in (("1", "n"), ("0", "n-1"), ("1", "m"), ("0", "m-1"))
        if not (isinstance(letter, Name) and len(letter.name) == 1 and whole and body):
            raise self.fail(head, "a sum over the samples of a batch is written \\sum_x, over all of them")
        if self.sample_letter is not None:
            raise self.fail(head, "a sum over the samples inside another is not understood")
        self.batch, self.sample_letter = True, letter.name
        try:
            inner = self.factors(body)
        finally:
            self.sample_letter = None
        if inner.samples or inner.scalar:
            raise self.fail(head, f"the sum over {letter.name} takes one sample's vector or matrix, not {inner.text}")
        return mv.summed(
            inner, f"Σ_{letter.name} {inner.wrapped()[0]}", rf"\sum_{{{letter.name}}} {inner.wrapped()[1]}"
        )

    def batch_scalar(self, node: Node) -> sp.Expr:
        """A number in a claim about a batch: n and m are its number of samples."""
        if isinstance(node, Name) and node.name in ("n", "m"):
            return SAMPLES
        if isinstance(node, Frac):
            denominator = self.batch_scalar(node.denominator)
            if denominator == 0:
                raise self.fail(node, "division by zero")
            return self.batch_scalar(node.numerator) / denominator
        if isinstance(node, Group) and len(node.items) == 1:
            return self.batch_scalar(node.items[0])
        if isinstance(node, Product):
            return sp.Mul(*(self.batch_scalar(f) for f in node.factors))
        return self.expr(node, Reading())

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
        by = unbrace(subs[0])
        if _is_output(by):  # Goodfellow's \nabla_{\hat{y}} J: by the network's output, the last layer's a
            output = Name(by.start, by.end, self.net.notation.letter("a"))  # a, or Goodfellow's h
            return self.gradient(output, default_layer=self.net.depth)
        return self.gradient(by, default_layer=self.net.depth)

    def entrywise(self, head: Node, base: Name, scripts: tuple, arg: Node) -> Mat:
        """\\sigma'(z^{(l)}), \\tanh(z), \\exp(z), \\Sigma'(z) (the diagonal matrix of \\sigma'(z)) entry by entry."""
        inner = arg.items[0] if isinstance(arg, Group) and arg.delim in "([" and len(arg.items) == 1 else arg
        if base.name == "1":  # \\mathbb{1}[z^{(1)} > 0]: the ReLU's gate, entry by entry
            return self.gate(head, inner)
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
        out = Mat(entries, f"{shown}({value.text})", latex, samples=value.samples)  # of a batch Z: a batch
        return mv.diagonal(out, head.start + 1) if base.name == "\\Sigma" else out

    def gate(self, head: Node, relation: Node) -> Mat:
        """\\mathbb{1}[v > c]: 1 where an entry of v is above the number c, else 0 (>= and < as written)."""
        if not isinstance(relation, Relation):
            raise self.fail(head, "an indicator of a vector takes a comparison, as in \\mathbb{1}[z^{(1)} > 0]")
        value, bound = self.mat(relation.left), self.mat(relation.right)
        if bound.shape != (1, 1) or bound.entries[0, 0].free_symbols:
            raise self.fail(relation.right, "an indicator of a vector compares each entry with a number, as in > 0")
        return mv.entrywise_gate(value, relation.op.lstrip("\\"), bound.entries[0, 0], self.quote(relation))


def _applies(name: str | None) -> bool:
    """A function applied entry by entry to the factor after it."""
    return (name is not None and name in ACTIVATION_HEADS) or name in PLAIN_FUNCTIONS or name in ("\\Sigma", "f", "1")


def _tex_function(name: str) -> str:
    """A function's name in LaTeX, from the catalogue's names only (never the claim's own text)."""
    if name.startswith("\\"):
        return name if name[1:].isalpha() else r"\sigma"
    return rf"\operatorname{{{name}}}" if name.isalpha() else "g"


def _is_output(node: Node) -> bool:
    r"""Whether ``node`` is \hat{y} (or \hat y), the network's output."""
    if not (isinstance(node, Product) and len(node.factors) == 2):
        return False
    mark, letter = node.factors
    return is_name(mark, "\\hat") and is_name(unbrace(letter), "y")


def _whole_power(node: Node) -> int:
    """The exponent 2 or 3 a vector is raised to entry by entry (0 for anything else)."""
    inner = unbrace(node)
    return int(inner.text) if isinstance(inner, Num) and inner.text in ("2", "3") else 0
