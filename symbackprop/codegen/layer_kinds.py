"""Each layer kind's forward and backward pass as NumPy statements over the whole batch: the templates the layer
stack's module (``layer_modules``) is printed from.

A kind's ``forward`` writes ``h{k}`` (layer k's output; ``h0`` is x) from its input; its ``backward`` takes
``g{k}`` (dC/dh{k}, the mean's 1/n already in it) and writes its parameters' gradients and, when a layer below
needs it, ``g{k-1}``. No statement changes an array another name holds, so a residual's gradient may be shared.

- convolution: the input's patches as one matrix per sample (im2col: one strided slice per kernel offset,
  stacked), so the forward pass is one matrix product and dC/dW another (the correlation of the input with the
  upstream gradient); dC/dX puts each patch's gradient back where the patch came from, one kernel offset at a time
  (the full convolution with the flipped kernel, written as a scatter);
- max pooling: the windows stacked offset by offset, their max, and the gradient routed to each window's first
  maximum in row-major order, where PyTorch and the graph's max gates route it at a tie (found by comparisons:
  NumPy's argmax over a short last axis measured 20 times as slow); average pooling spreads it evenly;
- batch and layer norm: the batch statistics, and the compact dC/dx = r/M (M g' - sum g' - u sum g' u), g' = gamma g;
- rnn: back-propagation through time, delta_t = (dC/dh_t + delta_{t+1} W_hh) (1 - h_t^2), the weights' gradients
  summed over the steps as two matrix products.
"""

from __future__ import annotations

import math

import sympy as sp

from ..model.activations import activation as catalogue_activation
from ..model.layers.stack import Layer

Lines = list[str]


def activation_forward(name: str, z: str, a: str) -> Lines:
    """a = g(z) for the catalogue's activation ``name`` (softmax over the last axis)."""
    act = catalogue_activation(name)
    if not act.elementwise:
        return [f"{a} = _softmax({z})"]
    if act.name.startswith("leaky_relu"):
        return [f"{a} = numpy.where({z} > 0.0, {z}, {slope(name)} * {z})"]
    form = {
        "sigmoid": "_sigmoid({z})",
        "tanh": "numpy.tanh({z})",
        "relu": "_relu({z})",
        "softplus": "_softplus({z})",
        "identity": "{z}",
    }[act.name]
    return [f"{a} = {form.format(z=z)}"]


def activation_backward(name: str, z: str, a: str, g: str, gz: str) -> Lines:
    """dC/dz from dC/da = ``g``: each derivative in the output where it has a form there, as a lesson writes it."""
    act = catalogue_activation(name)
    if not act.elementwise:
        return [f"{gz} = {a} * ({g} - ({g} * {a}).sum(axis=-1, keepdims=True))"]
    if act.name.startswith("leaky_relu"):
        return [f"{gz} = numpy.where({z} > 0.0, {g}, {slope(name)} * {g})"]
    form = {
        "sigmoid": "{g} * {a} * (1.0 - {a})",
        "tanh": "{g} * (1.0 - {a} * {a})",
        "relu": "{g} * ({z} > 0.0)",
        "softplus": "{g} * _sigmoid({z})",
        "identity": "{g}",
    }[act.name]
    return [f"{gz} = {form.format(z=z, a=a, g=g)}"]


def slope(name: str) -> str:
    """A leaky ReLU's slope for negative inputs, as a Python float literal (0.01 for ``leaky_relu``)."""
    return repr(float(-catalogue_activation(name).form(sp.Integer(-1))))  # type: ignore[misc]


def dense_forward(layer: Layer, h: str, z: str) -> Lines:
    """torch.nn.Linear on the last axis, every row of the batch (and every step) at once."""
    k = layer.number
    return [f"{z} = {h} @ W{k}.T + b{k}"]


