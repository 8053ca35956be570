"""Where the shipped templates and presets are: inside the installed package, or in a checkout."""

from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    """The templates folder: ``symbackprop/templates`` in a wheel, ``templates/`` in a checkout."""
    here = Path(__file__).resolve().parent.parent  # the package: symbackprop/base/resources.py
    installed = here / "templates"
    return installed if installed.is_dir() else here.parent / "templates"


def example_names() -> list[str]:
    """The built-in example specs, by name."""
    return sorted(p.stem for p in (templates_dir() / "examples").glob("*.toml"))


def example_path(name: str) -> Path:
    """The file of built-in example ``name`` (from ``example:NAME``); a SpecError names the others."""
    from .errors import SpecError, did_you_mean

    if name not in example_names():
        hint = did_you_mean(name, example_names())
        raise SpecError(f"no built-in example {name!r}; there are: {', '.join(example_names())}{hint}")
    return templates_dir() / "examples" / f"{name}.toml"
