"""Each layer kind's forward and backward pass as NumPy statements over the whole batch: the templates the layer
stack's module (``layer_modules``) is printed from.

A kind's ``forward`` writes ``h{k}`` (layer k's output; ``h0`` is x) from its input; its ``backward`` takes
``g{k}`` (dC/dh{k}, the mean's 1/n already in it) and writes its parameters' gradients and, when a layer below
needs it, ``g{k-1}``. No statement changes an array another name holds, so a residual's gradient may be shared.

- convolution: the input's patches as one matrix (``sliding_window_view``, the im2col of the lessons), so the
  forward pass is one matrix product and dC/dW another (the correlation of the input with the upstream gradient);
  dC/dX puts each patch's gradient back where the patch came from, one kernel offset at a time (the full
  convolution with the flipped kernel, written as a scatter);
- max pooling: each window's first maximum in row-major order (``argmax``), where PyTorch and the graph route the
  gradient; average pooling spreads it evenly;
- batch and layer norm: the batch statistics, and the compact dC/dx = r/M (M g' - sum g' - u sum g' u), g' = gamma g;
- rnn: back-propagation through time, delta_t = (dC/dh_t + delta_{t+1} W_hh) (1 - h_t^2), the weights' gradients
  summed over the steps as two matrix products.
"""

from __future__ import annotations

import itertools
import math

import sympy as sp

from ..model.activations import activation as catalogue_activation
from ..model.layers.stack import Layer

Lines = list[str]


