"""The network spec: what the user asked for, validated, from TOML, keywords or CLI flags.

Everything the user typed is checked here, once, and every problem is a ``SpecError`` whose
message names the key and what was wrong. Later stages trust a ``NetworkSpec``.
"""

from __future__ import annotations

import itertools
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.errors import SpecError, did_you_mean, toml_problem
from ..base.output import read_regular_file, shown
from . import activations, costs
from . import notation as notations
from . import spec_links as links
from . import targets as assumed
from .training import Training, read_training

if TYPE_CHECKING:
    import numpy as np

BIAS_MODES = ("neuron", "layer", "none")
BUILT_IN_DEFAULTS = {"activation": "sigmoid", "bias": "neuron", "cost": "sse"}  # a notation preset may set others
MAX_LAYERS = 64
MAX_WIDTH = 4096
MAX_NESTING = 8  # lists and tables inside one another: [values] weights are three deep under the spec
MAX_SPEC_BYTES = 4 << 20  # a spec is a page of TOML; this is room for a large [values] table
_KEYS = {"layers", "activation", "cost", "bias", "index_base", "notation", "values", "claims", "title", "author"}
_KEYS |= {"training"}  # how [values] are trained (model.training)
_KEYS |= {"skip", "tie"}  # links a graph derives (spec_links); the layer-by-layer engine refuses them
_KEYS |= {"targets"}  # what verify may assume of the targets: one-hot, or summing to 1 (model.targets)
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
    skips: tuple[links.Skip, ...] = ()  # a^(from) added to z^(to): skip = [[1, 3]]
    ties: tuple[links.Tie, ...] = ()  # parameters taking another's value: tie = [["w^{(2)}", "w^{(1)}", "transpose"]]
    training: Training | None = None  # the [training] table: how [values] are trained
    targets: str | None = None  # "one-hot" or "sum-to-one": what verify may assume of the targets (model.targets)

    @property
    def depth(self) -> int:
        """L, the index of the output layer (the input layer is 0)."""
        return len(self.layers) - 1


@dataclass(frozen=True)
class Note:
    """Something true of a valid spec that a student may not have meant: a line for stderr, a text for documents."""

    line: str
    text: str


def notes(spec: NetworkSpec) -> tuple[Note, ...]:
    """The notes for ``spec``: today one, for the categorical cross-entropy on outputs that are not a softmax."""
    output = spec.activations[-1]
    if spec.cost != "cross_entropy" or output == "softmax":
        return ()
    line = (
        f"cost cross_entropy is -sum_j y_j ln a_j, so an output whose target is 0 gets no gradient; on {output} "
        "outputs (not softmax) binary_cross_entropy may be what you mean"
    )
    text = (
        "The cost is the categorical cross-entropy, which counts only the outputs whose target is not 0, so an "
        f"output neuron whose target is 0 gets no gradient from it. The output layer applies {output}, not "
        "softmax (which would tie the outputs together); to score each output on its own, as a yes or a no, "
        "binary_cross_entropy is the cost usually meant. The derivation is correct for the cost as given."
    )
    return (Note(line, text),)


def from_toml(path: str | Path) -> NetworkSpec:
    """Read and validate a TOML spec file; errors name the file."""
    path, data = read_toml(path)
    notation = data.get("notation")
    if isinstance(notation, str) and notation.endswith(".toml") and not Path(notation).is_absolute():
        beside = path.parent / notation  # a preset file named in a spec is found beside the spec
        if beside.is_file():
            data["notation"] = str(beside)
    try:
        return from_mapping(data)
    except SpecError as err:
        raise SpecError(f"{shown(path)}: {err}") from None


