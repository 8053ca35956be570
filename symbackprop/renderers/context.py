"""What a template receives: the derivation, its proof, and the network described in words.

Everything here is finished data; the templates only lay it out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sympy as sp

from .. import activations, numeric, references
from ..by_hand import formula, ten_digits
from ..checks import Proof
from ..claimed_numbers import NumberCheck, check_numbers
from ..derivation import Derivation, Factor
from ..network import Network
from ..printing import partial_tex, partial_text, printers
from ..spec import notes
from ..symbols import C0, A, B, W, Y, Z, activation_functions
from .filters import words

EXPANDED_LIMIT = 160  # operations in the fully expanded result above which it is not printed
BIAS_WORDS = {
    "neuron": "each neuron has a bias of its own",
    "layer": "the neurons of a layer share one bias",
    "none": "the weighted inputs have no bias",
}


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
        "activation_sentence": activation_sentence(net),
        "learning_rate": net.spec.values.learning_rate if net.spec.values is not None else None,
        "notes": [note.text for note in notes(net.spec)],
    }


Words = tuple[str | sp.Basic, ...]  # a sentence: str parts are prose, SymPy parts are mathematics


def _activation_words(net: Network, layer: int) -> Words:
    act = net.activation(layer)
    if act.generic:
        return ("a generic activation ", sp.Symbol(net.notation.generic_activation), ", left unspecified")
    return (f"the {act.name} activation",)


def activation_sentence(net: Network) -> Words:
    """Which activation each layer applies, in a sentence."""
    names = [_activation_words(net, layer) for layer in range(1, net.depth + 1)]
    if len(set(names)) == 1:
        return ("Every layer after the input applies ", *names[0], ".")
    parts: list[str | sp.Basic] = ["The activations are "]
    for layer, name in enumerate(names, start=1):
        parts += [*name, " in layer ", sp.Symbol(net.notation.layer(layer, net.depth))]
        parts.append(", " if layer < len(names) - 1 else " and " if layer < len(names) else ".")
    return tuple(parts)


def expanded_or_none(d: Derivation) -> sp.Expr | None:
    """The result in inputs and parameters alone, when it is small enough to read."""
    if any(net_act.generic for net_act in _activations(d.network)):
        return None
    expr = d.expanded()
    return expr if sp.count_ops(expr) <= EXPANDED_LIMIT else None


def _activations(net: Network) -> list[Any]:
    return [net.activation(layer) for layer in range(1, net.depth + 1)]


def document_context(
    d: Derivation, proof: Proof | None = None, title: str | None = None, author: str | None = None
) -> dict[str, Any]:
    """Everything a derivation template uses."""
    net = d.network
    generic = any(a.generic for a in _activations(net))
    values = net.spec.values
    return {
        "d": d,
        "target": (d.chains[0].factors[0].of, d.symbol),
        "net": describe(net),
        "subderivations": d.subderivations(),
        "proof": proof if proof is not None else d.check(),
        "expanded": expanded_or_none(d),
        "title": title if title is not None else str(net.spec.extras.get("title", "")),
        "author": author if author is not None else str(net.spec.extras.get("author", "")),
        "equations": equations(d),
        "notation_rows": notation_rows(net),
        "numbers": numeric.worked_numbers(d, values) if values is not None and not generic else None,
        "claims": claim_rows(net) if values is not None and not generic and "claims" in net.spec.extras else None,
        "matrix": matrix_context(net),
        "spot": None if generic else numeric.point_check(d),
        "delta": delta_symbol(d) if net.notation.use_delta and d.target.kind in "wb" else None,
        "figure": figure_for(d),
        "step_numbers": {s.target: n for n, s in enumerate(d.subderivations(), start=1)},
    }


def equations(d: Derivation) -> list[tuple[sp.Expr, tuple[sp.Expr, ...]]]:
    """The forward equations from the target's layer up to the cost."""
    net = d.network
    first = d.target.layer + (1 if d.target.kind == "a" else 0)
    rows = [row for layer in range(max(first, 1), net.depth + 1) for row in net.equations(layer)]
    return [*rows, net.cost_equation()]


