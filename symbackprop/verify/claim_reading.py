"""What every part of the claim reader shares: the network and the claim's text, the scope of its letters, what
has been read so far, and ``Reading``, the small immutable context that says how a node is to be read.

The reader is a visitor split by concern (arithmetic, functions, letters, sums, values), each part a class in its
own module; this base holds their common state and names the methods they call in one another.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..model.network import Network
from ..model.partial import Partial
from ..model.references import layer_name
from ..model.symbols import C0
from ..syntax.errors import ClaimError
from ..syntax.tree import Frac, Group, Name, Node, source
from .claim_scope import Scope


@dataclass(frozen=True)
class Reading:
    """How a node is read, passed down the visitor: never switched on and off.

    ``free``: in the leading derivative, a letter no sum binds is a free index, checked for each of its values.
    ``limit_layer``: in a sum's limits, the layer whose size n stands for. ``sample_limit``: in the limits of a sum
    over the samples, where n is the number of samples. ``mean``: the claim is about the mean cost C of a batch.
    ``cost``: what C alone means, the mean cost, or one sample's cost in a claim that speaks of no samples.
    """

    free: bool = False
    limit_layer: int | None = None
    sample_limit: bool = False
    mean: bool = False
    cost: sp.Expr = C0


class Operator(Partial):
    """\\frac{\\partial}{\\partial x}\\left(...\\right): the derivative of an expression written after the operator."""

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return rf"\frac{{\partial}}{{\partial {printer.doprint(self.wrt)}}}\left({printer.doprint(self.of)}\right)"

    def _symbackprop_text(self, printer: sp.printing.str.StrPrinter) -> str:
        return f"∂/∂{printer.doprint(self.wrt)} ({printer.doprint(self.of)})"


class ReaderBase:
    """The reader's state: ``swapped`` (where weights start whose two indices are read the other way round),
    ``rewritten`` (each such weight, as read, to the weight as written), ``wrt_nodes`` (each derivative read, to
    where its "with respect to" is written), the scope of the index letters, and ``layer_value``, the layer l is."""

    def __init__(
        self, net: Network, text: str, swapped: frozenset[int] = frozenset(), layer: int | None = None
    ) -> None:
        self.net = net
        self.text = text
        self.swapped = swapped
        self.layer_value = layer  # the layer the letter l stands for in this reading (claim_layers), if any
        self.plain: tuple[str, sp.Symbol] | None = None  # a letter read as a plain variable (claim_identity)
        self.sample_wrt: sp.Expr | None = None  # a claim about the mean cost: what it differentiates by
        self.sample_terms: list[tuple[sp.Expr, Node]] = []  # one sample's term of a sum over the samples, as written
        self.rewritten: dict[sp.Expr, sp.Expr] = {}
        self.readings: dict[tuple[str, tuple[sp.Expr, ...]], None] = {}  # words for the verdict, in order
        self.wrt_nodes: dict[Partial, Node] = {}
        self.scope = Scope(net, self.quote, self.layer_label)

    def fail(self, node: Node, message: str) -> ClaimError:
        return ClaimError(message, node.start + 1)

    def quote(self, node: Node) -> str:
        return source(self.text, node)

    def layer_label(self, layer: int) -> str:
        return layer_name(layer, self.net.depth)

    # --- what each part of the reader calls in the others ------------------------------------------

    def expr(self, node: Node, at: Reading) -> sp.Expr:
        raise NotImplementedError

    def product(self, factors: list[Node], at: Reading) -> sp.Expr:
        raise NotImplementedError

    def power(self, node: Node, base: sp.Expr, script: Node, at: Reading) -> sp.Expr:
        raise NotImplementedError

    def bounded(self, node: Node, value: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    def group(self, node: Group, at: Reading) -> sp.Expr:
        raise NotImplementedError

    def apply(self, head: Node, base: Name, scripts: tuple, arg: Node, at: Reading) -> sp.Expr:
        raise NotImplementedError

    def scripted(self, base: Node, scripts: tuple, node: Node | None, at: Reading) -> sp.Expr:
        raise NotImplementedError

    def layer_of(self, node: Node, force: bool) -> int | None:
        raise NotImplementedError

    def index_value(self, node: Node, at: Reading) -> sp.Expr:
        raise NotImplementedError

    def integer(self, node: Node, at: Reading) -> int:
        raise NotImplementedError

    def sample_bound(self, node: Node, at: Reading) -> sp.Expr:
        raise NotImplementedError

    def summation(self, head: Node, scripts: tuple, body: list[Node], at: Reading) -> sp.Expr:
        raise NotImplementedError

    def with_dots(self, node: Node, terms: list[tuple[str, Node]], at: Reading) -> sp.Expr:
        raise NotImplementedError

    def derivative(self, numerator: Node, denominator: Node, at: Reading) -> Partial | None:
        raise NotImplementedError

    def operator(self, head: Frac, body: list[Node], at: Reading) -> Operator:
        raise NotImplementedError
