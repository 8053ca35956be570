"""The backward story (``derive.backward``) as a template receives it: each layer's error in element form and in
vector form, printed in the preset's own letters.

Nielsen's preset tells it as BP1, BP2, then BP3/BP4 with delta; Goodfellow's as the lines of Algorithm 6.4 with
the running gradient g. The vector forms are printed by the matrix form's printer from SymPy matrix expressions,
so a layer's symbols read the same here as in the matrix section.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

from ..derive.backward import Backward, ErrorStep, GradientStep, ReachStep, backward, tells_backward
from ..derive.derivation import Derivation, derive, general_activation
from ..derive.matrix_form import applied, hadamard
from ..model.network import Network
from ..model.partial import Partial
from ..model.references import Ref
from ..model.symbols import C0, A, Z
from .data import Data, Printed
from .matrix_tex import MatrixTexPrinter, matrix_printer


def story_data(d: Derivation, p: Printed) -> Data | None:
    """The story of ``d`` for a preset that tells the backward pass (story "delta" or "algorithm"), else None."""
    net = d.network
    if net.notation.story == "chain" or not tells_backward(d):
        return None
    told = backward(d)
    printer = matrix_printer(net)
    return {
        "kind": net.notation.story,
        "cost": net.notation.cost_symbol,
        "errors": [error_data(net, e, p, printer) for e in told.errors],
        "gradient": _reach(net, told.gradient, p, printer)
        if isinstance(told.gradient, ReachStep)
        else gradient_data(net, told, p, printer),
        "unrolled": p.expr(told.unrolled, pieces=True),
    }


def _vector(name: str, layer: int, net: Network, rows: int = 1) -> sp.MatrixSymbol:
    """The matrix symbol the matrix printer reads as ``name`` of ``layer`` (its offset from the output layer L)."""
    return sp.MatrixSymbol(f"{name}@L{layer - net.depth:+d}", rows, 1)


def softmax_vectors(net: Network) -> dict[str, sp.MatrixExpr]:
    """BP1 at a softmax output layer as the story prints it, for all j at once: the softmax's Jacobian
    diag(a^L) - a^L (a^L)^T (symmetric, so its own transpose), delta^L = that times the cost's gradient, and
    a^L - y, what it is with the cross-entropy where the targets sum to 1. Kept as matrix expressions so a test
    can write each symbol out and check the very expressions printed."""
    n = net.layers[net.depth]
    a = _vector("a", net.depth, net, n)
    jacobian = DiagMatrix(a) - a * a.T
    return {
        "delta": _vector("delta", net.depth, net, n),
        "jacobian": jacobian,
        "rhs": jacobian * sp.MatrixSymbol("nabla", n, 1),
        "assumed": a - sp.MatrixSymbol("y", n, 1),
    }


def _softmax_error(net: Network, e: ErrorStep, p: Printed, printer: MatrixTexPrinter) -> Data:
    """BP1 at a softmax output layer: the chain rule summed over the layer's outputs i."""
    i, j = sp.symbols("i j")
    a_i, z_j = A[e.layer, i], Z[e.layer, j]
    vectors = softmax_vectors(net)
    return {
        "layer": net.notation.layer(e.layer, net.depth),
        "next": None,
        "coupled": True,
        "d_cost": p.expr(Partial(C0, a_i)),
        "d_act": p.expr(Partial(a_i, z_j)),
        "d_sum": None,
        "a": p.expr(A[e.layer, j]),
        "a_i": p.expr(a_i),
        "output": True,
        "delta": p.expr(e.delta),
        "prime": p.expr(e.prime),
        "in_a": None,
        "cost": p.expr(e.cost),
        "upstream": p.expr(e.upstream),
        "closed": p.expr(e.closed),
        "assumed": p.expr(e.assumed) if e.assumed is not None else None,
        "weight": None,
        "z": p.expr(z_j),
        "z_vec": net.notation.letter("z") + "^" + p.text_printer._layer_text(sp.Integer(e.layer)),
        "first": int(e.limits[0]),
        "last": int(e.limits[1]),
        "vector": {key: printer.doprint(value) for key, value in vectors.items()}
        | {
            "nabla": printer.doprint(sp.MatrixSymbol("nabla", net.layers[e.layer], 1)),
            "a": printer.doprint(_vector("a", e.layer, net, net.layers[e.layer])),
            "back": None,
        },
    }