def notation_rows(net: Network) -> list[tuple[sp.Expr, Words]]:
    """The symbols a derivation uses and what each means, as the source texts tabulate them."""
    j, k, l = sp.symbols("j k l")
    before = sp.Symbol("l-1")
    out_layer = net.notation.layer(net.depth, net.depth)
    after = "is 1 layer" if net.depth == 1 else f"are {net.depth} layers"
    rows: list[tuple[sp.Expr, Words]] = [
        (sp.Symbol(out_layer), (f"the output layer (there {after} after the input)",)),
        (l, ("a layer",)),
        (j, ("a neuron of layer ", l, f" (numbered from {net.spec.index_base})")),
        (k, ("a neuron of the layer before, ", before)),
        (Y[j], ("the target value of output neuron ", j, ", for one training sample")),
        (C0, ("the cost of one training sample",)),
        (W[l, j, k], ("the weight from neuron ", k, " of layer ", before, " to neuron ", j, " of layer ", l)),
    ]
    if net.spec.bias == "neuron":
        rows.append((B[l, j], ("the bias of neuron ", j, " in layer ", l)))
    elif net.spec.bias == "layer":
        rows.append((B[l], ("the bias shared by the neurons of layer ", l)))
    rows += [
        (Z[l, j], ("the weighted input of neuron ", j, " in layer ", l)),
        (A[l, j], ("the activation of neuron ", j, " in layer ", l, "; the input layer's are the inputs")),
    ]
    for name in dict.fromkeys(net.activation(layer).name for layer in range(1, net.depth + 1)):
        act = activations.activation(name)
        if act.elementwise:
            rows.append((activation_functions(name)[0](l, Z[l, j]), (f"the activation function ({name})",)))
    return rows


def delta_symbol(d: Derivation) -> sp.Expr:
    """delta_j^(l) = dC/dz_j^(l), for presets that name it."""
    return sp.IndexedBase("delta")[d.target.layer, d.target.indices[0] if d.target.indices else sp.Symbol("j")]


def figure_for(d: Derivation) -> Any:
    """The network figure with the target and its paths to the cost highlighted."""
    from .diagram import diagram

    net = d.network
    parens = net.notation.layer_parens
    labels = [
        f"({net.notation.layer(layer, net.depth)})" if parens else net.notation.layer(layer, net.depth)
        for layer in range(net.depth + 1)
    ]
    coupled = frozenset(layer for layer in range(1, net.depth + 1) if not net.activation(layer).elementwise)
    t = d.target
    return diagram(list(net.layers), t.kind, t.layer, t.indices, net.spec.index_base, labels, coupled)


