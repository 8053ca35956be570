"""The network spec: what the user asked for, validated, from TOML, keywords or CLI flags.

Everything the user typed is checked here, once, and every problem is a ``SpecError`` whose
message names the key and what was wrong. Later stages trust a ``NetworkSpec``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from . import activations, costs
from . import notation as notations
from .errors import SpecError
from .output import read_regular_file, shown

BIAS_MODES = ("neuron", "layer", "none")
MAX_LAYERS = 64
MAX_WIDTH = 4096
MAX_NESTING = 8  # lists and tables inside one another: [values] weights are three deep under the spec
MAX_SPEC_BYTES = 4 << 20  # a spec is a page of TOML; this is room for a large [values] table
_KEYS = {"layers", "activation", "cost", "bias", "index_base", "notation", "values", "claims", "title", "author"}
_VALUE_KEYS = {"x", "y", "weights", "biases", "learning_rate"}


@dataclass(frozen=True, eq=False)
class Values:
    """Numbers for a network: a batch of inputs and targets, and every parameter."""

    x: np.ndarray  # (samples, n_0)
    y: np.ndarray  # (samples, n_L)
    weights: tuple[np.ndarray, ...]  # layer l's matrix at l-1, shape (n_l, n_{l-1})
    biases: tuple[np.ndarray, ...]  # layer l's biases at l-1, shape (n_l,) or (1,); () for none
    learning_rate: float | None = None


@dataclass(frozen=True, eq=False)
class NetworkSpec:
    """A validated description of a network, its cost and (optionally) its numbers."""

    layers: tuple[int, ...]
    activations: tuple[str, ...]  # one per non-input layer
    cost: str = "sse"
    bias: str = "neuron"
    index_base: int = 0
    notation: str = "3b1b"
    values: Values | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)  # tables later stages read (claims, title)

    @property
    def depth(self) -> int:
        """L, the index of the output layer (the input layer is 0)."""
        return len(self.layers) - 1


def from_toml(path: str | Path) -> NetworkSpec:
    """Read and validate a TOML spec file; errors name the file."""
    if isinstance(path, str) and path.startswith("example:"):
        from .resources import example_path

        path = example_path(path[len("example:") :])
    if not isinstance(path, (str, Path)):
        raise SpecError(f"spec: expected the path of a TOML file (a str or a Path), got {_short(path)}")
    path = Path(path)
    try:  # a regular file of bounded size: never a device, a FIFO (which would hang) or /dev/zero
        text = read_regular_file(path, MAX_SPEC_BYTES, "spec file").decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{shown(path)}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
        if "claims" in data:  # claimed numbers keep the digits they were written with (0.10 is not 0.1)
            data["claims"] = tomllib.loads(text, parse_float=Decimal)["claims"]
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{shown(path)}: not valid TOML: {err}") from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise SpecError(f"{shown(path)}: arrays or tables nested too deeply to read") from None
    notation = data.get("notation")
    if isinstance(notation, str) and notation.endswith(".toml") and not Path(notation).is_absolute():
        beside = path.parent / notation  # a preset file named in a spec is found beside the spec
        if beside.is_file():
            data["notation"] = str(beside)
    try:
        return from_mapping(data)
    except SpecError as err:
        raise SpecError(f"{shown(path)}: {err}") from None


def from_mapping(data: Mapping[str, Any]) -> NetworkSpec:
    """Validate a spec given as a mapping (parsed TOML, or the constructor's keywords)."""
    if not isinstance(data, Mapping):
        raise SpecError(f"spec: expected a table of keys, got {_short(data)}")
    _check_nesting(data)
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise SpecError(f"unknown key {unknown[0]!r}; known: {', '.join(sorted(_KEYS))}")
    if "layers" not in data:
        raise SpecError("layers: missing (e.g. layers = [2, 3, 2])")
    layers = _layers(data["layers"])
    notation = data.get("notation", "3b1b")
    if not isinstance(notation, str):
        raise SpecError(f"notation: must be a preset name or a .toml path, got {_short(notation)}")
    preset = notations.load(notation)
    defaults = {"activation": "sigmoid", "bias": "neuron", "cost": "sse", **preset.defaults}
    acts = _activations(data.get("activation", defaults["activation"]), len(layers) - 1)
    for layer, (act, width) in enumerate(zip(acts, layers[1:], strict=True), start=1):
        if act == "softmax" and width == 1:
            raise SpecError(
                f"activation: softmax over the single neuron of layer {layer} is the constant 1; use sigmoid"
            )
    cost_name = data.get("cost", defaults["cost"])
    costs.cost(cost_name)
    bias = _choice("bias", data.get("bias", defaults["bias"]), BIAS_MODES)
    base = data.get("index_base", preset.index_base)
    if type(base) is not int or base not in (0, 1):
        raise SpecError(f"index_base: must be 0 or 1, got {_short(base)}")
    values = data.get("values")
    if values is not None:
        values = _values(values, layers, bias)
    for key in ("title", "author"):
        if key in data:
            _text(key, data[key])
    extras = {k: data[k] for k in ("claims", "title", "author") if k in data}
    return NetworkSpec(layers, acts, cost_name, bias, base, notation, values, extras)


def _check_nesting(data: Mapping[str, Any], deepest: int = MAX_NESTING) -> None:
    """Refuse lists and tables nested past any a spec has (a batch of inputs is three deep under [values]),
    before a recursive check or a repr() of them runs out of stack. Walked without recursion."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > deepest:
            raise SpecError(f"spec: lists or tables nested more than {deepest} deep; a spec never needs that")
        if isinstance(value, Mapping):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend((v, depth + 1) for v in value)


def _text(key: str, value: Any) -> None:
    """A title or author: one line of text (several authors in one string, as LaTeX's \\author takes them)."""
    example = {"title": '"Backpropagation, worked"', "author": '"A. Author and B. Author"'}[key]
    if not isinstance(value, str):
        raise SpecError(f"{key}: must be a string such as {example}, got {_short(value)}")
    if len(value) > 300 or any(ch in value for ch in "\r\n"):
        raise SpecError(f"{key}: must be one line of at most 300 characters")


def _choice(key: str, value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed or not isinstance(value, str):
        raise SpecError(f"{key}: must be one of {', '.join(allowed)}; got {_short(value)}")
    return value


def _layers(value: Any) -> tuple[int, ...]:
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        raise SpecError(f"layers: must be a list of at least two sizes (input and output), got {_short(value)}")
    if len(value) - 1 > MAX_LAYERS:
        raise SpecError(f"layers: at most {MAX_LAYERS} layers after the input, got {len(value) - 1}")
    for i, n in enumerate(value):
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_WIDTH:
            raise SpecError(f"layers[{i}]: a layer size is a whole number from 1 to {MAX_WIDTH}, got {_short(n)}")
    return tuple(value)


def _activations(value: Any, count: int) -> tuple[str, ...]:
    names = [value] * count if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or len(names) != count:
        raise SpecError(
            f"activation: give one name, or a list of {count} (one per layer after the input); got {_short(value)}"
        )
    for i, name in enumerate(names):
        try:
            activations.activation(name)
        except SpecError as err:
            raise SpecError(f"activation[{i}]: {err}") from None
    return tuple(names)


def _values(data: Any, layers: tuple[int, ...], bias: str) -> Values:
    if not isinstance(data, Mapping):
        raise SpecError("values: must be a table")
    unknown = sorted(set(data) - _VALUE_KEYS)
    if unknown:
        raise SpecError(f"values: unknown key {unknown[0]!r}; known: {', '.join(sorted(_VALUE_KEYS))}")
    for key in ("x", "y", "weights"):
        if key not in data:
            raise SpecError(f"values.{key}: missing")
    x = _batch("values.x", data["x"], layers[0])
    y = _batch("values.y", data["y"], layers[-1])
    if x.shape[0] != y.shape[0]:
        raise SpecError(f"values: x has {_count(x.shape[0], 'sample')} but y has {y.shape[0]}")
    weights = _weights(data["weights"], layers)
    biases = _biases(data.get("biases"), layers, bias)
    rate = data.get("learning_rate")
    if rate is not None:
        rate = float(_array("values.learning_rate", rate, ()))
    return Values(x, y, weights, biases, rate)


def _array(where: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A float64 array of exactly ``shape``, every entry a finite number."""
    try:
        arr = np.array(value, dtype=float) if _all_numbers(value) else None
    except OverflowError:  # an integer past float64's range, which TOML and Python allow
        raise SpecError(f"{where}: a number is out of range; float64 holds magnitudes up to about 1.8e308") from None
    except ValueError:
        arr = None
    if arr is None:
        raise SpecError(f"{where}: must be numbers, shaped {_shape_words(shape)}; got {_short(value)}")
    if arr.shape != shape:
        raise SpecError(f"{where}: must be shaped {_shape_words(shape)}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise SpecError(f"{where}: every number must be finite (no nan or inf)")
    return arr


def _all_numbers(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_all_numbers(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _batch(where: str, value: Any, width: int) -> np.ndarray:
    """One sample (a list of numbers) or a batch (a list of lists), as shape (samples, width)."""
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return _array(where, value, (len(value), width))
    return _array(where, value, (width,)).reshape(1, width)


def _weights(value: Any, layers: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    if not isinstance(value, list) or len(value) != len(layers) - 1:
        raise SpecError(f"values.weights: one matrix per layer after the input ({len(layers) - 1})")
    return tuple(_array(f"values.weights[{i}]", m, (layers[i + 1], layers[i])) for i, m in enumerate(value))


def _biases(value: Any, layers: tuple[int, ...], bias: str) -> tuple[np.ndarray, ...]:
    if bias == "none":
        if value is not None:
            raise SpecError('values.biases: the network has bias = "none", so give no biases')
        return ()
    if not isinstance(value, list) or len(value) != len(layers) - 1:
        raise SpecError(f"values.biases: one entry per layer after the input ({len(layers) - 1})")
    if bias == "layer":
        return tuple(_array(f"values.biases[{i}]", b, ()).reshape(1) for i, b in enumerate(value))
    return tuple(_array(f"values.biases[{i}]", b, (layers[i + 1],)) for i, b in enumerate(value))


def _shape_words(shape: tuple[int, ...]) -> str:
    if not shape:
        return "one number"
    if len(shape) == 1:
        return f"a list of {shape[0]}"
    return f"{_count(shape[0], 'row')} of {shape[1]}"


def _count(n: int, noun: str) -> str:
    """'1 row', '2 rows': a count with its noun in the right number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer too long for Python to print
        return "a number too large to print"
    return text if len(text) <= 60 else text[:57] + "..."
