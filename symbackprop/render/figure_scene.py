"""What every layer figure reads, worked out once: the stack, the graph's wiring, the names on the path from the
derived name to the cost, and where each name sits (its layer, its array, its index).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..model.graph import Graph
from ..model.layers.layer_graph import LayeredSpec
from ..model.layers.stack import Layer


@dataclass
class Scene:
    """What every layer figure reads: the stack, the graph's wiring, the path, the derived name and the numbers."""

    spec: LayeredSpec
    inputs: Mapping[str, list[str]]  # each node's inputs, by name
    hot: set[str]  # the names on a path from the derived name to the cost
    wrt: str | None
    values: Mapping[str, float]
    sample: int = 0
    where: dict[str, tuple[int, str, tuple[int, ...]]] = field(default_factory=dict)  # name -> layer, array, index

    def outputs(self, number: int) -> np.ndarray:
        """Layer ``number``'s output as the graph's names (0: the input), the sample first."""
        assert self.spec.outputs is not None
        return self.spec.outputs[number]

    def parameter(self, number: int, name: str) -> np.ndarray:
        return self.spec.parameter_names(number, name)

    def any_hot(self, names: np.ndarray) -> bool:
        return any(str(n) in self.hot for n in np.asarray(names).ravel())


def scene_of(
    spec: LayeredSpec, graph: Graph, path: Collection[str], wrt: str | None, values: Mapping[str, float]
) -> Scene:
    """The scene, with every layer's outputs and parameters indexed by name, and the sample drawn: the derived
    name's, or sample 0."""
    inputs = {n.name: [s.name for s in n.inputs] for n in graph.nodes}
    scene = Scene(spec, inputs, set(path), wrt, values)
    assert spec.stack is not None and spec.parameters is not None
    for number in range(len(spec.stack.layers) + 1):
        for index, name in np.ndenumerate(scene.outputs(number)):
            scene.where.setdefault(str(name), (number, "output", tuple(int(i) for i in index)))
    for number, arrays in spec.parameters.items():
        for array_name in arrays:
            for index, name in np.ndenumerate(scene.parameter(number, array_name)):
                scene.where[str(name)] = (number, array_name, tuple(int(i) for i in index))
    if wrt is not None and wrt in scene.where and scene.where[wrt][1] == "output":
        scene.sample = scene.where[wrt][2][0]
    return scene


def on_path(scene: Scene, layer: Layer) -> bool:
    """Whether the path runs through the layer: one of its outputs or its parameters is on it."""
    assert scene.spec.parameters is not None
    params = scene.spec.parameters.get(layer.number, {})
    return scene.any_hot(scene.outputs(layer.number)) or any(
        scene.any_hot(scene.parameter(layer.number, p)) for p in params
    )


def shape_tex(shape: tuple[int, ...]) -> str:
    return " \\times ".join(str(s) for s in shape)