def activation_forward(name: str, z: str, a: str) -> Lines:
    act = catalogue_activation(name)
    if not act.elementwise:
        return [f"{a} = _softmax({z})"]
    if act.name.startswith("leaky_relu"):
        return [f"{a} = numpy.where({z} > 0.0, {z}, {slope(name)} * {z})"]
    form = {
        "sigmoid": "_sigmoid({z})",
        "tanh": "numpy.tanh({z})",
        "relu": "numpy.maximum({z}, 0.0)",
        "softplus": "numpy.logaddexp(0.0, {z})",
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
    return repr(float(-catalogue_activation(name).form(sp.Integer(-1))))  # type: ignore[misc]


def dense_forward(layer: Layer, h: str, z: str) -> Lines:
    k = layer.number
    return [f"{z} = {h} @ W{k}.T + b{k}"]


def dense_backward(layer: Layer, h: str, gz: str, g_in: str | None) -> Lines:
    k, rows = layer.number, len(layer.shape_in) > 1
    gm, hm = (f"{gz}.reshape(-1, {layer['size']})", f"{h}.reshape(-1, {layer.shape_in[-1]})") if rows else (gz, h)
    lines = [f"dW{k} = {gm}.T @ {hm}", f"db{k} = {gm}.sum(axis=0)"]
    return lines + ([f"{g_in} = {gz} @ W{k}"] if g_in else [])


def _windows(layer: Layer, h: str, size: int, stride: int) -> str:
    """The view of every window, (n, channels, *positions, *offsets), strided."""
    d = len(layer.shape_in) - 1
    axes = tuple(range(2, 2 + d))
    return f"sliding_window_view({h}, {(size,) * d}, axis={axes})" + _every(d, stride)


def _every(d: int, stride: int) -> str:
    return "" if stride == 1 else "[:, :, " + ", ".join([f"::{stride}"] * d) + "]"


def _offset_slices(d: int, offsets: tuple[int, ...], stride: int, out: tuple[int, ...]) -> str:
    """The input positions a kernel offset touches, one per output position."""
    parts = [f"{u}:{u + stride * (m - 1) + 1}" + (f":{stride}" if stride > 1 else "") for u, m in zip(offsets, out)]
    return "[:, :, " + ", ".join(parts) + "]"


def conv_forward(layer: Layer, h: str, out: str) -> Lines:
    k, pad, kernel = layer.number, layer["padding"], layer["kernel"]
    channels, d = layer.shape_in[0], len(layer.shape_in) - 1
    o, positions = layer["out_channels"], layer.shape_out[1:]
    lines = []
    source = h
    if pad:
        widths = ", ".join(["(0, 0)", "(0, 0)"] + [f"({pad}, {pad})"] * d)
        lines.append(f"p{k} = numpy.pad({h}, ({widths}))")
        source = f"p{k}"
    order = (0, *range(2, 2 + d), 1, *range(2 + d, 2 + 2 * d))
    patch = channels * kernel**d
    lines += [
        f"c{k} = {_windows(layer, source, kernel, layer['stride'])}"
        f".transpose{order}.reshape(-1, {patch})  # im2col: one row per output position",
        f"{out} = (c{k} @ W{k}.reshape({o}, {patch}).T + b{k})"
        f".reshape(n, {', '.join(map(str, positions))}, {o}).transpose{(0, d + 1, *range(1, d + 1))}",
    ]
    return lines


def conv_backward(layer: Layer, gz: str, g_in: str | None) -> Lines:
    k, pad, kernel, stride = layer.number, layer["padding"], layer["kernel"], layer["stride"]
    channels, d = layer.shape_in[0], len(layer.shape_in) - 1
    o, positions = layer["out_channels"], layer.shape_out[1:]
    weight = (o, channels, *(kernel,) * d)
    lines = [
        f"gm{k} = {gz}.transpose{(0, *range(2, 2 + d), 1)}.reshape(-1, {o})",
        f"dW{k} = (gm{k}.T @ c{k}).reshape{weight}  # the correlation of the input with the upstream gradient",
        f"db{k} = gm{k}.sum(axis=0)",
    ]
    if not g_in:
        return lines
    padded = tuple(n + 2 * pad for n in layer.shape_in[1:])
    lines += [
        f"gc{k} = (gm{k} @ W{k}.reshape({o}, {channels * kernel**d})).reshape(n, {', '.join(map(str, positions))}, "
        f"{channels}, {', '.join([str(kernel)] * d)})",
        f"gp{k} = numpy.zeros((n, {channels}, {', '.join(map(str, padded))}), dtype=dt)",
        "# each patch's gradient back where the patch was read: the full convolution with the flipped kernel",
    ]
    move = (0, d + 1, *range(1, d + 1))
    for offsets in itertools.product(range(kernel), repeat=d):
        at = ", ".join(map(str, offsets))
        lines.append(f"gp{k}{_offset_slices(d, offsets, stride, positions)} += gc{k}[..., {at}].transpose{move}")
    crop = "[:, :, " + ", ".join([f"{pad}:{pad + n}" for n in layer.shape_in[1:]]) + "]" if pad else ""
    return lines + [f"{g_in} = gp{k}{crop}"]


def pool_forward(layer: Layer, h: str, out: str) -> Lines:
    k, size, stride = layer.number, layer["size"], layer["stride"]
    d = len(layer.shape_in) - 1
    window = size**d
    positions = ", ".join(map(str, layer.shape_out[1:]))
    view = _windows(layer, h, size, stride)
    if layer.kind == "avgpool2d":
        return [f"{out} = {view}.mean(axis={tuple(range(-d, 0))})"]
    return [
        f"w{k} = {view}.reshape(n, {layer.shape_in[0]}, {positions}, {window})",
        f"i{k} = w{k}.argmax(axis=-1)[..., None]  # each window's first maximum, in row-major order",
        f"{out} = numpy.take_along_axis(w{k}, i{k}, axis=-1)[..., 0]",
    ]


def pool_backward(layer: Layer, g: str, g_in: str) -> Lines:
    k, size, stride = layer.number, layer["size"], layer["stride"]
    d = len(layer.shape_in) - 1
    window = size**d
    positions = layer.shape_out[1:]
    lines = []
    if layer.kind == "avgpool2d":
        lines.append(f"gw{k} = {g} / {float(window)!r}  # spread evenly over the window")
        share = lambda offsets: f"gw{k}"  # noqa: E731
    else:
        lines.append(f"gw{k} = (i{k} == numpy.arange({window})) * {g}[..., None]  # routed to the arg max")
        share = lambda offsets: f"gw{k}[..., {sum(u * size ** (d - 1 - i) for i, u in enumerate(offsets))}]"  # noqa: E731
    if stride == size:  # the windows tile the input: putting them back is a reshape
        if layer.kind == "avgpool2d":
            lines.append(
                f"gw{k} = numpy.broadcast_to(gw{k}[{'..., ' + ', '.join(['None'] * d)}], "
                f"(n, {layer.shape_in[0]}, {', '.join(map(str, positions))}, {', '.join([str(size)] * d)}))"
            )
        else:
            lines.append(
                f"gw{k} = gw{k}.reshape(n, {layer.shape_in[0]}, {', '.join(map(str, positions))}, "
                f"{', '.join([str(size)] * d)})"
            )
        interleave = (0, 1, *itertools.chain.from_iterable((2 + i, 2 + d + i) for i in range(d)))
        sides = ", ".join(map(str, layer.shape_in[1:]))
        return lines + [f"{g_in} = gw{k}.transpose{interleave}.reshape(n, {layer.shape_in[0]}, {sides})"]
    lines.append(f"{g_in} = numpy.zeros((n, {', '.join(map(str, layer.shape_in))}), dtype=dt)")
    for offsets in itertools.product(range(size), repeat=d):
        lines.append(f"{g_in}{_offset_slices(d, offsets, stride, positions)} += {share(offsets)}")
    return lines


def norm_forward(layer: Layer, h: str, out: str) -> Lines:
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
    k = layer.number
    axes, shape = _norm_axes(layer)
    others = _others(layer)
    lines = [f"dW{k} = ({g} * u{k}).sum(axis={others})", f"db{k} = {g}.sum(axis={others})"]
    if not g_in:
        return lines
    count = f"n * {math.prod(layer.shape_in[1:])}" if layer.kind == "batchnorm" else str(layer.shape_in[-1])
    return lines + [
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
        f"dW_ih{k} = em{k}.T @ {h_name(layer)}.reshape(-1, {size})  # summed over the steps",
        f"dW_hh{k} = e{k}[:, 1:].reshape(-1, {hidden}).T @ s{k}[:, :-1].reshape(-1, {hidden})",
        f"db_ih{k} = em{k}.sum(axis=0)",
        f"db_hh{k} = db_ih{k}.copy()",
    ]
    return lines + ([f"{g_in} = e{k} @ W_ih{k}"] if g_in else [])


def h_name(layer: Layer) -> str:
    return f"h{layer.number - 1}"
