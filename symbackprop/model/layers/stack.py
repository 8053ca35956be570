"""A spec of named layer kinds, read and checked: the input's shape, the cost, and each ``[[layer]]`` table with its
keys, its defaults, and the shapes it takes and gives.

The layout (the contract a spec file follows)::

    input = [1, 6, 6]        # one sample: a size, [channels, height, width], or [time, size] ([channels, length])
    cost = "cross_entropy"   # any cost of the catalogue; l2 = 0.01 adds (lambda/2n) sum w^2 over the weights
    batch = 4                # samples drawn from seed when [values] gives none
    seed = 7
    [[layer]]
    kind = "conv2d"          # out_channels, kernel, stride = 1, padding = 0
    out_channels = 2
    kernel = 3

Every mistake is one line naming the layer (its number, from 1, and its kind) and the sizes. Layers are numbered
from 1; 0 is the input (``residual``'s ``from = 0`` adds the input).

>>> stack = read_stack({"input": [1, 4, 4], "layer": [{"kind": "conv2d", "out_channels": 2, "kernel": 3},
...                                                    {"kind": "flatten"}, {"kind": "dense", "size": 3}]})
>>> [(layer.kind, layer.shape_in, layer.shape_out) for layer in stack.layers]
[('conv2d', (1, 4, 4), (2, 2, 2)), ('flatten', (2, 2, 2), (8,)), ('dense', (8,), (3,))]
>>> try:
...     read_stack({"input": [1, 4, 4], "layer": [{"kind": "conv2d", "out_channels": 1, "kernel": 5}]})
... except SpecError as err:
...     print(err)
layer 1 (conv2d): a kernel of 5 is larger than its input channels x height x width 1 x 4 x 4 (padding 0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ...base.errors import SpecError, did_you_mean
from .. import activations, costs
from ..graph import MAX_LEAVES, MAX_NODES
from ..spec import one_line_text

REQUIRED = object()
KINDS: dict[str, dict[str, Any]] = {  # each kind's keys (besides kind) and their defaults
    "dense": {"size": REQUIRED, "activation": None},
    "activation": {"activation": REQUIRED},
    "conv1d": {"out_channels": REQUIRED, "kernel": REQUIRED, "stride": 1, "padding": 0},
    "conv2d": {"out_channels": REQUIRED, "kernel": REQUIRED, "stride": 1, "padding": 0},
    "maxpool1d": {"size": REQUIRED, "stride": None},
    "maxpool2d": {"size": REQUIRED, "stride": None},
    "avgpool2d": {"size": REQUIRED, "stride": None},
    "flatten": {},
    "batchnorm": {"eps": 1e-5},
    "layernorm": {"eps": 1e-5},
    "dropout": {"p": REQUIRED, "mask": None},
    "rnn": {"hidden_size": REQUIRED, "every_step": False},
    "residual": {"from": REQUIRED},
}
TOP_KEYS = ("input", "cost", "l2", "batch", "seed", "layer", "values", "title", "author")
MAX_LAYERS = 64
MAX_BATCH = 256
MAX_ELEMENTS = 50_000_000  # numbers a vectorised pass holds at once (400 MB in float64)
RANKS = {"conv1d": 2, "conv2d": 3, "maxpool1d": 2, "maxpool2d": 3, "avgpool2d": 3, "rnn": 2}
SHAPE_WORDS = {1: "size", 2: "channels x length", 3: "channels x height x width"}


@dataclass(frozen=True)
class Layer:
    """One checked layer: its number (from 1), kind, keys with their defaults filled in, and its shapes (one
    sample's, without the batch)."""

    number: int
    kind: str
    options: Mapping[str, Any]
    shape_in: tuple[int, ...]
    shape_out: tuple[int, ...]

    @property
    def label(self) -> str:
        """How an error names it: "layer 2 (maxpool2d)"."""
        return f"layer {self.number} ({self.kind})"

    def __getitem__(self, key: str) -> Any:
        return self.options[key]


@dataclass(frozen=True)
class LayerStack:
    """The input's shape, the cost, the L2 coefficient, the batch and seed, and the layers in order."""

    input: tuple[int, ...]
    cost: str
    l2: float
    batch: int | None
    seed: int
    layers: tuple[Layer, ...]
    title: str | None = None
    author: str | None = None

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.layers[-1].shape_out

    def shape_of(self, number: int) -> tuple[int, ...]:
        """Layer ``number``'s output shape; 0 is the input."""
        return self.input if number == 0 else self.layers[number - 1].shape_out


def is_layered(data: Mapping[str, Any]) -> bool:
    """Whether parsed TOML is a spec of named layer kinds (it has [[layer]] tables or an ``input`` shape)."""
    return "layer" in data or "input" in data


def read_stack(data: Mapping[str, Any], graph: bool = True) -> LayerStack:
    """Check the spec's keys and every layer, working out each layer's shapes; a SpecError names the first
    problem. With ``graph`` (the default) the stack must also fit in a graph (``MAX_NODES``); without, it is to be
    computed with whole arrays (``codegen``'s vectorised module) and must fit in ``MAX_ELEMENTS``."""
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        hint = " (layers = [...] is the dense shorthand; with [[layer]] tables the input is input = ...)"
        hint = hint if unknown[0] == "layers" else did_you_mean(unknown[0], TOP_KEYS)
        raise SpecError(f"unknown key {unknown[0]!r} in a spec of [[layer]] tables; known: {', '.join(TOP_KEYS)}{hint}")
    shape = first = _input_shape(data.get("input"))
    cost = data.get("cost", "sse")
    try:
        costs.cost(cost)
    except SpecError as err:
        raise SpecError(f"cost: {err}") from None
    l2 = _number(data.get("l2", 0.0), "l2", low=0.0)
    batch = _whole(data["batch"], "batch", 1, MAX_BATCH) if "batch" in data else None
    seed = _whole(data.get("seed", 0), "seed", 0, 2**32 - 1)
    for key in ("title", "author"):
        if key in data:
            one_line_text(key, data[key])
    tables = data.get("layer")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, Mapping) for t in tables):
        raise SpecError('layer: at least one [[layer]] table, each with a kind, as [[layer]] then kind = "dense"')
    if len(tables) > MAX_LAYERS:
        raise SpecError(f"layer: {len(tables)} layers; the limit is {MAX_LAYERS}")
    layers: list[Layer] = []
    for number, table in enumerate(tables, start=1):
        layers.append(_layer(number, table, shape, [first, *(layer.shape_out for layer in layers)]))
        shape = layers[-1].shape_out
    if len(shape) > 2:
        raise SpecError(
            f"layer {len(layers)} ({layers[-1].kind}) gives {_shape(shape)}; the cost takes a size or "
            "[time, size]: add a flatten layer (and a dense one) before it"
        )
    stack = LayerStack(first, cost, l2, batch, seed, tuple(layers), data.get("title"), data.get("author"))
    if graph:
        _within_limits(stack)
    else:
        _within_array_limits(stack)
    return stack


