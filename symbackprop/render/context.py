"""What a template receives, built from finished results (``documents``): plain data only, see ``data``.

Nothing here proves or computes numbers; it prints the results it is given and describes the network in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from ..derive.derivation import Derivation, compact_form, index_letters, output_factor
from ..derive.simplified import Simplified
from ..derive.steps import steps as told_steps
from ..model import references
from ..model.network import Network
from ..model.references import Ref
from ..model.spec import notes
from ..model.symbols import C0, A, B, W, Z
from ..prove.forms import MatrixProof
from .all_story import all_story_data
from .claims_context import claim_rows
from .data import Data, Printed, notation_data, proof_data, record, ref_key
from .finished import AllDocument, DerivationDocument, GeneralDocument, SecondDocument
from .notation_rows import Words, notation_rows
from .story import neuron_first, output_rows, story_data, story_rows
from .training_context import forward_rows, training_data

LISTED_SAMPLES = 8  # per-sample values a document lists before it gives the rest as a count
BIAS_WORDS = {
    "neuron": "each neuron has a bias of its own",
    "layer": "the neurons of a layer share one bias",
    "none": "the weighted inputs have no bias",
}


def describe(net: Network, p: Printed) -> Data:
    """The network in words: sizes, activation per layer, cost and bias convention."""
    names = [net.activation(layer).name for layer in range(1, net.depth + 1)]
    values = net.spec.values
    return {
        "layers": list(net.layers),
        "layer_names": [references.layer_name(layer, net.depth) for layer in range(net.depth + 1)],
        "activations": names,
        "activation_words": names[0] if len(set(names)) == 1 else ", ".join(names),
        "cost": net.spec.cost,
        "cost_title": net.cost.title,
        "cost_phrase": net.cost.phrase,
        "sample": p.expr(sp.Symbol(net.notation.sample_index)),
        "output_layer": p.words(output_layer_words(net)),
        "bias": net.spec.bias,
        "bias_words": BIAS_WORDS[net.spec.bias],
        "index_base": net.spec.index_base,
        "notation": notation_data(net.notation),
        "activation_sentence": p.words(activation_sentence(net)),
        "learning_rate": float(values.learning_rate)
        if values is not None and values.learning_rate is not None
        else None,
        "notes": [note.text for note in notes(net.spec)],
        "batch_size": len(values.x) if values is not None else None,
    }


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


def document_context(doc: DerivationDocument, story_told: bool = True) -> Data:
    """Everything a derivation template uses, as plain data. ``story_told`` False keeps the chain's steps where
    the preset would tell the backward story: a worksheet's blanks are those steps, each a claim verify reads."""
    d, net = doc.d, doc.d.network
    p = Printed(net)
    subs = d.subderivations()
    story = story_data(d, p) if story_told else None
    steps, places = steps_data(doc, p) if story is None else ([], {})
    return {
        "d": p.derivation(d),
        "target": [p.expr(d.chains[0].factors[0].of), p.expr(d.symbol)],
        "net": describe(net, p),
        "subderivations": [p.derivation(s) for s in subs],
        "steps": steps,
        "summary": summary_data(d, p) if steps else None,
        "proof": proof_data(doc.verdicts.element),
        "expanded": p.expr(doc.expanded, pieces=True) if doc.expanded is not None else None,
        "title": doc.title,
        "author": doc.author,
        "equations": [[p.expr(lhs), p.exprs(rhs)] for lhs, rhs in equations(d)],
        "notation_rows": [[p.expr(symbol), p.words(meaning)] for symbol, meaning in notation_rows(net)]
        + (story_rows(net) if story is not None else output_rows(net)),
        "story": story,
        "neuron_first": neuron_first(d, p),
        "numbers": numbers_data(doc) if doc.numbers is not None else None,
        "claims": claim_rows(net, doc.claims, p) if doc.claims is not None else None,
        "forward": forward_rows(net, doc.forward),
        "training": training_data(net, doc.training, p) if doc.training is not None else None,
        "matrix": matrix_context(net, doc.verdicts.matrix) if doc.verdicts.matrix is not None else None,
        "spot": record(doc.spot) if doc.spot is not None else None,
        "delta": p.expr(delta_symbol(d)) if net.notation.use_delta and d.target.kind in "wb" else None,
        "figure": record(figure_for(d)),
        "headings": headings(net),
        "simplified": simplified_data(net, doc.simplified, p) if doc.simplified is not None else None,
        "where": {"places": places, "output": None},
        "step_numbers": places,
    }


