"""The letters the standard texts use for a layer, as the layer graph's names.

- **batch norm** (Ioffe & Szegedy 2015): over one channel's M values (the batch, and the positions of a
  [channels, length] or image input), x_i its input, \\hat{x}_i its normalised value (the graph's u), y_i its
  output (z), \\mu or \\mu_B its mean (m), \\sigma^2 or \\sigma_B^2 its variance (v), \\sigma the square root of
  that, \\epsilon the layer's eps, \\gamma and \\beta the channel's gamma and beta, m, M or N the count M, g_i the
  upstream gradient dL/dy_i of the compact form. i counts from 0, or from 1 where a sum does (\\sum_{i=1}^{m}).
- **layer norm**: the same letters over one sample's H features (the last dimension), x_{n,i} of sample n,
  \\gamma_i and \\beta_i per feature, H the count of features and N of samples.
- **dropout**: x_i, y_i, g_i of one sample, m_i (or r_i) the mask entry, p torch's probability of dropping.
- **convolution**: X the layer's input, K or W its kernel, Y or Z its output, b its bias, s its stride, each with
  torch's indices (X_{n,c,i,j}) or, where the batch and the channels are 1, the positions alone (X_{i,j}, K_{m,n});
  counted from 0, and 0 outside the array (the zero padding of a full convolution) or at an index (i-m)/s that is
  not whole (dL/dY dilated by the stride).
- **pooling** (max or average): X its input, Y or Z its output, indexed as a convolution's; \\mathbb{1}[X_{i,j} =
  Y_{p,q}] and \\lfloor i/2 \\rfloor write max pooling's routing.
- **rnn**: h_t the hidden state at step t = 1..T (a column, one per sample; h_0 = 0), x_t the input, W_{hh} and
  W_{xh} (or W_{ih}, \\mathrm{weight}_{hh}, \\mathrm{weight}_{ih}) the weights, b_{hh} and b_{ih} torch's biases and
  b_h their sum, T the number of steps; per element h_{t,j} (h_{n,t,j} of sample n), \\delta_{t,j} = dL/dh_{t,j}
  (1 - h_{t,j}^2), (W_{hh})_{jk}, units counted from 1; dL_t/dh_t the loss of step t's own term.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from ..model.layers.layer_graph import LayeredSpec
from ..model.layers.stack import Layer
from ..model.layers.wiring import element_name
from ..syntax.tree import Node, source
from .layer_reading import LayerReader, ReadError, Value, each, letters_apart

KINDS = ("batchnorm", "layernorm", "dropout", "conv1d", "conv2d", "maxpool1d", "maxpool2d", "avgpool2d", "rnn")


@dataclass
class LayerNotation:
    """What every layer's notation shares: the spec, the layer, and each name's gradient of the mean cost."""

    spec: LayeredSpec
    layer: Layer
    gradients: Mapping[str, sp.Expr]
    base: int = 0  # the number of a quantity's first element

    def symbols(self, names: np.ndarray) -> np.ndarray:
        graph = self.spec.graph
        return np.vectorize(lambda name: graph.symbols[name], otypes=[object])(names)

    def gradient(self, quantity: Value) -> Value:
        def one(e: sp.Expr) -> sp.Expr:
            if isinstance(e, sp.Add) and all(isinstance(a, sp.Symbol) for a in e.args):
                e = e.args[0]  # b_h, torch's two biases added: each has the same gradient
            if e == 0:
                return sp.Integer(0)  # past an array's edge: nothing there
            if not isinstance(e, sp.Symbol):
                raise ReadError(f"the derivative with respect to {e}, which is no one quantity of the graph")
            return self.gradients.get(e.name, sp.Integer(0))

        return each(quantity, one)

    def quantity(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        """The graph's symbols a letter names, or None (each layer's notation says)."""
        raise NotImplementedError

    def sum_range(self, letter: str) -> range:
        """The values a letter summed without bounds takes."""
        raise NotImplementedError

    def axes(self, name: str, count: int) -> tuple[int, ...] | None:
        """The sizes of the axes a quantity's ``count`` indices run over, for a free index on the left."""
        return None

    def apart(self, a: sp.Expr, b: sp.Expr) -> bool:
        """Whether an indicator compares cells no window links (only a pooling's notation has windows)."""
        return False

    @property
    def where(self) -> str:
        return self.layer.label


