"""A worked example's forward pass and training run as template data: the forward table, the plot of the cost
over the steps (TikZ coordinates for LaTeX, an SVG for Markdown and HTML), and the parameters before and after.

The plot is laid out here from the finished numbers: at most ``MAX_POINTS`` evenly spaced steps (the first and
the last always among them), the cost on a logarithmic axis when it falls by more than a factor of 100.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..model.network import Network
from ..model.references import layer_name
from ..model.training import HYPER, Training
from .data import Data, Printed
from .finished import TrainingResult

MAX_POINTS = 200
TINY, HUGE = 1e-300, 1e300  # costs outside these get a linear axis with only its two ends marked
WIDTH, HEIGHT = 11.0, 5.0  # the plot in cm
PX = 40  # SVG pixels per cm
MAX_FORWARD_WIDTH = 8  # a forward-pass table lists layers of up to this many neurons
MAX_PARAMETERS = 24  # the before/after table lists networks of up to this many parameters


def forward_rows(net: Network, forward: Sequence[tuple[Sequence[float], Sequence[float]]] | None) -> list[Data] | None:
    """One row per layer after the input: its name, z and a of the first sample; None for a network too wide."""
    if forward is None or max(net.layers[1:]) > MAX_FORWARD_WIDTH:
        return None
    return [
        {"layer": layer_name(layer, net.depth), "z": list(z), "a": list(a)}
        for layer, (z, a) in enumerate(forward, start=1)
    ]


def training_data(net: Network, result: TrainingResult, p: Printed) -> Data:
    """The run as a template receives it."""
    costs = list(result.trajectory)
    steps = len(costs) - 1
    shown = len(result.parameters) <= MAX_PARAMETERS
    return {
        "words": result.words,
        "tex_words": tex_words(result.setup) if result.setup is not None else result.words,
        "plain": result.plain,
        "steps_text": f"{steps:,}",
        "steps": steps,
        "first": costs[0],
        "last": costs[-1],
        "plot": plot(costs),
        "parameters": [
            {"symbol": p.expr(net.symbol(ref)), "before": before, "after": after}
            for ref, before, after in result.parameters
        ]
        if shown
        else None,
    }


_OPTIMIZERS = {
    "sgd": "gradient descent",
    "momentum": "gradient descent with momentum",
    "nesterov": "gradient descent with Nesterov momentum",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}
_HYPER_TEX = {
    "momentum": r"\mu",
    "dampening": r"\text{dampening}",
    "alpha": r"\alpha",
    "beta1": r"\beta_1",
    "beta2": r"\beta_2",
    "eps": r"\epsilon",
}


def tex_words(t: Training) -> str:
    """How a run was trained, in LaTeX: ``Adam ($\\beta_1 = 0.9$, ...), 100 steps on the full batch``."""
    plain = t.optimizer == "sgd" and not t.momentum
    hyper = [] if plain else [f"${_HYPER_TEX[k]} = {_tex(format(getattr(t, k), 'g'))}$" for k in HYPER[t.optimizer]]
    name = _OPTIMIZERS[t.optimizer] + (f" ({', '.join(hyper)})" if hyper else "")
    parts = [
        name,
        f"{t.steps:,} step{'s' if t.steps != 1 else ''} "
        + ("on the full batch" if t.batch == "full" else "of one sample each"),
    ]
    if t.weight_decay:
        parts.append(f"weight decay ${_tex(format(t.weight_decay, 'g'))}$")
    if not t.update_biases:
        parts.append("biases held fixed")
    return ", ".join(parts)


def plot(costs: Sequence[float]) -> Data:
    """The cost over the steps: the polyline's points in cm, the axes' ticks, and the same as an SVG."""
    steps = len(costs) - 1
    at = (
        sorted({round(i * steps / (MAX_POINTS - 1)) for i in range(MAX_POINTS)})
        if steps >= MAX_POINTS
        else range(steps + 1)
    )
    log = min(costs) > TINY and max(costs) < HUGE and max(costs) / min(costs) >= 100
    low, high, yticks = _log_axis(costs) if log else _linear_axis(costs)
    scale = (lambda c: math.log10(c)) if log else (lambda c: c)

    def y(c: float) -> float:
        span = high / 2 - low / 2  # halved: the difference of two numbers near float64's limit still fits
        return (scale(c) / 2 - low / 2) / span * HEIGHT if span > 0 else HEIGHT / 2

    def x(k: int) -> float:
        return k / steps * WIDTH if steps else 0.0

    points = [(x(k), y(costs[k])) for k in at]
    xticks = [(x(k), f"{k:,}") for k in _round_ticks(steps)]
    ticks = [(y(value), label) for value, label in yticks]
    return {
        "points": " -- ".join(f"({px:.3f},{py:.3f})" for px, py in points),
        "xticks": [{"at": f"{px:.3f}", "label": label} for px, label in xticks],
        "yticks": [{"at": f"{py:.3f}", "label": _tex(label)} for py, label in ticks],
        "log": log,
        "width": WIDTH,
        "height": HEIGHT,
        "svg": _svg(points, xticks, ticks, log),
    }


def _round_ticks(steps: int) -> list[int]:
    """Ticks for 0..steps at a round spacing (1, 2 or 5 times a power of ten), at most 6 of them."""
    if steps <= 0:
        return [0]
    spacing = 10 ** max(0, math.floor(math.log10(steps)) - 1)
    for factor in (1, 2, 5, 10, 20, 50):
        if steps // (factor * spacing) <= 5:
            spacing *= factor
            break
    return list(range(0, steps + 1, spacing))


def _log_axis(costs: Sequence[float]) -> tuple[float, float, list[tuple[float, str]]]:
    low, high = math.floor(math.log10(min(costs))), math.ceil(math.log10(max(costs)))
    every = max(1, math.ceil((high - low) / 6))
    return low, high, [(10.0**k, f"1e{k}") for k in range(low, high + 1, every)]


def _linear_axis(costs: Sequence[float]) -> tuple[float, float, list[tuple[float, str]]]:
    low, high = min(0.0, min(costs)), max(costs)
    if high <= low:
        return low, low + 1.0, [(low, f"{low:g}")]
    if not TINY < high - low < HUGE:  # past what the tick arithmetic can hold: the two ends alone
        return low, high, [(low, f"{low:.3g}"), (high, f"{high:.3g}")]
    step = 10.0 ** math.floor(math.log10((high - low) / 4))
    for factor in (1, 2, 5, 10):
        if (high - low) / (factor * step) <= 5:
            step *= factor
            break
    top = math.ceil(high / step) * step
    count = round((top - low) / step)
    return low, top, [(low + i * step, f"{low + i * step:.6g}") for i in range(count + 1)]


def _tex(label: str) -> str:
    """A tick's number in LaTeX: 1e-4 as 10^{-4}, 2.5e+17 as 2.5 \\cdot 10^{17}."""
    mantissa, e, exponent = label.partition("e")
    if not e:
        return label
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else f"{mantissa} \\cdot {power}"


