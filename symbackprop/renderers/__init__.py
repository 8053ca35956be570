"""Renderers: a derivation laid out by a Jinja2 template (text, LaTeX, Markdown) or as JSON."""

from __future__ import annotations

from pathlib import Path

from ..checks import Proof
from ..derivation import Derivation
from ..network import Network
from .context import all_context, document_context, json_document
from .environment import environment
from .filters import filters_for

FORMATS = {
    "text": "derivation.txt.j2",
    "tex": "document.tex.j2",
    "tex-body": "body-only.tex.j2",
    "md": "derivation.md.j2",
}


def render(
    d: Derivation,
    fmt: str = "text",
    user_templates: Path | None = None,
    proof: Proof | None = None,
    title: str | None = None,
    author: str | None = None,
) -> str:
    """The derivation as a document in ``fmt``: text, json, md, tex (a whole document) or tex-body."""
    if fmt == "json":
        return json_document(d, proof)
    env = environment(user_templates, filters_for(d.network))
    template = env.get_template(FORMATS[fmt])
    return template.render(**document_context(d, proof, title, author))


ALL_ELEMENTS = 40  # above this many weights and biases, --wrt all gives general formulas and a sample


def render_all(
    net: Network, user_templates: Path | None = None, title: str | None = None, author: str | None = None
) -> str:
    """One LaTeX document deriving every weight and bias, in sections by layer."""
    env = environment(user_templates, filters_for(net))
    return env.get_template("all.tex.j2").render(**all_context(net, ALL_ELEMENTS, title, author))
