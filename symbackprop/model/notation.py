"""Notation presets: how symbols are named and printed, each preset a small TOML data file.

Presets ship in the package's ``templates/presets`` folder; a user may pass the path of a
TOML file of their own with the same keys.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

from ..base.errors import SpecError, did_you_mean, toml_problem
from ..base.resources import templates_dir


@dataclass(frozen=True)
class Notation:
    """The printing conventions of one textbook."""

    name: str
    title: str
    layer_style: str = "relative"
    layer_parens: bool = True
    cost_symbol: str = "C_0"
    batch_cost_symbol: str = "C"
    generic_activation: str = "g"
    use_delta: bool = False
    index_base: int = 0
    first_layer: int = 0  # the number an absolute layer_style gives the input layer (Nielsen's is 1)
    sample_index: str = "i"  # the letter of a training sample in the batch cost, C = (1/n) sum_i C_i
    section: str = "section"  # the LaTeX sectioning level of a document's parts (its steps one level below)
    defaults: Mapping[str, str] = field(default_factory=dict)  # activation, bias, cost when a spec omits them
    story: str = "chain"  # how a weight's derivation is told: "chain" (through dC/da), "delta" (BP1-BP4), "algorithm"
    symbols: Mapping[str, str] = field(default_factory=dict)  # the source's letters: a, z, w, b, delta -> its own
    one_neuron_first: bool = False  # begin with one neuron per layer and its three sensitivities (3Blue1Brown)

    def letter(self, name: str) -> str:
        """The letter this preset writes for the quantity the engine calls ``name`` (a, z, w, b, y, delta)."""
        return self.symbols.get(name, name)

    def layer(self, layer: int, depth: int) -> str:
        """A layer's superscript text, without the parentheses: "L-1", or "2" counted from ``first_layer``."""
        if self.layer_style == "absolute":
            return str(layer + self.first_layer)
        back = depth - layer
        return "L" if back == 0 else f"L-{back}"

    @property
    def input_number(self) -> int:
        """The number a typed or printed layer number gives the input layer: ``first_layer`` when layers
        print as numbers, else 0 (a relative notation prints L-N, and a typed number counts from 0)."""
        return self.first_layer if self.layer_style == "absolute" else 0

    def layer_index(self, number: int) -> int:
        """The layer (0 for the input) a number written in this notation names: Nielsen's layer 2 is layer 1."""
        return number - self.input_number


_GREEK = "alpha|beta|gamma|delta|epsilon|varepsilon|eta|theta|lambda|mu|nu|xi|pi|rho|sigma|tau|phi|varphi|chi|psi|omega"
_SYMBOL = re.compile(rf"^(?:[A-Za-z0-9_{{}}']|\\(?:{_GREEK}|ell|bar|hat|tilde)(?![A-Za-z]))+$")


def _safe_symbol(text: object) -> bool:
    """A symbol a preset may print in math mode: letters, digits, _, {}, ' and Greek letters, braces balanced.

    Preset values go into LaTeX unescaped (they are mathematics), so anything that could be
    a command (\\input, \\write18, \\catcode) is refused here.
    """
    if not isinstance(text, str) or not text or len(text) > 40 or not _SYMBOL.match(text):
        return False
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def preset_names() -> list[str]:
    return list(_shipped())


@cache
def _shipped() -> tuple[str, ...]:
    """The built-in presets' names: the package's files, the same for the life of the process."""
    return tuple(sorted(p.stem for p in (templates_dir() / "presets").glob("*.toml")))


def load(name_or_path: str, key: str = "notation") -> Notation:
    """A built-in preset by name, or a preset file by path; ``key`` is how an error names the setting.

    Parsed and checked once: every reference a derivation checks asks for its network's preset. A built-in one
    is kept by name; a file is read each time (a few hundred bytes) and parsed again only when its text changed.
    """
    if name_or_path in _shipped():
        return _builtin(name_or_path)
    path = Path(name_or_path)
    presets = ", ".join(preset_names())
    if path.suffix != ".toml":
        hint = did_you_mean(name_or_path, preset_names())
        raise SpecError(f"{key}: {name_or_path!r} is not a preset ({presets}) nor a .toml file{hint}")
    if not path.is_file():
        raise SpecError(
            f"{key}: no preset file {name_or_path!r} (a relative path is looked for beside the spec, then in "
            f"the current folder); the built-in presets are {presets}"
        )
    return _parsed(path, _text(path))