def _svg(
    points: list[tuple[float, float]], xticks: list[tuple[float, str]], yticks: list[tuple[float, str]], log: bool
) -> str:
    """The plot as an SVG of its own (text made only of numbers the engine printed)."""
    left, top = 56, 12
    w, h = WIDTH * PX, HEIGHT * PX

    def sx(cm: float) -> float:
        return left + cm * PX

    def sy(cm: float) -> float:
        return top + h - cm * PX

    line = " ".join(f"{sx(px):.1f},{sy(py):.1f}" for px, py in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + w + 16:.0f}" height="{top + h + 40:.0f}" '
        f'role="img" aria-label="the cost over the training steps{" (logarithmic scale)" if log else ""}">',
        f'<line x1="{left}" y1="{top + h:.1f}" x2="{left + w:.1f}" y2="{top + h:.1f}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h:.1f}" stroke="black"/>',
        f'<polyline points="{line}" fill="none" stroke="#b22222" stroke-width="2"/>',
    ]
    for px, label in xticks:
        parts.append(
            f'<text x="{sx(px):.1f}" y="{top + h + 16:.1f}" font-size="12" text-anchor="middle">{label}</text>'
        )
    for py, label in yticks:
        parts.append(f'<text x="{left - 6}" y="{sy(py) + 4:.1f}" font-size="12" text-anchor="end">{label}</text>')
    parts.append(f'<text x="{left + w / 2:.1f}" y="{top + h + 34:.1f}" font-size="12" text-anchor="middle">step</text>')
    parts.append("</svg>")
    return "\n".join(parts)
