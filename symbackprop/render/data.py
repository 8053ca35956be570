"""Finished results turned into what a template receives: strings, numbers, lists and mappings, nothing else.

A template someone else wrote may run (``--templates``), so no object with a method that computes, parses,
reads a file or renders ever reaches one. Every SymPy expression is printed here, once, in the network's
notation, and handed over as a mapping:

- ``text`` and ``tex``: the expression printed as plain text and as LaTeX;
- ``summed``: whether it is a sum (so a product writes it in parentheses);
- ``is_symbol``: whether it is a single letter (a neuron index such as j);
- ``indices``: for a quantity such as w_jk^(l), its layer and neuron indices, each printed the same way;
- ``pieces`` (where a document breaks the expression into display lines): its terms with their signs
  (``sum``) and its factors (``product``), which the ``tex_lines`` filter packs into lines.

``plain`` checks the whole context before a template sees it.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import Any

import sympy as sp

from ..derive.derivation import Derivation, Factor
from ..model.network import Network
from ..model.notation import Notation
from ..model.printing import printers
from ..model.references import Ref
from ..prove.proof import Proof
from . import layout

PLAIN = (str, int, float, bool, type(None))
Data = dict[str, Any]


class NotPlainData(TypeError):
    """Something other than plain data was about to reach a template: a bug of ours, never the user's."""


def plain(value: Any, where: str = "context") -> Any:
    """``value`` itself, once checked to be strings, numbers, booleans, None, lists, tuples and str-keyed
    dicts all the way down. Exact types: a NumPy float (which has ``tofile``) or a str subclass is refused. A part
    the context shares (a derivation several factors defer to) is checked once."""
    stack = [(value, where)]
    seen: set[int] = set()
    while stack:
        item, path = stack.pop()
        kind = type(item)
        if kind in PLAIN:
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if kind in (list, tuple):
            stack.extend((x, f"{path}[{n}]") for n, x in enumerate(item))
        elif kind is dict:
            for key, x in item.items():
                if type(key) is not str:
                    raise NotPlainData(f"{path}: a key of type {type(key).__name__}")
                stack.append((x, f"{path}.{key}"))
        else:
            raise NotPlainData(f"{path}: {kind.__name__} is not plain data")
    return value


def ref_key(ref: Ref) -> str:
    """A reference as a string a template can compare and look up: "a:2:1", "b:1:", "w:3:0,1"."""
    return f"{ref.kind}:{ref.layer}:{','.join(str(i) for i in ref.indices)}"


