"""What a template receives: the derivation, its proof, and the network described in words.

Everything here is finished data; the templates only lay it out.
"""

from __future__ import annotations

import json
from typing import Any

import sympy as sp

from .. import references
from ..checks import Proof
from ..derivation import Derivation, Factor
from ..network import Network
from ..printing import partial_tex, partial_text, printers

EXPANDED_LIMIT = 160  # operations in the fully expanded result above which it is not printed
BIAS_WORDS = {"neuron": "a bias per neuron", "layer": "one bias shared by each layer", "none": "no biases"}


def describe(net: Network) -> dict[str, Any]:
    """The network in words: sizes, activation per layer, cost and bias convention."""
    names = [net.activation(layer).name for layer in range(1, net.depth + 1)]
    return {
        "layers": list(net.layers),
        "layer_names": [references.layer_name(layer, net.depth) for layer in range(net.depth + 1)],
        "activations": names,
        "activation_words": names[0] if len(set(names)) == 1 else ", ".join(names),
        "cost": net.spec.cost,
        "cost_title": net.cost.title,
        "bias": net.spec.bias,
        "bias_words": BIAS_WORDS[net.spec.bias],
        "index_base": net.spec.index_base,
        "notation": net.notation,
    }


def expanded_or_none(d: Derivation) -> sp.Expr | None:
    """The result in inputs and parameters alone, when it is small enough to read."""
    if any(net_act.generic for net_act in _activations(d.network)):
        return None
    expr = d.expanded()
    return expr if sp.count_ops(expr) <= EXPANDED_LIMIT else None


def _activations(net: Network) -> list[Any]:
    return [net.activation(layer) for layer in range(1, net.depth + 1)]


def document_context(d: Derivation, proof: Proof | None = None) -> dict[str, Any]:
    """Everything a derivation template uses."""
    return {
        "d": d,
        "target": (d.chains[0].factors[0].of, d.symbol),
        "net": describe(d.network),
        "subderivations": d.subderivations(),
        "proof": proof if proof is not None else d.check(),
        "expanded": expanded_or_none(d),
    }


def json_document(d: Derivation) -> str:
    """The derivation as data: every factor and result in text, LaTeX and SymPy's srepr."""
    text, tex = printers(d.network.notation, d.network.layers)

    def expr(e: sp.Expr) -> dict[str, str]:
        return {"text": text.doprint(e), "latex": tex.doprint(e), "sympy": sp.srepr(e)}

    def factor(f: Factor) -> dict[str, Any]:
        return {
            "leibniz": {"text": partial_text(text, f.of, f.wrt), "latex": partial_tex(tex, f.of, f.wrt)},
            "rule": f.rule,
            "terms": [expr(t) for t in f.terms],
            "term_values": [expr(t) for t in f.term_values],
            "value": expr(f.value),
        }

    def derivation(x: Derivation) -> dict[str, Any]:
        return {
            "target": expr(x.symbol),
            "sum_over": list(x.sum_over),
            "pattern": [partial_text(text, a, b) for a, b in x.pattern],
            "chains": [[factor(f) for f in c.factors] for c in x.chains],
            "result": expr(x.result),
        }

    proof = d.check()
    expanded = expanded_or_none(d)
    data = {
        "network": {k: v for k, v in describe(d.network).items() if k != "notation"},
        "notation": d.network.notation.name,
        **derivation(d),
        "subderivations": [derivation(s) for s in d.subderivations()],
        "expanded": expr(expanded) if expanded is not None else None,
        "proof": {"proven": proof.proven, "method": proof.method, "statement": str(proof)},
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
