"""What a node of a claim's syntax tree is: the shapes the binder tells apart, as predicates on nodes.

A derivative (\\frac{\\partial X}{\\partial Y}), an operator applied to what follows it
(\\frac{\\partial}{\\partial x}(...)), a function name that takes the factor after it, a sum, the dots of a
written-out sum, a prime written as a script: each decided from the tree alone, before anything is bound to a
network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeGuard

from ..model import activations
from ..syntax.tree import Binary, Binding, Claim, Frac, Group, Name, Node, Num, Product, Relation, Scripted


def _head_name(latex: str) -> str:
    """How a catalogue entry's LaTeX name reads once parsed: \\operatorname{ReLU} is ReLU, \\sigma stays."""
    return latex.removeprefix("\\operatorname{").removesuffix("}")


# A function name in a claim -> the catalogue entry it means (None: g, whichever the layer has).
ACTIVATION_HEADS: dict[str, str | None] = {
    _head_name(act.latex): act.name for act in activations.CATALOGUE.values() if act.elementwise and not act.generic
}
ACTIVATION_HEADS |= {"g": None, "relu": "relu", "ReLU": "relu", "sigmoid": "sigmoid", "LeakyReLU": "leaky_relu"}
PLAIN_HEADS = ("\\exp", "\\ln", "\\log", "sech", "\\sech")
DERIVATIVE_MARKS = {"\\partial", "d"}
DOTS = {"\\cdots", "\\dots", "\\ldots", "\\dotsb", "\\dotsc", "..."}  # terms left out of a written-out sum
ACCENT_PRIMES = {"\\prime"}


def in_left_hand_side(claim: Claim, offset: int) -> bool:
    """Whether ``offset`` lies in the leading derivative of a claim with several sides (what is claimed)."""
    head = claim.sides[0]
    return len(claim.sides) > 1 and is_derivative(head) and head.start <= offset < head.end


def is_derivative(node: Node) -> bool:
    """\\frac{\\partial X}{\\partial Y} with something after each mark: a derivative, not an operator."""
    return isinstance(node, Frac) and after_mark(node.numerator) is not None and not is_operator(node)


def is_delta(node: Node) -> bool:
    """\\delta^l_j (or \\delta_j^{(L)}): the error dC_0/dz with its layer, which a left-hand side may claim."""
    return isinstance(node, Scripted) and is_name(node.base, "\\delta") and any(m == "^" for m, _ in node.scripts)


def is_application(node: Node) -> bool:
    """\\frac{\\partial}{\\partial x} applied to the whole side: to the group after it, or to every factor after it."""
    if not (isinstance(node, Product) and len(node.factors) > 1 and is_operator(node.factors[0])):
        return False
    return len(node.factors) == 2 or not is_bracketed(node.factors[1])


def cost_letters(nodes: tuple[Node, ...], letter: str = "C") -> Iterator[Scripted | Name]:
    """Each C (or the preset's own cost letter, Goodfellow's J) written in the claim, with its scripts if any."""
    names = {"C", letter}
    for top in nodes:
        for node in walk(top):
            base = node.base if isinstance(node, Scripted) else node
            if isinstance(node, (Scripted, Name)) and any(is_name(base, name) for name in names):
                yield node


def speaks_of_samples(nodes: tuple[Node, ...], letter: str = "C") -> bool:
    """Whether the claim names a sample's cost: C_i, C_x, C_0, C_1 (a C with a subscript)."""
    return any(isinstance(c, Scripted) and any(m == "_" for m, _ in c.scripts) for c in cost_letters(nodes, letter))


def sums_over_samples(nodes: tuple[Node, ...]) -> bool:
    """Whether a sum's letter is no index of anything after it (Nielsen's \\sum_x of one sample's term): a sum over
    the samples, so the claim speaks of samples though it names no C_x."""
    for top in nodes:
        for node in walk(top):
            factors = node.factors if isinstance(node, Product) else ()
            for at, factor in enumerate(factors):
                letter = _summed_letter(factor)
                if letter is not None and not any(_indexes(f, letter) for f in factors[at + 1 :]):
                    return True
    return False


def _summed_letter(node: Node) -> str | None:
    if not (isinstance(node, Scripted) and is_name(node.base, "\\sum")):
        return None
    subs = [unbrace(s) for m, s in node.scripts if m == "_" and s is not None]
    letter = subs[0].name if len(subs) == 1 and isinstance(subs[0], Binding) else subs[0] if subs else None
    return letter.name if len(subs) == 1 and isinstance(letter, Name) and len(letter.name) == 1 else None


def _indexes(node: Node, letter: str) -> bool:
    """Whether ``letter`` stands in a sub- or superscript anywhere in ``node``, other than as the sample a
    quantity belongs to (a^{x,l}_j, a_{j,x}: see ``sample_script``)."""
    for part in walk(node):
        if isinstance(part, Scripted):
            kronecker = is_name(part.base, "\\delta") and not any(m == "^" for m, _ in part.scripts)  # \delta_{j,k}
            for mark, script in part.scripts:
                if script is None or (not kronecker and sample_script(part.base, mark, script, letter) is not None):
                    continue
                if any(is_name(n, letter) for n in walk(script)):
                    return True
    return False


SAMPLED = ("a", "z", "y", "b", "x", "\\delta")  # the quantities that take one neuron index (b: Nielsen's b^l_j)