def read_toml(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """A spec file's path (``example:NAME`` is a built-in one) and its TOML, read safely: a regular file of
    bounded size, UTF-8; claimed numbers as Decimals, keeping the digits they were written with."""
    if isinstance(path, str) and path.startswith("example:"):
        from ..base.resources import example_path

        path = example_path(path[len("example:") :])
    if not isinstance(path, (str, Path)):
        raise SpecError(f"spec: expected the path of a TOML file (a str or a Path), got {_short(path)}")
    path = Path(path)
    try:  # a regular file of bounded size: never a device, a FIFO (which would hang) or /dev/zero
        text = read_regular_file(path, MAX_SPEC_BYTES, "spec file").decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{shown(path)}: not UTF-8 text; save the spec as UTF-8") from None
    try:
        data = tomllib.loads(text)
        if "claims" in data:  # claimed numbers keep the digits they were written with (0.10 is not 0.1)
            data["claims"] = tomllib.loads(text, parse_float=Decimal)["claims"]
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{shown(path)}: not valid TOML: {toml_problem(err)}") from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise SpecError(f"{shown(path)}: arrays or tables nested too deeply to read") from None
    return path, data


def from_mapping(data: Mapping[str, Any]) -> NetworkSpec:
    """Validate a spec given as a mapping (parsed TOML, or the constructor's keywords)."""
    if not isinstance(data, Mapping):
        raise SpecError(f"spec: expected a table of keys, got {_short(data)}")
    _check_nesting(data)
    return _validate(data, _Source())


def from_flags(flags: Mapping[str, Any]) -> NetworkSpec:
    """Validate a spec given as command-line flags, as typed (``{"layers": "2,3,2", "activation": "relu,sigmoid"}``):
    an error names the flag and the text given to it."""
    data = dict(flags)
    if "layers" in flags:
        data["layers"] = _int_list(flags["layers"])
    if "activation" in flags and "," in flags["activation"]:
        data["activation"] = [a.strip() for a in flags["activation"].split(",")]
    return _validate(data, _Source(flags))


@dataclass(frozen=True)
class _Source:
    """Where the settings came from, so that an error names a setting as the user wrote it: a TOML key (or the
    constructor's keyword), or a command-line flag with its text."""

    flags: Mapping[str, Any] | None = None

    def name(self, key: str) -> str:
        return "--" + key.replace("_", "-") if self.flags is not None else key

    def shown(self, key: str, value: Any) -> str:
        return repr(self.flags[key]) if self.flags is not None and key in self.flags else _short(value)


def _validate(data: Mapping[str, Any], src: _Source) -> NetworkSpec:
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        key = unknown[0]
        hint = f"; {key} belongs in the [values] table" if key in _VALUE_KEYS else did_you_mean(key, _KEYS)
        raise SpecError(f"unknown key {key!r}; known: {', '.join(sorted(_KEYS))}{hint}")
    if "layers" not in data:
        raise SpecError("layers: missing; it is the one key every spec needs, as layers = [2, 3, 2]")
    layers = _layers(data["layers"], src)
    notation = data.get("notation", "3b1b")
    if not isinstance(notation, str):
        raise SpecError(f"notation: must be a preset name or a .toml path, got {_short(notation)}")
    preset = notations.load(notation, src.name("notation"))
    defaults = {**BUILT_IN_DEFAULTS, **preset.defaults}

    def label(key: str) -> str:  # the setting as the user wrote it, or the default it came from
        if key in data:
            return src.name(key)
        return key if defaults[key] == BUILT_IN_DEFAULTS[key] else f"{key} (the default of notation {notation!r})"

    acts = _activations(data.get("activation", defaults["activation"]), len(layers) - 1, label("activation"), src)
    for layer, (act, width) in enumerate(zip(acts, layers[1:], strict=True), start=1):
        if act == "softmax" and width == 1:
            raise SpecError(
                f"{label('activation')}: softmax over the single neuron of layer {layer} is the constant 1; "
                "use sigmoid there"
            )
    cost_name = data.get("cost", defaults["cost"])
    try:
        costs.cost(cost_name)
    except SpecError as err:
        raise SpecError(f"{label('cost')}: {err}") from None
    bias = _choice(label("bias"), data.get("bias", defaults["bias"]), BIAS_MODES)
    base = data.get("index_base", preset.index_base)
    if type(base) is not int or base not in (0, 1):
        raise SpecError(
            f"{src.name('index_base')}: must be 0 or 1 (neurons numbered from 0 or from 1), got {_short(base)}"
        )
    values = data.get("values")
    if values is not None:
        given = "bias" in data or defaults["bias"] != BUILT_IN_DEFAULTS["bias"]
        where = "" if "bias" in data else ", the default" if not given else f", the default of notation {notation!r}"
        values = _values(values, layers, bias, where)
    for key in ("title", "author"):
        if key in data:
            one_line_text(key, data[key])
    extras = {k: data[k] for k in ("claims", "title", "author") if k in data}
    shape = links.Shape(layers, bias, base, preset, values.weights if values else None, values.biases if values else ())
    skips = links.skips(data["skip"], shape) if "skip" in data else ()
    ties = links.ties(data["tie"], shape) if "tie" in data else ()
    training = read_training(data["training"]) if "training" in data else None
    if training is not None and (skips or ties):
        raise SpecError("training: a network with skip or tie is derived as a graph, and a graph is not trained")
    if training is not None and (values is None or values.learning_rate is None):
        raise SpecError("training: [training] needs a learning_rate in [values]")
    spec = NetworkSpec(layers, acts, cost_name, bias, base, notation, values, extras, skips, ties, training)
    return with_targets(spec, data["targets"], src.name("targets")) if "targets" in data else spec


def with_targets(spec: NetworkSpec, value: Any, key: str = "targets") -> NetworkSpec:
    """``spec`` assuming what ``value`` states of the targets ("one-hot" or "sum-to-one"; verify's --targets wins
    over the spec's key), its own [values] checked against it."""
    name = assumed.assumption(key, value)
    if spec.skips or spec.ties:
        raise SpecError(
            f"{key}: a network with skip or tie is derived as a graph, which assumes nothing of its targets"
        )
    if spec.values is not None:
        assumed.check_targets(key, name, spec.values.y)
    return replace(spec, targets=name)


MAX_PRINTED_EXPONENT = 400  # a printed number past 1e400 or below 1e-400 is no number a source prints (float64: 1e308)


def printed_number(number: Decimal) -> bool:
    """Whether a claimed number is one a source could print: finite, its exponent within a few hundred.

    >>> printed_number(Decimal("0.3833")), printed_number(Decimal("1e999999999")), printed_number(Decimal("NaN"))
    (True, False, False)
    """
    return number.is_finite() and -MAX_PRINTED_EXPONENT <= number.adjusted() <= MAX_PRINTED_EXPONENT


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


def _int_list(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isascii() and p.isdigit() for p in parts):
        raise SpecError(f"--layers: expected whole numbers separated by commas, as --layers 2,3,2; got {text!r}")
    return [int(p) for p in parts]


def one_line_text(key: str, value: Any) -> None:
    """A title or author: one line of text (several authors in one string, as LaTeX's \\author takes them)."""
    example = {"title": '"Backpropagation, worked"', "author": '"A. Author and B. Author"'}[key]
    if not isinstance(value, str):
        raise SpecError(f"{key}: must be a string such as {example}, got {_short(value)}")
    if len(value) > 300 or any(ch in value for ch in "\r\n"):
        got = "it has a line break" if any(ch in value for ch in "\r\n") else f"got {len(value)} characters"
        raise SpecError(f"{key}: must be one line of at most 300 characters; {got}")


def _choice(key: str, value: Any, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise SpecError(
            f"{key}: must be one of {', '.join(allowed)}; got {_short(value)}{did_you_mean(value, allowed)}"
        )
    return value


def _layers(value: Any, src: _Source) -> tuple[int, ...]:
    key, flag = src.name("layers"), src.flags is not None
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        example = "--layers 2,3,2" if flag else "layers = [2, 3, 2]"
        raise SpecError(
            f"{key}: give at least two sizes (input and output), as {example}; got {src.shown('layers', value)}"
        )
    if len(value) - 1 > MAX_LAYERS:
        raise SpecError(f"{key}: at most {MAX_LAYERS} layers after the input, got {len(value) - 1}")
    for i, n in enumerate(value):
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_WIDTH:
            where = f"layers[{i}]" if src.flags is None else f"--layers {src.flags['layers']}"
            which = f" (size {i + 1})" if flag else ""
            raise SpecError(f"{where}: a layer size is a whole number from 1 to {MAX_WIDTH}, got {_short(n)}{which}")
    return tuple(value)


def _activations(value: Any, count: int, key: str, src: _Source) -> tuple[str, ...]:
    if isinstance(value, str):
        if "," in value:  # only a TOML string: the flag's commas were split already
            listed = ", ".join(f'"{part.strip()}"' for part in value.split(","))
            raise SpecError(
                f"{key}: {value!r} is one name; for one activation per layer after the input, write a list, "
                f"one per layer: activation = [{listed}]"
            )
        try:
            activations.activation(value)
        except SpecError as err:
            raise SpecError(f"{key}: {err}") from None
        return (value,) * count
    if not isinstance(value, (list, tuple)) or len(value) != count:
        many = f"{count} separated by commas" if src.flags is not None else f"a list of {count}"
        got = f" ({len(value)})" if isinstance(value, (list, tuple)) else ""
        raise SpecError(
            f"{key}: give one name, or {many} (one per layer after the input); "
            f"got {src.shown('activation', value)}{got}"
        )
    for i, name in enumerate(value):
        try:
            activations.activation(name)
        except SpecError as err:
            where = f"{key}[{i}]" if src.flags is None else f"{key} {src.flags['activation']}"
            raise SpecError(f"{where} (layer {i + 1}): {err}") from None
    return tuple(value)


def _values(data: Any, layers: tuple[int, ...], bias: str, where: str = "") -> Values:
    """The [values] table; ``where`` says where the bias convention came from (", the default"), for messages."""
    if not isinstance(data, Mapping):
        raise SpecError(
            f"values: must be a table, [values] on a line of its own with x = ..., y = ..., weights = ... below it; "
            f"got {_short(data)}"
        )
    unknown = sorted(set(data) - _VALUE_KEYS)
    if unknown:
        key = unknown[0]
        hint = (
            f"; {key} is a top-level key, and in TOML every key after [values] belongs to that table: "
            f"put {key} above [values]"
            if key in _KEYS
            else did_you_mean(key, _VALUE_KEYS)
        )
        raise SpecError(f"values: unknown key {key!r}; known: {', '.join(sorted(_VALUE_KEYS))}{hint}")
    wanted = {
        "x": f"the input, a list of {layers[0]} numbers (or one such list per sample)",
        "y": f"the target, a list of {layers[-1]} numbers (or one such list per sample)",
        "weights": f"one matrix per layer after the input, {_matrix_words(layers)}",
    }
    for key, what in wanted.items():
        if key not in data:
            raise SpecError(f"values.{key}: missing; give {what}")
    data = {key: _plain(value) for key, value in data.items()}
    x = _batch("values.x", data["x"], layers[0])
    y = _batch("values.y", data["y"], layers[-1])
    if x.shape[0] != y.shape[0]:
        raise SpecError(
            f"values: x has {_count(x.shape[0], 'sample')} but y has {y.shape[0]}; give one target per input"
        )
    weights = _weights(data["weights"], layers)
    biases = _biases(data.get("biases"), layers, bias, where)
    rate = data.get("learning_rate")
    if rate is not None:
        rate = float(_array("values.learning_rate", rate, ()))
        if rate <= 0:
            raise SpecError(
                f"values.learning_rate: a gradient-descent step needs a rate greater than 0, got {rate:g}; "
                "leave it out for no step"
            )
    return Values(x, y, weights, biases, rate)


def _plain(value: Any) -> Any:
    """NumPy arrays and scalars (from the Python API) as the lists and numbers a TOML file gives."""
    np = sys.modules.get("numpy")  # not imported for a spec without numbers: then no value is NumPy's
    if np is not None and isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _matrix_words(layers: tuple[int, ...]) -> str:
    """'3 rows of 2, then 2 rows of 3': the weight matrices' shapes, n_l rows of n_{l-1}."""
    return ", then ".join(f"{_count(n, 'row')} of {m}" for m, n in itertools.pairwise(layers))


def _bias_words(layers: tuple[int, ...], bias: str) -> str:
    """What values.biases holds under a bias convention: 'one list per layer after the input, of 3 and 2 numbers'."""
    sizes = [str(n) for n in layers[1:]]
    if bias == "layer":
        return f"one number per layer after the input ({_count(len(sizes), 'number')})"
    listed = sizes[0] if len(sizes) == 1 else ", ".join(sizes[:-1]) + " and " + sizes[-1]
    return f"one list per layer after the input, of {listed} numbers"


def _array(where: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A float64 array of exactly ``shape``, every entry a finite number."""
    import numpy as np

    try:
        arr = np.array(value, dtype=float) if _all_numbers(value) else None
    except OverflowError:  # an integer past float64's range, which TOML and Python allow
        raise SpecError(f"{where}: a number is out of range; float64 holds magnitudes up to about 1.8e308") from None
    except ValueError:
        arr = None
    if arr is None:
        wanted = "one number" if not shape else f"numbers, shaped {_shape_words(shape)}"
        raise SpecError(f"{where}: must be {wanted}; got {_short(value)}")
    if arr.shape != shape:
        raise SpecError(f"{where}: must be shaped {_shape_words(shape)}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].flat[0]
        raise SpecError(f"{where}: every number must be finite (no nan or inf); got {bad}")
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
        count = "1 matrix" if len(layers) == 2 else f"{len(layers) - 1} matrices"
        wrap = ""
        if isinstance(value, list) and value and all(isinstance(r, list) and _all_numbers(r) for r in value):
            wrap = " (a single matrix still goes in a list: weights = [[[...], ...]])"
        raise SpecError(
            f"values.weights: must be a list of {count}, one per layer after the input, {_matrix_words(layers)}; "
            f"got {_short(value)}{wrap}"
        )
    return tuple(_array(f"values.weights[{i}]", m, (layers[i + 1], layers[i])) for i, m in enumerate(value))


def _biases(value: Any, layers: tuple[int, ...], bias: str, where: str = "") -> tuple[np.ndarray, ...]:
    convention = f'bias = "{bias}"{where}'
    if bias == "none":
        if value is not None:
            raise SpecError(
                f"values.biases: the network has no biases ({convention}), so give none; "
                'or, for a network with biases, set bias = "neuron" above [values]'
            )
        return ()
    if value is None:
        raise SpecError(
            f"values.biases: missing; the network has biases ({convention}), so give {_bias_words(layers, bias)}; "
            'or, for a network without biases, set bias = "none" above [values]'
        )
    if not isinstance(value, list) or len(value) != len(layers) - 1:
        raise SpecError(f"values.biases: with {convention}, give {_bias_words(layers, bias)}; got {_short(value)}")
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
