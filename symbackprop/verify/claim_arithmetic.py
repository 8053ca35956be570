"""The claim reader's visitor: one small method per kind of node (numbers, signs, sums and differences,
fractions, brackets, products), each reading its node into SymPy with the numbers kept small."""

from __future__ import annotations

import sympy as sp

from ..base.errors import SpecError
from ..syntax.tree import Binary, Binding, Frac, Group, Name, Neg, Node, Num, Product, Relation, Scripted
from .claim_forms import MARKS
from .claim_limits import MAX_DIGITS, MAX_EXPONENT, evaluated, ratio, size, size_problem
from .claim_nodes import (
    ends_with_sum,
    is_bracketed,
    is_head,
    is_operator,
    is_plain_indicator,
    leads_with_dots,
    signed_terms,
    split,
    unbrace,
)
from .claim_reading import ReaderBase, Reading


class Arithmetic(ReaderBase):
    """Nodes read by their type: ``expr`` dispatches to the method named after it."""

    def expr(self, node: Node, at: Reading) -> sp.Expr:
        method = getattr(self, f"_{type(node).__name__.lower()}")
        try:
            return method(node, at)
        except SpecError:
            raise
        except (OverflowError, ValueError):  # SymPy arithmetic on numbers: said here, where it happened
            raise self.fail(node, f"'{self.quote(node)}': the numbers are too large to work with") from None

    def _num(self, node: Num, at: Reading) -> sp.Expr:
        if len(node.text.replace(".", "")) > MAX_DIGITS:
            raise self.fail(node, f"a number of {len(node.text)} digits is too long (at most {MAX_DIGITS})")
        return sp.Rational(node.text)

    def power(self, node: Node, base: sp.Expr, script: Node, at: Reading) -> sp.Expr:
        """base^{script}, refused when the exponent or the number it makes is huge."""
        exponent = self.expr(script, at)
        magnitude = size(exponent)
        if magnitude is not None and magnitude > MAX_EXPONENT:
            inner = unbrace(script)
            raise self.fail(inner, f"exponent {self.quote(inner)} is too large (at most {MAX_EXPONENT} in size)")
        return self.bounded(node, base**exponent)

    def bounded(self, node: Node, value: sp.Expr) -> sp.Expr:
        """``value``, or a ClaimError when it holds a number of more than MAX_DIGITS digits, a power above
        MAX_EXPONENT once products are multiplied out ((a-y)^{100} (a-y)^{100}), or a division by zero."""
        problem = size_problem(evaluated(value))
        if problem is not None:
            raise self.fail(node, f"'{self.quote(node)}': {problem}")
        return value

    def _neg(self, node: Neg, at: Reading) -> sp.Expr:
        return sp.Mul(-1, self.expr(node.operand, at), evaluate=False)

    def _binary(self, node: Binary, at: Reading) -> sp.Expr:
        if node.op == "/":
            return self.bounded(node, ratio(self.expr(node.left, at), self.nonzero(node.right, at)))
        if ends_with_sum(node.left):  # \sum_i -x_i: the sign belongs to the summand
            head = list(node.left.factors) if isinstance(node.left, Product) else [node.left]
            body = node.right if node.op == "+" else Neg(node.right.start - 1, node.right.end, node.right)
            return self.product([*head, body], at)
        terms = signed_terms(node)
        if any(leads_with_dots(term) for _, term in terms):
            return self.with_dots(node, terms, at)
        left, right = self.expr(node.left, at), self.expr(node.right, at)
        if node.op == "-":
            right = sp.Mul(-1, right, evaluate=False)
        return sp.Add(left, right, evaluate=False)

    def _frac(self, node: Frac, at: Reading) -> sp.Expr:
        partial = self.derivative(node.numerator, node.denominator, at)
        if partial is not None:
            return partial
        return self.bounded(node, ratio(self.expr(node.numerator, at), self.nonzero(node.denominator, at)))

    def nonzero(self, node: Node, at: Reading) -> sp.Expr:
        value = self.expr(node, at)
        if value == 0:
            raise self.fail(node, f"division by zero in '{self.quote(node)}'")
        return value

    def group(self, node: Group, at: Reading) -> sp.Expr:
        if len(node.items) != 1:
            what = "empty braces" if not node.items else "a list separated by commas"
            raise self.fail(node, f"{what} where a value belongs")
        item = node.items[0]
        if node.delim == "[" and isinstance(item, Binding):  # [i = j]: 1 when the indices are equal, else 0
            return sp.KroneckerDelta(self.index_value(item.name, at), self.index_value(item.value, at))
        if node.delim == "|":  # |x|: real points decide a claim with one, as any branch
            return sp.Abs(self.expr(item, at))
        return self.expr(item, at)

    _group = group

    def _relation(self, node: Relation, at: Reading) -> sp.Expr:
        raise self.fail(
            node, f"a comparison '{self.quote(node)}' belongs inside an indicator such as \\mathbb{{1}}[z>0]"
        )

    def _binding(self, node: Binding, at: Reading) -> sp.Expr:
        raise self.fail(node, f"'{self.quote(node)}' belongs in a sum's subscript, as in \\sum_{{j=0}}^{{n-1}}")

    def _name(self, node: Name, at: Reading) -> sp.Expr:
        return self.scripted(node, (), None, at)

    def _scripted(self, node: Scripted, at: Reading) -> sp.Expr:
        return self.scripted(node.base, node.scripts, node, at)

    def _product(self, node: Product, at: Reading) -> sp.Expr:
        return self.product(list(node.factors), at)

    def marked(self, mark: str, node: Node, at: Reading) -> tuple[sp.Expr | None, Node | None]:
        raise NotImplementedError

    def product(self, factors: list[Node], at: Reading) -> sp.Expr:
        """Factors multiplied in the order written; a function name applies to the factor after it,
        and a sum takes every factor after it as its body."""
        out: list[sp.Expr] = []
        i = 0
        while i < len(factors):
            f = factors[i]
            base, scripts = split(f)
            name = base.name if isinstance(base, Name) else None
            if name in MARKS and not scripts and i + 1 < len(factors):  # \hat{y}, \dot\sigma (claim_forms)
                value, primed = self.marked(name, factors[i + 1], at)
                if primed is not None:
                    factors = [*factors[: i + 1], primed, *factors[i + 2 :]]
                    i += 1
                    continue
                out.append(value)
                i += 2
                continue
            if name == "\\sum":
                out.append(self.summation(f, scripts, factors[i + 1 :], at))
                break
            if is_operator(f):  # on a bracketed group, that group: d/da (a - y)^2 as one factor of a chain
                rest = factors[i + 1 :]
                body = rest[:1] if rest and is_bracketed(rest[0]) else rest
                out.append(self.operator(f, body, at))
                i += 1 + len(body)
                continue
            if is_plain_indicator(f, factors[i + 1 :]):  # 1(y_i = k): the indicator, as \\mathbb{1}(y_i = k)
                out.append(self.apply(f, Name(f.start, f.end, "1"), (), factors[i + 1], at))
                i += 2
                continue
            if isinstance(base, Name) and is_head(name):  # is_head holds only for a name, never for None
                if i + 1 == len(factors):
                    raise self.fail(f, f"{self.quote(f)} needs an argument, e.g. {self.quote(f)}(z_1^{{(L)}})")
                out.append(self.apply(f, base, scripts, factors[i + 1], at))
                i += 2
                continue
            out.append(self.expr(f, at))
            i += 1
        if len(out) == 1:
            return out[0]
        whole = Product(factors[0].start, factors[-1].end, tuple(factors))
        return self.bounded(whole, sp.Mul(*out, evaluate=False))