def with_samples(stack: LayerStack, samples: int) -> LayerStack:
    """The stack for the ``samples`` its [values] give, when the spec leaves ``batch`` out: checked again against the
    arrays' limits, which were worked out for one sample (the samples count in every array of a pass)."""
    if stack.batch is not None or samples == 1:
        return stack
    counted = replace(stack, batch=samples)
    _within_array_limits(counted)
    return counted


def fits_graph(stack: LayerStack) -> bool:
    """Whether the stack's graph is within the graph's limits (else it is computed with whole arrays only)."""
    try:
        _within_limits(stack)
    except SpecError:
        return False
    return True


def _input_shape(value: Any) -> tuple[int, ...]:
    example = "input = 4 (a size), [1, 6, 6] ([channels, height, width]) or [5, 3] ([time, size])"
    sizes = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(sizes, list) or not 1 <= len(sizes) <= 3:
        raise SpecError(f"input: the shape of one sample, {example}; got {value!r:.60}")
    return tuple(_whole(size, "input", 1, MAX_NODES) for size in sizes)


def _layer(number: int, table: Mapping[str, Any], shape: tuple[int, ...], outputs: list[tuple[int, ...]]) -> Layer:
    kind = table.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        hint = did_you_mean(kind, KINDS)
        raise SpecError(f"layer {number}: unknown kind {kind!r:.40}; known: {', '.join(KINDS)}{hint}")
    label = f"layer {number} ({kind})"
    keys = KINDS[kind]
    unknown = sorted(set(table) - {"kind", *keys})
    if unknown:
        known = ", ".join(keys) or "none besides kind"
        raise SpecError(f"{label}: unknown key {unknown[0]!r}; its keys: {known}{did_you_mean(unknown[0], keys)}")
    missing = [key for key, default in keys.items() if default is REQUIRED and key not in table]
    if missing:
        raise SpecError(f"{label}: needs {missing[0]} (its keys: {', '.join(keys)})")
    options = {key: table.get(key, default) for key, default in keys.items()}
    options = _checked(label, kind, options, number)
    rank = RANKS.get(kind)
    if rank is not None and len(shape) != rank:
        raise SpecError(f"{label} takes {SHAPE_WORDS[rank]}; its input is {_shape(shape)}")
    out = _output_shape(label, kind, options, shape, outputs)
    return Layer(number, kind, options, shape, out)


