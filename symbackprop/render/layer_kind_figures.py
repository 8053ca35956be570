"""Each layer kind's figure as its lesson draws it, for one sample (the derived name's, or sample 0):

- convolution: the input grid, the kernel and the output grid (X ⋆ K = Z); for a kernel weight, every input cell
  it multiplies numbered with the output cell it makes (dC/dW as the correlation of the input with the output's
  gradient), else the window the first output on the path reads;
- pooling: the windows, and for a max pool the arg max each routes its gradient to, with the values;
- batch and layer norm: the values of one channel (one row) to the mean, the variance, the normalised values and
  the outputs, the three paths from the derived x_i to its u_i (direct, through the mean, through the variance);
- rnn: the net unrolled over time, x_t -> h_t -> h_{t+1}, the shared weights marked at every step.

A grid is drawn to at most SHOW output cells a side (of a larger one, the part holding the path's first cell, said
in the caption). Hot cells are the names on the path; marks are what the lesson points at besides.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..model.layers.stack import Layer
from ..model.layers.wiring import element_name
from .figure_canvas import Canvas, label_cm
from .figure_scene import Scene
from .graph_figure import number

SHOW = 6  # output cells a side drawn at most
CELL, GAP, BLOCK_GAP = 0.5, 1.1, 0.18


def _planar(array: np.ndarray) -> np.ndarray:
    """A 1-d row as a grid of one row."""
    return array.reshape(1, -1) if array.ndim == 1 else array


def _grid(
    c: Canvas,
    names: np.ndarray,
    left: float,
    top: float,
    scene: Scene,
    marks: dict[tuple[int, int], str],
    texts: dict[tuple[int, int], str],
    size: float = CELL,
    text_size: str = "tiny",
    block: tuple[int, int] = (0, 0),
) -> dict[tuple[int, int], tuple[float, float]]:
    """A grid of cells, row 0 at the top; a cell of None (zero padding) faded; ``block``: a gap after every so
    many rows and columns (a pool's windows). Returns each cell's centre."""
    centres = {}
    for (i, j), name in np.ndenumerate(names):
        x = left + (j + 0.5) * size + (j // block[1] * BLOCK_GAP if block[1] else 0.0)
        y = top - (i + 0.5) * size - (i // block[0] * BLOCK_GAP if block[0] else 0.0)
        centres[(i, j)] = (x, y)
        known = name is not None
        c.cell(
            x,
            y,
            size,
            size,
            tex=texts.get((i, j), "" if known else "0"),
            name=str(name) if known else None,
            hot=known and str(name) in scene.hot,
            mark="source" if known and str(name) == scene.wrt else marks.get((i, j), ""),
            faded=not known,
            size=text_size,
        )
    return centres


def _excerpt(shape: tuple[int, ...], origin: tuple[int, int], shown: tuple[int, int], what: str) -> str:
    """What part of a grid is drawn, when not all of it."""
    if shown == shape:
        return ""
    rows, cols = (f"{o} to {o + k - 1}" for o, k in zip(origin, shown, strict=True))
    return f" Drawn: rows {rows} and columns {cols} of the {shape[0]} x {shape[1]} {what}."


def _first(names: np.ndarray, hot: set[str]) -> tuple[int, ...] | None:
    return next((tuple(int(i) for i in at) for at, n in np.ndenumerate(names) if str(n) in hot), None)


def _origin(focus: tuple[int, ...] | None, shape: tuple[int, ...], shown: tuple[int, int]) -> tuple[int, int]:
    """Where an excerpt of ``shown`` cells of a grid of ``shape`` starts, so that ``focus`` is in it."""
    if focus is None:
        return (0, 0)
    return (
        max(0, min(focus[0] - shown[0] // 2, shape[0] - shown[0])),
        max(0, min(focus[1] - shown[1] // 2, shape[1] - shown[1])),
    )


def _conv_grids(scene: Scene, layer: Layer) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...], int, int]:
    """The padded input plane, the kernel and the output plane drawn; the weight's offset (a kernel weight
    derived), the output and the input channel."""
    n, L, pad = scene.sample, layer.number, layer["padding"]
    place = scene.where.get(scene.wrt or "", (None, "", ()))
    outputs, inputs = scene.outputs(L)[n], scene.outputs(L - 1)[n]
    offset: tuple[int, ...] = ()
    if place[0] == L and place[1] == "weight":
        o, ch, *rest = place[2]
        offset = (0, rest[0]) if len(rest) == 1 else tuple(rest)
    else:
        o, ch = (_first(outputs, scene.hot) or (0,))[0], (_first(inputs, scene.hot) or (0,))[0]
    x = _planar(inputs[ch])
    rows = pad if layer.kind == "conv2d" else 0
    padded = np.full((x.shape[0] + 2 * rows, x.shape[1] + 2 * pad), None, dtype=object)
    padded[rows : rows + x.shape[0], pad : pad + x.shape[1]] = x
    return padded, _planar(scene.parameter(L, "weight")[o, ch]), _planar(outputs[o]), offset, o, ch


def conv_figure(scene: Scene, layer: Layer) -> dict[str, Any]:
    """X ⋆ K = Z for one input channel, one output channel and one sample."""
    n, L, s = scene.sample, layer.number, layer["stride"]
    padded, kern, z, offset, o, ch = _conv_grids(scene, layer)
    kh, kw = kern.shape
    shown = (min(z.shape[0], SHOW), min(z.shape[1], SHOW))
    focus = None if offset else (_first(z, scene.hot) or (0, 0))
    r0, c0 = _origin(focus, z.shape, shown)
    ho, wo = shown
    hi, wi = min(padded.shape[0] - r0 * s, (ho - 1) * s + kh), min(padded.shape[1] - c0 * s, (wo - 1) * s + kw)
    x_view, z_view = padded[r0 * s : r0 * s + hi, c0 * s : c0 * s + wi], z[r0 : r0 + ho, c0 : c0 + wo]
    in_marks: dict[tuple[int, int], str] = {}
    in_texts: dict[tuple[int, int], str] = {}
    out_marks: dict[tuple[int, int], str] = {}
    out_texts: dict[tuple[int, int], str] = {}
    k_marks: dict[tuple[int, int], str] = {}
    if offset:  # a kernel weight: every (input, output) pair it links, numbered alike
        u, v = offset[0], offset[1]
        k_marks[(u, v)] = "source"
        for count, (i, j) in enumerate(itertools.product(range(ho), range(wo)), start=1):
            at = (i * s + u, j * s + v)
            in_marks[at], in_texts[at], out_texts[(i, j)] = "pair", str(count), str(count)
        read = f"every input cell ${scene.wrt}$ multiplies, numbered with the output cell it makes"
        told = (
            "dC/dW is their correlation: the sum over the pairs (and the samples) of each numbered input times the "
            "gradient at the output numbered alike."
        )
    else:  # the window the first output on the path reads
        assert focus is not None
        fi, fj = focus[0] - r0, focus[1] - c0
        out_marks[(fi, fj)] = "window"
        for a, b in itertools.product(range(kh), range(kw)):
            in_marks[(fi * s + a, fj * s + b)] = "window"
        read = f"the window of the input that the output cell ${z[focus[0], focus[1]]}$ reads"
        told = "Each output cell is the sum of its window times the kernel, plus the bias."
    c = Canvas()
    cx = _grid(c, x_view, 0.0, max(hi, kh, ho) * CELL / 2, scene, in_marks, in_texts)
    kl = wi * CELL + GAP
    _grid(c, kern, kl, kh * CELL / 2, scene, k_marks, {})
    zl = kl + kw * CELL + GAP
    cz = _grid(c, z_view, zl, ho * CELL / 2, scene, out_marks, out_texts)
    c.text(kl - GAP / 2, 0, tex="\\star", size="small")
    c.text(zl - GAP / 2, 0, tex="=", size="small")
    if focus is not None:  # from the window to the cell that reads it, over the kernel
        window = [cx[at] for at, m in in_marks.items() if m == "window"]
        x0, y0 = max(p[0] for p in window) + CELL / 2, max(p[1] for p in window) + CELL / 2
        x1, y1 = cz[(fi, fj)]
        rise = max(hi, kh, ho) * CELL / 2 + 0.15
        c.line(
            [(x0 - CELL / 2, y0), (x0 - CELL / 2, rise), (x1, rise), (x1, y1 + CELL / 2)],
            hot=str(z_view[fi, fj]) in scene.hot,
        )
    lines = max(hi, ho, kh) * CELL / 2 + 0.3
    c.text(wi * CELL / 2, lines, tex=_family(scene.outputs(L - 1)[n, ch]), anchor="south")
    c.text(kl + kw * CELL / 2, lines, tex=_family(scene.parameter(L, "weight")[o, ch]), anchor="south")
    c.text(zl + wo * CELL / 2, lines, tex=_family(scene.outputs(L)[n, o]), anchor="south")
    caption = (
        f"Layer {L} ({layer.kind}), sample {n}, input channel {ch} and output channel {o}: the input (zero padding "
        f"faded), the kernel and the output. Marked in orange, {read}; in blue, the cells on the path to the cost. "
        + told
        + _excerpt(z.shape, (r0, c0), shown, "output")
    )
    hot = sum(1 for cell in c.cells if cell["hot"])
    description = (
        f"Three grids side by side: the input of layer {L}, the kernel and the output, for sample {n}. "
        f"{len(in_marks)} input cells marked, {hot} cells on the path highlighted."
    )
    return c.figure(layer.kind, L, f"Layer {L}: the convolution", description, caption)


def _family(names: np.ndarray) -> str:
    """A grid's name: its first element's with the grid's own indices as dots, ``z^{(1)}_{0,0,\\cdot,\\cdot}``."""
    first = str(np.asarray(names).flat[0])
    base, _, sub = first.partition("_{")
    parts = sub.rstrip("}").split(",")
    dots = np.asarray(names).ndim
    return base + "_{" + ",".join(parts[: len(parts) - dots] + ["\\cdot"] * dots) + "}"