def error_data(net: Network, e: ErrorStep, p: Printed, printer: MatrixTexPrinter) -> Data:
    """One layer's error step as a template receives it: element form, vector form, in the preset's letters."""
    if e.coupled:
        return _softmax_error(net, e, p, printer)
    n = net.layers[e.layer]
    delta = _vector("delta", e.layer, net, n)
    prime = applied(e.layer, net.activation(e.layer).name, _vector("z", e.layer, net, n), True)
    if e.output:
        upstream: sp.MatrixExpr = sp.MatrixSymbol("nabla", n, 1)
        back = None
    else:
        above = net.layers[e.layer + 1]
        w = sp.MatrixSymbol(f"W@L{e.layer + 1 - net.depth:+d}", above, n)
        back = printer.doprint(w.T * _vector("delta", e.layer + 1, net, above))
        upstream = w.T * _vector("delta", e.layer + 1, net, above)
    j, k = sp.symbols("j k")
    one_above = not e.output and net.layers[e.layer + 1] == 1
    if one_above:  # the layer above has one neuron: its index, not a free k
        k = e.weight.indices[1] if e.weight is not None else k
    a, z = A[e.layer, j], Z[e.layer, j]
    return {
        "layer": net.notation.layer(e.layer, net.depth),
        "next": net.notation.layer(e.layer + 1, net.depth) if not e.output else None,
        "d_cost": p.expr(Partial(C0, a)),
        "d_act": p.expr(Partial(a, z)),
        "d_sum": p.expr(Partial(Z[e.layer + 1, k], a)) if not e.output else None,
        "a": p.expr(a),
        "coupled": False,
        "activation": net.activation(e.layer).name,
        "output": e.output,
        "one_above": one_above,
        "delta": p.expr(e.delta),
        "prime": p.expr(e.prime),
        "in_a": p.expr(e.in_a) if e.in_a is not None else None,
        "cost": p.expr(e.cost) if e.cost is not None else None,
        "upstream": p.expr(e.upstream),
        "weight": p.expr(e.weight) if e.weight is not None else None,
        "z": p.expr(e.prime.args[1]),
        "z_vec": net.notation.letter("z") + "^" + p.text_printer._layer_text(sp.Integer(e.layer)),
        "first": int(e.limits[0]),
        "last": int(e.limits[1]),
        "vector": {
            "delta": printer.doprint(delta),
            "rhs": printer.doprint(hadamard(upstream, prime)),
            "nabla": printer.doprint(sp.MatrixSymbol("nabla", n, 1)),
            "prime": printer.doprint(prime),
            "z": printer.doprint(_vector("z", e.layer, net, n)),
            "back": back,
        },
    }


def _reach(net: Network, r: ReachStep, p: Printed, printer: MatrixTexPrinter) -> Data:
    """The last step for an activation or weighted input: where the pass reaches its derivative."""
    above = r.layer + 1
    data: Data = {
        "layer": net.notation.layer(r.layer, net.depth),
        "above": net.notation.layer(above, net.depth) if above <= net.depth else None,
        "kind": r.kind,
        "one": net.layers[r.layer] == 1,  # one neuron: its quantities have no index j
        "bias": None,
        "general_b": None,
        "general": p.exprs(r.general),
        "z_vec": net.notation.letter("z") + "^" + p.text_printer._layer_text(sp.Integer(r.layer)),
        "target": p.exprs(r.target),
        "vector": {
            "a": printer.doprint(_vector("a", r.layer, net, net.layers[r.layer])),
            "delta": printer.doprint(_vector("delta", r.layer, net, net.layers[r.layer])),
            "z": printer.doprint(_vector("z", r.layer, net, net.layers[r.layer])),
        },
    }
    coupled = r.kind == "z" and not net.activation(r.layer).elementwise  # a softmax output layer
    if coupled:  # Goodfellow's g there is the softmax's Jacobian times g, not g (.) f'
        jacobian = printer.doprint(softmax_vectors(net)["jacobian"])
        data["after"] = {"tex": rf"g \leftarrow \bigl({jacobian}\bigr) g", "text": "g ← (diag(ŷ) - ŷ ŷ^T) g"}
    else:
        odot = rf"g \leftarrow g \odot f'({data['vector']['z']})"
        data["after"] = {"tex": odot, "text": f"g ← g ⊙ f'({data['z_vec']})"}
    data["at_output"] = r.layer == net.depth
    if r.kind == "a":
        w = sp.MatrixSymbol(f"W@L{above - net.depth:+d}", net.layers[above], net.layers[r.layer])
        data["vector"]["back"] = printer.doprint(w.T * _vector("delta", above, net, net.layers[above]))
    return data