def _checked(label: str, kind: str, options: dict[str, Any], number: int) -> dict[str, Any]:
    """Each key's value checked and made canonical (a pooling stride defaulting to its size)."""
    for key in ("size", "out_channels", "kernel", "hidden_size"):
        if key in options:
            options[key] = _whole(options[key], f"{label} {key}", 1, MAX_NODES)
    if "stride" in options and options["stride"] is None:
        options["stride"] = options["size"]
    if "stride" in options:
        options["stride"] = _whole(options["stride"], f"{label} stride", 1, MAX_NODES)
    if "padding" in options:
        options["padding"] = _whole(options["padding"], f"{label} padding", 0, MAX_NODES)
    if "eps" in options:
        options["eps"] = _number(options["eps"], f"{label} eps", low=0.0, open_low=True)
    if kind == "dropout":
        options["p"] = _number(options["p"], f"{label} p", low=0.0, high=1.0, open_high=True)
    if kind == "rnn" and not isinstance(options["every_step"], bool):
        raise SpecError(f"{label} every_step: true or false, got {options['every_step']!r:.40}")
    if kind == "residual":
        options["from"] = _whole(options["from"], f"{label} from", 0, number - 1)
    name = options.get("activation")
    if name is not None:
        try:
            act = activations.activation(name)
        except SpecError as err:
            raise SpecError(f"{label} activation: {err}") from None
        if act.generic:
            raise SpecError(f"{label} activation: the generic g has no formula to build; name one (relu, tanh, ...)")
    return options