def dense_backward(layer: Layer, h: str, gz: str, g_in: str | None) -> Lines:
    """dW = gz^T h and db = sum gz over every row (and step); dh = gz W where a layer below needs it."""
    k, rows = layer.number, len(layer.shape_in) > 1
    gm, hm = (f"{gz}.reshape(-1, {layer['size']})", f"{h}.reshape(-1, {layer.shape_in[-1]})") if rows else (gz, h)
    lines = [f"dW{k} = {gm}.T @ {hm}", f"db{k} = {gm}.sum(axis=0)"]
    return lines + ([f"{g_in} = {gz} @ W{k}"] if g_in else [])


LETTERS = ("u", "v")  # the kernel or window offset along each side, in the generated loops


def _offsets(d: int, size: int) -> str:
    """The offsets of a kernel or window in row-major order, as a generated comprehension's clauses."""
    return " ".join(f"for {LETTERS[i]} in range({size})" for i in range(d))


def _at_offset(h: str, d: int, stride: int, out: tuple[int, ...]) -> str:
    """The elements of ``h`` an offset (u, v) touches, one per output position: a strided slice, never a copy."""
    step = f":{stride}" if stride > 1 else ""
    parts = [f"{LETTERS[i]}:{LETTERS[i]} + {stride * (m - 1) + 1}{step}" for i, m in enumerate(out)]
    return f"{h}[:, :, {', '.join(parts)}]"


def _scatter(target: str, source: str, d: int, size: int, stride: int, out: tuple[int, ...], add: bool) -> Lines:
    """Each offset's slice of ``source`` put back (or added) where that offset read it."""
    loop = f"j, u in enumerate(range({size}))" if d == 1 else f"j, (u, v) in enumerate((u, v) {_offsets(d, size)})"
    return [
        f"for {loop}:",
        f"    {_at_offset(target, d, stride, out)} {'+=' if add else '='} {source}",
    ]


def conv_forward(layer: Layer, h: str, out: str) -> Lines:
    """im2col: the patches as (n, C k^d, positions), the kernel offset fastest, so z = W (O, C k^d) @ patches is
    one product per sample, in the output's own layout (n, O, *positions)."""
    k, pad, kernel, stride = layer.number, layer["padding"], layer["kernel"], layer["stride"]
    channels, d = layer.shape_in[0], len(layer.shape_in) - 1
    o, positions = layer["out_channels"], layer.shape_out[1:]
    lines = []
    source = h
    if pad:
        lines.append(f"p{k} = _pad({h}, {pad})  # zeros around each side")
        source = f"p{k}"
    patch, count = channels * kernel**d, math.prod(positions)
    sides = ", ".join(map(str, positions))
    return [
        *lines,
        f"c{k} = numpy.stack([{_at_offset(source, d, stride, positions)} {_offsets(d, kernel)}], axis=2)"
        f".reshape(n, {patch}, {count})  # im2col: a column per output position",
        f"{out} = (W{k}.reshape({o}, {patch}) @ c{k} + b{k}[:, None]).reshape(n, {o}, {sides})",
    ]


def conv_backward(layer: Layer, gz: str, g_in: str | None) -> Lines:
    """dW and db from the upstream gradient and the patches; dX, where needed, by putting each patch's gradient back
    (``gp`` is the padded input's gradient, cropped at the end)."""
    k, pad, kernel, stride = layer.number, layer["padding"], layer["kernel"], layer["stride"]
    channels, d = layer.shape_in[0], len(layer.shape_in) - 1
    o, positions = layer["out_channels"], layer.shape_out[1:]
    patch, count = channels * kernel**d, math.prod(positions)
    weight = (o, channels, *(kernel,) * d)
    lines = [
        f"gm{k} = {gz}.reshape(n, {o}, {count})",
        f"dW{k} = (gm{k} @ c{k}.swapaxes(1, 2)).sum(axis=0).reshape{weight}"
        "  # the correlation of the input with the upstream gradient",
        f"db{k} = gm{k}.sum(axis=(0, 2))",
    ]
    if not g_in:
        return lines
    padded = ", ".join(str(n + 2 * pad) for n in layer.shape_in[1:])
    sides = ", ".join(map(str, positions))
    lines += [
        f"gc{k} = (W{k}.reshape({o}, {patch}).T @ gm{k}).reshape(n, {channels}, {kernel**d}, {sides})",
        f"gp{k} = numpy.zeros((n, {channels}, {padded}), dtype=dt)",
        "# each patch's gradient back where the patch was read: the full convolution with the flipped kernel",
        *_scatter(f"gp{k}", f"gc{k}[:, :, j]", d, kernel, stride, positions, add=True),
    ]
    crop = "[:, :, " + ", ".join([f"{pad}:{pad + n}" for n in layer.shape_in[1:]]) + "]" if pad else ""
    return [*lines, f"{g_in} = gp{k}{crop}"]