def gradient_data(net: Network, told: Backward, p: Printed, printer: MatrixTexPrinter) -> Data:
    """The last step for a weight or bias as a template receives it: BP3/BP4 (or Algorithm 6.4's gradient lines)."""
    g = told.gradient
    assert isinstance(g, GradientStep)
    n, before = net.layers[g.layer], net.layers[g.layer - 1]
    delta = _vector("delta", g.layer, net, n)
    w = sp.MatrixSymbol(f"W@L{g.layer - net.depth:+d}", n, before)
    b = sp.MatrixSymbol(f"b@L{g.layer - net.depth:+d}", n, 1)
    a_before = _vector("a", g.layer - 1, net, before)
    return {
        "layer": net.notation.layer(g.layer, net.depth),
        "at_output": g.layer == net.depth,
        "kind": g.kind,
        "one": n == 1,  # one neuron: its quantities have no index j
        "bias": g.bias,
        "general_w": p.exprs(g.general_w),
        "general_b": p.exprs(g.general_b) if g.general_b is not None else None,
        "local": p.exprs(g.local),
        "target": p.exprs(g.target),
        "vector": {
            "w": printer.doprint(w),
            "b": printer.doprint(b),
            "delta": printer.doprint(delta),
            "grad_w": printer.doprint(delta * a_before.T),
            "back": printer.doprint(w.T * delta),
        },
    }


def _math(tex: str, text: str) -> Data:
    """A symbol printed by hand, as ``Printed.expr`` gives an expression."""
    return {"tex": tex, "text": text, "summed": False, "is_symbol": True, "indices": []}


def output_rows(net: Network) -> list[Any]:
    """The row of y-hat, the network's output, for a preset that writes the output's gradient by it (Goodfellow's
    nabla_y-hat J), whether or not its backward story is told (a softmax layer is told by the chain rule)."""
    if net.notation.story != "algorithm":
        return []
    top = matrix_printer(net).label("L", 0)
    a = net.notation.letter("a")
    return [[_math(r"\hat{y}", "ŷ"), ["the network's output, ", _math(f"{a}^{{{top}}}", f"{a}^{top}")]]]