def simplified_data(net: Network, short: Simplified, p: Printed) -> Data:
    """The simplified result, broken into lines where long, and what it writes each activation's derivative as:
    one equation per layer, for neuron j where the layer has several."""
    by: list[Data] = []
    for layer in dict.fromkeys(int(prime.args[0]) for prime, _ in short.used):
        j = sp.Symbol("j") if net.layers[layer] > 1 else net.spec.index_base
        by.append([p.expr(net.activation_prime(layer, j)), p.expr(net.activation_prime_in_a(layer, j))])  # type: ignore[arg-type]
    return {"expr": p.expr(short.expr, pieces=True), "by": by}


def headings(net: Network) -> Data:
    """The LaTeX commands of a document's parts and of the parts within them, at the preset's ``section`` level."""
    levels = ("section", "subsection", "subsubsection", "paragraph")
    level = levels.index(net.notation.section)
    return {"section": f"\\{levels[level]}*", "subsection": f"\\{levels[level + 1]}*"}


def steps_data(doc: DerivationDocument, p: Printed) -> tuple[list[Data], dict[str, int]]:
    """The steps before the last, one per distinct computation (``derive.steps``), and the step each hidden
    activation's derivation is worked out in. A step told for each neuron of a layer has its ``letter``, the
    ``neurons`` it stands for and, with the spec's values, each one's value for the first sample (``table``)."""
    values = {ref_key(ref): value for ref, value in doc.sensitivities or ()}
    out: list[Data] = []
    places: dict[str, int] = {}
    for n, step in enumerate(told_steps(doc.d), start=1):
        for key in [ref_key(step.told.target)] + [ref_key(m.target) for m in step.members]:
            places[key] = n
        neurons = list(step.neurons)
        rows = [[p.expr(m.symbol), values[ref_key(m.target)]] for m in step.members if ref_key(m.target) in values]
        out.append(
            {
                "d": p.derivation(step.told),
                "letter": p.expr(step.letter) if step.letter is not None else None,
                "neurons": neurons,
                "consecutive": neurons == list(range(neurons[0], neurons[0] + len(neurons))),
                "table": rows if step.letter is not None and rows else None,
            }
        )
    return out, places


def summary_data(d: Derivation, p: Printed) -> Data:
    """The path from the quantity to the cost in one line (one neuron a letter in each layer of several neurons it
    passes through whole), and those letters with their layers' names, for a derivation told in several steps."""
    net, t = d.network, d.target
    taken = {i for i in t.indices if isinstance(i, sp.Symbol)}
    letters = index_letters("j i h m p q r s t u v", taken)
    path: list[sp.Expr] = [d.symbol]
    over: list[Data] = []
    first = t.layer if t.kind in "wbz" else t.layer + 1
    for layer in range(first, net.depth + 1):
        if layer == t.layer and t.indices:
            neuron: sp.Expr = t.indices[0]
        elif net.layers[layer] == 1:  # its one neuron, printed without an index: no letter to range over
            neuron = sp.Integer(net.spec.index_base)
        else:
            neuron = next(letters)
            over.append({"letter": p.expr(neuron), "layer": net.notation.layer(layer, net.depth)})
        path += [Z[layer, neuron], A[layer, neuron]]
    if t.kind == "z":
        path = path[:1] + path[2:]
    return {"path": p.exprs([*path, C0]), "over": over}


