"""The chain rule as data: each factor in Leibniz form, each worked out, then combined.

The order follows the way the source texts tell a derivation: the chain of three factors
for a weight or bias, each factor differentiated from its own local definition, the sum
over the next layer's neurons for a hidden activation (told as its own derivation), the
result, and the average over samples. No string formatting happens here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import count
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import sympy as sp

from ..model.references import Ref, check
from ..model.symbols import C0, A, B, OrderedProduct, W, Y, Z

if TYPE_CHECKING:
    from ..model.network import Network


Worked = tuple[sp.Expr | None, tuple[sp.Expr, ...], tuple[sp.Expr, ...]]


@dataclass(frozen=True)
class Factor:
    """One factor d(of)/d(wrt) of a chain, worked out from ``of``'s definition.

    ``terms`` is that definition written out (a sum's terms one by one) and ``term_values``
    each term differentiated, so a reader sees the terms without ``wrt`` go to 0. A factor
    dC_0/da_k^(l) below the output layer is worked by its own derivation, ``deferred``.
    The written-out terms are made only when a document asks for them (``work``), so deriving
    every parameter of a wide network stays linear in their number.
    """

    of: sp.Expr
    wrt: sp.Expr
    value: sp.Expr
    deferred: Derivation | None = None
    work: Callable[[], Worked] | None = field(default=None, compare=False, repr=False)
    coupled: bool = False  # da_i/dz_j of a softmax layer, where every activation depends on every z
    covers: tuple[Derivation, ...] = ()  # a general term's hidden dC_0/da_j: the derivation for each neuron j

    @cached_property
    def worked(self) -> Worked:
        return self.work() if self.work is not None else (None, (), ())

    @property
    def definition(self) -> sp.Expr | None:
        return self.worked[0]

    @property
    def terms(self) -> tuple[sp.Expr, ...]:
        return self.worked[1]

    @property
    def term_values(self) -> tuple[sp.Expr, ...]:
        return self.worked[2]

    @property
    def compact(self) -> sp.Expr:
        """The value as a text states it: a hidden activation's factor as its sum over the next layer."""
        return self.deferred.sum_form if self.deferred is not None else self.value

    @property
    def rule(self) -> str:
        """What kind of step this is, for templates: cost, activation, softmax, sum, deferred (a hidden
        activation's own derivation) or sensitivity (the general term of several such derivations)."""
        if self.deferred is not None:
            return "deferred"
        if self.covers:
            return "sensitivity"
        if self.of == C0:
            return "cost"
        if self.of.base == A:
            return "softmax" if self.coupled else "activation"
        return "sum"


@dataclass(frozen=True)
class Chain:
    """One path from the quantity to the cost: the product of its factors."""

    factors: tuple[Factor, ...]

    @cached_property
    def value(self) -> sp.Expr:
        return sp.Mul(*(f.value for f in self.factors))

    @cached_property
    def stated(self) -> sp.Expr:
        """The value as a text writes the path: its factors in the order they were worked, except that a
        softmax factor joins the one before it, since SymPy simplifies their product (y_i/a_i times a_i)."""
        values: list[sp.Expr] = []
        for f in self.factors:
            if f.coupled and values:
                values[-1] = values[-1] * f.value
            else:
                values.append(f.value)
        return OrderedProduct(*values)


@dataclass(frozen=True)
class Derivation:
    """dC_0/d(target) as chains of factors, summed when the quantity reaches the cost by several paths.

    ``sum_over`` names the indices the chains run over: "j" for the neurons a hidden
    activation or a layer's shared bias feeds, "i" for the outputs of a softmax layer; empty
    for a single chain. ``pattern`` is the chain's Leibniz form with those indices symbolic.
    """

    network: Network
    target: Ref
    symbol: sp.Expr
    chains: tuple[Chain, ...]
    sum_over: tuple[str, ...]
    pattern: tuple[tuple[sp.Expr, sp.Expr], ...]  # the chain in Leibniz form, with j and i symbolic where summed

    @cached_property
    def result(self) -> sp.Expr:
        """The derivative in the intermediate symbols a, z, w, y and g'."""
        return sp.Add(*(c.value for c in self.chains))

    @cached_property
    def stated_result(self) -> sp.Expr:
        """The result written out path by path, each path's factors in the order they were worked."""
        return sp.Add(*(c.stated for c in self.chains))

    def subderivations(self) -> list[Derivation]:
        """Every hidden-layer dC_0/da derivation this one relies on, nearest the output last."""
        seen: dict[Ref, Derivation] = {}
        for chain in self.chains:
            for factor in chain.factors:
                if factor.deferred is not None:
                    for sub in [*factor.deferred.subderivations(), factor.deferred]:
                        seen.setdefault(sub.target, sub)
        return sorted(seen.values(), key=lambda d: -d.target.layer)

    @property
    def free(self) -> sp.Symbol | None:
        """The neuron letter of a derivation told for a whole layer at once (a_k^(l) for each k), or None."""
        free = [i for i in self.target.indices if isinstance(i, sp.Symbol)]
        return free[0] if free else None

    @property
    def sum_limits(self) -> tuple[tuple[sp.Symbol, int, int], ...]:
        """For each summed index, its letter and the first and last neuron it runs over."""
        if not self.sum_over:
            return ()
        layer_of = {"j": int(self.pattern[1][1].indices[0]), "i": int(self.pattern[0][1].indices[0])}
        out = []
        for name in self.sum_over:
            neurons = self.network.neurons(layer_of[name])
            out.append((sp.Symbol(name), neurons[0], neurons[-1]))
        return tuple(out)

    def pattern_factors(self) -> tuple[Factor, ...]:
        """The chain's factors worked out once, with j (and i) symbolic where the chains are summed.

        For a single chain these are its factors. For a sum, each factor is the general term a
        text works: the cost's derivative for neuron j, the activation's derivative at z_j, and
        the weighted sum z_j written out with only the term holding the variable surviving.
        """
        if not self.sum_over:
            return self.chains[0].factors
        subs = tuple(dict.fromkeys(c.factors[0].deferred for c in self.chains if c.factors[0].deferred is not None))
        return tuple(_general_factor(self.network, of, wrt, subs) for of, wrt in self.pattern)

    @property
    def sum_form(self) -> sp.Expr:
        """The result with each sum over a layer's neurons kept as a Sum over a letter, as a text writes it."""
        return compact_form(self.network, self.target)

    def expanded(self, concrete: bool | None = None) -> sp.Expr:
        """The result in inputs, parameters and targets alone: with the activations named
        (sigma(...), sigma'(...)) by default, or with their formulas when ``concrete``."""
        return self.network.compose(self.result, self.start, concrete=concrete)

    @property
    def start(self) -> Ref | None:
        """Where the composed cost begins: at this activation or z, or at the inputs for a parameter."""
        return self.target if self.target.kind in "az" else None


def derive(net: Network, ref: str | Ref) -> Derivation:
    """The chain-rule derivation of dC_0 with respect to ``ref`` (``"w_{12}^{(L)}"``, or a ``Ref``): hidden
    layers' dC_0/da are shared between the derivations of one network, so deriving every parameter costs time
    linear in their number.

    >>> from symbackprop.model.network import Network
    >>> d = derive(Network(layers=[1, 1]), "w^{(L)}")
    >>> [str(f.value) for f in d.chains[0].factors]
    ['2*(a[1, 0] - y[0])', 'sigmoid_prime(1, z[1, 0])', 'a[0, 0]']
    """
    if isinstance(ref, str):
        return deriver(net).derive(net.ref(ref))
    check(ref, net.spec)  # a Ref made by hand may name nothing in this network
    return deriver(net).derive(ref)


_DERIVERS: WeakKeyDictionary[Network, Deriver] = WeakKeyDictionary()


def deriver(net: Network) -> Deriver:
    """The one Deriver of ``net``, which keeps every derivation it has built."""
    if net not in _DERIVERS:
        net.require_layered("the layer-by-layer derivation")
        _DERIVERS[net] = Deriver(net)
    return _DERIVERS[net]


class Deriver:
    """Builds derivations for one network, sharing each hidden-layer dC_0/da between paths."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.cache: dict[Ref, Derivation] = {}
        self.factors: dict[tuple[str, int], Factor] = {}

    def derive(self, target: Ref) -> Derivation:
        if target not in self.cache:
            self.cache[target] = self._build(target)
        return self.cache[target]

    def _build(self, t: Ref) -> Derivation:
        net, layer = self.net, t.layer
        symbol = net.symbol(t)
        if t.kind == "a" and layer == net.depth:
            factor = self.dcost_da(layer, t.indices[0])
            return Derivation(net, t, symbol, (Chain((factor,)),), (), ((C0, symbol),))
        if t.kind == "a":
            return self.paths(t, layer + 1, list(net.neurons(layer + 1)), symbol)
        if t.kind == "z":
            return self.paths(t, layer, [t.indices[0]], None)
        js = list(net.neurons(layer)) if t.kind == "b" and not t.indices else [t.indices[0]]
        return self.paths(t, layer, js, symbol)

    def paths(self, t: Ref, layer: int, js: list[int], last: sp.Expr | None) -> Derivation:
        """Chains dC_0/da_i^(l) * da_i^(l)/dz_j^(l) [* dz_j^(l)/d(last)], over each j and each coupled i."""
        chains = []
        for j in js:
            for i in self.coupled(layer, j):
                factors = [self.dcost_da(layer, i), self.da_dz(layer, i, j)]
                if last is not None:
                    factors.append(self.dz_d(layer, j, last))
                chains.append(Chain(tuple(factors)))
        over = tuple(name for name, on in (("j", len(js) > 1), ("i", not self.net.activation(layer).elementwise)) if on)
        jj = sp.Symbol("j") if "j" in over else js[0]
        ii = sp.Symbol("i") if "i" in over else jj
        pattern = [(C0, A[layer, ii]), (A[layer, ii], Z[layer, jj])]
        if last is not None:
            pattern.append((Z[layer, jj], last))
        return Derivation(self.net, t, self.net.symbol(t), tuple(chains), over, tuple(pattern))

    def coupled(self, layer: int, j: int) -> list[int]:
        """The neurons i whose activation a_i depends on z_j: only j itself, unless softmax couples them."""
        return [j] if self.net.activation(layer).elementwise else list(self.net.neurons(layer))

    def dcost_da(self, layer: int, j: int) -> Factor:
        """dC_0/da_j^(l): from the cost's sum at the output, else its own derivation."""
        net, a = self.net, A[layer, j]
        if layer < net.depth:
            sub = self.derive(Ref("a", layer, (j,)))
            return Factor(C0, a, sub.result, sub)
        key = ("cost", j)
        if key not in self.factors:
            value = sp.factor_terms(sp.diff(net.cost.term(a, Y[j], net.layers[-1]), a))

            def work() -> Worked:
                terms = net.cost_terms()
                return sp.Add(*terms), terms, tuple(sp.factor_terms(sp.diff(t, a)) for t in terms)

            self.factors[key] = Factor(C0, a, value, None, work)
        return self.factors[key]

    def da_dz(self, layer: int, i: int, j: int) -> Factor:
        """da_i^(l)/dz_j^(l): the activation's derivative (softmax: a_i (delta_ij - a_j))."""
        net, a, z = self.net, A[layer, i], Z[layer, j]
        elementwise = net.activation(layer).elementwise
        value = net.activation_prime(layer, j) if elementwise else net.softmax_partial(layer, i, j)

        def work() -> Worked:
            definition = net.a_definition(layer, i)
            copies = 1 if elementwise else 2
            return definition, (definition,) * copies, (value,) * copies

        return Factor(a, z, value, None, work, coupled=not elementwise)

    def dz_d(self, layer: int, j: int, wrt: sp.Expr) -> Factor:
        """dz_j^(l)/d(wrt) for a weight, bias or previous activation: the sum written out, differentiated."""
        net = self.net
        if wrt.base == W:
            value = A[layer - 1, wrt.indices[2]]
        elif wrt.base == A:
            value = W[layer, j, wrt.indices[1]]
        elif wrt.base == B:
            value = sp.Integer(1)
        else:
            value = sp.diff(net.z_definition(layer, j), wrt)

        def work() -> Worked:
            terms = net.z_terms(layer, j)
            if _free_neuron(wrt):
                return _z_over_letter(net, layer, j, wrt, value)
            return sp.Add(*terms), terms, tuple(sp.diff(t, wrt) for t in terms)

        return Factor(Z[layer, j], wrt, value, None, work)


FREE = sp.Symbol("k")  # the neuron of a layer whose hidden activations are told once, as the texts name it


def general_activation(net: Network, layer: int) -> Derivation:
    """dC_0/da_k^(layer) with the neuron k a letter: the one derivation a document tells for every hidden
    activation of a layer, summed over the next layer's neurons j. Put k = 0, 1, ... and it is each neuron's
    own derivation (``derive(net, Ref("a", layer, (k,)))``), factor for factor."""
    if not 1 <= layer < net.depth:
        raise ValueError(f"layer {layer} has no hidden activations to tell for each neuron")
    target = Ref("a", layer, (FREE,))
    return deriver(net).paths(target, layer + 1, list(net.neurons(layer + 1)), A[layer, FREE])


def output_factor(net: Network) -> Factor:
    """dC_0/da_j^(L) worked out from the cost once for every output neuron: for a letter j, or for the
    single output neuron when there is one."""
    if net.layers[-1] == 1:
        return deriver(net).dcost_da(net.depth, net.spec.index_base)
    return _general_factor(net, C0, A[net.depth, sp.Symbol("j")])


def compact_form(net: Network, t: Ref) -> sp.Expr:
    """dC_0/d(target) as a text states it: the factors in the order the chain tells them (an
    ``OrderedProduct``), and each sum over a later layer a SymPy Sum, over j for the neurons a quantity
    feeds and over i for a softmax layer's coupling, as the derivation's own steps name them."""
    letters = Letters({i for i in t.indices if isinstance(i, sp.Symbol)} | notation_letters(net))
    layer = t.layer
    if t.kind == "a":
        return _sensitivity(net, layer, t.indices[0], letters)
    if t.kind == "b" and not t.indices:
        return _over(net, layer, letters, "j", lambda j: _upstream(net, layer, j, letters))
    head = _upstream(net, layer, t.indices[0], letters)
    return OrderedProduct(head, A[layer - 1, t.indices[1]]) if t.kind == "w" else head


class Letters:
    """The letters of nested sums, none used twice: each sum asks for the one the texts give it."""

    POOL = "j i h m p q r s t u v"

    def __init__(self, taken: set[sp.Expr]) -> None:
        self.taken = set(taken)

    def take(self, prefer: str) -> sp.Symbol:
        """``prefer`` if it is free, else the next free letter of the pool, then j_1, j_2, ..."""
        for letter in index_letters(f"{prefer} {self.POOL}", self.taken):
            self.taken.add(letter)
            return letter
        raise AssertionError("index_letters never ends")


def notation_letters(net: Network) -> set[sp.Expr]:
    """The letters the notation gives to quantities, which a sum's index must not take: under goodfellow h is a
    layer's output, so a softmax's coupling sum runs over m, not over h beside h_i. (A sum over samples is
    printed apart from these sums, so the sample's letter may be reused.)"""
    return {sp.Symbol(name) for name in net.notation.symbols.values() if len(name) == 1 and name.isalpha()}


def index_letters(names: str, taken: set[sp.Expr]) -> Iterator[sp.Symbol]:
    """The letters a sum over a later layer's neurons may use: ``names``, then j_1, j_2, ... for deeper networks."""
    yield from (x for x in sp.symbols(names) if x not in taken)
    yield from (x for x in (sp.Symbol(f"j_{n}") for n in count(1)) if x not in taken)


def _over(net: Network, layer: int, letters: Letters, prefer: str, body: Callable[[sp.Expr], sp.Expr]) -> sp.Expr:
    """A sum over a layer's neurons of ``body(index)``, its minus sign in front; for a layer of one neuron,
    just that neuron's term (there is no sum, so no letter is used up)."""
    first = net.spec.index_base
    if net.layers[layer] == 1:
        return body(sp.Integer(first))
    index = letters.take(prefer)
    term = body(index)
    if term.could_extract_minus_sign():
        return -sp.Sum(-term, (index, first, first + net.layers[layer] - 1))
    return sp.Sum(term, (index, first, first + net.layers[layer] - 1))


def _sensitivity(net: Network, layer: int, j: sp.Expr, letters: Letters) -> sp.Expr:
    """dC_0/da_j^(layer): the cost's derivative at the output, else a Sum over the next layer."""
    if layer == net.depth:
        a = A[layer, j]
        return sp.factor_terms(sp.diff(net.cost.term(a, Y[j], net.layers[-1]), a))
    after = layer + 1

    def path(i: sp.Expr) -> sp.Expr:
        return OrderedProduct(_upstream(net, after, i, letters), W[after, i, j])

    return _over(net, after, letters, "j", path)


def _upstream(net: Network, layer: int, j: sp.Expr, letters: Letters) -> sp.Expr:
    """dC_0/dz_j^(layer): through the activation's derivative, or a softmax layer's coupling (whose product
    with the cost's derivative SymPy simplifies, as a text would)."""
    if net.activation(layer).elementwise:
        return OrderedProduct(_sensitivity(net, layer, j, letters), net.activation_prime(layer, j))
    return _over(
        net, layer, letters, "i", lambda m: _sensitivity(net, layer, m, letters) * net.softmax_partial(layer, m, j)
    )


def _general_factor(net: Network, of: sp.Expr, wrt: sp.Expr, subs: tuple[Derivation, ...] = ()) -> Factor:
    """One factor of a summed chain, with a symbolic neuron index; ``subs`` are the derivations of the
    hidden activations a first factor dC_0/da_j stands for, one per neuron j."""
    layer, j = int(wrt.indices[0]), wrt.indices[-1]
    if of == C0:
        value = _sensitivity(net, layer, j, Letters({j} | notation_letters(net)))
        if layer < net.depth:
            return Factor(of, wrt, value, covers=subs)
        definition = net.cost_equation()[1][0]
        return Factor(of, wrt, value, None, lambda: (definition, (), ()))
    if of.base == A:
        i = of.indices[1]
        elementwise = net.activation(layer).elementwise
        value = net.activation_prime(layer, j) if elementwise else net.softmax_partial(layer, i, j)
        definition = net.a_general(layer, i, next(index_letters("m p q r s t u v", {i, j})))

        def work() -> Worked:
            return definition, (definition,) if elementwise else (), (value,)

        return Factor(of, wrt, value, None, work, coupled=not elementwise)
    if _free_neuron(wrt):  # d z_j / d a_k, k a letter: only the term m = k of the sum holds a_k
        worked = _z_over_letter(net, int(of.indices[0]), of.indices[1], wrt, W[int(of.indices[0]), of.indices[1], j])
        return Factor(of, wrt, sp.Add(*worked[2]), None, lambda: worked)
    terms = net.z_terms(int(of.indices[0]), of.indices[1])
    values = tuple(sp.diff(term, wrt) for term in terms)
    return Factor(of, wrt, sp.Add(*values), None, lambda: (sp.Add(*terms), terms, values))


def _free_neuron(wrt: sp.Expr) -> bool:
    """Whether ``wrt`` is a previous layer's activation a_k named by a letter (a step told for each neuron)."""
    return isinstance(wrt, sp.Indexed) and wrt.base == A and isinstance(wrt.indices[-1], sp.Symbol)


def _z_over_letter(net: Network, layer: int, j: sp.Expr, wrt: sp.Indexed, value: sp.Expr) -> Worked:
    """z_j^(layer) as a Sum over the previous layer's neurons m (and its bias), differentiated by a_k for a
    letter k: the sum gives w_jk (the term m = k), the bias 0."""
    m = next(index_letters("m p q r s t u v", {j, wrt.indices[-1]}))
    first = net.spec.index_base
    weighted = sp.Sum(W[layer, j, m] * A[layer - 1, m], (m, first, first + net.layers[layer - 1] - 1))
    bias = net.bias_symbol(layer, j)  # type: ignore[arg-type]  # j may be a letter
    terms = (weighted,) if bias is None else (weighted, bias)
    values = (value,) if bias is None else (value, sp.Integer(0))
    return sp.Add(*terms), terms, values