def story_rows(net: Network) -> list[Any]:
    """The notation rows the backward story adds: the error (or Goodfellow's g), a layer's vectors and weight
    matrix, the gradient and the entry-by-entry product, each in the preset's letters."""
    n = net.notation
    printer = matrix_printer(net)
    sup = printer.label("l", 0)
    cost = n.cost_symbol
    a, z, w, delta = (n.letter(x) for x in ("a", "z", "w", "delta"))
    delta_tex, delta_text = _tex_letter(delta), _text_letter(delta)
    z_entry = _math(f"{z}_{{j}}^{{{sup}}}", f"{z}_j^{sup}")
    rows: list[Any] = []
    if n.story == "algorithm":
        rows.append(
            [
                _math(f"{delta_tex}_{{j}}^{{{sup}}}", f"{delta_text}_j^{sup}"),
                [
                    "the gradient ",
                    _math(delta_tex, delta_text),
                    " of the backward pass at layer ",
                    _math("l", "l"),
                    ", entry ",
                    _math("j", "j"),
                    ": ",
                    _math(rf"\partial {cost} / \partial {z_entry['tex']}", f"∂{cost}/∂{z_entry['text']}"),
                ],
            ]
        )
        rows += output_rows(net)
        rows.append([_math(r"\leftarrow", "←"), ["gives the variable on its left a new value"]])
        names = ", ".join(dict.fromkeys(net.activation(m).name for m in range(1, net.depth + 1)))
        rows.append([_math("f", "f"), [f"the activation function of a layer in Algorithm 6.4 (here {names})"]])
    else:
        rows.append(
            [
                _math(f"{delta_tex}_{{j}}^{{{sup}}}", f"{delta_text}_j^{sup}"),
                [
                    "the error of neuron ",
                    _math("j", "j"),
                    " in layer ",
                    _math("l", "l"),
                    ": ",
                    _math(rf"\partial {cost} / \partial {z_entry['tex']}", f"∂{cost}/∂{z_entry['text']}"),
                ],
            ]
        )
    letters = [(x, n.letter(x)) for x in ("delta", "a", "z")]
    columns = [_math(f"{_tex_letter(own)}^{{{sup}}}", f"{_text_letter(own)}^{sup}") for _, own in letters]
    rows.append(
        [
            _math(", ".join(c["tex"] for c in columns), ", ".join(c["text"] for c in columns)),
            ["the column of those quantities of layer ", _math("l", "l"), ", one entry per neuron"],
        ]
    )
    rows.append(
        [
            _math(f"W^{{{sup}}}", f"W^{sup}"),
            [
                "the weight matrix of layer ",
                _math("l", "l"),
                ": row ",
                _math("j", "j"),
                ", column ",
                _math("k", "k"),
                " is ",
                _math(f"{w}_{{jk}}^{{{sup}}}", f"{w}_jk^{sup}"),
                *_book_letters(n.story),
            ],
        ]
    )
    by = r"\hat{y}" if n.story == "algorithm" else a
    rows.append(
        [
            _math(rf"\nabla_{{{by}}} {cost}", f"∇_{by} {cost}"),
            ["the column of the cost's derivatives by the output activations"],
        ]
    )
    rows.append([_math(r"\odot", "⊙"), ["multiplies two columns entry by entry (the Hadamard product)"]])
    rows.append([_math(r"{}^{T}", "^T"), ["the transpose"]])
    return rows


def _book_letters(story: str) -> list[Any]:
    """Goodfellow's book names the layer k and a weight's units i, j, letters this document gives to other things
    (k a unit of the layer before, i a sample): the weight matrix's row says how the book writes the entry."""
    if story != "algorithm":
        return []
    return [" (the book's ", _math(r"W_{i,j}^{(k)}", "W_i,j^(k)"), ")"]


def _tex_letter(own: str) -> str:
    return r"\delta" if own == "delta" else own


def _text_letter(own: str) -> str:
    return "δ" if own == "delta" else own


def neuron_first(d: Derivation, p: Printed) -> Data | None:
    """The 3Blue1Brown way in: the same network with one neuron per layer, the cost's three sensitivities to the
    output layer's weight, bias and the activation before it (each the chain of that network, with no indices),
    then the index generalisation (the activation's sensitivity summed over the output neurons j), for a preset
    with ``one_neuron_first``; None for other presets and where a layer is not elementwise."""
    net = d.network
    spec = net.spec
    if not net.notation.one_neuron_first or spec.skips or spec.ties:
        return None
    if not all(net.activation(m).elementwise for m in range(1, net.depth + 1)):  # softmax of one neuron is 1
        return None
    depth, base = net.depth, spec.index_base
    chain = Network(
        layers=[1] * (depth + 1),
        activation=list(spec.activations),
        cost=spec.cost,
        bias="none" if spec.bias == "none" else "neuron",
        index_base=base,
        notation=spec.notation,
    )
    refs = [Ref("w", depth, (base, base))]
    if spec.bias != "none":
        refs.append(Ref("b", depth, (base,)))
    if depth > 1:
        refs.append(Ref("a", depth - 1, (base,)))
    chained = Printed(chain)
    rows = []
    for ref in refs:
        told = derive(chain, ref)
        rows.append([chained.expr(Partial(C0, told.symbol)), chained.expr(told.stated_result)])
    general = None
    if depth > 1 and any(n > 1 for n in net.layers[depth - 1 :]):
        one = Ref("a", depth - 1, (base,))  # a layer of one neuron: that neuron, no letter k left in w_jk
        hidden = general_activation(net, depth - 1) if net.layers[depth - 1] > 1 else derive(net, one)
        general = [p.expr(Partial(C0, hidden.symbol)), p.expr(hidden.sum_form)]
    return {"rows": rows, "general": general, "letter": p.expr(sp.Symbol("j"))}