def numbers_data(doc: DerivationDocument) -> Data:
    """The worked numbers: [path][factor][sample] values, each path's product, the result per sample, their mean
    and the step; ``listed`` and ``more`` are what a page lists of the per-sample values, and how many it leaves."""
    n = doc.numbers
    assert n is not None
    out = record(n)
    out["listed"] = out["per_sample"][:LISTED_SAMPLES] if len(n.per_sample) > LISTED_SAMPLES else out["per_sample"]
    out["more"] = max(len(n.per_sample) - LISTED_SAMPLES, 0)
    return out


def equations(d: Derivation) -> list[tuple[sp.Expr, tuple[sp.Expr, ...]]]:
    """The forward equations from the target's layer up to the cost."""
    net = d.network
    first = d.target.layer + (1 if d.target.kind == "a" else 0)
    rows = [row for layer in range(max(first, 1), net.depth + 1) for row in net.equations(layer)]
    return [*rows, net.cost_equation()]


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


def all_context(doc: AllDocument) -> Data:
    """Every weight and bias by layer (``doc.derivations`` holds each one derived, with its proof, in order);
    with ``doc.sample``, each layer's general formulas and its first weight and bias.

    The cost's derivative for the output neurons and each hidden activation's derivation are worked out
    once, as numbered equations the weights' and biases' chains refer to. In each layer the first weight
    and the first bias are told in full, the others as their chains' factors.
    """
    net = doc.network
    p = Printed(net)
    layers: list[Data] = []
    derived = []
    for layer in range(net.depth, 0, -1):
        items: list[Data] = []
        for d, proof in ((d, proof) for d, proof in doc.derivations if d.target.layer == layer):
            derived.append(d)
            items.append({"d": p.derivation(d), "proof": proof_data(proof), "kind": d.target.kind})
        first = [i for n, i in enumerate(items) if all(j["kind"] != i["kind"] for j in items[:n])]
        others = [i for i in items if not any(i is f for f in first)]
        layers.append(
            {
                "name": net.notation.layer(layer, net.depth),
                "general": [[p.expr(symbol), p.expr(value)] for symbol, value in general(net, layer)],
                "full": first,
                "others": others,
                "others_proven": all(i["proof"]["proven"] for i in others),
                "others_method": " or ".join(sorted({i["proof"]["method"] for i in others})),
            }
        )
    hidden = sensitivities(derived)
    labels = {ref_key(s.target): f"sbp:a:{s.target.layer}:{s.target.indices[0]}" for s in hidden}
    count = len(net.parameters())
    note = (
        f"This network has {count} weights and biases, too many to derive one by one on paper; each layer "
        "gives the general formula for any of its elements, with its first weight (and bias) worked out in full."
        if doc.sample
        else ""
    )
    stated = [i["proof"] for d in layers for i in d["full"] + d["others"]]
    story = all_story_data(doc.derivations, p)
    return {
        "net": describe(net, p),
        "layers": layers,
        "note": note,
        "figure": record(network_figure(net)),
        "notation_rows": [[p.expr(symbol), p.words(meaning)] for symbol, meaning in notation_rows(net)]
        + (story_rows(net) if story is not None else []),
        "story": story,
        "equations": [
            [p.expr(lhs), p.exprs(rhs)]
            for lhs, rhs in [row for layer in range(1, net.depth + 1) for row in net.equations(layer)]
            + [net.cost_equation()]
        ],
        "output_factor": p.factor(output_factor(net)),
        "hidden_layers": _by_layer(net, hidden, labels, p),
        "where": {"places": labels, "output": r"\eqref{sbp:output}"},
        "steps": [
            {
                "symbol": p.expr(net.symbol(s.ref)),
                **record({k: getattr(s, k) for k in ("value", "gradient", "updated")}),
            }
            for s in doc.steps
        ]
        if doc.steps is not None
        else None,
        "facts": list(dict.fromkeys(f for proof in stated for f in proof["activation_facts"])),
        "title": doc.title,
        "author": doc.author,
        "training": training_data(net, doc.training, p) if doc.training is not None else None,
    }