def sample_script(base: Node, mark: str, script: Node, letter: str) -> Node | None:
    """A quantity's script with the sample ``letter`` taken out, where the claim writes which sample it belongs to:
    Nielsen's superscript a^{x,l}_j, \\delta^{x,l} (the sample first, then the layer) or a second subscript
    a_{j,i}, y_{j,i} (the neuron, then the sample). None where the script names no sample so."""
    if not (isinstance(base, Name) and base.name in SAMPLED) or mark not in "_^":
        return None
    group = unbrace(script)
    if not (isinstance(group, Group) and group.delim == "{" and len(group.items) == 2):
        return None
    sample, rest = group.items if mark == "^" else group.items[::-1]
    return rest if is_name(sample, letter) else None


def mentions_bare_cost(nodes: tuple[Node, ...], letter: str = "C") -> bool:
    """Whether the claim writes C (or the preset's ``letter``) alone, with no subscript."""
    scripted = {id(c.base) for c in cost_letters(nodes, letter) if isinstance(c, Scripted)}
    return any(
        (isinstance(c, Name) and id(c) not in scripted)
        or (isinstance(c, Scripted) and not any(m == "_" for m, _ in c.scripts))
        for c in cost_letters(nodes, letter)
    )


def signed_terms(node: Node) -> list[tuple[str, Node]]:
    """The terms of a + b - c + ... with the sign written before each, in order."""
    out = []
    while isinstance(node, Binary) and node.op in "+-" and not ends_with_sum(node.left):
        out.append((node.op, node.right))
        node = node.left
    out.append(("+", node))
    return out[::-1]


def leads_with_dots(node: Node) -> bool:
    """\\cdots as a term, or at the start of one (+ \\cdots 0, the last term written after the dots)."""
    first = node.factors[0] if isinstance(node, Product) else node
    return isinstance(first, Name) and first.name in DOTS


def ends_with_sum(node: Node) -> bool:
    last = node.factors[-1] if isinstance(node, Product) else node
    base, _ = split(last)
    return isinstance(base, Name) and base.name == "\\sum"


def split(node: Node) -> tuple[Node, tuple]:
    """A node's base and scripts, looking through braces: {g^{(L)}}' is g with ^{(L)} and a prime."""
    base, scripts = (node.base, node.scripts) if isinstance(node, Scripted) else (node, ())
    if isinstance(base, Group) and base.delim == "{" and len(base.items) == 1:
        inner, inner_scripts = split(base.items[0])
        return inner, (*inner_scripts, *scripts)
    return base, scripts


def needs_body(wrt: str) -> str:
    """The message for an operator with nothing after it to differentiate."""
    operator = f"\\frac{{\\partial}}{{\\partial {wrt}}}"
    return f"{operator} needs what it differentiates after it, as in {operator}\\left(...\\right)"


def is_mark(node: Node) -> bool:
    """\\partial or d alone: the numerator of an operator \\frac{\\partial}{\\partial x}."""
    node = unbrace(node)
    return isinstance(node, Name) and node.name in DERIVATIVE_MARKS


def is_operator(node: Node) -> TypeGuard[Frac]:
    return isinstance(node, Frac) and is_mark(node.numerator) and after_mark(node.denominator) is not None


def is_bracketed(node: Node) -> bool:
    """(...), \\left(...\\right) or [...], with any powers written on it."""
    base = node.base if isinstance(node, Scripted) else node
    return isinstance(base, Group) and base.delim in "(["


def is_plain_indicator(node: Node, after: list[Node]) -> bool:
    """CS231n's 1(y_i = k): a plain 1 before brackets that hold an equation or a comparison, which no product
    could mean; it is read as the indicator \\mathbb{1}(y_i = k)."""
    if not (isinstance(node, Num) and node.text == "1" and after):
        return False
    group = after[0]
    return isinstance(group, Group) and group.delim in "([" and len(group.items) == 1 and is_comparison(group.items[0])


def is_comparison(node: Node) -> bool:
    return isinstance(node, (Binding, Relation))


def is_head(name: str | None) -> bool:
    """Whether ``name`` is a function that takes the factor after it: an activation, exp, ln, max, 1[...]."""
    return name is not None and (name in ACTIVATION_HEADS or name in PLAIN_HEADS or name in ("\\max", "1"))


def is_prime_script(node: Node | None) -> bool:
    """\\prime, or {}^{\\prime}: a prime raised once more, as g^{^{\\prime}(L)} writes it."""
    inner = unbrace(node) if node is not None else None
    if (
        isinstance(inner, Scripted)
        and isinstance(inner.base, Group)
        and inner.base.delim == "{"
        and not inner.base.items
    ):
        return all(mark == "^" and is_prime_script(script) for mark, script in inner.scripts)
    return isinstance(inner, Name) and inner.name in ACCENT_PRIMES


def unbrace(node: Node) -> Node:
    while isinstance(node, Group) and node.delim == "{" and len(node.items) == 1:
        node = node.items[0]
    return node


def after_mark(node: Node) -> Node | None:
    """X in "\\partial X", "d X", "\\mathrm{d} X"; None when ``node`` does not start with such a mark."""
    node = unbrace(node)
    if isinstance(node, Product) and isinstance(node.factors[0], Name) and node.factors[0].name in DERIVATIVE_MARKS:
        rest = node.factors[1:]
        return rest[0] if len(rest) == 1 else Product(rest[0].start, rest[-1].end, rest)
    return None


def walk(node: Node) -> Iterator[Node]:
    """``node`` and every node below it."""
    yield node
    for value in vars(node).values():
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if isinstance(child, Node):
                yield from walk(child)
            elif isinstance(child, tuple):
                yield from (n for c in child if isinstance(c, Node) for n in walk(c))


def is_name(node: Node, name: str) -> TypeGuard[Name]:
    return isinstance(node, Name) and node.name == name


def is_digits(node: Node) -> TypeGuard[Num]:
    return isinstance(node, Num) and node.text.isdigit()