class Printed:
    """One network's expressions printed in its notation, each once (a document repeats its symbols often)."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.text_printer, self.tex_printer = printers(net.notation, net.layers)
        self._memo: dict[tuple[sp.Basic, bool], Data] = {}
        self._derivations: dict[Ref, Data] = {}

    def expr(self, e: sp.Basic, pieces: bool = False) -> Data:
        """An expression as a template receives it (see the module's docstring)."""
        key = (e, pieces)
        if key not in self._memo:
            self._memo[key] = self._expr(e, pieces)
        return self._memo[key]

    def _expr(self, e: sp.Basic, pieces: bool) -> Data:
        out: Data = {
            "text": self.text_printer.doprint(e),
            "tex": self.tex_printer.doprint(e),
            "summed": summed(e),
            "is_symbol": bool(getattr(e, "is_Symbol", False)),
            "indices": [self.expr(i) for i in e.indices] if isinstance(e, sp.Indexed) else [],
        }
        if pieces:
            out["pieces"] = self._pieces(e)
        return out

    def _pieces(self, e: sp.Basic) -> Data:
        tex = self.tex_printer
        terms = layout.sum_pieces(tex.doprint, e, tex._as_ordered_terms)
        product = layout.product_pieces(tex.doprint, e) if len(terms) == 1 else terms
        return {"sum": terms, "product": product}

    def exprs(self, items: Sequence[sp.Basic]) -> list[Data]:
        return [self.expr(e) for e in items]

    def words(self, parts: Sequence[str | sp.Basic]) -> list[str | Data]:
        """A sentence of prose (strings) and mathematics (printed expressions), in order."""
        return [p if isinstance(p, str) else self.expr(p) for p in parts]

    def derivation(self, d: Derivation) -> Data:
        """A derivation, each factor worked out, every expression printed; each one converted once."""
        if d.target not in self._derivations:
            self._derivations[d.target] = self._derivation(d)
        return self._derivations[d.target]

    def _derivation(self, d: Derivation) -> Data:
        t = d.target
        return {
            "key": ref_key(t),
            "target": {
                "kind": t.kind,
                "layer": t.layer,
                "key": ref_key(t),
                "layer_name": self.net.notation.layer(t.layer, self.net.depth),
            },
            "symbol": self.expr(d.symbol),
            "of": self.expr(d.chains[0].factors[0].of),
            "chains": [{"factors": [self.factor(f) for f in c.factors]} for c in d.chains],
            "result": self.expr(d.result, pieces=True),
            "stated_result": self.expr(d.stated_result, pieces=True),
            "sum_form": self.expr(d.sum_form, pieces=True),
            "sum_over": list(d.sum_over),
            "free": self.expr(d.free) if d.free is not None else None,
            "sum_limits": [[self.expr(letter), first, last] for letter, first, last in d.sum_limits],
            "pattern": [[self.expr(of), self.expr(wrt)] for of, wrt in d.pattern],
            "pattern_factors": [self.factor(f) for f in d.pattern_factors()],
            "rules": rule_names(f.rule for f in d.pattern_factors()),
        }

    def factor(self, f: Factor) -> Data:
        """One factor d(of)/d(wrt): its value, how it was worked (definition, terms) and what it defers to."""
        rule = f.rule
        in_a = self._in_a(f) if rule == "activation" else None
        return {
            "of": self.expr(f.of),
            "wrt": self.expr(f.wrt),
            "rule": rule,
            "value": self.expr(f.value),
            "compact": self.expr(f.compact),
            "definition": self.expr(f.definition) if f.definition is not None else None,
            "terms": self.exprs(f.terms),
            "term_values": self.exprs(f.term_values),
            "deferred": self.derivation(f.deferred) if f.deferred is not None else None,
            "covers": [ref_key(d.target) for d in f.covers],
            "in_a": self.expr(in_a) if in_a is not None else None,
            "same_as": f"{rule}:{self.net.activation(int(f.of.indices[0])).name}" if rule == "activation" else rule,
        }

    def _in_a(self, f: Factor) -> sp.Expr | None:
        """An activation's derivative written with its output, where a text does (sigmoid: a(1 - a))."""
        return self.net.activation_prime_in_a(int(f.of.indices[0]), f.of.indices[1])


RULE_NAMES = {
    "cost": "cost's derivative",
    "activation": "activation's derivative",
    "softmax": "quotient rule",
    "sum": "sum rule",
}  # what a step's heading calls each kind of factor it works out; an earlier step's factor is not one


def rule_names(rules: Iterable[str]) -> list[str]:
    """The rules a step uses besides the chain rule, once each, in the order its factors are worked."""
    return list(dict.fromkeys(RULE_NAMES[r] for r in rules if r in RULE_NAMES))


def summed(e: sp.Basic) -> bool:
    """Whether a product must write ``e`` in parentheses: a sum of terms, or a Σ, signed or not."""
    return isinstance(e, (sp.Add, sp.Sum)) or (isinstance(e, sp.Mul) and any(isinstance(a, sp.Sum) for a in e.args))


def proof_data(proof: Proof) -> Data:
    """A proof's verdict, method and statement; ``text`` is the whole statement as one line, ``brief`` and
    ``details`` the statement split into what every reader needs and what a reader checking the proof does."""
    return {
        "verdict": proof.verdict,
        "proven": proof.proven,
        "method": proof.method,
        "statement": proof.statement,
        "brief": proof.brief or proof.statement,
        "details": proof.details,
        "activation_facts": list(proof.activation_facts),
        "text": str(proof),
    }


def notation_data(notation: Notation) -> Data:
    """A notation preset's settings: symbols (cost_symbol, batch_cost_symbol, ...) and switches (use_delta)."""
    out: Data = {}
    for f in fields(notation):
        value = getattr(notation, f.name)
        out[f.name] = dict(value) if isinstance(value, Mapping) else value
    return out


def record(value: Any) -> Any:
    """A frozen dataclass of numbers and strings (a figure's layout, worked numbers) as nested dicts and lists;
    NumPy and SymPy numbers become Python floats and ints."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: record(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [record(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): record(v) for k, v in value.items()}
    if isinstance(value, (bool, str)) or value is None:
        return bool(value) if isinstance(value, bool) else value if value is None else str(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise NotPlainData(f"{type(value).__name__} is not plain data")