@cache
def _builtin(name: str) -> Notation:
    path = templates_dir() / "presets" / f"{name}.toml"
    return _parsed(path, _text(path))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as err:
        raise SpecError(f"notation file {path}: cannot read it ({err})") from None


@cache
def _parsed(path: Path, text: str) -> Notation:
    """The preset ``text`` read from ``path`` (which an error names), checked."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"notation file {path}: not valid TOML: {toml_problem(err)}") from None
    known = {f.name for f in fields(Notation)}
    unknown = sorted(set(data) - known)
    if unknown:
        hint = did_you_mean(unknown[0], known)
        raise SpecError(f"notation file {path}: unknown key {unknown[0]!r}; known: {', '.join(sorted(known))}{hint}")
    if "name" not in data:
        raise SpecError(f'notation file {path}: missing name; a preset file names itself, as name = "mine"')
    data.setdefault("title", data["name"])
    _check_types(path, data)
    for key in ("cost_symbol", "batch_cost_symbol", "generic_activation", "sample_index"):
        if key in data and not _safe_symbol(data[key]):
            raise SpecError(
                f"notation file {path}: {key} must be a plain symbol such as C_0 or \\sigma, got {data[key]!r}"
            )
    if data.get("section", "section") not in SECTIONS:
        raise SpecError(f"notation file {path}: section must be one of {', '.join(SECTIONS)}")
    if data.get("story", "chain") not in STORIES:
        raise SpecError(f"notation file {path}: story must be one of {', '.join(STORIES)}")
    symbols = data.get("symbols", {})
    if not isinstance(symbols, dict) or any(
        key not in LETTERS or not isinstance(value, str) or not _safe_symbol(value) for key, value in symbols.items()
    ):
        raise SpecError(
            f'notation file {path}: symbols must be a table giving {", ".join(LETTERS)} plain symbols, as a = "h"'
        )
    if data.get("layer_style", "relative") not in ("relative", "absolute"):
        raise SpecError(f"notation file {path}: layer_style must be relative or absolute")
    return Notation(**data)


TYPES = {
    "name": str,
    "title": str,
    "layer_style": str,
    "layer_parens": bool,
    "use_delta": bool,
    "index_base": int,
    "first_layer": int,
    "sample_index": str,
    "section": str,
    "story": str,
    "one_neuron_first": bool,
}
STORIES = ("chain", "delta", "algorithm")  # what ``story`` may be
LETTERS = ("a", "z", "w", "b", "delta")  # the quantities a preset may rename
SECTIONS = ("section", "subsection", "subsubsection")  # what ``section`` may be, largest first
DEFAULTS = ("activation", "bias", "cost")


def _check_types(path: Path, data: Mapping[str, Any]) -> None:
    """Each key of a preset file has the type its field needs; defaults name only activation, bias and cost."""
    for key, kind in TYPES.items():
        if key in data and type(data[key]) is not kind:
            raise SpecError(f"notation file {path}: {key} must be {_kind_words(kind)}, got {data[key]!r:.40}")
    for key in ("index_base", "first_layer"):
        if data.get(key, 0) not in (0, 1):
            raise SpecError(f"notation file {path}: {key} must be 0 or 1")
    for key in ("name", "title"):
        if not 0 < len(data[key]) <= 80 or not data[key].isprintable():
            raise SpecError(f"notation file {path}: {key} must be one line of 1 to 80 printable characters")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SpecError(f'notation file {path}: defaults must be a table such as [defaults] cost = "half_sse"')
    for key, value in defaults.items():
        if key not in DEFAULTS or not isinstance(value, str):
            raise SpecError(f"notation file {path}: defaults may set {', '.join(DEFAULTS)} to names, got {key!r}")


def _kind_words(kind: type) -> str:
    return {str: "a string", bool: "true or false", int: "a whole number"}[kind]
