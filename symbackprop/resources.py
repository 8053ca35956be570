"""Where the shipped templates and presets are: inside the installed package, or in a checkout."""

from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    """The templates folder: ``symbackprop/templates`` in a wheel, ``templates/`` in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    return installed if installed.is_dir() else here.parent / "templates"
