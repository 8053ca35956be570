"""The lark grammar's reader: a prepared claim's LaTeX to the syntax tree of ``tree``, with each node's place.

Kept apart from the nodes so that lark is imported only when a formula is read (``tree.parse``): the stages that
only build or match nodes, and a derivation, which reads none, start without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import cast

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.lark import PostLex
from lark.tree import Meta

from ..base.cache_folder import user_cache_folder
from .errors import ClaimError
from .nodes import Binary, Binding, Claim, Frac, Group, Name, Neg, Node, Num, Product, Range, Relation, Scripted


def read(prepared: str) -> Claim:
    """The claim's tree, ``prepared`` by ``tree.parse`` (bounded, pasted text blanked out); a ClaimError saying
    where and why it cannot be read."""
    try:
        claim = _ToNodes().transform(_parser().parse(prepared))
        return Claim(claim.start, claim.end, claim.sides, prepared)
    except UnexpectedInput as err:
        raise _unexpected(err, prepared) from None
    except VisitError as err:
        if isinstance(err.orig_exc, ClaimError):
            raise err.orig_exc from None
        raise


# The tokens after which a plain bar closes an open |...|: the end of something that has a value.
_VALUE_ENDS = frozenset({"NUMBER", "LETTER", "COMMAND", "CLOSE", "CLOSEB", "RBRACE", "PRIME", "RBAR", "DOTS"})


class _Bars(PostLex):
    """Plain bars as opening or closing ones: a bar closes when one is open and it follows a value (``|a| |b|``,
    ``|x - |y||``), else it opens. ``\\left|``, ``\\lvert`` and their partners say which they are."""

    always_accept = ("BAR",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        depth, previous = 0, ""
        for token in stream:
            if token.type == "BAR":
                closing = depth > 0 and previous in _VALUE_ENDS
                token = Token.new_borrow_pos("RBAR" if closing else "LBAR", token.value, token)
            if token.type in ("LBAR", "RBAR"):
                depth = max(depth + (1 if token.type == "LBAR" else -1), 0)
            previous = token.type
            yield token


@cache
def _parser() -> Lark:
    """The LALR parser, its tables kept in the user's cache folder (building them was most of a verify's first
    claim); lark uses the kept tables only while the grammar, its options and lark's version are unchanged (a
    checksum), and builds them again from a damaged file."""
    grammar = Path(__file__).with_name("grammar.lark").read_text(encoding="utf-8")
    folder = user_cache_folder("grammar")
    kept: str | bool = os.path.join(folder, "claims.lark.cache") if folder is not None else False
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False, postlex=_Bars(), cache=kept)


_WORDS = {
    "RBRACE": "}",
    "LBRACE": "{",
    "CLOSE": ")",
    "OPEN": "(",
    "CLOSEB": "]",
    "OPENB": "[",
    "NUMBER": "a number",
    "LETTER": "a letter",
    "COMMAND": "a command",
    "PLUS": "+",
    "MINUS": "-",
    "EQUAL": "=",
    "COMMA": ",",
}


def _unexpected(err: UnexpectedInput, text: str) -> ClaimError:
    pos = getattr(err, "pos_in_stream", None)
    position = pos + 1 if isinstance(pos, int) else None
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END"):
        return ClaimError(f"the claim ends too early; {_expected(err)}", len(text.rstrip()))
    if isinstance(err, UnexpectedCharacters):
        ch = text[cast(int, err.pos_in_stream)]  # lark sets the lexer's position here; its class declares only None
        return ClaimError(f"unexpected character {ch!r}", position)
    if isinstance(err, UnexpectedToken):
        return ClaimError(f"unexpected {str(err.token)!r}; {_expected(err)}", err.token.start_pos + 1)
    return ClaimError("cannot read the claim", position)


def _expected(err: UnexpectedInput) -> str:
    wanted = sorted({_WORDS[name] for name in getattr(err, "expected", ()) if name in _WORDS})
    if not wanted:
        return "the formula is incomplete"
    return "expected " + " or ".join(wanted[:4])


def _start(token: Token) -> int:
    return cast(int, token.start_pos)  # lark's lexer gives each token it makes its place in the text


def _end(token: Token) -> int:
    return cast(int, token.end_pos)  # likewise


def _span(items: list) -> tuple[int, int]:
    starts = [i.start if isinstance(i, Node) else i.start_pos for i in items]
    ends = [i.end if isinstance(i, Node) else i.end_pos for i in items]
    return min(starts), max(ends)


@v_args(inline=True)
class _ToNodes(Transformer):
    """lark's parse tree to our nodes, with positions."""

    def claim(self, *parts: Node | Token) -> Claim:
        sides = [p for p in parts if isinstance(p, Node)]  # row breaks \\ between the sides are dropped
        return Claim(*_span(sides), tuple(sides))

    def add(self, left: Node, right: Node) -> Binary:
        return Binary(left.start, right.end, "+", left, right)

    def sub(self, left: Node, right: Node) -> Binary:
        return Binary(left.start, right.end, "-", left, right)

    def div(self, left: Node, right: Node) -> Binary:
        return Binary(left.start, right.end, "/", left, right)

    def neg(self, operand: Node) -> Neg:
        return Neg(operand.start - 1, operand.end, operand)

    def mul(self, *parts: Node | Token) -> Node:
        factors: list[Node] = []
        for part in parts:
            if isinstance(part, Token):
                continue  # \cdot, \times, *
            factors.extend(part.factors if isinstance(part, Product) else [part])
        factors = _slashed_derivatives(factors)
        return factors[0] if len(factors) == 1 else Product(*_span(factors), tuple(factors))

    @v_args(meta=True)
    def over(self, meta: Meta, children: list) -> Frac:
        """{\\partial C \\over \\partial a}: the same fraction as \frac{\\partial C}{\\partial a}."""
        numerator, _, denominator = children
        return Frac(meta.start_pos, meta.end_pos, numerator, denominator)

    def subscript(self, base: Node, arg: Node) -> Scripted:
        return _script(base, "_", arg, arg.end)

    def superscript(self, base: Node, arg: Node) -> Scripted:
        return _script(base, "^", arg, arg.end)

    def prime(self, base: Node, marks: Token) -> Node:
        out = base
        for _ in str(marks):
            out = _script(out, "'", None, _end(marks))
        return out

    def number(self, token: Token) -> Num:
        return Num(_start(token), _end(token), str(token))

    def letter(self, token: Token) -> Name:
        return Name(_start(token), _end(token), str(token))

    def command(self, token: Token) -> Name:
        return Name(_start(token), _end(token), str(token))

    def named(self, font: Token, word: Name | Token) -> Name:
        if isinstance(word, Token):  # \boldsymbol{\delta}: a command in the braces
            return Name(_start(font), _end(word) + 1, str(word))
        return Name(_start(font), word.end + 1, word.name)

    def word(self, *tokens: Token) -> Name:
        return Name(_start(tokens[0]), _end(tokens[-1]), "".join(str(t) for t in tokens))

    def paren(self, open_: Token, items: Group, close: Token) -> Group:
        return Group(_start(open_), _end(close), "(", items.items)

    def bracket(self, open_: Token, items: Group, close: Token) -> Group:
        return Group(_start(open_), _end(close), "[", items.items)

    def bars(self, open_: Token, items: Group, close: Token) -> Group:
        return Group(_start(open_), _end(close), "|", items.items)

    @v_args(meta=True)
    def raised(self, meta: Meta, children: list[Node]) -> Group:
        """{^{\\prime} (L)}: the superscript on nothing, {}^{\\prime}, then what follows it in the braces."""
        # the grammar's arg, then its items, which ``items`` makes a Group
        script, rest = children[0], (cast(Group, children[1]).items if len(children) > 1 else ())
        mark = Scripted(meta.start_pos, script.end, Group(meta.start_pos, meta.start_pos, "{", ()), (("^", script),))
        if not rest:
            return Group(meta.start_pos, meta.end_pos, "{", (mark,))
        if len(rest) > 1:
            raise ClaimError("a list separated by commas where a superscript belongs", rest[1].start + 1)
        tail = rest[0].factors if isinstance(rest[0], Product) else (rest[0],)
        return Group(meta.start_pos, meta.end_pos, "{", (Product(mark.start, tail[-1].end, (mark, *tail)),))

    @v_args(meta=True)
    def brace(self, meta: Meta, children: list[Group]) -> Group:
        items = children[0].items if children else ()
        return Group(meta.start_pos, meta.end_pos, "{", items)

    def items(self, *items: Node | Token) -> Group:
        kept = [i for i in items if isinstance(i, Node)]  # rows of a \\substack are separated by \\\\
        return Group(*_span(kept), "", tuple(kept))

    def frac(self, command: Token, numerator: Node, denominator: Node) -> Frac:
        return Frac(_start(command), denominator.end + 1, numerator, denominator)

    def relation(self, left: Node, op: Token, right: Node) -> Relation:
        return Relation(left.start, right.end, str(op), left, right)

    def range(self, low: Node, op1: Token, name: Node, op2: Token, high: Node) -> Range:
        ops = (str(op1).lstrip("\\"), str(op2).lstrip("\\"))
        if any(op not in ("<", "lt", "<=", "le", "leq") for op in ops):
            raise ClaimError("a range is written low \\leq j \\leq high", low.start + 1)
        strict = (ops[0] in ("<", "lt"), ops[1] in ("<", "lt"))
        return Range(low.start, high.end, low, name, high, strict)

    def binding(self, name: Node, value: Node) -> Binding:
        return Binding(name.start, value.end, name, value)


_MARKS = ("\\partial", "d")


def _slashed_derivatives(factors: list[Node]) -> list[Node]:
    """``\\partial C / \\partial a`` (and ``dC/dw``): the slash binds only ``\\partial``, so the grammar reads
    (\\partial C / \\partial) a; a slash whose right side is the mark alone takes the factor after it as the
    rest of the derivative's denominator."""
    out: list[Node] = []
    i = 0
    while i < len(factors):
        f = factors[i]
        marked = isinstance(f, Binary) and f.op == "/" and isinstance(f.right, Name) and f.right.name in _MARKS
        if marked and i + 1 < len(factors) and isinstance(f, Binary):
            after = factors[i + 1]
            below = Product(f.right.start, after.end, (f.right, after))
            out.append(Frac(f.start, after.end, f.left, below))
            i += 2
            continue
        out.append(f)
        i += 1
    return out


def _script(base: Node, mark: str, arg: Node | None, end: int) -> Scripted:
    if isinstance(base, Scripted):
        return Scripted(base.start, end, base.base, (*base.scripts, (mark, arg)))
    return Scripted(base.start, end, base, ((mark, arg),))