def pool_forward(layer: Layer, h: str, out: str) -> Lines:
    """The windows as (size^d, n, channels, *positions), each offset's elements one contiguous array."""
    k, size, stride = layer.number, layer["size"], layer["stride"]
    d, positions = len(layer.shape_in) - 1, layer.shape_out[1:]
    windows = f"w{k} = numpy.stack([{_at_offset(h, d, stride, positions)} {_offsets(d, size)}])"
    if layer.kind == "avgpool2d":
        return [windows, f"{out} = w{k}.mean(axis=0)"]
    return [windows, f"{out} = numpy.amax(w{k}, axis=0)"]


def pool_backward(layer: Layer, g: str, g_in: str) -> Lines:
    """A max pool routes each window's gradient to its first maximum in row-major order (as PyTorch and the graph's
    max gates do at a tie); an average pool spreads it evenly."""
    k, size, stride = layer.number, layer["size"], layer["stride"]
    d, positions = len(layer.shape_in) - 1, layer.shape_out[1:]
    shape = ", ".join(map(str, layer.shape_in))
    tiles = stride == size  # every input element in exactly one window: each is written once
    start = f"{g_in} = numpy.{'empty' if tiles else 'zeros'}((n, {shape}), dtype=dt)"
    if layer.kind == "avgpool2d":
        return [
            f"gw{k} = {g} * {1.0 / size**d!r}  # spread evenly over the window",
            start,
            *_scatter(g_in, f"gw{k}", d, size, stride, positions, add=not tiles),
        ]
    return [
        f"r{k} = w{k} == {_output(layer)}  # where each window's maximum sits",
        f"seen{k} = _copy(r{k}[0])",
        f"for j in range(1, {size**d}):  # only the first, in row-major order, keeps it",
        f"    r{k}[j] &= ~seen{k}",
        f"    seen{k} |= r{k}[j]",
        f"gw{k} = r{k} * {g}",
        start,
        *_scatter(g_in, f"gw{k}[j]", d, size, stride, positions, add=not tiles),
    ]


def _output(layer: Layer) -> str:
    """The name of the layer's output in the generated code."""
    return f"h{layer.number}"


def norm_forward(layer: Layer, h: str, out: str) -> Lines:
    """Batch norm (per channel, over the batch and the positions) or layer norm (per row of the last axis), training
    mode: the mean, the biased variance, u = (x - m) r with r = 1/sqrt(v + eps), then gamma u + beta."""
    k, eps = layer.number, repr(float(layer["eps"]))
    axes, shape = _norm_axes(layer)
    return [
        f"m{k} = {h}.mean(axis={axes}, keepdims=True)",
        f"x{k} = {h} - m{k}",
        f"v{k} = (x{k} * x{k}).mean(axis={axes}, keepdims=True)  # the biased variance",
        f"r{k} = 1.0 / numpy.sqrt(v{k} + {eps})",
        f"u{k} = x{k} * r{k}",
        f"{out} = W{k}{shape} * u{k} + b{k}{shape}",
    ]


