"""The --wrt all document told through each neuron's error, as Nielsen tells backpropagation: the output layer's
error (BP1), each hidden layer's from the one above (BP2), all numbered once; then, layer by layer, every bias's
derivative is its neuron's error (BP3) and every weight's the activation it multiplies times it (BP4). Goodfellow's
preset tells the same steps in Algorithm 6.4's order: at each layer g <- g (.) f'(a), its gradients, g <- W^T g.

The errors are the very steps (``derive.backward``) a single weight's Nielsen derivation prints, read from the
derivation of a weight of the first hidden layer, whose pass runs through every layer; each weight's and bias's
own backward story gives its BP3/BP4 line.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..derive.backward import GradientStep, backward, tells_backward
from ..derive.derivation import Derivation
from ..prove.proof import Proof
from .data import Data, Printed, proof_data
from .matrix_tex import matrix_printer
from .story import error_data, gradient_data


def error_label(layer: int) -> str:
    """The LaTeX label of layer ``layer``'s error equation."""
    return f"sbp:delta:{layer}"


def all_story_data(derivations: Sequence[tuple[Derivation, Proof]], p: Printed) -> Data | None:
    """The errors, then each layer's BP3/BP4, for a preset that tells the pass through the error: Nielsen's, or
    Goodfellow's Algorithm 6.4 (whose template pairs each layer's g with its gradients). None for other presets
    and for a network the errors cannot tell (a skip, a tie, a hidden layer not elementwise)."""
    if not derivations:
        return None
    net = derivations[0][0].network
    if net.notation.story not in ("delta", "algorithm") or not all(tells_backward(d) for d, _ in derivations):
        return None
    lowest = min((d for d, _ in derivations), key=lambda d: d.target.layer)
    printer = matrix_printer(net)
    errors = [
        {**error_data(net, e, p, printer), "label": error_label(e.layer), "above": error_label(e.layer + 1), "step": n}
        for n, e in enumerate(backward(lowest).errors, start=1)
    ]
    layers = [
        {**_layer(net.depth, layer, derivations, p), "step": net.depth - layer + 1}
        for layer in range(net.depth, lowest.target.layer - 1, -1)
    ]
    return {"kind": net.notation.story, "cost": net.notation.cost_symbol, "errors": errors, "layers": layers}


def _layer(depth: int, layer: int, derivations: Sequence[tuple[Derivation, Proof]], p: Printed) -> Data:
    """A layer's BP3 and BP4 for any neurons, its first weight and first bias worked, the others as their lines."""
    net = derivations[0][0].network
    items: list[Data] = []
    vector: Data = {}
    for d, proof in derivations:
        if d.target.layer != layer:
            continue
        told = backward(d)
        vector = vector or gradient_data(net, told, p, matrix_printer(net))["vector"]
        g = told.gradient
        assert isinstance(g, GradientStep)
        items.append(
            {
                "d": p.derivation(d),
                "proof": proof_data(proof),
                "kind": d.target.kind,
                "local": p.exprs(g.local),
                "target": p.exprs(g.target),
                "general_w": p.exprs(g.general_w),
                "general_b": p.exprs(g.general_b) if g.general_b is not None else None,
            }
        )
    worked = [i for n, i in enumerate(items) if all(j["kind"] != i["kind"] for j in items[:n])]
    others = [i for i in items if not any(i is w for w in worked)]
    return {
        "name": net.notation.layer(layer, depth),
        "label": error_label(layer),
        "general_w": items[0]["general_w"],
        "general_b": items[0]["general_b"],
        "shared_bias": net.spec.bias == "layer",
        "one": net.layers[layer] == 1,  # one neuron: its quantities have no index j
        "vector": vector,
        "worked": worked,
        "others": others,
        "others_proven": all(i["proof"]["proven"] for i in others),
        "others_method": " or ".join(sorted({i["proof"]["method"] for i in others})),
    }