def _by_layer(net: Network, hidden: list[Derivation], labels: Mapping[str, str], p: Printed) -> list[Data]:
    """The hidden activations' derivations grouped by layer: the first told in full, every one's result labelled."""
    groups: dict[int, list[Derivation]] = {}
    for s in hidden:
        groups.setdefault(s.target.layer, []).append(s)
    return [
        {
            "name": net.notation.layer(layer, net.depth),
            "full": p.derivation(subs[0]),
            "rows": [[p.derivation(s), labels[ref_key(s.target)]] for s in subs],
        }
        for layer, subs in groups.items()
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
    j, k = sp.symbols("j k")
    rows = [(W[layer, j, k], compact_form(net, Ref("w", layer, (j, k))))]
    if net.spec.bias == "neuron":
        rows.append((B[layer, j], compact_form(net, Ref("b", layer, (j,)))))
    elif net.spec.bias == "layer":
        rows.append((B[layer], compact_form(net, Ref("b", layer, ()))))
    return rows


def general_context(doc: GeneralDocument) -> Data:
    """The general form's formulas (letters for the layer and the neurons), the network in words and the proof."""
    from ..derive.general_form import DELTA, L_, J, K

    form, net = doc.form, doc.form.network
    p = Printed(net)
    symbols = {
        "w": W[L_, J, K],
        "b": B[L_, J],
        "z": Z[L_, J],
        "a": A[L_, J],
        "a_before": A[L_ - 1, K],
        "before": L_ - 1,
        "delta": DELTA[L_, J],
    }
    return {
        "form": {
            "kind": form.kind,
            "target": p.expr(form.target),
            "formulas": [{"lhs": p.expr(f.lhs), "rhs": p.expr(f.rhs), "applies": f.applies} for f in form.formulas],
        },
        "net": describe(net, p),
        "symbols": {name: p.expr(e) for name, e in symbols.items()},
        "proof": proof_data(doc.proof),
        "title": doc.title,
        "author": doc.author,
    }


def second_context(doc: SecondDocument) -> Data:
    """A second derivative: the first derivative, how its quantities depend on the second variable, the terms."""
    d2 = doc.d2
    p = Printed(d2.first.network)
    return {
        "d2": {
            "first": p.derivation(d2.first),
            "second_symbol": p.expr(d2.second_symbol),
            "sensitivities": [{"symbol": p.expr(s.symbol), "value": p.expr(s.value)} for s in d2.sensitivities],
            "terms": [[p.expr(s), p.expr(partial), p.expr(ds)] for s, partial, ds in d2.terms],
            "result": p.expr(d2.result),
        },
        "proof": proof_data(doc.proof),
    }


def matrix_context(net: Network, matrix: MatrixProof) -> Data:
    """BP1-BP4 as LaTeX rows, printed from the equations the proof checked, and the proof's sentence."""
    from .matrix_tex import equation_tex, matrix_printer, preset_letter

    parens = net.notation.layer_parens

    def sup(text: str) -> str:
        return f"({text})" if parens else text

    printer = matrix_printer(net)
    rows: list[Data] = []
    batch: list[Data] = []
    for row in sorted(matrix.equations, key=lambda r: r.kind in ("bias", "weights")):
        lhs, rhs = equation_tex(net, row, printer)
        (batch if row.batch else rows).append({"lhs": lhs, "rhs": rhs, "note": _matrix_note(net, row)})
    notation = net.notation
    return {
        "letters": {name: preset_letter(notation, name) for name in ("a", "z", "delta", "A", "Delta")}
        | {
            "w": notation.letter("w"),
            "cost": notation.cost_symbol,
            "nabla": printer.doprint(sp.MatrixSymbol("nabla", 1, 1)),
        },
        "sup_l": sup("l"),
        "sup_prev": sup("l-1"),
        "rows": rows,
        "batch": batch,
        "proof": proof_data(matrix.proof),
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