def norm_backward(layer: Layer, g: str, g_in: str | None) -> Lines:
    """dgamma = sum g u, dbeta = sum g, and the compact dx over the M values each statistic is taken over."""
    k = layer.number
    axes, shape = _norm_axes(layer)
    others = _others(layer)
    lines = [f"dW{k} = ({g} * u{k}).sum(axis={others})", f"db{k} = {g}.sum(axis={others})"]
    if not g_in:
        return lines
    count = f"n * {math.prod(layer.shape_in[1:])}" if layer.kind == "batchnorm" else str(layer.shape_in[-1])
    return [
        *lines,
        f"gu{k} = {g} * W{k}{shape}",
        f"M{k} = {count}  # the values each statistic is taken over",
        "# the three paths (direct, through the mean, through the variance) in one formula",
        f"{g_in} = (r{k} / M{k}) * (M{k} * gu{k} - gu{k}.sum(axis={axes}, keepdims=True)"
        f" - u{k} * (gu{k} * u{k}).sum(axis={axes}, keepdims=True))",
    ]


def _norm_axes(layer: Layer) -> tuple[str, str]:
    """The axes a statistic is taken over, and how gamma and beta broadcast."""
    rank = len(layer.shape_in) + 1
    if layer.kind == "layernorm":
        return "-1", ""
    axes = tuple(i for i in range(rank) if i != 1)
    return str(axes), "[:" + ", None" * (rank - 2) + "]" if rank > 2 else ""


def _others(layer: Layer) -> str:
    rank = len(layer.shape_in) + 1
    if layer.kind == "layernorm":
        return str(tuple(range(rank - 1)))
    return str(tuple(i for i in range(rank) if i != 1))


def rnn_forward(layer: Layer, h: str, out: str) -> Lines:
    """torch.nn.RNN (tanh, h_0 = 0): every step's input term in one product, then the steps in order."""
    k, hidden = layer.number, layer["hidden_size"]
    steps = layer.shape_in[0]
    last = f"{out} = s{k}" if layer["every_step"] else f"{out} = s{k}[:, -1]"
    return [
        f"q{k} = {h} @ W_ih{k}.T + (b_ih{k} + b_hh{k})  # every step's input term at once",
        f"s{k} = numpy.empty((n, {steps}, {hidden}), dtype=dt)",
        f"prev = numpy.tanh(q{k}[:, 0])  # h_0 = 0",
        f"s{k}[:, 0] = prev",
        f"for t in range(1, {steps}):",
        f"    prev = numpy.tanh(q{k}[:, t] + prev @ W_hh{k}.T)",
        f"    s{k}[:, t] = prev",
        last,
    ]


def rnn_backward(layer: Layer, g: str, g_in: str | None) -> Lines:
    """Back-propagation through time: delta_t from the step above and from the cost (every step's, or the last's)."""
    k, hidden, size = layer.number, layer["hidden_size"], layer.shape_in[1]
    steps = layer.shape_in[0]
    above = f"{g}[:, t]" if layer["every_step"] else f"({g} if t == {steps - 1} else 0.0)"
    lines = [
        f"e{k} = numpy.empty((n, {steps}, {hidden}), dtype=dt)",
        "carry = 0.0",
        f"for t in range({steps - 1}, -1, -1):",
        f"    delta = (carry + {above}) * (1.0 - s{k}[:, t] * s{k}[:, t])",
        f"    e{k}[:, t] = delta",
        f"    carry = delta @ W_hh{k}",
        f"em{k} = e{k}.reshape(-1, {hidden})",
        f"dW_ih{k} = em{k}.T @ {_input(layer)}.reshape(-1, {size})  # summed over the steps",
        f"dW_hh{k} = e{k}[:, 1:].reshape(-1, {hidden}).T @ s{k}[:, :-1].reshape(-1, {hidden})",
        f"db_ih{k} = em{k}.sum(axis=0)",
        f"db_hh{k} = _copy(db_ih{k})",
    ]
    return lines + ([f"{g_in} = e{k} @ W_ih{k}"] if g_in else [])


def _input(layer: Layer) -> str:
    """The name of the layer's input in the generated code (the layer below's output)."""
    return f"h{layer.number - 1}"