def pool_figure(scene: Scene, layer: Layer) -> dict[str, Any]:
    """The windows of one channel of one sample, with the values, each max window's arg max marked."""
    n, L, size, s = scene.sample, layer.number, layer["size"], layer["stride"]
    outputs = scene.outputs(L)[n]
    ch = (_first(outputs, scene.hot) or (0,))[0]
    a, p = _planar(scene.outputs(L - 1)[n, ch]), _planar(outputs[ch])
    two = layer.kind != "maxpool1d"
    kh = size if two else 1
    ho, wo = min(p.shape[0], 4), min(p.shape[1], 4 if two else 8)
    r0, c0 = _origin(_first(p, scene.hot), p.shape, (ho, wo))
    p_view = p[r0 : r0 + ho, c0 : c0 + wo]
    a = a[r0 * s : r0 * s + (ho - 1) * s + kh, c0 * s : c0 * s + (wo - 1) * s + size]
    hi, wi = a.shape
    value = lambda name: number(scene.values.get(str(name)))  # noqa: E731
    marks: dict[tuple[int, int], str] = {}
    argmaxes: list[tuple[int, int]] = []
    for i, j in itertools.product(range(ho), range(wo)):
        cells = [(i * s + u, j * s + v) for u in range(kh) for v in range(size)]
        if layer.kind.startswith("max") and all(str(a[at]) in scene.values for at in cells):
            best = max(cells, key=lambda at: (scene.values[str(a[at])], -cells.index(at)))
            marks[best] = "argmax"
            argmaxes.append(best)
    c, cell = Canvas(), 0.8
    apart = (kh, size) if s == size else (0, 0)  # windows that do not overlap drawn apart
    room = (wi * cell + (wi - 1) // size * BLOCK_GAP) if apart[1] else wi * cell
    top = max(hi, ho) * cell / 2
    texts = {at: value(a[at]) or "" for at in np.ndindex(hi, wi)}
    ca = _grid(c, a[:hi, :wi], 0.0, top, scene, marks, texts, cell, block=apart)
    pl = room + 1.6
    out_texts = {at: value(p_view[at]) or "" for at in np.ndindex(ho, wo)}
    _grid(c, p_view, pl, ho * cell / 2, scene, {}, out_texts, cell)
    c.text(pl - 0.8, 0.0, tex="\\to", size="small")
    for i, j in itertools.product(range(ho), range(wo)):
        x0, y0 = ca[(i * s, j * s)][0] - cell / 2 - 0.04, ca[(i * s, j * s)][1] + cell / 2 + 0.04
        x1, y1 = x0 + size * cell + 0.08, y0 - kh * cell - 0.08
        hot = str(p_view[i, j]) in scene.hot
        c.line([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], hot=hot, arrow=False, style="outline")
    lines = max(hi, ho) * cell / 2 + 0.1
    c.text(pl + wo * cell / 2, lines, tex=_family(outputs[ch]), anchor="south")
    c.text(room / 2, lines, tex=_family(scene.outputs(L - 1)[n, ch]), anchor="south")
    if layer.kind.startswith("max"):
        words = "each window's arg max (orange; the first in row order at a tie) gets the whole gradient of the "
        words += "output cell in the same place, the window's other cells 0"
    else:
        words = f"each of a window's {kh * size} cells gets 1/{kh * size} of the output's gradient"
    caption = (
        f"Layer {L} ({layer.kind}), sample {n}, channel {ch}: its input and its output with their values, "
        f"each window framed: {words}. In blue, the windows and cells on the path to the cost."
        + _excerpt(p.shape, (r0, c0), (ho, wo), "output")
    )
    description = (
        f"The input grid of layer {L} with its {ho * wo} windows framed, and the pooled output grid beside it; "
        + (f"in each window its arg max marked, {len(argmaxes)} in all." if argmaxes else "")
    )
    return c.figure(layer.kind, L, f"Layer {L}: pooling", description, caption)


def norm_figure(scene: Scene, layer: Layer) -> dict[str, Any]:
    """One channel's (one row's) values x_j to the mean m, the variance v, each u_j and z_j: the three paths."""
    n, L = scene.sample, layer.number
    x_all, u_all, z_all = scene.outputs(L - 1), _named(scene, "u", L), scene.outputs(L)
    place = scene.where.get(scene.wrt or "", (None, "", ()))
    focus: tuple[int, ...] = place[2]
    if place[0] != L - 1 or place[1] != "output":
        focus = (n, *(_first(z_all[n : n + 1], scene.hot) or (0,) * x_all.ndim)[1:])
    stat: tuple[int, ...] = (focus[1],) if layer.kind == "batchnorm" else focus[:-1]
    if layer.kind == "batchnorm":
        group = [at for at in np.ndindex(*x_all.shape) if at[1] == focus[1]]
        gamma_at = (focus[1],)
    else:
        group = [(*stat, j) for j in range(x_all.shape[-1])]
        gamma_at = (focus[-1],)
    shown = sorted({*group[:2], focus, group[-1]}, key=group.index)
    m, v = element_name("m", L, stat), element_name("v", L, stat)
    gamma, beta = (str(scene.parameter(L, name)[gamma_at]) for name in ("weight", "bias"))
    c = Canvas()
    ys = {at: -k * 1.3 for k, at in enumerate(shown)}
    top, bottom = ys[shown[0]], ys[shown[-1]]
    box = lambda name: label_cm(name) + 0.3  # noqa: E731
    spots: dict[str, tuple[float, float]] = {m: (3.2, top + 1.1), v: (5.0, bottom - 1.1)}
    spots |= {gamma: (9.6, top + 1.1), beta: (11.0, top + 1.1)}
    for at in shown:
        spots |= {str(x_all[at]): (0.0, ys[at]), str(u_all[at]): (7.2, ys[at]), str(z_all[at]): (10.3, ys[at])}
    for name, (x, y) in spots.items():
        mark = "source" if name == scene.wrt else ""
        c.cell(x, y, box(name), 0.55, tex=name, name=name, hot=name in scene.hot, mark=mark, size="script")
    for target, (tx, ty) in spots.items():
        for source in scene.inputs.get(target, []):
            if source in spots:
                sx, sy = spots[source]
                hot = source in scene.hot and target in scene.hot
                start = (
                    (sx + box(source) / 2, sy)
                    if sy == ty or abs(tx - sx) > 2
                    else (sx, sy - 0.275 if sy > ty else sy + 0.275)
                )
                end = (tx - box(target) / 2, ty) if tx - sx > 0.5 else (tx, ty + 0.275 if sy > ty else ty - 0.275)
                if source in (gamma, beta):
                    end = (tx, ty + 0.275)
                c.line([start, end], hot=hot)
    for at in shown:
        x, y = spots[str(z_all[at])]
        c.line(
            [(x + box(str(z_all[at])) / 2, y), (x + box(str(z_all[at])) / 2 + 0.7, y)], hot=str(z_all[at]) in scene.hot
        )
    if len(shown) < len(group):
        c.text(0.0, ys[shown[-1]] + 0.55, tex="\\vdots", size="script")
    xi = str(x_all[focus])
    if xi in scene.hot:
        x0, y0 = spots[xi][0] + box(xi) / 2, spots[xi][1]
        for words, target in (("direct", str(u_all[focus])), ("through the mean", m), ("through the variance", v)):
            tx, ty = spots[target][0] - box(target) / 2, spots[target][1]
            c.text(
                x0 + (tx - x0) * 0.3, y0 + (ty - y0) * 0.3 + 0.05, words=words, anchor="south", size="tiny", hot=True
            )
    count = len(group)
    scope = f"channel {focus[1]} over the batch" if layer.kind == "batchnorm" else "one row of the last dimension"
    caption = (
        f"Layer {L} ({layer.kind}): the {count} values of {scope}"
        + (f" ({len(shown)} drawn)" if len(shown) < count else "")
        + f", their mean ${m}$ and variance ${v}$, each normalised value u and output z = gamma u + beta. "
        + (
            f"From ${xi}$ three paths reach ${u_all[focus]}$: directly, through the mean and through the variance "
            "(which the mean feeds too); and, through the mean and the variance, every other u. "
            if xi in scene.hot
            else ""
        )
        + "In blue, the path to the cost."
    )
    description = (
        f"The values of {scope} in a column on the left, the mean and the variance in the middle, the normalised "
        f"values and the outputs on the right; {sum(1 for cell in c.cells if cell['hot'])} boxes on the path "
        "highlighted."
    )
    return c.figure(layer.kind, L, f"Layer {L}: the normalisation's paths", description, caption)


def _named(scene: Scene, letter: str, L: int) -> np.ndarray:
    """A normalisation's u (a node array of the layer's output shape, by name)."""
    shape = scene.outputs(L).shape
    out = np.empty(shape, dtype=object)
    for at in np.ndindex(*shape):
        out[at] = element_name(letter, L, at)
    return out


def rnn_figure(scene: Scene, layer: Layer) -> dict[str, Any]:
    """The net unrolled over time for one sample: x_t into h_t, h_{t-1} into h_t, the weights at every step."""
    n, L = scene.sample, layer.number
    x = scene.outputs(L - 1)[n]
    steps, hidden = x.shape[0], layer["hidden_size"]
    h = np.array([[element_name("h", L, (n, t, j)) for j in range(hidden)] for t in range(steps)], dtype=object)
    shown: Sequence[int | None] = list(range(steps)) if steps <= 6 else [0, 1, 2, None, steps - 2, steps - 1]
    place = scene.where.get(scene.wrt or "", (None, "", ()))
    weight_hot = {name: place[0] == L and place[1] == name for name in ("weight_ih_l0", "weight_hh_l0")}
    c, step = Canvas(), 2.2
    hot_h = {t: any(str(e) in scene.hot for e in h[t]) for t in range(steps)}
    hot_x = {t: any(str(e) in scene.hot for e in x[t]) for t in range(steps)}
    c.cell(0.0, 1.6, 0.7, 0.6, tex="0", faded=True, size="script")
    before: tuple[float, bool] | None = (0.0, False)
    for k, t in enumerate(shown):
        cx = (k + 1) * step
        if t is None:
            c.text(cx, 1.6, tex="\\cdots", size="small")
            c.text(cx, 0.0, tex="\\cdots", size="small")
            before = None
            continue
        c.cell(cx, 1.6, 0.9, 0.6, tex=f"h_{{{t}}}", hot=hot_h[t], size="script")
        c.cell(cx, 0.0, 0.9, 0.6, tex=f"x_{{{t}}}", hot=hot_x[t], size="script")
        up = hot_x[t] and hot_h[t]
        c.line([(cx, 0.3), (cx, 1.3)], hot=up)
        c.cell(cx + 0.3, 0.8, 0.42, 0.36, tex="W", mark="source" if weight_hot["weight_ih_l0"] else "", size="script")
        if before is not None:
            back = before[1] and hot_h[t]
            c.line([(before[0] + 0.45 if k else 0.35, 1.6), (cx - 0.45, 1.6)], hot=back)
        if before is not None and k:  # no U into the first step: the state before it is 0
            c.cell(
                cx - step / 2,
                1.9,
                0.42,
                0.36,
                tex="U",
                mark="source" if weight_hot["weight_hh_l0"] else "",
                size="script",
            )
        elif k:
            c.line([(cx - step / 2 + 0.3, 1.6), (cx - 0.45, 1.6)], hot=hot_h[t])
        if layer["every_step"] or t == steps - 1:
            c.line([(cx, 1.9), (cx, 2.7)], hot=hot_h[t])
        before = (cx, hot_h[t])
    if steps > 6:
        c.line([(3 * step + 0.45, 1.6), (4 * step - 0.3, 1.6)], hot=hot_h[2])
    if layer["every_step"]:
        c.text(
            (len(shown) + 1) * step / 2, 2.75, words="every step's h to the layers above and the cost", anchor="south"
        )
    else:
        c.text(len(shown) * step - 0.15, 2.45, words="the last h to the layers above and the cost", anchor="east")
    wrt = f"${scene.wrt}$" if scene.wrt else "the parameters"
    caption = (
        f"Layer {L} (rnn) unrolled over its {steps} time steps for sample {n}"
        + (", the first three and the last two drawn" if steps > 6 else "")
        + ": $h_t = \\tanh(W x_t + U h_{t-1} + b + c)$, the state before the first step being 0. "
        + "The same W and U at every step"
        + (" (orange: the one derived)" if any(weight_hot.values()) else "")
        + f"; in blue the steps on the path from {wrt} to the cost, each $h_{{t-1}}$ reached through $h_t$."
    )
    description = (
        f"Boxes x_t below and h_t above for each drawn time step, arrows from x_t up to h_t marked W and from h_(t-1) "
        f"to h_t marked U; {sum(hot_h.values())} hidden states on the path highlighted."
    )
    return c.figure("rnn", L, f"Layer {L}: the rnn unrolled over time", description, caption)


DRAWN: dict[str, Callable[[Scene, Layer], dict[str, Any]]] = {
    "conv1d": conv_figure,
    "conv2d": conv_figure,
    "maxpool1d": pool_figure,
    "maxpool2d": pool_figure,
    "avgpool2d": pool_figure,
    "batchnorm": norm_figure,
    "layernorm": norm_figure,
    "rnn": rnn_figure,
}
