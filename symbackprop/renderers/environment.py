"""The one Jinja2 environment every renderer uses, with delimiters LaTeX cannot collide with.

``\\BLOCK{...}`` for statements, ``\\VAR{...}`` for values, ``\\#{...}`` for comments; strict
about undefined names; no HTML escaping (plain text reaches LaTeX through the ``escape``
filter). A user's ``--templates DIR`` is searched before the shipped templates; since a
template someone else wrote can then run, the environment is Jinja2's immutable sandbox, in
which a template reads the data it is given and calls its filters, and nothing else (no
``__globals__``, no ``os``, no changing what it was given).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..resources import templates_dir


def environment(
    user_templates: Path | None = None, filters: Mapping[str, Callable[..., Any]] | None = None
) -> ImmutableSandboxedEnvironment:
    """Build the environment: the user's templates first, then the shipped ones."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(_UserLoader(str(user_templates)))
    loaders.append(jinja2.FileSystemLoader(str(templates_dir())))
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(filters or {})
    return env


class _UserLoader(jinja2.FileSystemLoader):
    """The user's folder: a file there that is not UTF-8 text is a template error naming it, as a syntax
    error would be, not a decoding error from inside Jinja; a link that leads out of the folder is refused
    before it is read, so a template folder cannot pull in /etc/passwd or another user's file."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses "..", as Jinja does
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            if path.is_file() and not path.resolve().is_relative_to(Path(folder).resolve()):
                raise jinja2.TemplateError(f"{template}: reached through a link leading out of the folder; copy it in")
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError:
            raise jinja2.TemplateError(f"{template}: not UTF-8 text") from None
