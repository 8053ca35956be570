"""An rnn's letters in the standard texts (see ``layer_notation``): h_t the hidden state at step t = 1..T (a column,
one per sample; h_0 = 0), x_t the input, W_{hh} and W_{xh} (or W_{ih}, \\mathrm{weight}_{hh}, \\mathrm{weight}_{ih}) the
weights, b_{hh} and b_{ih} torch's biases and b_h their sum, T the number of steps; per element h_{t,j} (h_{n,t,j} of
sample n), \\delta_{t,j} = dL/dh_{t,j} (1 - h_{t,j}^2), (W_{hh})_{jk}, units counted from 1."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..model.layers.wiring import element_name
from ..syntax.tree import Node
from .layer_notation import LayerNotation, _items, label
from .layer_reading import LayerReader, Value, each


@dataclass
class RecurrentNotation(LayerNotation):
    """An rnn: h_t, x_t as columns (one per sample), W_{hh}, W_{xh}, the biases."""

    base: int = 1

    @property
    def steps(self) -> int:
        return int(self.layer.shape_in[0])

    def _step(self, letter: str, t: int) -> np.ndarray:
        k = self.layer.number
        batch = self.spec.outputs[0].shape[0]  # type: ignore[index]
        size = self.layer["hidden_size"] if letter == "h" else self.layer.shape_in[1]
        column = np.full((size, batch), sp.Integer(0), dtype=object)
        if not 1 <= t <= self.steps:
            return column  # h_0 = 0, and nothing past the last step
        for n in range(batch):
            for j in range(size):
                name = element_name("h", k, (n, t - 1, j)) if letter == "h" else None
                column[j, n] = self.spec.graph.symbols[name] if name else self._input(n, t - 1, j)
        return column

    def _input(self, n: int, t: int, j: int) -> sp.Symbol:
        return self.spec.graph.symbols[self.spec.outputs[self.layer.number - 1][n, t, j]]  # type: ignore[index]

    @property
    def batch(self) -> int:
        return int(self.spec.outputs[0].shape[0])  # type: ignore[index]

    def _sizes(self, letter: str) -> int:
        return int(self.layer["hidden_size"] if letter in ("h", "\\delta") else self.layer.shape_in[1])

    def _column(self, letter: str, t: int) -> np.ndarray:
        """h_t, x_t, or delta_t = dL/dh_t (1 - h_t^2), the derivative through tanh."""
        if letter != "\\delta":
            return self._step(letter, t)
        h = self._step("h", t)
        return self.gradient(h) * (1 - h * h)

    def _element(self, letter: str, items: tuple[Node, ...], env: Mapping[str, int], reader: LayerReader) -> Value:
        """h_{t,j} (a batch of 1) or h_{n,t,j}: one unit's value, 0 past the steps or the units."""
        at = [reader.index(i, env) - self.base for i in items]
        n, t, j = (0, *at) if len(at) == 2 else at
        if len(at) == 2 and self.batch > 1:
            raise reader.fail(
                items[0],
                f"{letter}_{{t,j}} names the one sample's unit; with a batch of {self.batch} write {letter}_{{n,t,j}}",
            )
        if not (0 <= n < self.batch and 0 <= j < self._sizes(letter)):
            return sp.Integer(0)
        return self._column(letter, t + self.base)[j, n]

    def matrix(self, name: str, subscripts: list[Node], reader: LayerReader) -> np.ndarray | None:
        parameters = self.spec.parameters[self.layer.number]  # type: ignore[index]
        which = label(reader, subscripts)
        if name in ("W", "weight") and which in ("hh", "xh", "ih", "hx"):
            if which == "hx":
                raise reader.fail(subscripts[0], "W_{hx} is read both ways in the texts; write W_{xh} or W_{ih}")
            return np.array(parameters["weight_hh_l0" if which == "hh" else "weight_ih_l0"], dtype=object)
        return None

    def quantity(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        parameters = self.spec.parameters[self.layer.number]  # type: ignore[index]
        if name in ("h", "x", "\\delta"):
            items = _items(subscripts)
            if len(items) in (2, 3):
                return self._element(name, items, env, reader)
            if len(items) != 1:
                return None
            return self._column(name, reader.index(items[0], env))
        which = label(reader, subscripts)
        if (matrix := self.matrix(name, subscripts, reader)) is not None:
            return matrix
        if name in ("b", "bias") and which in ("hh", "ih", "h"):
            column = {w: np.array(parameters[f"bias_{w}_l0"], dtype=object).reshape(-1, 1) for w in ("hh", "ih")}
            return column[which] if which != "h" else column["ih"] + column["hh"]
        if name == "T" and not subscripts:
            return sp.Integer(self.steps)
        return None

    def direct(self, quantity: Value, step: int) -> Value:
        """dL_t/dh_t, the loss of step t's own dependence on h_t: dL/dh_t less its path through h_{t+1} (0 for
        another step's h, and for every step but the last where the cost is on the last step alone)."""
        here = set(np.ravel(self._step("h", step)))
        following = [self.spec.graph.node_of[h] for h in np.ravel(self._step("h", step + 1)) if h != 0]

        def one(h: sp.Expr) -> sp.Expr:
            if h not in here or h == 0:
                return sp.Integer(0)
            through = sp.Add(*(self.gradient(n.symbol) * sp.diff(n.expression, h) for n in following))
            return self.gradient(h) - through

        return each(quantity, one)

    def sum_range(self, letter: str) -> range:
        """t = 1..T, or any unit: past the steps, the units or the samples an element is 0."""
        return range(1, max(self.steps, self._sizes("h"), self._sizes("x"), self.batch) + 1)

    def axes(self, name: str, count: int) -> tuple[int, ...] | None:
        if name in ("h", "x", "\\delta") and count in (1, 2, 3):
            return ((self.batch,) if count == 3 else ()) + (self.steps,) + ((self._sizes(name),) if count > 1 else ())
        matrix = MATRIX_NAMES.get("".join(name.split()).strip("()[]"))
        if matrix is not None and count == 2:
            return tuple(np.shape(self.spec.parameters[self.layer.number][matrix]))  # type: ignore[index]
        return None


MATRIX_NAMES = {
    "W_{hh}": "weight_hh_l0",
    "W_{xh}": "weight_ih_l0",
    "W_{ih}": "weight_ih_l0",
    "\\mathrm{weight}_{hh}": "weight_hh_l0",
    "\\mathrm{weight}_{ih}": "weight_ih_l0",
}
