"""What a template receives: the derivation, its proof, and the network described in words.

Everything here is finished data; the templates only lay it out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sympy as sp

from .. import activations, numeric, references
from ..by_hand import formula, ten_digits
from ..checks import MatrixProof, Proof, Verdicts
from ..claimed_numbers import NumberCheck, check_numbers
from ..derivation import Derivation, Factor, output_factor
from ..network import Network
from ..printing import partial_tex, partial_text, printers
from ..references import Ref
from ..spec import notes
from ..stages import stage
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
        "cost_phrase": net.cost.phrase,
        "sample": sp.Symbol(net.notation.sample_index),
        "output_layer": output_layer_words(net),
        "bias": net.spec.bias,
        "bias_words": BIAS_WORDS[net.spec.bias],
        "index_base": net.spec.index_base,
        "notation": net.notation,
        "activation_sentence": activation_sentence(net),
        "learning_rate": net.spec.values.learning_rate if net.spec.values is not None else None,
        "notes": [note.text for note in notes(net.spec)],
        "batch_size": len(net.spec.values.x) if net.spec.values is not None else None,
    }


Words = tuple[str | sp.Basic, ...]  # a sentence: str parts are prose, SymPy parts are mathematics


def output_layer_words(net: Network) -> Words:
    """The output layer as the document names it: L, and its number where the notation numbers layers."""
    last = net.notation.layer(net.depth, net.depth)
    if last == "L":
        return ("the output layer ", sp.Symbol("L"))
    first = net.notation.layer(0, net.depth)
    return ("the output layer ", sp.Symbol("L"), f" (layer {last}, counting the input as layer {first})")


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
    d: Derivation, verdicts: Verdicts, title: str | None = None, author: str | None = None
) -> dict[str, Any]:
    """Everything a derivation template uses; ``verdicts`` are the proofs it states, already run. Each slow part
    is announced as a stage as it begins."""
    net = d.network
    generic = any(a.generic for a in _activations(net))
    values = net.spec.values
    steps = {s.target: n for n, s in enumerate(d.subderivations(), start=1)}
    stage("writing out the result")
    expanded = expanded_or_none(d)
    numbers = worked_or_none(d)
    claims = claim_rows(net) if values is not None and not generic and "claims" in net.spec.extras else None
    spot = None if generic else numeric.point_check(d)
    return {
        "d": d,
        "target": (d.chains[0].factors[0].of, d.symbol),
        "net": describe(net),
        "subderivations": d.subderivations(),
        "proof": verdicts.element,
        "expanded": expanded,
        "title": title if title is not None else str(net.spec.extras.get("title", "")),
        "author": author if author is not None else str(net.spec.extras.get("author", "")),
        "equations": equations(d),
        "notation_rows": notation_rows(net),
        "numbers": numbers,
        "claims": claims,
        "matrix": matrix_context(net, verdicts.matrix) if verdicts.matrix is not None else None,
        "spot": spot,
        "delta": delta_symbol(d) if net.notation.use_delta and d.target.kind in "wb" else None,
        "figure": figure_for(d),
        "where": Where(steps),
        "step_numbers": steps,  # the same numbers as a mapping, for templates written before ``where``
    }


def worked_or_none(d: Derivation) -> numeric.WorkedNumbers | None:
    """The derivation at the spec's values, where the spec has values and no activation is generic."""
    net = d.network
    if net.spec.values is None or any(a.generic for a in _activations(net)):
        return None
    stage("working the numbers")
    return numeric.worked_numbers(d, net.spec.values)


@dataclass(frozen=True)
class Where:
    """Where a document works out what a later step refers back to, as LaTeX text.

    ``places`` numbers each hidden activation's derivation: its Step in a single derivation, its section
    (by label) in a document of every weight and bias. ``output`` names the section that works out the
    cost's derivative for every output neuron, when there is one.
    """

    places: Mapping[Ref, int | str]
    output: str | None = None

    def to(self, derivations: Sequence[Derivation]) -> str:
        """Where these derivations are worked out: "Step~2", "Steps~1 to~3", or equations "(4) to~(6)"."""
        marks = [self.places[d.target] for d in derivations]
        if all(isinstance(m, int) for m in marks):
            numbers = sorted(int(m) for m in marks)
            consecutive = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
            return ("Steps~" if len(numbers) > 1 else "Step~") + _listed([str(n) for n in numbers], consecutive)
        return _listed([rf"\eqref{{{m}}}" for m in marks], True)  # a layer's equations are numbered in a row


