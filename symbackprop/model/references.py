"""References: the quantity a user asks about, written as a textbook writes it.

``w_{12}^{(L)}``, ``w_{1,2}^{(L-1)}``, ``b_1^(L)``, ``a^{(L-1)}``, ``z_{0}^{(1)}``: a letter, a
subscript and a layer superscript in either order, braces optional. Parsed with a regular
expression, never evaluated, and checked against the network so an error says what exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from ..base.errors import SpecError
from . import notation as notations
from .spec import NetworkSpec

KINDS = {"w": "weight", "b": "bias", "a": "activation", "z": "weighted input"}
GENERAL = {"w": "w_{jk}^{(l)}", "b": "b_j^{(l)}", "a": "a_k^{(l-1)}", "z": "z_j^{(l)}"}  # as derive takes them
MAX_LENGTH = 200


_HEAD = re.compile(r"^\s*(?P<kind>[A-Za-z])\s*")
_SCRIPT = re.compile(r"(?P<mark>[_^])\s*(?:\{\s*(?P<b>[^{}]*?)\s*\}|\((?P<p>[^()]*)\)|(?P<r>[A-Za-z0-9]+))\s*")
_LAYER = re.compile(r"^\(?\s*(?:(?P<n>\d+)|L\s*(?:-\s*(?P<back>\d+))?)\s*\)?$", re.ASCII)
_LETTER_LAYER = re.compile(r"^\(?\s*l\s*(?:-\s*1)?\s*\)?$")


@dataclass(frozen=True, order=True)
class Ref:
    """A concrete quantity: kind 'w', 'b', 'a' or 'z', absolute layer, neuron indices as numbered."""

    kind: str
    layer: int
    indices: tuple[int, ...]


def ref_of(symbol: sp.Indexed) -> Ref:
    """The reference a w, b, a or z with numbers for indices names: ``w[2, 1, 0]`` is ``Ref("w", 2, (1, 0))``.

    >>> from symbackprop.model.symbols import W
    >>> ref_of(W[2, 1, 0])
    Ref(kind='w', layer=2, indices=(1, 0))
    """
    kind = str(symbol.base)
    if kind not in KINDS:
        raise ValueError(f"{symbol} is not a weight, bias, activation or weighted input")
    layer, *indices = (int(i) for i in symbol.indices)
    return Ref(kind, layer, tuple(indices))


def parse(text: str, spec: NetworkSpec) -> Ref:
    """Read one reference and check that it names something in this network."""
    if not isinstance(text, str):
        raise SpecError("reference: expected text such as w_{12}^{(L)}")
    if len(text) > MAX_LENGTH:
        raise SpecError(f"reference: too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    letter, scripts = _scripts(text)
    kind = _kind(letter, spec)
    if kind not in KINDS:
        raise SpecError(f"reference {text!r}: expected a form like w_{{12}}^{{(L)}}, b_1^(L-1), a^{{(L-1)}}")
    layer = _layer(text, kind, scripts.get("^"), spec)
    sub = scripts.get("_")
    indices = _indices(text, kind, layer, sub, spec)
    ref = Ref(kind, layer, indices)
    check(ref, spec, text)
    return ref


def all_parameters(spec: NetworkSpec) -> list[Ref]:
    """Every weight and bias, layer by layer from the output back, as a derivation is told."""
    base, refs = spec.index_base, []
    for layer in range(spec.depth, 0, -1):
        n, m = spec.layers[layer], spec.layers[layer - 1]
        refs += [Ref("w", layer, (j + base, k + base)) for j in range(n) for k in range(m)]
        if spec.bias == "neuron":
            refs += [Ref("b", layer, (j + base,)) for j in range(n)]
        elif spec.bias == "layer":
            refs.append(Ref("b", layer, ()))
    return refs


def layer_name(layer: int, depth: int) -> str:
    """A layer as the texts write it relative to the output: L, L-1, L-2, ..."""
    back = depth - layer
    return "L" if back == 0 else f"L-{back}"


def _kind(letter: str, spec: NetworkSpec) -> str:
    """The quantity a typed letter names, read in the preset's own letters: with Goodfellow's, W is a weight,
    h an activation and a a pre-activation (the engine's z), as the document prints them."""
    own = {mine: kind for kind, mine in notations.load(spec.notation).symbols.items() if mine != kind}
    return own.get(letter, letter)


def _scripts(text: str) -> tuple[str, dict[str, str]]:
    """Split a reference into its letter and its sub- and superscript (each at most once)."""
    head = _HEAD.match(text)
    if head is None:
        raise SpecError(f"reference {text!r}: expected a form like w_{{12}}^{{(L)}}, b_1^(L-1), a^{{(L-1)}}")
    scripts: dict[str, str] = {}
    pos = head.end()
    while pos < len(text):
        m = _SCRIPT.match(text, pos)
        if m is None or m["mark"] in scripts:
            raise SpecError(
                f"reference {text!r}: cannot read it from position {pos + 1}; expected a form like w_{{12}}^{{(L)}}"
            )
        scripts[m["mark"]] = next(g for g in (m["b"], m["p"], m["r"]) if g is not None)
        pos = m.end()
    if "^" not in scripts:
        raise SpecError(f"reference {text!r}: give the layer as a superscript, e.g. ^{{(L)}} or ^{{(1)}}")
    return head["kind"], scripts


def _layer(text: str, kind: str, sup: str | None, spec: NetworkSpec) -> int:
    """The layer a superscript names: L-N counted back from the output, or a number as the notation
    numbers layers (Nielsen's input is layer 1), so a reference reads as the document prints it."""
    m = _LAYER.match(sup or "")
    if not m and _LETTER_LAYER.match(sup or ""):
        raise SpecError(
            f"reference {text!r}: the layer letter l goes with letters for the neurons: derive --wrt "
            f"'{_general(kind, spec)}' gives the general form; for one element, write the layer as L, L-1, ... "
            "or a number, as in w_{12}^{(L)}"
        )
    if not m:
        raise SpecError(f"reference {text!r}: the layer {sup!r} is not a number, L, or L-N")
    notation = notations.load(spec.notation)
    layer = notation.layer_index(int(m["n"])) if m["n"] is not None else spec.depth - int(m["back"] or 0)
    if not 0 <= layer <= spec.depth:
        first = notation.input_number
        raise SpecError(f"reference {text!r}: no layer {sup!r}; layers are {first} (input) to {spec.depth + first} (L)")
    return layer


def index_count(kind: str, spec: NetworkSpec) -> int:
    """How many neuron indices a ``kind`` quantity takes: a weight two (j, k), a shared bias none, the rest one."""
    if kind == "w":
        return 2
    return 0 if kind == "b" and spec.bias == "layer" else 1


def indexed_layers(kind: str, layer: int) -> list[int]:
    """The layers a ``kind`` quantity's indices number neurons of, in order: a weight's j and k, the others' one."""
    return [layer, layer - 1] if kind == "w" else [layer]


def wide_layer(kind: str, layer: int, spec: NetworkSpec) -> int | None:
    """The first layer an index left out would have to choose a neuron of (None when each has one neuron)."""
    if index_count(kind, spec) == 0:
        return None
    return next((t for t in indexed_layers(kind, layer) if spec.layers[t] != 1), None)


def _indices(text: str, kind: str, layer: int, sub: str | None, spec: NetworkSpec) -> tuple[int, ...]:
    want = index_count(kind, spec)
    if kind == "b" and spec.bias == "none":
        raise SpecError(f'reference {text!r}: this network has no biases (bias = "none")')
    if kind in "wbz" and layer == 0:  # before the indices, which would be read against a layer that is not there
        check(Ref(kind, 0, ()), spec, text)
    if sub is None:
        return _implicit(text, kind, layer, want, spec)
    parts = [p.strip() for p in sub.split(",")] if "," in sub else _split_digits(sub, want)
    if any(p.isascii() and p.isalpha() for p in parts) or (want == 2 and _letters_and_digits(sub)):
        raise SpecError(f"reference {text!r}: {_letters(kind, layer, sub, spec)}")
    if len(parts) != want:
        raise SpecError(f"reference {text!r}: {wrong_indices(kind, want, sub, len(parts))}")
    bad = next((p for p in parts if not (p.isascii() and p.isdigit())), None)
    if bad is not None:
        raise SpecError(
            f"reference {text!r}: a neuron index is a whole number (neurons are numbered from {spec.index_base}), "
            f"got {bad!r}"
        )
    return tuple(int(p) for p in parts)


def wrong_indices(kind: str, want: int, sub: str, count: int) -> str:
    """What is wrong with subscript ``sub`` of a ``kind`` quantity, read as ``count`` neuron indices where ``want``
    are needed, and what to write: one message for a reference (derive, verify --wrt) and for a claim."""
    sub = sub.strip()
    if sub.startswith("{") and sub.endswith("}"):
        sub = sub[1:-1].strip()
    if want == 0:
        return f'this network has one bias per layer (bias = "layer"): write b^{{(L)}}, with no subscript; got {sub!r}'
    if want == 1:
        name = KINDS[kind]
        return f"{'an' if name[0] in 'aeiou' else 'a'} {name} takes one neuron index, as in {kind}_{{1}}^{{(L)}}; " + (
            f"got {_NUMBER_WORDS.get(count, str(count))}, {sub!r}" if sub else "got none"
        )
    rule = "a weight takes two neuron indices, j in its layer then k in the layer before, as in w_{12}^{(L)}"
    if sub.isascii() and sub.isdigit() and len(sub) > 2:
        return f"{rule}; got {sub!r}, {len(sub)} digits: past 9, write the two apart, as w_{{1,12}}^{{(L)}}"
    return f"{rule}; got {_NUMBER_WORDS.get(count, str(count))}, {sub!r}" if sub else f"{rule}; got none"


_NUMBER_WORDS = {0: "none", 1: "one", 2: "two", 3: "three"}


def _letters_and_digits(sub: str) -> bool:
    """A weight's subscript written with a letter and a number together, as 1k or j2."""
    packed = sub.replace(",", "").replace(" ", "")
    return any(c.isalpha() for c in packed) and any(c.isdigit() for c in packed) and packed.isascii()


def _letters(kind: str, layer: int, sub: str, spec: NetworkSpec) -> str:
    """A subscript with letters for the neurons and a fixed layer: what to write instead."""
    element, general = _example(kind, layer, spec), _general(kind, spec)
    if kind == "b" and spec.bias == "layer":
        return f"{wrong_indices(kind, 0, sub, 1)} (derive --wrt '{general}' gives the general form)"
    if any(c.isdigit() for c in sub):
        return (
            f"a weight's two indices are either both numbers, as in {element} (one weight), or both letters with "
            f"the letter l for the layer, as in {general} (the general form, from derive); got {sub.strip()!r}"
        )
    return (
        f"letters for the neurons need the letter l for the layer too: derive --wrt '{general}' gives the general "
        f"form, which holds for every layer, {layer_name(layer, spec.depth)} included; or name the neurons, "
        f"as in {element}"
    )


def _general(kind: str, spec: NetworkSpec) -> str:
    return "b^{(l)}" if kind == "b" and spec.bias == "layer" else GENERAL[kind]


def _example(kind: str, layer: int, spec: NetworkSpec) -> str:
    """A reference to a real element of this layer, as in w_{12}^{(L)}: the form to write for one element."""
    base, sup = spec.index_base, f"^{{({layer_name(layer, spec.depth)})}}"
    if kind == "b" and spec.bias == "layer":
        return f"b{sup}"
    j = base + min(1, spec.layers[layer] - 1)
    if kind != "w":
        return f"{kind}_{{{j}}}{sup}"
    k = base + min(2, spec.layers[layer - 1] - 1) if layer > 0 else base
    return f"w_{{{j}{k}}}{sup}" if j < 10 and k < 10 else f"w_{{{j},{k}}}{sup}"


def _split_digits(sub: str, want: int) -> list[str]:
    sub = sub.strip()
    if want == 2 and len(sub) == 2:
        return [sub[0], sub[1]]
    return [sub] if sub else []


def _implicit(text: str, kind: str, layer: int, want: int, spec: NetworkSpec) -> tuple[int, ...]:
    """No subscript: allowed where every layer it touches has a single neuron."""
    wide = wide_layer(kind, layer, spec)
    if wide is not None:
        raise SpecError(
            f"reference {text!r}: give the neuron index; layer {layer_name(wide, spec.depth)} "
            f"has {spec.layers[wide]} neurons, as in {_example(kind, layer, spec)}"
        )
    return (spec.index_base,) * want


def check(ref: Ref, spec: NetworkSpec, text: str | None = None) -> None:
    """Raise a SpecError that says what exists when ``ref`` is not in the network."""
    label = repr(text) if text is not None else _shown_briefly(ref)
    _check_kind_and_layer(ref, spec, label)
    base, depth = spec.index_base, spec.depth
    first = notations.load(spec.notation).input_number
    if ref.kind in "wb" and ref.layer == 0:
        things = "biases" if ref.kind == "b" else "weights"
        raise SpecError(f"reference {label}: the input layer has no {things}; layers {first + 1} to {first + depth} do")
    if ref.kind == "z" and ref.layer == 0:
        raise SpecError(
            f"reference {label}: the input layer has no weighted input z; layers {first + 1} to {first + depth} do"
        )
    if ref.kind == "b" and spec.bias == "none":
        raise SpecError(f'reference {label}: this network has no biases (bias = "none")')
    _check_indices(ref, spec, label)
    ranges = [spec.layers[ref.layer]] + ([spec.layers[ref.layer - 1]] if ref.kind == "w" else [])
    for index, size in zip(ref.indices, ranges, strict=False):
        if not base <= index < base + size:
            raise SpecError(f"reference {label}: index {index} is out of range; {_what_exists(ref, spec)}")


def _check_kind_and_layer(ref: object, spec: NetworkSpec, label: str) -> None:
    """A Ref built by hand (the Python API takes one) has a known kind and a layer of the network, before
    anything indexes the network with it."""
    if not isinstance(ref, Ref) or not isinstance(ref.kind, str) or ref.kind not in KINDS:
        kinds = ", ".join(KINDS)
        raise SpecError(f"reference {label}: expected text such as w_{{12}}^{{(L)}}, or a Ref of kind {kinds}")
    if type(ref.layer) is not int or not 0 <= ref.layer <= spec.depth:
        raise SpecError(f"reference {label}: no layer {ref.layer!r}; layers are 0 (input) to {spec.depth} (L)")


def _check_indices(ref: Ref, spec: NetworkSpec, label: str) -> None:
    """As many whole-number indices as the kind takes (two for a weight, none for a layer's shared bias)."""
    want = 2 if ref.kind == "w" else 0 if ref.kind == "b" and spec.bias == "layer" else 1
    if not isinstance(ref.indices, tuple) or len(ref.indices) != want or any(type(i) is not int for i in ref.indices):
        raise SpecError(f"reference {label}: a {KINDS[ref.kind]} here takes {want} whole-number indices")


def _shown_briefly(ref: object) -> str:
    text = str(ref)
    return text if len(text) <= 80 else text[:77] + "..."


def _what_exists(ref: Ref, spec: NetworkSpec) -> str:
    base, name, size = spec.index_base, layer_name(ref.layer, spec.depth), spec.layers[ref.layer]
    if ref.kind != "w":
        if size == 1:
            return f"layer {name} has one neuron, numbered {base}"
        return f"layer {name} has neurons {base} to {base + size - 1}"
    j, k = _span("j", base, size), _span("k", base, spec.layers[ref.layer - 1])
    return f"in layer {name}, w_jk has {j} and {k}"


def _span(letter: str, base: int, size: int) -> str:
    """'j from 0 to 2', or 'j = 0' when the layer has one neuron."""
    return f"{letter} = {base}" if size == 1 else f"{letter} from {base} to {base + size - 1}"
