"""Functions in a claim: a name that takes the factor after it (\\sigma'(z_1^{(L)}), g^{(L)}(z), \\tanh,
\\operatorname{ReLU}, \\exp, \\ln, \\max(0, z), \\mathbb{1}[z > 0]), read as the layer's own activation where it is
that one, with primes, a layer superscript and powers written on the name."""

from __future__ import annotations

from typing import cast

import sympy as sp

from ..model import activations
from ..model.symbols import Z, activation_functions
from ..model.targets import ONE_HOT
from ..syntax.tree import Binding, Group, Name, Node, Num, Product, Relation, Scripted
from .claim_limits import evaluated
from .claim_nodes import ACTIVATION_HEADS, is_prime_script, split, unbrace
from .claim_reading import ReaderBase, Reading


def _sech(x: sp.Expr) -> sp.Expr:
    r"""sech x as tanh writes it, sqrt(1 - tanh^2 x): the same function of a real x (sech x > 0), and one whose
    square the tanh network's derivative 1 - tanh^2 z is, so \operatorname{sech}^2(z) is decided against it."""
    return sp.sqrt(1 - sp.tanh(x) ** 2)


PLAIN_FUNCTIONS = {"\\exp": sp.exp, "\\ln": sp.log, "\\log": sp.log, "sech": _sech, "\\sech": _sech}