def _listed(names: list[str], consecutive: bool) -> str:
    """1, "1 and~2", "1 to~4" for a run, else "1, 3 and~5"."""
    if len(names) == 1:
        return names[0]
    if len(names) > 2 and consecutive:
        return f"{names[0]} to~{names[-1]}"
    return ", ".join(names[:-1]) + f" and~{names[-1]}"


def equations(d: Derivation) -> list[tuple[sp.Expr, tuple[sp.Expr, ...]]]:
    """The forward equations from the target's layer up to the cost."""
    net = d.network
    first = d.target.layer + (1 if d.target.kind == "a" else 0)
    rows = [row for layer in range(max(first, 1), net.depth + 1) for row in net.equations(layer)]
    return [*rows, net.cost_equation()]


def notation_rows(net: Network) -> list[tuple[sp.Expr, Words]]:
    """The symbols a derivation uses and what each means, as the source texts tabulate them; a network of one
    neuron per layer is written without neuron subscripts, so its table is too."""
    if all(n == 1 for n in net.layers):
        return _chain_rows(net)
    j, k, l = sp.symbols("j k l")
    before = sp.Symbol("l-1")
    target = (
        (Y[j], ("the target value of the output neuron, for one training sample",))
        if net.layers[-1] == 1
        else (Y[j], ("the target value of output neuron ", j, ", for one training sample"))
    )
    rows: list[tuple[sp.Expr, Words]] = [
        _output_row(net),
        (l, ("a layer",)),
        (j, ("a neuron of layer ", l, f" (numbered from {net.spec.index_base})")),
        (k, ("a neuron of the layer before, ", before)),
        target,
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
    return rows + _function_rows(net, Z[l, j])


def _chain_rows(net: Network) -> list[tuple[sp.Expr, Words]]:
    """The notation of a network with one neuron per layer: w^(l), b^(l), z^(l), a^(l) and y, no subscripts."""
    l, before = sp.Symbol("l"), sp.Symbol("l-1")
    rows: list[tuple[sp.Expr, Words]] = [
        _output_row(net),
        (l, ("a layer",)),
        (sp.Symbol("y"), ("the target value of the output neuron, for one training sample",)),
        (C0, ("the cost of one training sample",)),
        (W[l], ("the weight from the neuron of layer ", before, " to the neuron of layer ", l)),
    ]
    if net.spec.bias != "none":
        rows.append((B[l], ("the bias of the neuron of layer ", l)))
    rows += [
        (Z[l], ("the weighted input of the neuron of layer ", l)),
        (A[l], ("the activation of the neuron of layer ", l, "; the input layer's is the input")),
    ]
    return rows + _function_rows(net, Z[l])


def _output_row(net: Network) -> tuple[sp.Expr, Words]:
    after = "is 1 layer" if net.depth == 1 else f"are {net.depth} layers"
    last = net.notation.layer(net.depth, net.depth)
    if last == "L":
        return sp.Symbol("L"), (f"the output layer (there {after} after the input)",)
    first = net.notation.layer(0, net.depth)
    return sp.Symbol("L"), (f"the output layer, numbered {last} (the input layer is numbered {first})",)


def _function_rows(net: Network, z: sp.Expr) -> list[tuple[sp.Expr, Words]]:
    """One row per named elementwise activation the network uses: sigma(z_j^(l)) and what it is."""
    l = sp.Symbol("l")
    rows: list[tuple[sp.Expr, Words]] = []
    for name in dict.fromkeys(net.activation(layer).name for layer in range(1, net.depth + 1)):
        act = activations.activation(name)
        if act.elementwise:
            rows.append((activation_functions(name)[0](l, z), (f"the activation function ({name})",)))
    return rows


def delta_symbol(d: Derivation) -> sp.Expr:
    """delta_j^(l) = dC/dz_j^(l), for presets that name it."""
    return sp.IndexedBase("delta")[d.target.layer, d.target.indices[0] if d.target.indices else sp.Symbol("j")]


def figure_for(d: Derivation) -> Any:
    """The network figure with the target and its paths to the cost highlighted."""
    from .diagram import diagram

    net = d.network
    labels = _layer_labels(net)
    coupled = frozenset(layer for layer in range(1, net.depth + 1) if not net.activation(layer).elementwise)
    t = d.target
    return diagram(list(net.layers), t.kind, t.layer, t.indices, net.spec.index_base, labels, coupled)


def _layer_labels(net: Network) -> list[str]:
    """Each layer's name under its column of the figure: (L-1) or, numbered, 2."""
    names = [net.notation.layer(layer, net.depth) for layer in range(net.depth + 1)]
    return [f"({name})" if net.notation.layer_parens else name for name in names]


def json_document(d: Derivation, proof: Proof) -> str:
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

    expanded = expanded_or_none(d)
    worked = worked_or_none(d)
    network = {k: v for k, v in describe(d.network).items() if k != "notation"}
    sentences = {k: words(network[k], str, text.doprint) for k in ("activation_sentence", "output_layer")}
    data = {
        "network": {**network, **sentences, "sample": str(network["sample"])},
        "notation": d.network.notation.name,
        **derivation(d),
        "subderivations": [derivation(s) for s in d.subderivations()],
        "expanded": expr(expanded) if expanded is not None else None,
        "numbers": numbers_data(d, worked, text, tex) if worked is not None else None,
        "proof": proof.as_data(),
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def numbers_data(d: Derivation, worked: numeric.WorkedNumbers, text: Any, tex: Any) -> dict[str, Any]:
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
    return {
        "samples": len(worked.per_sample),
        "paths": paths,
        "per_sample": list(worked.per_sample),
        "mean": worked.mean,
        "current": worked.current,
        "learning_rate": d.network.spec.values.learning_rate if worked.updated is not None else None,
        "updated": worked.updated,
    }


def all_context(
    net: Network, proofs: Mapping[Ref, Proof], sample: bool, title: str | None, author: str | None
) -> dict[str, Any]:
    """Every weight and bias by layer (``proofs`` holds each one derived, with its proof, in order); with
    ``sample``, each layer's general formulas and its first weight and bias.

    The cost's derivative for the output neurons and each hidden activation's derivation are worked out
    once, as numbered equations the weights' and biases' chains refer to. In each layer the first weight
    and the first bias are told in full, the others as their chains' factors.
    """
    params = net.parameters()
    layers, derived = [], []
    for layer in range(net.depth, 0, -1):
        items = []
        for ref in (r for r in proofs if r.layer == layer):
            d = net.derive(ref)
            derived.append(d)
            items.append({"d": d, "proof": proofs[ref]})
        first = [i for n, i in enumerate(items) if all(j["d"].target.kind != i["d"].target.kind for j in items[:n])]
        others = [i for i in items if i not in first]
        layers.append(
            {
                "name": net.notation.layer(layer, net.depth),
                "general": general(net, layer),
                "full": first,
                "others": others,
                "others_proven": all(i["proof"].proven for i in others),
                "others_method": " or ".join(sorted({i["proof"].method for i in others})),
            }
        )
    hidden = sensitivities(derived)
    labels = {s.target: f"sbp:a:{s.target.layer}:{s.target.indices[0]}" for s in hidden}
    note = (
        f"This network has {len(params)} weights and biases, too many to derive one by one on paper; each layer "
        "gives the general formula for any of its elements, with its first weight (and bias) worked out in full."
        if sample
        else ""
    )
    values, generic = net.spec.values, any(a.generic for a in _activations(net))
    stated = [i["proof"] for d in layers for i in d["full"] + d["others"]]
    return {
        "net": describe(net),
        "layers": layers,
        "note": note,
        "figure": network_figure(net),
        "notation_rows": notation_rows(net),
        "equations": [row for layer in range(1, net.depth + 1) for row in net.equations(layer)] + [net.cost_equation()],
        "output_factor": output_factor(net),
        "hidden_layers": _by_layer(net, hidden, labels),
        "where": Where(labels, r"\eqref{sbp:output}"),
        "steps": parameter_rows(net) if values is not None and not generic and not sample else None,
        "facts": list(dict.fromkeys(f for p in stated for f in p.activation_facts)),
        "title": title if title is not None else str(net.spec.extras.get("title", "")),
        "author": author if author is not None else str(net.spec.extras.get("author", "")),
    }


def _by_layer(net: Network, hidden: list[Derivation], labels: Mapping[Ref, str]) -> list[dict[str, Any]]:
    """The hidden activations' derivations grouped by layer: the first told in full, every one's result labelled."""
    groups: dict[int, list[Derivation]] = {}
    for s in hidden:
        groups.setdefault(s.target.layer, []).append(s)
    return [
        {"name": net.notation.layer(layer, net.depth), "full": subs[0], "rows": [(s, labels[s.target]) for s in subs]}
        for layer, subs in groups.items()
    ]


def parameter_rows(net: Network) -> list[dict[str, Any]]:
    """Each weight and bias with its value, the batch cost's derivative and its value after one step."""
    return [
        {"symbol": net.symbol(s.ref), "value": s.value, "gradient": s.gradient, "updated": s.updated}
        for s in numeric.parameter_steps(net, net.spec.values)
    ]


def sensitivities(derivations: Sequence[Derivation]) -> list[Derivation]:
    """Every hidden activation's derivation the given ones rely on, from the output layer back, each once."""
    found: dict[Ref, Derivation] = {}
    for d in derivations:
        for sub in d.subderivations():
            found.setdefault(sub.target, sub)
    return sorted(found.values(), key=lambda s: (-s.target.layer, s.target.indices))


def network_figure(net: Network) -> Any:
    """The whole network drawn with nothing highlighted, for a document about every weight and bias."""
    from .diagram import diagram

    return diagram(list(net.layers), "", net.depth + 1, (), net.spec.index_base, _layer_labels(net))


def general(net: Network, layer: int) -> list[tuple[sp.Expr, sp.Expr]]:
    """dC_0/dw_jk^(l) and dC_0/db_j^(l) for a whole layer, with j and k as letters."""
    from ..derivation import compact_form

    j, k = sp.symbols("j k")
    rows = [(W[layer, j, k], compact_form(net, Ref("w", layer, (j, k))))]
    if net.spec.bias == "neuron":
        rows.append((B[layer, j], compact_form(net, Ref("b", layer, (j,)))))
    elif net.spec.bias == "layer":
        rows.append((B[layer], compact_form(net, Ref("b", layer, ()))))
    return rows


def general_symbols() -> dict[str, sp.Expr]:
    """The quantities the general form's prose names, with letters for the layer and the neurons."""
    from ..general_form import DELTA, L_, J, K

    return {
        "w": W[L_, J, K],
        "b": B[L_, J],
        "z": Z[L_, J],
        "a": A[L_, J],
        "a_before": A[L_ - 1, K],
        "before": L_ - 1,
        "delta": DELTA[L_, J],
    }


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


def matrix_context(net: Network, matrix: MatrixProof) -> dict[str, Any]:
    """BP1-BP4 as LaTeX rows, printed from the equations the proof checked, and the proof's sentence."""
    from .matrix_tex import equation_tex, matrix_printer

    parens = net.notation.layer_parens

    def sup(text: str) -> str:
        return f"({text})" if parens else text

    printer = matrix_printer(net)
    rows, batch = [], []
    for row in sorted(matrix.equations, key=lambda r: r.kind in ("bias", "weights")):
        lhs, rhs = equation_tex(net, row, printer)
        (batch if row.batch else rows).append({"lhs": lhs, "rhs": rhs, "note": _matrix_note(net, row)})
    return {
        "sup_l": sup("l"),
        "sup_prev": sup("l-1"),
        "rows": rows,
        "batch": batch,
        "proof": matrix.proof,
    }


def _matrix_note(net: Network, row: Any) -> str:
    """When an equation applies, in words: its kind of layer, or its condition."""
    if row.condition:
        return f"when {row.condition}"
    if row.kind == "delta" and row.case != "output":
        return {
            "elementwise": "an elementwise hidden layer",
            "softmax": "a softmax hidden layer",
        }[row.case]
    if row.kind == "bias" and net.spec.bias == "layer":
        return "one bias per layer"
    return ""