def json_document(d: Derivation, proof: Proof | None = None) -> str:
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

    proof = proof if proof is not None else d.check()
    expanded = expanded_or_none(d)
    network = {k: v for k, v in describe(d.network).items() if k != "notation"}
    data = {
        "network": {**network, "activation_sentence": words(network["activation_sentence"], str, text.doprint)},
        "notation": d.network.notation.name,
        **derivation(d),
        "subderivations": [derivation(s) for s in d.subderivations()],
        "expanded": expr(expanded) if expanded is not None else None,
        "proof": {"proven": proof.proven, "method": proof.method, "statement": str(proof)},
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def all_context(
    net: Network, limit: int, title: str | None, author: str | None, on_step: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Every weight and bias by layer; past ``limit`` elements, the general formulas and a sample."""
    params = net.parameters()
    sample = len(params) > limit
    layers = []
    for layer in range(net.depth, 0, -1):
        refs = [r for r in params if r.layer == layer]
        chosen = refs[:1] + [r for r in refs if r.kind == "b"][:1] if sample else refs
        items = []
        for ref in dict.fromkeys(chosen):
            if on_step is not None:
                on_step(f"{ref.kind} in layer {net.notation.layer(layer, net.depth)}")
            d = net.derive(ref)
            steps = {s.target: n for n, s in enumerate(d.subderivations(), start=1)}
            items.append({"d": d, "proof": d.check(), "steps": steps})
        layers.append({"name": net.notation.layer(layer, net.depth), "elements": items, "general": general(net, layer)})
    note = (
        f"This network has {len(params)} weights and biases, too many to derive one by one on paper; each layer "
        "gives the general formula for any of its elements, with its first weight (and bias) worked out in full."
        if sample
        else ""
    )
    return {
        "net": describe(net),
        "layers": layers,
        "note": note,
        "figure": None,
        "title": title if title is not None else str(net.spec.extras.get("title", "")),
        "author": author if author is not None else str(net.spec.extras.get("author", "")),
    }


def general(net: Network, layer: int) -> list[tuple[sp.Expr, sp.Expr]]:
    """dC_0/dw_jk^(l) and dC_0/db_j^(l) for a whole layer, with j and k as letters."""
    from ..derivation import compact_form
    from ..references import Ref

    j, k = sp.symbols("j k")
    rows = [(W[layer, j, k], compact_form(net, Ref("w", layer, (j, k))))]
    if net.spec.bias == "neuron":
        rows.append((B[layer, j], compact_form(net, Ref("b", layer, (j,)))))
    elif net.spec.bias == "layer":
        rows.append((B[layer], compact_form(net, Ref("b", layer, ()))))
    return rows


def claim_rows(net: Network) -> list[dict[str, Any]]:
    """The spec's claimed numbers, checked, as rows for the worked example's table (symbols, never user text)."""
    rows = []
    for c in check_numbers(net):
        rows.append(
            {
                "section": c.section,
                "symbol": net.symbol(c.ref) if c.ref is not None else None,
                "claimed": str(c.claimed),
                "computed": c.computed,
                "computed_text": computed_digits(c.claimed, c.computed),
                "verdict": c.verdict,
                "note": c.note,
                "carried": _carried_tex(c),
                "of": net.notation.batch_cost_symbol
                if c.ref is None or c.ref.kind in "wb"
                else net.notation.cost_symbol,
            }
        )
    return rows


def _carried_tex(c: NumberCheck) -> dict[str, str] | None:
    """How a number rounding carried forward explains follows, for the document: words, and the last step in LaTeX."""
    if c.carried is None:
        return None
    how = c.carried
    if not how.terms:
        return {"how": how.how, "step": None}
    step = formula(how.terms, r" \cdot ", r"\dots")
    if how.samples > 1:
        first = f"for the first sample ${step} = {ten_digits(how.first)}$, written ${how.rounding.text(how.first)}$"
        mean = f"the mean of the {how.samples} samples' written results is ${ten_digits(how.gives)}$"
        return {"how": how.how, "step": f"{first}; {mean}"}
    return {"how": how.how, "step": f"${step} = {ten_digits(how.gives)}$"}


def computed_digits(claimed: Decimal, computed: float) -> str:
    """The computed value to two more decimal places than the claim was printed with."""
    places = max(-int(claimed.as_tuple().exponent), 0) + 2
    return f"{computed:.{min(places, 15)}f}"


def matrix_context(net: Network) -> dict[str, str]:
    """BP1-BP4 for this network, as LaTeX pieces in its notation, and how they were proven: on a copy at most
    three layers deep and three neurons wide (a proof's time grows with every layer), within a time budget."""
    from ..bounds import MATRIX_PROOF_SECONDS, proof_copy
    from ..checks import within
    from ..matrix_form import prove

    parens = net.notation.layer_parens

    def sup(text: str) -> str:
        return f"({text})" if parens or not text.isalnum() else text

    depth = net.depth
    output = net.activation(depth)
    last = sup(net.notation.layer(depth, depth))
    if output.elementwise:
        head = "g" if output.generic else output.latex
        mark = f"{head}^{{\\prime {last}}}" if output.generic else f"{head}^{{\\prime}}"
        out = f"\\nabla_{{a}} {net.notation.cost_symbol} \\odot {mark}\\left(z^{{{last}}}\\right)"
    else:
        jacobian = f"J_{{ij}} = a_i^{{{last}}}(\\delta_{{ij}} - a_j^{{{last}}})"
        out = f"J^{{T}} \\nabla_{{a}} {net.notation.cost_symbol}, \\quad {jacobian}"
    small, where = proof_copy(net)
    proven = within(MATRIX_PROOF_SECONDS, lambda: prove(small))
    verdict = {
        True: "proven symbolically",
        False: "NOT proven symbolically",
        None: f"not decided: the symbolic proof ran past its time budget of {MATRIX_PROOF_SECONDS:g} s",
    }[proven]
    return {
        "sup_L": last,
        "sup_l": sup("l"),
        "sup_next": sup("l+1"),
        "sup_prev": sup("l-1"),
        "output": out,
        "hidden_prime": _hidden_prime(net, sup("l")),
        "proof": (
            f"That every entry of these equations equals the element-by-element derivation is {verdict}, "
            f"for every weight and bias of {where}"
        ),
    }


def _hidden_prime(net: Network, sup_l: str) -> str:
    """g'^(l)(z^(l)) for a general layer: the catalogue's name when every layer has the same activation."""
    names = {net.activation(m).name for m in range(1, net.depth + 1)}
    act = net.activation(1)
    if len(names) == 1 and act.elementwise and not act.generic:
        return f"{act.latex}^{{\\prime}}\\left(z^{{{sup_l}}}\\right)"
    return f"g^{{\\prime {sup_l}}}\\left(z^{{{sup_l}}}\\right)"
