"""A general layer letter: a claim written with l (``\\delta^l_j = \\sum_k w^{l+1}_{kj} \\delta^{l+1}_k
\\sigma'(z^l_j)``) is a claim about every layer it names a quantity of. It is read once per layer of the network,
with l that layer; a layer where the claim names a layer the network does not have (l+1 past the output, a z of
the input layer) is one the formula does not apply to, and is left out. Each other layer is decided as a claim of
its own, and the first that fails is the verdict.

What l stands for is counted as the notation counts layers: Nielsen's l = 2 is the first hidden layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..base.errors import SpecError
from ..model.network import Network
from ..syntax.errors import ClaimError
from ..syntax.tree import Binary, Group, Name, Node, Num
from .claim_nodes import unbrace, walk

LETTERS = ("l", "\\ell")
GOODFELLOW = "k"  # Goodfellow's layer letter, W^{(k)}, h^{(k-1)}: read as l where a matrix claim writes it in brackets


class LayerLetter(ClaimError):
    """The claim writes a layer as a letter (l, l-1, l+1) and was read with no value for it."""

    def __init__(self, message: str, position: int | None = None, letter: str = "l") -> None:
        super().__init__(message, position)
        self.letter = letter  # as written: l, or Goodfellow's k


class NoSuchLayer(ClaimError):
    """With l at this value the claim names a layer the network lacks: the formula does not apply there."""


@dataclass(frozen=True)
class Layers:
    """The layers a claim with a layer letter was checked at, as the notation numbers them."""

    letter: str
    checked: tuple[int, ...]  # every layer the formula applies to, in order
    at: int  # the layer the verdict is on: the first that fails, else the last checked
    names: tuple[str, ...] = ()  # each checked layer as the notation writes it (L, L-1), for words

    def words(self) -> str:
        """``l = 1 to 3 (L-2 to L)``: the layers checked, in words."""
        first, last = self.checked[0], self.checked[-1]
        span = f"{self.letter} = {first}" if first == last else f"{self.letter} = {first} to {last}"
        if self.names and self.names[0] != str(first):
            span += f" ({self.names[0]})" if first == last else f" ({self.names[0]} to {self.names[-1]})"
        return span


def at_every_layer(
    net: Network,
    read: Callable[[int], Any],
    decide: Callable[[Any], Any],
    unreadable: Callable[[str, int | None], Any],
    wrt_given: bool,
    letter: str = "l",
) -> Any:
    """A claim with the layer letter l: ``read`` at each layer it applies to, and decided there in order; the
    verdict (a ClaimReport) is on the first layer where it fails, else on the last, and says which were checked."""
    readings: list[tuple[int, Any]] = []
    for layer in range(net.depth + 1):
        try:
            readings.append((layer, read(layer)))
        except NoSuchLayer:
            continue  # l + 1 past the output, a z of the input: the formula does not apply at this l
        except ClaimError as err:
            return unreadable(err.reason, err.position)
    if not readings:
        return unreadable("at every value of the layer letter l the claim names a layer this network lacks", None)
    if wrt_given and readings[0][1].wrt_symbol is not None:
        raise SpecError("the claim's left-hand side has the layer letter l, checked at every layer; leave out --wrt")
    notation = net.notation
    numbers = tuple(layer + notation.input_number for layer, _ in readings)
    names = tuple(notation.layer(layer, net.depth) for layer, _ in readings)
    for at, bound in readings:
        report, last = decide(bound), at + notation.input_number
        if report.verdict != "correct":
            break
    return replace(report, layers=Layers(letter, numbers, last, names))


def mentions_letter(node: Node, letters: tuple[str, ...] = LETTERS) -> bool:
    """Whether a layer superscript is written with the layer letter l (or one of ``letters``)."""
    return any(isinstance(n, Name) and n.name in letters for n in walk(node))


def goodfellow_letter(node: Node) -> bool:
    """Whether a matrix claim's layer superscript is Goodfellow's (k), (k-1), [k]: in brackets, with the letter k."""
    inner = unbrace(node)
    return isinstance(inner, Group) and inner.delim in "([" and mentions_letter(inner, (GOODFELLOW,))


def letter_layer(node: Node, value: int | None, depth: int, quote: str, letters: tuple[str, ...] = LETTERS) -> int:
    """The layer ``l``, ``l-1``, ``l+1`` (or ``[l]``, ``(l)``) names with l = ``value``; NoSuchLayer outside the
    network, LayerLetter when no value is given yet."""
    inner = unbrace(node)
    if isinstance(inner, Group) and inner.delim in "([" and len(inner.items) == 1:
        inner = unbrace(inner.items[0])
    if value is None:
        written = next(n.name for n in walk(inner) if isinstance(n, Name) and n.name in letters)
        raise LayerLetter(f"'{quote}' is a layer written as a letter", node.start + 1, written.lstrip("\\"))
    layer = _offset(inner, value, letters)
    if layer is None:
        raise ClaimError(f"'{quote}' is not a layer; write l, l-1, l+1, L, L-1 or a number", node.start + 1)
    if not 0 <= layer <= depth:
        raise NoSuchLayer(f"'{quote}' names no layer of this network at this l", node.start + 1)
    return layer


def _offset(node: Node, value: int, letters: tuple[str, ...] = LETTERS) -> int | None:
    """l, l - 1, l + 1, 1 + l: l's value moved by a whole number; None for anything else."""
    if isinstance(node, Name) and node.name in letters:
        return value
    if isinstance(node, Binary) and node.op in "+-":
        left, right = unbrace(node.left), unbrace(node.right)
        if isinstance(right, Num) and right.text.isdigit():
            base = _offset(left, value, letters)
            step = int(right.text)
            return None if base is None else base + step if node.op == "+" else base - step
        if node.op == "+" and isinstance(left, Num) and left.text.isdigit():
            base = _offset(right, value, letters)
            return None if base is None else base + int(left.text)
    return None