def label(reader: LayerReader, subscripts: list[Node]) -> str:
    """A subscript that names rather than indexes (\\mu_B, W_{hh}): its letters."""
    return "".join("".join(source(reader.text, s).split()).strip("{}").replace(",", "") for s in subscripts)


def _items(subscripts: list[Node]) -> tuple[Node, ...]:
    if len(subscripts) != 1:
        return ()
    return letters_apart(subscripts[0])


@dataclass
class GroupNotation(LayerNotation):
    """A layer whose claims the texts write for one group of values at a time (a batch norm's channel, a layer
    norm's sample, a dropout layer's sample); ``group`` is set for each in turn."""

    group: int = 0
    word = "channel"  # what a group is, in the report

    def _indices(self) -> list[tuple[int, ...]]:
        """The output's indices in the current group, in order."""
        raise NotImplementedError

    def groups(self) -> int:
        raise NotImplementedError

    def _names(self, letter: str) -> list[str]:
        k = self.layer.number
        if letter == "x":
            inputs = self.spec.outputs[k - 1]  # type: ignore[index]
            return [str(inputs[i]) for i in self._indices()]
        return [element_name(letter, k, i) for i in self._indices()]

    @property
    def count(self) -> int:
        return len(self._indices())

    def element(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        """x_i and the layer's other letters of one element, as ``elements`` names them in the graph."""
        items = _items(subscripts)
        if len(items) != 1:
            return None
        at = reader.index(items[0], env) - self.base
        if not 0 <= at < self.count:
            raise reader.fail(items[0], f"an element past the {self.word}'s {self.count} values")
        letter = self.elements()[name]
        if letter == "g":
            return self.gradient(self.spec.graph.symbols[self._names(self.output)[at]])
        return self.spec.graph.symbols[self._names(letter)[at]]

    output = "z"

    def elements(self) -> dict[str, str]:
        return {"x": "x", "\\hat{x}": "u", "y": "z", "g": "g"}

    def sum_range(self, letter: str) -> range:
        return range(self.base, self.base + self.count)

    def axes(self, name: str, count: int) -> tuple[int, ...] | None:
        return (self.count,) if name in self.elements() and name != "g" and count == 1 else None


@dataclass
class BatchNormNotation(GroupNotation):
    """One channel of a batch norm layer."""

    def _indices(self) -> list[tuple[int, ...]]:
        shape = self.spec.outputs[self.layer.number].shape  # type: ignore[index]
        return [i for i in np.ndindex(*shape) if i[1] == self.group]

    def groups(self) -> int:
        return int(self.spec.outputs[self.layer.number].shape[1])  # type: ignore[index]

    def statistic(self, letter: str) -> sp.Symbol:
        """The group's mean (``m``) or variance (``v``) node."""
        return self.spec.graph.symbols[element_name(letter, self.layer.number, (self.group,))]

    def affine(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        if subscripts:
            return None
        parameters = self.spec.parameters[self.layer.number]  # type: ignore[index]
        return parameters["weight" if name == "\\gamma" else "bias"][self.group]

    def quantity(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        if name in self.elements():
            return self.element(name, subscripts, env, reader)
        if name in ("\\gamma", "\\beta"):
            return self.affine(name, subscripts, env, reader)
        if label(reader, subscripts) not in ("", "B"):
            return None
        per_group = {"\\mu": "m", "\\sigma^2": "v", "\\sigma": "v"}
        if name in per_group:
            value = self.statistic(per_group[name])
            return value if name != "\\sigma" else sp.sqrt(value)
        if name in ("\\epsilon", "\\varepsilon"):
            return sp.Rational(repr(self.layer["eps"]))
        if name in ("m", "M", "N", "H", "D") and not subscripts:
            return sp.Integer(self.count)
        return None


@dataclass
class LayerNormNotation(BatchNormNotation):
    """One sample (one row of the last dimension) of a layer norm: x_i, \\hat{x}_i, y_i, g_i over its H features
    (x_{n,i} and the rest of sample n), \\gamma_i and \\beta_i per feature, \\mu and \\sigma^2 the sample's,
    H (or m, M, D) the count of features and N the count of samples."""

    word = "sample"

    def _rows(self) -> list[tuple[int, ...]]:
        shape = self.spec.outputs[self.layer.number].shape  # type: ignore[index]
        return list(np.ndindex(*shape[:-1]))

    def _indices(self) -> list[tuple[int, ...]]:
        shape = self.spec.outputs[self.layer.number].shape  # type: ignore[index]
        row = self._rows()[self.group]
        return [(*row, i) for i in range(shape[-1])]

    def groups(self) -> int:
        return len(self._rows())

    def statistic(self, letter: str) -> sp.Symbol:
        return self.spec.graph.symbols[element_name(letter, self.layer.number, self._rows()[self.group])]

    def element(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        """x_i of this sample, or x_{n,i} of sample n (its row of the last dimension, in order)."""
        items = _items(subscripts)
        if len(items) != 2:
            return super().element(name, subscripts, env, reader)
        row = reader.index(items[0], env) - self.base
        if not 0 <= row < self.groups():
            raise reader.fail(items[0], f"a sample past the layer's {self.groups()}")
        group, self.group = self.group, row
        try:
            return super().element(name, [items[1]], env, reader)
        finally:
            self.group = group

    def quantity(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        if name == "N" and not subscripts:
            return sp.Integer(self.groups())
        return super().quantity(name, subscripts, env, reader)

    def axes(self, name: str, count: int) -> tuple[int, ...] | None:
        if name in ("\\gamma", "\\beta") and count == 1:
            return (self.count,)
        return super().axes(name, count)

    def affine(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        items = _items(subscripts)
        if len(items) != 1:
            return None
        at = reader.index(items[0], env) - self.base
        parameters = self.spec.parameters[self.layer.number]  # type: ignore[index]
        vector = parameters["weight" if name == "\\gamma" else "bias"]
        if not 0 <= at < len(vector):
            raise reader.fail(items[0], f"a feature past the layer's {len(vector)}")
        return vector[at]


@dataclass
class DropoutNotation(GroupNotation):
    """One sample of a dropout layer: x_i its input, y_i its output, m_i (or r_i) the mask entry, 0 or 1, and p
    the probability of dropping a unit, as torch's; the sample's values in order."""

    word = "sample"
    output = "d"

    def _indices(self) -> list[tuple[int, ...]]:
        shape = self.spec.outputs[self.layer.number].shape  # type: ignore[index]
        return [i for i in np.ndindex(*shape) if i[0] == self.group]

    def groups(self) -> int:
        return int(self.spec.outputs[self.layer.number].shape[0])  # type: ignore[index]

    def elements(self) -> dict[str, str]:
        return {"x": "x", "y": "d", "g": "g", "m": "mask", "r": "mask", "\\mathbf{m}": "mask"}

    def mask(self, at: int) -> sp.Integer:
        """1 where the unit is kept: its output is not 0."""
        output = self.spec.graph.symbols[self._names("d")[at]]
        return sp.Integer(int(self.spec.graph.node_of[output].expression != 0))

    def element(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        if self.elements().get(name) != "mask":
            return super().element(name, subscripts, env, reader)
        items = _items(subscripts)
        if len(items) != 1:
            return None
        at = reader.index(items[0], env) - self.base
        if not 0 <= at < self.count:
            raise reader.fail(items[0], f"an element past the sample's {self.count} values")
        return self.mask(at)

    def quantity(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        if name in self.elements():
            return self.element(name, subscripts, env, reader)
        if name == "p" and not subscripts:
            return sp.Rational(repr(self.layer["p"]))
        return None


@dataclass
class ArrayNotation(LayerNotation):
    """Arrays indexed as torch does, or by their positions alone where the batch and the channels are 1; 0 past
    their edges."""

    def arrays(self) -> dict[str, np.ndarray]:
        k = self.layer.number
        x, y = (self.symbols(self.spec.outputs[n]) for n in (k - 1, k))  # type: ignore[index]
        return {"X": x, "Y": y, "Z": y}

    def _array(self, name: str) -> np.ndarray | None:
        return self.arrays().get(name)

    def quantity(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        array = self._array(name)
        items = _items(subscripts)
        if array is not None and len(items) not in (array.ndim - 2, array.ndim) and len(subscripts) == 1:
            items = (subscripts[0],)  # X_{si}: the stride times i, one index, not the two letters s and i
        if array is None or not items:
            return None
        sides = array.ndim - 2
        if len(items) == sides:
            if any(n != 1 for n in array.shape[:2]):
                raise reader.fail(
                    subscripts[0],
                    f"{name} with its positions alone names one sample's one channel; {self.where} has {name} of "
                    f"shape {' x '.join(map(str, array.shape))}: write torch's {array.ndim} indices",
                )
            index = (0, 0, *(reader.index(i, env) for i in items))
        elif len(items) == array.ndim:
            index = tuple(reader.index(i, env) for i in items)
        else:
            return None
        inside = all(0 <= i < n for i, n in zip(index, array.shape, strict=True))
        return array[index] if inside else sp.Integer(0)

    def sum_range(self, letter: str) -> range:
        span = max(max(a.shape) for a in self.arrays().values())
        return range(-span, span + 1)

    def axes(self, name: str, count: int) -> tuple[int, ...] | None:
        array = self._array(name)
        if array is None:
            return None
        return array.shape[2:] if count == array.ndim - 2 else array.shape if count == array.ndim else None


@dataclass
class ConvNotation(ArrayNotation):
    """A convolution of stride 1: X, K (or W), Y (or Z), b."""

    def arrays(self) -> dict[str, np.ndarray]:
        kernel = self.spec.parameters[self.layer.number]["weight"]  # type: ignore[index]
        return {**super().arrays(), "K": kernel, "W": kernel}

    def quantity(self, name: str, subscripts: list[Node], env: Mapping[str, int], reader: LayerReader) -> Value:
        if name == "s" and not subscripts:
            return sp.Integer(self.layer["stride"])
        if name == "b" and not subscripts:
            bias = self.spec.parameters[self.layer.number]["bias"]  # type: ignore[index]
            return bias[0] if len(bias) == 1 else None
        return super().quantity(name, subscripts, env, reader)


@dataclass
class PoolNotation(ArrayNotation):
    """A max or average pool: X its input, Y (or Z) its output."""

    def apart(self, a: sp.Expr, b: sp.Expr) -> bool:
        """Whether input ``a`` lies outside output ``b``'s window (or the other way round): the texts'
        sum_{p,q} 1[X_{i,j} = Y_{p,q}] dL/dY_{p,q} runs over the windows that hold X_{i,j}, so an equal value in
        another window is no route."""
        inputs, outputs = self._cells
        if a in outputs and b in inputs:
            a, b = b, a
        if a not in inputs or b not in outputs:
            return False
        x, y = inputs[a], outputs[b]
        size, stride = self.layer["size"], self.layer["stride"]
        return x[:2] != y[:2] or any(not q * stride <= i < q * stride + size for i, q in zip(x[2:], y[2:], strict=True))

    @cached_property
    def _cells(self) -> tuple[dict[sp.Expr, tuple[int, ...]], dict[sp.Expr, tuple[int, ...]]]:
        arrays = self.arrays()
        return tuple({s: i for i, s in np.ndenumerate(arrays[k])} for k in ("X", "Y"))  # type: ignore[return-value]
