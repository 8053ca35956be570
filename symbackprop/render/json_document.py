"""A derivation as JSON data: every factor and result in text, LaTeX and SymPy's srepr, with its numbers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..derive.derivation import Derivation, Factor
from ..model.printing import TexPrinter, TextPrinter, partial_tex, partial_text, printers
from .context import describe
from .data import Printed
from .filters import words
from .finished import DerivationDocument

if TYPE_CHECKING:
    from ..numeric.numbers import WorkedNumbers


def json_document(doc: DerivationDocument) -> str:
    """The derivation as data: every factor and result in text, LaTeX and SymPy's srepr."""
    d = doc.d
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

    network = {k: v for k, v in describe(d.network, Printed(d.network)).items() if k != "notation"}
    sentences = {k: words(network[k], str, lambda e: e["text"]) for k in ("activation_sentence", "output_layer")}
    data = {
        "network": {**network, **sentences, "sample": d.network.notation.sample_index},
        "notation": d.network.notation.name,
        **derivation(d),
        "subderivations": [derivation(s) for s in d.subderivations()],
        "expanded": expr(doc.expanded) if doc.expanded is not None else None,
        "numbers": numbers_data(d, doc.numbers, text, tex) if doc.numbers is not None else None,
        "proof": doc.verdicts.element.as_data(),
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def numbers_data(d: Derivation, worked: WorkedNumbers, text: TextPrinter, tex: TexPrinter) -> dict[str, Any]:
    """The worked numbers as JSON data: each path's factors and product for every sample, each sample's
    derivative, their mean (the batch cost's derivative) and, for a parameter, one gradient-descent step."""
    paths = [
        {
            "factors": [
                {
                    "leibniz": {"text": partial_text(text, f.of, f.wrt), "latex": partial_tex(tex, f.of, f.wrt)},
                    "values": list(values),
                }
                for f, values in zip(chain.factors, factor_values, strict=True)
            ],
            "product": list(product),
        }
        for chain, factor_values, product in zip(d.chains, worked.factors, worked.chains, strict=True)
    ]
    values = d.network.spec.values
    return {
        "samples": len(worked.per_sample),
        "paths": paths,
        "per_sample": list(worked.per_sample),
        "mean": worked.mean,
        "current": worked.current,
        "learning_rate": values.learning_rate if values is not None and worked.updated is not None else None,
        "updated": worked.updated,
    }