def _output_shape(
    label: str, kind: str, options: Mapping[str, Any], shape: tuple[int, ...], outputs: list[tuple[int, ...]]
) -> tuple[int, ...]:
    if kind == "dense":
        return (*shape[:-1], options["size"])
    if kind in ("conv1d", "conv2d"):
        k, stride, pad = options["kernel"], options["stride"], options["padding"]
        sides = [n + 2 * pad for n in shape[1:]]
        if any(k > n for n in sides):
            raise SpecError(f"{label}: a kernel of {k} is larger than its input {_shape(shape)} (padding {pad})")
        return (options["out_channels"], *((n - k) // stride + 1 for n in sides))
    if kind in ("maxpool1d", "maxpool2d", "avgpool2d"):
        size, stride = options["size"], options["stride"]
        sides = list(shape[1:])
        if any(size > n or (n - size) % stride for n in sides):
            names = " and ".join(
                f"{w} {n}" for w, n in zip(("height", "width") if len(sides) == 2 else ("length",), sides, strict=True)
            )
            raise SpecError(
                f"{label}: a window of {size} with stride {stride} does not divide the input's {names} "
                f"({SHAPE_WORDS[len(shape)]} {' x '.join(map(str, shape))})"
            )
        return (shape[0], *((n - size) // stride + 1 for n in sides))
    if kind == "flatten":
        return (math.prod(shape),)
    if kind == "rnn":
        return (shape[0], options["hidden_size"]) if options["every_step"] else (options["hidden_size"],)
    if kind == "residual":
        other = outputs[options["from"]]
        if other != shape:
            raise SpecError(
                f"{label}: layer {options['from']}'s output {_shape(other)} cannot be added to {_shape(shape)}"
            )
    if kind == "dropout" and options["mask"] is not None:
        _mask_shape(label, options["mask"], shape)
    return shape


def _mask_shape(label: str, mask: Any, shape: tuple[int, ...]) -> None:
    """A given mask: 0s and 1s, one row per sample, each of the layer's input shape (checked against the batch
    when the values are read)."""
    import numpy as np

    try:
        array = np.array(mask, dtype=float)
    except (TypeError, ValueError):
        raise SpecError(f"{label} mask: nested lists of 0 and 1, one per sample of shape {_shape(shape)}") from None
    if array.ndim != len(shape) + 1 or tuple(array.shape[1:]) != shape or not np.isin(array, (0.0, 1.0)).all():
        raise SpecError(
            f"{label} mask: 0s and 1s, one per sample of shape {_shape(shape)}; got shape {list(array.shape)}"
        )


def parameter_shapes(layer: Layer) -> dict[str, tuple[int, ...]]:
    """The layer's parameters as the torch.nn module names and shapes them."""
    kind, shape = layer.kind, layer.shape_in
    if kind == "dense":
        return {"weight": (layer["size"], shape[-1]), "bias": (layer["size"],)}
    if kind in ("conv1d", "conv2d"):
        kernel = (layer["kernel"],) * (len(shape) - 1)
        return {"weight": (layer["out_channels"], shape[0], *kernel), "bias": (layer["out_channels"],)}
    if kind == "batchnorm":
        return {"weight": (shape[0],), "bias": (shape[0],)}
    if kind == "layernorm":
        return {"weight": (shape[-1],), "bias": (shape[-1],)}
    if kind == "rnn":
        hidden = layer["hidden_size"]
        return {  # torch.nn.RNN's names for its one layer (weight_ih_l0 is W_ih)
            "weight_ih_l0": (hidden, shape[1]),
            "weight_hh_l0": (hidden, hidden),
            "bias_ih_l0": (hidden,),
            "bias_hh_l0": (hidden,),
        }
    return {}


WEIGHTS = ("weight", "weight_ih_l0", "weight_hh_l0")  # what l2 sums the squares of (not biases, nor a norm's gamma)
_NORMS = ("batchnorm", "layernorm")


def decayed(layer: Layer) -> tuple[str, ...]:
    """The parameters l2 takes: a dense, convolution or rnn layer's weights."""
    return tuple(name for name in parameter_shapes(layer) if name in WEIGHTS and layer.kind not in _NORMS)


def graph_size(stack: LayerStack) -> tuple[int, int]:
    """About how many nodes, and how many inputs and parameters, the stack's graph has."""
    batch = stack.batch or 1
    nodes = sum(batch * math.prod(layer.shape_out) for layer in stack.layers)
    leaves = batch * (math.prod(stack.input) + math.prod(stack.output_shape))
    leaves += sum(math.prod(s) for layer in stack.layers for s in parameter_shapes(layer).values())
    return nodes, leaves


def _within_limits(stack: LayerStack) -> None:
    nodes, leaves = graph_size(stack)
    if nodes > MAX_NODES or leaves > MAX_LEAVES:
        raise SpecError(
            f"the layers' graph would have about {nodes:,} nodes and {leaves:,} inputs and parameters; a graph has "
            f"at most {MAX_NODES:,} of each: make the input, the batch or the layers smaller"
        )


def _within_array_limits(stack: LayerStack) -> None:
    """The numbers one pass holds at once (each layer's output, and a convolution's patches), over the batch."""
    batch = stack.batch or 1
    elements = batch * math.prod(stack.input)
    for layer in stack.layers:
        elements += batch * math.prod(layer.shape_out)
        if layer.kind in ("conv1d", "conv2d"):
            elements += (
                batch
                * math.prod(layer.shape_out[1:])
                * layer.shape_in[0]
                * layer["kernel"] ** (len(layer.shape_in) - 1)
            )
        elements += sum(math.prod(s) for s in parameter_shapes(layer).values())
    if elements > MAX_ELEMENTS:
        raise SpecError(
            f"the layers' arrays would hold about {elements:,} numbers over the batch; the limit is {MAX_ELEMENTS:,}: "
            "make the input, the batch or the layers smaller"
        )


def _shape(shape: Sequence[int]) -> str:
    return f"{SHAPE_WORDS.get(len(shape), 'shape')} {' x '.join(map(str, shape))}"


def _whole(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(f"{where}: a whole number from {low} to {high:,}, got {value!r:.40}")
    return value


def _number(
    value: Any, where: str, low: float, high: float = math.inf, open_low: bool = False, open_high: bool = False
) -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    ok = ok and (value > low if open_low else value >= low) and (value < high if open_high else value <= high)
    if not ok:
        bounds = f"{'above' if open_low else 'from'} {low:g}" + (
            f" {'to below' if open_high else 'to'} {high:g}" if high < math.inf else ""
        )
        raise SpecError(f"{where}: a number {bounds}, got {value!r:.40}")
    return float(value)
