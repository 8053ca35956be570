"""Renderers: a derivation laid out by a Jinja2 template (text, LaTeX, Markdown) or as JSON."""

from __future__ import annotations

from pathlib import Path

from ..derivation import Derivation
from .context import document_context, json_document
from .environment import environment
from .filters import filters_for

FORMATS = {"text": "derivation.txt.j2"}


def render(d: Derivation, fmt: str = "text", user_templates: Path | None = None) -> str:
    """The derivation as a document in ``fmt`` (text or json)."""
    if fmt == "json":
        return json_document(d)
    env = environment(user_templates, filters_for(d.network))
    template = env.get_template(FORMATS[fmt])
    return template.render(**document_context(d))