class Functions(ReaderBase):
    """A function name applied to the factor after it."""

    def apply(self, head: Node, base: Name, scripts: tuple, arg: Node, at: Reading) -> sp.Expr:
        """A function applied to the next factor; powers written on the argument's group apply after."""
        arg_base, arg_scripts = split(arg)
        inner = arg_base if isinstance(arg_base, Group) and arg_base.delim in "([" else arg
        powers = arg_scripts if inner is arg_base else ()
        value = self.call(head, base, scripts, inner, at)
        for mark, script in powers:
            if mark != "^":
                raise self.fail(arg, f"unexpected {mark!r} after '{self.quote(arg)}'")
            value = self.power(arg, value, script, at)
        return value

    def call(self, head: Node, base: Name, scripts: tuple, arg: Node, at: Reading) -> sp.Expr:
        primes, layer, powers = self.head_scripts(head, base, scripts)
        name = base.name
        if primes and name not in ACTIVATION_HEADS:
            raise self.fail(head, f"a prime on {self.quote(head)} is not understood; primes go on activations")
        args = arg.items if isinstance(arg, Group) else (arg,)
        try:
            value = self.applied(head, name, primes, layer, arg, args, at)
        except TypeError:  # SymPy could not compare it with 0: a sum over the samples, a derivative of a sample's cost
            raise self.fail(
                arg, f"'{self.quote(arg)}' cannot be the argument of {self.quote(head)}: it is no value of one sample's"
            ) from None
        for power in powers:
            value = self.power(head, value, power, at)
        return self.bounded(Node(head.start, arg.end), value)  # \exp(\exp(10)): a number of 9566 digits

    def applied(
        self, head: Node, name: str, primes: int, layer: int | None, arg: Node, args: tuple, at: Reading
    ) -> sp.Expr:
        """The function ``name`` applied to what is written in its brackets."""
        if name == "\\max":
            if len(args) != 2:
                raise self.fail(arg, "\\max takes two arguments, as in \\max(0, z)")
            return sp.Max(*(evaluated(self.expr(a, at)) for a in args))  # SymPy decides on values
        if len(args) != 1:
            raise self.fail(arg, f"{self.quote(head)} takes one argument")
        if name == "1":
            return self.indicator(args[0], at)
        if name in PLAIN_FUNCTIONS:
            return PLAIN_FUNCTIONS[name](evaluated(self.expr(args[0], at)))
        return self.activation(head, name, primes, layer, self.expr(args[0], at))

    def head_scripts(self, head: Node, base: Name, scripts: tuple) -> tuple[int, int | None, list[Node]]:
        """Primes, a layer superscript (g^{(L)}) and powers written on a function's name."""
        primes, layer, powers = 0, None, []
        for mark, script in scripts:
            if mark == "'":
                primes += 1
            elif mark == "_":
                raise self.fail(head, f"a subscript on {base.name} is not understood")
            elif is_prime_script(script):
                primes += 1
            else:
                inner = unbrace(script)
                if isinstance(inner, Product):  # ^{\\prime(L)} or ^{(L)\\prime}
                    marks = [f for f in inner.factors if is_prime_script(f)]
                    rest = [f for f in inner.factors if not is_prime_script(f)]
                    primes += len(marks)
                    if marks and len(rest) == 1:
                        inner = rest[0]
                # \operatorname{sech}^2, \tanh^2: a power, never a layer (only g^{2} may be layer 2's g)
                plain = base.name in PLAIN_FUNCTIONS or (base.name != "g" and isinstance(inner, Num))
                found = None if plain else self.layer_of(inner, force=layer is None and base.name == "g")
                if found is not None and layer is None:
                    layer = found
                else:
                    powers.append(inner)
        if primes > 1:
            raise self.fail(head, "second derivatives of an activation are not supported here")
        return primes, layer, powers

    def activation(self, head: Node, name: str, primes: int, layer: int | None, arg: sp.Expr) -> sp.Expr:
        """sigma, g, tanh, ReLU and their derivatives: the layer's own activation where it is that one."""
        wanted = ACTIVATION_HEADS[name]
        if layer is None and isinstance(arg, sp.Indexed) and arg.base == Z:
            layer = int(arg.indices[0])
        if layer is not None and not 1 <= layer <= self.net.depth:
            raise self.fail(head, f"{self.quote(head)}: there is no layer {layer} with an activation")
        own = self.net.activation(layer) if layer is not None else None
        if own is not None and own.generic and name == "\\sigma":
            wanted = None  # \sigma' on a layer whose activation is any g is that layer's g', as the texts use it
        if wanted is None and own is None:
            raise self.fail(head, "g needs its layer, g^{(L)}(...), or a z of one layer as its argument")
        if own is not None and (wanted is None or activations.activation(wanted).latex == own.latex):
            if not own.elementwise:
                label = self.layer_label(cast(int, layer))  # own is a layer's activation, so layer is that layer
                raise self.fail(head, f"layer {label} is softmax, which is not applied neuron by neuron")
            func, prime = activation_functions(own.name)
            return (prime if primes else func)(layer, arg)
        if wanted is None:
            raise self.fail(head, "g stands for a layer's activation; this one has no layer")
        act = activations.activation(wanted)  # a head's own entry, elementwise: it has its form and derivative
        function = cast(activations.Scalar, act.prime if primes else act.form)
        return function(evaluated(arg))  # 0·y is 0 to a piecewise

    def indicator(self, node: Node, at: Reading) -> sp.Expr:
        """\\mathbb{1}[z > 0] as a step function of z; \\mathbb{1}(y = k), the class's, as the one-hot target y_k."""
        if isinstance(node, Binding):
            return self.class_indicator(node, at)
        if not isinstance(node, Relation):
            raise self.fail(node, "an indicator takes a comparison, as in \\mathbb{1}[z > 0]")
        gap = evaluated(self.expr(node.left, at) - self.expr(node.right, at))
        op = node.op.lstrip("\\")
        strict = {">": (gap, 0), "gt": (gap, 0), "<": (-gap, 0), "lt": (-gap, 0)}
        closed = {">=": (gap, 1), "ge": (gap, 1), "geq": (gap, 1), "<=": (-gap, 1), "le": (-gap, 1), "leq": (-gap, 1)}
        arg, at_zero = {**strict, **closed}[op]
        return sp.Heaviside(arg, at_zero)

    def class_indicator(self, node: Binding, at: Reading) -> sp.Expr:
        """CS231n's 1(y_i = k): 1 where the sample's class y_i is k, else 0. With one-hot targets the class's
        indicator is the target y_k itself (y_k is 1 exactly for the class); with any other targets there is no
        class, so it is refused with the flag that states them. The verdict says how it was read."""
        base, scripts = split(node.name)
        if not (isinstance(base, Name) and base.name == "y"):
            raise self.fail(node, "an indicator takes a comparison, as in \\mathbb{1}[z > 0], or a class, 1(y = k)")
        self.class_of_sample(node, scripts)
        if self.net.spec.targets != ONE_HOT:
            raise self.fail(
                node,
                f"'{self.quote(node)}' says the sample's class is k: that is the target y_k only when the targets "
                'are one-hot; say so with --targets one-hot (or targets = "one-hot" in the spec)',
            )
        target = self.expr(Scripted(node.start, node.end, Name(base.start, base.end, "y"), (("_", node.value),)), at)
        written = self.quote(node).replace("{", "{{").replace("}", "}}")
        self.readings[(f"1({written}) read as the one-hot target {{0}}", (target,))] = None
        return target

    def class_of_sample(self, node: Binding, scripts: tuple) -> None:
        """Refuse 1(y_2 = 1) and 1(y_k = 1): y with a number or a neuron's index under it is one entry of the
        target, not the sample's class, and reading its right side as the class (y_1) would put another class's
        target where the claim wrote this one's. CS231n's y_i names the sample i, whose class is compared."""
        for mark, script in scripts:
            inner = unbrace(script) if script is not None else None
            if mark != "_" or inner is None:
                continue
            letter = inner.name if isinstance(inner, Name) else None
            index = self.scope.letters.get(letter) if letter is not None else None
            if isinstance(inner, Num) or (index is not None and index.runs_over and not index.samples):
                raise self.fail(
                    node,
                    f"'{self.quote(node)}' compares one entry of the target with a value: 1(y = k) and 1(y_i = k) "
                    "(sample i's class is k) are read as the one-hot target y_k; for that entry write it as it is, "
                    "y_k",
                )
