"""``symbackprop evaluate``: a network's numbers at its values (or values drawn from a seed), and its training run.

The forward pass, the cost, every gradient and one gradient-descent step; with ``--steps N`` or
a ``[training]`` table, the cost before each step and after the last (the trajectory) and the
parameters after the last step.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

from ..base.errors import SpecError
from ..base.stages import stage
from ..derive import bounds
from ..model.network import Network
from ..model.references import layer_name
from ..model.spec import Values
from ..model.training import Training, read_training
from ..numeric import numbers as numeric
from ..numeric.training import report
from . import graph_commands
from .inputs import load_graph, load_spec, load_stack
from .terminal import EXIT_OK, emit

NOT_TRAINED = "a graph (or a network with skip or tie) is not trained"
MAX_ROWS = 21  # trajectory rows printed as text; a longer run is shown at evenly spaced steps


def cmd_evaluate(args: argparse.Namespace) -> int:
    if (arrays := load_stack(args)) is not None:
        if args.steps is not None or args.learning_rate is not None:
            raise SpecError(f"--steps and --learning-rate train a layered network; {NOT_TRAINED}")
        return graph_commands.evaluate_arrays(args, *arrays)
    if (graph := load_graph(args)) is not None:
        if args.steps is not None or args.learning_rate is not None:
            raise SpecError(f"--steps and --learning-rate train a layered network; {NOT_TRAINED}")
        return graph_commands.evaluate(args, *graph)
    net, inputs = load_spec(args)
    stage("deriving every gradient")
    bounds.check_numeric(net, "evaluate")
    values, drawn = _values(net, args)
    training = _training(net, args)
    stage("computing the gradient")
    numbers = numeric.evaluate(net, values)
    if training is not None:
        if values.learning_rate is None:
            raise SpecError("training needs a learning rate: give learning_rate in [values], or --learning-rate")
        stage(f"training for {training.steps} steps")
        numbers.update(report(net, values, training))
    if drawn:
        numbers = {"random_values": _drawn(net, values, args.seed), **numbers}
    plain = training is None or training.plain_descent  # else the run below is not the step shown above it
    text = json.dumps(numbers, indent=2) + "\n" if args.json else _table(net, numbers, plain)
    emit(text, args.output, inputs)
    return EXIT_OK


def _values(net: Network, args: argparse.Namespace) -> tuple[Values, bool]:
    """The spec's values, or values drawn from ``--seed`` where it gives none; ``--learning-rate`` set on them."""
    values, drawn = net.spec.values, False
    if values is None:
        values, drawn = numeric.random_values(net, seed=args.seed), True
    if args.learning_rate is not None:
        values = replace(values, learning_rate=args.learning_rate)
    return values, drawn


def _training(net: Network, args: argparse.Namespace) -> Training | None:
    if net.spec.training is None:
        return None if args.steps is None else read_training({}, args.steps)
    if args.steps is None:
        return net.spec.training
    return replace(net.spec.training, steps=read_training({}, args.steps).steps)


def _drawn(net: Network, values: Values, seed: int) -> dict[str, Any]:
    return {
        "seed": seed,
        "x": values.x.tolist(),
        "y": values.y.tolist(),
        "weights": [w.tolist() for w in values.weights],
        "biases": numeric.bias_list(net, values.biases),
    }


def _table(net: Network, numbers: dict[str, Any], plain: bool) -> str:
    lines = []
    if "random_values" in numbers:
        drawn = numbers["random_values"]
        lines += [
            f"the spec gives no [values]: {len(drawn['x'])} samples and every parameter drawn at random "
            f"(seed {drawn['seed']}; --json prints them)",
            "",
        ]
    lines += [f"cost C = {numbers['cost']:.10g}", "", "forward pass (first sample):"]
    for layer, a in enumerate(numbers["a"]):
        name = layer_name(layer, net.depth)
        z = f"  z = {_row(numbers['z'][layer - 1])}" if layer else ""
        lines.append(f"  layer {name:>4}: a = {_row(a)}{z}")
    lines += ["", "gradient of the mean cost:"]
    for layer, g in enumerate(numbers["grad_weights"], start=1):
        lines.append(f"  dC/dw^({layer_name(layer, net.depth)}) =")
        lines += [f"    {_row(row)}" for row in g]
    for layer, g in enumerate(numbers["grad_biases"], start=1):
        lines.append(f"  dC/db^({layer_name(layer, net.depth)}) = {_row(g if isinstance(g, list) else [g])}")
    if "updated_weights" in numbers:
        lines += ["", "after one gradient-descent step:" if plain else "after one step of plain gradient descent:"]
        lines += _parameters(net, numbers["updated_weights"], numbers["updated_biases"])
    if "trajectory" in numbers:
        lines += ["", *_trajectory(numbers["training"], numbers["trajectory"]), "", "after the last step:"]
        lines += [f"  cost C = {numbers['after']['cost']:.10g}"]
        lines += _parameters(net, numbers["after"]["weights"], numbers["after"]["biases"])
    return "\n".join(lines) + "\n"


def _parameters(net: Network, weights: list[Any], biases: list[Any]) -> list[str]:
    lines = []
    for layer, w in enumerate(weights, start=1):
        lines.append(f"  w^({layer_name(layer, net.depth)}) =")
        lines += [f"    {_row(row)}" for row in w]
    for layer, b in enumerate(biases, start=1):
        lines.append(f"  b^({layer_name(layer, net.depth)}) = {_row(b if isinstance(b, list) else [b])}")
    return lines


def _trajectory(training: str, costs: list[float]) -> list[str]:
    """The cost before each step and after the last; a long run at evenly spaced steps, the last one included."""
    steps = len(costs) - 1
    shown = (
        sorted({round(k * steps / (MAX_ROWS - 1)) for k in range(MAX_ROWS)}) if steps >= MAX_ROWS else range(steps + 1)
    )
    every = "" if steps < MAX_ROWS else f" (at {len(shown)} of the {steps + 1} steps; --json gives every one)"
    lines = [f"training: {training}", f"the mean cost after k updates{every}:", "        k  cost C"]
    lines += [f"  {k:>7}  {costs[k]:.10g}" for k in shown]
    return lines


def _row(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.10g}" for v in values) + "]"
